"""The When page's hour × weekday chart keeps every label, in normal and meeting mode.

On the demo (whose council log has times of day) at 1280×720 and 1920×1080: each of the seven
weekdays and the 24 hours is drawn as a visible label (not hidden for overlap, as Vega does by
default when rows are short), no two labels overlap, and meeting mode draws them larger.
Screenshots: ``test-output/when_heatmap_*.png``.
"""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from hotspots.analysis.temporal._common import WEEKDAYS

from .conftest import REPO, OfflinePage, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = REPO / "app.py"
TIMEOUT = 180_000

_LABELS = """chart => [...chart.querySelectorAll('svg text')].map(t => {
    const box = t.getBoundingClientRect();
    const style = getComputedStyle(t);
    let shown = style.visibility !== 'hidden' && style.display !== 'none';
    for (let e = t; e && e !== chart; e = e.parentElement) {
        if (parseFloat(getComputedStyle(e).opacity) === 0) shown = false;
    }
    return {text: t.textContent, shown, size: parseFloat(style.fontSize),
            x0: box.left, x1: box.right, y0: box.top, y1: box.bottom};
})"""


def _labels(page: Page) -> dict[str, dict]:
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("svg text", has_text="Hour of the day")).to_have_count(1, timeout=TIMEOUT)
    texts = chart.evaluate(_LABELS)
    wanted = {*WEEKDAYS, *(str(h) for h in range(24))}
    found = {t["text"]: t for t in texts if t["text"] in wanted}
    assert set(found) == wanted, sorted(wanted - set(found))
    return found


def _overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_heatmap_keeps_row_and_column_labels_in_both_modes(
    offline_page: OfflinePage, size: tuple[int, int]
) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    px = {}
    with streamlit_app(APP, timeout=120) as url:
        for mode, query in (("normal", ""), ("meeting", "?meeting=1")):
            page.goto(f"{url}/when{query}")
            labels = _labels(page)
            hidden = [k for k, v in labels.items() if not v["shown"]]
            assert not hidden, f"{mode}: labels hidden {hidden}"
            rows = [labels[d] for d in WEEKDAYS]
            assert [r["y0"] for r in rows] == sorted(r["y0"] for r in rows)  # Mon first
            columns = [labels[str(h)] for h in range(24)]
            for group in (rows, columns):
                clashes = [
                    (a["text"], b["text"]) for a, b in itertools.pairwise(group) if _overlap(a, b)
                ]
                assert not clashes, f"{mode}: labels overlap {clashes}"
            px[mode] = min(v["size"] for v in labels.values())
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            chart.screenshot(path=str(REPO / "test-output" / f"when_heatmap_{mode}_{size[1]}p.png"))
    assert px["meeting"] >= 1.3 * px["normal"]  # readable from the back of the room
    assert not offline_page.errors, offline_page.errors
