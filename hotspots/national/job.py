"""The national batch job: police.uk for every force and month, on a Dask cluster.

Steps (each a Dask task graph; raw rows never reach the client):

1. **Read** each street-level file (one force and month) on a worker with the single-machine
   reader (:func:`hotspots.data.ingest.policeuk.read_policeuk_files`: same validation and
   quarantine); the rows set aside are written beside the results, one file per partition.
   Each partition becomes counts per H3 cell and month, and counts per district, month and
   location (police.uk's map points) for the forecasts of step 6.
2. **Aggregate** the counts per (cell, month) over all partitions (a cell on a force boundary
   gets incidents from both forces' files).
3. **Block**: the study-area cells are grouped into blocks (their H3 parent ``block_res``);
   each block's counts travel with a halo (the cells within ``k`` rings of it in other
   blocks), so a cell on a block or force boundary sees all its neighbours.
4. **Gi\\*** per month and **emerging hot spots** per cell, block by block, with
   :func:`hotspots.analysis.stats.gistar_by_period` given the whole cube's
   :class:`~hotspots.analysis.stats.Moments`; the Benjamini–Hochberg cut-off of each month
   comes from the whole country's p-values (:func:`~hotspots.analysis.stats.fdr_threshold`
   with ``n_tests``), and the categories from :func:`~hotspots.analysis.stats.emerging_table`.
   The results equal a single-machine run over the same cells.
5. **Write** partitioned GeoParquet (``gistar/``, ``emerging/``) and the quarantine from the
   workers; per-force and per-district summaries (incidents, rates per 1,000 residents with
   the national boundary pack, hot cells).
6. **Forecast** next month's hot spots of each district: the location counts are shuffled
   into one partition per group of districts, and each district's incidents go through the
   single-machine :func:`hotspots.analysis.forecast.forecast` (its backtest chooses the
   method) over the district's outline; its top cells are listed with rank, score, method
   and the backtest's PEI at 5 % of the area.

Without a scheduler address a :class:`distributed.LocalCluster` is started on this machine.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3ronpy
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from hotspots.analysis.forecast import forecast
from hotspots.analysis.stats import (
    Moments,
    emerging_table,
    fdr_threshold,
    gistar_by_period,
    significance_bins,
)
from hotspots.analysis.stats.emerging import MIN_PERIODS
from hotspots.analysis.stats.fdr import CONFIDENCE_LEVELS
from hotspots.core.crs import BNG, WGS84, from_lonlat, to_crs
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.disclosure import mappable
from hotspots.core.io import write_csv
from hotspots.data.boundaries import district_outlines, districts_at
from hotspots.data.ingest import resolve_study_area
from hotspots.data.ingest.files import SourceFile, expand
from hotspots.data.ingest.policeuk import read_policeuk_files
from hotspots.space import grid

EMERGING_ALPHA = 0.05
"""Significance level of hot/cold bins and trends in the emerging hot spot categories."""

FORECAST_COVERAGE = 0.05
"""Share of each district's cells the forecast selects and its backtest PEI is measured at."""

_NEAR_DISTRICT_M = 10.0
"""A location is sent to every district whose outline lies within this distance (metres,
British National Grid): a superset of the districts whose lon/lat outline holds it, which
each district's forecast then keeps exactly as a single-machine forecast would."""

_LOCATION_META = pd.DataFrame(
    {
        "lad_code": pd.Series(dtype="object"),
        "month": pd.Series(dtype="int32"),
        "lon": pd.Series(dtype="float64"),
        "lat": pd.Series(dtype="float64"),
        "x": pd.Series(dtype="float64"),
        "y": pd.Series(dtype="float64"),
        "count": pd.Series(dtype="int64"),
        "crs": pd.Series(dtype="object"),
    }
)

_COUNT_META = pd.DataFrame(
    {
        "cell": pd.Series(dtype="uint64"),
        "month": pd.Series(dtype="int32"),
        "force": pd.Series(dtype="object"),
        "count": pd.Series(dtype="int64"),
    }
)


