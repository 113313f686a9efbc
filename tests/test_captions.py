"""Words for a JAG: areas with units, the Map caption in plain words and in detail."""

import h3
import pytest

from hotspots.products.captions import area_text, cell_area_text, map_caption


@pytest.mark.parametrize(
    ("m2", "text"),
    [(3362275.8857, "3.4 km²"), (105332.5, "11 ha"), (52000, "5.2 ha"), (1e6, "1.0 km²")],
)
def test_area_text_rounds_with_units(m2, text):
    assert area_text(m2) == text


def test_cell_area_is_h3s_average():
    assert cell_area_text(9) == f"{h3.average_hexagon_area(9, unit='km^2') * 100:.0f} ha"


def test_map_caption_plain_first_technical_apart():
    params = {
        "grid": {"res": 9},
        "gistar": {"k": 1, "fdr": True},
        "clusters": {
            "n_clusters": 78,
            "eps_m": 151.2,
            "eps_source": "k-distance knee",
            "min_samples": 12,
            "min_samples_source": "auto",
            "method": "dbscan",
        },
    }
    plain, technical = map_caption(params, n_hot_cells=181, clustered_share=0.9176)
    assert "181 hexagons of about 11 ha" in plain and "92%" in plain
    for jargon in ("H3", "Gi*", "DBSCAN", "eps", "k-ring", "FDR"):
        assert jargon not in plain
    assert "H3 resolution 9" in technical and "DBSCAN" in technical and "151 m" in technical
