"""Build the national boundary pack: wards, LSOAs (with 2011 residents) and district outlines.

Reads the per-district GeoJSON of ``boundaries-ew`` (ONS/OS generalised clipped boundaries,
2013 wards and 2011 LSOAs of the 348 districts of England and Wales, see its README) and the
bundled 2011 Census LSOA table, and writes three GeoParquet files (EPSG:27700, coordinates on a
1 m grid, zstd) into ``hotspots/data/resources/boundaries_ew/``:

- ``districts.parquet``: ``lad_code``, ``lad_name``, ``n_wards``, ``n_lsoas``, ``residents``,
  outline (the union of the district's wards);
- ``wards.parquet``: ``lad_code``, ``ward_code``, ``ward_name``, geometry;
- ``lsoas.parquet``: ``lad_code``, ``lsoa_code``, ``lsoa_name``, ``residents``,
  ``households``, geometry.

Ward and LSOA rows are sorted by district and written one row group per district, so a reader
that filters on ``lad_code`` reads only that district. Each district's wards (and its LSOAs)
are simplified together (``shapely.coverage_simplify``, tolerance ``--tolerance`` metres), so
neighbours keep their shared edges. District names come from the LSOA names ("Leeds 001A" →
"Leeds"), which carry the district's name.

Usage::

    .venv/bin/python scripts/build_boundary_pack.py \\
        --source ../shared/data/boundaries-ew --out hotspots/data/resources/boundaries_ew
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from geopandas.io.arrow import _geopandas_to_arrow

BNG = "EPSG:27700"
REPO = Path(__file__).resolve().parents[1]
# Six districts got new codes after 2011 with small boundary changes; their LSOA files keep the
# 2011 code (Northumberland, Gateshead, and four Hertfordshire districts).
LSOA_FILE_CODE = {
    "E06000057": "E06000048",
    "E08000037": "E08000020",
    "E07000242": "E07000097",
    "E07000240": "E07000100",
    "E07000243": "E07000101",
    "E07000241": "E07000104",
}
LICENCES = ("LICENCE-crown-ogl.txt", "LICENCE-cc-by-4.0-martinjc.md")


def _read(path: Path) -> gpd.GeoDataFrame:
    with gzip.open(path) as handle:
        return gpd.read_file(handle).to_crs(BNG)


def _simplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify one district's coverage together, then snap to a 1 m grid (valid polygons)."""
    geoms = shapely.make_valid(geoms)
    simple = shapely.coverage_simplify(geoms, tolerance)
    snapped = shapely.set_precision(simple, 1.0)
    # a sliver can vanish on the 1 m grid: keep the unsnapped simplified shape then
    lost = shapely.is_empty(snapped) | ~np.isin(
        shapely.get_type_id(snapped), [3, 6]
    )  # Polygon, MultiPolygon
    snapped[lost] = shapely.make_valid(simple[lost])
    return snapped


def _population(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, thousands=",", dtype={"LSOA Code": str})
    out = table[["LSOA Code", "Persons", "Households"]]
    return out.rename(
        columns={"LSOA Code": "lsoa_code", "Persons": "residents", "Households": "households"}
    ).set_index("lsoa_code")


def _write(frame: gpd.GeoDataFrame, path: Path, *, groups: pd.Series | None) -> None:
    """GeoParquet, zstd; one row group per district when ``groups`` (sorted) is given."""
    # geopandas' own writer, minus its fixed row-group size: the table with its "geo" metadata
    table = _geopandas_to_arrow(frame, index=False)
    with pq.ParquetWriter(path, table.schema, compression="zstd", compression_level=19) as out:
        if groups is None:
            out.write_table(table)
            return
        start = 0
        for n in groups.value_counts(sort=False).reindex(groups.unique()).to_numpy():
            out.write_table(table.slice(start, int(n)))
            start += int(n)


