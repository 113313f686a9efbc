"""An add killed (SIGKILL) part-way through writing leaves nothing half-done: the next add,
remove or open undoes it, or finishes it once its manifest was written, and removes its
temporary files. Each kill is real: a child process adding to a Leeds workspace (synthetic
police.uk files, tests/test_workspace.py) kills itself at a chosen step of the write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hotspots.data.workspace import add, init, open_workspace
from tests.test_workspace import LEEDS, _counts, _street_csv

ROOT = Path(__file__).resolve().parents[1]

_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from hotspots.data import workspace

    step, root, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    kind, _, nth = step.partition(":")
    calls = [0]

    def killing(real):
        def call(*args, **kwargs):
            calls[0] += 1
            if calls[0] == int(nth):
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return call

    if kind == "copy":  # no hard links here: killed half-way through copying an old part
        def no_link(*args, **kwargs):
            raise OSError("no hard links on this file system")

        def half_copy(source, target, **kwargs):
            data = Path(source).read_bytes()
            Path(target).write_bytes(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)

        os.link = no_link
        workspace.shutil.copy2 = half_copy
    elif kind == "replace":  # the nth move into place
        os.replace = killing(os.replace)
    elif kind == "unlink":  # the nth removal once every file is in place
        Path.unlink = killing(Path.unlink)
    elif kind == "manifest":  # while writing the manifest's new version
        workspace._write_manifest = killing(workspace._write_manifest)
    workspace.add(root, files)
    """
)


def _killed_add(step: str, root: Path, files: list[str]) -> None:
    """``add(root, files)`` in a child process that kills itself at ``step``."""
    done = subprocess.run(
        [sys.executable, "-c", _KILLER, step, str(root), *files],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def _state(root: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest's partitions and every file of the data folder but the lock, by path."""
    data = root / "data"
    manifest = json.loads((data / "manifest.json").read_text())["partitions"]
    files = {
        str(p.relative_to(data)): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file() and p.name != ".add.lock"
    }
    return manifest, files


@pytest.fixture()
def before_and_files(tmp_path: Path) -> tuple[Path, tuple[dict, dict[str, bytes]], list[str]]:
    """A workspace holding April; the files of an add that replaces April (a newer file: its
    part exists) and brings May (a new part)."""
    files = tmp_path / "files"
    files.mkdir()
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(files, "2018-04", _counts(0), seed=0)])
    newer = tmp_path / "newer"
    newer.mkdir()
    given = [
        _street_csv(newer, "2018-04", {k: v + 1 for k, v in _counts(0).items()}, seed=1),
        _street_csv(newer, "2018-05", _counts(1), seed=2),
    ]
    return root, _state(root), given


@pytest.mark.parametrize("step", ["manifest:1", "replace:1", "replace:2", "copy:1"])
def test_an_add_killed_before_its_manifest_is_undone(before_and_files, step):
    root, before, files = before_and_files
    _killed_add(step, root, files)
    left = [p.name for p in (root / "data").rglob(".*") if p.name != ".add.lock"]
    assert left  # the kill left temporary files (and, from replace:2, April's new part)
    data = open_workspace(root)  # a reader puts it right
    assert _state(root) == before  # every byte as before the add, nothing left over
    assert [str(m) for m in data.coverage.months()] == ["2018-04"]
    assert len(data.incidents) == sum(_counts(0).values())
    report = add(root, files)  # and the add can be made again
    assert report.replaced and report.added


def test_an_add_killed_after_its_manifest_is_finished(before_and_files):
    root, _, files = before_and_files
    _killed_add("unlink:1", root, files)  # every file in place, April's old part not removed
    assert [p for p in (root / "data").rglob(".*.old")]
    data = open_workspace(root)
    assert not [p for p in (root / "data").rglob(".*") if p.name != ".add.lock"]
    assert [str(m) for m in data.coverage.months()] == ["2018-04", "2018-05"]
    newer = sum(v + 1 for v in _counts(0).values())
    assert len(data.incidents) == newer + sum(_counts(1).values())
    again = add(root, files)
    assert not again.added and not again.replaced  # made already


@pytest.mark.parametrize(
    "record",
    [
        {"moves": [["../../outside.txt", False], ["manifest.json", True]], "remove": []},
        {"moves": [["manifest.json", True]], "remove": ["OUTSIDE"]},  # an absolute path
        {"moves": [["link/outside.txt", False], ["manifest.json", True]], "remove": []},
        {"moves": [], "remove": ["../../outside.txt"]},
        {"moves": "not a list"},
        {"moves": [["manifest.json", True]], "remove": ["store.sqlite"]},  # not a part
    ],
    ids=["dots", "absolute", "link", "no moves", "junk", "not a part"],
)
def test_a_crafted_journal_touches_nothing_outside_the_data(before_and_files, tmp_path, record):
    """A journal is a file in the data folder, not an instruction: one naming a path outside
    it is removed and nothing else done."""
    root, before, _ = before_and_files
    outside = tmp_path / "outside.txt"  # root is tmp_path/ws: ../../outside.txt from data/
    outside.write_text("keep me")
    store = root / "data" / "store.sqlite"  # a file of the data folder no add writes
    store.write_text("keep me too")
    (root / "data" / "link").symlink_to(tmp_path)
    text = json.dumps(record).replace("OUTSIDE", str(outside))
    (root / "data" / ".writing-0123abcd.json").write_text(text)
    new_manifest = root / "data" / ".manifest.json.0123abcd.new"  # "not moved in yet": undo
    if isinstance(record["moves"], list) and len(record["moves"]) > 1:
        new_manifest.write_text("{}")
    open_workspace(root)
    assert outside.read_text() == "keep me" and store.read_text() == "keep me too"
    store.unlink()
    assert not list((root / "data").glob(".writing-*"))
    (root / "data" / "link").unlink()
    new_manifest.unlink(missing_ok=True)
    assert _state(root) == before
