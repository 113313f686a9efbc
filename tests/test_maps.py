"""hotspots.views.maps and hotspots.views.dashboard.offline on Dacorum demo data.

The browser-side checks (drawn paths, legend, tooltips, no network) are in tests/browser/.
"""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pytest
import shapely
from browser import frames

from hotspots.views import maps
from hotspots.views.dashboard import offline


@pytest.fixture(scope="module")
def cells() -> gpd.GeoDataFrame:
    return frames.dacorum_cells(9)


@pytest.fixture(scope="module")
def gistar() -> gpd.GeoDataFrame:
    return frames.dacorum_gistar(9)


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    return frames.dacorum_wards()


def _layers(page: str) -> list[tuple[list[dict], dict]]:
    """(style table, GeoJSON) of every layer drawn by the page, parsed back from its script."""
    found = re.findall(
        r"var styles = (\[.*?\]);.*?L\.geoJSON\((\{.*?\}), Object\.assign", page, flags=re.S
    )
    return [(json.loads(styles), json.loads(data)) for styles, data in found]


def _map(*layers: folium.FeatureGroup, bounds=(-0.75, 51.65, -0.35, 51.90)) -> folium.Map:
    m = maps.base_map(bounds)
    for layer in layers:
        layer.add_to(m)
    return m


# --------------------------------------------------------------------------- offline assets


def test_standalone_html_is_self_contained(cells, wards) -> None:
    m = _map(maps.ward_layer(wards), maps.hex_layer(cells), bounds=wards)
    folium.LayerControl().add_to(m)
    page = maps.map_html(m)
    leaflet = (maps.map_assets_dir() / "leaflet" / "leaflet.js").read_text()
    assert leaflet in page  # Leaflet inlined, byte for byte
    assert re.search(r"<script[^>]*\ssrc=", page) is None
    assert re.search(r"<link[^>]*\shref=", page) is None
    assert "url(images/" not in page  # CSS images inlined as data URIs
    assert "url(data:image/png;base64," in page
    for cdn in ("jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "d3js"):
        assert cdn not in page
    assert maps.map_payload_bytes(m) < len(page.encode()) - len(leaflet.encode())


def test_base_map_links_leaflet_locally_and_draws_a_street_basemap(monkeypatch) -> None:
    monkeypatch.delenv(maps.TILES_ENV, raising=False)
    m = maps.base_map((-0.75, 51.65, -0.35, 51.90))
    page = m.get_root().render()
    assert re.findall(r'<script src="([^"]*)"', page) == ["leaflet/leaflet.js"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]*)"', page) == ["leaflet/leaflet.css"]
    assert "tile.openstreetmap.org" in page and "OpenStreetMap contributors" in page
    assert maps.BASEMAP_OFF_NOTE in page  # said when no tile loads
    assert maps.BACKGROUND in page
    assert offline.external_assets(m) == []  # tiles are not scripts: the map draws without
    plain = maps.base_map((-0.75, 51.65, -0.35, 51.90), tiles=False).get_root().render()
    assert "L.tileLayer" not in plain


def test_basemap_is_configurable_and_its_attribution_escaped(monkeypatch) -> None:
    monkeypatch.setenv(maps.TILES_ENV, "https://maps.example.gov.uk/{z}/{x}/{y}.png")
    monkeypatch.setenv(maps.TILES_ATTRIBUTION_ENV, "<b>Council</b> {{ 7*7 }}")
    page = maps.base_map((-0.75, 51.65, -0.35, 51.90)).get_root().render()
    assert "maps.example.gov.uk/{z}/{x}/{y}.png" in page
    assert "tile.openstreetmap.org" not in page
    assert "<b>Council" not in page and "49" not in page.split("maps.example.gov.uk")[1][:300]
    monkeypatch.setenv(maps.TILES_ENV, "off")
    assert "L.tileLayer" not in maps.base_map((-0.75, 51.65, -0.35, 51.90)).get_root().render()
    monkeypatch.setenv(maps.TILES_ENV, "https://example.org/tiles.png")
    with pytest.raises(ValueError, match="XYZ"):
        maps.base_map((-0.75, 51.65, -0.35, 51.90))