@dataclass(frozen=True)
class _StudyCells:
    """The sorted ``uint64`` study cells and their blocks (H3 parents, sorted alike)."""

    cells: np.ndarray
    blocks: np.ndarray

    def of_block(self, block: np.uint64) -> np.ndarray:
        """The block's cells (an H3 parent's children are contiguous in sorted order)."""
        lo = int(np.searchsorted(self.blocks, block, "left"))
        return self.cells[lo : int(np.searchsorted(self.blocks, block, "right"))]


@dataclass
class NationalResult:
    """What :func:`run_national` wrote and measured.

    Attributes
    ----------
    out
        The output folder: ``gistar/`` and ``emerging/`` (GeoParquet parts, one per block
        partition), ``forces.csv``, ``districts.csv``, ``district_top_cells.csv``,
        ``quarantine/`` and ``params.json``.
    forces
        Per force: files, rows read, kept and quarantined, incidents per month.
    params
        Every choice made (resolution, k, block resolution, months, cells, moments, FDR
        cut-offs per month, workers) and the time of each step in seconds.
    """

    out: Path
    forces: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def run_national(
    sources: Sequence[str | Path] | str | Path,
    *,
    out: str | Path,
    res: int = 9,
    k: int = 1,
    study_area: Any = None,
    block_res: int | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    memory_limit: str = "3GiB",
    progress: bool = False,
    top_cells_per_district: int = 5,
) -> NationalResult:
    """Count, Gi* per month and emerging hot spots for many forces and months on Dask.

    Parameters
    ----------
    sources
        police.uk street-level files, monthly folders or data.police.uk zips (any forces).
    out
        Output folder (created).
    res, k
        H3 resolution of the cells and the Gi* k-ring.
    study_area
        Polygons of the area analysed (any CRS, or lon/lat shapely geometry); ``None``: the
        cells holding incidents and their ``k`` rings. Incidents outside it are counted as
        such and left out.
    block_res
        H3 resolution of the blocks (default ``res - 4``: about 2,400 cells a block).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a local
        cluster of ``n_workers`` single-threaded worker processes of ``memory_limit`` each.
    progress
        Print Dask's progress bars.
    top_cells_per_district
        Cells listed per district in ``district_top_cells.csv``: the best-ranked cells of the
        district's forecast for the month after the data (:func:`_district_forecasts`).

    Returns
    -------
    NationalResult
    """
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    from distributed import progress as show_progress

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [f for f in expand(sources) if f.name.endswith("-street.csv")]
    if not files:
        raise ValueError(f"no police.uk street-level files (*-street.csv) among {sources}")
    block_res = max(res - 4, 0) if block_res is None else int(block_res)
    timings: dict[str, float] = {}
    cluster = None
    if scheduler is None:
        # a busy machine can take longer than Dask's default 30 s to start worker processes
        with dask.config.set({"distributed.comm.timeouts.connect": "180s"}):
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=memory_limit,
                dashboard_address=None,
                timeout="180s",
            )
    client = Client(scheduler or cluster, timeout="180s")
    try:
        start = time.perf_counter()
        quarantine_dir = out / "quarantine"
        quarantine_dir.mkdir(exist_ok=True)
        locations_dir = out / "_locations"  # removed once the forecasts are written
        shutil.rmtree(locations_dir, ignore_errors=True)  # a stopped run's
        locations_dir.mkdir()
        read = client.map(
            _read_partition,
            files,
            res=res,
            quarantine_dir=quarantine_dir,
            locations_dir=locations_dir,
        )
        if progress:
            show_progress(read)
        counts = dd.from_delayed(
            client.map(itemgetter(0), read), meta=_COUNT_META, verify_meta=False
        ).persist()
        reports = client.gather(client.map(itemgetter(1), read))
        del read
        by_force = counts.groupby(["force", "month"])["count"].sum().compute()
        timings["read_s"] = time.perf_counter() - start

        start = time.perf_counter()
        bins = counts.groupby(["cell", "month"])["count"].sum(split_out=True).reset_index()
        bins = bins.persist()
        occupied, months = dask.compute(bins["cell"].unique(), bins["month"].unique())
        months = np.sort(np.asarray(months, dtype=np.int32))
        if months.size < MIN_PERIODS:
            raise ValueError(
                f"emerging hot spots need at least {MIN_PERIODS} months, the sources hold "
                f"{months.size}"
            )
        occupied = np.asarray(occupied, dtype=np.uint64)
        study = _study_cells(study_area, occupied, res, k)
        study_future = client.scatter(
            _StudyCells(study, _parents(study, block_res)), broadcast=True
        )
        bins = bins.map_partitions(_inside, study_future, meta=bins._meta).persist()
        total, total_sq = dask.compute(
            bins["count"].sum(), (bins["count"].astype("float64") ** 2).sum()
        )
        moments = Moments.from_sums(study.size * months.size, float(total), float(total_sq))
        timings["aggregate_s"] = time.perf_counter() - start

        start = time.perf_counter()
        blocks = np.unique(_parents(study, block_res))
        markers = pd.DataFrame(
            {
                "cell": np.zeros(blocks.size, dtype=np.uint64),
                "month": np.full(blocks.size, months[0], dtype=np.int32),
                "count": np.zeros(blocks.size, dtype=np.int64),
                "block": blocks,
            }
        )
        with_blocks = bins.map_partitions(_with_blocks, k, block_res, meta=markers.iloc[:0])
        blocked = dd.concat([with_blocks, dd.from_pandas(markers, npartitions=1)]).shuffle(
            on="block", npartitions=int(blocks.size)
        )
        blocked = blocked.persist()
        if progress:
            show_progress(blocked)
        small_p = blocked.map_partitions(
            _block_small_p,
            study_future,
            months,
            moments,
            k,
            block_res,
            meta=pd.DataFrame({"month": pd.Series(dtype="int32"), "p": pd.Series(dtype=float)}),
        ).compute()
        cutoffs = {
            int(m): {
                alpha: fdr_threshold(group["p"].to_numpy(), alpha=alpha, n_tests=study.size)
                for _, alpha in CONFIDENCE_LEVELS
            }
            for m, group in small_p.groupby("month")
        }
        for m in months:
            cutoffs.setdefault(int(m), {alpha: 0.0 for _, alpha in CONFIDENCE_LEVELS})
        timings["gistar_s"] = time.perf_counter() - start

        start = time.perf_counter()
        for folder in ("gistar", "emerging"):
            (out / folder).mkdir(exist_ok=True)
        written = blocked.map_partitions(
            _block_write,
            study_future,
            months,
            moments,
            k,
            block_res,
            cutoffs,
            str(out),
            meta=_DISTRICT_META,
        ).compute()
        timings["write_s"] = time.perf_counter() - start

        start = time.perf_counter()
        through = _month_text(months[-1])
        districts = sorted(set(written["lad_code"]))
        forecasts = _forecast_districts(
            client,
            locations_dir,
            districts,
            through=through,
            res=res,
            top=top_cells_per_district,
            progress=progress,
        )
        timings["forecast_s"] = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    shutil.rmtree(locations_dir, ignore_errors=True)
    forces = _force_summary(reports, by_force)
    write_csv(forces, out / "forces.csv")
    district_table = _district_summary(written)
    write_csv(district_table, out / "districts.csv")
    write_csv(_with_names(forecasts), out / "district_top_cells.csv")
    params = {
        "res": res,
        "k": k,
        "block_res": block_res,
        "months": [_month_text(m) for m in months],
        "n_cells": int(study.size),
        "n_occupied_cells": int(occupied.size),
        "study_area": "given" if study_area is not None else f"occupied cells and {k} ring(s)",
        "moments": {"n": moments.n, "mean": moments.mean, "sd": moments.sd},
        "fdr_cutoffs": {_month_text(m): v for m, v in sorted(cutoffs.items())},
        "files": len(files),
        "districts": int(district_table["lad_code"].nunique()),
        "forecast": {
            "month": str(pd.Period(through, freq="M") + 1),
            "through": through,
            "coverage": FORECAST_COVERAGE,
            "districts": int(forecasts["lad_code"].nunique()),
            "area": "each district's outline (national boundary pack)",
        },
        "workers": n_workers if scheduler is None else scheduler,
        **timings,
    }
    (out / "params.json").write_text(json.dumps(params, indent=2, default=str))
    return NationalResult(out=out, forces=forces, params=params)


