"""The exported standalone map draws in a real browser with the network cut off."""

from __future__ import annotations

import folium
import geopandas as gpd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from tile_server import TileServer

from hotspots.analysis.analyse import Analysis, analyse
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.views import maps
from hotspots.views.analysis_map import HOT_SPOTS, analysis_map
from hotspots.views.maps import HOT_SPOT_DARK
from hotspots.views.outputs import write_analysis

from . import frames
from .conftest import OfflinePage, screenshot
from .test_readable_maps import _LAYOUT, _check_readable

pytestmark = pytest.mark.browser


def _open(offline: OfflinePage, static_server: tuple[str, str], m: folium.Map, name: str) -> None:
    base_url, folder = static_server
    (folder / f"{name}.html").write_text(maps.map_html(m), encoding="utf-8")
    offline.page.goto(f"{base_url}/{name}.html")
    offline.page.wait_for_selector(".leaflet-container")


def test_standalone_map_draws_offline(offline_page: OfflinePage, static_server) -> None:
    cells = frames.dacorum_cells(9)
    wards = frames.dacorum_wards()
    m = maps.base_map(wards)
    maps.ward_layer(wards).add_to(m)
    maps.hex_layer(cells, legend_title="Crimes and ASB, 2021-01 to 2022-01").add_to(m)
    folium.LayerControl().add_to(m)
    _open(offline_page, static_server, m, "standalone")
    page = offline_page.page

    hexes = page.locator(".leaflet-overlay-pane svg path")
    hexes.first.wait_for()
    assert hexes.count() == int((cells["count"] > 0).sum())
    assert page.locator(".leaflet-hotspots-areas-pane svg path").count() == len(wards)
    legend = page.locator(".hotspots-legend")
    assert legend.is_visible()
    assert "Crimes and ASB, 2021-01 to 2022-01" in legend.inner_text()
    assert "1–3" in legend.inner_text()  # first quantile class of the real counts
    screenshot(page, "map_standalone")

    # Switching the layer off in the layer control hides its paths and its legend.
    label = page.locator(".leaflet-control-layers-overlays label", has_text="Crimes and ASB")
    # the layer's box clicked as the list's own input handles it: a pointer over the folded
    # list opens it only while it stays there (the click's scrolling moved it away 1 run in 3)
    label.locator("input").evaluate("box => box.click()")
    assert page.locator(".leaflet-overlay-pane svg path").count() == 0
    assert page.locator(".hotspots-legend").count() == 0

    assert offline_page.blocked == []
    assert offline_page.errors == []


def test_tiles_fail_and_the_data_still_draws(
    offline_page: OfflinePage, static_server, monkeypatch
) -> None:
    monkeypatch.delenv(maps.TILES_ENV)  # the default basemap, OpenStreetMap, out of reach
    gistar = frames.dacorum_gistar(9)
    m = maps.base_map(gistar, tiles=True)
    maps.gistar_layer(gistar).add_to(m)
    _open(offline_page, static_server, m, "tiles")
    page = offline_page.page

    paths = page.locator(".leaflet-overlay-pane svg path")
    paths.first.wait_for()
    assert paths.count() == int((gistar["gi_bin"] != 0).sum())
    assert "Hot 99%" in page.locator(".hotspots-legend").inner_text()
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    )
    assert background == "rgb(238, 237, 233)"  # maps.BACKGROUND, under the missing tiles
    page.wait_for_timeout(300)
    hosts = {url.split("/")[2] for url in offline_page.blocked}
    assert hosts == {"tile.openstreetmap.org"}  # tiles only: no script or style from outside
    assert page.locator(".hotspots-basemap-off").inner_text() == maps.BASEMAP_OFF_NOTE
    assert "OpenStreetMap" not in page.locator(".leaflet-control-attribution").inner_text()
    screenshot(page, "map_tiles_blocked")


