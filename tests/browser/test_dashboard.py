"""The whole dashboard (`streamlit run app.py`) in headless chromium with the network cut off.

The Map page must draw the hotspot layers (the forecast hot spots by default, with their
backtest) and their legends offline, follow a sidebar filter,
switch to meeting mode (large type, larger legends inside the map, fewer layers) and hand out
the exports (meeting pack HTML and PDF, map PNG, standalone map HTML). Expected numbers come from
:func:`hotspots.analysis.analyse.analyse` run here on the same selection of the demo data.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Download, FrameLocator, Page, expect

from hotspots.analysis.analyse import analyse
from hotspots.core.disclosure import countable
from hotspots.data.select import Selection, select
from hotspots.products.captions import HOT_SPOT_METRIC
from hotspots.views.dashboard.state import demo_dataset

from .conftest import REPO, OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~60 s: server start, analyses, exports

APP = REPO / "app.py"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
GROUP = "Anti-social behaviour"
TIMEOUT = 180_000  # ms; the first run loads the demo data and imports the stack


@dataclass(frozen=True)
class Expected:
    """What the Map page should show for one selection (default tuning)."""

    incidents: int
    hot_cells: int
    hot_spots: int
    held: str
    clusters: int
    count_cells: int
    gi_cells: int
    outlines: int
    max_count: int
    top_cluster: int

    def paths(self, legends: list[str]) -> int:
        """SVG paths in the overlay pane, given which layers' legends are on the map."""
        on = " ".join(legends)
        return (
            self.count_cells * ("Incidents per hexagon" in on)
            + self.gi_cells * ("Statistically significant clusters of high counts" in on)
            + self.hot_spots * ("Hot spots: the 5 % of the area" in on)
            + self.outlines * ("cluster outlines" in on)
        )


def _expected(groups: tuple[str, ...] = ()) -> Expected:
    ds = demo_dataset()
    months = sorted(ds.incidents["month"].dropna().unique())
    sel = Selection(
        start=months[0],
        end=months[-1],
        sources=tuple(sorted(ds.incidents["source"].dropna().unique())),
        categories=groups,
    )
    incidents = select(ds.incidents, sel)
    result = analyse(incidents, study_area=ds.wards)
    cells, profiles = result.cells, result.profiles
    return Expected(
        incidents=len(countable(incidents)),
        hot_cells=int((cells["gi_bin"] > 0).sum()),
        hot_spots=int(cells["hot_spot"].sum()),
        held=f"{100 * result.forecast.figures['hit_rate']:.0f} %",
        clusters=int(result.params["clusters"]["n_clusters"]),
        count_cells=int((cells["count"] > 0).sum()),
        gi_cells=int((cells["gi_bin"] != 0).sum()),
        outlines=int((~(profiles.geometry.isna() | profiles.geometry.is_empty)).sum()),
        max_count=int(cells["count"].max()),
        top_cluster=int(profiles["n_incidents"].max()),
    )


def _metric(page: Page, label: str):
    return page.locator('[data-testid="stMetric"]', has_text=label).locator(
        '[data-testid="stMetricValue"]'
    )


def _check_map(page: Page, frame: FrameLocator, want: Expected) -> list[str]:
    """Metrics, legends and drawn paths agree with ``want``; returns the legends' text."""
    expect(_metric(page, "Incidents")).to_have_text(f"{want.incidents:,}", timeout=TIMEOUT)
    expect(_metric(page, "High-count cells")).to_have_text(str(want.hot_cells))
    expect(_metric(page, HOT_SPOT_METRIC)).to_have_text(want.held)
    expect(_metric(page, "Clusters")).to_have_text(str(want.clusters))
    legend = frame.locator(".hotspots-legend")
    # the hot spots (the forecast) are on by default, with their backtest in the legend
    hot = legend.filter(has_text="Hot spots: the 5 % of the area")
    expect(hot).to_have_count(1, timeout=TIMEOUT)
    expect(hot).to_contain_text(f"held {want.held} of the next month's crime")
    expect(legend.filter(has_text=f"{want.outlines} cluster outlines")).to_have_count(1)
    legends = legend.all_inner_texts()
    counts = [text for text in legends if "Incidents per hexagon" in text]
    for text in counts:  # the top class ends at the busiest cell's count
        assert re.search(rf"–{want.max_count:,}\n", text), text
    paths = frame.locator(".leaflet-overlay-pane svg path")
    expect(paths).to_have_count(want.paths(legends), timeout=TIMEOUT)
    expect(frame.locator(".leaflet-hotspots-areas-pane svg path")).to_have_count(25)  # wards
    return legends


