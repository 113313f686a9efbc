"""Heavy modules load only when used: importing the analysis must not pull them in.

Structural, not timed (benchmarks live in bench/): a fresh interpreter imports the module and
reports which of the heavy packages ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "scipy.stats",
    "scipy.sparse",
    "scipy.special",
    "folium",
    "matplotlib",
    "sklearn",
    "hdbscan",
    "pyogrio",
    "streamlit",
)


def _loaded_after(module: str) -> set[str]:
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(
    "module", ["hotspots.analysis.analyse", "hotspots.analysis.stats", "hotspots.views.cli"]
)
def test_analysis_imports_no_heavy_module(module):
    assert _loaded_after(module) == set()
