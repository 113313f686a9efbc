"""The login in a real browser: a viewer who opens the Data page by its URL does not get it.

``streamlit run app.py`` with a config of one viewer and one analyst (``HOTSPOTS_CONFIG``) and
a fresh store; chromium opens ``/data`` directly, signs in as the viewer, and must land on the
Map page (the Data page is not registered for a viewer, so it has no URL); the query string
cannot ask for it either. The screenshot is ``test-output/login_viewer_data_url.png``. Header
mode is checked the same way, the browser sending the headers a proxy would add.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from hotspots import store
from hotspots.core import access

from .conftest import LOCAL_HOSTS, REPO, OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 180_000  # ms: the first run loads the demo data


def _sign_in(page: Page, name: str, password: str) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_viewer_cannot_open_the_data_page_by_url(
    offline_page: OfflinePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "hotspots.toml"
    access.set_user(config, "vic", "viewer", "vic-pass-1")
    access.set_user(config, "ann", "analyst", "ann-pass-2")
    monkeypatch.setenv(access.CONFIG_ENV, str(config))
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    page = offline_page.page
    with streamlit_app(REPO / "app.py") as url:
        page.goto(f"{url}/data?page=data&role=admin")
        _sign_in(page, "vic", "wrong password")
        expect(page.get_by_text("do not match")).to_be_visible(timeout=TIMEOUT)
        _sign_in(page, "vic", "vic-pass-1")
        expect(page.get_by_role("heading", name="Where: hotspots")).to_be_visible(timeout=TIMEOUT)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text("Signed in as vic (viewer)")).to_be_visible()
        expect(page.get_by_role("heading", name="Data: load and quality")).to_have_count(0)
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Map", exact=True)).to_be_visible()
        for hidden in ("Data", "VAWG", "CCTV", "Audit log"):
            expect(nav.get_by_text(hidden, exact=True)).to_have_count(0)
        expect(page.get_by_text("Tuning (analysts)")).to_have_count(0)
        expect(page.get_by_text("Export for the meeting")).to_have_count(0)
        expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(0)
        map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        map_frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(1500)  # let the map's tiles and layers settle for the screenshot
        screenshot(page, "login_viewer_data_url")
        assert "Traceback" not in page.content()
    assert offline_page.blocked == []
    log = store.audit_log(store.open_store(), actions=["login", "login_failed"])
    assert list(zip(log["user"], log["action"], strict=True))[::-1] == [
        ("vic", "login_failed"),
        ("vic", "login"),
    ]


def _offline_context(browser: Browser, **options: object) -> BrowserContext:
    """A browser context with every request that leaves this machine aborted."""
    context = browser.new_context(**options)

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    return context


def test_header_mode_takes_the_user_and_role_from_the_proxy(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind an authenticating proxy: the header names the user, their group gives the role;
    no header, no dashboard."""
    config = tmp_path / "hotspots.toml"
    config.write_text(
        '[auth]\nmode = "header"\nuser_header = "X-Remote-User"\n'
        'groups_header = "X-Remote-Groups"\n[auth.groups]\ncsp-analysts = "analyst"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(access.CONFIG_ENV, str(config))
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    with streamlit_app(REPO / "app.py") as url:
        proxied = _offline_context(
            browser,
            extra_http_headers={"X-Remote-User": "sam", "X-Remote-Groups": "csp-analysts"},
        )
        page = proxied.new_page()
        page.goto(f"{url}/data")
        expect(page.get_by_role("heading", name="Data: load and quality")).to_be_visible(
            timeout=TIMEOUT
        )
        expect(page.get_by_text("Signed in as sam (analyst)")).to_be_visible()
        proxied.close()
        bare = _offline_context(browser)
        page = bare.new_page()
        page.goto(f"{url}/data")
        expect(page.get_by_text("You are not signed in")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_role("heading", name="Data: load and quality")).to_have_count(0)
        bare.close()
