"""Benchmark: rolling monthly backtests of the hotspot methods on real police.uk data.

Dacorum (25 wards) and the whole of Hertfordshire (10 districts), 2021-01 … 2022-01, H3
resolution 9, 6-month training windows, so 7 test months. Prints the time and the method table.

Run: ``.venv/bin/python bench/bench_evaluate.py``
"""

from __future__ import annotations

import time
import zipfile

import geopandas as gpd
import pandas as pd
from pyproj import Transformer

from hotspots import datasets
from hotspots.evaluate import backtest
from hotspots.schema import BNG, WGS84, WORKING_CRS


def _policeuk(lsoa_prefix: str | None = None) -> gpd.GeoDataFrame:
    """Located police.uk rows as month-only incidents (the columns the backtest reads)."""
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as zf:
        names = sorted(n for n in zf.namelist() if n.endswith("-street.csv"))
        raw = pd.concat([pd.read_csv(zf.open(n), dtype=str) for n in names], ignore_index=True)
    raw = raw[raw["Longitude"].notna()]
    if lsoa_prefix is not None:
        raw = raw[raw["LSOA name"].str.startswith(lsoa_prefix, na=False)]
    lon, lat = raw["Longitude"].astype(float), raw["Latitude"].astype(float)
    x, y = Transformer.from_crs(WGS84, BNG, always_xy=True).transform(lon, lat)
    frame = gpd.GeoDataFrame(
        {
            "month": pd.to_datetime(raw["Month"], format="%Y-%m").to_numpy(),
            "occurred_from": pd.NaT,
            "time_precision": "month",
            "x": x,
            "y": y,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    frame.attrs[WORKING_CRS] = BNG
    return frame


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
    wards = gpd.read_file(datasets.wards_path(datasets.DACORUM))
    _run("Dacorum", _policeuk("Dacorum"), wards)
    districts = gpd.read_file(datasets.districts_path())
    _run("Hertfordshire", _policeuk(), districts)


if __name__ == "__main__":
    main()
