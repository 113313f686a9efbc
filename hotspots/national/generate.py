"""Seeded generator of national-shaped police.uk street-level data (synthetic, for tests).

The 43 police forces of England and Wales each get the real Hertfordshire records (crime mix,
streets, the snapping of incidents to police.uk's repeated map points) moved onto the force's
area: every Hertfordshire point keeps its offset in metres from the county's centre, scaled by
the force's size and added to the force's centre. Files are written in the data.police.uk
layout (``YYYY-MM/YYYY-MM-<force>-street.csv``) with the street CSV's columns, so every reader
and the national job treat them as the real thing. The force centres and sizes are
approximate (a synthetic national *shape*, not real force boundaries); every record is
labelled synthetic in ``Context``.

Examples
--------
``python -m hotspots.national.generate --rows 300000 --months 2021-01 2021-06 --out national/``
"""

from __future__ import annotations

import argparse
import binascii
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.core.crs import BNG, from_lonlat, to_lonlat
from hotspots.data import datasets

STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
"""The columns of a police.uk street-level CSV, in order."""


@dataclass(frozen=True)
class Force:
    """One police force: its police.uk name, approximate centre (degrees) and size."""

    slug: str
    lon: float
    lat: float
    area_km2: float
    residents_m: float


FORCES: tuple[Force, ...] = (
    Force("avon-and-somerset", -2.75, 51.20, 4_800, 1.7),
    Force("bedfordshire", -0.45, 52.05, 1_240, 0.7),
    Force("cambridgeshire", 0.05, 52.35, 3_400, 0.9),
    Force("cheshire", -2.55, 53.20, 2_340, 1.1),
    Force("city-of-london", -0.092, 51.515, 3, 0.01),
    Force("cleveland", -1.20, 54.57, 600, 0.6),
    Force("cumbria", -2.95, 54.55, 6_770, 0.5),
    Force("derbyshire", -1.60, 53.00, 2_630, 1.0),
    Force("devon-and-cornwall", -4.30, 50.55, 10_270, 1.8),
    Force("dorset", -2.30, 50.75, 2_650, 0.8),
    Force("durham", -1.75, 54.70, 2_680, 0.6),
    Force("dyfed-powys", -3.90, 52.20, 10_700, 0.5),
    Force("essex", 0.55, 51.80, 3_670, 1.8),
    Force("gloucestershire", -2.20, 51.85, 3_150, 0.6),
    Force("greater-manchester", -2.25, 53.48, 1_280, 2.8),
    Force("gwent", -3.00, 51.70, 1_550, 0.6),
    Force("hampshire", -1.30, 51.05, 4_150, 2.0),
    Force("hertfordshire", -0.25, 51.80, 1_640, 1.2),
    Force("humberside", -0.50, 53.75, 3_520, 0.9),
    Force("kent", 0.75, 51.20, 3_740, 1.8),
    Force("lancashire", -2.60, 53.85, 3_070, 1.5),
    Force("leicestershire", -1.10, 52.65, 2_540, 1.1),
    Force("lincolnshire", -0.30, 53.10, 5_920, 0.8),
    Force("merseyside", -2.95, 53.42, 650, 1.4),
    Force("metropolitan", -0.12, 51.50, 1_570, 8.9),
    Force("norfolk", 1.00, 52.65, 5_380, 0.9),
    Force("north-wales", -3.75, 53.10, 6_170, 0.7),
    Force("north-yorkshire", -1.50, 54.10, 8_310, 0.8),
    Force("northamptonshire", -0.90, 52.30, 2_360, 0.8),
    Force("northumbria", -1.70, 55.00, 5_550, 1.5),
    Force("nottinghamshire", -1.10, 53.10, 2_160, 1.2),
    Force("south-wales", -3.50, 51.60, 2_070, 1.3),
    Force("south-yorkshire", -1.30, 53.50, 1_550, 1.4),
    Force("staffordshire", -2.00, 52.80, 2_720, 1.1),
    Force("suffolk", 1.05, 52.20, 3_800, 0.8),
    Force("surrey", -0.45, 51.25, 1_660, 1.2),
    Force("sussex", -0.30, 50.95, 3_780, 1.7),
    Force("thames-valley", -1.00, 51.70, 5_740, 2.4),
    Force("warwickshire", -1.55, 52.30, 1_980, 0.6),
    Force("west-mercia", -2.50, 52.40, 7_430, 1.3),
    Force("west-midlands", -1.90, 52.48, 900, 2.9),
    Force("west-yorkshire", -1.60, 53.75, 2_030, 2.3),
    Force("wiltshire", -1.95, 51.35, 3_490, 0.7),
)
"""The 43 territorial police forces of England and Wales (approximate centres and sizes)."""

