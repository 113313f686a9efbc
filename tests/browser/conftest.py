"""Playwright harness: Debian's chromium, headless, with every non-localhost request blocked.

Fixtures
--------
browser
    One chromium per test session (per xdist worker), launched from ``/usr/bin/chromium``.
offline_page
    A fresh page whose context aborts any request that leaves this machine and records it in
    ``.blocked``; page errors and JavaScript dialogs (an ``alert`` from injected HTML) are
    recorded too.
static_server
    A local ``http.server`` over a temporary folder: ``(base_url, folder)``.

:func:`streamlit_app` starts ``streamlit run`` on a free port and yields its URL.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright
from tile_server import TileServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
"""Screenshots land here (git-ignored)."""


@dataclass
class OfflinePage:
    """A page with the network cut off, and what it tried to do."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under ``test-output/`` and return its path."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _no_street_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network is cut off: no street basemap unless a test serves tiles of its own
    (``HOTSPOTS_TILES``, read by maps built here and by the apps these tests start)."""
    monkeypatch.setenv("HOTSPOTS_TILES", "off")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium; run "
            "`bash scripts/setup.sh --test` (as root) or `apt-get install -y chromium`"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    state = OfflinePage(page=context.new_page())

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            state.blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    state.page.on("pageerror", lambda error: state.errors.append(str(error)))
    state.page.on("dialog", lambda dialog: (state.dialogs.append(dialog.message), dialog.dismiss()))
    yield state
    context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def static_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("site")
    handler = partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def streamlit_app(
    script: Path, *, timeout: float = 90.0, launcher: str = "streamlit"
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free local port; yield its URL; stop it after.

    ``launcher``: the module run with ``python -m`` (``hotspots.views.dashboard.serve``: as
    ``make dashboard`` starts it)."""
    port = free_port()
    log = OUTPUT / f"streamlit-{script.stem}-{port}.log"
    OUTPUT.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", launcher, "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited ({process.returncode}):\n{log.read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
            ):
                if response.read().decode() == "ok":
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit not up after {timeout} s:\n{log.read_text()}")
            time.sleep(0.05)  # the browser opens the page as soon as the server answers
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def tiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TileServer]:
    """A local tile server the dashboard draws its basemap from ("Test tiles"), and a fresh
    store for the app."""
    server = TileServer()
    monkeypatch.setenv("HOTSPOTS_TILES", server.url)
    monkeypatch.setenv("HOTSPOTS_TILES_ATTRIBUTION", "Test tiles")
    monkeypatch.setenv("HOTSPOTS_DB", str(tmp_path / "store.sqlite"))
    yield server
    server.stop()