_FONT_SIZE = "e => parseFloat(getComputedStyle(e).fontSize)"

_ONE_MAP_WITH_LARGE_LEGENDS = f"""() => {{
    const maps = document.querySelectorAll('{MAP_IFRAME}');
    if (maps.length !== 1) return false;  // the old map may linger while the page reruns
    const div = maps[0].contentDocument?.querySelector('.hotspots-legend > div');
    return !!div && maps[0].contentWindow.getComputedStyle(div).fontSize === '19px';
}}"""


def _sized(page: Page) -> dict:
    return {
        "heading": page.locator("h1").first,
        "metric": _metric(page, "Incidents"),
    }


def _font_px(locator) -> float:
    return float(locator.evaluate(_FONT_SIZE))


def _download(page: Page, button: str) -> tuple[Download, bytes]:
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name=button).click()
    download = info.value
    return download, Path(download.path()).read_bytes()


def test_dashboard_offline_filters_meeting_mode_and_exports(offline_page: OfflinePage) -> None:
    everything, asb = _expected(), _expected((GROUP,))
    assert asb.incidents < everything.incidents
    page = offline_page.page
    # started as `make dashboard` starts it (the Map page's modules imported ahead)
    with streamlit_app(APP, timeout=120, launcher="hotspots.views.dashboard.serve") as url:
        page.goto(url)
        frame = page.frame_locator(MAP_IFRAME)
        frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT)
        before = _check_map(page, frame, everything)

        # A sidebar filter: the numbers, the paths and the count classes follow it.
        box = page.locator('[data-testid="stSidebar"]').get_by_label("Crime groups")
        box.click()
        box.fill(GROUP)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        after = _check_map(page, frame, asb)
        assert after != before
        assert page.locator(MAP_IFRAME).count() == 1  # the same map, layers swapped in place
        screenshot(page, "dashboard_map")

        # Meeting mode: larger type outside and inside the map, no tuning, fewer layers.
        normal = {name: _font_px(loc) for name, loc in _sized(page).items()}
        legend_px = frame.locator(".hotspots-legend > div").first.evaluate(_FONT_SIZE)
        assert legend_px == 13
        page.set_viewport_size({"width": 1920, "height": 1080})  # a projector
        page.locator('[data-testid="stSidebar"]').get_by_text("Meeting mode").click()
        page.wait_for_function(_ONE_MAP_WITH_LARGE_LEGENDS, timeout=TIMEOUT)
        meeting = page.frame_locator(MAP_IFRAME)
        expect(page.get_by_text("Tuning (analysts)")).to_have_count(0)
        large = {name: _font_px(loc) for name, loc in _sized(page).items()}
        assert large["heading"] > normal["heading"]
        assert large["metric"] >= 1.4 * normal["metric"]
        legends = _check_map(page, meeting, asb)
        assert not any("Incidents per hexagon" in text for text in legends)
        screenshot(page, "dashboard_meeting")
        page.set_viewport_size({"width": 1366, "height": 768})  # a smaller projector: every
        labels = page.locator('[data-testid="stMetricLabel"] div')  # metric's label whole,
        cut = labels.evaluate_all("ds => ds.filter(d => d.scrollWidth > d.clientWidth + 1)")
        assert labels.count() >= 5 and not cut  # none cut short with "…"
        page.set_viewport_size({"width": 1920, "height": 1080})

        # Exports, built on click by the server.
        download, pack = _download(page, "Meeting pack (HTML)")
        assert download.suggested_filename == "meeting_pack.html"
        text = pack.decode("utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert f"<dd>{GROUP}</dd>" in text and 'src="data:image/png;base64,' in text
        assert f"<td>{asb.top_cluster:,}</td>" in text  # rank 1 of the pack's hotspots
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text, flags=re.I)
        assert "<h2>What changed</h2>" in text and "Not computed" not in text
        _, png = _download(page, "Map (PNG)")
        assert Image.open(io.BytesIO(png)).size == (1600, 1200)
        _, pdf = _download(page, "Meeting pack (PDF)")
        assert pdf.startswith(b"%PDF-")
        _, standalone = _download(page, "Map (HTML, works offline)")
        assert b"<script src=" not in standalone and b"L.geoJSON(" in standalone

    assert offline_page.blocked == []
    assert offline_page.errors == []
    assert offline_page.dialogs == []
