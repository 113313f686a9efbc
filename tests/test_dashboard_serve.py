"""The dashboard's launcher (``make dashboard``): what it imports ahead, and that it serves the
app. The first Map view in a real browser through it: tests/browser/test_dashboard.py."""

from __future__ import annotations

import subprocess
import sys

from hotspots.views.dashboard.serve import FIRST_PAGE


def test_preloaded_modules_declare_no_component() -> None:
    """None of the modules imported ahead brings streamlit_folium: its component must be
    declared during a script run, or the map's frame never loads."""
    code = (
        "import sys, importlib\n"
        f"for m in {FIRST_PAGE!r}: importlib.import_module(m)\n"
        "print('streamlit_folium' in sys.modules, 'pandas' in sys.modules, "
        "'folium' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True", "True"]


def test_the_first_view_prepared_is_the_one_the_map_page_asks_for(tmp_path, monkeypatch) -> None:
    """After the thread's work the Map page's first run finds the dataset, the analysis and
    the map layers in the caches: nothing is analysed or built again."""
    from streamlit.testing.v1 import AppTest

    from hotspots.views.dashboard import cached, serve, state

    monkeypatch.setenv("HOTSPOTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(cached.WARM_ENV, "off")
    monkeypatch.delenv("HOTSPOTS_WORKSPACE", raising=False)
    monkeypatch.setattr(serve, "SERVER_UP_WAIT_S", 0)  # no server in this process
    for cache in (state.demo_dataset, cached._analysis, cached._layers):
        cache.clear()
    thread = serve.preload(first_view=True)
    thread.join(timeout=600)
    assert not thread.is_alive()
    calls = []
    monkeypatch.setattr(cached, "analyse", lambda *a, **k: calls.append("analyse"))
    monkeypatch.setattr(cached, "analysis_layers", lambda *a, **k: calls.append("layers"))
    script = "from hotspots.views.dashboard.page_map import render\nrender()\n"
    at = AppTest.from_string(script, default_timeout=300).run()
    assert not at.exception, at.exception
    assert calls == []
    assert [m.label for m in at.metric][:1] == ["Incidents"]


def test_quick_component_scan_keeps_what_streamlit_keeps() -> None:
    """The launcher's quick test drops a distribution only where Streamlit's own test drops
    it (every distribution installed here), and the scan finds the same components."""
    code = (
        "import importlib.metadata as md\n"
        "from streamlit.components.v2 import manifest_scanner as ms\n"
        "from hotspots.views.dashboard import serve\n"
        "dists = list(md.distributions())\n"
        "before = [ms._is_likely_streamlit_component_package(d) for d in dists]\n"
        "found = ms.scan_component_manifests()\n"
        "serve.quick_component_scan()\n"
        "assert ms._is_likely_streamlit_component_package.quick\n"
        "after = [ms._is_likely_streamlit_component_package(d) for d in dists]\n"
        "print(len(dists) > 20, before == after, sum(before) >= 2, "
        "ms.scan_component_manifests() == found)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True"] * 4


def test_quick_component_scan_passes_unsure_distributions_on() -> None:
    """A distribution whose metadata names Streamlit, is named ``st-…``, or cannot be read,
    goes to Streamlit's own test; one that never mentions Streamlit does not."""
    from streamlit.components.v2 import manifest_scanner

    from hotspots.views.dashboard import serve

    asked: list[str] = []

    class Dist:
        def __init__(self, name: str, text: str | None) -> None:
            self.name, self.text = name, text

        def read_text(self, filename: str) -> str | None:
            assert filename == "METADATA"
            if self.text == "unreadable":
                raise OSError("no file")
            return self.text

    original = manifest_scanner._is_likely_streamlit_component_package
    manifest_scanner._is_likely_streamlit_component_package = lambda d: asked.append(d.name)
    try:
        serve.quick_component_scan()
        quick = manifest_scanner._is_likely_streamlit_component_package
        for dist in (
            Dist("numpy", "Name: numpy\nSummary: arrays\n"),
            Dist("a", "Name: a\nRequires-Dist: Streamlit>=1\n"),
            Dist("st-b", "Metadata-Version: 2.1\nname: st-b\n"),
            Dist("c", None),
            Dist("d", "unreadable"),
            Dist("first-st_x", "Name: first-st_x\n"),
        ):
            quick(dist)
    finally:
        manifest_scanner._is_likely_streamlit_component_package = original
    assert asked == ["a", "st-b", "c", "d"]


def test_the_first_run_looks_up_no_module_source() -> None:
    """With the launcher's look-ups skipped, a first script run's first element and the map's
    two component declarations read no source file and resolve no module's real path (0.1-0.15
    s of CPU on the first map's path); the components keep their names."""
    code = (
        "import os, sys, linecache, inspect\n"
        "from hotspots.views.dashboard import serve, sidebar, cached\n"
        "import folium.plugins\n"
        "serve.skip_first_run_lookups()\n"
        "from streamlit.delta_generator import _maybe_print_use_warning\n"
        "calls = []\n"
        "real = os.path.realpath\n"
        "os.path.realpath = lambda *a, **k: calls.append(a) or real(*a, **k)\n"
        "lines = linecache.getlines\n"
        "linecache.getlines = lambda *a, **k: calls.append(a) or lines(*a, **k)\n"
        "_maybe_print_use_warning()\n"
        "import streamlit_folium\n"
        "from hotspots.views.dashboard import offline\n"
        "url = offline.serve_map_assets()\n"
        "print(len(calls), streamlit_folium._component_func.name, url)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    route = "../hotspots.views.dashboard.offline.map_assets/"
    assert done.stdout.split() == ["0", "streamlit_folium.st_folium", route]
