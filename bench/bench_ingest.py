"""Benchmark: load + validate + H3 of police.uk data; time and peak memory.

Wall time (``total_s``) and CPU time (``cpu_s``, steadier on a shared machine) are printed.
Each case runs in a fresh subprocess so that its peak resident memory (``VmHWM``, which
counts what pyarrow and numpy allocate outside Python, unlike tracemalloc) is its own.

Cases
-----
herts   the bundled 13 Hertfordshire months (108,465 rows, zip): read_policeuk, then
        hotspots.space.grid.assign_cells at resolution 9. Bar: under 3 s.
synth1m a seeded synthetic 1,000,000-row police.uk street CSV (one file, ~230 MB, 30 % ASB
        rows without Crime ID, 1.6 % without location) generated into a temporary folder.
        Bar: peak memory under 2 GB.

Run ``.venv/bin/python bench/bench_ingest.py`` (all cases; one JSON line each).

Measured here (2 cores, shared with other jobs; CPU time is the steadier figure)
------------------------------------------------------------------------------
herts    total 1.19 s wall at load average 2.5 (load 1.09 s + H3 0.09 s); CPU 1.1–1.3 s
         in every run; wall 3–5 s when the load average was 8–12. Peak RSS 420 MB
         (225 MB of it is the imports).
synth1m  CPU 9–10 s (≈ 100k rows/s, load + validate + H3); peak RSS 1,405 MB; clipped
         to Dacorum (900k rows quarantined as outside_study_area) 1,416 MB.

Session 7, read7 (reading a million police.uk rows; every output of ``load()`` identical)
----------------------------------------------------------------------------------------
``load()`` of /tmp/hotspots-bench-m1 (983,361 incidents) and of the Hertfordshire zip, cold
(one process each), A/B pairs niced, load average 2.8–3.2, main -> read7:
1M      wall 5.7–6.1 -> 4.9–5.0 s; user 4.0 -> 2.9–3.1 s (sys 1.6–2.3 s either way: page
        faults, slow on this VM and noisy); minor faults 420–436k -> 230–239k; peak RSS
        1,371–1,403 -> 1,239–1,259 MB. Warm (min of 3 in one process, load 4–7): CPU
        5.2 -> 3.3–3.7 s, wall 5.0–5.7 -> 3.1 s.
herts   wall 0.66–0.73 -> 0.61–0.62 s, CPU 0.65–0.71 -> 0.60–0.61 s; warm CPU 0.55 -> 0.44 s.
Whole ``python -m hotspots.views.cli analyse /tmp/hotspots-bench-m1 --out DIR`` (2 pairs, load
2.5–2.8): wall 15.2–15.3 -> 13.0–14.0 s, user 12.3–13.1 -> 11.4–11.5 s, peak RSS 1,536–1,539
-> 1,457–1,467 MB (floor 1.08 s quiet: still ~12x; the rest is the analysis).
What went: the GeoDataFrame's deep copy of the incidents (geopandas copies a DataFrame unless
``copy=False``), classification and source checks per row (now per distinct type/source),
duplicate keys for every row (now only rows whose id repeats, found by a 64-bit key read from
the Arrow buffers), pandas' take of chunked text for the quarantined and ASB rows (pyarrow
filter), object-array comparisons in the coordinate checks, a stripped copy of every Crime ID
and month, a second UTF-8 decode of every file, geopandas' per-call checks for x/y. The
reprojection (pyproj, GIL released) now starts on a background thread before de-duplication.
Tried and dropped: two files read at once (45k more page faults, 75–120 MB more peak memory,
no wall gain measurable on the shared machine); one pyarrow block per file to skip
``combine_chunks`` (more page faults); points on two threads (shapely holds the GIL there).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

RES = 9
ROWS_1M = 1_000_000
_CRIME_TYPES = {
    "Anti-social behaviour": 0.30, "Violence and sexual offences": 0.30, "Other theft": 0.07,
    "Criminal damage and arson": 0.08, "Vehicle crime": 0.06, "Public order": 0.07,
    "Burglary": 0.03, "Shoplifting": 0.04, "Drugs": 0.02, "Other crime": 0.01,
    "Bicycle theft": 0.01, "Robbery": 0.005, "Possession of weapons": 0.003,
    "Theft from the person": 0.002,
}  # fmt: skip


def _peak_mb() -> float:
    """Peak resident memory of this process (Linux ``VmHWM``; unlike ``ru_maxrss`` it does not
    inherit the parent's peak across fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_synthetic(path: Path, rows: int = ROWS_1M, seed: int = 20210101) -> Path:
    """A police.uk-style street CSV with ``rows`` rows around Hertfordshire (seeded)."""
    rng = np.random.default_rng(seed)
    types = np.array(list(_CRIME_TYPES))
    p = np.array(list(_CRIME_TYPES.values()))
    crime_type = rng.choice(types, size=rows, p=p / p.sum())
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype="S1")
    crime_id = hexdigits[rng.integers(0, 16, (rows, 64), dtype=np.uint8)].view("S64").ravel()
    crime_id = crime_id.astype(str).astype(object)
    asb = crime_type == "Anti-social behaviour"
    crime_id[asb] = ""
    lon = np.round(rng.normal(-0.3, 0.15, rows), 6).astype(str).astype(object)
    lat = np.round(rng.normal(51.8, 0.08, rows), 6).astype(str).astype(object)
    no_location = rng.random(rows) < 0.016
    lon[no_location] = ""
    lat[no_location] = ""
    streets = np.array([f"On or near Street {i}" for i in range(5_000)], dtype=object)
    location = streets[rng.integers(0, streets.size, rows)]
    location[no_location] = "No Location"
    lsoa = np.array([f"E0102{i:04d}" for i in range(700)], dtype=object)[rng.integers(0, 700, rows)]
    month = np.array([f"2021-{m:02d}" for m in range(1, 13)], dtype=object)[
        rng.integers(0, 12, rows)
    ]
    outcome = np.where(asb, "", "Investigation complete; no suspect identified")
    frame = pd.DataFrame(
        {
            "Crime ID": crime_id,
            "Month": month,
            "Reported by": "Hertfordshire Constabulary",
            "Falls within": "Hertfordshire Constabulary",
            "Longitude": lon,
            "Latitude": lat,
            "Location": location,
            "LSOA code": lsoa,
            "LSOA name": "Synthetic 001A",
            "Crime type": crime_type,
            "Last outcome category": outcome,
            "Context": "",
        }
    )
    frame.to_csv(path, index=False)
    return path