_HERTS_KM2 = 1_640.0


def hertfordshire_records() -> pd.DataFrame:
    """Every row of the bundled Hertfordshire street CSVs (13 months, 108,465 rows), as text."""
    frames = []
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("-street.csv"):
                frames.append(pd.read_csv(io.BytesIO(archive.read(name)), dtype=str))
    return pd.concat(frames, ignore_index=True)


def generate_national(
    out: Path | str,
    *,
    rows: int,
    months: Sequence[str],
    forces: Sequence[Force] = FORCES,
    seed: int = 0,
) -> list[Path]:
    """Write about ``rows`` synthetic street-level records for ``forces`` over ``months``.

    Rows are shared between forces by residents and spread evenly over the months; each row
    is a Hertfordshire record drawn at random (with replacement), moved onto its force.

    Parameters
    ----------
    out
        Folder to write (created); ``YYYY-MM/YYYY-MM-<force>-street.csv`` files.
    rows
        Total number of records (>= 1).
    months
        ``YYYY-MM`` months to write, e.g. ``["2021-01", "2021-02"]``.
    forces
        Forces to include (default: all 43).
    seed
        Seed of the random draws (same seed, same files).

    Returns
    -------
    list of Path
        The files written, in (month, force) order.
    """
    if rows < 1 or not months or not forces:
        raise ValueError("give rows >= 1, at least one month and at least one force")
    rng = np.random.default_rng(seed)
    source = hertfordshire_records()
    lon = pd.to_numeric(source["Longitude"], errors="coerce").to_numpy()
    lat = pd.to_numeric(source["Latitude"], errors="coerce").to_numpy()
    x, y = from_lonlat(lon, lat, BNG)
    located = np.isfinite(x) & np.isfinite(y)
    cx, cy = np.median(x[located]), np.median(y[located])
    dx, dy = x - cx, y - cy  # NaN where the record has no location (kept: police.uk has them)
    weights = np.array([f.residents_m for f in forces])
    per_force = np.maximum(1, np.round(rows * weights / weights.sum() / len(months))).astype(int)
    out = Path(out)
    written = []
    for month in months:
        folder = out / month
        folder.mkdir(parents=True, exist_ok=True)
        for force, n in zip(forces, per_force, strict=True):
            pick = rng.integers(0, len(source), size=int(n))
            scale = np.sqrt(force.area_km2 / _HERTS_KM2)
            fx, fy = from_lonlat([force.lon], [force.lat], BNG)
            new_lon, new_lat = to_lonlat(fx + dx[pick] * scale, fy + dy[pick] * scale, BNG)
            frame = source.iloc[pick][list(STREET_COLUMNS)].reset_index(drop=True)
            name = force.slug.replace("-", " ").title()
            has_id = frame["Crime ID"].notna().to_numpy()
            ids = np.frombuffer(binascii.hexlify(rng.bytes(32 * int(n))), dtype="S64")
            frame["Crime ID"] = np.where(has_id, ids.astype(str), "")
            frame["Month"] = month
            frame["Reported by"] = f"{name} Police"
            frame["Falls within"] = f"{name} Police"
            frame["Longitude"] = np.where(np.isfinite(new_lon), np.round(new_lon, 6), np.nan)
            frame["Latitude"] = np.where(np.isfinite(new_lat), np.round(new_lat, 6), np.nan)
            frame["LSOA code"] = ""
            frame["LSOA name"] = ""
            frame["Context"] = "synthetic national test data (hotspots.national.generate)"
            path = folder / f"{month}-{force.slug}-street.csv"
            frame.to_csv(path, index=False, float_format="%.6f")
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hotspots.national.generate --rows N --months FIRST LAST --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="total records, e.g. 10000000")
    parser.add_argument("--months", nargs=2, metavar=("FIRST", "LAST"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    months = pd.period_range(args.months[0], args.months[1], freq="M").strftime("%Y-%m")
    files = generate_national(args.out, rows=args.rows, months=list(months), seed=args.seed)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
