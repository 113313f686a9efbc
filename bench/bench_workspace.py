"""Benchmark: ``hotspots init`` + ``add`` of a force-year, the repeat add, and opening it.

The force-year is the bundled Hertfordshire zip (13 months, 108,465 rows) added to a Dacorum
workspace (clipped to the district: 13,184 incidents in 13 monthly partitions). Cases:

init+add   init a workspace and add the zip (read, validate, clip, write 13 GeoParquet
           partitions and the manifest). Floor: 30 s.
add again  the same zip again: recognised by its sha256, nothing read. Floor: 1 s.
open       read every partition back with the coverage (what each CLI command and the
           dashboard do first). Floor: 5 s.

Run ``.venv/bin/python bench/bench_workspace.py``; prints one line per case with the figure,
the floor and their ratio.

Measured here (2 cores shared with up to 8 jobs, load average 12-18)
--------------------------------------------------------------------
init+add   4.8 s (9.8 s and 15.0 s in busier runs; about 1 s of it is reading the zip, the
           rest validation, clipping and 13 GeoParquet writes)
add again  0.01 s (sha256 of the 4.7 MB zip; nothing read)
open       1.6 s (1.8 s busier)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hotspots.data import datasets
from hotspots.data.workspace import add, init, open_workspace

FLOORS = {"init+add": 30.0, "add again": 1.0, "open": 5.0}


def main() -> None:
    """Time the three cases once each and print figure, floor and ratio."""
    zipped = datasets.herts_policeuk_zip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        figures = {}
        start = time.perf_counter()
        init(root, area="Dacorum")
        report = add(root, [zipped])
        figures["init+add"] = time.perf_counter() - start
        start = time.perf_counter()
        again = add(root, [zipped])
        figures["add again"] = time.perf_counter() - start
        start = time.perf_counter()
        data = open_workspace(root)
        figures["open"] = time.perf_counter() - start
    assert len(report.added) == 13 and len(again.unchanged) == 13 and not again.added
    print(f"{len(data.incidents):,} incidents; {data.coverage.describe()}")
    for case, seconds in figures.items():
        floor = FLOORS[case]
        print(f"{case:10s} {seconds:7.2f} s  floor {floor:5.1f} s  ratio {seconds / floor:.2f}")


if __name__ == "__main__":
    main()
