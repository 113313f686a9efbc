"""A ranked patrol plan for a chosen period and area: top-N localities, what happens there and when,
how often to visit, and the limits of what the data can say.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.clusters import dbscan, dbscan_settings, unclustered
from hotspots.analysis.evaluate import DEFAULT_COVERAGE, backtest
from hotspots.analysis.stats import hotspots_gistar
from hotspots.analysis.temporal import (
    MIN_TIMED_INCIDENTS,
    compare_periods,
    hour_weekday,
    peak_windows,
)
from hotspots.core import forked
from hotspots.core.crs import to_crs
from hotspots.core.defaults import GI_K, H3_RES, HOT_MIN_BIN
from hotspots.core.disclosure import mappable, time_split_rows
from hotspots.core.kept import KeptByFrame
from hotspots.core.points import inside as points_inside
from hotspots.data import datasets
from hotspots.data.coverage import Coverage, from_sources
from hotspots.data.ingest import resolve_study_area
from hotspots.data.schema import WORKING_CRS, check_incidents
from hotspots.products.captions import counted, hot_spot_figures, month_text
from hotspots.products.patrol.dosage import (
    REVISIT_HOURS,
    RULE,
    UNTIMED_VISITS_PER_DAY,
    check_visit_minutes,
    recommend_dosage,
)
from hotspots.products.patrol.harm import (
    harm_of,
    harm_score_words,
    load_harm_weights,
    types_by_group,
)
from hotspots.products.patrol.localities import (
    HotAreas,
    Localities,
    build_localities,
    hot_areas_from_cells,
    hot_areas_from_clusters,
    hot_areas_from_forecast,
)
from hotspots.products.patrol.naming import locality_names, ward_names
from hotspots.space.areas import area_wards, read_boundaries
from hotspots.space.grid import cell_counts, cell_polygons, grid_counts
from hotspots.space.places import (
    NO_WARD_NOTE,
    StreetPoints,
    _main_streets,
    add_near_streets,
    nameable,
)

if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast

Period = tuple[str, str]

Method = Literal["forecast", "gistar", "dbscan"]
"""Where the localities come from: the forecast's hot spots, Gi* hot cells or DBSCAN clusters."""

SNAPPING_LIMIT = (
    "police.uk moves every location to the nearest of a fixed set of anonymised map points "
    "(a street's centre, or a landmark such as 'Parking Area'), so incidents pile up on those "
    "points: a locality shows where incidents were mapped, within roughly 100-200 m of where "
    "they happened, not the exact spot"
)
CONTEXT_RES: tuple[int, int] = (11, H3_RES)
"""H3 resolutions of the aggregated incidents drawn on maps: 11 (about 25 m edge) for a
locality, 9 (about 200 m edge) for the overview."""

_METHOD_WORDS = {
    "gistar": "statistically significant clusters of high counts",
    "dbscan": "clusters of nearby incidents",
}
"""The hot area methods other than the forecast, in words (for the plan's limits)."""

TREND_ONLY = "trend_only"
"""Key of ``localities.attrs`` and of the plan's metadata: ``"police.uk only"`` when the
trend (``incidents_compared``, ``previous``, ``change``, ``pct_change``, ``trend``) counts
fewer sources than ``incidents`` (a source lacks part of the period or of the one before:
like with like), else ``""``. Every view heads the trend's columns with it."""

MONTH_ONLY_LIMIT = (
    "These data record the month only, as police.uk always does (no day or time): peak windows "
    "are months, and visit times cannot be drawn from them; use CAD or ASB logs with times for "
    "the hours"
)


@dataclass
class PatrolPlan:
    """A patrol plan: the localities to visit, the incidents behind them, and its limits.

    Attributes
    ----------
    localities
        The top-N localities, best first (EPSG:4326 outlines; ``attrs["working_crs"]``):
        ``rank``, ``name``, ``street``, ``ward``, ``centre_lon``, ``centre_lat``, ``area_m2``,
        ``across_m``, ``incidents``, ``share`` (of the incidents in the area and period),
        ``harm``, ``crime_mix``, ``incidents_compared`` (the period's incidents the trend
        compares: of ``trend_sources`` only, fewer than ``incidents`` when a source lacks part
        of either period), ``previous``, ``change``, ``pct_change``, ``trend``,
        ``trend_sources`` (the sources the trend counts, "police.uk and …"),
        ``peak_days``, ``peak_basis`` ("hour" or "month"), ``windows``, ``minutes_per_visit``,
        ``visits_per_day``, ``visits_per_week``, ``dosage``, ``hot_area``.
    assignment
        Every incident of the area and period used (sensitive rows left out), with
        ``incident_id``, ``category`` and ``locality`` (its rank, or ``<NA>``): each incident is
        in one locality at most.
    wards
        Ward outlines used for names and maps (EPSG:4326), or ``None``.
    limits
        What the plan cannot say, in plain sentences, shown with it.
    counted
        The mappable incidents of the area and period (sensitive rows left out) that
        :attr:`context` counts.
    metadata
        Period, study area, totals (``summary``), every parameter used or chosen, the dropped
        units, the harm source, the backtest figures of the method, the data's ``sources``
        and the ``trend_sources`` the trend counts (JSON-serialisable).
    """

    localities: gpd.GeoDataFrame
    assignment: pd.DataFrame
    wards: gpd.GeoDataFrame | None
    limits: list[str]
    counted: gpd.GeoDataFrame = field(repr=False, compare=False)
    metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def context(self) -> pd.DataFrame:
        """The counted incidents per H3 cell at the resolutions of :data:`CONTEXT_RES`
        (``res``, ``cell``, ``count``, ``lon``, ``lat``): aggregates for static maps, never
        points; made when first read (only the briefing draws it)."""
        return _context(self.counted)


