"""Emerging hot spots: Gi* per period, a Mann–Kendall trend per cell, ArcGIS's categories.

Method (after ArcGIS Pro's Emerging Hot Spot Analysis):

1. Gi* for every (cell, period) bin of the space-time cube
   (:func:`hotspots.analysis.stats.gistar.gistar_by_period`: spatial k-ring in the same period,
   plus the
   ``time_window`` previous periods when > 0; cube-wide mean and variance). A bin is a
   significant hot (cold) spot when its z is positive (negative) and its p-value — FDR-adjusted
   within the period when ``fdr=True`` — is ``<= alpha``.
2. The Mann–Kendall test on each cell's series of Gi* z-scores gives the trend in the intensity
   of clustering (``trend_z``, ``trend_p``, ``trend_tau``); it is significant when
   ``trend_p <= alpha``.
3. Categories (T periods; "90 %" means ``n_hot >= 0.9 T``; the last period is the final step):

   ==========================  ===============================================================
   New Hot Spot                hot in the final period and in no earlier one
   Consecutive Hot Spot        one uninterrupted run of >= 2 hot periods ending in the final
                               period, no hot period before it, hot in < 90 % of periods
   Intensifying Hot Spot       hot in >= 90 % of periods including the final one; significant
                               upward trend
   Persistent Hot Spot         hot in >= 90 % of periods including the final one; no
                               significant trend
   Diminishing Hot Spot        hot in >= 90 % of periods including the final one; significant
                               downward trend
   Sporadic Hot Spot           hot in the final period, hot on and off before (not new, not
                               consecutive), < 90 % hot, never a cold spot
   Oscillating Hot Spot        as sporadic but a cold spot in at least one earlier period
   Historical Hot Spot         not hot in the final period, hot in >= 90 % of periods
   No Pattern Detected         none of the above, hot or cold
   ==========================  ===============================================================

   Cold categories mirror these with hot and cold swapped ("trend" then means decreasing z for
   intensifying cold spots). Where ArcGIS's wording overlaps, this precedence applies: New and
   Consecutive before Oscillating (a first hot spot after cold periods is "new"); categories
   that depend on the final period before Historical ones (a cell hot for 12 months and cold
   in the 13th is a New Cold Spot, not a Historical Hot Spot); Persistent, Intensifying and
   Diminishing need the final period hot, otherwise the cell is Historical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.analysis.stats.fdr import two_sided_p
from hotspots.analysis.stats.gistar import gistar_by_period
from hotspots.core.defaults import GI_K

if TYPE_CHECKING:
    import scipy.sparse as sp

EMERGING_CATEGORIES: list[str] = [
    *(
        f"{kind} {side} Spot"
        for side in ("Hot", "Cold")
        for kind in (
            "New",
            "Consecutive",
            "Intensifying",
            "Persistent",
            "Diminishing",
            "Sporadic",
            "Oscillating",
            "Historical",
        )
    ),
    "No Pattern Detected",
]
"""The 17 emerging hot spot categories (ArcGIS wording), hot first."""

MIN_PERIODS = 4
"""Fewest periods accepted (ArcGIS asks for at least 10 for a meaningful trend)."""


def mann_kendall(series: np.ndarray) -> pd.DataFrame:
    """Mann–Kendall trend test on many series at once (vectorised over rows), tie-corrected.

    ``S = sum_{i<j} sign(x_j - x_i)``; ``Var(S) = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)]/18``
    over groups of ``t_g`` tied values; ``z = (S - sign(S)) / sqrt(Var S)`` (continuity
    correction); two-sided normal p; ``tau = S / (T(T-1)/2)``. Same figures as
    ``pymannkendall.original_test`` on each row.

    Parameters
    ----------
    series
        Array ``(n_series, T)`` of complete series, oldest first (a 1-D array is one series).

    Returns
    -------
    pandas.DataFrame
        One row per series: ``s``, ``var_s``, ``z``, ``p``, ``tau``. A constant series has
        ``var_s = 0``, ``z = 0`` and ``p = 1``.

    Examples
    --------
    >>> mann_kendall(np.array([1.0, 2.0, 2.0, 4.0, 5.0]))[["s", "z"]].round(3).to_dict("list")
    {'s': [9.0], 'z': [2.021]}
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    if x.ndim != 2:
        raise ValueError(f"series must be 1-D or 2-D (series x time), got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("series contain NaN or infinite values; Mann–Kendall needs them complete")
    n_series, t = x.shape
    if t < 3:
        raise ValueError(f"Mann–Kendall needs at least 3 time steps, got {t}")
    s = np.zeros(n_series)
    for lag in range(1, t):  # T-1 vectorised passes cover all T(T-1)/2 pairs
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    var_s = (t * (t - 1) * (2 * t + 5) - _tie_term(x)) / 18.0
    safe = np.where(var_s > 0, var_s, 1.0)
    z = np.where(var_s > 0, (s - np.sign(s)) / np.sqrt(safe), 0.0)
    return pd.DataFrame(
        {
            "s": s,
            "var_s": var_s,
            "z": z,
            "p": two_sided_p(z),
            "tau": s / (t * (t - 1) / 2.0),
        }
    )


def _tie_term(x: np.ndarray) -> np.ndarray:
    """``sum_g t_g (t_g - 1)(2 t_g + 5)`` over groups of tied values, per row."""
    n_series, t = x.shape
    ordered = np.sort(x, axis=1)
    starts = np.ones((n_series, t), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts, axis=1) - 1 + (np.arange(n_series) * t)[:, None]
    sizes = np.bincount(group.ravel(), minlength=n_series * t).reshape(n_series, t)
    return (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1).astype(float)


def classify_emerging(
    hot: np.ndarray, cold: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray, *, alpha: float
) -> np.ndarray:
    """Emerging hot spot category of each cell from its significant hot / cold periods.

    Parameters
    ----------
    hot, cold
        Boolean arrays ``(n_cells, T)``: significant hot / cold spot in each period, oldest
        first.
    trend_z, trend_p
        Mann–Kendall z and p of each cell's Gi* z-series.
    alpha
        Significance level of the trend.

    Returns
    -------
    numpy.ndarray
        Category labels from :data:`EMERGING_CATEGORIES` (rules in the module docstring).

    Examples
    --------
    >>> hot = np.array([[False, False, False, True]])
    >>> classify_emerging(hot, np.zeros_like(hot), np.zeros(1), np.ones(1), alpha=0.05).tolist()
    ['New Hot Spot']
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    if hot.shape != cold.shape or hot.ndim != 2:
        raise ValueError(f"hot and cold must be 2-D of equal shape, got {hot.shape}, {cold.shape}")
    if (hot & cold).any():
        raise ValueError("a period cannot be both a hot and a cold spot for the same cell")
    up = (np.asarray(trend_p) <= alpha) & (np.asarray(trend_z) > 0)
    down = (np.asarray(trend_p) <= alpha) & (np.asarray(trend_z) < 0)
    labels = np.full(hot.shape[0], "No Pattern Detected", dtype=object)
    historical = {}
    for side, mine, other, rising, falling in (
        ("Hot", hot, cold, up, down),
        ("Cold", cold, hot, down, up),
    ):
        final, mostly, kind = _final_step_kind(mine, other, rising, falling)
        labels[final] = [f"{k} {side} Spot" for k in kind[final]]
        historical[side] = ~mine[:, -1] & mostly
    # Final-period categories win over historical ones; both historical at once is impossible.
    unset = labels == "No Pattern Detected"
    for side in ("Hot", "Cold"):
        labels[unset & historical[side]] = f"Historical {side} Spot"
    return labels


def _final_step_kind(
    mine: np.ndarray, other: np.ndarray, rising: np.ndarray, falling: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For one side (hot or cold): which cells are significant in the final period, which are
    significant in >= 90 % of periods, and the kind (New, Consecutive, ...) of the former."""
    t = mine.shape[1]
    count = mine.sum(axis=1)
    final = mine[:, -1]
    mostly = count * 10 >= 9 * t
    misses = ~mine
    run = np.where(misses.any(axis=1), np.argmax(misses[:, ::-1], axis=1), t)
    conditions = [
        mostly & rising,
        mostly & falling,
        mostly,
        count == 1,
        (run >= 2) & (count == run),
        other[:, :-1].any(axis=1),
    ]
    kinds = ["Intensifying", "Diminishing", "Persistent", "New", "Consecutive", "Oscillating"]
    kind = np.select(conditions, kinds, default="Sporadic").astype(object)
    return final, mostly, kind


def emerging_table(
    cells: np.ndarray, z: np.ndarray, significant: np.ndarray, *, alpha: float
) -> pd.DataFrame:
    """Category, trend and counts of each cell from its Gi* z-series and significant periods.

    The last step of :func:`emerging_hotspots`, shared with the national run, which finds the
    significant bins with cut-offs from the whole country (:mod:`hotspots.national`).

    Parameters
    ----------
    cells
        Cell ids, one per row of ``z``.
    z, significant
        ``(n_cells, T)`` Gi* z-scores and whether each bin is significant, oldest period first.
    alpha
        Significance level of the Mann–Kendall trend.
    """
    z = np.asarray(z, dtype=float)
    significant = np.asarray(significant, dtype=bool)
    hot, cold = significant & (z > 0), significant & (z < 0)
    trend = mann_kendall(z)
    labels = classify_emerging(hot, cold, trend["z"].to_numpy(), trend["p"].to_numpy(), alpha=alpha)
    return pd.DataFrame(
        {
            "cell": cells,
            "category": pd.Categorical(labels, categories=EMERGING_CATEGORIES),
            "trend_z": trend["z"].to_numpy(),
            "trend_p": trend["p"].to_numpy(),
            "trend_tau": trend["tau"].to_numpy(),
            "n_hot": hot.sum(axis=1),
            "n_cold": cold.sum(axis=1),
            "n_significant": significant.sum(axis=1),
            "final_z": z[:, -1],
        }
    )


def emerging_hotspots(
    grid_long: pd.DataFrame,
    weights: sp.sparray | sp.spmatrix | None = None,
    *,
    value: str = "count",
    period: str = "month",
    k: int = GI_K,
    time_window: int = 0,
    alpha: float = 0.05,
    fdr: bool = True,
) -> pd.DataFrame:
    """Emerging hot spot category of every cell, with its Mann–Kendall trend (ArcGIS-style).

    See the module docstring for the method and the category rules.

    Parameters
    ----------
    grid_long
        One row per (cell, period), zero counts included, e.g.
        ``hotspots.space.grid.grid_counts(incidents, 9, study_area=area, by="month")``.
    weights
        Spatial weights among the cells in order of first appearance in ``grid_long`` (self
        weight on the diagonal); ``None`` = binary H3 k-ring (``hotspots.space.grid.neighbours``).
    value, period
        Column to analyse and column naming the period (sorted to give the time order).
    k
        Spatial H3 k-ring when ``weights`` is ``None``.
    time_window
        Previous periods included in each bin's neighbourhood (0 = same period only).
    alpha
        Significance level for hot / cold bins and for the trend.
    fdr
        Benjamini–Hochberg adjust each period's Gi* p-values before comparing with ``alpha``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        One row per cell (geometry kept when ``grid_long`` has it): ``cell``, ``category``
        (categorical, :data:`EMERGING_CATEGORIES`), ``trend_z``, ``trend_p``, ``trend_tau``,
        ``n_hot``, ``n_cold``, ``n_significant``, ``final_z``; ``attrs["params"]`` records every
        option, ``n_cells``, ``n_periods``, ``periods`` and what the trend is computed on.

    Examples
    --------
    >>> grid_long = grid_counts(incidents, 9, study_area=area, by="month")  # doctest: +SKIP
    >>> ehs = emerging_hotspots(grid_long)  # doctest: +SKIP
    >>> ehs["category"].value_counts()  # doctest: +SKIP
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be a significance level in (0, 1), got {alpha}")
    gi = gistar_by_period(
        grid_long,
        value=value,
        period=period,
        k=k,
        time_window=time_window,
        alpha_fdr=fdr,
        weights=weights,
    )
    params = gi.attrs["params"]
    if params["n_periods"] < MIN_PERIODS:
        raise ValueError(
            f"emerging hot spots need at least {MIN_PERIODS} periods (ArcGIS asks for 10), "
            f"got {params['n_periods']}; use hotspots_gistar for a single map"
        )
    cell_codes, cells = pd.factorize(gi["cell"], sort=False)
    period_codes = pd.factorize(gi[period], sort=True)[0]
    shape = (cells.size, params["n_periods"])
    z = np.empty(shape)
    p = np.empty(shape)
    z[cell_codes, period_codes] = gi["gi_z"].to_numpy()
    p[cell_codes, period_codes] = gi["gi_p_fdr" if fdr else "gi_p"].to_numpy()
    out = emerging_table(np.asarray(cells, dtype=object), z, p <= alpha, alpha=alpha)
    if isinstance(grid_long, gpd.GeoDataFrame):
        first = np.unique(cell_codes, return_index=True)[1]
        out = gpd.GeoDataFrame(
            out, geometry=grid_long.geometry.iloc[first].to_numpy(), crs=grid_long.crs
        )
    out.attrs["params"] = {
        **params,
        "alpha": alpha,
        "trend_on": "Gi* z-score series of each cell (Mann–Kendall, tie-corrected)",
    }
    return out
