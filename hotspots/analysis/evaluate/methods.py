"""Hotspot scoring methods on a fixed set of H3 cells, for like-for-like evaluation.

Every method has the signature ``score_<method>(train_incidents, cells, **params) -> Series``:
one finite score per cell of ``cells`` (the study area's cells, empty ones included), higher
meaning "more likely to be a hotspot next period", and ``Series.attrs["params"]`` recording every
parameter used or chosen. Incidents in cells outside ``cells`` add nothing to count-based scores;
they still weigh in the distance-based ones (KDE, near-repeat) through their kernels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspots.analysis.clusters import dbscan
from hotspots.analysis.stats import gi_star, kde_surface
from hotspots.core.crs import from_lonlat
from hotspots.core.points import distinct_rows
from hotspots.data.schema import WORKING_CRS
from hotspots.space.grid import cell_counts, neighbours

ScoreFunction = Callable[..., pd.Series]
"""``f(train_incidents, cells, **params) -> Series`` of one score per cell."""

_NEAR_REPEAT_CUTOFF = 6.0  # distance kernel truncated at 6 delta: exp(-6) = 0.25 % of the peak


def _cells_index(cells: Sequence[str] | np.ndarray | pd.Index) -> pd.Index:
    index = pd.Index(np.asarray(cells, dtype=object), name="cell")
    if len(index) == 0 or not index.is_unique:
        raise ValueError("cells must be a non-empty set of distinct H3 ids (study_area_cells)")
    return index


def _resolution(cells: pd.Index) -> int:
    return h3.get_resolution(str(cells[0]))


def _counts(incidents: gpd.GeoDataFrame, cells: pd.Index) -> np.ndarray:
    """Incidents per cell of ``cells`` (zero-filled), as float."""
    if len(incidents) == 0:
        return np.zeros(len(cells))
    counts = cell_counts(incidents, _resolution(cells))
    return counts.set_index("cell")["count"].reindex(cells, fill_value=0).to_numpy(dtype=float)


def _scored(values: np.ndarray, cells: pd.Index, method: str, **params: Any) -> pd.Series:
    series = pd.Series(values, index=cells, name=method, dtype=float)
    series.attrs["params"] = {"method": method, **params}
    return series


def _month_periods(incidents: gpd.GeoDataFrame) -> pd.Series:
    return pd.to_datetime(incidents["month"]).dt.to_period("M")


def _working_crs(incidents: gpd.GeoDataFrame) -> str:
    if WORKING_CRS not in incidents.attrs:
        raise ValueError("incidents lack attrs['working_crs']; load them with hotspots.data.ingest")
    return str(incidents.attrs[WORKING_CRS])


def _cell_centres_xy(cells: pd.Index, crs: str) -> np.ndarray:
    """Cell centres in the working CRS (metres)."""
    latlng = np.array([h3.cell_to_latlng(str(c)) for c in np.asarray(cells, dtype=object)])
    x, y = from_lonlat(latlng[:, 1], latlng[:, 0], crs)
    return np.column_stack([x, y])


def score_last_period(
    train_incidents: gpd.GeoDataFrame, cells: Sequence[str], *, months: int = 1
) -> pd.Series:
    """Incidents per cell in the last ``months`` months of the training data.

    Parameters
    ----------
    train_incidents
        Canonical incidents of the training period (``month`` column, point geometry).
    cells
        Study-area H3 cells (:func:`hotspots.space.grid.study_area_cells`).
    months
        How many of the latest months to count.

    Returns
    -------
    Series
        Incident count per cell (float), ``attrs["params"]`` = ``{"method", "months"}``.

    Examples
    --------
    >>> score_last_period(train, cells, months=1)  # doctest: +SKIP
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    index = _cells_index(cells)
    period = _month_periods(train_incidents)
    recent = train_incidents[(period > period.max() - months).to_numpy()]
    return _scored(_counts(recent, index), index, "last_period", months=months)


def score_all_history(train_incidents: gpd.GeoDataFrame, cells: Sequence[str]) -> pd.Series:
    """Incidents per cell over the whole training data.

    Parameters
    ----------
    train_incidents
        Canonical incidents of the training period.
    cells
        Study-area H3 cells.

    Returns
    -------
    Series
        Incident count per cell (float).

    Examples
    --------
    >>> score_all_history(train, cells)  # doctest: +SKIP
    """
    index = _cells_index(cells)
    return _scored(_counts(train_incidents, index), index, "all_history")


def score_gistar(
    train_incidents: gpd.GeoDataFrame, cells: Sequence[str], *, k: int = 1
) -> pd.Series:
    """Getis–Ord Gi* z of the cell counts (binary k-ring weights, self included): hot cells high.

    Parameters
    ----------
    train_incidents
        Canonical incidents of the training period.
    cells
        Study-area H3 cells, empty ones included (Gi* needs them).
    k
        Neighbourhood in H3 rings (1: the cell and its 6 neighbours, about 0.7 km² at res 9).

    Returns
    -------
    Series
        Gi* z per cell (:func:`hotspots.analysis.stats.gi_star`).

    Examples
    --------
    >>> score_gistar(train, cells, k=1)  # doctest: +SKIP
    """
    index = _cells_index(cells)
    result = gi_star(_counts(train_incidents, index), neighbours(index, k=k, include_self=True))
    return _scored(result.z, index, "gistar", k=k, weights="binary k-ring incl. self")


