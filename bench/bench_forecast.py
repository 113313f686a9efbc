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

import re
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.forecast import (
    DEFAULT_METHOD,
    FIT_MONTHS,
    _demoted,
    build_history,
    capture,
    forecast,
    terms_at,
)
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

CRIME_TYPE = {"nyc": "Motor vehicle theft", "dc": "Burglary"}
"""The one crime type of the single-type extracts (their files carry none: without it every
record would count as possibly sensitive and be held back from map layers)."""

BASELINES: dict[str, str] = {
    "last": r"last_month|last_3_months",
    "all": r"all_history",
    "recent": r"recent_h[\d.]+",
    "neighbour": r"smoothed|ring|parent",
    "kde": r"kde_(gauss|quartic)_\d+m",
    "gistar": r"gistar",
    "near_repeat": r"near_repeat",
}
"""Simple baselines of issue 12 → the methods they stand for (regex on the term names): the
parameter of a kind (window, half-life, neighbourhood, bandwidth and kernel) is chosen among
them, each with zero-history cells demoted or allowed to compete."""

RULES = ("demote", "allow")
COVERAGE = 0.05


def _kind(name: str) -> str | None:
    return next((k for k, p in BASELINES.items() if re.fullmatch(p, name)), None)


def _monthly_pei(incidents: gpd.GeoDataFrame, area: object) -> tuple[pd.DataFrame, list]:
    """PEI at 5 % of every simple term (both zero-history rules) and of the default, per month.

    The same months as :func:`forecast` (the test months and up to ``FIT_MONTHS`` before them),
    recomputed here from :func:`terms_at` and :func:`capture`. Returns the table (index: month,
    columns: (method, rule)) and the test months.
    """
    hist = build_history(mappable(incidents), area=resolve_study_area(area), res=10)
    n = len(hist.months)
    fold_ts = [t for t in range(1, n) if hist.counts[:, t].sum() > 0][-(12 + FIT_MONTHS) :]
    test_ts = [t for t in fold_ts if t >= 3][-12:]
    rows = {}
    for t in fold_ts:
        future, past = hist.counts[:, t], hist.counts[:, :t].sum(axis=1)
        row = {}
        terms = terms_at(hist, t)
        for name, score in terms.items():
            if _kind(name) is None and name != DEFAULT_METHOD:
                continue
            for rule in RULES:
                ranked = _demoted(score, past) if rule == "demote" else score
                row[(name, rule)] = capture(ranked, future, COVERAGE)[2]
        rows[hist.months[t]] = row
    return pd.DataFrame.from_dict(rows, orient="index"), [hist.months[t] for t in test_ts]


def _out_of_sample(pei: pd.DataFrame, columns: list, test: list) -> tuple[float, list]:
    """Mean PEI over ``test`` of the column each month would choose from the months before it.

    Each test month takes the column with the best mean PEI over every earlier month (demoted
    first, then the first listed, on a tie): the parameter chosen by rolling-origin backtest.
    """
    got, picks = [], []
    for month in test:
        before = pei.loc[pei.index < month, columns]
        means = before.mean() if len(before) else pd.Series(0.0, index=before.columns)
        pick = max(columns, key=lambda c: (round(float(means[c]), 12), c[1] == "demote"))
        got.append(pei.loc[month, pick])
        picks.append(pick[0] if pick[1] == "demote" else f"{pick[0]} (allow)")
    return float(np.mean(got)), picks


def _short(picks: list[str]) -> str:
    """``recent_h6 x7, recent_h12 x3`` from the monthly picks."""
    counts = pd.Series(picks).value_counts()
    return ", ".join(f"{name} x{n}" for name, n in counts.items())


