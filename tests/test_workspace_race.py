"""A dashboard opening the workspace while a command adds to it: the add's manifest may come
between the reader's manifest and the part files it names (the old part removed). The reader
reads again instead of failing with "that file is missing: restore it from a backup" (7 of 98
opens failed so)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hotspots.data.workspace import add, init, open_workspace
from tests.test_workspace import LEEDS, _counts, _street_csv

ROOT = Path(__file__).resolve().parents[1]

_WRITER = textwrap.dedent(
    """
    import sys
    from hotspots.data.workspace import add
    root, first, second, times = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for i in range(times):  # two versions of one month, each replacing the other
        add(root, [second if i % 2 == 0 else first])
    """
)


def test_a_workspace_read_while_an_add_replaces_its_month_reads_whole(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    first = _street_csv(files, "2018-04", _counts(0), seed=0)
    newer = tmp_path / "newer"
    newer.mkdir()
    second = _street_csv(newer, "2018-04", {k: v + 1 for k, v in _counts(0).items()}, seed=1)
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [first])
    sizes = {sum(_counts(0).values()), sum(v + 1 for v in _counts(0).values())}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root), first, second, "40"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        reads = 0
        while writer.poll() is None or reads < 5:
            assert len(open_workspace(root).incidents) in sizes
            reads += 1
    finally:
        writer.kill()
        writer.wait()
    assert reads >= 5
