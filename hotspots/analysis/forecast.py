"""Next-month hot spots: score every study-area cell from the incidents before the month.

The hot spots a partnership should visit are the cells most likely to hold next month's crime.
:func:`forecast` scores every H3 cell of the study area with several candidate terms computed
only from earlier months, measures each by a rolling-origin backtest on the user's own history
(PEI at the chosen area coverage) and shows the default, ``recency_density``, unless another
method beat it clearly and consistently on the earlier months. The candidates:

- ``last_month``, ``last_3_months``, ``all_history``: incident counts per cell;
- ``recent_h{h}``: counts weighted by ``0.5 ** (age / h)`` (age in months, half-life ``h`` chosen
  by backtest among :data:`HALF_LIVES`);
- ``ring``, ``parent``: the same recency-weighted counts averaged over the 6 neighbouring cells,
  or over the cell's parent (one resolution coarser, 7 children): they help where cells are sparse;
- ``smoothed``: the cell and its ring averaged; ``kde_gauss_{m}m``, ``kde_quartic_{m}m``:
  kernel density of the incident locations at the cell centre;
- ``gistar``: Getis–Ord Gi* z of all-history counts (k = 1 ring);
- ``near_repeat``: incidents in the last 60 days, weighted by ``exp(-age / 14 days)``, over the
  cell and its ring (timed data only: month-only police.uk records carry no day);
- ``recency_density`` (the default): for a cell with incidents in the history, ``2 + h12 +
  0.05 k1 + 0.05 k2``, where ``h12`` is ``recent_h12`` and ``k1``, ``k2`` the Gaussian KDEs of
  bandwidth 1 and 2 cell edges, each divided by its largest value; for a cell without, ``k2``
  alone (0..1), so it is always below the cells with history. Recent counts decide, the
  density of nearby incidents separates the many cells with equal small counts, and the wider
  density picks the empty cells a selection larger than the cells with history must take;
  ``recency_density_h1`` … ``_h6``, ``recency_density_all``: the same over ``recent_h1`` …
  ``recent_h6`` or ``all_history`` (the default's half-life, chosen per area by backtest);
- ``combination``: non-negative weights over all the terms (``scipy.optimize.nnls``) fitted on
  the earlier folds only, on the cells that any term puts near the top (a PEI-oriented target).

Cell set: every cell whose centre lies in the study area, plus edge cells holding an incident
located inside it (so no incident of the area is lost). Cells with no incident in the history
are ranked below every cell with one unless the backtest shows that letting them compete
predicts better (``zero_history`` in the figures).

No look-ahead: the score for month ``t`` is computed from months before ``t`` only; the
history matrix is cut at ``t`` before any term is computed.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, wraps
from typing import Any, ParamSpec, TypeVar

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from threadpoolctl import ThreadpoolController

from hotspots.core.disclosure import mappable
from hotspots.core.points import distinct_rows, inside
from hotspots.space.grid import cell_ints, ints_to_cells, neighbours

HALF_LIVES: tuple[float, ...] = (1.0, 3.0, 6.0, 12.0)
"""Recency half-lives (months) tried by the backtest."""

COVERAGES: tuple[float, ...] = (0.01, 0.03, 0.05, 0.10)
"""Shares of the study area at which the backtest figures are reported."""

NEAR_REPEAT_DAYS = 60.0
NEAR_REPEAT_TAU_DAYS = 14.0

TIE_BREAK = "kde_gauss_{edge}m"
"""The term that breaks ties among equal counts (formatted with the cell edge in metres)."""

TIE_BROKEN: tuple[str, ...] = ("all_history", "last_3_months", "recent_h6", "recent_h12")
"""Count terms also offered with ties broken by :data:`TIE_BREAK` (``name+kde``)."""

DEFAULT_METHOD = "recency_density"
"""The method ``auto`` shows unless the backtest proves another better (:data:`SWITCH_MARGIN`,
:data:`SWITCH_SHARE`): best mean PEI at 5 % (res 10) over the 10 Hertfordshire districts, and
better than every simple baseline with its parameter chosen out of sample in each of them, or
level with the best, and in the timed extracts (bench/)."""

DENSITY_WEIGHTS: tuple[float, float] = (0.05, 0.05)
"""Weights of the 1- and 2-edge Gaussian KDEs (each scaled to a largest value of 1) added to
``recent_h12`` (scaled likewise) in ``recency_density``."""

DENSITY_VARIANTS: dict[str, str] = {
    "recency_density_h1": "recent_h1",
    "recency_density_h3": "recent_h3",
    "recency_density_h6": "recent_h6",
    "recency_density_all": "all_history",
}
"""``recency_density`` with another count term in place of ``recent_h12`` (``all_history``: no
decay): the default's half-life chosen per area by backtest, ``auto`` moving to a variant only
on the paired evidence it needs for any other method (:func:`_best_column`). Long, sparse histories
need the long memory: NYC vehicle thefts (4 years) move to ``recency_density_all`` (PEI 0.337
out of sample, all-history counts 0.331); no Hertfordshire area or Houston moves (bench/)."""
MIN_FOLDS_TO_SWITCH = 3

FIT_MONTHS = 12
"""Months before the first test month on which the combination may be fitted (older ones are
not scored at all: long histories cost time and say little about next month)."""

SWITCH_MARGIN = 0.01
"""Mean PEI by which another method must beat :data:`DEFAULT_METHOD` on the earlier test months
before ``auto`` uses it (with :data:`SWITCH_SHARE`): on Hertfordshire, switching on smaller
margins lost PEI out of sample (Watford 0.823 → 0.819), the folds cannot tell them from noise."""

SWITCH_SHARE = 0.75
"""Share of the earlier test months in which the other method must beat the default, month by
month (a paired comparison: one lucky month cannot carry the mean)."""

_LOOKBACK_COVERAGE = 3.0
"""The combination is fitted on cells within this many times the coverage at the top of a term."""


# --- the history: cells × months ---------------------------------------------------------------


@dataclass
class History:
    """Incidents of the study area as a cells × months count matrix (and what KDE/near repeat need).

    Attributes
    ----------
    cells
        H3 ids (index of the rows).
    ids
        The same cells as ``uint64`` H3 indexes (ascending, as ``cells``).
    months
        Consecutive months (PeriodIndex), the first month with data to the last one kept.
    counts
        ``(n_cells, n_months)`` incidents per cell and month.
    res
        H3 resolution.
    cell_xy, loc_xy
        Cell centres and distinct incident locations in metres (working CRS).
    loc_month
        ``(n_locations, n_months)`` incidents per distinct location and month.
    cell_of, times
        Per incident: row of its cell and timestamp (``NaT`` for month-only records).
    """

    cells: pd.Index
    ids: np.ndarray
    months: pd.PeriodIndex
    counts: np.ndarray
    res: int
    cell_xy: np.ndarray
    loc_xy: np.ndarray
    loc_month: sparse.csr_matrix
    cell_of: np.ndarray
    month_of: np.ndarray
    times: np.ndarray
    n_left_out: int = 0
    basis: _Basis | None = field(default=None, repr=False)
    basis_rows: np.ndarray | None = field(default=None, repr=False)
    basis_cols: np.ndarray | None = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def timed(self) -> bool:
        """At least half the incidents carry a time of day (near-repeat term available)."""
        return bool(self.times.size) and float(np.mean(~np.isnat(self.times))) >= 0.5

    @cached_property
    def _running(self) -> np.ndarray:
        """``(n_months + 1, n_cells)``: row ``t`` the incidents of each cell in months
        ``< t`` (whole numbers: their sums are exact in any order, so each row equals
        ``counts[:, :t].sum(axis=1)``, bit for bit)."""
        running = np.zeros((len(self.months) + 1, len(self.cells)))
        np.cumsum(self.counts.T, axis=0, out=running[1:])
        return running

    def before(self, t: int, months: int | None = None) -> np.ndarray:
        """Incidents of each cell in the ``months`` months before month index ``t`` (``None``:
        every month before it), as ``counts[:, t - months : t].sum(axis=1)`` gives them."""
        first = 0 if months is None else max(t - months, 0)
        return self._running[t] - self._running[first]

    @cached_property
    def disk(self) -> sparse.csr_matrix:
        """Binary 1-ring of each cell, itself included (Gi*'s weights)."""
        if self.basis is not None:
            return self.basis.part(self.basis.disk, self.basis_rows, self.basis_rows)
        return neighbours(self.cells, k=1, include_self=True)

    @cached_property
    def ring(self) -> sparse.csr_matrix:
        """Row-normalised 1-ring of each cell (itself excluded): the neighbours' mean."""
        w = self.disk.copy()
        w.setdiag(0.0)
        w.eliminate_zeros()
        return _row_normalised(w)

    @cached_property
    def parent(self) -> sparse.csr_matrix:
        """Mean over the cell's parent (resolution - 1): P Pᵀ / children."""
        import h3ronpy
        import pyarrow as pa

        parents = pa.array(h3ronpy.change_resolution(self.ids, self.res - 1))
        codes, uniques = pd.factorize(parents.to_numpy(zero_copy_only=False))
        p = sparse.csr_matrix(
            (np.ones(len(codes)), (np.arange(len(codes)), codes)), shape=(len(codes), len(uniques))
        )
        return (p @ p.T / 7.0).tocsr()

    def densities(self, t: int) -> dict[str, np.ndarray]:
        """The kernel density terms for month index ``t`` (from months ``< t`` only): the
        incidents of each location weighted by ``0.5 ** (age / 6)`` (months), summed by the
        1- and 2-edge Gaussian and the 3-edge quartic kernels at each cell centre. Read from
        :meth:`keep_densities` when it made them for ``t``."""
        kept = self._cache.get("densities")
        if kept is not None and t in kept[0]:
            i = kept[0].index(t)
            return {name: rows[i] for name, rows in kept[1].items()}
        return self._kernel_products(self.loc_month[:, :t] @ _decay(t, 6.0))

    def keep_densities(self, ts: list[int]) -> None:
        """Make :meth:`densities` of the months ``ts`` at once: one product of each kernel
        with a locations × months matrix instead of one per month (CSR times a matrix adds
        each cell's terms in the order CSR times a vector does, and a month's decay weights
        are zero on the months after it, so each month's figures are the same, bit for
        bit)."""
        decay = np.zeros((len(self.months), len(ts)))
        for i, t in enumerate(ts):
            decay[:t, i] = _decay(t, 6.0)
        products = self._kernel_products(self.loc_month @ decay)
        rows = {name: np.ascontiguousarray(product.T) for name, product in products.items()}
        self._cache["densities"] = (list(ts), rows)

    def _kernel_products(self, loc_weights: np.ndarray) -> dict[str, np.ndarray]:
        """Each density kernel (1- and 2-edge Gaussian, 3-edge quartic) times ``loc_weights``
        (one row per location). With a basis, its kernel times the weights set at the basis's
        locations, zero at the others, and the rows of these cells taken from the product:
        each cell's terms are added in the same order (a row of a CSR product is that row
        times the weights) and a zero term adds nothing, so the figures are this history's
        kernel's, bit for bit, without taking its rows or columns out."""
        edge = h3.average_hexagon_edge_length(self.res, unit="m")
        kernels = {
            f"kde_gauss_{round(edge)}m": (round(edge), "gauss"),
            f"kde_gauss_{round(2 * edge)}m": (round(2 * edge), "gauss"),
            f"kde_quartic_{round(3 * edge)}m": (round(3 * edge), "quartic"),
        }
        if self.basis is None:
            return {name: self.kernel(*spec) @ loc_weights for name, spec in kernels.items()}
        if self.basis_cols is not None:
            spread = np.zeros((len(self.basis.loc_xy), *loc_weights.shape[1:]))
            spread[self.basis_cols] = loc_weights
            loc_weights = spread
        products = {name: self.basis.kernel(*spec) @ loc_weights for name, spec in kernels.items()}
        if self.basis_rows is None:
            return products
        return {name: product[self.basis_rows] for name, product in products.items()}

    def kernel(self, bandwidth_m: float, shape: str) -> sparse.csr_matrix:
        """Cells × locations kernel weights (Gaussian cut at 3 bandwidths; quartic at 1)."""
        key = f"{shape}{bandwidth_m}"
        if key not in self._cache:
            if self.basis is not None:
                whole = self.basis.kernel(bandwidth_m, shape)
                self._cache[key] = self.basis.part(whole, self.basis_rows, self.basis_cols)
            else:
                self._cache[key] = _kernel(self.cell_xy, self.loc_xy, bandwidth_m, shape)
        return self._cache[key]


def _kernel(
    cell_xy: np.ndarray, loc_xy: np.ndarray, bandwidth_m: float, shape: str, trees: Any = None
) -> sparse.csr_matrix:
    """Cells × locations kernel weights (Gaussian cut at 3 bandwidths; quartic at 1), in
    canonical CSR form: each row's locations in ascending order, so the rows and columns of
    any cells and locations taken out of it (:meth:`_Basis.part`) equal their own kernel, and
    a product sums its terms in the same order. ``trees``: k-d trees of both point sets, when
    built already."""
    from scipy.spatial import cKDTree

    reach = 3 * bandwidth_m if shape == "gauss" else bandwidth_m
    cell_tree, loc_tree = trees if trees is not None else (cKDTree(cell_xy), cKDTree(loc_xy))
    near = cell_tree.sparse_distance_matrix(loc_tree, reach, output_type="ndarray")
    rows, cols = near["i"].astype(np.int64), near["j"].astype(np.int64)
    d = np.hypot(*(cell_xy[rows] - loc_xy[cols]).T) / bandwidth_m
    w = np.exp(-0.5 * d * d) if shape == "gauss" else (1 - d * d) ** 2
    kernel = sparse.csr_matrix((w, (rows, cols)), shape=(len(cell_xy), len(loc_xy)))
    kernel.sum_duplicates()  # canonical (scipy's constructor makes it so already)
    return kernel


@dataclass
class _Basis:
    """The cells and distinct incident locations of every history built lately over one study
    area (resolution, working CRS), with their kernels and 1-ring neighbours made once: a
    dashboard's selections are subsets of its data, so each selection's operators are rows and
    columns of these (:meth:`part`), equal to its own, entry for entry and in the same order.

    Attributes
    ----------
    cells
        Sorted H3 ids; ``ids`` the same as ``uint64`` H3 indexes; ``cell_xy`` their centres
        (metres).
    locations
        ``x + 1j * y`` of each distinct location, sorted by ``x`` then ``y`` (the order of a
        history's ``loc_xy``); ``loc_xy`` the same as an ``(n, 2)`` array.
    """

    cells: pd.Index
    ids: np.ndarray
    cell_xy: np.ndarray
    locations: pd.Index
    loc_xy: np.ndarray
    dataset: bool = False
    """Kept by :func:`keep_basis` (a dataset's): dropped after the others."""
    _kernels: dict[str, sparse.csr_matrix] = field(default_factory=dict, repr=False)

    @cached_property
    def disk(self) -> sparse.csr_matrix:
        """Binary 1-ring of each cell, itself included (canonical CSR)."""
        return neighbours(self.cells, k=1, include_self=True)

    @cached_property
    def _trees(self) -> tuple[Any, Any]:
        from scipy.spatial import cKDTree

        return cKDTree(self.cell_xy), cKDTree(self.loc_xy)

    def kernel(self, bandwidth_m: float, shape: str) -> sparse.csr_matrix:
        """:func:`_kernel` of every cell and location of the basis (made once)."""
        key = f"{shape}{bandwidth_m}"
        found = self._kernels.get(key)
        if found is None:
            found = _kernel(self.cell_xy, self.loc_xy, bandwidth_m, shape, self._trees)
            self._kernels[key] = found
        return found

    @staticmethod
    def part(
        matrix: sparse.csr_matrix, rows: np.ndarray | None, cols: np.ndarray | None
    ) -> sparse.csr_matrix:
        """Rows ``rows`` and columns ``cols`` (ascending positions; ``None``: all) of a
        canonical matrix: canonical, each row's entries in the order they had."""
        if rows is not None:
            matrix = matrix[rows]
        if cols is not None:
            matrix = matrix[:, cols]
        return matrix


_BASES_MAX = 4
"""Bases kept, of every study area (with resolution and CRS) together (the least lately used
dropped, datasets' last: the dashboard keeps each dataset's once per data load, while a patrol
plan of some wards is an area of its own); an area may have several: one per dataset of it
(two uploads, a re-upload)."""
_bases: OrderedDict[tuple[bytes, int, str, int], _Basis] = OrderedDict()
_bases_lock = threading.Lock()
_basis_ids = itertools.count()


def _basis_for(
    area_wkb: bytes,
    res: int,
    crs: str,
    cells: pd.Index,
    ids: np.ndarray,
    cell_xy: np.ndarray,
    loc_xy: np.ndarray,
    *,
    dataset: bool = False,
) -> tuple[_Basis | None, np.ndarray | None, np.ndarray | None]:
    """A kept basis of the area that holds every cell and location of a history, and the
    positions of the history's cells and locations in it (``None``: all of them, in order).

    A history no kept basis holds becomes a basis of the area when it is a dataset's
    (``dataset``: :func:`keep_basis`), the area's first, or holds every cell and location of a
    kept one
    (which it replaces); any other is computed on its own (basis ``None``): the dashboard
    keeps each dataset's (:func:`keep_basis`), so every selection of it is a part, and a
    dataset loaded later (a re-upload, another session's) gets its own basis."""
    area = (hashlib.blake2b(area_wkb, digest_size=16).digest(), res, crs)
    locations = pd.Index(loc_xy[:, 0] + 1j * loc_xy[:, 1])
    with _bases_lock:
        kept = [(key, basis) for key, basis in _bases.items() if key[:3] == area]
    narrower = []
    for key, basis in reversed(kept):  # the latest used first
        rows = _sorted_positions(basis.ids, ids)
        cols = basis.locations.get_indexer(locations)
        if (rows >= 0).all() and (cols >= 0).all():
            with _bases_lock:
                if key in _bases:
                    _bases.move_to_end(key)
            return basis, _positions(rows, len(basis.cells)), _positions(cols, len(basis.loc_xy))
        if (_sorted_positions(ids, basis.ids) >= 0).all() and (
            locations.get_indexer(basis.locations) >= 0
        ).all():
            narrower.append(key)
    if kept and not narrower and not dataset:
        return None, None, None
    basis = _Basis(cells, ids, cell_xy, locations, loc_xy, dataset)
    with _bases_lock:
        for key in narrower:
            _bases.pop(key, None)
        _bases[(*area, next(_basis_ids))] = basis
        while len(_bases) > _BASES_MAX:  # the least lately used, a dataset's last
            others = (key for key, kept_basis in _bases.items() if not kept_basis.dataset)
            _bases.pop(next(others, next(iter(_bases))))
    return basis, None, None


def keep_basis(incidents: gpd.GeoDataFrame, *, study_area: shapely.Geometry, res: int) -> None:
    """Keep the cells and locations of all ``incidents`` (a dataset as loaded) inside
    ``study_area`` as a basis of the area's forecasts at ``res``: the kernels and neighbours
    of every later forecast of a selection of them are then parts of ones made once (the
    same figures, bit for bit). Their kernels are made when a forecast first needs them."""
    from contextlib import suppress

    with suppress(ValueError):  # no located incident inside the area: nothing to keep
        build_history(mappable(incidents), area=study_area, res=res, dataset=True)


def _positions(found: np.ndarray, n: int) -> np.ndarray | None:
    """``found`` (ascending positions), or ``None`` when it is every position in order."""
    if len(found) == n:
        return None
    if not (np.diff(found) > 0).all():  # never: both are sorted the same way
        raise AssertionError("a history's cells or locations are out of the basis's order")
    return found


def _sorted_positions(whole: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The position of each of ``values`` in ``whole`` (both ascending, each value once), -1
    where it is not there (``pd.Index.get_indexer`` for sorted arrays)."""
    at = np.searchsorted(whole, values)
    found = at < len(whole)
    found[found] = whole[at[found]] == values[found]
    return np.where(found, at, -1)


def _row_normalised(w: sparse.csr_matrix) -> sparse.csr_matrix:
    sums = np.asarray(w.sum(axis=1)).ravel()
    return (sparse.diags(np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)) @ w).tocsr()


def area_cells(area: shapely.Geometry, res: int) -> np.ndarray:
    """H3 cells whose centre lies in ``area`` (lon/lat polygon), sorted."""
    import h3ronpy
    import h3ronpy.vector as h3v

    cells = h3v.geometry_to_cells(
        area, res, containment_mode=h3ronpy.ContainmentMode.ContainsCentroid
    )
    return np.sort(ints_to_cells(cells))


@lru_cache(maxsize=8)
def _area_cells_xy(wkb: bytes, res: int, crs: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`area_cells` of the area given as WKB, their ``uint64`` H3 indexes and their
    centres in ``crs`` (metres), kept for the areas used last: a dashboard forecasts the same
    study area at every filter change (0.4 s of CPU for the Hertfordshire county at
    resolution 10). Read-only arrays.

    The indexes ascend as the ids do: a cell's id is its index in 15 hexadecimal digits at
    every resolution, so text and number sort alike (checked here, once per area)."""
    from hotspots.analysis.evaluate.methods import _cell_centres_xy
    from hotspots.space.grid import cells_to_ints

    cells = np.unique(area_cells(shapely.from_wkb(wkb), res))  # sorted, each once
    ids = cells_to_ints(cells)
    if not (np.diff(ids) > 0).all():  # never: see above
        raise AssertionError("H3 ids and their indexes sort differently")
    xy = _cell_centres_xy(pd.Index(cells), crs)
    cells.flags.writeable = ids.flags.writeable = xy.flags.writeable = False
    return cells, ids, xy


def build_history(
    incidents: gpd.GeoDataFrame,
    *,
    area: shapely.Geometry,
    res: int,
    through: pd.Period | None = None,
    dataset: bool = False,
) -> History:
    """The cells × months history of the incidents inside ``area``, up to ``through``.

    Incidents after ``through``, without a location or outside ``area`` are left out before
    anything else is computed (``n_left_out``: those up to ``through`` without a location or
    outside the area). ``dataset``: the incidents are a whole dataset as loaded, whose cells
    and locations are kept as a basis of the area (:func:`keep_basis`).
    """
    from hotspots.analysis.evaluate.methods import _cell_centres_xy

    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    # months as ordinals (months since 1970-01): vectorised comparisons and offsets
    month = pd.to_datetime(incidents["month"]).dt.to_period("M").array.asi8
    in_time = np.ones(len(month), dtype=bool)
    if through is not None:
        in_time = month <= through.ordinal
    keep = in_time & inside(area, lon, lat)
    n_left_out = int((in_time & ~keep).sum())
    if not keep.any():
        raise ValueError("no located incidents inside the study area up to the forecast month")
    lon, lat, month = lon[keep], lat[keep], month[keep]
    xy = np.column_stack([incidents[c].to_numpy(dtype=float)[keep] for c in ("x", "y")])
    # each distinct place (lon/lat and x/y) once: its cell, and its row of loc_xy
    place, place_of = distinct_rows(np.column_stack([lon, lat, xy]))
    loc_xy, loc_of_place = distinct_rows(place[:, 2:])
    loc_of = loc_of_place[place_of]
    place_ids = cell_ints(place[:, 0], place[:, 1], res)
    crs = str(incidents.attrs["working_crs"])
    wkb = shapely.to_wkb(area)
    inner, inner_ids, inner_xy = _area_cells_xy(wkb, res, crs)
    # the union of the inner cells and the places' ones, merging the few edge cells into the
    # sorted inner ones by their H3 indexes (which sort as the ids: see _area_cells_xy)
    extra = np.unique(place_ids)
    at = np.searchsorted(inner_ids, extra)
    outside = np.ones(len(extra), dtype=bool)
    if len(inner):
        outside = inner_ids[np.minimum(at, len(inner) - 1)] != extra
    at, extra = at[outside], extra[outside]
    ids = np.insert(inner_ids, at, extra)
    cells = pd.Index(np.insert(inner, at, ints_to_cells(extra)), name="cell")
    cell_of = np.searchsorted(ids, place_ids)[place_of]
    cell_xy = np.empty((len(cells), 2))
    edge = np.zeros(len(cells), dtype=bool)
    edge[at + np.arange(len(at))] = True
    cell_xy[~edge] = inner_xy
    if edge.any():
        cell_xy[edge] = _cell_centres_xy(cells[edge], crs)
    first = int(month.min())
    last = int(month.max()) if through is None else through.ordinal
    months = pd.period_range(pd.Period(ordinal=first, freq="M"), periods=last - first + 1)
    month_of = (month - first).astype(int)
    counts = (
        np.bincount(cell_of * len(months) + month_of, minlength=len(cells) * len(months))
        .reshape(len(cells), len(months))
        .astype(float)
    )
    loc_month = sparse.csr_matrix(
        (np.ones(len(loc_of)), (loc_of, month_of)), shape=(len(loc_xy), len(months))
    )
    precision = incidents["time_precision"]
    if not isinstance(precision.dtype, pd.StringDtype):  # read as text, as everywhere
        precision = precision.astype(str)  # (bytes decoded, categories their values)
    timed = ~(precision == "month").fillna(False).to_numpy(bool)[keep]
    start = pd.to_datetime(incidents["occurred_from"]).to_numpy()[keep]
    times = np.where(timed, start, np.datetime64("NaT"))
    # kernels and neighbours: rows and columns of those of the area's recent histories
    basis, basis_rows, basis_cols = _basis_for(
        wkb, res, crs, cells, ids, cell_xy, loc_xy, dataset=dataset
    )
    return History(
        basis=basis,
        basis_rows=basis_rows,
        basis_cols=basis_cols,
        cells=cells,
        ids=ids,
        months=months,
        counts=counts,
        res=res,
        cell_xy=cell_xy,
        loc_xy=loc_xy,
        loc_month=loc_month,
        cell_of=cell_of,
        month_of=month_of,
        times=times.astype("datetime64[ns]"),
        n_left_out=n_left_out,
    )


# --- candidate terms -----------------------------------------------------------------------------


def _decay(t: int, half_life: float) -> np.ndarray:
    """Weights of months 0..t-1 for a forecast of month t (last month weighs 1)."""
    age = np.arange(t - 1, -1, -1, dtype=float)
    return 0.5 ** (age / half_life)


def terms_at(history: History, t: int) -> dict[str, np.ndarray]:
    """Every candidate term for month index ``t`` (0 = first month), from months ``< t`` only.

    Returns
    -------
    dict
        Term name → one score per cell (higher: more incidents expected).
    """
    if not 1 <= t <= len(history.months):
        raise ValueError(f"month index {t} needs 1..{len(history.months)} months of history")
    past = history.counts[:, :t]  # nothing from month t onwards is read below
    out: dict[str, np.ndarray] = {
        "last_month": past[:, -1].copy(),
        "last_3_months": history.before(t, 3),
        "all_history": history.before(t),
    }
    for h in HALF_LIVES:
        out[f"recent_h{h:g}"] = past @ _decay(t, h)
    base = out["recent_h6"]
    out["ring"] = history.ring @ base
    out["parent"] = history.parent @ base
    out["smoothed"] = (base + 6 * out["ring"]) / 7
    edge = h3.average_hexagon_edge_length(history.res, unit="m")
    out.update(history.densities(t))
    out["gistar"] = _gistar(history, out["all_history"])
    if history.timed:
        out["near_repeat"] = _near_repeat(history, t)
    share = _tie_share(out[TIE_BREAK.format(edge=round(edge))])  # one for the four
    for name in TIE_BROKEN:
        out[f"{name}+kde"] = _dense_rank(out[name]).astype(float) + share
    density = _Density(
        out[f"kde_gauss_{round(edge)}m"],
        out[f"kde_gauss_{round(2 * edge)}m"],
        history=out["all_history"],
    )  # one for the default and its variants
    out["recency_density"] = density.of(out["recent_h12"])
    for variant, source in DENSITY_VARIANTS.items():
        out[variant] = density.of(out[source])
    return out


def _scaled(x: np.ndarray) -> np.ndarray:
    """``x`` divided by its largest value (unchanged when that is not positive)."""
    top = float(x.max()) if x.size else 0.0
    return x / top if top > 0 else x


def recency_density(
    recent: np.ndarray, near: np.ndarray, wide: np.ndarray, *, history: np.ndarray
) -> np.ndarray:
    """Recent counts plus a little nearby density; cells without history by density alone.

    Parameters
    ----------
    recent
        Recency-weighted counts per cell (``recent_h12``).
    near, wide
        Kernel densities of nearby incidents at the cell centres (bandwidth 1 and 2 edges).
    history
        Incidents per cell before the month forecast: cells with none score ``wide`` scaled to
        0..1, every other cell ``2 +`` the weighted sum, so it is above all of them.

    Returns
    -------
    numpy.ndarray
        One score per cell (higher: more incidents expected).
    """
    return _Density(near, wide, history=history).of(recent)


class _Density:
    """What :func:`recency_density` adds to any recent counts (the densities scaled and
    weighted, the cells with history), made once for the default and its variants: the
    same floats, summed in the same order."""

    def __init__(self, near: np.ndarray, wide: np.ndarray, *, history: np.ndarray) -> None:
        a, b = DENSITY_WEIGHTS
        self.wide = _scaled(wide)
        self.near_part, self.wide_part = a * _scaled(near), b * self.wide
        self.with_history = history > 0

    def of(self, recent: np.ndarray) -> np.ndarray:
        """:func:`recency_density` of ``recent``."""
        head = 2.0 + _scaled(recent) + self.near_part + self.wide_part
        return np.where(self.with_history, head, self.wide)


def tie_broken(primary: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Rank by ``primary``, and among equal values by ``tie`` (lexicographic, as one score).

    The score is the rank of the cell's ``primary`` value among the distinct values (0 = the
    lowest) plus up to 0.5 from ``tie``: count data put many cells on the same value at the
    cut of a selection, and the density of nearby incidents picks among them.
    """
    return _dense_rank(primary).astype(float) + _tie_share(tie)


def _tie_share(tie: np.ndarray) -> np.ndarray | float:
    """What :func:`tie_broken` adds to the rank: ``tie`` scaled to 0..0.5 (0 when its largest
    value is not positive)."""
    top = float(tie.max()) if tie.size else 0.0
    return 0.5 * tie / top if top > 0 else 0.0


_COUNTED_RANKS = 1 << 20
"""Largest whole number :func:`_dense_rank` ranks by counting the values present."""


def _dense_rank(x: np.ndarray) -> np.ndarray:
    """Rank of each value among the distinct values of ``x`` (0 = the lowest), as
    ``np.unique(x, return_inverse=True)[1]``: for whole numbers from 0 to
    :data:`_COUNTED_RANKS` (counts), by marking the values present; else sorting only the
    non-zero values (most cells of a count term are zero)."""
    top = float(x.max()) if x.size else -1.0
    if 0 <= top <= _COUNTED_RANKS and x.min() >= 0 and _whole_numbers(x):
        values = x.astype(np.int64)
        present = np.zeros(int(top) + 1, dtype=np.int64)
        present[values] = 1
        return (np.cumsum(present) - 1)[values]
    nonzero = x != 0
    distinct, inverse = np.unique(x[nonzero], return_inverse=True)
    zero = int(np.searchsorted(distinct, 0.0))  # the rank of 0 when some values are 0
    dense = np.full(x.shape, zero, dtype=np.int64)
    dense[nonzero] = inverse.ravel() + ((inverse.ravel() >= zero) & ~nonzero.all())
    return dense


def _gistar(history: History, counts: np.ndarray) -> np.ndarray:
    """Gi* z of ``counts`` (finite), NaN as 0: :func:`~hotspots.analysis.stats.gistar.gi_star`'s
    ``z``, its floats computed in the same order, without the p-values and G the forecast
    does not read, each cell's spread per unit standard deviation made once per history."""
    from hotspots.analysis.stats.gistar import GiStarWeights, Moments, gi_star

    if "w_self" not in history._cache:
        weights = GiStarWeights.of(history.disk, len(history.cells))
        n = len(history.cells)
        root = np.sqrt(np.maximum(n * weights.row_sq - weights.row_sum**2, 0.0) / (n - 1))
        history._cache["w_self"] = weights, root
    if not counts.any() or np.ptp(counts) == 0:
        return np.zeros_like(counts)
    weights, root = history._cache["w_self"]
    whole = Moments.of(counts)
    if whole.sd == 0:  # gi_star says why there is no z
        return np.nan_to_num(np.asarray(gi_star(counts, weights).z, dtype=float))
    spread = whole.sd * root
    numerator = weights.w @ counts - whole.mean * weights.row_sum
    return np.nan_to_num(np.divide(numerator, spread, out=np.zeros(counts.size), where=spread > 0))


def _near_repeat(history: History, t: int) -> np.ndarray:
    """Recent nearby incidents: ``exp(-age / 14 d)`` over the last 60 days, cell + ring mean."""
    now = (
        history.months[t].start_time.to_datetime64()
        if t < len(history.months)
        else ((history.months[-1] + 1).start_time.to_datetime64())
    )
    age = (now - history.times) / np.timedelta64(1, "D")
    use = (history.month_of < t) & (age >= 0) & (age <= NEAR_REPEAT_DAYS)
    own = np.bincount(
        history.cell_of[use],
        weights=np.exp(-age[use] / NEAR_REPEAT_TAU_DAYS),
        minlength=len(history.cells),
    )
    return own + history.ring @ own


# --- evaluation ----------------------------------------------------------------------------------


def capture(score: np.ndarray, future: np.ndarray, coverage: float) -> tuple[float, float, float]:
    """Hit rate, PAI and PEI* of the top ``round(coverage * n)`` cells (ties shared pro rata).

    The same rule as :func:`hotspots.analysis.evaluate.hit_rate_pai` (the expected value of a
    random tie-break), vectorised for the backtest.
    """
    n = score.size
    k = int(min(max(np.floor(coverage * n + 0.5), 1), n))
    cut = -np.partition(-score, k - 1)[k - 1]
    above = score > cut
    tied = score == cut
    captured = future[above].sum() + (k - above.sum()) / tied.sum() * future[tied].sum()
    total = future.sum()
    best = -np.partition(-future, k - 1)[:k].sum()
    hit = captured / total if total else np.nan
    return hit, hit / (k / n), captured / best if best else np.nan


def captures(scores: np.ndarray, future: np.ndarray, coverages: list[float]) -> np.ndarray:
    """:func:`capture` of each row of ``scores`` at several coverages, from the few highest
    cells of each row: the same figures, bit for bit (``future`` holds counts, whose sums are
    exact in any order).

    Parameters
    ----------
    scores
        ``(n_methods, n_cells)`` scores (or one score per cell).
    future
        Incidents per cell in the month scored.
    coverages
        Shares of the cells selected.

    Returns
    -------
    numpy.ndarray
        ``(n_methods, n_coverages, 3)``: hit rate, PAI and PEI*.
    """
    return _row_captures(list(np.atleast_2d(scores)), future, coverages)


def _row_captures(
    scores: list[np.ndarray], future: np.ndarray, coverages: list[float]
) -> np.ndarray:
    """:func:`captures` of the rows ``scores`` (one score per cell each), read row by row."""
    out = np.empty((len(scores), len(coverages), 3))
    whole = _whole_numbers(future)
    exact = []
    for i, score in enumerate(scores):
        if whole and not np.isnan(score).any():
            exact.append(i)
        else:
            out[i] = [capture(score, future, cov) for cov in coverages]
    if exact:
        ks = _selection_sizes(len(future), coverages)
        captured = _captured([scores[i] for i in exact], future, ks)
        out[exact] = _figures(captured, future, ks)
    return out


def _whole_numbers(x: np.ndarray) -> bool:
    """Every value of ``x`` a whole number (their sums exact in any order)."""
    return bool(np.array_equal(x, np.round(x)))


def _selection_sizes(n: int, coverages: list[float]) -> list[int]:
    """Cells selected out of ``n`` at each coverage (as :func:`capture` rounds them)."""
    return [int(min(max(np.floor(cov * n + 0.5), 1), n)) for cov in coverages]


def _captured(scores: list[np.ndarray], future: np.ndarray, ks: list[int]) -> np.ndarray:
    """``(n_methods, len(ks))``: the incidents of ``future`` (whole numbers) in the ``k`` cells
    of each row of ``scores`` (no NaN) scoring highest, cells tied at the cut shared pro rata,
    from each row's ``max(ks) + 1`` highest cells (:func:`_top`) sorted."""
    # one cell more than the largest selection: whether the ties at a cut go on past the top
    size = min(max(ks) + 1, len(future))
    top = [_top(score, size) for score in scores]
    values = np.stack([score[cells] for score, cells in zip(scores, top, strict=True)])
    ranked, running = _ranked(values, future[np.stack(top)])
    return _at_cuts(ranked, running, ks, everything=(scores, future))


def _ranked(values: np.ndarray, incidents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row of ``values`` sorted, highest first, and ``(n_rows, n_columns + 1)``: the
    ``incidents`` (whole numbers: their sums exact in any order; one per column of every row,
    or one per column) of the row's first ``j`` cells in that order."""
    order = np.argsort(-values, axis=1)
    running = np.zeros((len(values), values.shape[1] + 1))
    ordered = incidents[order] if incidents.ndim == 1 else np.take_along_axis(incidents, order, 1)
    np.cumsum(ordered, axis=1, out=running[:, 1:])
    return np.take_along_axis(values, order, axis=1), running


def _at_cuts(
    ranked: np.ndarray,
    running: np.ndarray,
    ks: list[int],
    *,
    everything: tuple[list[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """``(n_rows, len(ks))``: the incidents in the ``k`` highest cells of each row, cells tied
    at the cut shared pro rata, from its cells sorted, highest first (``ranked``; ``running``
    from :func:`_ranked`, in the same order): the cells above a cut are those before its run
    of equal values, the tied ones that run. These are whole numbers, summed exactly in any
    order: the figures are those of :func:`capture`, bit for bit (any values kept in the same
    order, e.g. ``ranked`` plus a span, may be read with the same ``running``).

    ``everything``: every cell's scores (a row per row of ``ranked``) and incidents, when
    ``ranked`` holds only each row's highest cells, every other one scoring at most its last:
    a run reaching that last cell is counted over every cell.
    """
    m, width = ranked.shape
    # runs of equal values numbered on from row to row: one ascending key for every row
    numbers = np.int32 if m * width < 2**31 else np.int64  # 32 bits: twice as fast a sum
    run = np.zeros((m, width), dtype=numbers)
    np.cumsum(ranked[:, 1:] != ranked[:, :-1], axis=1, dtype=numbers, out=run[:, 1:])
    start = np.arange(m, dtype=numbers) * width
    run = (run + start[:, None]).ravel()
    rows = np.arange(m)
    lowest: dict[int, tuple[int, float]] = {}  # per row, its last run counted over every cell
    out = np.empty((m, len(ks)))
    for j, k in enumerate(ks):
        key = run[start + k - 1]
        first = np.searchsorted(run, key, side="left") - start
        last = np.searchsorted(run, key, side="right") - start
        n_tied, tied = last - first, running[rows, last] - running[rows, first]
        if everything is not None:
            scores, future = everything
            for r in map(int, np.flatnonzero(last == width)):
                if r not in lowest:
                    at_cut = scores[r] == ranked[r, -1]
                    lowest[r] = int(np.count_nonzero(at_cut)), float(future[at_cut].sum())
                n_tied[r], tied[r] = lowest[r]
        out[:, j] = running[rows, first] + (k - first) / n_tied * tied
    return out


def _figures(captured: np.ndarray, future: np.ndarray, ks: list[int]) -> np.ndarray:
    """``(n_methods, len(ks), 3)``: hit rate, PAI and PEI* of the incidents ``captured``
    (methods × selection sizes) out of ``future`` (every cell's incidents)."""
    n = future.size
    out = np.empty((*captured.shape, 3))
    ranked_future = np.partition(-future, sorted({k - 1 for k in ks}))
    total = future.sum()
    for j, k in enumerate(ks):
        best = -ranked_future[:k].sum()
        hit = captured[:, j] / total if total else np.full(len(captured), np.nan)
        out[:, j, 0] = hit
        out[:, j, 1] = hit / (k / n)
        out[:, j, 2] = captured[:, j] / best if best else np.nan
    return out


def _month_captures(
    candidates: list[np.ndarray],
    history_count: np.ndarray,
    future: np.ndarray,
    coverages: list[float],
) -> np.ndarray:
    """:func:`captures` of each candidate's scores with the zero-history cells demoted
    (:func:`_demoted`, row ``2 i``) and as they are (row ``2 i + 1``), the same figures, bit
    for bit.

    A row in which the largest selection holds only cells with history (``history_count``
    above 0), every other cell scoring below it, is measured on those cells alone (a fifth of
    the cells for one crime group of the Hertfordshire force-year): every demoted row once
    as many cells have history as the largest selection takes, and most plain ones. Those
    cells (or, when they are many, the highest of them: :func:`_top`) are sorted once per
    candidate for both rows: adding the span keeps their order (rounding is monotone), the
    demoted row's ties are read from its own values.
    """
    n = len(future)
    ks = _selection_sizes(n, coverages)
    with_history = history_count > 0
    history, others = np.flatnonzero(with_history), np.flatnonzero(~with_history)
    # the shortcut sums counts in another order: exact only for whole numbers
    shortcut = len(history) >= max(ks) and _whole_numbers(future)
    part: list[np.ndarray] = []  # the candidates measured on the cells with history alone
    spans: list[float] = []
    demoted_part: list[bool] = []
    plain_part: list[bool] = []
    part_of: list[int] = []
    whole: dict[int, np.ndarray] = {}
    for i, score in enumerate(candidates):
        low, high, span = _span(score)
        demoted = plain = False
        if shortcut:
            on_history = score[history]
            demoted = low + span > high  # lifted by span, above every other cell
            if not np.isnan(high):
                top_other = score[others].max() if len(others) else -np.inf
                plain = int(np.count_nonzero(on_history > top_other)) >= max(ks)
        if demoted or plain:
            part.append(on_history)
            spans.append(span)
            demoted_part.append(demoted)
            plain_part.append(plain)
            part_of.append(i)
        if not demoted:
            whole[2 * i] = _demoted(score, history_count)
        if not plain:
            whole[2 * i + 1] = score
    out = np.empty((2 * len(candidates), len(coverages), 3))
    if part:
        on_history_future = future[history]
        size = max(ks) + 1
        top = None
        if len(history) > 2 * size:  # many cells with history: sort each row's highest only
            top = np.stack([_top(row, size) for row in part])
            values = np.stack([row[cells] for row, cells in zip(part, top, strict=True)])
            ranked, running = _ranked(values, on_history_future[top])
        else:
            ranked, running = _ranked(np.stack(part), on_history_future)
        rows = np.asarray(part_of)
        for lifted, chosen in ((1, demoted_part), (0, plain_part)):
            chosen_rows = np.flatnonzero(chosen)
            if chosen_rows.size:
                values = ranked[chosen_rows]
                if lifted:
                    values = values + np.asarray(spans)[chosen_rows, None]
                everything = None
                if top is not None:  # the ties at a row's lowest counted over all its cells
                    scores = [part[r] + spans[r] if lifted else part[r] for r in chosen_rows]
                    everything = scores, on_history_future
                captured = _at_cuts(values, running[chosen_rows], ks, everything=everything)
                out[2 * rows[chosen_rows] + 1 - lifted] = _figures(captured, future, ks)
    if whole:
        out[list(whole)] = _row_captures(list(whole.values()), future, coverages)
    return out


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of ``score`` (any of those tied at the lowest), as
    ``np.argpartition(-score, k - 1)[:k]`` but partitioning only the cells at or above a cut
    estimated from every 8th cell (most cells of a count term are zero)."""
    n = score.size
    sample = score[::8]
    j = min(sample.size - 1, (k * 9) // 64 + 8)  # a cut a little below the k-th largest
    cut = -np.partition(-sample, j)[j]
    above = np.flatnonzero(score > cut)
    if above.size >= k:
        return above[np.argpartition(-score[above], k - 1)[:k]]
    tied = np.flatnonzero(score == cut)
    if above.size + tied.size >= k:  # the k-th largest is the cut: any of its cells will do
        return np.concatenate([above, tied[: k - above.size]])
    return np.argpartition(-score, min(k, n) - 1)[:k]


def _demoted(score: np.ndarray, history_count: np.ndarray) -> np.ndarray:
    """Scores with every zero-history cell below every cell with history (order kept within)."""
    _, _, span = _span(score)
    return score + span * (history_count > 0)


def _span(score: np.ndarray) -> tuple[float, float, float]:
    """The lowest and highest score, and the span :func:`_demoted` lifts the cells with history
    by (their difference plus one, so that they are above every other cell)."""
    low, high = float(score.min()), float(score.max())
    return low, high, (high - low) + 1.0


def _normalised(x: np.ndarray) -> np.ndarray:
    total = float(np.abs(x).sum())
    return x / total if total else x


class _TermMatrix:
    """One month's single terms, each divided by its sum of absolute values, in two buffers
    used for every month: ``by_term`` (a contiguous row per term: :func:`_fit_block` reads
    them) and ``by_cell`` (cells × terms: the combination's scores are this matrix times its
    weights, its fit rows are rows of it)."""

    def __init__(self, n_cells: int, names: list[str]) -> None:
        self.names = names
        self.by_term = np.empty((len(names), n_cells))
        self.by_cell = np.empty((n_cells, len(names)))
        self._scratch = np.empty(n_cells)  # a term's absolute values

    def load(self, terms: dict[str, np.ndarray]) -> np.ndarray:
        """Fill both buffers with the month whose terms are ``terms``; ``by_cell``. Each term
        divided as :func:`_normalised` divides it, straight into its row."""
        for j, name in enumerate(self.names):
            term = terms[name]
            total = float(np.abs(term, out=self._scratch).sum())
            if total:
                np.divide(term, total, out=self.by_term[j])
            else:
                self.by_term[j] = term
        self.by_cell[...] = self.by_term.T
        return self.by_cell


def _fit_block(by_term: np.ndarray, future: np.ndarray, coverage: float) -> np.ndarray:
    """One month's cells in the combination's fit: those near the top of any term (a row of
    :attr:`_TermMatrix.by_term`) or with incidents in the month (a boolean mask)."""
    n = by_term.shape[1]
    k = max(1, round(_LOOKBACK_COVERAGE * coverage * n))
    top = np.zeros(n, dtype=bool)
    for term in by_term:
        top[np.argpartition(-term, min(k, n - 1))[:k]] = True
    top |= future > 0
    return top


class _FitRows:
    """The combination's fit rows (the cells of :func:`_fit_block`), month after month, in one
    buffer: the rows of the first months are a prefix of it (no copy of them for each fit)."""

    def __init__(self, width: int) -> None:
        self._x, self._y = np.empty((0, width)), np.empty(0)
        self.ends: list[int] = []

    def add(self, x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> None:
        """Append one month's rows: those of ``x`` (terms) and ``y`` (incidents) where ``rows``
        (a boolean mask) holds."""
        start = self.ends[-1] if self.ends else 0
        end = start + int(np.count_nonzero(rows))
        if end > len(self._x):  # grow by doubling: each row is copied O(1) times
            size = max(end, 2 * len(self._x))
            grown_x, grown_y = np.empty((size, self._x.shape[1])), np.empty(size)
            grown_x[:start], grown_y[:start] = self._x[:start], self._y[:start]
            self._x, self._y = grown_x, grown_y
        np.compress(rows, x, axis=0, out=self._x[start:end])
        np.compress(rows, y, out=self._y[start:end])
        self.ends.append(end)

    def first(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the first ``months`` months added."""
        end = self.ends[months - 1]
        return self._x[:end], self._y[:end]


def _fit_weights(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Non-negative weights over the terms minimising squared error on the near-top cells of
    some months' :func:`_fit_block` rows (``a``: their terms, ``b``: their incidents)."""
    from scipy.optimize import nnls

    if a.shape[0] > a.shape[1]:
        # The same least-squares objective on a k x k triangle: with A'A = LL' (a tiny ridge
        # keeps it positive definite), |Ax - b|^2 = |L'x - L^-1 A'b|^2 + constant, so nnls
        # iterates on k rows instead of hundreds of thousands.
        gram = a.T @ a
        gram[np.diag_indices_from(gram)] += 1e-12 * max(float(np.trace(gram)), 1.0)
        lower = np.linalg.cholesky(gram)
        a, b = lower.T, np.linalg.solve(lower, a.T @ b)
    weights, _ = nnls(a, b)
    return weights


@dataclass
class Forecast:
    """A next-month forecast of a study area's cells and its backtest.

    Attributes
    ----------
    cells
        Every study-area cell: ``cell``, ``score``, ``rank`` (1 = most likely), ``selected``
        (in the top ``coverage`` share), ``history`` (incidents in the history).
    month
        The month forecast (the one after ``through``).
    method
        The method whose scores are shown (chosen by backtest when ``method="auto"``).
    coverage
        Share of the cells selected.
    backtest
        Per method × coverage: ``folds``, mean ``hit_rate``, ``pai``, ``pei`` over the folds.
    figures
        The backtest figures of the selection shown: ``method``, ``coverage``, ``folds``,
        ``first_test_month``, ``last_test_month``, ``hit_rate``, ``pai``, ``pei``, ``weights``
        (combination), ``zero_history``, ``selection`` (how the figures were obtained).
    """

    cells: pd.DataFrame
    month: pd.Period
    method: str
    coverage: float
    backtest: pd.DataFrame
    figures: dict[str, Any]

    @property
    def selected(self) -> pd.DataFrame:
        """The selected cells, best first: ``cell``, ``rank``, ``score``."""
        top = self.cells[self.cells["selected"]].sort_values("rank")
        return top[["cell", "rank", "score"]].reset_index(drop=True)

    def summary(self) -> str:
        """One sentence a meeting can read, e.g. "over the last 12 months, the 5 % ..."."""
        f = self.figures
        if not f.get("folds"):
            return f"{self.method}: no backtest (too little history)"
        months = "month" if f["folds"] == 1 else f"{f['folds']} months"
        return (
            f"over the last {months}, the {100 * f['coverage']:g} % of the area marked "
            f"here held {100 * f['hit_rate']:.0f} % of the next month's crime (PAI "
            f"{f['pai']:.1f}, PEI {f['pei']:.2f}; method {self.method})"
        )


_P = ParamSpec("_P")
_R = TypeVar("_R")


@lru_cache(maxsize=1)
def _blas_libraries() -> ThreadpoolController:
    """The BLAS libraries of the process, numpy's and scipy's (loaded first), found once:
    looking them up cost about 2 ms of CPU at every call (the Hertfordshire force-year)."""
    import scipy.linalg
    import scipy.optimize  # noqa: F401  (nnls, cholesky: scipy's BLAS)

    return ThreadpoolController()


def _one_blas_thread(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` run with BLAS limited to one thread (numpy's linear algebra)."""

    @wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _blas_libraries().limit(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return run


@_one_blas_thread
def forecast(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int = 10,
    through: str | pd.Period | None = None,
    coverage: float = 0.05,
    method: str = "auto",
    test_months: int = 12,
    min_history: int = 3,
) -> Forecast:
    """Score every study-area cell for the month after ``through``; backtest and choose the method.

    Parameters
    ----------
    incidents
        Canonical incidents (``month``, point geometry, ``x``/``y`` metres). Only the ones
        that may feed a map are scored (:func:`hotspots.core.disclosure.mappable`): the cells
        are a map layer.
    study_area
        Anything :func:`hotspots.data.ingest.resolve_study_area` accepts, or ``None`` for the
        convex hull of the incidents.
    res
        H3 resolution (10: hexagons of about 0.015 km², edge ≈ 76 m).
    through
        Last month of history (``"YYYY-MM"``); ``None``: the last month with data.
    coverage
        Share of the cells to select (0.05 = 5 % of the area).
    method
        ``"auto"`` (:data:`DEFAULT_METHOD` unless the backtest proves another better, see
        :func:`_best_column`), a term name (see the module docstring) or ``"combination"``.
    test_months
        How many of the latest months (with incidents) the backtest measures.
    min_history
        Months of history a test month needs.

    Returns
    -------
    Forecast

    Notes
    -----
    Linear algebra runs on one thread here (BLAS limited to one for the call): the products
    are many and small, and a second BLAS thread spent as much CPU spinning as it saved (the
    county at res 10: 5.2 s of CPU on two threads, 3.2 s on one, in less wall time).

    Examples
    --------
    >>> fc = forecast(incidents, study_area="E07000096", through="2021-12")  # doctest: +SKIP
    >>> fc.summary()  # doctest: +SKIP
    """
    hist = _history(incidents, study_area=study_area, res=res, through=through, coverage=coverage)
    n_months = len(hist.months)
    target_t = n_months  # the month after the last one of history
    hist_count = hist.before(n_months)
    by_month = np.ascontiguousarray(hist.counts.T)  # each month's incidents per cell
    # Folds: months with incidents and at least one month before them.
    fold_ts = [t for t in range(1, n_months) if by_month[t].any()]
    # the test months and, before them, at most FIT_MONTHS more to fit the combination on
    fold_ts = fold_ts[-(test_months + FIT_MONTHS) :]
    hist.keep_densities([*fold_ts, target_t])
    terms = {t: terms_at(hist, t) for t in fold_ts}
    target_terms = terms_at(hist, target_t)
    names = list(target_terms)
    # the combination weighs the single terms (not the composite default or tie-broken ones)
    base_names = [n for n in names if "+" not in n and not n.startswith("recency_density")]
    tie_name = TIE_BREAK.format(edge=round(h3.average_hexagon_edge_length(res, unit="m")))
    known = [*names, "combination", "combination+kde"]
    if method != "auto" and method not in known:
        raise ValueError(f"unknown method {method!r}; choose 'auto' or one of {known}")
    test_ts = [t for t in fold_ts if t >= min_history][-test_months:]
    fit_rows = _FitRows(len(base_names))
    term_matrix = _TermMatrix(len(hist.cells), base_names)

    def add_month(s: int) -> None:
        """Add month ``s``'s fit rows from its terms loaded in ``term_matrix``."""
        future = by_month[s]
        block = _fit_block(term_matrix.by_term, future, coverage)
        fit_rows.add(term_matrix.by_cell, _normalised(future), block)

    def fit_upto(t: float) -> int:
        """Add the fit rows of the fold months before ``t`` not added yet; how many months
        have rows."""
        for s in fold_ts[len(fit_rows.ends) :]:
            if s >= t:
                break
            term_matrix.load(terms[s])
            add_month(s)
        return len(fit_rows.ends)

    coverages = sorted(set(COVERAGES) | {coverage})
    rows = []
    for t in test_ts:
        future = by_month[t]
        candidates = {n: terms[t][n] for n in names}
        earlier = fit_upto(t)
        month_terms = term_matrix.load(terms[t])
        if t != test_ts[-1]:  # the later test months fit on it
            add_month(t)
        if earlier:
            candidates["combination"] = month_terms @ _fit_weights(*fit_rows.first(earlier))
            candidates["combination+kde"] = tie_broken(
                np.round(candidates["combination"], 12), terms[t][tie_name]
            )
        scored = _month_captures(list(candidates.values()), hist.before(t), future, coverages)
        rows.append((t, list(candidates), scored))
    folds = _folds(rows, hist.months, coverages)
    chosen, zero_rule, figures = _choose(folds, method=method, coverage=coverage)
    if chosen.startswith("combination"):
        if not fold_ts:
            raise ValueError("the combination needs at least one earlier month with incidents")
        weights = _fit_weights(*fit_rows.first(fit_upto(np.inf)))
        score = term_matrix.load(target_terms) @ weights
        if chosen == "combination+kde":
            score = tie_broken(np.round(score, 12), target_terms[tie_name])
        figures["weights"] = {
            n: float(w) for n, w in zip(base_names, weights, strict=True) if w > 0
        }
    else:
        score = target_terms[chosen]
    cells = _ranked_cells(hist, score, zero_rule=zero_rule, coverage=coverage)
    summary = (
        folds[folds["zero_history"] == "demote"]
        .groupby(["method", "coverage"], sort=False)[["hit_rate", "pai", "pei"]]
        .mean()
        .reset_index()
    )
    summary.insert(
        2, "folds", folds.groupby(["method", "coverage"], sort=False).size().to_numpy() // 2
    )
    figures.update(
        n_cells=len(hist.cells),
        cell_set="cells whose centre lies in the study area, plus edge cells holding an incident "
        "located inside it",
        res=res,
        through=str(hist.months[-1]),
        incidents=int(hist_count.sum()),
        left_out=hist.n_left_out,
    )
    return Forecast(
        cells=cells,
        month=hist.months[-1] + 1,
        method=chosen,
        coverage=coverage,
        backtest=summary,
        figures=figures,
    )


@_one_blas_thread
def default_forecast(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int = 10,
    through: str | pd.Period | None = None,
    coverage: float = 0.05,
) -> Forecast:
    """The cells :func:`forecast` (its parameters of the same names, ``method="auto"``) gives
    whenever its backtest keeps :data:`DEFAULT_METHOD` with zero-history cells demoted, as most
    selections' does: the same ``cells``, bit for bit, made without the backtest (about a
    fifth of the time). Its ``method`` is the default and its ``figures`` say no backtest ran
    (``folds`` 0), so it is for work begun while :func:`forecast` runs elsewhere, kept only
    when the forecast's cells and method prove equal to it.

    Examples
    --------
    >>> likely = default_forecast(incidents, study_area="E07000096")  # doctest: +SKIP
    >>> likely.cells.equals(forecast(incidents, study_area="E07000096").cells)  # doctest: +SKIP
    True
    """
    hist = _history(incidents, study_area=study_area, res=res, through=through, coverage=coverage)
    target_t = len(hist.months)
    hist.keep_densities([target_t])  # made as forecast makes them (one product per kernel)
    score = terms_at(hist, target_t)[DEFAULT_METHOD]
    return Forecast(
        cells=_ranked_cells(hist, score, zero_rule="demote", coverage=coverage),
        month=hist.months[-1] + 1,
        method=DEFAULT_METHOD,
        coverage=coverage,
        backtest=pd.DataFrame(columns=["method", "coverage", "folds", "hit_rate", "pai", "pei"]),
        figures={"method": DEFAULT_METHOD, "coverage": coverage, "folds": 0},
    )


def _history(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int,
    through: str | pd.Period | None,
    coverage: float,
) -> History:
    """The history :func:`forecast` scores (its parameters of the same names): the mappable
    incidents inside the study area, up to ``through``."""
    from hotspots.analysis.analyse import _study_area
    from hotspots.data.ingest import resolve_study_area

    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be a share of the area in (0, 1], got {coverage}")
    incidents = mappable(incidents)
    if study_area is None:
        area = _study_area(incidents, None, res)[0]
    else:
        area = resolve_study_area(study_area)
    end = None if through is None else pd.Period(through, freq="M")
    return build_history(incidents, area=area, res=res, through=end)


def _ranked_cells(
    hist: History, score: np.ndarray, *, zero_rule: str, coverage: float
) -> pd.DataFrame:
    """:attr:`Forecast.cells` of ``score`` (one per cell of ``hist``, for the month after it):
    ranked by score (zero-history cells below the others when ``zero_rule`` is
    ``"demote"``), ties by more history, then cell id; the best ``coverage`` share selected."""
    hist_count = hist.before(len(hist.months))
    ranked = _demoted(score, hist_count) if zero_rule == "demote" else score
    # Ties: more history first, then cell id (deterministic; H3 indexes sort as the ids).
    order = np.lexsort((hist.ids, -hist_count, -ranked))
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    k = int(min(max(np.floor(coverage * len(order) + 0.5), 1), len(order)))
    return pd.DataFrame(
        {
            "cell": np.asarray(hist.cells, dtype=object),
            "score": score,
            "rank": rank,
            "selected": rank <= k,
            "history": hist_count,
        }
    )


_FOLD_COLUMNS = ["test_month", "method", "zero_history", "coverage", "hit_rate", "pai", "pei"]


def _folds(
    months: list[tuple[int, list[str], np.ndarray]], periods: pd.PeriodIndex, coverages: list
) -> pd.DataFrame:
    """The backtest's figures, one row per test month, method, zero-history rule (demoted,
    allowed) and coverage in that order, from each test month's index, candidate names and
    :func:`captures` figures (built column by column: the table a list of row tuples gives)."""
    if not months:
        return pd.DataFrame([], columns=_FOLD_COLUMNS)
    per_month = [2 * len(names) * len(coverages) for _, names, _ in months]
    figures = np.concatenate([f.reshape(-1, 3) for _, _, f in months])
    names = np.concatenate(
        [np.repeat(np.asarray(n, dtype=object), 2 * len(coverages)) for _, n, _ in months]
    )
    rules = np.repeat(np.asarray(["demote", "allow"], dtype=object), len(coverages))
    return pd.DataFrame(
        {
            "test_month": periods[np.repeat([t for t, _, _ in months], per_month)],
            "method": names,
            "zero_history": np.tile(rules, len(names) // len(rules)),
            "coverage": np.tile(np.asarray(coverages, dtype=float), len(names) // len(coverages)),
            "hit_rate": figures[:, 0],
            "pai": figures[:, 1],
            "pei": figures[:, 2],
        }
    )


def _column_means(values: np.ndarray) -> np.ndarray:
    """Mean of each column of ``values`` (months × columns), missing values skipped, summed as
    ``DataFrame.mean`` sums them (each column's values contiguous, numpy's pairwise sum), so
    the figures and choices equal those of the table this replaces, bit for bit."""
    present = ~np.isnan(values)
    sums = np.ascontiguousarray(np.where(present, values, 0.0).T).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / present.sum(axis=0)


def _best_column(pei: np.ndarray, columns: list[tuple[str, str]]) -> int:
    """The position in ``columns`` of the (method, zero-history rule) ``auto`` uses after the
    test months ``pei`` (months × ``columns``, no missing value).

    :data:`DEFAULT_METHOD` (zero-history cells demoted) unless another method beat it by
    :data:`SWITCH_MARGIN` mean PEI *and* in at least :data:`SWITCH_SHARE` of the months, month
    by month: then the one of those with the best mean PEI (demoted first on a tie).
    """
    demoted = [c[1] == "demote" for c in columns]
    default = (DEFAULT_METHOD, "demote")
    if default not in columns:
        means = _column_means(pei)
        candidates = np.arange(len(columns))
    else:
        gain = pei - pei[:, [columns.index(default)]]
        means, share = _column_means(gain), (gain > 0).mean(axis=0)
        candidates = np.flatnonzero((means >= SWITCH_MARGIN) & (share >= SWITCH_SHARE))
        if candidates.size == 0:
            return columns.index(default)
    return int(max(candidates, key=lambda j: (round(float(means[j]), 12), demoted[j])))


def _choose(folds: pd.DataFrame, *, method: str, coverage: float) -> tuple[str, str, dict]:
    """The method (and zero-history rule) to show and its honest backtest figures.

    ``auto`` picks, for each test month, the method :func:`_best_column` takes on the earlier test
    months (:data:`DEFAULT_METHOD` until there are :data:`MIN_FOLDS_TO_SWITCH`) and reports
    what that choice achieved: the figures are never those of the best method in hindsight.
    The months × (method, rule) tables are made with numpy (a pivot table's figures: one
    value per cell, columns in sorted order).
    """
    at = folds[folds["coverage"].to_numpy() == coverage]
    if at.empty:
        return (method if method != "auto" else DEFAULT_METHOD), "demote", {"folds": 0}
    month_of, months = pd.factorize(at["test_month"], sort=True)
    pairs = list(
        zip(at["method"].to_numpy(object), at["zero_history"].to_numpy(object), strict=True)
    )
    columns = sorted(set(pairs))
    position = {c: j for j, c in enumerate(columns)}
    column_of = np.array([position[c] for c in pairs])
    if np.unique(month_of * len(columns) + column_of).size != len(pairs):
        raise AssertionError("a test month scores each method once")
    tables = {}
    for name in ("hit_rate", "pai", "pei"):
        table = np.full((len(months), len(columns)), np.nan)
        table[month_of, column_of] = at[name].to_numpy(float)
        tables[name] = table
    figured = ~np.isnan(tables["pei"]).all(axis=1)  # a month without figures is no fold
    if not figured.all():  # (as the pivot table this replaces dropped it)
        tables = {name: table[figured] for name, table in tables.items()}
        months = months[figured]
    pei = tables["pei"]
    complete = ~np.isnan(pei)
    months = list(months)
    if method == "auto" and len(months) < MIN_FOLDS_TO_SWITCH:
        picks = [columns.index((DEFAULT_METHOD, "demote"))] * len(months)
        best = (DEFAULT_METHOD, "demote")
    elif method != "auto":
        cols = [j for j, c in enumerate(columns) if c[0] == method and complete[:, j].any()]
        means = _column_means(pei)
        j_best = max(cols, key=lambda j: (means[j], columns[j][1] == "demote"))
        best = columns[j_best]
        picks = [j_best] * len(months)
    else:
        default = columns.index((DEFAULT_METHOD, "demote"))
        picks = []
        for i in range(len(months)):
            kept = np.flatnonzero(complete[:i].all(axis=0))
            if i < MIN_FOLDS_TO_SWITCH or kept.size == 0:
                picks.append(default)
                continue
            picks.append(kept[_best_column(pei[:i, kept], [columns[j] for j in kept])])
        kept = np.flatnonzero(complete.all(axis=0))
        best = columns[kept[_best_column(pei[:, kept], [columns[j] for j in kept])]]
    rows = np.arange(len(months))
    picked = {name: table[rows, picks] for name, table in tables.items()}
    picks_named = [columns[j] for j in picks]
    figures = {
        "method": best[0],
        "coverage": coverage,
        "folds": len(months),
        "first_test_month": str(months[0]),
        "last_test_month": str(months[-1]),
        "hit_rate": float(np.mean(picked["hit_rate"])),
        "pai": float(np.mean(picked["pai"])),
        "pei": float(np.mean(picked["pei"])),
        "zero_history": best[1],
        "selection": (
            f"each test month scored by {DEFAULT_METHOD} unless another method beat it on the "
            f"earlier test months (rolling origin) by {SWITCH_MARGIN} mean PEI and in "
            f"{SWITCH_SHARE:.0%} of them, so the figures are out of sample"
            if method == "auto"
            else f"method {method} fixed by the user"
        ),
        "picks": [f"{m}:{p[0]}" for m, p in zip(months, picks_named, strict=True)],
    }
    return best[0], best[1], figures
