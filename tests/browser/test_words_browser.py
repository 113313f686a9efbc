"""Words for a JAG, in headless chromium at projector size (1280×720), network cut off.

- VAWG: feedback points are navy rings drawn in their own pane above the crime cells; reasons
  read as labels; the store is named in plain words (no URL, no file path); a point just added
  is the one the action form offers.
- Areas: the ward table says significance in words in every row; the change map colours only
  significant changes and its legend says grey is "no significant change".
- Map: the cluster table is numbered 1, 2, ... by rank.

Screenshots: ``test-output/words_*_1280x720.png``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotspots import store
from hotspots.products import measures
from hotspots.views.dashboard.overlays import FEEDBACK_COLOUR
from hotspots.views.maps import POINTS_PANE

from .conftest import REPO, OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~1-2 min: server start, three pages

APP = REPO / "app.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT = 180_000  # ms; the first run loads the demo data
SIZE = {"width": 1280, "height": 720}
SERVER_TEXT = re.compile(r"sqlite|postgres|://|/work/|/home/|/srv/|/tmp/")

_ONE_POINT_FILLED_IN = """() => {
    const lat = document.querySelectorAll('input[aria-label="Latitude"]');
    const lon = document.querySelectorAll('input[aria-label="Longitude"]');
    return lat.length === 1 && lon.length === 1
        && /^5[01]\\.\\d{6}$/.test(lat[0].value) && /^-0\\.\\d{6}$/.test(lon[0].value);
}"""


_ZOOM_TO_FEEDBACK = """container => {
    // The Leaflet map of the frame, zoomed to the feedback points (for the screenshot).
    const map = Object.values(window).find(v => v instanceof L.Map);
    const points = [];
    map.eachLayer(l => {
        if (l instanceof L.CircleMarker && l.options.pane === "PANE") points.push(l.getLatLng());
    });
    map.fitBounds(L.latLngBounds(points).pad(0.3), {animate: false});
}""".replace("PANE", POINTS_PANE[0])


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    with streamlit_app(APP, timeout=120) as url:
        yield url


def _grid_text(page) -> str:
    """The text of every table's cells (Streamlit's grids keep an accessible copy)."""
    return " ".join(page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts())


def test_vawg_feedback_is_visible_labelled_and_preselected(app, offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.set_viewport_size(SIZE)
    page.goto(f"{app}/vawg")
    frame = page.frame_locator(MAP_IFRAME)
    container = frame.locator(".leaflet-container")
    container.wait_for(timeout=TIMEOUT)
    expect(page.get_by_text("Feedback points (24)")).to_be_visible(timeout=TIMEOUT)

    # Feedback: 24 navy rings in their own pane, above Leaflet's overlay pane (the cells).
    pane = frame.locator(f".leaflet-{POINTS_PANE[0]}-pane")
    markers = pane.locator("path")
    expect(markers).to_have_count(24, timeout=TIMEOUT)
    assert int(pane.evaluate("e => getComputedStyle(e).zIndex")) > 400
    overlay_z = frame.locator(".leaflet-overlay-pane").evaluate("e => getComputedStyle(e).zIndex")
    assert int(overlay_z) < POINTS_PANE[1]
    fills = {markers.nth(i).get_attribute("fill") for i in range(markers.count())}
    assert fills == {FEEDBACK_COLOUR}
    assert frame.locator(".leaflet-overlay-pane path").count() > 0  # the cells they sit on
    container.evaluate(_ZOOM_TO_FEEDBACK)
    page.wait_for_timeout(1500)  # the zoom animation
    container.scroll_into_view_if_needed()
    screenshot(page, "words_vawg_1280x720")

    # Words, not codes or server details.
    body = page.locator("body").inner_text()
    assert "Saved in this workspace's store" in body
    assert not SERVER_TEXT.search(body), SERVER_TEXT.search(body)
    cells = _grid_text(page)
    assert "Poor lighting" in cells or "No CCTV" in cells
    assert not re.search(r"\b(poor_lighting|no_cctv|groups_loitering)\b", cells)

    # A new point: the action form offers it, not another one.
    box = container.bounding_box()
    assert box is not None
    container.click(position={"x": box["width"] * 0.15, "y": box["height"] * 0.85})
    page.wait_for_function(_ONE_POINT_FILLED_IN, timeout=TIMEOUT)
    page.get_by_label("Reason", exact=True).click()
    page.get_by_role("option", name="Poor lighting").click()
    page.get_by_role("button", name="Save feedback point").click()
    saved = page.get_by_text(re.compile(r"Saved feedback point FB-[0-9a-f]+"))
    expect(saved).to_be_visible(timeout=TIMEOUT)
    new_id = re.search(r"FB-[0-9a-f]+", saved.inner_text()).group(0)
    chosen = page.get_by_role("combobox", name="Feedback point", exact=True)
    expect(chosen).to_have_value(re.compile(f"^{new_id} — Poor lighting"), timeout=TIMEOUT)
    expect(markers).to_have_count(25, timeout=TIMEOUT)
    chosen.scroll_into_view_if_needed()
    screenshot(page, "words_vawg_new_point_1280x720")


def test_areas_significance_in_words_and_a_map_of_significant_changes(
    app, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    page.set_viewport_size(SIZE)
    page.goto(f"{app}/areas")
    expect(page.get_by_text("Colour wards by")).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("Significant change vs previous period").click()
    expect(page.get_by_text("Only wards whose change is statistically significant")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=TIMEOUT)  # the rerun is over
    frame = page.frame_locator(MAP_IFRAME)
    legend = frame.locator(".hotspots-legend").filter(has_text="Significant change")
    expect(legend).to_contain_text("no significant change", timeout=TIMEOUT)
    expect(page.get_by_text("Only wards whose change is statistically significant")).to_be_visible()
    words = set(measures.SIGNIFICANCE_WORDS.values())
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    expect(grid.locator('[role="columnheader"]', has_text="vs previous")).to_have_count(
        1, timeout=TIMEOUT
    )  # the grid has drawn
    header = grid.locator('[role="columnheader"]').all_inner_texts()
    # the grid draws the columns in view: at 1280 px "vs previous" (AppTest checks both)
    columns = [header.index(h) for h in ("vs previous", "vs last year") if h in header]
    assert columns, header
    rows = grid.locator('[role="row"]:has([role="gridcell"])')
    assert rows.count() >= 8  # the rows drawn (the grid draws what is in view)
    for i in range(rows.count()):
        cells = rows.nth(i).locator('[role="gridcell"]').all_inner_texts()
        assert all(cells[c] in words for c in columns), cells  # words in every row, no blank
    screenshot(page, "words_areas_1280x720")


def test_map_clusters_are_numbered_by_rank(app, offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.set_viewport_size(SIZE)
    page.goto(f"{app}/map")
    heading = page.get_by_role("heading", name="Clusters")
    expect(heading).to_be_visible(timeout=TIMEOUT)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    expect(grid.locator('[role="columnheader"]', has_text="No.")).to_have_count(
        1, timeout=TIMEOUT
    )  # the grid has drawn
    header = grid.locator('[role="columnheader"]').all_inner_texts()
    assert header[:3] == ["No.", "Places", "Incidents"], header
    assert not [h for h in header if "_" in h]
    first = grid.locator('[role="row"]').nth(1).locator('[role="gridcell"]').all_inner_texts()
    assert first[0] == "1", first
    heading.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)  # the table under its heading, in view
    page.wait_for_timeout(500)
    screenshot(page, "words_map_clusters_1280x720")
