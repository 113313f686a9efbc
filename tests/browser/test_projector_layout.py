"""What a JAG sees first, measured in headless chromium (network cut off) at the sizes of a
laptop (1366×768) and a projector (1920×1080):

- the Map page at 1366×768 outside meeting mode shows the headline figures whole (the hot
  spots' "Next month's crime in the marked area", not cut to "Next month's crime in …") and
  at least 400 px of the map above the fold, its layer list folded into its button;
- the Patrol table at 1366×768 shows what an inspector needs first (rank, place, peak days,
  peak hours, dosage, incidents) without scrolling sideways;
- in meeting mode at 1920×1080 the Patrol map fits the localities (their numbered discs
  spread over the map, large enough to read), and the Map's place names are sized for a room
  (17 px or more), never overlapping one another nor cut by the map's edge.

Screenshots: ``test-output/projector_*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from hotspots.products.captions import HOT_SPOT_METRIC
from hotspots.products.patrol.table import FIRST_COLUMNS
from hotspots.views.dashboard.page_patrol import FIRST_WIDTHS_PX

from .conftest import REPO, screenshot, streamlit_app
from .test_meeting import _page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = REPO / "app.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT = 180_000
LAPTOP, PROJECTOR = (1366, 768), (1920, 1080)

_MAP_INSIDE = """() => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                width: r.width, height: r.height}; };
    const all = (q) => Array.from(document.querySelectorAll(q));
    const shown = (e) => getComputedStyle(e).visibility !== 'hidden';
    return {
        frame: box(document.querySelector('.leaflet-container')),
        labels: all('.hotspots-label-hot > span, .hotspots-label > span')
            .filter((e) => shown(e.parentNode))
            .map((e) => Object.assign(box(e), {text: e.textContent,
                                              px: parseFloat(getComputedStyle(e).fontSize)})),
        ranks: all('.hotspots-rank').map((e) => Object.assign(box(e), {text: e.textContent,
            px: parseFloat(getComputedStyle(e).fontSize)})),
        layers_open: all('.leaflet-control-layers-expanded').length,
    };
}"""


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOTSPOTS_TILES", "off")  # no street basemap: the network is cut off
        with streamlit_app(APP, timeout=120) as url:
            yield url


def _open(browser: Browser, size: tuple[int, int], url: str) -> tuple[Page, list[str]]:
    blocked: list[str] = []
    page = _page(browser, size, blocked)
    page.goto(url)
    return page, blocked


def _settled_map(page: Page, *, ranks: bool = False) -> dict:
    """The map's inside once it holds still (its tidying done, the view fitted)."""
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=TIMEOUT)
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".hotspots-rank" if ranks else ".hotspots-label").first).to_be_attached(
        timeout=TIMEOUT
    )
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    last: dict = {}
    for _ in range(20):
        page.wait_for_timeout(800)
        now = frame.locator("body").evaluate(_MAP_INSIDE)
        if now == last:
            return now
        last = now
    return last


def _hit(a: dict, b: dict, margin: float = 0.0) -> bool:
    return (
        a["left"] - margin < b["right"]
        and a["right"] + margin > b["left"]
        and a["top"] - margin < b["bottom"]
        and a["bottom"] + margin > b["top"]
    )


def test_a_laptop_sees_the_headline_and_the_map_without_scrolling(browser: Browser, app) -> None:
    height = LAPTOP[1]
    # with a filter on, as in a meeting ("Showing only: crime groups …" under the title)
    page, blocked = _open(browser, LAPTOP, f"{app}/map?groups=Anti-social+behaviour")
    inside = _settled_map(page)
    screenshot(page, "projector_map_1366")
    expect(page.get_by_text("Showing only:")).to_be_visible()
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box is not None
    assert height - box["y"] >= 400, box  # at least 400 px of the map above the fold
    label = page.locator('[data-testid="stMetric"]', has_text=HOT_SPOT_METRIC).locator(
        '[data-testid="stMetricLabel"]'
    )
    expect(label).to_have_text(HOT_SPOT_METRIC)
    whole = label.evaluate(
        "e => [...e.querySelectorAll('*')].every(d => d.scrollWidth <= d.clientWidth + 1)"
    )
    assert whole  # never "Next month's crime in …"
    value = page.locator('[data-testid="stMetric"]', has_text=HOT_SPOT_METRIC).locator(
        '[data-testid="stMetricValue"]'
    )
    figure = value.bounding_box()
    assert figure is not None and figure["y"] + figure["height"] <= box["y"] < height
    assert inside["layers_open"] == 0  # the layer list folded: it covers no hot spot
    page.context.close()
    assert blocked == []


def test_the_patrol_table_shows_what_an_inspector_needs_first(browser: Browser, app) -> None:
    page, blocked = _open(browser, LAPTOP, f"{app}/patrol")
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_attached(timeout=TIMEOUT)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "projector_patrol_table_1366")
    seen = grid.evaluate(
        """g => {
            const heads = [...g.querySelectorAll('[role="columnheader"]')]
                .sort((a, b) => a.getAttribute('aria-colindex') - b.getAttribute('aria-colindex'))
                .map(h => h.textContent);
            const sc = g.querySelector('.dvn-scroller');
            return {heads: heads, width: sc.clientWidth, left: sc.scrollLeft};
        }"""
    )
    # the grid draws the headings of the columns in view: the six come first, in order
    assert seen["heads"][: len(FIRST_COLUMNS)] == list(FIRST_COLUMNS), seen
    assert seen["left"] == 0
    assert sum(FIRST_WIDTHS_PX) <= seen["width"], seen  # all six inside, no sideways scroll
    page.context.close()
    assert blocked == []


def test_a_projector_reads_the_patrol_numbers_and_the_place_names(browser: Browser, app) -> None:
    page, blocked = _open(browser, PROJECTOR, f"{app}/patrol?meeting=1")
    patrol = _settled_map(page, ranks=True)
    screenshot(page, "projector_patrol_meeting_1920")
    frame, ranks = patrol["frame"], patrol["ranks"]
    assert len(ranks) >= 5
    for rank in ranks:  # each disc in view, large enough to read from the back of a room
        assert _hit(rank, frame) and rank["left"] >= frame["left"], rank
        assert rank["width"] >= 28 and rank["px"] >= 16, rank
    spread_x = max(r["right"] for r in ranks) - min(r["left"] for r in ranks)
    spread_y = max(r["bottom"] for r in ranks) - min(r["top"] for r in ranks)
    # fitted to the localities (the district around them for context), not the whole district
    assert spread_x >= 0.4 * frame["width"] or spread_y >= 0.4 * frame["height"], (
        spread_x,
        spread_y,
        frame,
    )

    page.goto(page.url.split("/patrol")[0] + "/map?meeting=1")
    names = _settled_map(page)
    screenshot(page, "projector_map_meeting_1920")
    labels, frame = names["labels"], names["frame"]
    assert len(labels) >= 5
    assert min(label["px"] for label in labels) >= 17, labels  # sized for a room
    touching = [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if _hit(a, b, margin=2)
    ]
    assert touching == []  # the lower-priority name of two that collide is hidden
    cut = [
        label["text"]
        for label in labels
        if label["left"] < frame["left"] or label["right"] > frame["right"]
        or label["top"] < frame["top"] or label["bottom"] > frame["bottom"]
    ]  # fmt: skip
    assert cut == []
    page.context.close()
    assert blocked == []
