"""Text from data never runs as a template in a map (branca renders map scripts with Jinja2).

branca renders each map element's script, then renders the result again as a template, so data
text carrying ``{{ … }}`` or ``{% … %}`` (a police.uk street, a crime type, a ward name, a
walkabout comment, a camera name) was evaluated on the server. These tests put such payloads
through the real pipeline and through every layer builder, and check the rendered page carries
the payload as literal text, with no evaluated result and no file written by it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from hotspots.analysis.analyse import analyse
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.products.patrol import patrol_plan
from hotspots.views import maps
from hotspots.views.analysis_map import analysis_map
from hotspots.views.cctv_map import camera_views_layer
from hotspots.views.patrol_map import patrol_layer

EVALUATED = "pwned"
"""What the payloads below render to if they are evaluated."""


def payloads(marker: Path) -> list[str]:
    """Template, comment, HTML and script payloads; the last would create ``marker``."""
    return [
        "{{ 'pwn' ~ 'ed' }}",
        "{% if true %}pwn{% endif %}ed",
        "{# comment #}{%",
        "{{{{ 'pwn' ~ 'ed' }}}}",
        "</script><script>alert('pwn' + 'ed')</script>",
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    ]


def _decoded_strings(page: str) -> str:
    """The page with the two JSON escapes of :func:`maps.script_safe` read back."""
    return page.replace("\\u007b", "{").replace("\\u003c", "<")


def _assert_inert(page: str, texts: list[str], marker: Path) -> None:
    assert EVALUATED not in page
    assert not marker.exists()
    shown = _decoded_strings(page)
    for text in texts:
        assert text.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;") in shown


@given(st.text())
def test_script_safe_json_reads_back_the_same_text(text: str) -> None:
    literal = maps.script_safe(json.dumps({"t": text, "n": [text]}))
    assert json.loads(literal) == {"t": text, "n": [text]}
    assert re.search(r"\{[{%#]", literal) is None
    assert "<" not in literal


def _policeuk_zip(path: Path, street: str, crime_type: str) -> Path:
    """A police.uk zip of two Dacorum months where every row carries the given texts."""
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as z:
        names = [n for n in z.namelist() if n.endswith("street.csv")][:2]
        frames = [pd.read_csv(io.BytesIO(z.read(n)), dtype=str) for n in names]
    out = path / "payload.zip"
    with zipfile.ZipFile(out, "w") as z:
        for name, frame in zip(names, frames, strict=True):
            frame = frame.head(4000).copy()
            frame["Location"] = "On or near " + street
            frame.loc[frame.index[::7], "Crime type"] = crime_type
            z.writestr(name, frame.to_csv(index=False))
    return out


def test_police_uk_streets_crime_types_and_ward_names_stay_text(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    street, crime_type, ward = payloads(marker)[0], payloads(marker)[5], payloads(marker)[1]
    loaded = read_policeuk(_policeuk_zip(tmp_path, street, crime_type), study_area="E07000096")
    assert (loaded.incidents["location"] == "On or near " + street).all()
    wards = gpd.read_file(datasets.wards_path()).rename(
        columns={"WD13CD": "area_code", "WD13NM": "area_name"}
    )
    wards.loc[0, "area_name"] = ward
    result = analyse(loaded.incidents, study_area="E07000096", res=9)
    page = maps.map_html(analysis_map(result, wards=wards))
    _assert_inert(page, [street, ward], marker)  # the place as named: "On or near" dropped


@pytest.mark.parametrize("index", range(6))
def test_every_layer_builder_keeps_payloads_as_text(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "ran"
    text = payloads(marker)[index]
    box = shapely.box(-0.48, 51.74, -0.47, 51.75)
    shapes = gpd.GeoDataFrame(
        {
            "cell": ["89195da4a2fffff"],
            "count": [3],
            "gi_z": [3.1],
            "gi_bin": [3],
            "gi_class": [text],
            "cluster": [text],
            "area_name": [text],
            "label": [text],
            "colour": ["#123456"],
        },
        geometry=[box],
        crs=4326,
    )
    points = gpd.GeoDataFrame(
        {"comment": [text], "reason": [text]}, geometry=[shapely.Point(-0.47, 51.75)], crs=4326
    )
    cameras = pd.DataFrame(
        {
            "camera_id": ["C1"],
            "name": [text],
            "type": ["ptz"],
            "range_m": [50.0],
            "bearing_deg": [0.0],
            "fov_deg": [360.0],
            "status": ["active"],
            "lon": [-0.47],
            "lat": [51.75],
        }
    )
    m = maps.base_map(shapes, attribution=text)
    for layer in (
        maps.hex_layer(shapes, legend_title=text, name=text),
        maps.gistar_layer(shapes, name=text),
        maps.cluster_layer(shapes, popup_cols=["cluster"], name=text),
        maps.ward_layer(shapes, name_col="area_name", name=text),
        maps.points_layer(points, popup_cols=["comment"], tooltip_col="reason", name=text),
        maps.outline_layer(shapes, tooltip_col="label", colour_col="colour", name=text),
        camera_views_layer(cameras, name=text),
    ):
        layer.add_to(m)
    folium.LayerControl().add_to(m)
    page = maps.map_html(m)
    assert EVALUATED not in page
    assert not marker.exists()
    assert text.replace("<", "&lt;").replace(">", "&gt;") in _decoded_strings(page).replace(
        "&#x27;", "'"
    )


def test_patrol_localities_named_by_payload_streets(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    street = payloads(marker)[5]
    loaded = read_policeuk(_policeuk_zip(tmp_path, street, "Burglary"), study_area="E07000096")
    months = sorted(loaded.incidents["month"].dt.strftime("%Y-%m").unique())
    plan = patrol_plan(
        loaded.incidents,
        study_area="E07000096",
        period=(months[-1], months[-1]),
        top=3,
        run_backtest=False,
    )
    m = maps.base_map(plan.localities)
    patrol_layer(plan, name="Patrol " + street).add_to(m)
    folium.LayerControl().add_to(m)
    page = maps.map_html(m)
    assert EVALUATED not in page
    assert not marker.exists()


def test_no_map_element_is_rendered_a_second_time_as_a_template(tmp_path: Path) -> None:
    """Every folium map element (a ``MacroElement``: markers, tooltips, layers, the layer
    control), not only this package's layers, renders once: text a plain folium tooltip or
    layer name carries reaches the page as it was rendered, never compiled again as a Jinja2
    template (branca 0.8 does that second pass for every element). (folium's ``Popup``
    renders itself twice still: the maps here never give it data text.)"""
    marker = tmp_path / "marker"
    m = maps.base_map((-0.48, 51.74, -0.46, 51.76), tiles=False)
    texts = [t for t in payloads(marker) if "#" not in t]  # "{# … #}{%" stays a syntax error
    for i, text in enumerate(texts):
        folium.Marker([51.75 + i / 1000, -0.47], tooltip=text).add_to(m)
    folium.FeatureGroup(name=texts[0]).add_to(m)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    assert EVALUATED not in page
    assert not marker.exists()
    assert "{{ 'pwn' ~ 'ed' }}" in page and "{% if true %}pwn{% endif %}ed" in page
