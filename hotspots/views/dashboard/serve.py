"""``streamlit`` with the first page's modules imported while the browser loads: the command
``make dashboard`` runs (``python -m hotspots.views.dashboard.serve run app.py [options]``, the
arguments of ``streamlit``).

Streamlit runs ``app.py`` only when a browser connects, and the browser first spends about a
second loading Streamlit's own page from the server; the script then imports pandas,
geopandas, folium and the analysis code (about 1 s of CPU) before it can draw the Map page.
Here those imports start in a background thread as the server starts, so the first script run
finds them done. Nothing is computed and no data is read ahead: the thread only imports
modules the Map page imports anyway (Python's import locks make the script wait for a module
the thread is still importing, never see half of it).

Examples
--------
``python -m hotspots.views.dashboard.serve run app.py --server.headless true``
"""

from __future__ import annotations

import sys
import threading
import time
from importlib import import_module

FIRST_PAGE = (
    "hotspots.views.dashboard.login",
    "hotspots.views.dashboard.url_state",
    "hotspots.views.dashboard.sidebar",
    "hotspots.views.dashboard.cached",
    "hotspots.views.dashboard.exports",
    "hotspots.views.dashboard.overlays",
    "hotspots.views.analysis_map",
    "hotspots.views.tables",
    "hotspots.products.captions",
    "hotspots.analysis.forecast",  # the first analysis's forecast, read from the disk cache
    "folium.plugins",  # 0.3 s: streamlit_folium imports every plugin's template
    "streamlit.components.v1",
)
"""What the Map page imports before its first map (pandas, geopandas, folium, the analysis),
less the page module itself and :mod:`~hotspots.views.dashboard.offline`: they import
``streamlit_folium``, which declares its Streamlit component when imported, and Streamlit
registers a component only when it is declared during a script run (imported here, the map's
frame would never load)."""


SERVER_UP_WAIT_S = 30.0
"""Longest wait for the server to be up before importing anyway (seconds)."""


def _server_started() -> bool:
    """Whether Streamlit's runtime has started (the server answers from then on)."""
    from streamlit import runtime

    return runtime.exists() and runtime.get_instance().state != runtime.RuntimeState.INITIAL


def preload(modules: tuple[str, ...] = FIRST_PAGE) -> threading.Thread:
    """Import ``modules`` in a background (daemon) thread once the server is up; return the
    thread (started).

    It waits for the server first: on two cores the imports would otherwise share the
    interpreter with Streamlit's own start (about 0.6 s of CPU) and delay the moment the
    browser can connect; once the server is up they overlap the browser loading the page.
    """

    def run() -> None:
        deadline = time.monotonic() + SERVER_UP_WAIT_S
        while not _server_started() and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            for module in modules:
                import_module(module)
            from hotspots.views.dashboard.disk_cache import code_key

            code_key()  # the disk cache's key of the code (every file of the package hashed)
        except Exception:  # the script imports it again and shows the error there
            return

    thread = threading.Thread(target=run, name="hotspots-preload", daemon=True)
    thread.start()
    return thread


def main() -> None:
    """``streamlit`` with :func:`preload` started first; the arguments are Streamlit's."""
    from streamlit.web import cli

    preload()
    sys.argv[0] = "streamlit"
    cli.main()


if __name__ == "__main__":
    main()
