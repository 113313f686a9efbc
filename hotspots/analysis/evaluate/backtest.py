"""Rolling backtests: score cells on past months, measure them on the month that follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.evaluate.measures import hit_rate_pai
from hotspots.analysis.evaluate.methods import (
    ScoreFunction,
    score_all_history,
    score_dbscan,
    score_gistar,
    score_kde,
    score_last_period,
    score_near_repeat,
)
from hotspots.core.defaults import DEFAULT_COVERAGE, H3_RES
from hotspots.core.points import inside
from hotspots.space.grid import assign_cells, study_area_cells

METHODS: dict[str, tuple[ScoreFunction, dict[str, Any]]] = {
    "last_month": (score_last_period, {"months": 1}),
    "all_history": (score_all_history, {}),
    "gistar": (score_gistar, {"k": 1}),
    "dbscan": (score_dbscan, {"eps_m": 150.0, "min_samples": 20}),
    "kde_300m": (score_kde, {"bandwidth_m": 300.0}),
    "kde_rule": (score_kde, {"bandwidth_m": None}),
    "near_repeat": (score_near_repeat, {"tau_days": 60.0, "delta_m": 200.0}),
}
"""The methods compared by default: name → (scoring function, its parameters)."""

MethodSpec = Sequence[str] | Mapping[str, tuple[ScoreFunction, Mapping[str, Any]]]


def _methods(methods: MethodSpec | None) -> dict[str, tuple[ScoreFunction, Mapping[str, Any]]]:
    if methods is None:
        return dict(METHODS)
    if isinstance(methods, Mapping):
        return dict(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown method(s) {unknown}; choose from {list(METHODS)} or pass a mapping "
            "name → (score function, params). The next-month forecast's own methods "
            "(recency_density, its default, and the others) are backtested by the forecast "
            "itself: hotspots forecast writes their figures to its .json"
        )
    return {m: METHODS[m] for m in methods}


CELL_SETS = {
    "overlap": "every H3 cell overlapping the study area",
    "centre": "H3 cells whose centre lies in the study area, plus edge cells holding an incident "
    "located inside it",
}
"""The cell sets a backtest can score on (the coverage is a share of these cells)."""


def _cell_set(incidents: gpd.GeoDataFrame, study_area: Any, res: int, rule: str) -> np.ndarray:
    """The cells scored: see :data:`CELL_SETS`."""
    if rule == "overlap":
        return study_area_cells(study_area, res)
    if rule != "centre":
        raise ValueError(f"cell_set must be one of {list(CELL_SETS)}, got {rule!r}")
    from hotspots.analysis.forecast import area_cells
    from hotspots.data.ingest import resolve_study_area

    area = resolve_study_area(study_area)
    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    located = inside(area, lon, lat)
    held = assign_cells(lon[located], lat[located], res)
    return np.union1d(area_cells(area, res), np.unique(held)).astype(object)


def _cells_of(
    incidents: gpd.GeoDataFrame, cells: np.ndarray, res: int
) -> tuple[np.ndarray, dict[str, int]]:
    """H3 cell of each incident located inside the study-area cells (None otherwise).

    Also returns how many incidents were left out: no location, or outside the cells.
    """
    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    located = (shapely.get_type_id(points) == shapely.GeometryType.POINT) & np.isfinite(lon)
    located &= np.isfinite(lat) & np.isfinite(incidents[["x", "y"]].to_numpy(float)).all(axis=1)
    cell = np.full(len(incidents), None, dtype=object)
    cell[located] = assign_cells(lon[located], lat[located], res)
    inside = located.copy()
    inside[located] = pd.Index(cells).get_indexer(cell[located]) >= 0
    cell[~inside] = None
    left_out = {
        "n_unlocated": int((~located).sum()),
        "n_outside_area": int((located & ~inside).sum()),
    }
    return cell, left_out


def backtest_folds(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int = H3_RES,
    methods: MethodSpec | None = None,
    train_months: int = 6,
    coverage: Sequence[float] = DEFAULT_COVERAGE,
    cell_set: str = "overlap",
    expanding: bool = False,
) -> pd.DataFrame:
    """Per-fold results of a rolling monthly backtest (see :func:`backtest`).

    Test months without incidents in the study area, and months whose training window holds
    none, are skipped (listed in ``attrs["skipped_months"]``): they measure nothing.

    Returns
    -------
    DataFrame
        One row per test month × method × coverage with the columns of
        :func:`~hotspots.analysis.evaluate.hit_rate_pai` plus ``test_month`` and ``method``.
        ``attrs``
        hold ``res``, ``n_cells``, ``train_months``, ``n_used``, ``n_unlocated``,
        ``n_outside_area``, ``method_params`` (per method, per test month: the parameters the
        method reported, e.g. the rule-of-thumb bandwidth it chose), ``cell_set`` (the rule, in
        words), ``window`` and ``skipped_months``.
    """
    if train_months < 1:
        raise ValueError(f"train_months must be at least 1, got {train_months}")
    chosen = _methods(methods)
    cells = _cell_set(incidents, study_area, res, cell_set)
    cell_ids, left_out = _cells_of(incidents, cells, res)
    inside = pd.notna(cell_ids)
    used = incidents[inside]
    cell_of = pd.Series(cell_ids[inside], index=used.index)
    month = pd.to_datetime(used["month"]).dt.to_period("M")
    months = pd.period_range(month.min(), month.max(), freq="M") if len(used) else []
    if len(months) <= train_months:
        raise ValueError(
            f"the data inside the study area span {len(months)} month(s); a backtest with "
            f"train_months={train_months} needs at least {train_months + 1}"
        )
    frames: list[pd.DataFrame] = []
    params: dict[str, dict[str, Any]] = {name: {} for name in chosen}
    skipped: dict[str, str] = {}
    # A month with no data anywhere is "no data", not a month with no crime: not a test month.
    present = set(pd.to_datetime(incidents["month"]).dt.to_period("M"))
    without_data = [str(m) for m in months[train_months:] if m not in present]
    for test in months[train_months:]:
        start = months[0] if expanding else test - train_months
        in_train = ((month >= start) & (month < test)).to_numpy()
        train = used[in_train]
        future = cell_of[(month == test).to_numpy()].value_counts()
        if future.sum() == 0 or len(train) == 0:
            skipped[str(test)] = (
                "no incidents in the test month"
                if future.sum() == 0
                else ("no incidents in the training window")
            )
            continue
        past = cell_of[in_train].value_counts()
        for name, (score, options) in chosen.items():
            scores = score(train, cells, **options)
            result = hit_rate_pai(scores, future, coverage=coverage, train_counts=past)
            frames.append(result.assign(test_month=str(test), method=name))
            params[name][str(test)] = scores.attrs.get("params", dict(options))
    if not frames:
        raise ValueError(
            f"no month after the first {train_months} holds incidents with a non-empty training "
            "window; nothing to measure"
        )
    folds = pd.concat(frames, ignore_index=True)
    folds.attrs.update(
        res=res,
        n_cells=len(cells),
        cell_set=CELL_SETS[cell_set],
        window=(
            f"expanding: every month before the test month (at least {train_months})"
            if expanding
            else f"rolling: the {train_months} months before the test month"
        ),
        skipped_months=skipped,
        train_months=train_months,
        months_without_data=without_data,
        n_used=int(inside.sum()),
        method_params=params,
        **left_out,
    )
    return folds


def backtest(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int = H3_RES,
    methods: MethodSpec | None = None,
    train_months: int = 6,
    coverage: Sequence[float] = DEFAULT_COVERAGE,
    cell_set: str = "overlap",
    expanding: bool = False,
) -> pd.DataFrame:
    """Compare hotspot methods by rolling monthly backtests at fixed area coverage.

    For every month ``t + 1`` after the first ``train_months`` months, each method scores the
    study area's H3 cells from the ``train_months`` months up to ``t`` and is measured on month
    ``t + 1`` (hit rate, PAI, PEI*, RRI: see :mod:`hotspots.analysis.evaluate.measures`). Incidents
    without a location or outside the study-area cells are left out and counted in ``attrs``.

    Parameters
    ----------
    incidents
        Canonical incidents (police.uk month-only data is fine).
    study_area
        Polygons of the study area (GeoDataFrame / GeoSeries in any CRS, or a shapely polygon in
        lon/lat), covered by H3 cells that overlap it.
    res
        H3 resolution (9: hexagons of about 0.1 km², edge ≈ 174 m).
    methods
        Names from :data:`METHODS` (default: all), or a mapping name → (score function, params).
    train_months
        Months in each (rolling) training window.
    coverage
        Shares of the study-area cells at which selections are measured.
    cell_set
        ``"overlap"`` (every cell overlapping the area) or ``"centre"`` (cells whose centre lies
        in it, plus edge cells holding an incident inside it): see :data:`CELL_SETS`.
    expanding
        Train on every month before the test month (``all_history`` is then all of it) instead
        of the last ``train_months``; ``train_months`` remains the history the first test
        month needs.

    Returns
    -------
    DataFrame
        One row per method × coverage: ``method``, ``coverage``, ``folds``, mean ``hit_rate``,
        ``pai``, ``pei_star`` and ``rri`` over the folds, ``pai_sd`` (spread of PAI over the
        folds), ``rank`` (by mean PAI within the coverage, 1 = best) and ``best``. ``attrs``
        are those of :func:`backtest_folds` (resolution, cells, left-out incidents, parameters).

    Examples
    --------
    >>> wards = geopandas.read_file(datasets.wards_path())  # doctest: +SKIP
    >>> backtest(incidents, study_area=wards, res=9, train_months=6)  # doctest: +SKIP
    """
    folds = backtest_folds(
        incidents,
        study_area=study_area,
        res=res,
        methods=methods,
        train_months=train_months,
        coverage=coverage,
        cell_set=cell_set,
        expanding=expanding,
    )
    grouped = folds.groupby(["method", "coverage"], sort=False)
    summary = grouped[["hit_rate", "pai", "pei_star", "rri"]].mean()
    summary.insert(0, "folds", grouped.size())
    summary["pai_sd"] = grouped["pai"].std()
    summary = summary.reset_index()
    summary["rank"] = (
        summary.groupby("coverage")["pai"].rank(ascending=False, method="min").astype(int)
    )
    summary["best"] = summary["rank"] == 1
    summary = summary.sort_values(["coverage", "rank", "method"], ignore_index=True)
    summary.attrs.update(folds.attrs)
    return summary