def patrol_plan(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    period: Period | None = None,
    top: int = 10,
    by: Literal["count", "harm"] = "count",
    method: Method = "forecast",
    res: int = H3_RES,
    min_bin: int = HOT_MIN_BIN,
    eps_m: float | None = None,
    min_samples: int | None = None,
    max_across_m: float = 200.0,
    min_spacing_m: float | None = None,
    harm_weights: pd.Series | str | Path | None = None,
    wards: gpd.GeoDataFrame | None = None,
    visit_minutes: float = 15,
    window_hours: int = 3,
    n_windows: int = 3,
    run_backtest: bool = True,
    coverage: Coverage | None = None,
    hot_spot_share: float = 0.05,
    outline: Any = None,
) -> PatrolPlan:
    """Rank patrol localities for a period and area, with dosage, trends and honest limits.

    Parameters
    ----------
    incidents
        Canonical incidents (any months; the period is selected here).
    study_area
        Anything :func:`hotspots.data.ingest.resolve_study_area` accepts: a district code
        (``"E07000096"``), a boundary file, a GeoDataFrame (force, district, ward, drawn
        polygon) or a shapely polygon in lon/lat.
    period
        ``("2021-10", "2021-12")``: first and last month, inclusive. ``None``: the last three
        months of the data.
    top
        Localities in the plan.
    by
        Rank by ``"count"`` of incidents or by ``"harm"`` (weights per crime type).
    method
        Hot areas from the forecast's hot spots (``"forecast"``: the ``hot_spot_share`` of the
        area, H3 ``res`` cells, where the month after the period is most likely to hold
        crime, scored from the incidents up to the period's end;
        :func:`hotspots.analysis.forecast.forecast`), from Gi* hot cells (``"gistar"``, at H3
        ``res``, bins ≥ ``min_bin``) or from DBSCAN clusters (``"dbscan"``, ``eps_m`` metres,
        ``min_samples``).
    res, min_bin
        H3 resolution of the Gi* grid, smallest hot bin (1, 2 or 3; default
        :data:`hotspots.core.defaults.HOT_MIN_BIN`, every cell the map paints hot).
    eps_m, min_samples
        DBSCAN radius (metres) and core threshold, for ``method="dbscan"``; ``None`` chooses
        them as :func:`hotspots.analysis.analyse.analyse` does
        (:func:`hotspots.analysis.clusters.dbscan_settings`: k-distance knee capped at 150 m,
        0.1 % of the incidents, at least 10).
    max_across_m
        Largest locality across, metres (working CRS).
    min_spacing_m
        Smallest distance between locality centres, metres; ``None``: ``max_across_m``.
    harm_weights
        Weights per crime type (:func:`hotspots.products.patrol.load_harm_weights`, or a CSV path);
        ``None``: the bundled approximate table.
    wards
        Ward boundaries (:func:`hotspots.space.areas.read_boundaries`) for names and maps.
        ``None``: the bundled wards of a district code (else its 2013 wards from the national
        boundary pack), else the study area's features when it is a GeoDataFrame of named
        areas, else no ward names (and the plan's limits say so once).
    visit_minutes
        Minutes per visit (10–16, Koper curve).
    window_hours, n_windows
        Length (hours) and number of peak windows per locality.
    run_backtest
        Backtest the method on the same area and data (:func:`hotspots.analysis.evaluate.backtest`)
        and
        report its hit rate and PAI with the plan. The forecast brings its own backtest
        (rolling origin, the months before the period's end), always reported.
    hot_spot_share
        Share of the area the forecast marks as hot spots (``method="forecast"``).
    coverage
        The months each source covers (:class:`hotspots.data.coverage.Coverage`; default: the
        months of ``incidents``). The trend compares with the nearest earlier covered period of
        equal length and says so when that is not the one just before.
    outline
        ``resolve_study_area(study_area)`` when the caller has it already (the dashboard unites
        its wards once per data load); ``None``: made here.

    Returns
    -------
    PatrolPlan

    Examples
    --------
    >>> plan = patrol_plan(incidents, study_area="E07000096",
    ...                    period=("2021-10", "2021-12"), top=10)  # doctest: +SKIP
    >>> plan.localities[["rank", "name", "incidents", "share"]]  # doctest: +SKIP
    """
    check_incidents(incidents)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top is the number of localities in the plan (>= 1), got {top!r}")
    if by not in ("count", "harm"):
        raise ValueError(f"by must be 'count' or 'harm', got {by!r}")
    check_visit_minutes(visit_minutes)
    spacing = float(max_across_m if min_spacing_m is None else min_spacing_m)
    crs = incidents.attrs[WORKING_CRS]
    area = resolve_study_area(study_area) if outline is None else outline
    in_area, counts = _in_area(incidents, area)
    coverage = coverage if coverage is not None else Coverage.of(incidents)
    # sensitive rows never shape a place, nor the period, nor a count: a drawn study area
    # around one of them must read as one around none
    mapped = mappable(in_area)
    start, end, months = _period(mapped, period)
    current = mapped[_in_months(mapped["month"], start, end)].reset_index(drop=True)
    if len(current) == 0:
        if len(coverage.missing((start, end))) == len(months):  # no data, not no crime
            raise ValueError(
                f"no data for {start:%b %Y}" + (f" to {end:%b %Y}" if end != start else "")
                + f": choose a period the data cover ({coverage.describe()})"
            )  # fmt: skip
        raise ValueError(
            f"no incidents in the study area in {start} to {end}; choose another period or area"
        )
    forecasting = None
    if method == "forecast":  # begun first: in the worker process, when one serves, meanwhile
        up_to_end = _in_months(mapped["month"], None, end)
        history = mapped if up_to_end.all() else mapped[up_to_end]  # read, never changed
        forecasting = _begin_forecast(history, area, res, end, hot_spot_share)
    with forecasting if forecasting is not None else nullcontext():
        given = isinstance(harm_weights, pd.Series)
        weights: pd.Series = harm_weights if given else load_harm_weights(harm_weights)
        harm, harm_note = _harm(current, weights, by)
        ward_table, ward_note = _wards(study_area, wards)
        sources = _source_names(current)
        place = partial(
            _placed,
            current=current,
            mapped=mapped,
            harm=harm,
            by=by,
            top=top,
            max_across_m=max_across_m,
            min_spacing_m=spacing,
            ward_table=ward_table,
            months=months,
            coverage=coverage,
            sources=sources,
            visit_minutes=visit_minutes,
            window_hours=window_hours,
            n_windows=n_windows,
        )
        if forecasting is not None:
            predicted, placed = _forecast_placed(
                forecasting, current, history, area, res, end, hot_spot_share, place
            )
        else:
            placed = place(_hot_areas(current, area, method, res, min_bin, eps_m, min_samples))
    built, member, plan, peaks = placed.built, placed.member, placed.plan, placed.peaks
    trend_note, trend_sources = placed.trend_note, placed.trend_sources
    gaps = coverage.missing((start, end))
    if gaps:  # a month without data is not a month without crime
        gap_words = ", ".join(m.strftime("%b %Y") for m in gaps)
        trend_note = (
            f"no data for {gap_words}: the plan counts the "
            f"{counted(len(months) - len(gaps), 'month')} of {start} to {end} with data; "
            f"{trend_note}"
        )
    in_plan = member > 0

    total = len(current)
    n_in_plan = int(in_plan.sum())
    summary = {
        "incidents": total,
        "in_localities": n_in_plan,
        "elsewhere": total - n_in_plan,
        "share_in_localities": n_in_plan / total,
        "localities": len(plan),
        "area_m2": float(plan["area_m2"].sum()),
        **counts,
    }
    if method == "forecast":
        bt: dict[str, Any] | None = {"forecast": hot_spot_figures(predicted)}
    elif run_backtest:
        bt = _backtest(mapped, area, method, res, len(months))
    else:
        bt = None
    metadata = {
        "period": f"{start} to {end}",
        "months": [str(m) for m in months],
        "months_without_data": [str(m) for m in gaps],
        "study_area": study_area if isinstance(study_area, str) else type(study_area).__name__,
        "working_crs": crs,
        "ranked_by": by,
        "method": method,
        "summary": summary,
        "localities_params": built.params,
        "dropped_units": built.dropped.to_dict("records"),
        "harm_source": weights.attrs.get("source", "given table"),
        "dosage_rule": RULE.format(
            minutes=visit_minutes, revisit=REVISIT_HOURS, untimed=UNTIMED_VISITS_PER_DAY
        ),
        "peaks": {"window_hours": window_hours, "n_windows": n_windows, **peaks.attrs},
        "wards": ward_note,
        "backtest": bt,
        "sources": sources,
        "trend_sources": trend_sources,
        TREND_ONLY: plan.attrs[TREND_ONLY],
    }
    timing = peaks.attrs.get("reason", "") if len(plan) else hour_weekday(current).reason
    limits = _limits(current, timing, summary, metadata, harm_note, trend_note, bt)
    assignment = pd.DataFrame(
        {
            "incident_id": current["incident_id"].to_numpy(),
            "category": current["category"].to_numpy(),
            "locality": pd.array(np.where(member > 0, member, pd.NA), dtype="Int64"),
        }
    )
    return PatrolPlan(plan, assignment, ward_table, limits, current, metadata)


