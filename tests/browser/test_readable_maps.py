"""Maps a room can read: the dashboard in headless chromium at projector sizes, network cut off.

At 1280×720 and 1920×1080, with a local tile server standing in for the street basemap:

- the Map page opens on the most likely hot spots, not the whole district, and no two place
  names on it overlap (hot spots' streets first: a ward name under one waits for a zoom);
- meeting mode folds the layer panel and the sidebar away and hides the developer menu; the
  map comes first, above the fold, larger than outside meeting mode, with its legends wholly
  on screen and off the map, the scale bar and the other controls;
- the legends stand beside a wide map (never over a cell), else where they cover the fewest
  cells; the Patrol map's rank discs never overlap (a crowded one moves aside, with a line back
  to its place).

Screenshots land in ``test-output/readable_*.png``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from tile_server import TileServer

from hotspots.views.dashboard.state import demo_dataset
from hotspots.views.maps import HOT_SPOT_DARK

from .conftest import OUTPUT, REPO, screenshot, streamlit_app
from .test_meeting import SIZES, _page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = REPO / "app.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT = 180_000

_LAYOUT = """(_, dark) => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    };
    const shown = (el) => getComputedStyle(el).visibility !== 'hidden';
    const all = (q) => Array.from(document.querySelectorAll(q));
    const frame = document.querySelector('.leaflet-container');
    const dock = document.querySelector('.hotspots-legend-dock');
    const view = window.map ? window.map.getBounds() : null;
    return {
        frame: box(frame),
        labels: all('.hotspots-label-hot > span, .hotspots-label > span')
            .filter((e) => shown(e.parentNode))
            .map((e) => Object.assign(box(e), {
                text: e.textContent, hot: e.parentNode.classList.contains('hotspots-label-hot'),
            })),
        hidden: all('.hotspots-label-hot, .hotspots-label').filter((e) => !shown(e)).length,
        ranks: all('.hotspots-rank').map((e) => Object.assign(box(e), {text: e.textContent})),
        legends: all('.hotspots-legend').map(box),
        dock: dock && dock.children.length ? box(dock) : null,
        corner: dock ? dock.getAttribute('data-corner') : null,
        controls: all('.leaflet-control').map((e) => Object.assign(box(e), {
            name: e.className,
        })),
        cells: all('.leaflet-overlay-pane path').map(box),
        darkest: all('.leaflet-overlay-pane path[fill="' + dark + '"]').map(box),
        layers_open: all('.leaflet-control-layers-expanded').length,
        view: view ? [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()] : null,
    };
}"""

_TIDIED = """() => {
    const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const d = f && f.contentDocument;
    const dock = d && d.querySelector('.hotspots-legend-dock');
    return !!dock && dock.children.length > 0 && !!dock.getAttribute('data-corner');
}"""


_TO_TOP = """() => document.querySelectorAll("*").forEach((e) => { e.scrollTop = 0; })"""


def _hit(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["left"] < b["right"]
        and a["right"] > b["left"]
        and a["top"] < b["bottom"]
        and a["bottom"] > b["top"]
    )


def _overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a.get("text", ""), b.get("text", ""))
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if _hit(a, b)
    ]


def _layout(page: Page) -> dict[str, Any]:
    """The map's layout once it holds still (a rerun may swap its layers in the meantime)."""
    last: dict[str, Any] = {}
    for _ in range(30):
        page.wait_for_function(_TIDIED, timeout=TIMEOUT)
        page.wait_for_timeout(600)  # the map's tidying runs 40 ms after the last change
        with contextlib.suppress(PlaywrightError):  # the frame was replaced while read
            now = page.frame_locator(MAP_IFRAME).locator("body").evaluate(_LAYOUT, HOT_SPOT_DARK)
            if last and _sizes(now) == _sizes(last):
                return now
            last = now
    return last


def _sizes(layout: dict[str, Any]) -> tuple[int, ...]:
    return tuple(len(layout[k]) for k in ("labels", "ranks", "legends", "cells", "darkest"))


def _wait_map(page: Page) -> FrameLocator:
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=TIMEOUT)
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".hotspots-label").first).to_be_attached(timeout=TIMEOUT)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    return frame


def _page_box(page: Page) -> dict[str, float]:
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box is not None
    return box


def _on_page(frame_box: dict[str, float], inner: dict[str, Any]) -> dict[str, float]:
    """A box inside the map's frame in page coordinates."""
    dx, dy = frame_box["x"], frame_box["y"]
    return {k: inner[k] + (dx if k in ("left", "right") else dy) for k in inner if k in
            ("left", "right", "top", "bottom")}  # fmt: skip


def _covered(cells: list[dict[str, Any]], legends: list[dict[str, Any]]) -> float:
    """Share of the drawn cells whose centre lies under a legend."""
    if not cells:
        return 0.0
    under = 0
    for c in cells:
        x, y = (c["left"] + c["right"]) / 2, (c["top"] + c["bottom"]) / 2
        under += any(g["left"] <= x <= g["right"] and g["top"] <= y <= g["bottom"] for g in legends)
    return under / len(cells)


