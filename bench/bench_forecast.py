"""Benchmark: next-month forecast (hotspots.analysis.forecast) on real data, H3 res 10, 5 %.

Dacorum (the Hertfordshire police.uk months clipped to E07000096), each of the other nine
Hertfordshire districts, the whole county, and the timed extracts (Houston, NYC vehicle thefts, DC
burglaries; study area: the box holding the central 98 % of their incidents in each direction).
For each: forecast + backtest time, the honest (rolling-origin) figures of the default selection,
and the mean PEI / PAI per method over the same test months. The floor is all-history counts (the
bar of issue 12: Dacorum PAI 17.4 / PEI 0.868 by /work/shared/tools/next_month_baselines.py).

Run: ``.venv/bin/python bench/bench_forecast.py [--quick]`` (``--quick``: Dacorum and county only)
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.forecast import forecast
from hotspots.data import datasets
from hotspots.data.ingest import ColumnMap, read_incident_csv, read_policeuk, resolve_study_area

TIMED = {
    "houston": ColumnMap(datetime="datetime_local", crime_type="offense", lat="lat", lon="lon"),
    "nyc": ColumnMap(
        datetime="date_start", datetime_to="date_end", lat="latitude", lon="longitude"
    ),
    "dc": ColumnMap(datetime="start_datetime", datetime_to="end_datetime", lat="lat", lon="lon"),
}


def _run(name: str, incidents: gpd.GeoDataFrame, area: object) -> dict[str, float]:
    start, cpu = time.perf_counter(), time.process_time()
    result = forecast(incidents, study_area=area, res=10, coverage=0.05)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    f = result.figures
    table = result.backtest[result.backtest["coverage"] == 0.05].set_index("method")
    floor = table.loc["all_history"]
    print(
        f"\n== {name}: {f['incidents']:,} incidents, {f['n_cells']:,} cells, {f['folds']} test "
        f"months {f['first_test_month']}..{f['last_test_month']}; forecast + backtest "
        f"{seconds:.1f} s ({cpu:.1f} s CPU)\n   default selection (auto, out of sample): "
        f"PEI {f['pei']:.3f} "
        f"PAI {f['pai']:.2f} hit {f['hit_rate']:.3f}; floor all_history PEI {floor['pei']:.3f} "
        f"PAI {floor['pai']:.2f}; ratio {f['pei'] / floor['pei']:.4f}; shown: {result.method}"
    )
    top = table.sort_values("pei", ascending=False)[["pei", "pai", "hit_rate"]]
    print(top.round(3).to_string())
    return {"pei": f["pei"], "floor": float(floor["pei"]), "seconds": seconds, "cpu_s": cpu}


def _central_box(incidents: gpd.GeoDataFrame) -> shapely.Polygon:
    x, y = incidents.geometry.x, incidents.geometry.y
    (x0, x1), (y0, y1) = x.quantile([0.01, 0.99]), y.quantile([0.01, 0.99])
    return shapely.box(x0, y0, x1, y1)


def main() -> None:
    """Run every area and print the per-method tables and a summary line."""
    quick = "--quick" in sys.argv
    herts = read_policeuk(datasets.herts_policeuk_zip()).incidents
    results = {}
    dacorum = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM)
    results["Dacorum"] = _run("Dacorum", dacorum.incidents, datasets.DACORUM)
    if not quick:
        points = herts.geometry.to_numpy()
        for lad in datasets.HERTFORDSHIRE_LADS:
            if lad == datasets.DACORUM:
                continue
            area = resolve_study_area(lad)
            inside = shapely.contains_xy(area, shapely.get_x(points), shapely.get_y(points))
            part = herts[inside]
            part.attrs.update(herts.attrs)
            results[lad] = _run(lad, part, area)
    results["Hertfordshire"] = _run(
        "Hertfordshire (county)", herts, gpd.read_file(datasets.districts_path())
    )
    if not quick:
        for name, columns in TIMED.items():
            timed = read_incident_csv(datasets.timed_path(name), columns).incidents
            results[name] = _run(name, timed, _central_box(timed))
    table = pd.DataFrame(results).T
    table["beats_floor"] = table["pei"] > table["floor"]
    print("\n== summary (PEI at 5 %, res 10)")
    print(table.round(4).to_string())
    print(f"mean PEI gain over all_history: {np.mean(table['pei'] - table['floor']):+.4f}")


if __name__ == "__main__":
    main()
