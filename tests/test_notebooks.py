"""Every analyst notebook runs top to bottom on the bundled data (outputs are not committed).

How long each takes is measured by bench/bench_notebooks.py (the issue's bar: under a minute),
not asserted here: a wall-clock limit in a test fails on a busy machine, not on slow code.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def test_there_are_five_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


def test_notebooks_are_what_build_py_makes():
    check = subprocess.run(
        [sys.executable, str(NOTEBOOK_DIR / "build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path):
    raw = json.loads(path.read_text())
    assert all(not c.get("outputs") for c in raw["cells"] if c["cell_type"] == "code"), (
        f"{path.name}: clear the outputs before committing"
    )
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