def test_typed_text_shows_as_text(offline_page: OfflinePage, static_server) -> None:
    wards = frames.dacorum_wards().copy()
    wards.loc[0, "WD13NM"] = frames.XSS
    points = wards.head(3).copy()
    points["geometry"] = points.representative_point()
    points["note"] = [frames.XSS, "Poor lighting & no CCTV", "fine"]
    m = maps.base_map(wards)
    maps.ward_layer(wards).add_to(m)
    maps.points_layer(points, popup_cols=["WD13NM", "note"], tooltip_col="note").add_to(m)
    _open(offline_page, static_server, m, "escaping")
    page = offline_page.page
    page.locator(".leaflet-overlay-pane svg path").first.wait_for()

    # Hover inside the renamed ward: its tooltip shows the typed text literally.
    inside = wards.geometry.iloc[0].representative_point()
    xy = page.evaluate(f"{m.get_name()}.latLngToContainerPoint([{inside.y}, {inside.x}])")
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert frames.XSS in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0

    # A marker's popup: both typed values are text, the ampersand survives.
    page.locator(".leaflet-overlay-pane svg path").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert frames.XSS in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.locator(".leaflet-overlay-pane svg path").nth(1).click()
    page.locator(".leaflet-popup-content", has_text="Poor lighting & no CCTV").wait_for()

    assert page.locator(".leaflet-container img").count() == 0
    assert offline_page.dialogs == []  # no alert(1) ran
    assert offline_page.blocked == []


def test_hovering_a_hot_cell_names_its_street_and_ward(
    offline_page: OfflinePage, static_server
) -> None:
    incidents = read_policeuk(datasets.demo_path("policeuk"), study_area=datasets.DACORUM)
    result = analyse(incidents.incidents, study_area=datasets.DACORUM)
    wards = frames.dacorum_wards().rename(columns={"WD13NM": "area_name"})
    shown = analysis_map(result, wards=wards, show=(HOT_SPOTS,))
    _open(offline_page, static_server, shown, "named")
    page = offline_page.page
    paths = page.locator(".leaflet-overlay-pane svg path")
    paths.first.wait_for()
    tooltip = page.locator(".leaflet-tooltip")
    for i in range(min(20, paths.count())):  # a cell the layer panel or a label does not cover
        paths.nth(i).hover(force=True)  # a forecast hot spot cell, hovered like a mouse would
        try:
            tooltip.first.wait_for(timeout=1500)
            break
        except PlaywrightTimeout:
            continue
    tooltip.first.wait_for(timeout=5000)
    first_line, rest = tooltip.first.inner_text().split("\n", 1)
    assert first_line in set(result.cells["place"])  # "Street, Ward", then the figures
    assert ", " in first_line and "Hot spot: rank" in rest
    labels = page.locator(".hotspots-label-hot")
    assert labels.count() >= 1  # the hot spots' streets written on the map
    screenshot(page, "map_named_tooltip")
    assert offline_page.errors == []


@pytest.fixture(scope="module")
def dacorum() -> tuple[Analysis, gpd.GeoDataFrame]:
    incidents = read_policeuk(datasets.demo_path("policeuk"), study_area=datasets.DACORUM)
    result = analyse(incidents.incidents, study_area=datasets.DACORUM)
    return result, frames.dacorum_wards().rename(columns={"WD13NM": "area_name"})


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_the_analyse_map_credits_a_street_map_only_when_it_draws(
    offline_page: OfflinePage, static_server, monkeypatch, dacorum, size
) -> None:
    result, wards = dacorum
    base_url, folder = static_server
    page = offline_page.page
    page.set_viewport_size({"width": size[0], "height": size[1]})

    # OpenStreetMap out of reach: the map says its basemap is off and credits no street map.
    monkeypatch.delenv(maps.TILES_ENV)
    write_analysis(result, folder / "off", wards=wards)
    page.goto(f"{base_url}/off/map.html")
    expect(page.locator(".hotspots-basemap-off")).to_have_text(maps.BASEMAP_OFF_NOTE)
    assert {url.split("/")[2] for url in offline_page.blocked} == {"tile.openstreetmap.org"}
    assert "OpenStreetMap" not in page.locator(".leaflet-control-attribution").inner_text()
    _check_readable(_layout(page), f"standalone {size}")
    screenshot(page, f"readable_standalone_off_{size[0]}")

    # Tiles served: drawn, and credited.
    server = TileServer()
    try:
        monkeypatch.setenv(maps.TILES_ENV, server.url)
        monkeypatch.setenv(maps.TILES_ATTRIBUTION_ENV, "Test tiles")
        write_analysis(result, folder / "on", wards=wards)
        page.goto(f"{base_url}/on/map.html")
        expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("Test tiles")
        assert page.locator(".hotspots-basemap-off").count() == 0
        _check_readable(_layout(page), f"standalone with tiles {size}")
        screenshot(page, f"readable_standalone_tiles_{size[0]}")
    finally:
        server.stop()
    assert offline_page.errors == []


def _layout(page) -> dict:
    page.wait_for_function(
        "() => !!document.querySelector('.hotspots-legend-dock[data-corner]')", timeout=30_000
    )
    page.wait_for_timeout(300)
    return page.locator("body").evaluate(_LAYOUT, HOT_SPOT_DARK)
