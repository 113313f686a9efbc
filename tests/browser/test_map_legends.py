"""A map's legends stand beside it on a projector, never over the hot spots or the study area.

A standalone map of Dacorum (every ward, the hexagon counts, the cluster outlines and their two
legends) opens in headless chromium at 1366×768 and 1920×1080, network cut off: no drawn cell
lies under a legend, the whole district is still in view, and the legends are wholly on screen.
On a narrow map (a phone) the legends stay in the map's emptiest corner.
Screenshots: ``test-output/legends_beside_*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

from hotspots.views import maps

from . import frames
from .conftest import OfflinePage, screenshot

pytestmark = pytest.mark.browser

_LAYOUT = """(name) => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    };
    const view = window[name].getBounds();
    return {
        frame: box(document.querySelector('.leaflet-container')),
        legends: Array.from(document.querySelectorAll('.hotspots-legend')).map(box),
        cells: Array.from(document.querySelectorAll('.leaflet-overlay-pane path')).map(box),
        corner: document.querySelector('.hotspots-legend-dock').getAttribute('data-corner'),
        view: [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()],
    };
}"""


def _hit(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and a["right"] > b["left"]
        and a["top"] < b["bottom"]
        and a["bottom"] > b["top"]
    )


def _open(offline: OfflinePage, static_server: tuple[str, Any], size: tuple[int, int]) -> dict:
    """The map's layout once its legends have settled."""
    cells = frames.dacorum_cells(9)
    wards = frames.dacorum_wards()
    m = maps.base_map(wards)
    maps.ward_layer(wards).add_to(m)
    maps.hex_layer(cells, legend_title="Crimes and ASB, Jan 2021 to Jan 2022").add_to(m)
    busiest = cells.nlargest(4, "count")[["cell", "count", "geometry"]]
    maps.cluster_layer(busiest.rename(columns={"cell": "cluster"}), name="Clusters").add_to(m)
    base_url, folder = static_server
    (folder / "legends.html").write_text(maps.map_html(m), encoding="utf-8")
    page = offline.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{base_url}/legends.html")
    page.locator(".hotspots-legend").first.wait_for()
    page.wait_for_timeout(3000)  # the map's tidying runs again at 0.3, 1 and 2.5 s
    return page.evaluate(_LAYOUT, m.get_name())


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1080p"])
def test_legends_stand_beside_a_wide_map(
    offline_page: OfflinePage, static_server, size: tuple[int, int]
) -> None:
    layout = _open(offline_page, static_server, size)
    screenshot(offline_page.page, f"legends_beside_{size[0]}")
    assert len(layout["legends"]) == 2
    assert layout["corner"] == "beside"
    frame = layout["frame"]
    for legend in layout["legends"]:
        assert not _hit(legend, frame), (legend, frame)  # beside the map, not on it
        assert legend["right"] <= size[0] and legend["bottom"] <= size[1], legend  # on screen
        under = [c for c in layout["cells"] if _hit(c, legend)]
        assert under == [], f"{len(under)} drawn cells under a legend"
    west, south, east, north = frames.dacorum_wards().total_bounds
    v_west, v_south, v_east, v_north = layout["view"]
    assert v_west <= west and v_south <= south and v_east >= east and v_north >= north, (
        layout["view"]  # the whole district still in view
    )
    assert offline_page.errors == []
    assert offline_page.blocked == []


def test_a_narrow_map_keeps_its_legends_in_a_corner(
    offline_page: OfflinePage, static_server
) -> None:
    layout = _open(offline_page, static_server, (480, 800))
    screenshot(offline_page.page, "legends_beside_narrow")
    assert layout["corner"] != "beside"
    frame = layout["frame"]
    for legend in layout["legends"]:
        assert legend["left"] >= frame["left"] and legend["right"] <= frame["right"], legend
    assert offline_page.errors == []