# --------------------------------------------------------------------------- worker tasks


def _read_partition(
    file: SourceFile, res: int, quarantine_dir: Path, locations_dir: Path
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One force-month file → counts per (cell, month), its load report, its quarantine and
    its counts per district, month and location (written to ``locations_dir``).

    Only incidents that may feed a map are counted (:func:`hotspots.core.disclosure.mappable`:
    sensitive ones left out, as in a single-machine analysis).
    """
    loaded = read_policeuk_files([file])
    incidents = mappable(loaded.incidents)
    force = _force_of(file)
    if len(loaded.quarantine):
        loaded.quarantine.drop(columns="geometry", errors="ignore").astype(str).to_parquet(
            quarantine_dir / f"{file.stem}.parquet"
        )
    report = {
        "force": force,
        "file": file.label,
        "rows_read": int(len(incidents) + len(loaded.quarantine)),
        "rows_kept": len(incidents),
        "rows_quarantined": len(loaded.quarantine),
    }
    if incidents.empty:
        return _COUNT_META.copy(), report
    lon, lat = incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    cells = grid.cell_ints(lon, lat, res)
    month = (incidents["month"].dt.year * 100 + incidents["month"].dt.month).to_numpy(np.int32)
    locations = _location_counts(incidents, lon, lat, month)
    if len(locations):
        locations.to_parquet(locations_dir / f"{file.stem}.parquet", index=False)
    frame = pd.DataFrame({"cell": cells, "month": month})
    counted = frame.value_counts(sort=False).rename("count").reset_index()
    counted["force"] = force
    return counted[list(_COUNT_META.columns)].astype(_COUNT_META.dtypes.to_dict()), report


def _inside(bins: pd.DataFrame, study: _StudyCells) -> pd.DataFrame:
    """The rows of cells in the study area."""
    return bins[_isin_sorted(bins["cell"].to_numpy(np.uint64), study.cells)]


def _with_blocks(bins: pd.DataFrame, k: int, block_res: int) -> pd.DataFrame:
    """Each count row with its cell's block, plus a copy for every other block it is a halo of."""
    cells = bins["cell"].to_numpy(np.uint64)
    own = _parents(cells, block_res)
    unique, inverse = np.unique(cells, return_inverse=True)
    disks = pa.array(h3ronpy.grid_disk(unique, int(k)))
    sizes = np.diff(disks.offsets.to_numpy())
    near_blocks = _parents(disks.values.to_numpy().astype(np.uint64), block_res)
    pairs = pd.DataFrame({"u": np.repeat(np.arange(unique.size), sizes), "block": near_blocks})
    pairs = pairs.drop_duplicates()
    pairs = pairs[pairs["block"].to_numpy() != _parents(unique, block_res)[pairs["u"]]]
    base = bins[["cell", "month", "count"]].assign(block=own)
    if pairs.empty:
        return base
    halo_of_unique = pairs.groupby("u")["block"].agg(list)
    rows = pd.DataFrame({"row": np.arange(len(bins)), "u": inverse})
    rows = rows[rows["u"].isin(halo_of_unique.index)]
    rows = rows.assign(block=rows["u"].map(halo_of_unique)).explode("block")
    halo = bins.iloc[rows["row"].to_numpy()][["cell", "month", "count"]].assign(
        block=rows["block"].to_numpy(np.uint64)
    )
    return pd.concat([base, halo], ignore_index=True)


def _block_cube(
    rows: pd.DataFrame,
    block: np.uint64,
    study: _StudyCells,
    months: np.ndarray,
    moments: Moments,
    k: int,
    block_res: int,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Gi* of one block with its halo: the block's own cells and their rows (cell-major)."""
    own = study.of_block(block)
    if own.size == 0:
        return own, pd.DataFrame()
    ring = pa.array(h3ronpy.grid_disk(own, int(k))).values.to_numpy().astype(np.uint64)
    ring = np.unique(ring)
    halo = ring[_isin_sorted(ring, study.cells) & (_parents(ring, block_res) != block)]
    cells = np.concatenate([own, halo])
    names = grid.ints_to_cells(cells)
    position = pd.Series(np.arange(cells.size), index=cells)
    real = rows[rows["cell"].to_numpy(np.uint64) != 0]  # not the block's marker row
    at = position.reindex(real["cell"].to_numpy(np.uint64)).to_numpy()
    keep = ~np.isnan(at)
    month_pos = np.searchsorted(months, real["month"].to_numpy()[keep])
    flat = at[keep].astype(int) * months.size + month_pos
    values = np.zeros(cells.size * months.size)
    values[flat] = real["count"].to_numpy()[keep]
    cube = pd.DataFrame(
        {
            "cell": np.repeat(names, months.size),
            "month": np.tile(months, cells.size),
            "count": values,
        }
    )
    gi = gistar_by_period(cube, k=k, alpha_fdr=False, moments=moments)
    # rows are cell-major, own cells first: the block's own cells are the first rows
    return own, gi.iloc[: own.size * months.size].reset_index(drop=True)


def _block_results(
    part: pd.DataFrame,
    study: _StudyCells,
    months: np.ndarray,
    moments: Moments,
    k: int,
    block_res: int,
) -> Iterator[tuple[np.ndarray, pd.DataFrame]]:
    """Each block of the partition that holds study cells: its cells and their Gi* rows."""
    for block, rows in part.groupby("block", sort=True):
        own, gi = _block_cube(rows, np.uint64(block), study, months, moments, k, block_res)
        if own.size:
            yield own, gi


def _block_small_p(
    part: pd.DataFrame,
    study: _StudyCells,
    months: np.ndarray,
    moments: Moments,
    k: int,
    block_res: int,
) -> pd.DataFrame:
    """The p-values <= 0.10 of the partition's own cells, by month (for the FDR cut-offs)."""
    pieces = []
    top = max(alpha for _, alpha in CONFIDENCE_LEVELS)
    for _, mine in _block_results(part, study, months, moments, k, block_res):
        small = mine[mine["gi_p"].to_numpy() <= top]
        pieces.append(
            pd.DataFrame({"month": small["month"].to_numpy(np.int32), "p": small["gi_p"]})
        )
    if not pieces:
        return pd.DataFrame({"month": pd.Series(dtype="int32"), "p": pd.Series(dtype=float)})
    return pd.concat(pieces, ignore_index=True)


def _block_write(
    part: pd.DataFrame,
    study: _StudyCells,
    months: np.ndarray,
    moments: Moments,
    k: int,
    block_res: int,
    cutoffs: dict[int, dict[float, float]],
    out: str,
) -> pd.DataFrame:
    """Gi* per month (bins with the national FDR cut-offs) and emerging categories, written.

    Returns the partition's incidents and hot cells per district and month (for the district
    summaries).
    """
    gis, emerging = [], []
    for own, mine in _block_results(part, study, months, moments, k, block_res):
        month_of = mine["month"].to_numpy()
        p = mine["gi_p"].to_numpy()
        z = mine["gi_z"].to_numpy()
        bins = np.zeros(len(mine), dtype=np.int8)
        significant = np.zeros(len(mine), dtype=bool)
        for m in months:
            at = month_of == m
            bins[at] = significance_bins(z[at], p[at], cutoffs=cutoffs[int(m)])
            significant[at] = p[at] <= cutoffs[int(m)][EMERGING_ALPHA]
        mine["gi_bin"] = bins
        gis.append(mine[["cell", "month", "count", "gi_z", "gi_p", "gi_bin"]])
        shape = (own.size, months.size)
        emerging.append(
            emerging_table(
                grid.ints_to_cells(own),
                z.reshape(shape),
                significant.reshape(shape),
                alpha=EMERGING_ALPHA,
            )
        )
    if not gis:
        return _DISTRICT_META.copy()
    name = f"part-{int(part['block'].iloc[0]):016x}.parquet"
    gistar = pd.concat(gis, ignore_index=True)
    gistar["month"] = [_month_text(m) for m in gistar["month"]]
    cells_table = pd.concat(emerging, ignore_index=True)
    _write_cells(gistar, Path(out) / "gistar" / name)
    _write_cells(cells_table, Path(out) / "emerging" / name)
    return _by_district(gistar)


_DISTRICT_META = pd.DataFrame(
    {
        "lad_code": pd.Series(dtype=object),
        "month": pd.Series(dtype=object),
        "count": pd.Series(dtype="int64"),
        "hot": pd.Series(dtype="int64"),
    }
)


def _by_district(gistar: pd.DataFrame) -> pd.DataFrame:
    """Incidents and hot cells per district and month; cells are placed by their centre."""
    cells = pd.unique(gistar["cell"])
    lon, lat = grid.cell_centres(cells)
    lad = districts_at(lon, lat)
    where = pd.Series(lad, index=cells)
    frame = gistar.assign(
        lad_code=where.reindex(gistar["cell"]).to_numpy(),
        hot=(gistar["gi_bin"].to_numpy() >= HOT_MIN_BIN).astype("int64"),
    ).dropna(subset=["lad_code"])
    monthly = frame.groupby(["lad_code", "month"], as_index=False)[["count", "hot"]].sum()
    return monthly[list(_DISTRICT_META.columns)].astype(_DISTRICT_META.dtypes.to_dict())


# --------------------------------------------------------------------------- district forecasts

_FORECAST_META = pd.DataFrame(
    {
        "lad_code": pd.Series(dtype=object),
        "month": pd.Series(dtype=object),
        "rank": pd.Series(dtype="int64"),
        "cell": pd.Series(dtype=object),
        "score": pd.Series(dtype="float64"),
        "method": pd.Series(dtype=object),
        "coverage": pd.Series(dtype="float64"),
        "backtest_pei": pd.Series(dtype="float64"),
        "backtest_hit_rate": pd.Series(dtype="float64"),
        "backtest_folds": pd.Series(dtype="int64"),
        "history_incidents": pd.Series(dtype="int64"),
    }
)

_FORECAST_PARTITIONS = 64
"""At most this many partitions of districts for the forecasts (load balance vs overhead)."""


def _location_counts(
    incidents: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, month: np.ndarray
) -> pd.DataFrame:
    """Incidents per district, month and location (lon/lat and working-CRS x/y, metres).

    A location goes to every district within :data:`_NEAR_DISTRICT_M` of it. police.uk snaps
    incidents to shared map points, so there are far fewer rows than incidents; with the month
    they hold everything a forecast reads of a month-only record.
    """
    frame = pd.DataFrame(
        {
            "month": month,
            "lon": lon,
            "lat": lat,
            "x": incidents["x"].to_numpy(float),
            "y": incidents["y"].to_numpy(float),
        }
    )
    counted = frame.value_counts(sort=False).rename("count").reset_index()  # drops unlocated
    outlines = district_outlines()
    bx, by = from_lonlat(counted["lon"].to_numpy(), counted["lat"].to_numpy(), BNG)
    row, which = outlines.sindex.query(
        shapely.points(bx, by), predicate="dwithin", distance=_NEAR_DISTRICT_M
    )
    located = counted.iloc[row].assign(
        lad_code=outlines["lad_code"].to_numpy()[which], crs=str(incidents.attrs["working_crs"])
    )
    return located[list(_LOCATION_META.columns)].astype(_LOCATION_META.dtypes.to_dict())


def _forecast_districts(
    client: Any,
    locations_dir: Path,
    districts: list[str],
    *,
    through: str,
    res: int,
    top: int,
    progress: bool,
) -> pd.DataFrame:
    """Each district's forecast top cells: the location counts shuffled into partitions of
    whole districts, :func:`_district_forecasts` applied to each partition."""
    import dask.dataframe as dd

    parts = sorted(str(p) for p in locations_dir.glob("*.parquet"))
    if not parts or not districts:
        return _FORECAST_META.copy()
    locations = dd.read_parquet(parts)
    locations = locations[locations["lad_code"].isin(districts)]
    blocks = locations.shuffle(
        on="lad_code", npartitions=max(1, min(len(districts), _FORECAST_PARTITIONS))
    )
    outlines = to_crs(district_outlines().set_index("lad_code"), WGS84).geometry
    outlines_future = client.scatter(outlines[outlines.index.isin(districts)], broadcast=True)
    tables = blocks.map_partitions(
        _district_forecasts, outlines_future, through, res, top, meta=_FORECAST_META
    ).persist()
    if progress:
        from distributed import progress as show_progress

        show_progress(tables)
    table = tables.compute()
    return table.sort_values(["lad_code", "rank"]).reset_index(drop=True)


def _district_forecasts(
    part: pd.DataFrame, outlines: gpd.GeoSeries, through: str, res: int, top: int
) -> pd.DataFrame:
    """The ``top`` cells of the forecast of every district in the partition.

    Each district's incidents (rebuilt from its location counts) go through the single-machine
    :func:`hotspots.analysis.forecast.forecast` over the district's outline, up to ``through``;
    a district with no located incident inside its outline is left out.
    """
    pieces = [_FORECAST_META]
    for code, rows in part.groupby("lad_code", sort=True):
        area = resolve_study_area(outlines[code])
        if not shapely.contains_xy(area, rows["lon"].to_numpy(), rows["lat"].to_numpy()).any():
            continue
        fc = forecast(
            _incidents_of(rows),
            study_area=area,
            res=res,
            through=through,
            coverage=FORECAST_COVERAGE,
        )
        best = fc.cells.sort_values("rank").head(top)
        pieces.append(
            pd.DataFrame(
                {
                    "lad_code": code,
                    "month": str(fc.month),
                    "rank": best["rank"].to_numpy(),
                    "cell": best["cell"].to_numpy(),
                    "score": best["score"].to_numpy(),
                    "method": fc.method,
                    "coverage": fc.coverage,
                    "backtest_pei": fc.figures.get("pei", np.nan),
                    "backtest_hit_rate": fc.figures.get("hit_rate", np.nan),
                    "backtest_folds": fc.figures.get("folds", 0),
                    "history_incidents": best["history"].to_numpy(),
                }
            )
        )
    return pd.concat(pieces, ignore_index=True).astype(_FORECAST_META.dtypes.to_dict())


def _incidents_of(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """One month-only incident per counted (month, location), as the police.uk reader gives
    them (point geometry in lon/lat, ``x``/``y`` in the working CRS)."""
    repeat = rows["count"].to_numpy(np.int64)
    yyyymm = rows["month"].to_numpy(np.int64)
    month = ((yyyymm // 100 - 1970) * 12 + yyyymm % 100 - 1).astype("datetime64[M]")
    n = int(repeat.sum())
    crs = pd.unique(rows["crs"])
    if crs.size != 1:
        raise ValueError(f"one district's incidents in several working CRSs: {list(crs)}")
    incidents = gpd.GeoDataFrame(
        {
            "month": np.repeat(month, repeat).astype("datetime64[ns]"),
            "time_precision": np.full(n, "month", dtype=object),
            "occurred_from": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "sensitive": np.zeros(n, dtype=bool),
            "x": np.repeat(rows["x"].to_numpy(float), repeat),
            "y": np.repeat(rows["y"].to_numpy(float), repeat),
        },
        geometry=shapely.points(
            np.repeat(rows["lon"].to_numpy(float), repeat),
            np.repeat(rows["lat"].to_numpy(float), repeat),
        ),
        crs=WGS84,
    )
    incidents.attrs["working_crs"] = str(crs[0])
    return incidents


# --------------------------------------------------------------------------- helpers


def _write_cells(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` with each cell's hexagon, as GeoParquet (EPSG:4326)."""
    unique = pd.unique(frame["cell"])
    shapes = grid.cell_polygons(unique).set_index("cell").geometry
    gdf = gpd.GeoDataFrame(
        frame, geometry=shapes.reindex(frame["cell"]).to_numpy(), crs="EPSG:4326"
    )
    gdf.to_parquet(path)


def _study_cells(area: Any, occupied: np.ndarray, res: int, k: int) -> np.ndarray:
    """Sorted uint64 cells analysed: the area's, or the occupied cells and their k rings."""
    if area is not None:
        return np.sort(grid.cells_to_ints(grid.study_area_cells(area, res)))
    disks = pa.array(h3ronpy.grid_disk(np.unique(occupied), int(k)))
    return np.unique(disks.values.to_numpy().astype(np.uint64))


def _parents(cells: np.ndarray, block_res: int) -> np.ndarray:
    if cells.size == 0:
        return np.empty(0, dtype=np.uint64)
    return pa.array(h3ronpy.change_resolution(cells, block_res)).to_numpy().astype(np.uint64)


def _isin_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted ``sorted_set`` (binary search)."""
    if sorted_set.size == 0:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[at] == values


def _force_of(file: SourceFile) -> str:
    """``2021-01-hertfordshire-street`` → ``hertfordshire``."""
    stem = file.stem
    return stem[8:-7] if stem.endswith("-street") and len(stem) > 15 else stem


def _month_text(month: int) -> str:
    return f"{int(month) // 100:04d}-{int(month) % 100:02d}"


def _district_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per district and month: incidents, rate per 1,000 residents (2011) and hot cells."""
    outlines = district_outlines()[["lad_code", "lad_name", "residents"]]
    monthly = rows.groupby(["lad_code", "month"], as_index=False)[["count", "hot"]].sum()
    table = monthly.merge(outlines, on="lad_code", how="left")
    table["rate_per_1000"] = (1000 * table["count"] / table["residents"]).round(3)
    table = table.rename(columns={"count": "incidents", "hot": "hot_cells"})
    return table[
        ["lad_code", "lad_name", "month", "incidents", "residents", "rate_per_1000", "hot_cells"]
    ]


def _with_names(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The district forecasts with each district's name after its code."""
    names = district_outlines()[["lad_code", "lad_name"]]
    table = forecasts.merge(names, on="lad_code", how="left")
    return table[["lad_code", "lad_name", *[c for c in forecasts.columns if c != "lad_code"]]]


def _force_summary(reports: list[dict[str, Any]], by_force: pd.Series) -> pd.DataFrame:
    table = pd.DataFrame(reports)
    summary = table.groupby("force").agg(
        files=("file", "size"),
        rows_read=("rows_read", "sum"),
        rows_kept=("rows_kept", "sum"),
        rows_quarantined=("rows_quarantined", "sum"),
    )
    monthly = by_force.groupby(level="force").agg(["mean", "min", "max", "size"])
    monthly.columns = ["per_month_mean", "per_month_min", "per_month_max", "months"]
    return summary.join(monthly).reset_index()
