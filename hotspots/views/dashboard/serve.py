"""``streamlit`` with the Map page's first view prepared while the browser loads: the command
``make dashboard`` runs (``python -m hotspots.views.dashboard.serve run app.py [options]``, the
arguments of ``streamlit``).

Streamlit runs ``app.py`` only when a browser connects, and the browser first spends about a
second loading Streamlit's own page from the server; the script then imports pandas,
geopandas, folium and the analysis code (about 1 s of CPU) and reads the first view (the
dataset, its analysis and map layers: from the disk cache, else made) before it can draw the
Map page. Here that work starts in a background thread as soon as the server is up, so the
first script run finds it done or under way: the thread imports the modules the Map page
imports anyway (Python's import locks make the script wait for a module the thread is still
importing, never see half of it) and asks Streamlit's caches for the first view the page asks
for (Streamlit computes a cached value once; a page asking meanwhile waits for it).

Examples
--------
``python -m hotspots.views.dashboard.serve run app.py --server.headless true``
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import sys
import threading
import time
from importlib import import_module
from typing import Any

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
    "streamlit.emojis",  # 0.05 s: the page icon's check (app.py's set_page_config)
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


def _first_view() -> None:
    """The Map page's first view put in Streamlit's caches: the dataset the dashboard opens on
    (the demo, or ``$HOTSPOTS_WORKSPACE``'s), the analysis of every incident with the default
    settings and its map layers, read from the disk cache when there (else made).

    The page asks for exactly these (the selection of every incident is where the map opens,
    whatever the URL's filters), through the same cached functions: a page that asks while
    they are being made waits for them (Streamlit computes a cached value once).
    """
    from hotspots.views.analysis_map import DEFAULT_LAYERS
    from hotspots.views.dashboard import cached, state

    root = state.open_workspace_root()
    ds = state.demo_dataset() if root is None else state.workspace_dataset(root)
    sel = cached.first_view(ds)
    cached.analysis(ds, sel, **cached.DEFAULT_ANALYSIS)
    cached.analysis_layers_for(ds, sel, DEFAULT_LAYERS, **cached.DEFAULT_ANALYSIS)


def preload(modules: tuple[str, ...] = FIRST_PAGE, *, first_view: bool = True) -> threading.Thread:
    """Import ``modules`` in a background (daemon) thread once the server is up, then (with
    ``first_view``) read or make the Map page's first view (:func:`_first_view`); return the
    thread (started).

    It waits for the server first: on two cores the work would otherwise share the
    interpreter with Streamlit's own start (about 0.6 s of CPU) and delay the moment the
    browser can connect; once the server is up it overlaps the browser loading the page.
    """

    def run() -> None:
        deadline = time.monotonic() + SERVER_UP_WAIT_S
        while not _server_started() and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            for module in modules:
                import_module(module)
            if first_view:
                _first_view()
        except Exception:  # the page computes it again and shows the error there; logged here
            log.warning("the first view could not be prepared ahead", exc_info=True)

    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    # Streamlit warns of every cached call made outside a script run ("missing
    # ScriptRunContext"): expected in the threads the dashboard starts itself (named
    # "hotspots-…": this one, the one working ahead), so not written to the server's log
    logging.getLogger(_CONTEXT_LOGGER).addFilter(
        lambda record: not (record.threadName or "").startswith("hotspots-")
    )
    thread.start()
    return thread


THREAD_NAME = "hotspots-preload"
log = logging.getLogger(__name__)
_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


_ST_NAME = re.compile(r"^name:\s*st[-_]", re.IGNORECASE | re.MULTILINE)


def quick_component_scan() -> None:
    """Make Streamlit's start-up scan for components (its "v2" components, declared in an
    installed package's ``pyproject.toml``) skip at once every installed distribution whose
    metadata never mentions Streamlit.

    Streamlit parses the metadata of every installed distribution before the server answers
    (0.15 s of CPU for the 140 of this project's environment, on the path to the first map),
    to keep those whose name, summary or requirements mention ``streamlit`` or whose name
    starts ``st-`` / ``st_``. Those words are in the metadata's text, so a distribution whose
    text holds neither is one Streamlit would drop: it is dropped here after reading the file
    (0.02 s for all), and the others go through Streamlit's own test. The scan finds the same
    components. Without the private function (another Streamlit), nothing changes.
    """
    from streamlit.components.v2 import manifest_scanner

    likely = getattr(manifest_scanner, "_is_likely_streamlit_component_package", None)
    if likely is None or getattr(likely, "quick", False):
        return

    def quick(dist: Any) -> bool:
        try:
            text = dist.read_text("METADATA")
        except Exception:  # unreadable here: Streamlit's own test decides
            text = None
        if text is not None and "streamlit" not in text.lower() and not _ST_NAME.search(text):
            return False
        return bool(likely(dist))

    quick.quick = True  # type: ignore[attr-defined]
    manifest_scanner._is_likely_streamlit_component_package = quick


COMPONENT_MODULES = ("streamlit_folium", "hotspots.views.dashboard.offline")
"""The modules that declare the map's Streamlit components during the first script run."""


def skip_first_run_lookups() -> None:
    """Spare the first script run two look-ups of the source of loaded modules (0.1-0.15 s of
    CPU before the first map, on the interpreter the thread of :func:`preload` shares).

    - Streamlit's first element of a process checks whether it runs in an interactive shell,
      to tell the user to start it with ``streamlit run`` (which this is), by reading the
      source of every frame of the stack (``inspect.stack``): the check is marked done.
    - Declaring a component (``st_folium``'s, the map assets' route) finds the module that
      declares it with ``inspect.getmodule``, which the first time maps the file of each of
      the ~1,700 loaded modules to its real path: the files of :data:`COMPONENT_MODULES` are
      entered in that map beforehand (their names, not yet imported), so it is not walked.

    Without these private names (another Streamlit or Python), nothing changes.
    """
    from importlib.util import find_spec

    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True
    known = getattr(inspect, "modulesbyfile", None)
    if not isinstance(known, dict):
        return
    for name in COMPONENT_MODULES:
        spec = find_spec(name)
        if spec is not None and spec.origin is not None:
            known[os.path.normcase(os.path.abspath(spec.origin))] = name


def main() -> None:
    """``streamlit`` with :func:`preload` started first; the arguments are Streamlit's."""
    from streamlit.web import cli

    quick_component_scan()
    skip_first_run_lookups()
    preload()
    sys.argv[0] = "streamlit"
    cli.main()


if __name__ == "__main__":
    main()
