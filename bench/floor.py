"""The floor of a hot spot run: the least work any tool must do, in one process.

Run: ``.venv/bin/python bench/floor.py SOURCE [SOURCE ...] [--res 9] [--k 1]`` where a source is
a police.uk street CSV, a folder of them or a zip. It reads the files with pyarrow (longitude
and latitude only), assigns H3 cells with h3ronpy, builds the k-ring matrix over the occupied
cells and their k-ring (the cells Gi* looks at) and computes Gi* z-scores with one sparse
multiply. No validation, no quarantine, no clusters, no output: the bench scripts
(bench/bench_cold.py) divide a real command's whole-process time and memory by this script's.
It imports nothing from hotspots, so it costs what its libraries cost.

Prints one line: ``floor: <seconds> s, <peak MB> MB, <rows> rows, <cells> cells``.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
import zipfile
from pathlib import Path

T0 = time.perf_counter()

import h3ronpy  # noqa: E402
import h3ronpy.vector as h3v  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pcsv  # noqa: E402
from scipy import sparse  # noqa: E402

_COLUMNS = ["Longitude", "Latitude"]


def _tables(source: Path) -> list[pa.Table]:
    """Longitude/latitude of every street CSV under ``source`` (file, folder or zip)."""
    convert = pcsv.ConvertOptions(
        include_columns=_COLUMNS, column_types={c: pa.float64() for c in _COLUMNS}
    )
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            return [
                pcsv.read_csv(io.BytesIO(archive.read(n)), convert_options=convert)
                for n in sorted(archive.namelist())
                if n.endswith("-street.csv")
            ]
    files = sorted(source.rglob("*-street.csv")) if source.is_dir() else [source]
    return [pcsv.read_csv(f, convert_options=convert) for f in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--res", type=int, default=9)
    parser.add_argument("--k", type=int, default=1)
    args = parser.parse_args(argv)
    table = pa.concat_tables([t for s in args.sources for t in _tables(s)])
    lon = table["Longitude"].to_numpy(zero_copy_only=False)
    lat = table["Latitude"].to_numpy(zero_copy_only=False)
    located = np.isfinite(lon) & np.isfinite(lat)
    cells = np.asarray(h3v.coordinates_to_cells(lat[located], lon[located], args.res))
    occupied, counts = np.unique(cells, return_counts=True)
    grid = np.unique(pa.array(h3ronpy.grid_disk(occupied, args.k)).values.to_numpy())
    disks = pa.array(h3ronpy.grid_disk(grid, args.k))
    rows = np.repeat(np.arange(grid.size), np.diff(disks.offsets.to_numpy()))
    cols = np.searchsorted(grid, disks.values.to_numpy())
    keep = (cols < grid.size) & (grid[np.minimum(cols, grid.size - 1)] == disks.values.to_numpy())
    w = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(grid.size, grid.size)
    )
    y = np.zeros(grid.size)
    y[np.searchsorted(grid, occupied)] = counts
    n, mean, sd = y.size, y.mean(), y.std()
    row_sum = np.asarray(w.sum(axis=1)).ravel()
    z = (w @ y - mean * row_sum) / (sd * np.sqrt((n * row_sum - row_sum**2) / (n - 1)))
    seconds = time.perf_counter() - T0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"floor: {seconds:.2f} s, {peak_mb:.0f} MB, {int(located.sum()):,} rows, "
        f"{grid.size:,} cells, max z {np.nanmax(z):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
