"""Benchmark: CCTV coverage, redeployable siting and tasking sheets at county scale.

Run: ``.venv/bin/python bench/bench_cctv.py`` (prints the figures; not a test).

- Coverage of the Hertfordshire police.uk records (13 months, ~107k located incidents) by
  synthetic cameras placed at random incident locations (a third each fixed sector, PTZ
  circle, redeployable), exact test (STRtree + angles) against shapely point-in-polygon on
  the view polygons, camera by camera.
- Siting: greedy maximal coverage on the county's Gi* hot cells as candidates, and the exact
  optimum by ``scipy.optimize.milp`` (ratio reported).
- A tasking sheet for the Dacorum demo log (timed) and cameras.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.stats import hotspots_gistar
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.data.schema import WORKING_CRS
from hotspots.demo.load import load_demo_log
from hotspots.products.cctv import camera_views, coverage, site_cameras, tasking_sheet
from hotspots.products.cctv.siting import candidate_sites
from hotspots.space.grid import grid_counts


def _cameras(incidents: gpd.GeoDataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    at = rng.choice(len(incidents), size=n, replace=False)
    kind = np.array(["fixed", "ptz", "redeployable"])[rng.integers(0, 3, n)]
    bearing = np.where(kind == "ptz", np.nan, rng.uniform(0, 360, n))
    return pd.DataFrame(
        {
            "camera_id": [f"C{i}" for i in range(n)],
            "type": kind,
            "range_m": rng.uniform(40, 150, n),
            "bearing_deg": bearing,
            "fov_deg": np.where(kind == "ptz", np.nan, rng.uniform(40, 120, n)),
            "lon": incidents.geometry.x.to_numpy()[at],
            "lat": incidents.geometry.y.to_numpy()[at],
            "status": "active",
        }
    )


def _timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    incidents = _timed("load Hertfordshire police.uk", read_policeuk, datasets.herts_policeuk_zip())
    incidents = incidents.incidents
    print(f"  {len(incidents):,} located incidents")
    x, y = incidents["x"].to_numpy(), incidents["y"].to_numpy()
    for n in (100, 1_000, 10_000):
        cams = _cameras(incidents, n)
        result = _timed(f"coverage, {n:,} cameras (exact)", coverage, incidents, cams)
        print(f"  share covered {result.share:.1%}")
        if n <= 1_000:
            views = camera_views(cams, segments=256).to_crs(incidents.attrs[WORKING_CRS])
            start = time.perf_counter()
            inside = np.zeros(len(incidents), dtype=bool)
            for view in views.geometry.to_numpy():
                inside |= shapely.contains_xy(view, x, y)
            seconds = time.perf_counter() - start
            differ = np.flatnonzero(inside != result.covered_mask)
            edges = shapely.union_all([v.boundary for v in views.geometry.to_numpy()])
            gap = shapely.distance(shapely.points(x[differ], y[differ]), edges)
            print(
                f"  reference contains_xy per camera: {seconds:.2f} s; {len(differ)} incidents "
                f"differ, all within {gap.max() if len(gap) else 0:.3f} m of a view's edge"
            )

    districts = gpd.read_file(datasets.districts_path())
    grid = _timed("grid_counts res 9, county", grid_counts, incidents, 9, study_area=districts)
    cells = _timed("Gi*", hotspots_gistar, grid)
    sites = candidate_sites(cells)
    print(f"  {len(sites):,} hot cells as candidate sites")
    existing = _cameras(incidents, 300, seed=1)
    for k in (5, 20, 50):
        plan = _timed(
            f"siting k={k}, range 250 m, greedy + exact",
            site_cameras,
            incidents,
            sites,
            k=k,
            range_m=250,
            cameras=existing,
            exact_max_candidates=10_000,
        )
        print(
            f"  greedy {plan.greedy:.0f}, optimum {plan.optimum}, ratio {plan.ratio}, "
            f"{plan.params['exact']}"
        )
        greedy_only = _timed(
            f"siting k={k}, greedy only",
            site_cameras,
            incidents,
            sites,
            k=k,
            range_m=250,
            cameras=existing,
            exact_max_candidates=0,
        )
        print(f"  greedy {greedy_only.greedy:.0f} <= optimum <= {greedy_only.upper_bound:.0f}")

    log = load_demo_log().incidents
    wards = gpd.read_file(datasets.wards_path())
    demo_cells = hotspots_gistar(grid_counts(log, 9, study_area=wards))
    cams = pd.read_csv(datasets.demo_path("cameras"))
    sheet = _timed("tasking sheet, Dacorum log", tasking_sheet, log, cams, demo_cells)
    print(f"  {len(sheet.windows)} windows for {sheet.windows['camera_id'].nunique()} cameras")


if __name__ == "__main__":
    main()
