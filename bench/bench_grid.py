"""Benchmark the H3 grid: cell assignment (h3-py loop vs h3ronpy), polygons and neighbours.

Run: ``.venv/bin/python bench/bench_grid.py``. Uses the bundled Hertfordshire police.uk
incidents (106,675 located of 108,465 rows, loaded with ``read_policeuk``), 1M points resampled
from them with ~50 m jitter, and 1M points uniform over the county. Prints wall-clock seconds
(best of 3).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import geopandas as gpd
import h3
import h3ronpy.vector as h3v
import numpy as np
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.space import grid
from hotspots.space.grid import assign_cells, cell_polygons, neighbours, study_area_cells


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _herts_lonlat() -> tuple[np.ndarray, np.ndarray]:
    incidents = read_policeuk(datasets.herts_policeuk_zip()).incidents
    return incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()


def _h3py_loop(lon: np.ndarray, lat: np.ndarray, res: int) -> list[str]:
    return [h3.latlng_to_cell(y, x, res) for x, y in zip(lat.tolist(), lon.tolist(), strict=True)]


def _h3ronpy_uint64(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    return np.asarray(h3v.coordinates_to_cells(lat, lon, res))


def _loop_polygons(cells: np.ndarray) -> np.ndarray:
    rings = np.array([h3.cell_to_boundary(c) for c in cells])[:, :, ::-1]
    return shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))


def main() -> None:
    lon, lat = _herts_lonlat()
    rng = np.random.default_rng(0)
    n = 1_000_000
    # real spatial distribution: resample the police.uk points with ~50 m of jitter
    pick = rng.integers(0, lon.size, n)
    real_lon = lon[pick] + rng.normal(0, 0.0007, n)
    real_lat = lat[pick] + rng.normal(0, 0.00045, n)
    # worst case for id conversion: uniform over the county, almost every cell distinct
    west, south, east, north = gpd.read_file(datasets.districts_path()).total_bounds
    uni_lon, uni_lat = rng.uniform(west, east, n), rng.uniform(south, north, n)
    samples = {
        "108k police.uk": (lon, lat),
        "1M resampled": (real_lon, real_lat),
        "1M uniform": (uni_lon, uni_lat),
    }
    print("H3 cell assignment, res 9 (seconds, best of 3)")
    for label, (x, y) in samples.items():
        # cold: the points' cells kept by the process (grid._known) forgotten before each run
        ours = _best(lambda x=x, y=y: (grid._known.clear(), assign_cells(x, y, 9)))
        raw = _best(lambda x=x, y=y: _h3ronpy_uint64(x, y, 9))
        loop = _best(lambda x=x, y=y: _h3py_loop(x, y, 9))
        print(
            f"  {label:15s} {x.size:>9,} pts  h3-py loop {loop:6.3f}  h3ronpy uint64 {raw:6.3f}"
            f"  assign_cells (h3ronpy + hex ids) {ours:6.3f}  ({x.size / ours / 1e6:.2f} M pts/s)"
        )
    wards = gpd.read_file(datasets.wards_path())
    print("Dacorum study area (25 wards)")
    for res in (9, 10, 11):
        t_cells = _best(lambda res=res: study_area_cells(wards, res))
        cells = study_area_cells(wards, res)
        t_poly = _best(lambda cells=cells: cell_polygons(cells))
        t_loop_poly = _best(lambda cells=cells: _loop_polygons(cells), repeat=1)
        t_w1 = _best(lambda cells=cells: neighbours(cells, k=1))
        t_w2 = _best(lambda cells=cells: neighbours(cells, k=2))
        t_loop_w = _best(lambda cells=cells: [h3.grid_disk(c, 1) for c in cells], repeat=1)
        print(
            f"  res {res}: {cells.size:>7,} cells  study_area_cells {t_cells:6.3f}"
            f"  cell_polygons {t_poly:6.3f} (h3 loop {t_loop_poly:6.3f})"
            f"  neighbours k=1 {t_w1:6.3f} k=2 {t_w2:6.3f} (grid_disk loop k=1 {t_loop_w:6.3f})"
        )


if __name__ == "__main__":
    main()
