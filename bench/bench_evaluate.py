"""Benchmark: rolling monthly backtests of the hotspot methods on real police.uk data.

Dacorum (25 wards) and the whole of Hertfordshire (10 districts), 2021-01 … 2022-01, H3
resolution 9, 6-month training windows, so 7 test months. Prints the time and the method table.

Run: ``.venv/bin/python bench/bench_evaluate.py``
"""

from __future__ import annotations

import time

import geopandas as gpd

from hotspots.analysis.evaluate import backtest
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk


def _run(name: str, incidents: gpd.GeoDataFrame, area: gpd.GeoDataFrame) -> None:
    start = time.perf_counter()
    table = backtest(incidents, study_area=area, res=9, train_months=6)
    seconds = time.perf_counter() - start
    attrs = table.attrs
    print(
        f"\n== {name}: {attrs['n_used']:,} incidents in {attrs['n_cells']:,} H3 res-9 cells, "
        f"{table['folds'].iloc[0]} test months; left out: {attrs['n_outside_area']} outside the "
        f"area, {attrs['n_unlocated']} unlocated; backtest {seconds:.1f} s"
    )
    columns = ["coverage", "rank", "method", "hit_rate", "pai", "pai_sd", "pei_star", "rri"]
    print(table[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    rule = attrs["method_params"]["kde_rule"]
    print("kde_rule bandwidths (m):", {m: round(p["bandwidth_m"]) for m, p in rule.items()})


def main() -> None:
    """Run both backtests and print the tables."""
    start = time.perf_counter()
    herts = read_policeuk(datasets.herts_policeuk_zip()).incidents
    dacorum = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    print(f"loaded with read_policeuk in {time.perf_counter() - start:.1f} s")
    _run("Dacorum", dacorum, gpd.read_file(datasets.wards_path(datasets.DACORUM)))
    _run("Hertfordshire", herts, gpd.read_file(datasets.districts_path()))


if __name__ == "__main__":
    main()