def run_case(case: str, source: Path) -> dict[str, float | int | str]:
    """Load, validate and H3 ``source`` in this process; return the figures."""
    from hotspots.data.ingest import read_policeuk
    from hotspots.space.grid import assign_cells

    base_mb = _peak_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    result = read_policeuk(source)
    loaded = time.perf_counter()
    geometry = result.incidents.geometry
    cells = assign_cells(geometry.x.to_numpy(), geometry.y.to_numpy(), RES)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    return {
        "case": case,
        "rows_read": result.report.rows_read,
        "rows_kept": result.report.rows_kept,
        "file_mb": round(source.stat().st_size / 1e6, 1),
        "load_s": round(loaded - start, 2),
        "h3_s": round(done - loaded, 2),
        "total_s": round(done - start, 2),
        "cpu_s": round(cpu, 2),
        "rows_per_s": int(result.report.rows_read / (done - start)),
        "cells": len(set(cells)),
        "rss_after_imports_mb": round(base_mb),
        "peak_rss_mb": round(_peak_mb()),
    }


def _in_subprocess(case: str, source: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", case, "--source", str(source)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help="run one case in this process and print JSON")
    parser.add_argument("--source", type=Path, help="the file for --one")
    parser.add_argument("--repeat", type=int, default=3, help="runs of herts (best kept)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one, args.source)))
        return
    from hotspots.data import datasets

    herts = [_in_subprocess("herts", datasets.herts_policeuk_zip()) for _ in range(args.repeat)]
    print(json.dumps(min(herts, key=lambda r: r["total_s"])))
    with tempfile.TemporaryDirectory() as tmp:
        # generated here, measured in a fresh process: generation does not count
        source = write_synthetic(Path(tmp) / "2021-synthetic-street.csv")
        print(json.dumps(_in_subprocess("synth1m", source)))


if __name__ == "__main__":
    main()
