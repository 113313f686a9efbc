"""The VAWG page in headless chromium, network cut off: a click on the map places a feedback
point, the form saves it (its comment an HTML injection), and after a reload it is listed —
as text, with no script run (no JavaScript dialog)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotspots import store
from hotspots.views.dashboard.store import seed_demo

from .conftest import REPO, OfflinePage, screenshot, streamlit_app
from .frames import XSS

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~30 s: server start, demo data, store

APP = REPO / "app.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT = 120_000  # ms; the first run loads the demo data

_ONE_POINT_FILLED_IN = """() => {
    // While the page reruns the old form may linger beside the new one: wait for one form.
    const lat = document.querySelectorAll('input[aria-label="Latitude"]');
    const lon = document.querySelectorAll('input[aria-label="Longitude"]');
    return lat.length === 1 && lon.length === 1
        && /^5[01]\\.\\d{6}$/.test(lat[0].value) && /^-0\\.\\d{6}$/.test(lon[0].value);
}"""


_FREE_SPOT = """() => {
    const map = document.querySelector(".leaflet-container").getBoundingClientRect();
    const taken = Array.from(document.querySelectorAll(".hotspots-legend-dock, .leaflet-control"))
        .map((e) => e.getBoundingClientRect());
    for (const [fx, fy] of [[0.12, 0.88], [0.88, 0.88], [0.12, 0.5], [0.5, 0.15], [0.5, 0.5]]) {
        const x = map.width * fx, y = map.height * fy;
        const px = map.left + x, py = map.top + y;
        if (!taken.some((r) => px >= r.left && px <= r.right && py >= r.top && py <= r.bottom)) {
            return [x, y];
        }
    }
    return [map.width / 2, map.height / 2];
}"""


def test_feedback_point_added_on_the_map_is_listed_after_a_reload(
    offline_page: OfflinePage, tmp_path, monkeypatch
) -> None:
    db = tmp_path / "store.sqlite"
    monkeypatch.setenv(store.DB_PATH_ENV, str(db))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    page = offline_page.page
    with streamlit_app(APP, timeout=120) as url:
        page.goto(f"{url}/vawg")
        frame = page.frame_locator(MAP_IFRAME)
        container = frame.locator(".leaflet-container")
        container.wait_for(timeout=TIMEOUT)
        expect(page.get_by_text("Feedback points (24)")).to_be_visible(timeout=TIMEOUT)

        # A click on the map fills in the new point's coordinates (a spot of the map itself, not
        # a legend or a control: the legends go where they cover the fewest cells).
        expect(frame.locator(".hotspots-legend-dock[data-corner]")).to_be_attached(timeout=TIMEOUT)
        page.wait_for_timeout(500)
        x, y = frame.locator("body").evaluate(_FREE_SPOT)
        container.click(position={"x": x, "y": y})
        page.wait_for_function(_ONE_POINT_FILLED_IN, timeout=TIMEOUT)
        lat = float(page.get_by_label("Latitude").input_value())
        lon = float(page.get_by_label("Longitude").input_value())

        page.get_by_label("Reason", exact=True).click()
        page.get_by_role("option", name="No CCTV").click()
        page.get_by_label("What was said (no names)").fill(XSS)
        page.get_by_role("button", name="Save feedback point").click()
        expect(page.get_by_text(re.compile(r"Saved feedback point FB-"))).to_be_visible(
            timeout=TIMEOUT
        )
        screenshot(page, "vawg_saved")

        page.reload()
        expect(page.get_by_text("Feedback points (25)")).to_be_visible(timeout=TIMEOUT)
        grid = page.get_by_test_id("stDataFrame").first
        cell = grid.locator('td[role="gridcell"]', has_text=XSS)  # the newest point: row 1
        expect(cell).to_have_count(1, timeout=TIMEOUT)
        assert cell.text_content() == XSS
        assert page.locator('img[src="x"]').count() == 0
        assert page.frame_locator(MAP_IFRAME).locator('img[src="x"]').count() == 0
        screenshot(page, "vawg_listed")

    engine = store.open_store(f"sqlite:///{db}")
    saved = store.list_feedback(engine)
    assert seed_demo(engine) == {}  # the demo was seeded once, by the app
    new = saved[saved["comment"] == XSS]
    assert len(new) == 1 and len(saved) == 25
    assert new["reason"].item() == "no_cctv"
    assert (new["lat"].item(), new["lon"].item()) == pytest.approx((lat, lon), abs=1e-6)
    engine.dispose()
    assert offline_page.dialogs == []
    assert offline_page.errors == []
    assert offline_page.blocked == []
