"""Benchmark the national boundary pack: district lookup, cold and warm.

1. Cold: a fresh interpreter that imports :mod:`hotspots.data.boundaries` and looks up
   ``"Leeds"`` (wards, LSOAs, residents, outline); floor: a fresh interpreter that only imports
   geopandas and reads the same rows with pyarrow (no geometry decoding, no reprojection).
2. Warm: in one process, an uncached lookup (``_load`` cache cleared) of Leeds and of
   Birmingham (the district with most LSOAs), the cached lookup, and a name lookup; floor: the
   pyarrow read of the same rows.
3. Ward population: :func:`hotspots.space.areas.district_wards` (LSOA residents shared among
   wards by area), Leeds.
4. Every district in turn (348 uncached lookups).

Prints figure, floor and ratio (wall-clock seconds, best of 5; cold: best of 3).

Run: ``.venv/bin/python bench/bench_boundaries.py``
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Callable

import pyarrow.parquet as pq

from hotspots.data import boundaries
from hotspots.space.areas import district_wards


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _python(code: str, repeat: int = 3) -> float:
    """Best wall time (s) of a fresh interpreter running ``code``."""

    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True)

    return _best(run, repeat)


def _raw(code: str) -> None:
    where = [("lad_code", "==", code)]
    for name in ("wards", "lsoas", "districts"):
        pq.read_table(boundaries.pack_dir() / f"{name}.parquet", filters=where)


def _row(label: str, figure: float, floor: float | None = None) -> None:
    extra = f"  floor {floor * 1e3:8.1f} ms  ratio {figure / floor:5.1f}" if floor else ""
    print(f"{label:<52} {figure * 1e3:9.1f} ms{extra}")


def main() -> None:
    pack_mb = sum(p.stat().st_size for p in boundaries.pack_dir().iterdir()) / 1e6
    print(f"pack: {boundaries.pack_dir()} ({pack_mb:.1f} MB)")
    cold = _python("from hotspots.data.boundaries import district; district('Leeds')")
    floor = _python(
        "import geopandas, pyarrow.parquet as pq; "
        "from hotspots.data.boundaries import pack_dir; "
        "[pq.read_table(pack_dir() / f'{n}.parquet', filters=[('lad_code', '==', 'E08000035')])"
        " for n in ('wards', 'lsoas', 'districts')]"
    )
    _row("cold: new interpreter, import + district('Leeds')", cold, floor)

    for name in ("Leeds", "Birmingham"):
        code, _ = boundaries.find_district(name)

        def uncached(code: str = code) -> None:
            boundaries._load.cache_clear()
            boundaries.district(code)

        _row(f"warm: district({name!r}), uncached", _best(uncached), _best(lambda c=code: _raw(c)))
    boundaries.district("Leeds")
    _row("warm: district('Leeds'), cached", _best(lambda: boundaries.district("Leeds")))
    _row("find_district('leeds') (name → code)", _best(lambda: boundaries.find_district("leeds")))

    def wards_population() -> None:
        boundaries._load.cache_clear()
        district_wards("Leeds")

    _row("district_wards('Leeds'): wards + residents by area", _best(wards_population))

    codes = boundaries.districts()["lad_code"].tolist()
    boundaries._load.cache_clear()
    start = time.perf_counter()
    for code in codes:
        boundaries._load(code)
    total = time.perf_counter() - start
    _row(f"all {len(codes)} districts, uncached (per district)", total / len(codes))


if __name__ == "__main__":
    main()