def score_dbscan(
    train_incidents: gpd.GeoDataFrame,
    cells: Sequence[str],
    *,
    eps_m: float | None = 150.0,
    min_samples: int = 20,
) -> pd.Series:
    """Incidents per cell that belong to a DBSCAN cluster (noise counts 0).

    Parameters
    ----------
    train_incidents
        Canonical incidents of the training period (``x``/``y`` metres).
    cells
        Study-area H3 cells.
    eps_m
        Neighbourhood radius in metres (working CRS); ``None`` picks it at the k-distance knee.
    min_samples
        Incidents within ``eps_m`` (the point included) that make a core point.

    Returns
    -------
    Series
        Clustered incidents per cell; ``attrs["params"]`` has ``eps_m``, ``eps_source``,
        ``min_samples`` and ``n_clusters``.

    Examples
    --------
    >>> score_dbscan(train, cells, eps_m=150, min_samples=20)  # doctest: +SKIP
    """
    index = _cells_index(cells)
    result = dbscan(train_incidents, eps_m=eps_m, min_samples=min_samples)
    clustered = train_incidents[result.labels >= 0]
    return _scored(
        _counts(clustered, index),
        index,
        "dbscan",
        eps_m=result.params.eps_m,
        eps_source=result.params.eps_source,
        min_samples=min_samples,
        n_clusters=result.params.n_clusters,
    )


def score_kde(
    train_incidents: gpd.GeoDataFrame,
    cells: Sequence[str],
    *,
    bandwidth_m: float | None = None,
    kernel: str = "quartic",
) -> pd.Series:
    """Kernel density at each cell centre (incidents per km²).

    Parameters
    ----------
    train_incidents
        Canonical incidents of the training period (``x``/``y`` metres).
    cells
        Study-area H3 cells; the density is evaluated at their centres.
    bandwidth_m
        Bandwidth in metres; ``None`` uses the normal-reference rule of
        :func:`hotspots.analysis.stats.kde_surface`.
    kernel
        ``"quartic"`` or ``"gaussian"``.

    Returns
    -------
    Series
        Density per cell; ``attrs["params"]`` has the ``bandwidth_m`` used and its rule.

    Examples
    --------
    >>> score_kde(train, cells, bandwidth_m=300)  # doctest: +SKIP
    """
    index = _cells_index(cells)
    centres = _cell_centres_xy(index, _working_crs(train_incidents))
    density, params = kde_surface(train_incidents, centres, bandwidth_m=bandwidth_m, kernel=kernel)
    return _scored(
        density,
        index,
        "kde",
        bandwidth_m=params["bandwidth_m"],
        bandwidth_rule=params["bandwidth_rule"],
        kernel=kernel,
    )


def _incident_times(incidents: gpd.GeoDataFrame) -> pd.Series:
    """When each incident happened: ``occurred_from``, or mid-month for month-only records."""
    month = pd.to_datetime(incidents["month"]).dt.to_period("M")
    mid_month = month.dt.start_time + (month.dt.end_time - month.dt.start_time) / 2
    timed = incidents["time_precision"].astype(str) != "month"
    start = pd.to_datetime(incidents["occurred_from"])
    return start.where(timed & start.notna(), mid_month)


def score_near_repeat(
    train_incidents: gpd.GeoDataFrame,
    cells: Sequence[str],
    *,
    tau_days: float = 60.0,
    delta_m: float = 200.0,
    now: pd.Timestamp | str | None = None,
) -> pd.Series:
    """Prospective near-repeat score: recent, nearby incidents weigh most.

    Each past incident adds ``exp(-age / tau_days) * exp(-d / delta_m)`` to a cell whose centre
    is ``d`` metres away (working CRS), ``age`` in days before ``now`` (after Bowers, Johnson &
    Pease 2004, "Prospective hot-spotting", Brit. J. Criminol. 44, with exponential decays).
    Month-only incidents are dated mid-month. The distance kernel is cut at ``6 * delta_m``.

    Parameters
    ----------
    train_incidents
        Canonical incidents (``x``/``y`` metres, ``attrs["working_crs"]``).
    cells
        Study-area H3 cells.
    tau_days
        Time decay in days.
    delta_m
        Distance decay in metres.
    now
        The forecast date; ``None``: the first day after the last training month.

    Returns
    -------
    Series
        Score per cell; ``attrs["params"]`` has ``tau_days``, ``delta_m``, ``now``, ``cutoff_m``.

    Examples
    --------
    >>> score_near_repeat(train, cells, tau_days=60, delta_m=200)  # doctest: +SKIP
    """
    if tau_days <= 0 or delta_m <= 0:
        raise ValueError(f"tau_days and delta_m must be positive, got {tau_days}, {delta_m}")
    index = _cells_index(cells)
    crs = _working_crs(train_incidents)
    times = _incident_times(train_incidents)
    when = (
        (_month_periods(train_incidents).max() + 1).start_time if now is None else pd.Timestamp(now)
    )
    age = ((when - times) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    if (age < 0).any():
        raise ValueError(
            f"{int((age < 0).sum())} incident(s) are after now={when}; pass a later now"
        )
    xy = train_incidents[["x", "y"]].to_numpy(dtype=float)
    # police.uk snaps incidents to shared points: sum the time weights per distinct location.
    locations, inverse = distinct_rows(xy)
    weight = np.bincount(inverse, weights=np.exp(-age / tau_days))
    pairs = cKDTree(_cell_centres_xy(index, crs)).sparse_distance_matrix(
        cKDTree(locations), _NEAR_REPEAT_CUTOFF * delta_m, output_type="ndarray"
    )
    kernel = np.exp(-pairs["v"] / delta_m) * weight[pairs["j"]]
    score = np.bincount(pairs["i"], weights=kernel, minlength=len(index))
    return _scored(
        score,
        index,
        "near_repeat",
        tau_days=tau_days,
        delta_m=delta_m,
        now=str(when.date()),
        cutoff_m=_NEAR_REPEAT_CUTOFF * delta_m,
    )