def _check_readable(layout: dict[str, Any], what: str) -> None:
    """Names never overlap one another or a rank disc; rank discs never overlap."""
    assert _overlapping(layout["labels"]) == [], what
    assert _overlapping(layout["ranks"]) == [], what
    assert not [
        (label["text"], rank["text"])
        for label in layout["labels"]
        for rank in layout["ranks"]
        if _hit(label, rank)
    ], what
    frame = layout["frame"]
    dock = layout["dock"]
    assert dock is not None, what
    if layout["corner"] == "beside":  # a wide map: the legends beside it, not on it
        assert dock["left"] >= frame["right"], (what, dock, frame)
        assert dock["top"] >= frame["top"] and dock["bottom"] <= frame["bottom"], (what, dock)
        return
    assert dock["left"] >= frame["left"] and dock["right"] <= frame["right"], (what, dock)
    assert dock["top"] >= frame["top"] and dock["bottom"] <= frame["bottom"], (what, dock)
    others = [c for c in layout["controls"] if "hotspots-legend" not in c["name"]]
    assert not [c["name"] for c in others if _hit(dock, c)], what  # scale, zoom, layers, credit


@pytest.mark.parametrize("size", list(SIZES))
def test_maps_a_room_can_read(browser: Browser, tiles: TileServer, size: str) -> None:
    height = SIZES[size][1]
    blocked: list[str] = []
    page = _page(browser, SIZES[size], blocked)
    demo = demo_dataset()
    district = demo.wards.to_crs("EPSG:4326").total_bounds
    with streamlit_app(APP, timeout=120) as url:
        # The Map page opens on the hot spots, with no two names overlapping.
        page.goto(f"{url}/map")
        darkest = f'.leaflet-overlay-pane path[fill="{HOT_SPOT_DARK}"]'
        expect(_wait_map(page).locator(darkest).first).to_be_attached(timeout=TIMEOUT)
        normal = _layout(page)
        west, south, east, north = normal["view"]
        assert (east - west) * (north - south) < 0.5 * (district[2] - district[0]) * (
            district[3] - district[1]
        ), normal["view"]
        _check_readable(normal, f"map {size}")
        inside = [c for c in normal["darkest"] if _hit(c, normal["frame"])]
        assert normal["darkest"] and len(inside) >= 0.8 * len(normal["darkest"])  # in view
        hot = [label for label in normal["labels"] if label["hot"]]
        assert len(hot) >= 3, normal["labels"]  # the hot spots' streets show, ward names yield
        assert normal["layers_open"] == 0  # the layer list folded: it covers no hot spot
        normal_box = _page_box(page)
        screenshot(page, f"readable_map_{size}")
        page.locator(MAP_IFRAME).screenshot(path=str(OUTPUT / f"readable_map_only_{size}.png"))
        page.evaluate(_TO_TOP)  # as a page opens (the map's picture scrolled it)

        # Meeting mode: panel and sidebar folded, no developer menu, the map first and larger.
        page.locator('[data-testid="stSidebar"]').get_by_text("Meeting mode").click()
        page.wait_for_url("**meeting=1*", timeout=TIMEOUT)
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
            "data-collapsed", "true", timeout=TIMEOUT
        )
        expect(page.locator('[data-testid="stMainMenu"]')).to_have_count(0)
        page.wait_for_timeout(1500)  # the map fits the screen once the sidebar has folded
        meeting = _layout(page)
        box = _page_box(page)
        assert meeting["layers_open"] == 0
        assert 0 <= box["y"] < 0.4 * height, box
        visible = min(box["y"] + box["height"], height) - box["y"]
        assert visible >= 0.6 * box["height"], box  # the map above the fold
        assert box["width"] * box["height"] > 1.2 * normal_box["width"] * normal_box["height"]
        assert box["height"] >= normal_box["height"] - 1, (box, normal_box)
        _check_readable(meeting, f"meeting map {size}")
        dock = _on_page(box, meeting["dock"])
        assert dock["top"] >= 0 and dock["bottom"] <= height, dock  # the legends on screen
        screenshot(page, f"readable_map_meeting_{size}")

        # Zoomed in, names still never overlap.
        page.frame_locator(MAP_IFRAME).locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(800)
        _check_readable(_layout(page), f"zoomed meeting map {size}")
        screenshot(page, f"readable_map_meeting_zoomed_{size}")

        # The sidebar's arrow brings the sidebar back, to leave meeting mode.
        expect(page.locator('[data-testid="stExpandSidebarButton"]')).to_be_visible()

        # Patrol: rank discs apart, each the same number as before.
        page.goto(f"{url}/patrol?meeting=1")
        _wait_map(page)
        expect(page.frame_locator(MAP_IFRAME).locator(".hotspots-rank").first).to_be_attached(
            timeout=TIMEOUT
        )
        patrol = _layout(page)
        assert sorted(int(r["text"]) for r in patrol["ranks"]) == list(
            range(1, len(patrol["ranks"]) + 1)
        )
        _check_readable(patrol, f"patrol {size}")
        screenshot(page, f"readable_patrol_meeting_{size}")

        # VAWG: the legends on screen, over few cells, no more than in the old bottom-right corner.
        page.goto(f"{url}/vawg")
        _wait_map(page)
        vawg = _layout(page)
        _check_readable(vawg, f"vawg {size}")
        share = _covered(vawg["cells"], vawg["legends"])
        frame = vawg["frame"]
        w = vawg["dock"]["right"] - vawg["dock"]["left"]
        h = vawg["dock"]["bottom"] - vawg["dock"]["top"]
        old = {
            "left": frame["right"] - 10 - w,
            "right": frame["right"] - 10,
            "top": frame["bottom"] - 30 - h,
            "bottom": frame["bottom"] - 30,
        }
        assert share <= _covered(vawg["cells"], [old]), (share, vawg["corner"])
        assert share < 0.10, (share, vawg["corner"])  # on screen first, then fewest cells
        print(f"VAWG {size}: legends {vawg['corner']}, over {share:.1%} of the cells")
        screenshot(page, f"readable_vawg_{size}")
    page.context.close()
    assert blocked == []