def _run(name: str, incidents: gpd.GeoDataFrame, area: object) -> dict[str, object]:
    start, cpu = time.perf_counter(), time.process_time()
    result = forecast(incidents, study_area=area, res=10, coverage=COVERAGE)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    f = result.figures
    table = result.backtest[result.backtest["coverage"] == COVERAGE].set_index("method")
    floor = table.loc["all_history"]
    print(
        f"\n== {name}: {f['incidents']:,} incidents, {f['n_cells']:,} cells, {f['folds']} test "
        f"months {f['first_test_month']}..{f['last_test_month']}; forecast + backtest "
        f"{seconds:.1f} s ({cpu:.1f} s CPU)\n   default selection (auto, out of sample): "
        f"PEI {f['pei']:.4f} "
        f"PAI {f['pai']:.2f} hit {f['hit_rate']:.3f}; floor all_history PEI {floor['pei']:.4f} "
        f"PAI {floor['pai']:.2f}; ratio {f['pei'] / floor['pei']:.4f}; shown: {result.method}"
    )
    top = table.sort_values("pei", ascending=False)[["pei", "pai", "hit_rate"]]
    print(top.head(12).round(4).to_string())
    pei, test = _monthly_pei(incidents, area)
    assert [str(m) for m in (test[0], test[-1])] == [f["first_test_month"], f["last_test_month"]]
    picks = [p.split(":", 1)[1] for p in f["picks"]]
    if set(picks) == {DEFAULT_METHOD}:  # an independent check of the forecast's own backtest
        check = float(pei.loc[test, (DEFAULT_METHOD, "demote")].mean())
        assert abs(check - f["pei"]) < 1e-9, (check, f["pei"])
    out: dict[str, object] = {"pei": f["pei"], "pai": f["pai"]}
    hindsight, oos = {}, {}
    simple = [c for c in pei.columns if _kind(c[0])]
    for kind in BASELINES:
        columns = [c for c in simple if _kind(c[0]) == kind]
        if not columns:
            continue
        means = pei.loc[test, columns].mean()
        best = means.idxmax()
        hindsight[kind] = (float(means[best]), best[0] if best[1] == "demote" else f"{best[0]}*")
        oos[kind] = _out_of_sample(pei, columns, test)
        print(
            f"   {kind:11s} hindsight {hindsight[kind][0]:.4f} ({hindsight[kind][1]}); out of "
            f"sample {oos[kind][0]:.4f} ({_short(oos[kind][1])})"
        )
    any_oos = _out_of_sample(pei, simple, test)
    print(f"   any simple, out of sample {any_oos[0]:.4f} ({_short(any_oos[1])})")
    kind_h = max(hindsight, key=lambda k: hindsight[k][0])
    kind_o = max(oos, key=lambda k: oos[k][0])
    out.update(
        hindsight=hindsight[kind_h][0],
        hindsight_method=hindsight[kind_h][1],
        oos=oos[kind_o][0],
        oos_kind=kind_o,
        any_oos=any_oos[0],
        floor=float(floor["pei"]),
        floor_pai=float(floor["pai"]),
        seconds=seconds,
        cpu_s=cpu,
    )
    return out


def _central_box(incidents: gpd.GeoDataFrame) -> shapely.Polygon:
    x, y = incidents.geometry.x, incidents.geometry.y
    (x0, x1), (y0, y1) = x.quantile([0.01, 0.99]), y.quantile([0.01, 0.99])
    return shapely.box(x0, y0, x1, y1)


def _timed(name: str) -> gpd.GeoDataFrame:
    """A timed extract, its one crime type added where the file has none."""
    columns = TIMED[name]
    if name not in CRIME_TYPE:
        return read_incident_csv(datasets.timed_path(name), columns).incidents
    table = pd.read_csv(datasets.timed_path(name))
    table["crime_type"] = CRIME_TYPE[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        table.to_csv(path, index=False)
        columns = ColumnMap(**{**columns.used(), "crime_type": "crime_type"})
        return read_incident_csv(path, columns).incidents


def main() -> None:
    """Run every area (or those named on the command line) and print the tables and a summary."""
    quick = "--quick" in sys.argv
    only = {a for a in sys.argv[1:] if not a.startswith("--")}

    def wanted(name: str) -> bool:
        return not only or name in only

    herts = read_policeuk(datasets.herts_policeuk_zip()).incidents
    results = {}
    if wanted("Dacorum"):
        dacorum = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM)
        results["Dacorum"] = _run("Dacorum", dacorum.incidents, datasets.DACORUM)
    if not quick:
        points = herts.geometry.to_numpy()
        for lad in datasets.HERTFORDSHIRE_LADS:
            if lad == datasets.DACORUM or not wanted(lad):
                continue
            area = resolve_study_area(lad)
            inside = shapely.contains_xy(area, shapely.get_x(points), shapely.get_y(points))
            part = herts[inside]
            part.attrs.update(herts.attrs)
            results[lad] = _run(lad, part, area)
    if wanted("Hertfordshire"):
        results["Hertfordshire"] = _run(
            "Hertfordshire (county)", herts, gpd.read_file(datasets.districts_path())
        )
    if not quick:
        for name in TIMED:
            if not wanted(name):
                continue
            timed = mappable(_timed(name))
            if timed.empty:
                print(f"\n== {name}: skipped, no incident may feed a map layer")
                continue
            results[name] = _run(name, timed, _central_box(timed))
    table = pd.DataFrame(results).T
    table["vs_hindsight"] = table["pei"].astype(float) - table["hindsight"].astype(float)
    table["vs_oos"] = table["pei"].astype(float) - table["oos"].astype(float)
    table["vs_all"] = table["pei"].astype(float) - table["floor"].astype(float)
    print("\n== summary (PEI at 5 %, res 10; pei: the default selection, out of sample;")
    print("   hindsight: the best simple method in hindsight; oos: the best kind of simple")
    print("   baseline with its parameter chosen on the earlier months; any_oos: any simple")
    print("   method chosen on the earlier months)")
    shown = ["pei", "pai", "hindsight", "hindsight_method", "oos", "oos_kind", "any_oos"]
    shown += ["floor", "floor_pai", "vs_hindsight", "vs_oos", "vs_all", "cpu_s"]
    with pd.option_context("display.width", 200):
        print(table[shown].to_string(float_format=lambda v: f"{v:.4f}"))
    for column in ("vs_all", "vs_hindsight", "vs_oos"):
        print(f"mean {column}: {np.mean(table[column]):+.4f}")


if __name__ == "__main__":
    main()
