"""Precompute every ward's area-weighted 2011 residents for the national boundary pack.

:func:`hotspots.space.areas.ward_population` shares each LSOA's residents and households
among the wards it overlaps, by area: exact polygon intersections, a tenth of a second per
district, paid on every command that names the wards of many districts. This script runs it
once for each of the pack's 348 districts and writes ``ward_residents.parquet`` (``lad_code``,
``ward_code``, ``residents``, ``households``, float64, the pack's ward order) beside the pack;
:func:`hotspots.data.boundaries.ward_residents` reads it, and tests/test_boundaries.py checks
it still equals the computation. Rerun it whenever the pack is rebuilt
(``scripts/build_boundary_pack.py``).

Usage::

    .venv/bin/python scripts/build_ward_residents.py
"""

from __future__ import annotations

import pandas as pd

from hotspots.data import boundaries
from hotspots.space.areas import _district_wards


def main() -> None:
    codes = boundaries.districts()["lad_code"].tolist()
    parts = []
    for found in boundaries.districts_data(codes):
        wards, population = _district_wards(found, method="area_weighted", stored=None)
        parts.append(
            pd.DataFrame(
                {
                    "lad_code": found.code,
                    "ward_code": wards["area_code"].to_numpy(),
                    "residents": population["residents"].to_numpy(float),
                    "households": population["households"].to_numpy(float),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    out = boundaries.pack_dir() / "ward_residents.parquet"
    table.to_parquet(out, index=False, compression="zstd")
    print(f"wrote {out}: {len(table):,} wards of {len(parts)} districts")


if __name__ == "__main__":
    main()
