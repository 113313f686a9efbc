"""Old module paths (before the layered package) still import, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from hotspots import _moved


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_every_old_path_gives_the_new_module_with_a_warning(old: str) -> None:
    new = _moved.MOVED[old]
    code = (
        "import importlib, warnings\n"
        "import hotspots\n"
        f"importlib.import_module({old.rsplit('.', 1)[0]!r})\n"  # a moved parent warns first
        "warnings.simplefilter('error', DeprecationWarning)\n"
        "try:\n"
        f"    importlib.import_module({old!r})\n"
        "except DeprecationWarning as w:\n"
        "    print(w)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"{old} moved to {new}" in out.stdout
    assert importlib.import_module(new).__spec__.name == new


def test_old_from_import_reads_the_same_function() -> None:
    with pytest.warns(DeprecationWarning, match="hotspots.ingest moved"):
        from hotspots.ingest import read_policeuk
    from hotspots.data.ingest import read_policeuk as new

    assert read_policeuk is new
    assert _moved.new_name("hotspots.patrol.layer") == "hotspots.views.patrol_map"
    assert _moved.new_name("hotspots.store") is None
