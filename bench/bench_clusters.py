"""Benchmark hotspots.analysis.clusters at force scale: wall time and peak memory per case.

Run: ``.venv/bin/python bench/bench_clusters.py [case ...]`` (all cases by default).
Each case runs in its own subprocess so that its peak RSS (``ru_maxrss``, which includes
the synthetic data and the Python runtime) is its own; the baseline RSS before clustering
is printed alongside. Wall time and CPU time (process plus children) are both printed:
on a shared machine the CPU time is the steadier figure. DBSCAN runs at eps 150 m with
min_samples three times the uniform background's expected count in an eps disc (so only
real hotspots are clusters) unless the case name ends in ``-msN``; "auto" cases let
:func:`dbscan` choose eps at the k-distance knee (timed with the clustering).

Synthetic city (seeded): 20 x 20 km, 60 % of incidents in 300 Gaussian blobs (sd 40-400 m,
sizes Pareto-distributed like real hotspots) and 40 % uniform. "snapped" cases move every
incident to the nearest of 40,000 anonymous map points drawn from the same mixture, like
police.uk's snap points; "exact" cases keep distinct coordinates, like a council ASB log.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import numpy as np
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN, HDBSCAN

from hotspots.analysis.clusters import cluster_profiles, dbscan, hdbscan_clusters
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk

EPS_M = 150.0
MIN_CLUSTER_SIZE = 50
SIDE_M = 20_000.0
UNIFORM_SHARE = 0.4


def min_samples_for(n: int) -> int:
    """Three times the uniform background's expected count in an eps disc: hotspots only."""
    return max(10, int(np.ceil(3 * n * UNIFORM_SHARE / SIDE_M**2 * np.pi * EPS_M**2)))


def city(n: int, *, seed: int = 42) -> np.ndarray:
    """``n`` incidents in a 20 x 20 km synthetic city (metres), blobs plus uniform noise."""
    rng = np.random.default_rng(seed)
    n_blob = int(n * (1 - UNIFORM_SHARE))
    centres = rng.uniform(1_000, SIDE_M - 1_000, (300, 2))
    sizes = rng.pareto(1.5, 300) + 1
    blob = rng.choice(300, n_blob, p=sizes / sizes.sum())
    spread = rng.uniform(40, 400, 300)[blob][:, None]
    pts = np.r_[centres[blob] + rng.normal(0, 1, (n_blob, 2)) * spread,
                rng.uniform(0, SIDE_M, (n - n_blob, 2))]  # fmt: skip
    return pts[rng.permutation(n)]


def snapped(n: int, *, n_map_points: int = 40_000) -> np.ndarray:
    """``n`` incidents snapped to ``n_map_points`` fixed anonymous map points."""
    anchors = city(n_map_points, seed=7)
    return anchors[cKDTree(anchors).query(city(n), workers=-1)[1]]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and its children (joblib workers): robust to a busy box."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_case(case: str) -> None:
    """Run one case in this process and print its figures."""
    kind, size, *ms = case.split("-")
    n = {"50k": 50_000, "200k": 200_000, "300k": 300_000, "1m": 1_000_000}[size]
    min_samples = int(ms[0][2:]) if ms else min_samples_for(n)
    xy = snapped(n) if kind.endswith("snapped") else city(n)
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    extra = ""
    if kind == "sklearn":
        labels = DBSCAN(eps=EPS_M, min_samples=min_samples).fit(xy).labels_
    elif kind == "skhdbscan":
        hdb = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, min_samples=min_samples, copy=True)
        labels = hdb.fit(xy).labels_
    elif kind.startswith("hdbscan"):
        cap = 2 * MIN_CLUSTER_SIZE if kind.startswith("hdbscancap") else None
        res = hdbscan_clusters(
            xy, min_cluster_size=MIN_CLUSTER_SIZE, min_samples=min_samples, max_copies=cap
        )
        labels = res.labels
        extra = f"unique={res.params.n_unique_locations:,} max_copies={cap}"
    else:
        res = dbscan(xy, eps_m=None if kind.startswith("auto") else EPS_M, min_samples=min_samples)
        labels = res.labels
        extra = f"unique={res.params.n_unique_locations:,} eps={res.params.eps_m:.0f} m"
    secs, cpu = time.perf_counter() - t0, _cpu_s() - c0
    print(
        f"{case:<20} n={n:>9,} min_samples={min_samples:<4} {secs:7.2f} s (CPU {cpu:6.2f} s)  "
        f"peak RSS {_rss_mb():6.0f} MB (before clustering {base:4.0f} MB)  "
        f"clusters={int(labels.max()) + 1} noise={np.mean(labels < 0):.3f} {extra}",
        flush=True,
    )


def run_profiles() -> None:
    """cluster_profiles on the bundled Hertfordshire police.uk year (real data)."""
    incidents = read_policeuk(datasets.herts_policeuk_zip()).incidents
    res = dbscan(incidents, eps_m=EPS_M, min_samples=30)
    t0 = time.perf_counter()
    profiles = cluster_profiles(incidents, res)
    secs = time.perf_counter() - t0
    print(f"profiles (Herts, {len(incidents):,} incidents, {len(profiles)} clusters) {secs:.2f} s")


CASES = [
    "snapped-300k",
    "snapped-1m",
    "exact-300k",
    "exact-1m",
    "exact-1m-ms20",
    "exact-1m-ms5",
    "autoexact-1m",
    "autosnapped-1m",
    "sklearn-200k",
    "hdbscan-50k",
    "skhdbscan-50k",
    "hdbscan-200k",
    "hdbscansnapped-300k",
    "hdbscancapsnapped-300k",
    "profiles",
]

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        run_profiles() if sys.argv[2] == "profiles" else run_case(sys.argv[2])
    else:
        for case in sys.argv[1:] or CASES:
            subprocess.run([sys.executable, __file__, "--one", case], check=True)
