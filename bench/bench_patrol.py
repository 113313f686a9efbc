"""Benchmark: patrol localities and plans at district, county and synthetic scale.

1. Real police.uk data: Dacorum and the whole of Hertfordshire, last three months and the whole
   13 months: hot areas (Gi* at H3 res 9), the greedy disc cover and the full plan (names,
   trend, peaks, dosage, backtest), top 10.
2. Synthetic scale: 200k and 1M incidents in Gaussian blobs over 20 km × 20 km, all in one hot
   area (the worst case for the greedy loop: every incident must be covered).
3. Outputs: GeoJSON + CSV + KML, HTML briefing and PDF for a top-10 plan.

Prints wall and CPU time of each step (CPU time is the fairer figure on a busy machine).

Run: ``.venv/bin/python bench/bench_patrol.py``

Session 7, pages7: the other pages' filter change (issue 14 item 3). CPU seconds of a change
to a crime group new to the process (``bench_dashboard.pages``' harness: AppTest, every cache
emptied, ``HOTSPOTS_WARM=off``, median of three), main (8feee05) then this branch, two
interleaved rounds on a busy machine (load average 4.7-5.8: compare the pairs; the lead
re-measures quiet):

=========================  ===========================  ===========================
page                       force-year (108k): main ->   demo: main -> pages7
                           pages7
=========================  ===========================  ===========================
Areas                      0.35 / 0.47 -> 0.31 / 0.29   0.21 / 0.21 -> 0.20 / 0.22
Patrol after the Map page  0.43 / 0.47 -> 0.37 / 0.39   0.32 / 0.28 -> 0.30 / 0.26
CCTV                       0.32 / 0.44 -> 0.33 / 0.38   0.22 / 0.21 -> 0.22 / 0.21
VAWG                       0.24 / 0.33 -> 0.25 / 0.26   0.21 / 0.23 -> 0.18 / 0.17
When                       0.11 / 0.14 -> 0.14 / 0.12   0.06 / 0.07 -> 0.07 / 0.08
Patrol alone (*)           0.72 / 0.97 -> 0.77 / 0.72   0.42 / 0.42 -> 0.40 / 0.40
=========================  ===========================  ===========================

Later (06:16 UTC, load average 2.5-2.9, two more interleaved pairs, force-year): Areas 0.38 /
0.37 -> 0.27 / 0.31, CCTV 0.37 / 0.40 -> 0.34 / 0.35, Patrol after the Map page 0.40 / 0.40 ->
0.32 / 0.36.

(*) with the selection's forecast and analysis (another branch's). The pages' own work, CPU
of the force-year's three groups measured alone (same load): the Areas page's measures
(``area_view.area_measures``) 0.23-0.29 -> 0.19-0.22 s a selection; the patrol plan after
the Map page (load 5.8, back to back) 0.36 -> 0.22 s: localities 73 -> 40 ms (the greedy
disc cover 45 -> 17), hot areas 44 -> 31, trend 32 -> 22, timing 16 -> 6. What changed, every
figure, table and export the same (the pages' elements and files compared between main and
this branch for six selections on the demo, the force-year and a district outside
Hertfordshire):

- Comparisons (``measures.periods.compare_all``) count on the rows their periods can count:
  the months compared, a row of each group (the q-values are over every group), a row of the
  first and last month (the data's cover), rows without a month. The disclosure gate of each
  period gets that period's counted rows only; month-only rows are found from the distinct
  precisions; the Areas page selects once when the sidebar's months hold every month.
- Patrol plan: a locality of one location (70-80 % of them) updates the greedy scores without
  the gather; the area's mappable history made once (forecast, trend, backtest); the
  hexagons of hot areas reprojected once per data load (``localities.hexagons_in``); peak
  months, crime mix and trend without per-locality pandas; the bundled harm table read once;
  the briefing's cell context (``PatrolPlan.context``) made when first read.
- CCTV: incidents matched to hot cells by their H3 numbers; the map's hot cells taken from
  the selection's sightings.

Left over the 0.3 s bar on a busy machine: CCTV (most of it is the selection's Gi* cells and
their place names, ``cached.hot_cells``, 0.10-0.14 s, and the map's layers and Streamlit),
Patrol after Map (the plan's place names, peak windows and Streamlit's map, 0.05-0.08 s).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np

from hotspots.analysis.stats import hotspots_gistar
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk, resolve_study_area
from hotspots.data.schema import incidents_from_xy
from hotspots.products.patrol import (
    PatrolPlan,
    build_localities,
    hot_areas_from_cells,
    hot_areas_from_clusters,
    patrol_plan,
    to_csv,
    to_geojson,
    to_kml,
)
from hotspots.space.grid import grid_counts
from hotspots.views.documents.briefing import briefing_html, write_briefing_pdf

T = TypeVar("T")


def _timed(label: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    start, cpu = time.perf_counter(), time.process_time()
    out = func(*args, **kwargs)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return out


def _real(name: str, incidents: gpd.GeoDataFrame, area: object, period: tuple[str, str]) -> None:
    month = incidents["month"].dt.strftime("%Y-%m")
    current = incidents[((month >= period[0]) & (month <= period[1])).to_numpy()]
    current = current[~current["sensitive"].to_numpy(bool)].reset_index(drop=True)
    print(f"\n== {name}, {period[0]} to {period[1]}: {len(current):,} incidents")
    polygon = resolve_study_area(area)
    cells = _timed(
        "Gi* at res 9", lambda: hotspots_gistar(grid_counts(current, 9, study_area=polygon))
    )
    areas = _timed("hot areas", hot_areas_from_cells, current, cells)
    built = _timed("disc cover + spacing", build_localities, current, areas)
    p = built.params
    print(
        f"  {p['n_hot_cells']} hot cells in {p['n_hot_areas']} areas; {p['n_units']} units, "
        f"{p['n_localities']} kept, {p['n_dropped']} dropped; {p['incidents_in_localities']:,} "
        f"of {p['incidents_in_hot_areas']:,} hot-area incidents in localities"
    )
    plan = _timed(
        "patrol_plan (top 10, with backtest)",
        patrol_plan,
        incidents,
        study_area=area,
        period=period,
        top=10,
    )
    s = plan.metadata["summary"]
    share = 100 * s["share_in_localities"]
    print(f"  top 10 hold {s['in_localities']:,} of {s['incidents']:,} ({share:.1f} %)")
    bt = plan.metadata["backtest"]
    if "results" in bt:
        first = bt["results"][0]
        figures = f"hit rate {first['hit_rate']:.2f}, PAI {first['pai']:.1f}"
        print(f"  backtest at {first['coverage']:.0%}: {figures}")


def _synthetic(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` incidents in 400 Gaussian blobs (sd 60 m) over 20 km², snapped to 10 m."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 20_000, (400, 2)) + np.array([490_000, 200_000])
    xy = centres[rng.integers(0, 400, n)] + rng.normal(0, 60, (n, 2))
    xy = np.round(xy / 10) * 10
    return incidents_from_xy(xy, "Anti-social behaviour", month="2021-01-01")


def _scale(n: int) -> None:
    incidents = _synthetic(n)
    print(f"\n== synthetic: {n:,} incidents, one hot area")
    areas = hot_areas_from_clusters(incidents, np.zeros(n, dtype=int), margin_m=0)
    built = _timed("disc cover + spacing", build_localities, incidents, areas)
    p = built.params
    print(f"  {p['n_units']:,} units, {p['n_localities']:,} kept, {p['n_dropped']:,} dropped")


def _outputs(incidents: gpd.GeoDataFrame) -> None:
    plan = patrol_plan(
        incidents, study_area=datasets.DACORUM, period=("2021-10", "2021-12"), top=10,
        run_backtest=False,
    )  # fmt: skip
    print("\n== outputs of a top-10 Dacorum plan")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        _timed("GeoJSON + CSV + KML", _exports, plan, out)
        page = _timed("HTML briefing (11 maps)", briefing_html, plan)
        pdf = _timed("PDF briefing (12 pages)", write_briefing_pdf, plan, out / "b.pdf")
        print(f"  HTML {len(page) / 1e6:.2f} MB, PDF {len(pdf) / 1e6:.2f} MB")


def _exports(plan: PatrolPlan, out: Path) -> None:
    to_geojson(plan, out / "p.geojson")
    to_csv(plan, out / "p.csv")
    to_kml(plan, out / "p.kml")


def main() -> None:
    """Run every benchmark and print the figures."""
    herts = read_policeuk(datasets.herts_policeuk_zip()).incidents
    dacorum = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    districts = gpd.read_file(datasets.districts_path())
    for period in (("2021-11", "2022-01"), ("2021-01", "2022-01")):
        _real("Dacorum", dacorum, datasets.DACORUM, period)
        _real("Hertfordshire", herts, districts, period)
    for n in (200_000, 1_000_000):
        _scale(n)
    _outputs(dacorum)


if __name__ == "__main__":
    main()
