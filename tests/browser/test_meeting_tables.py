"""Every column of a table can be read on a projector in meeting mode (large type).

The Patrol, Areas and When pages open in meeting mode at 1366×768 in headless chromium, network
cut off: each table fits the page's width (nothing to scroll sideways), and no heading or cell
is cut short (its text fits its cell: headings and cells wrap). Screenshots:
``test-output/meeting_table_*.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import REPO, OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = REPO / "app.py"
TIMEOUT = 180_000

TABLES = '[data-testid="stTable"], [data-testid="stDataFrame"]'

_CLIPPED = """(tables) => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]')
        .getBoundingClientRect();
    return [...document.querySelectorAll(tables)].map(t => {
        const box = t.getBoundingClientRect();
        const cut = [...t.querySelectorAll('th, td')]
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent);
        const wide = box.right > main.right + 1 || t.scrollWidth > t.clientWidth + 1;
        return {kind: t.dataset.testid, wide: wide, cut: cut};
    });
}"""


def _tables(page: Page, url: str, path: str, heading: str) -> list[dict]:
    page.goto(f"{url}/{path}?meeting=1")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(TABLES).first).to_be_attached(timeout=TIMEOUT)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    screenshot(page, f"meeting_table_{path}")
    return page.evaluate(_CLIPPED, TABLES)


def test_meeting_tables_fit_the_projector(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": 1366, "height": 768})
    with streamlit_app(APP, timeout=120) as url:
        for path, heading in (("patrol", "Patrol plan"), ("areas", "Areas & measures"),
                              ("when", "Peak windows")):  # fmt: skip
            found = _tables(page, url, path, heading)
            assert found, path
            for table in found:
                # a canvas grid (st.dataframe) cuts headings and values short at this size
                assert table["kind"] == "stTable", (path, table)
                assert not table["wide"], (path, table)
                assert table["cut"] == [], (path, table["cut"][:5])
    assert offline_page.blocked == []