def test_label_layer_writes_escaped_names_at_inner_points() -> None:
    wards = gpd.GeoDataFrame(
        {"area_name": ["Boxmoor", "<img src=x onerror=alert(1)> {{ 7*7 }}"]},
        geometry=[shapely.box(-0.5, 51.7, -0.49, 51.71), shapely.box(-0.48, 51.7, -0.47, 51.71)],
        crs="EPSG:4326",
    )
    m = maps.base_map(wards)
    maps.label_layer(wards).add_to(m)
    page = m.get_root().render()
    assert "Boxmoor" in page
    assert "<img src=x" not in page and "{{ 7*7 }}" not in page
    assert "&lt;img src=x" in page.replace("\\u003c", "<")


def test_cdn_assets_are_refused() -> None:
    m = folium.Map(tiles=None)  # folium's defaults: Leaflet, jQuery, Bootstrap from CDNs
    with pytest.raises(ValueError, match=r"code\.jquery\.com"):
        maps.map_html(m)
    plugged = maps.base_map((-0.75, 51.65, -0.35, 51.90))
    folium.plugins.MarkerCluster().add_to(plugged)
    assert any("markercluster" in url for url in offline.external_assets(plugged))
    with pytest.raises(ValueError, match="council networks block"):
        offline.st_map(plugged, key="map")


