"""Words for a JAG (issue 13): one numbering of clusters, significance in words, reason labels,
feedback visible over hot cells, readable tables, tasking sheets that name places."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from scipy.stats import binomtest

from hotspots import store
from hotspots.analysis.analyse import analyse
from hotspots.analysis.clusters import cluster_ranks
from hotspots.data import datasets
from hotspots.products import measures
from hotspots.products.measures.periods import fewest_testable
from hotspots.space.areas import assign_areas, read_boundaries
from hotspots.views import maps, tables
from hotspots.views.analysis_map import analysis_layers
from hotspots.views.documents.meeting_pack import top_hotspots


@pytest.fixture(scope="module")
def analysis(dacorum_load):
    return analyse(dacorum_load.incidents, study_area=datasets.DACORUM)


def _html(layer) -> str:
    """The page a layer renders to, on an empty map."""
    m = folium.Map(tiles=None)
    layer.add_to(m)
    return m.get_root().render()


# --------------------------------------------------------------------------- 1. one numbering


def test_cluster_ranks_number_by_size_ties_by_label() -> None:
    labels = pd.Series([4, 0, 7, 2])
    sizes = pd.Series([10, 30, 10, 5])
    assert cluster_ranks(labels, sizes).tolist() == [2, 1, 3, 4]


def test_clusters_carry_one_number_in_the_table_tooltips_and_exports(analysis) -> None:
    profiles = analysis.profiles
    assert len(profiles) >= 3
    by_size = sorted(
        zip(profiles["n_incidents"], profiles["cluster"], strict=True), key=lambda t: (-t[0], t[1])
    )
    expected = {cluster: i + 1 for i, (_, cluster) in enumerate(by_size)}
    assert dict(zip(profiles["cluster"], profiles["rank"], strict=True)) == expected
    # the meeting pack and briefings (top_hotspots) use the same number
    top = top_hotspots(analysis, top_n=len(profiles))
    assert dict(zip(top["cluster"], top["rank"], strict=True)) == expected
    # the map's tooltips: "Cluster <rank>", never the internal label 0
    [layer] = [g for g in analysis_layers(analysis) if g.layer_name == "Clusters"]
    page = _html(layer)
    tips = sorted(int(n) for n in re.findall(r'"t": ?"[^"]*Cluster (\d+)"', page))
    assert tips == sorted(expected.values())
    assert 0 not in tips
    # the Map page's table: No. 1 first, the most incidents
    from hotspots.views.dashboard.page_map import cluster_table

    shown = cluster_table(profiles)
    assert shown["No."].tolist() == list(range(1, len(profiles) + 1))
    assert shown["Incidents"].tolist() == sorted(profiles["n_incidents"], reverse=True)
    assert not [c for c in shown.columns if "_" in c]


# --------------------------------------------------------------------------- 2. significance


def test_fewest_testable_agrees_with_the_exact_binomial_test() -> None:
    for alpha in (0.05, 0.01, 0.1):
        n = fewest_testable(alpha)
        assert binomtest(n, n, 0.5).pvalue < alpha  # n all in one period can be significant
        assert binomtest(n - 1, n - 1, 0.5).pvalue >= alpha  # n - 1 never can


def test_ward_significance_is_words_never_blank(dacorum_load) -> None:
    wards = read_boundaries(datasets.wards_path())
    incidents = assign_areas(dacorum_load.incidents, wards)
    periods = measures.default_periods(incidents)
    table = measures.ward_table(incidents, wards, None, current=periods.current)
    words = set(measures.SIGNIFICANCE_WORDS.values())
    for suffix in ("vs_previous", "vs_last_year"):
        said = table[f"significance_{suffix}"]
        assert said.isin(words).all() and (said != "").all()
        rise = table[suffix] == measures.RISE
        assert (said[rise] == measures.SIGNIFICANCE_WORDS["rise"]).all()
        unmarked = table[suffix] == ""
        assert not said[unmarked].str.contains("Significantly").any()
        few = (table["count"] + table[suffix.removeprefix("vs_")]) < fewest_testable(0.05)
        assert (said[few & unmarked & table["count"].notna()] != "○ No significant change").all()


# --------------------------------------------------------------------------- 3. reason labels


def test_every_reason_code_has_one_label() -> None:
    from hotspots.views.dashboard import page_vawg

    assert set(store.REASON_LABELS) == set(store.REASONS)
    assert page_vawg.REASON_LABELS is store.REASON_LABELS
    assert store.reason_label("poor_lighting") == "Poor lighting"
    shown = tables.readable(pd.DataFrame({"reason": ["no_cctv"], "status": ["in_progress"]}))
    assert shown.to_dict("records") == [{"Reason": "No CCTV", "Status": "In progress"}]


# --------------------------------------------------------------------------- 4. feedback markers


def test_feedback_markers_are_navy_rings_drawn_above_the_cells() -> None:
    from hotspots.views.dashboard.overlays import FEEDBACK_COLOUR, feedback_layer

    feedback = pd.read_csv(datasets.demo_path("feedback"))
    points = gpd.GeoDataFrame(
        feedback, geometry=gpd.points_from_xy(feedback["lon"], feedback["lat"]), crs="EPSG:4326"
    )
    page = _html(feedback_layer(points))
    pane, z = maps.POINTS_PANE
    assert f'"{pane}"' in page and f"style.zIndex = {z}" in page and z > 400  # above cells
    assert FEEDBACK_COLOUR.lower() in page.lower()
    assert "#e7298a" not in page  # the old pink
    assert '"t": "No CCTV"' in page or '"t":"No CCTV"' in page  # tooltip: label, not code
    assert "no_cctv" not in page


# --------------------------------------------------------------------------- 8. readable tables


def test_readable_tables_round_with_units_and_drop_midnight() -> None:
    table = pd.DataFrame(
        {
            "area_m2": [3362275.8857],
            "share": [0.2637],
            "lift": [4.6946],
            "n_incidents": [12.0],
            "due_date": pd.to_datetime(["2022-01-31"]),
            "created_at": pd.to_datetime(["2022-01-31 14:05:09"]),
            "overdue": [True],
            "weird_new_column": ["x"],
        }
    )
    shown = tables.readable(table)
    assert list(shown.columns) == [
        "Area (ha)", "Share (%)", "Lift (× an even spread)", "Incidents", "Due", "Added",
        "Overdue", "Weird new column",
    ]  # fmt: skip
    row = shown.iloc[0]
    assert (
        row["Area (ha)"] == 336.2
        and row["Share (%)"] == 26.4
        and row["Lift (× an even spread)"] == 4.7
    )
    assert row["Incidents"] == 12 and str(row["Due"]) == "2022-01-31"
    assert row["Added"] == "2022-01-31 14:05" and row["Overdue"] == "Yes"
    assert "00:00:00" not in shown.astype(str).to_string()