def _in_area(
    incidents: gpd.GeoDataFrame, area: shapely.Geometry
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Located incidents inside the study area (:func:`hotspots.core.points.inside`: the rule
    of the ingest's clip and the forecast), and how many were left out and why: of the
    incidents that may be mapped only (:func:`hotspots.core.disclosure.mappable`), so that
    two study areas' counts never differ by a sensitive incident."""
    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    located = np.isfinite(lon) & np.isfinite(lat)
    located &= np.isfinite(incidents["x"].to_numpy(float)) & np.isfinite(
        incidents["y"].to_numpy(float)
    )
    inside = located & points_inside(area, lon, lat)
    counted = ~time_split_rows(incidents)  # (a drawn area cuts groups as a time cut does)
    counts = {
        "unlocated": int((~located & counted).sum()),
        "outside_area": int((located & ~inside & counted).sum()),
    }
    if inside.all():  # (a dashboard's selection of its study area) read, never changed
        return incidents, counts
    return incidents[inside], counts


def _in_months(month: pd.Series, first: pd.Period | None, last: pd.Period) -> np.ndarray:
    """Rows whose ``month`` lies in ``first`` … ``last`` (both inclusive; ``first`` ``None``:
    any month up to ``last``), as ``month.dt.to_period("M")`` compares them: naive dates are
    compared with the months' bounds, without making a period of each row."""
    values = month.to_numpy()
    if values.dtype.kind != "M":  # dates with a time zone, say: as periods
        period = month.dt.to_period("M")
        inside = period <= last if first is None else (period >= first) & (period <= last)
        return inside.to_numpy(bool)
    inside = values < (last + 1).start_time.to_datetime64()
    if first is not None:
        inside &= values >= first.start_time.to_datetime64()
    return inside


def _period(
    incidents: pd.DataFrame, period: Period | None
) -> tuple[pd.Period, pd.Period, pd.PeriodIndex]:
    """First and last month of the period (default: the last three months of the data)."""
    if len(incidents) == 0:
        raise ValueError("no located incidents inside the study area; check the area and data")
    month = incidents["month"].dt.to_period("M")
    first, last = month.min(), month.max()
    if period is None:
        start, end = max(first, last - 2), last
    else:
        if isinstance(period, str) or len(period) != 2:
            raise ValueError(
                f"period is a (first, last) month pair like ('2021-10', '2021-12'), got {period!r}"
            )
        try:
            start, end = (pd.Period(p, freq="M") for p in period)
        except ValueError as err:
            raise ValueError(f"period {period!r}: months must read like '2021-10' ({err})") from err
        if end < start:
            raise ValueError(f"period {period!r} ends before it starts")
        if start > last or end < first:
            raise ValueError(
                f"period {start} to {end} is outside the data, which covers {first} to {last}"
            )
    return start, end, pd.period_range(start, end, freq="M")


def _harm(current: pd.DataFrame, weights: pd.Series, by: str) -> tuple[np.ndarray | None, str]:
    """Harm per incident, or ``None`` with the reason when the table lacks some types."""
    groups = current["category"] if "category" in current.columns else None
    try:
        harm = harm_of(current["crime_type"], weights, groups)
    except ValueError as err:
        if by == "harm":
            raise
        return None, f"harm not computed: {err}"
    borrowed = [] if groups is None else types_by_group(current["crime_type"], weights, groups)
    if not borrowed:
        return harm, ""
    return harm, (
        f"harm of types the weights table lacks taken from their group's weight: "
        f"{', '.join(borrowed[:10])}{' and more' if len(borrowed) > 10 else ''}"
    )


def _hot_areas(
    current: gpd.GeoDataFrame,
    area: shapely.Geometry,
    method: str,
    res: int,
    min_bin: int,
    eps_m: float | None,
    min_samples: int | None,
) -> HotAreas:
    if method == "gistar":
        cells = hotspots_gistar(grid_counts(current, res, study_area=area), k=GI_K)
        return hot_areas_from_cells(current, cells, min_bin=min_bin)
    if method == "dbscan":
        settings = dbscan_settings(current, eps_m=eps_m, min_samples=min_samples)
        found = (
            unclustered(
                current, method=method, min_samples=settings.min_samples, note=settings.skipped
            )
            if settings.skipped is not None  # too few incidents: no clusters, said why
            else dbscan(current, eps_m=settings.eps_m, min_samples=settings.min_samples)
        )
        labels = found.labels
        areas = hot_areas_from_clusters(current, labels)
        areas.params.update(
            eps_m=settings.eps_m, min_samples=settings.min_samples, **settings.notes
        )
        return areas
    raise ValueError(f"method must be 'forecast', 'gistar' or 'dbscan', got {method!r}")


@dataclass
class _Placed:
    """The localities drawn in some hot areas and what the plan says of each (:func:`_placed`)."""

    built: Localities
    member: np.ndarray
    """Each incident's locality among the top ones (-1: none)."""
    plan: gpd.GeoDataFrame
    """The plan's table: names, counts, trend and timing of each locality."""
    peaks: pd.DataFrame
    trend_note: str
    trend_sources: list[str]


def _placed(
    areas: HotAreas,
    *,
    current: gpd.GeoDataFrame,
    mapped: gpd.GeoDataFrame,
    harm: np.ndarray | None,
    by: str,
    top: int,
    max_across_m: float,
    min_spacing_m: float,
    ward_table: gpd.GeoDataFrame | None,
    months: pd.PeriodIndex,
    coverage: Coverage,
    sources: list[str],
    visit_minutes: float,
    window_hours: int,
    n_windows: int,
) -> _Placed:
    """The top localities in ``areas`` and the plan's table of them (names, counts, trend,
    peak windows, dosage), from the period's mappable incidents ``current`` (and ``mapped``,
    the area's of every month, for the trend); the other parameters as :func:`patrol_plan`'s
    (``sources``: :func:`_source_names` of ``current``)."""
    crs = current.attrs[WORKING_CRS]
    built = build_localities(
        current,
        areas,
        max_across_m=max_across_m,
        min_spacing_m=min_spacing_m,
        harm=harm if by == "harm" else None,
        top=top,
    )
    chosen = built.localities[built.localities["locality"] <= top]
    member = np.where(built.membership <= top, built.membership, -1)
    plan = _describe(current, chosen, member, harm, ward_table, crs)
    trend, trend_note = _trend(mapped, current, member, chosen, months, crs, coverage, sources)
    plan = plan.join(trend, on="rank")
    trend_sources = list(trend.attrs.get("sources", []))
    plan["trend_sources"] = " and ".join(trend_sources)
    in_plan = member > 0
    peaks = peak_windows(
        current[in_plan].assign(locality=member[in_plan]),  # only the localities' rows copied
        by="locality",
        top=n_windows,
        block_hours=window_hours,
    )
    plan = _timing(plan, current, member, peaks, visit_minutes)
    plan.attrs[WORKING_CRS] = crs
    plan.attrs[TREND_ONLY] = _trend_only(sources, trend_sources)
    return _Placed(built, member, plan, peaks, trend_note, trend_sources)


def _begin_forecast(
    history: gpd.GeoDataFrame, area: shapely.Geometry, res: int, end: pd.Period, share: float
) -> forked.Pending[Forecast]:
    """The forecast of the month after ``end`` from the area's mappable incidents up to it,
    begun (:func:`hotspots.analysis.shared_forecast.begin`): one per history (the Map page's
    analysis may have made it), worked out in the server's worker process when one serves."""
    from hotspots.analysis import shared_forecast  # lazy: the forecast's modules on first use

    return shared_forecast.begin(history, study_area=area, res=res, coverage=share, through=end)


def _forecast_placed(
    pending: forked.Pending[Forecast],
    current: gpd.GeoDataFrame,
    history: gpd.GeoDataFrame,
    area: shapely.Geometry,
    res: int,
    end: pd.Period,
    share: float,
    place: Callable[[HotAreas], _Placed],
) -> tuple[Forecast, _Placed]:
    """The forecast ``pending`` (:func:`_begin_forecast` of ``history``, ``area``, ``res``,
    ``end`` and ``share``) and the localities ``place`` draws in its hot spots (of the
    period's incidents ``current``).

    While the worker process works the forecast out (:attr:`~hotspots.core.forked.Pending.
    forked`), the localities of the hot spots it gives whenever its backtest keeps the default
    method (:func:`hotspots.analysis.forecast.default_forecast`, most selections) are drawn
    here; they are kept when the forecast's cells and method prove the same (the hot areas are
    made of those alone), else drawn again in the forecast's: the plan is the forecast's, bit
    for bit.
    """
    from hotspots.analysis.forecast import default_forecast  # lazy: scipy.sparse and KDE

    likely: tuple[Forecast, _Placed] | None = None
    if pending.forked:
        guess = default_forecast(history, study_area=area, res=res, through=end, coverage=share)
        likely = guess, place(hot_areas_from_forecast(current, guess))
    predicted = pending.result()
    if likely is not None and _same_hot_spots(likely[0], predicted):
        return predicted, likely[1]
    return predicted, place(hot_areas_from_forecast(current, predicted))


def _same_hot_spots(guess: Forecast, predicted: Forecast) -> bool:
    """Whether the two forecasts give the same hot areas
    (:func:`~hotspots.products.patrol.localities.hot_areas_from_forecast` reads the cells, the
    method and the coverage)."""
    return (
        guess.method == predicted.method
        and guess.coverage == predicted.coverage
        and guess.cells.equals(predicted.cells)
    )


_given_wards: KeptByFrame[gpd.GeoDataFrame] = KeptByFrame(most=4)
"""The ward frames given to :func:`patrol_plan` (the oldest dropped), read as boundaries:
shared by the plans, never changed."""


def _wards(study_area: Any, wards: gpd.GeoDataFrame | None) -> tuple[gpd.GeoDataFrame | None, str]:
    """Ward boundaries for names and maps, and where they came from."""
    if wards is not None:  # a dashboard's wards: read once per data load
        return _given_wards.get(wards, None, lambda: read_boundaries(wards)), "given"
    if isinstance(study_area, str):
        code = study_area.strip()
        try:
            return read_boundaries(datasets.wards_path(code)), f"bundled wards of {code}"
        except FileNotFoundError:
            pass
        try:  # any district of England and Wales: the national boundary pack's 2013 wards
            found, population = area_wards(code)
        except (LookupError, ValueError):
            return None, f"no wards for {code!r}: {NO_WARD_NOTE}"
        return found, f"2013 wards of {population.attrs.get('district', code)}"
    if isinstance(study_area, gpd.GeoDataFrame):
        try:
            return read_boundaries(study_area), "the study area's features"
        except ValueError as err:
            return None, f"study area features are not named areas ({err}): {NO_WARD_NOTE}"
    return None, NO_WARD_NOTE


def _describe(
    current: gpd.GeoDataFrame,
    chosen: gpd.GeoDataFrame,
    member: np.ndarray,
    harm: np.ndarray | None,
    wards: gpd.GeoDataFrame | None,
    crs: str,
) -> gpd.GeoDataFrame:
    """Names, counts, shares, harm and crime mix of the chosen localities."""
    ranks = pd.Index(chosen["locality"].to_numpy(), name="locality")
    inside = member > 0
    can_name = nameable(current)  # never a house address from an exact-coordinate log
    named = inside & can_name
    # the period's place texts and their codes, worked out once for the main streets and
    # for the streets near a place named by a landmark alone
    points = StreetPoints(current)
    streets = _main_streets(points.text[named], member[named], points.coded.take(named))
    streets = streets.reindex(ranks)
    centres = chosen[["centre_x", "centre_y"]].to_numpy(float)
    ward = ward_names(centres, wards, crs)
    add_near_streets(streets, ward, current, centres, street_points=points)
    counts = np.bincount(member[inside], minlength=len(ranks) + 1)[1:]
    out = gpd.GeoDataFrame(
        {
            "rank": ranks.to_numpy(),
            "name": locality_names(streets, ward),
            "street": streets["street"].to_numpy(),
            "ward": ward,
            "centre_lon": chosen["centre_lon"].to_numpy(),
            "centre_lat": chosen["centre_lat"].to_numpy(),
            "area_m2": chosen["area_m2"].to_numpy(),
            "across_m": chosen["across_m"].to_numpy(),
            "incidents": counts,
            "share": counts / len(current),
            "harm": (
                np.bincount(member[inside], weights=harm[inside], minlength=len(ranks) + 1)[1:]
                if harm is not None
                else np.nan
            ),
            "crime_mix": _crime_mix(member[inside], current["category"].to_numpy()[inside], ranks),
            "hot_area": chosen["hot_area"].to_numpy(),
        },
        geometry=chosen.geometry.to_numpy(),
        crs=chosen.crs,
    )
    out.attrs[WORKING_CRS] = crs
    return out


def _crime_mix(member: np.ndarray, category: np.ndarray, ranks: pd.Index) -> list[str]:
    """Per locality of ``ranks``: ``"Anti-social behaviour 31, Acquisitive 12"``, its
    incidents' categories by count (ties in the categories' order), zeros left out.

    ``member`` and ``category`` are the locality and category of each incident in one."""
    codes, names = pd.factorize(category, sort=True)  # a missing category counts in none
    known = codes >= 0
    position = pd.Index(ranks).get_indexer(member[known])
    counts = np.zeros((len(ranks), len(names)), dtype=np.int64)
    np.add.at(counts, (position, codes[known]), 1)
    out = []
    for row in counts:
        order = np.argsort(-row, kind="stable")
        out.append(", ".join(f"{names[j]} {int(row[j])}" for j in order if row[j] > 0))
    return out


def _trend(
    mapped: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame,
    member: np.ndarray,
    chosen: gpd.GeoDataFrame,
    months: pd.PeriodIndex,
    crs: str,
    coverage: Coverage,
    sources_now: list[str],
) -> tuple[pd.DataFrame, str]:
    """Incidents in the same outlines in the period just before, and the change (Poisson test).

    ``mapped`` are the mappable incidents of the area (every month), ``current`` the
    period's, ``member`` their locality and ``sources_now`` their sources
    (:func:`_source_names`); incidents of the previous period count for the best-ranked
    outline holding them.
    """
    columns = ["incidents_compared", "previous", "change", "pct_change", "trend"]
    start, end = months[0], months[-1]
    # A month with no data is not a zero: the nearest earlier covered period of equal length,
    # unless some sources cover the one just before (like with like: those alone, over it)
    compared, fallback = coverage.comparable((start, end), kind="previous")
    usual = (start - len(months), end - len(months))
    both = coverage.covering_both((start, end), usual) if fallback else None
    if both is not None:
        compared, fallback = usual, None
    if compared is None:
        note = f"no trend: {fallback}"
        return pd.DataFrame(columns=columns, index=pd.Index([], name="rank")), note
    prev_start, prev_end = compared
    # like with like: only the sources covering the whole period, in both periods
    ours, sources, left = coverage.same_sources(mapped["source"], (start, end), among=both)
    in_previous = _in_months(mapped["month"], prev_start, prev_end)
    before = np.flatnonzero(in_previous if ours is None else in_previous & ours)
    outlines = to_crs(chosen.geometry, crs).to_numpy()
    x, y = (mapped[c].to_numpy(float)[before] for c in ("x", "y"))
    previous = np.full(len(before), -1, dtype=np.intp)
    for rank, outline in zip(chosen["locality"], outlines, strict=True):
        hit = (previous < 0) & shapely.intersects_xy(outline, x, y)
        previous[hit] = rank
    # what compare_periods reads, of the period's rows then the previous period's, made from
    # the columns' values (no frame of either period copied)
    now = np.ones(len(current), dtype=bool)
    if ours is not None:
        now = from_sources(current["source"], sources)
    both = pd.DataFrame(
        {
            c: np.concatenate([current[c].to_numpy()[now], mapped[c].to_numpy()[before]])
            for c in ("month", "occurred_from", "time_precision")
        }
    )
    locality = np.concatenate([member[now], previous])
    both["locality"] = np.where(locality > 0, locality, np.nan)
    try:
        table = compare_periods(
            both,
            current=(str(start), str(end)),
            previous=(str(prev_start), str(prev_end)),
            by="locality",
        )
    except ValueError:  # the area's own incidents do not reach that period
        note = f"no trend: too few mapped incidents in the study area in {prev_start} to {prev_end}"
        return pd.DataFrame(columns=columns, index=pd.Index([], name="rank")), note
    table = table.drop(index="(none)", errors="ignore")
    table.index = pd.Index(table.index.astype(float).astype(int), name="rank")
    out = table[["current", "previous", "change", "pct_change", "direction"]].rename(
        columns={"current": "incidents_compared", "direction": "trend"}
    )
    lagging = ""
    if ours is not None:
        lacking = [
            f"{' and '.join(names)} {'has' if len(names) == 1 else 'have'} no data for part "
            f"of {first} to {last}"
            for names, (first, last) in (
                ([s for s in left if coverage.missing((start, end), [s])], (start, end)),
                ([s for s in left if not coverage.missing((start, end), [s])],
                 (prev_start, prev_end)),
            )
            if names
        ]  # fmt: skip
        lagging = (
            f"{'; '.join(lacking)}: the trend (incidents compared, previous period, change) "
            f"counts {' and '.join(sources)} only, in both periods; "
        )
    out.attrs["sources"] = list(sources if ours is not None else sources_now)
    return out, (
        (f"{fallback}; " if fallback else "")
        + lagging
        + f"trend: {_span(start, end)} against {_span(prev_start, prev_end)} in the same "
        "outlines; "
        f"{table.attrs['test']}"
    )


def _trend_only(sources: list[str], counted: list[str]) -> str:
    """``"police.uk only"`` when the trend counts fewer of ``sources`` (the period's) than
    all (like with like), else ``""``."""
    if not counted or set(sources) <= set(counted):
        return ""
    return f"{' and '.join(counted)} only"


def _source_names(incidents: pd.DataFrame) -> list[str]:
    """The sources of ``incidents`` as a :class:`Coverage` names them (police.uk's monthly
    files as ``police.uk``)."""
    return sorted(Coverage.of(incidents).sources)


def _timing(
    plan: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame,
    member: np.ndarray,
    peaks: pd.DataFrame,
    visit_minutes: float,
) -> gpd.GeoDataFrame:
    """Peak days, peak windows (or months) and the recommended dosage of each locality (no peak
    days where too few of its incidents have a time of day to find windows in)."""
    ranks = pd.Index(plan["rank"].to_numpy())
    dosage = recommend_dosage(peaks, ranks, visit_minutes=visit_minutes)
    timed = not peaks.attrs.get("reason")
    days = []
    months = []
    peak_months = {} if timed else _peak_months(peaks)
    found = dosage["visits_per_window"].notna().to_numpy(bool)  # hour windows of its own
    for rank, has_windows, n in zip(ranks, found, plan["incidents"], strict=True):
        profile = hour_weekday(current[member == rank]) if timed and has_windows else None
        days.append(_top_days(profile.by_weekday) if profile and profile.available else "")
        months.append("" if timed else _months_text(peak_months.get(str(rank), []), n))
    out = plan.copy()
    out["peak_days"] = days
    out["peak_basis"] = "hour" if timed else "month"
    out["windows"] = dosage["windows"].to_numpy() if timed else months
    out["peak_hours"] = dosage["peak_hours"].to_numpy() if timed else months
    columns = ("minutes_per_visit", "visits_per_window", "visits_per_day", "visits_per_week")
    for column in (*columns, "dosage", "timed", "visits"):
        out[column] = dosage[column].to_numpy()
    return out


def _peak_months(peaks: pd.DataFrame) -> dict[str, list[str]]:
    """Each locality's peak months, busiest first: ``{"3": ["Feb 2021 (18)", …]}``. A month
    is a peak by the rule of hour windows: one of the busiest (``peak_windows``'s ``top``), and
    busier than the locality's average month (an even spread: lift over 1), as the busiest
    hours of a week always are (a quiet locality's busiest months may hold one or two)."""
    busy = peaks[peaks["lift"] > 1]
    busy = busy.iloc[np.argsort(busy["rank"].to_numpy(), kind="stable")]
    out: dict[str, list[str]] = {}
    for locality, month, n in zip(
        busy["locality"].astype(str), busy["month"], busy["incidents"], strict=True
    ):
        out.setdefault(locality, []).append(f"{pd.Period(month, 'M'):%b %Y} ({n:.0f})")
    return out


def _months_text(months: list[str], incidents: int) -> str:
    """A locality's peak months in the plan (``"Feb 2021 (18); Mar 2021 (15)"``), or why it has
    none: fewer than :data:`MIN_TIMED_INCIDENTS` incidents (as hour windows need), or none
    busier than its average month."""
    if incidents < MIN_TIMED_INCIDENTS:
        return f"no peak month (fewer than {MIN_TIMED_INCIDENTS} incidents)"
    return "; ".join(months) or "no peak month (none above its average)"


def _left_out(summary: dict[str, Any]) -> str:
    """The plan's incidents left out, in words: only the reasons that left some out, then the
    sensitive ones, always in the same words (never a number: a study area drawn around one
    would tell it from none)."""
    parts = [
        f"{summary['unlocated']:,} without a location" if summary["unlocated"] else "",
        f"{summary['outside_area']:,} outside the study area" if summary["outside_area"] else "",
    ]
    said = ", ".join(part for part in parts if part)
    return (
        f"Left out: {said or 'none without a location or outside the study area'}; "
        "sensitive incidents (domestic abuse, sexual offences, stalking) are never used to "
        "draw places, nor counted here."
    )


def _top_days(by_weekday: pd.Series, n: int = 2) -> str:
    """``"Sat 22%, Fri 19%"``: the ``n`` busiest weekdays and their share of the incidents
    (ties in weekday order, Monday first)."""
    share = by_weekday / by_weekday.sum()
    best = share.sort_values(ascending=False, kind="stable").head(n)
    return ", ".join(f"{day} {100 * s:.0f}%" for day, s in best.items())


def _backtest(
    spatial: gpd.GeoDataFrame, area: shapely.Geometry, method: str, res: int, n_months: int
) -> dict[str, Any] | None:
    """Rolling backtest of the method on the same area; ``{"error": ...}`` when impossible."""
    months = spatial["month"].dt.to_period("M").nunique()
    train = max(1, min(n_months, months - 1))
    try:
        table = backtest(
            spatial,
            study_area=area,
            res=res,
            methods=[method],
            train_months=train,
            coverage=DEFAULT_COVERAGE,
        )
    except ValueError as err:
        return {"error": str(err)}
    rows = table[["coverage", "folds", "hit_rate", "pai"]].to_dict("records")
    return {"method": method, "res": res, "train_months": train, "results": rows}


def _context(current: gpd.GeoDataFrame) -> pd.DataFrame:
    """Mappable incidents of the period per H3 cell at resolutions 11 and 9, with cell centres."""
    frames = []
    for res in CONTEXT_RES:
        counts = cell_counts(current, res)
        centre = shapely.centroid(cell_polygons(counts["cell"]).geometry.to_numpy())
        frames.append(counts.assign(res=res, lon=shapely.get_x(centre), lat=shapely.get_y(centre)))
    return pd.concat(frames, ignore_index=True)


def _span(first: Any, last: Any) -> str:
    """``"Nov 2021 – Jan 2022"`` (one month alone: ``"Jan 2022"``)."""
    a, b = month_text(first), month_text(last)
    return a if a == b else f"{a} – {b}"


def months_words(metadata: dict[str, Any]) -> str:
    """A plan's months (its ``metadata``) as people write them: ``"Nov 2021 – Jan 2022"`` (one
    month alone), for titles and sentences (files keep ``metadata["period"]``)."""
    months = metadata["months"]
    return _span(months[0], months[-1]) if months else str(metadata["period"])


def _limits(
    current: pd.DataFrame,
    timing: str,
    summary: dict[str, Any],
    metadata: dict[str, Any],
    harm_note: str,
    trend_note: str,
    bt: dict[str, Any] | None,
) -> list[str]:
    """The plan's limits, in plain sentences."""
    sources = ", ".join(sorted(current["source"].astype(str).unique()))
    limits = [
        f"Data: {summary['incidents']:,} incidents from {sources}, {months_words(metadata)} "
        f"({counted(len(metadata['months']), 'month')}); the localities hold "
        f"{summary['in_localities']:,} ({100 * summary['share_in_localities']:.1f} %).",
        _left_out(summary),
    ]
    if current["source"].astype(str).str.contains("police.uk", case=False).any():
        limits.append(SNAPPING_LIMIT + ".")
    if summary["localities"] == 0:
        limits.append(
            "No locality: the method found no significant hot spot in this area and period; "
            "patrols cannot be targeted from these data."
        )
    if NO_WARD_NOTE in metadata["wards"]:  # said once here, not as a blank ward per place
        limits.append(f"Place names: {metadata['wards']}.")
    if timing:
        limits.append(MONTH_ONLY_LIMIT + f" ({timing}).")
    limits.append(trend_note + ".")
    if harm_note:
        limits.append(harm_note + ".")
    else:
        limits.append(harm_score_words(metadata["harm_source"]) + ".")
    if bt is not None and "forecast" in bt:
        f = bt["forecast"]
        limits.append(
            f"Localities drawn inside the hot spots: {f['hot_spots'][len('Hot spots: ') :]} "
            f"(forecast for {month_text(f['month'])}). {f['backtest']} Method: "
            f"{f['method_words']}"
            + (f" (PAI {f['pai']:.1f}, PEI {f['pei']:.2f})" if f.get("folds") else "")
            + "."
        )
    elif bt is None:
        limits.append("Backtest not run: the method's accuracy on these data is unknown.")
    elif "error" in bt:
        limits.append(f"Backtest not possible: {bt['error']}.")
    else:
        figures = "; ".join(
            f"the {100 * r['coverage']:g} % of the area it marked held "
            f"{100 * r['hit_rate']:.0f} % of the next month's crime (PAI {r['pai']:.1f})"
            for r in bt["results"]
        )
        limits.append(
            f"Tested on these data ({_METHOD_WORDS.get(bt['method'], bt['method'])} found in "
            f"{counted(bt['train_months'], 'month')}, checked against the month after, "
            f"{counted(bt['results'][0]['folds'], 'time')}): {figures}. Past hot spots predict "
            "future ones only this well."
        )
    return limits
