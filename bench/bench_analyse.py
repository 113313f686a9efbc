"""End-to-end ``analyse`` (load → H3 + Gi* → DBSCAN + profiles → temporal → write) at three sizes.

Run: ``.venv/bin/python bench/bench_analyse.py``. Each case runs in a fresh subprocess so its
peak memory (max RSS) is its own. Cases: Dacorum police.uk (13k rows), all Hertfordshire
(108k), and a seeded synthetic 1M-row police.uk-style file (Hertfordshire rows resampled with
replacement: the same anonymous map points, so many records share a location, as in police.uk).
Bars (issue 3): Hertfordshire under 10 s; 1M under 60 s and 4 GB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.data import datasets

CASE = """
import sys, time
t0 = time.perf_counter()
from hotspots.analysis.analyse import analyse
from hotspots.data.ingest import load
from hotspots.views.outputs import write_analysis
source, area, out = sys.argv[1:4]
t = time.perf_counter()
inc = load(source, study_area=area).incidents
t_load = time.perf_counter() - t
t = time.perf_counter(); result = analyse(inc, study_area=area); t_an = time.perf_counter() - t
t = time.perf_counter(); write_analysis(result, out); t_w = time.perf_counter() - t
p = result.params["clusters"]
print(f"{len(inc):,} incidents: load {t_load:.1f} s, analyse {t_an:.1f} s, write {t_w:.1f} s; "
      f"{result.params['grid']['n_cells']:,} cells, {p['n_clusters']} clusters "
      f"(eps {p['eps_m']:.0f} m, min_samples {p['min_samples']}, "
      f"{p['n_unique_locations']:,} distinct locations)")
"""


def _synthetic_million(folder: Path) -> Path:
    """1M police.uk-style rows resampled (seeded) from the real Hertfordshire months."""
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as zf:
        parts = [
            pd.read_csv(zf.open(n), dtype=str) for n in sorted(zf.namelist()) if n.endswith(".csv")
        ]
    real = pd.concat(parts, ignore_index=True)
    real = real[real["Longitude"].notna()]
    rng = np.random.default_rng(20260101)
    rows = real.iloc[rng.integers(0, len(real), 1_000_000)].copy()
    ids = pd.Series(np.arange(len(rows)), dtype=str)
    rows["Crime ID"] = ("synthetic-" + ids).to_numpy()
    path = folder / "synthetic-1m-street.csv"
    rows.to_csv(path, index=False)
    return path


def _run(label: str, source: Path, area: str, out: Path) -> None:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CASE, str(source), area, str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{label} failed:\n{proc.stderr}")
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    print(f"{label}: {wall:.1f} s wall (incl. imports), peak RSS so far {peak_gb:.2f} GB")
    print("   ", proc.stdout.strip())


def main() -> None:
    herts = datasets.herts_policeuk_zip()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _run("Dacorum (13k)", herts, datasets.DACORUM, folder / "dacorum")
        _run("Hertfordshire (108k)", herts, str(datasets.districts_path()), folder / "herts")
        million = _synthetic_million(folder)
        _run("Synthetic 1M", million, str(datasets.districts_path()), folder / "million")


if __name__ == "__main__":
    main()
