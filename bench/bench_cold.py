"""Cold commands against the floor: whole-process time and peak memory, medians of runs.

Run: ``.venv/bin/python bench/bench_cold.py [--runs 3] [--skip-million]``. Every figure is a
fresh process (imports included) timed from the outside; the runs of all cases are
interleaved so a busy machine slows them alike, and the medians are printed with the floor
(bench/floor.py: pyarrow read + h3ronpy cells + k-ring matrix + Gi* multiply, one process, on
the same files) and the ratio. Bars (issue 14): Hertfordshire 108k ``analyse`` with or
without a study area <= 2x the floor; a million police.uk rows <= 4x the floor and < 2 GB;
``import hotspots.analysis.analyse`` < 1 s.

The million rows are synthetic police.uk files (``hotspots.national.generate``: the real
Hertfordshire records moved onto the Metropolitan and City of London forces' areas, 12
months), written once to ``/tmp/hotspots-bench-m1``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotspots.data import datasets

ROOT = Path(__file__).resolve().parents[1]
FLOOR = str(ROOT / "bench" / "floor.py")
MILLION = Path("/tmp/hotspots-bench-m1")


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024


def _million() -> Path:
    if not (MILLION / "2021-12").exists():
        from hotspots.national.generate import FORCES, generate_national

        forces = [f for f in FORCES if f.slug in ("metropolitan", "city-of-london")]
        months = [f"2021-{m:02d}" for m in range(1, 13)]
        generate_national(MILLION, rows=1_000_000, months=months, forces=forces, seed=14)
    return MILLION


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    herts = str(datasets.herts_policeuk_zip())
    districts = str(datasets.districts_path())
    out = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    cli = [py, "-m", "hotspots.views.cli", "analyse"]
    cases: dict[str, list[str]] = {
        "python -c pass": [py, "-c", "pass"],
        "import geopandas": [py, "-c", "import geopandas"],
        "import hotspots.analysis.analyse": [py, "-c", "import hotspots.analysis.analyse"],
        "floor Hertfordshire": [py, FLOOR, herts],
        "analyse Hertfordshire, no study area": [*cli, herts, "--out", str(out / "a")],
        "analyse Hertfordshire, 10 districts": [
            *cli, herts, "--study-area", districts, "--out", str(out / "b"),
        ],
    }  # fmt: skip
    if not args.skip_million:
        million = str(_million())
        cases["floor 1M"] = [py, FLOOR, million]
        cases["analyse 1M, no study area"] = [*cli, million, "--out", str(out / "c")]
    times: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(args.runs):
        for name, cmd in cases.items():
            wall, peak = _run(cmd)
            times[name].append(wall)
            peaks[name].append(peak)
        print(f"run {run + 1}/{args.runs} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    t = {name: statistics.median(v) for name, v in times.items()}
    m = {name: statistics.median(v) for name, v in peaks.items()}
    print(f"\nmedians of {args.runs} interleaved cold runs (2-core machine, shared)")
    print(f"{'case':40} {'s':>7} {'MB':>7}  floor and ratio")

    def row(name: str, floor: str | None, bar: str) -> None:
        ratio = f"{floor}: {t[floor]:.2f} s -> {t[name] / t[floor]:.1f}x" if floor else ""
        print(f"{name:40} {t[name]:7.2f} {m[name]:7.0f}  {ratio}  [{bar}]")

    row("python -c pass", None, "interpreter")
    row("import geopandas", "python -c pass", "library floor of any GeoDataFrame tool")
    row("import hotspots.analysis.analyse", "import geopandas", "bar < 1 s")
    row("floor Hertfordshire", None, "floor")
    row("analyse Hertfordshire, no study area", "floor Hertfordshire", "bar <= 2x")
    row("analyse Hertfordshire, 10 districts", "floor Hertfordshire", "bar <= 2x")
    if not args.skip_million:
        row("floor 1M", None, "floor")
        row("analyse 1M, no study area", "floor 1M", "bar <= 4x and < 2048 MB")


if __name__ == "__main__":
    main()
