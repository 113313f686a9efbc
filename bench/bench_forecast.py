"""Benchmark: next-month forecast (hotspots.analysis.forecast) on real data, H3 res 10, 5 %.

Dacorum (the Hertfordshire police.uk months clipped to E07000096), each of the other nine
Hertfordshire districts, the whole county, and the timed extracts (Houston, NYC vehicle thefts, DC
burglaries; study area: the box holding the central 98 % of their incidents in each direction).
For each: forecast + backtest time, the honest (rolling-origin) figures of the default selection,
and the mean PEI / PAI per method over the same test months. The floor is all-history counts (the
bar of issue 12: Dacorum PAI 17.4 / PEI 0.868 by /work/shared/tools/next_month_baselines.py).

The summary compares, per area, the default selection (``auto`` as the product runs it, each
test month chosen from the earlier ones only) with each simple baseline of issue 12: last month,
all-history counts, recency-weighted counts, neighbour-smoothed (smoothed, ring, parent), KDE
and Gi* z; for each kind the best method *in hindsight* (e.g. the best of the four half-lives),
a stricter bar than a baseline chosen out of sample.

Measured 2026-12-06 (H3 res 10, 5 % of the area, next month, 10 test months 2021-04..2022-01;
Houston 5 test months), default ``recency_density``; best baseline in brackets:

=============  ======  =============================  ======
area           PEI     best simple baseline           margin
=============  ======  =============================  ======
Dacorum        0.8747  0.8702 (kde_gauss_76m)         +.0045
E07000095      0.7570  0.7519 (recent_h12)            +.0051
E07000098      0.7893  0.7891 (recent_h3)             +.0002
E07000099      0.9352  0.9352 (kde_gauss_152m)         .0000 (level)
E07000102      0.7296  0.7215 (all_history)           +.0080
E07000103      0.8227  0.8234 (recent_h6)             -.0008
E07000240      0.8126  0.8070 (recent_h6)             +.0056
E07000241      0.8335  0.8302 (recent_h6)             +.0033
E07000242      0.9489  0.9489 (kde_gauss_152m)         .0000 (level)
E07000243      0.7844  0.7809 (recent_h6)             +.0035
Hertfordshire  0.8860  0.8825 (recent_h12)            +.0034
Houston        0.7374  0.7324 (recent_h6, h12)        +.0050
=============  ======  =============================  ======

Mean gain over all-history counts +0.0083 PEI, over the best baseline +0.0032. Before (default
``all_history+kde``, switching on a 0.005 mean margin): Dacorum 0.874, county 0.885, Stevenage
E07000243 0.776 (below all-history 0.778), Watford E07000103 0.818, North Herts E07000099 0.931.
In the two rural districts (E07000099, E07000242) 5 % of the area is more than the cells with
any history, so the choice among empty cells decides and equals the 2-edge KDE's.
NYC and DC are skipped: with no crime type every record is held back from map layers.

Time, forecast + backtest (``--quick``, run one after the other; the machine was shared by
other jobs, load average about 25 on 2 cores, so wall time is mostly waiting and CPU time is
the figure to compare): Dacorum 4.0 s CPU before, 4.8 s after (49.7 / 48.5 s wall); county
17.8 s CPU before, 18.9 s after (219 / 288 s wall). The new term itself costs 0.02 s CPU per
Dacorum forecast (its scores and the 100 captures the backtest makes of it); the rest is noise.

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
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.ingest import ColumnMap, read_incident_csv, read_policeuk, resolve_study_area

TIMED = {
    "houston": ColumnMap(datetime="datetime_local", crime_type="offense", lat="lat", lon="lon"),
    "nyc": ColumnMap(
        datetime="date_start", datetime_to="date_end", lat="latitude", lon="longitude"
    ),
    "dc": ColumnMap(datetime="start_datetime", datetime_to="end_datetime", lat="lat", lon="lon"),
}


BASELINES: dict[str, str] = {
    "last": "last_month",
    "all": "all_history",
    "recent": "recent_h",
    "neighbour": "smoothed|ring|parent",
    "kde": "kde_",
    "gistar": "gistar",
}
"""Simple baselines of issue 12 → the methods they stand for (the best of them in hindsight)."""


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
    simple = table[~table.index.str.contains(r"\+|combination|recency_density")]["pei"]
    out = {"pei": f["pei"]}
    for short, pattern in BASELINES.items():
        out[short] = float(simple[simple.index.str.match(pattern)].max())
    return {**out, "floor": float(floor["pei"]), "seconds": seconds, "cpu_s": cpu}


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
            timed = mappable(read_incident_csv(datasets.timed_path(name), columns).incidents)
            if timed.empty:  # no crime type: every record is held back from map layers
                print(f"\n== {name}: skipped, no incident may feed a map layer")
                continue
            results[name] = _run(name, timed, _central_box(timed))
    table = pd.DataFrame(results).T
    best = table[list(BASELINES)].max(axis=1)
    table["margin"] = table["pei"] - best
    table["beats_all"] = table["pei"] > best
    print("\n== summary (PEI at 5 %, res 10; pei: the default selection, out of sample; the")
    print("   baselines: the best method of each kind in hindsight)")
    print(table.drop(columns="floor").round(4).to_string())
    print(f"mean PEI gain over all_history: {np.mean(table['pei'] - table['floor']):+.4f}")
    print(f"mean PEI gain over the best baseline: {np.mean(table['margin']):+.4f}")


if __name__ == "__main__":
    main()