def test_missing_assets_say_run_the_setup(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(maps.ASSETS_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"scripts/setup\.sh"):
        maps.map_assets_dir()
    with pytest.raises(FileNotFoundError, match=r"scripts/setup\.sh"):
        maps.map_html(maps.base_map((-0.75, 51.65, -0.35, 51.90)))


# --------------------------------------------------------------------------- payload


def test_demo_map_payload_is_under_2_mb(wards) -> None:
    dense = frames.dacorum_cells(10)  # the finest grid the dashboard offers
    m = _map(maps.ward_layer(wards), maps.hex_layer(dense), bounds=wards)
    assert maps.map_payload_bytes(m) < 2_000_000
    # Only occupied cells are sent: the bytes grow with them, not with the whole grid.
    per_cell = maps.map_payload_bytes(m) / int((dense["count"] > 0).sum())
    assert per_cell < 400


def test_compact_layer_beats_folium_style_function(cells) -> None:
    shown = cells[cells["count"] > 0]
    ours = _map(maps.hex_layer(cells))
    theirs = _map()
    folium.GeoJson(
        shown[["cell", "count", "geometry"]],
        style_function=lambda f: {
            "fillColor": "#ff0000" if f["properties"]["count"] > 5 else "#ffff00"
        },
        tooltip=folium.GeoJsonTooltip(["count"]),
    ).add_to(theirs)
    assert maps.map_payload_bytes(ours) < 0.6 * maps.map_payload_bytes(theirs)


def test_coordinates_are_rounded_to_5_decimals(cells) -> None:
    page = _map(maps.hex_layer(cells)).get_root().render()
    [(_, data)] = _layers(page)
    shown = cells[cells["count"] > 0]
    assert [f["id"] for f in data["features"]] == shown["cell"].tolist()
    sent = np.array([f["geometry"]["coordinates"][0] for f in data["features"]])
    original = np.array([shapely.get_coordinates(g) for g in shown.geometry])
    np.testing.assert_array_equal(sent, np.round(original, 5))
    decimals = {len(n.split(".")[1]) for n in re.findall(r"-?\d+\.\d+", json.dumps(sent.tolist()))}
    assert max(decimals) <= 5


@pytest.mark.parametrize("tolerance", [20, 50])
def test_ward_outlines_are_simplified_within_tolerance(wards, tolerance) -> None:
    page = _map(maps.ward_layer(wards, simplify_m=tolerance)).get_root().render()
    [(_, data)] = _layers(page)
    sent = gpd.GeoSeries(
        [shapely.geometry.shape(f["geometry"]) for f in data["features"]], crs=4326
    )
    sent_m, orig_m = sent.to_crs(27700).to_numpy(), wards.geometry.to_crs(27700).to_numpy()
    # Douglas-Peucker keeps the outline within about the tolerance (GEOS may shift a ring's
    # start a little more: 53 m at 50 m here) plus ~1 m of coordinate rounding.
    assert shapely.hausdorff_distance(sent_m, orig_m).max() <= 1.1 * tolerance + 1
    assert shapely.is_valid(sent_m).all()
    kept = shapely.get_num_coordinates(sent_m).sum() / shapely.get_num_coordinates(orig_m).sum()
    # The bundled wards are already generalised: 20 m drops a few vertices, 50 m a third.
    assert kept < (0.99 if tolerance == 20 else 0.7)


# --------------------------------------------------------------------------- classes, legends


def test_class_breaks_by_hand() -> None:
    np.testing.assert_array_equal(maps.class_breaks(np.arange(1, 101), k=4), [25, 50, 75, 100])
    np.testing.assert_array_equal(
        maps.class_breaks(np.arange(0, 101), k=4, scheme="equal"), [25, 50, 75, 100]
    )
    ties = np.r_[np.ones(90), np.arange(2, 12)]
    np.testing.assert_array_equal(maps.class_breaks(ties, k=5), [1, 11])
    assert maps.class_breaks([], k=5).size == 0
    with pytest.raises(ValueError, match="NaN"):
        maps.class_breaks([1, np.nan])


def test_hex_layer_classes_colours_and_legend(cells) -> None:
    page = _map(maps.hex_layer(cells, legend_title="Crimes", k=5)).get_root().render()
    [(styles, data)] = _layers(page)
    shown = cells[cells["count"] > 0]
    breaks = maps.class_breaks(shown["count"], k=5)
    sent_class = np.array([f["properties"]["s"] for f in data["features"]])
    # Every cell's class is the first whose upper bound is >= its count.
    expected = np.array([int(np.argmax(breaks >= v)) for v in shown["count"]])
    np.testing.assert_array_equal(sent_class, expected)
    assert len(styles) == len(breaks) and len({s["fillColor"] for s in styles}) == len(breaks)
    assert "hotspots-legend" in page
    for label in ("Crimes", "1–3", "4–6", "Blank: 0"):
        assert label in page
    assert data["features"][0]["properties"]["t"] == f"Crimes: {shown['count'].iloc[0]}"


def test_fixed_breaks_keep_classes_across_maps(cells) -> None:
    page = _map(maps.hex_layer(cells, breaks=[2, 10, 50])).get_root().render()
    [(_, data)] = _layers(page)
    counts = cells.loc[cells["count"] > 0, "count"].to_numpy()
    sent = np.array([f["properties"]["s"] for f in data["features"]])
    np.testing.assert_array_equal(sent, np.minimum(np.searchsorted([2, 10, 50], counts), 2))
    assert f"11–{counts.max()}" in page  # the last class is open-ended


def test_gistar_layer_sends_only_significant_cells_in_arcgis_colours(gistar) -> None:
    page = _map(maps.gistar_layer(gistar)).get_root().render()
    [(styles, data)] = _layers(page)
    sig = gistar[gistar["gi_bin"] != 0]
    assert 0 < len(sig) < len(gistar)
    assert [f["id"] for f in data["features"]] == sig["cell"].tolist()
    colours = [styles[f["properties"]["s"]]["fillColor"] for f in data["features"]]
    assert colours == [maps.GI_COLOURS[b] for b in sig["gi_bin"]]
    first = data["features"][0]["properties"]["t"]
    assert first.startswith(("Hot", "Cold")) and f"z = {sig['gi_z'].iloc[0]:.2f}" in first
    for label in ("Hot 99%", "Cold 90%", "Blank: not significant"):
        assert label in page


def test_ward_choropleth_keeps_wards_without_a_value(wards) -> None:
    rated = wards.assign(rate=np.linspace(1.0, 25.0, len(wards)))
    rated.loc[3, "rate"] = np.nan
    page = (
        _map(maps.ward_layer(rated, value="rate", legend_title="Rate per 1,000"))
        .get_root()
        .render()
    )
    [(styles, data)] = _layers(page)
    assert len(data["features"]) == len(wards)  # nothing dropped
    no_data = data["features"][3]["properties"]
    assert styles[no_data["s"]]["fillColor"] == "#c8c8c8"
    assert "no data" in page and "Rate per 1,000: –" in no_data["t"]


def test_cluster_layer_popup_lists_the_profile() -> None:
    profiles = gpd.GeoDataFrame(
        {
            "cluster": [1, 2, 3],
            "n_incidents": [1234, 56, 12],
            "crime_mix": [["Violence 40%", "ASB 30%"], ["Burglary 80%"], ["Stalking 100%"]],
        },
        geometry=[shapely.box(-0.48, 51.74, -0.47, 51.75), shapely.Point(-0.46, 51.76), None],
        crs=4326,
    )
    page = _map(maps.cluster_layer(profiles)).get_root().render()
    [(_, data)] = _layers(page)
    assert len(data["features"]) == 2  # cluster 3 has no outline (only sensitive incidents)
    popup = data["features"][0]["properties"]["p"]
    assert "<th>n incidents</th><td>1,234</td>" in popup
    assert "<td>Violence 40%, ASB 30%</td>" in popup
    assert data["features"][1]["geometry"]["type"] == "Point"
    assert data["features"][0]["properties"]["t"] == "Cluster 1"
    assert "2 cluster outlines" in page and "1 without an outline (3)" in page


# --------------------------------------------------------------------------- escaping


def test_typed_text_is_escaped_everywhere(wards) -> None:
    named = wards.copy()
    named.loc[0, "WD13NM"] = frames.XSS
    points = named.head(2).copy()
    points["geometry"] = points.representative_point()
    points["note"] = [frames.XSS, "</script><script>alert(2)</script>"]
    m = maps.base_map(named, attribution=frames.XSS)
    maps.ward_layer(named).add_to(m)
    maps.points_layer(points, popup_cols=["note"], tooltip_col="WD13NM").add_to(m)
    maps.hex_layer(frames.dacorum_cells(8), legend_title=frames.XSS).add_to(m)
    page = maps.map_html(m)
    assert frames.XSS not in page
    assert "alert(2)</script>" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 4  # ward, point, legend, credit
    [(_, ward_data), (_, point_data), _] = _layers(page)
    assert (
        ward_data["features"][0]["properties"]["t"] == "<b>&lt;img src=x onerror=alert(1)&gt;</b>"
    )
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in point_data["features"][1]["properties"]["p"]


def test_points_layer_refuses_sensitive_incidents() -> None:
    points = gpd.GeoDataFrame(
        {"sensitive": [False, True], "crime_type": ["Burglary", "Stalking"]},
        geometry=gpd.points_from_xy([-0.47, -0.46], [51.75, 51.76]),
        crs=4326,
    )
    with pytest.raises(ValueError, match="never be shown as points"):
        maps.points_layer(points, popup_cols=["crime_type"])
    page = _map(maps.points_layer(points[~points["sensitive"]], popup_cols=["crime_type"]))
    [(_, data)] = _layers(page.get_root().render())
    assert len(data["features"]) == 1


# --------------------------------------------------------------------------- bad input


def test_bad_input_names_the_fix(cells, wards) -> None:
    with pytest.raises(ValueError, match="to_crs"):
        maps.base_map((500_000, 200_000, 510_000, 210_000))  # BNG metres, not degrees
    with pytest.raises(ValueError, match="set_crs"):
        maps.hex_layer(cells.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match=r"missing column\(s\) \['count'\]"):
        maps.hex_layer(cells.drop(columns="count"))
    holes = cells.astype({"count": float})
    holes.loc[holes.index[:2], "count"] = np.nan
    with pytest.raises(ValueError, match="2 value"):
        maps.hex_layer(holes)
    with pytest.raises(ValueError, match="no geometry"):
        maps.hex_layer(cells.assign(geometry=None).set_crs(4326))
    with pytest.raises(ValueError, match="-3 to 3"):
        maps.gistar_layer(cells.assign(gi_z=0.0, gi_bin=5))
    with pytest.raises(ValueError, match="name_col"):
        maps.ward_layer(wards.drop(columns="WD13NM"))
    with pytest.raises(ValueError, match="unknown colormap"):
        maps.hex_layer(cells, colormap="NotAColormap")
    with pytest.raises(ValueError, match="Point geometries"):
        maps.points_layer(wards, popup_cols=[])


def test_layers_accept_british_national_grid(cells) -> None:
    bng = cells.to_crs(27700)
    page = _map(maps.hex_layer(bng)).get_root().render()
    [(_, data)] = _layers(page)
    lon, lat = np.array(data["features"][0]["geometry"]["coordinates"][0]).mean(axis=0)
    assert -0.8 < lon < -0.3 and 51.6 < lat < 51.9  # drawn in Dacorum, not blank


def test_a_data_layer_renders_as_branca_would_without_compiling_its_features() -> None:
    """The GeoJSON layers skip branca's second Jinja pass over their (inert) script: the page
    is byte for byte what ``MacroElement.render`` makes, template-like text left as text."""
    import copy
    import re as regex

    from branca.element import MacroElement

    from hotspots.views.maps import _GeoJsonLayer, base_map, ward_layer

    wards = gpd.GeoDataFrame(
        {"area_name": ["{{ 7 * 7 }} Ward", "{% if 1 %}Two{% endif %}"]},
        geometry=[shapely.box(-0.5, 51.7, -0.45, 51.75), shapely.box(-0.45, 51.7, -0.4, 51.75)],
        crs="EPSG:4326",
    )
    layer = ward_layer(wards, name_col="area_name")
    pages = []
    for plain in (False, True):
        m = base_map(wards)
        copy.deepcopy(layer).add_to(m)
        if plain:  # branca's own render for every GeoJSON layer
            for element in m._children.values():
                for child in element._children.values():
                    if isinstance(child, _GeoJsonLayer):
                        child.render = lambda c=child, **kw: MacroElement.render(c, **kw)
        pages.append(regex.sub(r"_[0-9a-f]{32}", "_ID", m.get_root().render()))
    assert pages[0] == pages[1]
    assert "49 Ward" not in pages[0] and "\\u007b{ 7 * 7 }} Ward" in pages[0]


def _format_reference(column):
    """The display text as first written with pandas' ``map`` (slow on small tables)."""
    import html as html_lib

    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        out = column.map({True: "yes", False: "no"})
    elif pd.api.types.is_numeric_dtype(column):
        values = column.astype(float)
        integer = bool(np.all(values.dropna() == np.round(values.dropna())))
        out = values.map(lambda x: f"{x:,.0f}" if integer else f"{x:,.2f}", na_action="ignore")
    elif pd.api.types.is_datetime64_any_dtype(column):
        out = column.dt.strftime("%Y-%m-%d")
    else:
        out = column.map(
            lambda x: ", ".join(map(str, x)) if isinstance(x, list | tuple) else str(x),
            na_action="ignore",
        ).map(html_lib.escape, na_action="ignore")
    return out.astype(object).where(out.notna(), "–").astype(str)


def test_features_carry_ids_tooltips_and_popups_as_json() -> None:
    import json

    import pandas as pd

    from hotspots.views.maps import _features, _popup_table

    frame = pd.DataFrame(
        {"n_incidents": [1234, 5], "place": ['Quote "road", Ward', "Gîte {{7*7}} </script>"]},
        index=[10, 20],
    )
    popups = _popup_table(frame, ["n_incidents", "place"])
    assert popups.index.tolist() == [10, 20]
    assert popups[10] == (
        '<table class="hotspots-popup"><tr><th>n incidents</th><td>1,234</td></tr>'
        "<tr><th>place</th><td>Quote &quot;road&quot;, Ward</td></tr></table>"
    )
    geoms = np.array([shapely.Point(-0.47, 51.75), shapely.box(-0.48, 51.74, -0.47, 51.745)])
    tips = pd.Series(frame["place"].to_numpy(), index=[3, 4])  # positions, not labels, count
    text = _features(geoms, np.array([1, 0]), tips, popups=popups, ids=pd.Series(["a", "b"]))
    assert "</script>" not in text and "{{" not in text
    data = json.loads(text)
    assert [f["id"] for f in data["features"]] == ["a", "b"]
    assert [f["properties"]["s"] for f in data["features"]] == [1, 0]
    assert [f["properties"]["t"] for f in data["features"]] == frame["place"].tolist()
    assert [f["properties"]["p"] for f in data["features"]] == popups.tolist()
    assert data["features"][1]["geometry"]["type"] == "Polygon"
    bare = json.loads(_features(geoms[:1], np.array([0]), None))["features"][0]
    assert "id" not in bare and bare["properties"] == {"s": 0}


def test_display_text_of_every_kind_of_column_as_before() -> None:
    import pandas as pd

    from hotspots.views.maps import _format

    columns = [
        pd.Series([True, False, True]),
        pd.Series([True, None, False], dtype="boolean"),
        pd.Series([1, 2, 3_000_000]),
        pd.Series([1.5, np.nan, 2.0]),
        pd.Series([1.0, np.nan, 2.0]),
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([np.inf, 1.0]),
        pd.Series([0.123456, -1234.5]),
        pd.Series([], dtype=float),
        pd.Series(pd.to_datetime(["2021-01-05", None])),
        pd.Series(["<b>a</b>", None, "x & y"], dtype="string"),
        pd.Series([["a", "b"], ("c",), "d", None, np.nan], dtype=object),
        pd.Series([pd.Period("2021-01"), None]),
        pd.Series(["a", "b"], index=[5, 7], name="nm"),
        pd.Series(np.array([1, 2], dtype=np.uint8)),
    ]
    for column in columns:
        pd.testing.assert_series_equal(_format(column), _format_reference(column))


def test_to_hex_is_matplotlibs_without_importing_it_for_hex_strings() -> None:
    """``maps.to_hex`` gives matplotlib's answer; ``#rrggbb`` without loading matplotlib (the
    dashboard's first map never needs it)."""
    import random
    import subprocess
    import sys

    from matplotlib.colors import to_hex as matplotlib_hex

    from hotspots.views.maps import to_hex

    rng = random.Random(7)
    colours = [f"#{rng.randrange(1 << 24):06x}" for _ in range(500)]
    colours += [c.upper() for c in colours[:100]] + ["red", "#abc", (0.2, 0.4, 0.6), "C1"]
    assert [to_hex(c) for c in colours] == [matplotlib_hex(c) for c in colours]
    code = (
        "import sys\nfrom hotspots.views import maps\n"
        "maps.base_map((-0.75, 51.65, -0.35, 51.90))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_a_feature_without_geometry_is_refused_not_written_as_broken_json():
    """A layer's GeoJSON text never carries a bare ``None`` geometry (the browser would stop at
    the layer's script): the row is refused, saying why."""
    import shapely

    from hotspots.views.maps import _features

    geoms = np.array([shapely.box(0, 0, 1, 1), None], dtype=object)
    with pytest.raises(ValueError, match="needs a geometry"):
        _features(geoms, np.array([0, 0]), None)
    assert '"geometry":{' in _features(geoms[:1], np.array([0]), None)
