"""Getis–Ord Gi* local hot spot statistic on a grid of cells (ArcGIS-style, binary weights).

What is computed (Ord & Getis 1995, eq. 3.2, "Gi*": the focal cell is its own neighbour)::

    G*_i = sum_j w_ij y_j / sum_j y_j
    z_i  = (sum_j w_ij y_j - ybar W_i) / (s * sqrt((n S1_i - W_i**2) / (n - 1)))

with ``W_i = sum_j w_ij`` and ``S1_i = sum_j w_ij**2`` over row ``i`` (self weight included),
``ybar`` the mean and ``s`` the population standard deviation of all ``n`` values. For binary
weights ``S1_i = W_i`` and this is exactly ArcGIS's Hot Spot Analysis and
``esda.G_Local(y, w, transform="B", star=True).Zs``: esda writes the same moments as
``E[G*_i] = W_i / n`` and ``Var[G*_i] = W_i (n - W_i) / (n - 1) / n**2 * s**2 / ybar**2``, which
is the textbook variance when the weights are 0/1 (it omits ``S1_i``, so for non-binary weights
esda and this module differ; here the textbook form holds for any non-negative weights).
esda adds the self weight 1 itself when ``star=True``; here the weights must already carry it
(``hotspots.space.grid.neighbours(cells, include_self=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.stats.fdr import fdr_bh, significance_bins, two_sided_p
from hotspots.core.classes import GI_CLASSES
from hotspots.core.defaults import GI_K

if TYPE_CHECKING:
    import scipy.sparse as sp

_CHUNK_ELEMENTS = 4_000_000  # simulated neighbour values held at once in the permutation test


@dataclass(frozen=True)
class Moments:
    """Number, mean and population standard deviation of every value of a study area.

    Gi* compares each neighbourhood with the whole area. A block of a larger area (one piece of
    a national run, with its halo of neighbours) is analysed with the moments of the whole area
    so its z-scores are those of the whole-area run.
    """

    n: int
    mean: float
    sd: float

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        """The moments of ``values`` as :func:`gi_star` computes them."""
        y = np.asarray(values, dtype=float)
        mean = float(y.mean())
        return cls(y.size, mean, float(np.sqrt(max((y * y).mean() - mean * mean, 0.0))))

    @classmethod
    def from_sums(cls, n: int, total: float, total_sq: float) -> Moments:
        """From ``n`` values' sum and sum of squares (zeros need not be listed).

        Examples
        --------
        >>> Moments.from_sums(4, 6.0, 14.0) == Moments.of(np.array([1.0, 2.0, 3.0, 0.0]))
        True
        """
        mean = total / n
        return cls(int(n), float(mean), float(np.sqrt(max(total_sq / n - mean * mean, 0.0))))


@dataclass(frozen=True)
class GiStarWeights:
    """Spatial weights checked and summed once, for many :func:`gi_star` calls on one grid.

    Attributes
    ----------
    w
        The weights (``n x n``, self weight on the diagonal).
    row_sum, row_sq
        ``W_i = sum_j w_ij`` and ``S1_i = sum_j w_ij**2`` per row.
    """

    w: sp.csr_array
    row_sum: np.ndarray
    row_sq: np.ndarray

    @classmethod
    def of(cls, weights: sp.sparray | sp.spmatrix, n: int) -> GiStarWeights:
        """Check ``weights`` for ``n`` values (see :func:`gi_star`) and sum their rows."""
        w = _check_weights(weights, n)
        row_sum = np.asarray(w.sum(axis=1)).ravel()
        return cls(w, row_sum, np.asarray(w.multiply(w).sum(axis=1)).ravel())


@dataclass(frozen=True)
class GiStarResult:
    """Gi* per observation and the options that produced it.

    Attributes
    ----------
    gi
        The statistic ``G*_i`` (share of the total within cell ``i``'s neighbourhood).
    z
        Standardised ``G*_i`` under the normality assumption (positive = hot).
    p
        Two-sided p-value of ``z`` from the standard normal.
    p_sim
        Two-sided pseudo p-value from conditional randomisation, ``None`` without permutations:
        ``min(1, 2 * (min(#sim >= obs, #sim <= obs) + 1) / (permutations + 1))``. (esda's
        ``G_Local.p_sim`` is the one-sided "directed" value, about half of this.)
    permutations
        Number of conditional permutations (0 = analytical only).
    seed
        Seed of the permutation generator (``None`` = fresh entropy, not reproducible).
    n
        Number of observations (cells).
    """

    gi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray | None
    permutations: int
    seed: int | None
    n: int


def gi_star(
    values: np.ndarray,
    weights: sp.sparray | sp.spmatrix | GiStarWeights,
    *,
    permutations: int = 0,
    seed: int | None = None,
    moments: Moments | None = None,
) -> GiStarResult:
    """Getis–Ord Gi* for every observation, vectorised with scipy.sparse.

    Parameters
    ----------
    values
        One value per cell (e.g. incident counts, zero-count cells included), finite, 1-D.
    weights
        Square sparse ``n x n`` spatial weights aligned with ``values``, non-negative, with the
        self weight on the diagonal (Gi*): e.g. the binary k-ring of
        ``hotspots.space.grid.neighbours(cells, k=1, include_self=True)``; or those weights
        prepared once by :meth:`GiStarWeights.of` for many calls on the same cells.
    permutations
        Conditional permutations for ``p_sim`` (0 = none). As in esda, each cell keeps its own
        value and its neighbours are redrawn without replacement from the other ``n - 1``
        values; one set of draws is shared by all cells.
    seed
        Seed for :func:`numpy.random.default_rng`, for reproducible ``p_sim``.
    moments
        The whole area's :class:`Moments` when ``values`` are a block of it with its halo
        (rows of the halo get z-scores too; keep only the block's). ``None``: these values'.

    Returns
    -------
    GiStarResult
        ``gi``, ``z``, ``p`` (two-sided normal), ``p_sim`` and the options. A cell whose
        neighbourhood is every cell has zero variance: its z is 0 (esda gives NaN).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> w = sp.csr_array(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))
    >>> gi_star(np.array([5.0, 1.0, 0.0]), w).z.round(3).tolist()
    [0.926, 0.0, -1.389]
    """
    y = _check_values(values)
    prepared = weights if isinstance(weights, GiStarWeights) else GiStarWeights.of(weights, y.size)
    if prepared.w.shape != (y.size, y.size):
        raise ValueError(f"weights have shape {prepared.w.shape}; expected ({y.size}, {y.size})")
    w, row_sum, row_sq = prepared.w, prepared.row_sum, prepared.row_sq
    if permutations < 0:
        raise ValueError(f"permutations must be >= 0, got {permutations}")
    if moments is not None and permutations:
        raise ValueError("permutations need every value of the area, not a block's moments")
    whole = Moments.of(y) if moments is None else moments
    n, mean, sd = whole.n, whole.mean, whole.sd
    lag = w @ y
    if sd == 0:
        raise ValueError(
            f"all {n} values equal {mean:g}: Gi* needs variation between cells "
            "(is the study area empty of incidents?)"
        )
    spread = sd * np.sqrt(np.maximum(n * row_sq - row_sum**2, 0.0) / (n - 1))
    numerator = lag - mean * row_sum
    # A neighbourhood covering every cell has zero variance; its G* is exactly the mean.
    z = np.divide(numerator, spread, out=np.zeros(y.size), where=spread > 0)
    p = two_sided_p(z)
    p_sim = _p_sim(y, w, lag, permutations, seed) if permutations else None
    total = mean * n
    return GiStarResult(
        gi=lag / total if total != 0 else np.full(y.size, np.nan),
        z=z,
        p=p,
        p_sim=p_sim,
        permutations=int(permutations),
        seed=seed,
        n=n,
    )


def hotspots_gistar(
    grid: gpd.GeoDataFrame,
    *,
    value: str = "count",
    k: int = GI_K,
    alpha_fdr: bool = True,
    permutations: int = 0,
    seed: int | None = None,
    weights: sp.sparray | sp.spmatrix | None = None,
) -> gpd.GeoDataFrame:
    """Hot and cold spots of a grid of cells: Gi* z, p, FDR-adjusted p and ArcGIS-style classes.

    Parameters
    ----------
    grid
        One row per cell of the study area, zero-count cells included, with columns ``cell``
        (H3 id) and ``value``, e.g. ``hotspots.space.grid.grid_counts(incidents, 9,
        study_area=...)``.
        Every row is analysed, including occupied cells outside the study area
        (``in_study_area`` False); drop them first if they should not count.
    value
        Column to analyse (counts, rates, ...).
    k
        Neighbourhood: the H3 k-ring (1 = the 6 touching hexagons + the cell itself).
    alpha_fdr
        Classify with Benjamini–Hochberg adjusted p-values (``gi_p_fdr``, default, as ArcGIS's
        FDR option) rather than raw ``gi_p``.
    permutations, seed
        Conditional permutations (see :func:`gi_star`); when > 0 the permutation p-value
        ``gi_p_sim`` drives ``gi_p_fdr`` and the classes. Its smallest value is
        ``2 / (permutations + 1)``, so with FDR over thousands of cells use 9,999 or more.
    weights
        Custom square sparse weights aligned with ``grid`` rows (self weight on the diagonal);
        ``None`` builds the binary k-ring with ``hotspots.space.grid.neighbours``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``grid`` plus ``gi_z``, ``gi_p``, (``gi_p_sim``), ``gi_p_fdr``, ``gi_bin`` (-3..3) and
        ``gi_class`` (ordered categorical, :data:`GI_CLASSES`); ``attrs["params"]`` records
        ``value, k, fdr, p_used, permutations, seed, n_cells, n_zero_cells, weights``.

    Examples
    --------
    >>> hot = hotspots_gistar(grid_counts(incidents, 9, study_area=dacorum))  # doctest: +SKIP
    >>> hot.loc[hot.gi_bin == 3, ["cell", "count", "gi_z"]]  # doctest: +SKIP
    """
    _check_grid(grid, value)
    if weights is None:
        weights = _kring_weights(grid["cell"], k)
        weights_label = f"H3 k-ring k={k}, binary, self included"
    else:
        weights_label = "custom"
    res = gi_star(grid[value].to_numpy(dtype=float), weights, permutations=permutations, seed=seed)
    p_used = res.p_sim if res.p_sim is not None else res.p
    out = grid.copy()
    out["gi_z"] = res.z
    out["gi_p"] = res.p
    if res.p_sim is not None:
        out["gi_p_sim"] = res.p_sim
    out["gi_p_fdr"] = fdr_bh(p_used)
    bins = significance_bins(res.z, out["gi_p_fdr"].to_numpy() if alpha_fdr else p_used)
    out["gi_bin"] = bins
    out["gi_class"] = _classes(bins)
    out.attrs["params"] = {
        "value": value,
        "k": k if weights_label != "custom" else None,
        "fdr": bool(alpha_fdr),
        "p_used": "permutation" if res.p_sim is not None else "normal",
        "permutations": res.permutations,
        "seed": seed,
        "n_cells": res.n,
        "n_zero_cells": int((grid[value].to_numpy() == 0).sum()),
        "weights": weights_label,
    }
    return out


def _classes(bins: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(bins.astype(int) + 3, categories=GI_CLASSES, ordered=True)


def _kring_weights(cells: pd.Series, k: int) -> sp.sparray | sp.spmatrix:
    from hotspots.space.grid import neighbours

    return neighbours(cells.to_numpy(), k=k, include_self=True)


def _check_grid(grid: pd.DataFrame, value: str) -> None:
    missing = [c for c in ("cell", value) if c not in grid.columns]
    if missing:
        raise ValueError(
            f"grid lacks column(s) {missing}; expected one row per cell with 'cell' and "
            f"{value!r}, as made by hotspots.space.grid.grid_counts"
        )
    dup = grid["cell"].duplicated()
    if dup.any():
        raise ValueError(
            f"grid has {int(dup.sum())} duplicated cell(s) (e.g. {grid['cell'][dup].iloc[0]}); "
            "for several periods use gistar_by_period or emerging_hotspots"
        )


def _check_values(values: np.ndarray) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be 1-D (one per cell), got shape {y.shape}")
    if y.size < 3:
        raise ValueError(f"Gi* needs at least 3 cells, got {y.size}")
    bad = ~np.isfinite(y)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} value(s) are NaN or infinite (first at position "
            f"{int(np.flatnonzero(bad)[0])}); give empty cells 0, not NaN"
        )
    return y


def _check_weights(weights: sp.sparray | sp.spmatrix, n: int) -> sp.csr_array:
    import scipy.sparse as sp  # lazy: ~0.3 s to import, loaded with the first matrix

    if not sp.issparse(weights):
        raise TypeError(
            f"weights must be a scipy.sparse matrix, got {type(weights).__name__}; build them "
            "with hotspots.space.grid.neighbours(cells, k=1, include_self=True)"
        )
    w = sp.csr_array(weights, dtype=float, copy=True)
    w.sum_duplicates()
    if w.shape != (n, n):
        raise ValueError(f"weights have shape {w.shape}; expected ({n}, {n}) to match the values")
    if not (np.isfinite(w.data).all() and (w.data >= 0).all()):
        raise ValueError("weights must be finite and non-negative")
    if (w.diagonal() <= 0).any():
        raise ValueError(
            f"{int((w.diagonal() <= 0).sum())} cell(s) have no self weight: Gi* counts the cell "
            "itself; use hotspots.space.grid.neighbours(cells, include_self=True) "
            "or add the identity"
        )
    return w


def _p_sim(
    y: np.ndarray, w: sp.csr_array, lag: np.ndarray, permutations: int, seed: int | None
) -> np.ndarray:
    """Two-sided conditional-randomisation p-values, vectorised over cells in chunks."""
    import scipy.sparse as sp  # lazy: ~0.3 s to import, loaded with the first matrix

    n = y.size
    self_w = w.diagonal()
    others = (w - sp.diags_array(self_w)).tocsr()
    others.eliminate_zeros()
    card = np.diff(others.indptr)
    kmax = int(card.max())
    if kmax == 0:
        return np.ones(n)
    # Neighbour weights padded to kmax columns; zero weights past each row's cardinality.
    rows = np.repeat(np.arange(n), card)
    slot = np.arange(others.nnz) - others.indptr[rows]
    padded = np.zeros((n, kmax))
    padded[rows, slot] = others.data
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.choice(n - 1, size=kmax, replace=False) for _ in range(permutations)])
    n_ge = np.empty(n)
    n_le = np.empty(n)
    step = max(1, _CHUNK_ELEMENTS // (permutations * kmax))
    for start in range(0, n, step):
        idx = np.arange(start, min(start + step, n))
        # Draws index the n - 1 other cells: skip the focal cell by shifting ids >= i.
        ids = draws[None, :, :] + (draws[None, :, :] >= idx[:, None, None])
        sims = (y[ids] * padded[idx, None, :]).sum(axis=2) + (self_w[idx] * y[idx])[:, None]
        obs = lag[idx, None]
        tol = 1e-9 * np.maximum(np.abs(obs), 1.0)
        n_ge[idx] = (sims >= obs - tol).sum(axis=1)
        n_le[idx] = (sims <= obs + tol).sum(axis=1)
    return np.minimum(1.0, 2.0 * (np.minimum(n_ge, n_le) + 1.0) / (permutations + 1.0))


def gistar_by_period(
    grid_long: pd.DataFrame,
    *,
    value: str = "count",
    period: str = "month",
    k: int = GI_K,
    time_window: int = 0,
    alpha_fdr: bool = True,
    weights: sp.sparray | sp.spmatrix | None = None,
    moments: Moments | None = None,
) -> pd.DataFrame:
    """Gi* for every cell in every period of a space-time cube (long format).

    The cube is all cells x all periods. Each (cell, period) bin is compared with its spatial
    k-ring in the same period and, when ``time_window > 0``, with the same k-ring in the
    ``time_window`` previous periods (ArcGIS's "neighborhood time step"; past periods only, so
    the first periods have smaller neighbourhoods). The weights are the Kronecker product of
    that temporal band and the spatial weights, and the mean and variance are those of the
    whole cube (as ArcGIS's space-time Gi*): a month that is busy everywhere makes many cells
    hot, and a rising total shows as intensifying. ``time_window=0`` is "per-step space":
    neighbours only within the same period. The FDR adjustment is made within each period.

    Parameters
    ----------
    grid_long
        One row per (cell, period), zero counts included, e.g.
        ``hotspots.space.grid.grid_counts(incidents, 9, study_area=area, by="month")``.
    value, period
        Column to analyse and column naming the period.
    k
        Spatial H3 k-ring.
    time_window
        Previous periods in the neighbourhood (0 = same period only).
    alpha_fdr
        ``gi_bin`` / ``gi_class`` from Benjamini–Hochberg adjusted p-values (per period).
    weights
        Custom spatial weights among the cells in order of first appearance in ``grid_long``
        (self weight on the diagonal); ``None`` = binary k-ring from ``hotspots.space.grid``.
    moments
        The whole cube's :class:`Moments` when ``grid_long`` is a block of it with its halo
        (:mod:`hotspots.national`); the FDR columns are then those of the block alone.

    Returns
    -------
    pandas.DataFrame
        ``grid_long`` (same rows and order) plus ``gi_z``, ``gi_p``, ``gi_p_fdr``, ``gi_bin``,
        ``gi_class``; ``attrs["params"]`` records ``value, period, k, time_window, fdr,
        n_cells, n_periods, periods, n_zero_bins, weights, baseline``.

    Examples
    --------
    >>> grid_long = grid_counts(incidents, 9, study_area=area, by="month")  # doctest: +SKIP
    >>> monthly = gistar_by_period(grid_long)  # doctest: +SKIP
    """
    import scipy.sparse as sp  # lazy: ~0.3 s to import, loaded with the first matrix

    cube, cells, periods, cell_pos, period_pos = _cube(grid_long, value, period)
    n_periods, n_cells = cube.shape
    if isinstance(time_window, bool) or not 0 <= int(time_window) < n_periods:
        raise ValueError(
            f"time_window must be an integer from 0 to {n_periods - 1} (periods before the "
            f"current one), got {time_window!r}"
        )
    if weights is None:
        weights = _kring_weights(pd.Series(cells), k)
        weights_label = f"H3 k-ring k={k}, binary, self included"
    else:
        weights_label = "custom"
    space = _check_weights(weights, n_cells)
    band = sp.diags_array(
        [np.ones(n_periods - lag) for lag in range(int(time_window) + 1)],
        offsets=[-lag for lag in range(int(time_window) + 1)],
        shape=(n_periods, n_periods),
    )
    res = gi_star(cube.ravel(), sp.kron(band, space, format="csr"), moments=moments)
    z = res.z.reshape(n_periods, n_cells)
    p = res.p.reshape(n_periods, n_cells)
    p_fdr = np.vstack([fdr_bh(row) for row in p])
    bins = significance_bins(z.ravel(), (p_fdr if alpha_fdr else p).ravel())
    flat = period_pos * n_cells + cell_pos
    out = grid_long.copy()
    out["gi_z"] = z.ravel()[flat]
    out["gi_p"] = p.ravel()[flat]
    out["gi_p_fdr"] = p_fdr.ravel()[flat]
    out["gi_bin"] = bins[flat]
    out["gi_class"] = _classes(bins[flat])
    out.attrs["params"] = {
        "value": value,
        "period": period,
        "k": k if weights_label != "custom" else None,
        "time_window": int(time_window),
        "fdr": bool(alpha_fdr),
        "n_cells": n_cells,
        "n_periods": n_periods,
        "periods": periods.tolist(),
        "n_zero_bins": int((cube == 0).sum()),
        "weights": weights_label,
        "baseline": "mean and variance of the whole space-time cube",
    }
    return out


def _cube(
    grid_long: pd.DataFrame, value: str, period: str
) -> tuple[np.ndarray, np.ndarray, pd.Index, np.ndarray, np.ndarray]:
    """Pivot a long grid into a (periods x cells) array; cells in order of first appearance."""
    missing = [c for c in ("cell", period, value) if c not in grid_long.columns]
    if missing:
        raise ValueError(
            f"grid lacks column(s) {missing}; expected one row per (cell, {period}) with "
            f"'cell', {period!r} and {value!r}, as made by "
            f"hotspots.space.grid.grid_counts(..., by={period!r}); "
            "pass period= to name another column"
        )
    cell_codes, cells = pd.factorize(grid_long["cell"], sort=False)
    period_codes, periods = pd.factorize(grid_long[period], sort=True)
    if (cell_codes < 0).any() or (period_codes < 0).any():
        raise ValueError(f"grid has missing 'cell' or {period!r} values; every row needs both")
    n_cells, n_periods = cells.size, periods.size
    flat = period_codes * n_cells + cell_codes
    filled = np.bincount(flat, minlength=n_periods * n_cells)
    if (filled > 1).any():
        raise ValueError(
            f"grid has {int((filled > 1).sum())} repeated (cell, {period}) pair(s); aggregate "
            "to one row per cell and period"
        )
    if (filled == 0).any():
        raise ValueError(
            f"grid lacks {int((filled == 0).sum())} (cell, {period}) pair(s): every cell needs "
            "a row in every period, zeros included; build it with "
            f"hotspots.space.grid.grid_counts(..., by={period!r})"
        )
    values = _check_values(grid_long[value].to_numpy(dtype=float))
    cube = np.empty(n_periods * n_cells)
    cube[flat] = values
    return (
        cube.reshape(n_periods, n_cells),
        np.asarray(cells, dtype=object),
        pd.Index(periods),
        cell_codes,
        period_codes,
    )
