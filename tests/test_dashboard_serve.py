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
