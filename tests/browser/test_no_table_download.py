"""Tables offer no download of their own: every file leaves through the audited, formula-safe
buttons (``login.download_button``), not Streamlit's table toolbar (``app.py`` switches off
``client.disableDataExport``'s controls for every page)."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import REPO, OfflinePage, screenshot, streamlit_app

TIMEOUT = 120_000


def test_the_table_toolbar_offers_no_csv_download(offline_page: OfflinePage) -> None:
    page = offline_page.page
    with streamlit_app(REPO / "app.py", timeout=120) as url:
        page.goto(f"{url}/areas")
        table = page.locator('[data-testid="stDataFrame"]').first
        table.wait_for(timeout=TIMEOUT)
        table.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        toolbar.wait_for(state="attached", timeout=TIMEOUT)
        # the toolbar is there (search, fullscreen), but without "Download as CSV"
        expect(toolbar.get_by_role("button", name="Search")).to_have_count(1)
        expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
        # the page's own download is offered, and is the audited one
        expect(
            page.get_by_role("button", name="Download the ward table (CSV, for the minutes)")
        ).to_have_count(1)
        screenshot(page, "areas_table_toolbar")
    assert offline_page.blocked == []
