"""`streamlit run` + st_folium: the map draws with the network cut off, and redraws on a rerun."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import frames
from .conftest import OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~25 s: server start, first run

APP = Path(__file__).with_name("map_app.py")
RES = 8  # as in map_app.py


def test_streamlit_map_draws_offline(offline_page: OfflinePage) -> None:
    n_hexes = int((frames.dacorum_cells(RES)["count"] > 0).sum())
    n_hot_cold = int((frames.dacorum_gistar(RES)["gi_bin"] != 0).sum())
    page = offline_page.page
    with streamlit_app(APP) as url:
        page.goto(url)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator(".leaflet-container").wait_for(timeout=60_000)
        paths = frame.locator(".leaflet-overlay-pane svg path")
        paths.first.wait_for()
        assert paths.count() == n_hexes
        assert frame.locator(".leaflet-hotspots-areas-pane svg path").count() == 25
        assert "Crimes and ASB" in frame.locator(".hotspots-legend").inner_text()
        screenshot(page, "map_streamlit")

        # Zoom in, then switch layers: the layer is swapped inside the same map, which keeps
        # its zoom (st_folium's feature_group_to_add), and the legend follows the layer.
        # the legends placed first (beside a wide map, which then zooms to keep all in view)
        frame.locator(".hotspots-legend-dock[data-corner]").wait_for()
        page.wait_for_timeout(400)
        zoom = frame.locator("body").evaluate("() => window.map.getZoom()")
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)  # Leaflet's zoom animation
        page.get_by_text("Hot spots").click()
        frame.locator(".hotspots-legend", has_text="Gi* hot and cold spots").wait_for()
        assert frame.locator(".hotspots-legend").count() == 1
        assert frame.locator(".leaflet-overlay-pane svg path").count() == n_hot_cold
        assert frame.locator("body").evaluate("() => window.map.getZoom()") == zoom + 1
        assert page.locator('iframe[title="streamlit_folium.st_folium"]').count() == 1
        screenshot(page, "map_streamlit_gistar")

    assert offline_page.blocked == []
    assert offline_page.errors == []
