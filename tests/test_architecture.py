"""The import contract (pyproject.toml, ``[tool.importlinter]``) holds and catches what it is for.

``make test`` runs ``lint-imports`` on the tree; these tests run it on a copy of the package with
one deliberate fault each and check that it fails naming the fault, so the contract cannot pass by
checking nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on the package and pyproject.toml in ``root`` (no cache)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its pyproject.toml, to break."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "hotspots", tmp_path / "hotspots", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_contract() -> None:
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


def test_the_copy_is_what_is_checked(tree: Path) -> None:
    out = _lint_imports(tree)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


def test_an_import_against_the_flow_fails(tree: Path) -> None:
    _append(tree / "hotspots/core/disclosure.py", "import hotspots.views.maps  # noqa")
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "Layers: imports point down only" in out.stdout
    assert "hotspots.core.disclosure -> hotspots.views.maps" in out.stdout
    assert "1 broken" in out.stdout


def test_an_indirect_import_against_the_flow_fails(tree: Path) -> None:
    """data -> products through a module in between that is not itself in a lower layer."""
    (tree / "hotspots/data/shortcut.py").write_text("import hotspots.products.vawg\n")
    _append(tree / "hotspots/data/schema.py", "import hotspots.data.shortcut  # noqa")
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "hotspots.data.shortcut -> hotspots.products.vawg" in out.stdout


def test_a_function_level_import_counts(tree: Path) -> None:
    """Lazy imports inside functions (used for speed) are still arrows."""
    _append(tree / "hotspots/space/grid.py", "def _late():\n    from hotspots.store import db")
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "hotspots.space.grid -> hotspots.store.db" in out.stdout


def test_streamlit_outside_the_dashboard_fails(tree: Path) -> None:
    _append(tree / "hotspots/views/maps.py", "import streamlit  # noqa")
    _append(tree / "hotspots/products/vawg.py", "import streamlit_folium  # noqa")
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "Streamlit only in the dashboard" in out.stdout
    assert "hotspots.views.maps -> streamlit" in out.stdout
    assert "hotspots.products.vawg -> streamlit_folium" in out.stdout


def test_streamlit_anywhere_in_the_dashboard_is_allowed(tree: Path) -> None:
    _append(tree / "hotspots/views/dashboard/__init__.py", "import streamlit  # noqa")
    out = _lint_imports(tree)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_layer_importing_the_package_root_fails(tree: Path) -> None:
    """``from hotspots import gi_star`` in data would reach analysis through the lazy re-export."""
    _append(tree / "hotspots/data/select.py", "from hotspots import gi_star  # noqa")
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "No layer imports the package root" in out.stdout
    assert "hotspots.data.select -> hotspots" in out.stdout


def test_a_new_top_level_module_must_be_given_a_layer(tree: Path) -> None:
    (tree / "hotspots/helpers.py").write_text('"""Somewhere to put things."""\n')
    out = _lint_imports(tree)
    assert out.returncode == 1
    assert "hotspots.helpers" in out.stdout