def build(source: Path, out: Path, *, tolerance: float) -> dict[str, float]:
    """Build the pack from ``source`` into ``out``; return figures for the build log."""
    started = time.perf_counter()
    population = _population(REPO / "data" / "lookups" / "census_2011_population_hh.csv.gz")
    codes = sorted(p.name.removesuffix(".json.gz") for p in (source / "wards_by_lad").glob("*.gz"))
    ward_parts, lsoa_parts, district_rows = [], [], []
    for code in codes:
        wards = _read(source / "wards_by_lad" / f"{code}.json.gz")
        lsoa_file = LSOA_FILE_CODE.get(code, code)
        lsoas = _read(source / "lsoa_by_lad" / f"{lsoa_file}.json.gz")
        ward_geoms = _simplify(wards.geometry.to_numpy(), tolerance)
        lsoa_geoms = _simplify(lsoas.geometry.to_numpy(), tolerance)
        figures = population.reindex(lsoas["LSOA11CD"])
        if figures["residents"].isna().any():
            missing = lsoas["LSOA11CD"][figures["residents"].isna().to_numpy()].tolist()
            raise SystemExit(f"{code}: LSOAs without 2011 population: {missing[:5]}")
        names = lsoas["LSOA11NM"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).unique()
        if len(names) != 1:
            raise SystemExit(f"{code}: LSOA names give several district names {names}")
        ward_parts.append(
            pd.DataFrame(
                {
                    "lad_code": code,
                    "ward_code": wards["WD13CD"].to_numpy(),
                    "ward_name": wards["WD13NM"].to_numpy(),
                    "geometry": ward_geoms,
                }
            )
        )
        lsoa_parts.append(
            pd.DataFrame(
                {
                    "lad_code": code,
                    "lsoa_code": lsoas["LSOA11CD"].to_numpy(),
                    "lsoa_name": lsoas["LSOA11NM"].to_numpy(),
                    "residents": figures["residents"].to_numpy(dtype=np.int32),
                    "households": figures["households"].to_numpy(dtype=np.int32),
                    "geometry": lsoa_geoms,
                }
            )
        )
        covered = (
            shapely.area(shapely.intersection(lsoa_geoms, shapely.union_all(ward_geoms))).sum()
            / shapely.area(lsoa_geoms).sum()
        )
        if covered < 0.97:
            raise SystemExit(f"{code}: its wards cover only {covered:.1%} of its LSOAs' area")
        outline = shapely.set_precision(shapely.union_all(ward_geoms), 1.0)
        district_rows.append(
            {
                "lad_code": code,
                "lad_name": names[0],
                "n_wards": len(wards),
                "n_lsoas": len(lsoas),
                "residents": int(figures["residents"].sum()),
                "geometry": outline,
            }
        )
    out.mkdir(parents=True, exist_ok=True)
    wards = gpd.GeoDataFrame(pd.concat(ward_parts, ignore_index=True), crs=BNG)
    lsoas = gpd.GeoDataFrame(pd.concat(lsoa_parts, ignore_index=True), crs=BNG)
    districts = gpd.GeoDataFrame(pd.DataFrame(district_rows), crs=BNG)
    if not lsoas["lsoa_code"].is_unique or len(lsoas) != len(population):
        raise SystemExit(
            f"{len(lsoas)} LSOA rows ({lsoas['lsoa_code'].nunique()} codes) but the 2011 table "
            f"has {len(population)}: every LSOA should appear once"
        )
    _write(districts, out / "districts.parquet", groups=None)
    _write(wards, out / "wards.parquet", groups=wards["lad_code"])
    _write(lsoas, out / "lsoas.parquet", groups=lsoas["lad_code"])
    for name in LICENCES:
        shutil.copyfile(source / name, out / name)
    size = sum(p.stat().st_size for p in out.iterdir())
    return {
        "districts": len(districts),
        "wards": len(wards),
        "lsoas": len(lsoas),
        "residents": int(lsoas["residents"].sum()),
        "size_mb": size / 1e6,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the boundaries-ew folder")
    parser.add_argument("--out", type=Path, default=REPO / "hotspots/data/resources/boundaries_ew")
    parser.add_argument("--tolerance", type=float, default=15.0, help="metres (default 15)")
    args = parser.parse_args()
    figures = build(args.source, args.out, tolerance=args.tolerance)
    print(
        ", ".join(
            f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items()
        )
    )


if __name__ == "__main__":
    main()
