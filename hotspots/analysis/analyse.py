"""One call from incidents to the hotspot products: cells with Gi*, clusters, temporal tables.

:func:`analyse` is what the dashboard and the benchmarks run; the ``hotspots analyse`` command
runs its two parts, :func:`begin` (the study area and the forecast begun) and :func:`finish`,
reading the default districts' wards between them while the forecast is worked out. It
composes the analysis modules and records every parameter used or chosen in
``Analysis.params`` (the ``params.json`` of the command's output).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis import shared_forecast
from hotspots.analysis.cell_names import name_cells
from hotspots.analysis.clusters import (
    ClusterResult,
    cluster_profiles,
    dbscan,
    dbscan_settings,
    hdbscan_clusters,
    unclustered,
)
from hotspots.analysis.shared_forecast import ForecastRows
from hotspots.analysis.stats import hotspots_gistar
from hotspots.analysis.temporal import HourWeekday, hour_weekday, monthly_series, peak_windows
from hotspots.core import disclosure, forked
from hotspots.core.crs import to_crs
from hotspots.core.defaults import (
    DBSCAN_MAX_EPS_M,
    GI_K,
    H3_RES,
    HDBSCAN_MIN_CLUSTER_SIZE,
    HOT_MIN_BIN,
)
from hotspots.core.disclosure import mappable
from hotspots.core.points import reading_once
from hotspots.data import boundaries
from hotspots.data.ingest import resolve_study_area
from hotspots.data.ingest.studyarea import describe_study_area, study_area_districts
from hotspots.data.schema import WORKING_CRS, check_incidents, positions_in
from hotspots.space.areas import area_counts, area_rates, area_wards, ward_population
from hotspots.space.extent import DefaultArea, default_study_area
from hotspots.space.grid import grid_counts, prepare_area
from hotspots.space.places import (
    StreetPoints,
    cell_place_names,
    place_names,
    place_text,
    wards_in_crs,
)

_WARD_SNAP_M = 25.0
"""Incidents up to this many metres outside every ward are counted in the nearest one."""


if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast
    from hotspots.data.coverage import Coverage


@dataclass
class Analysis:
    """The products of :func:`analyse`.

    Attributes
    ----------
    cells
        Every H3 cell of the study area (zero counts included): ``cell``, ``count``,
        ``place`` ("Street, Ward": :func:`hotspots.space.places.place_names`, from the mapped
        incidents only), ``in_study_area``, Gi* columns (``gi_z``, ``gi_p``, ``gi_p_fdr``,
        ``gi_bin``, ``gi_class``); hexagons in EPSG:4326.
    clusters
        DBSCAN/HDBSCAN labels (one per mappable incident, i.e. sensitive rows left out, in the
        order of ``hotspots.core.disclosure.mappable(incidents)``; -1 = noise) and their parameters.
    profiles
        One row per cluster (outline in EPSG:4326 and its statistics) and its ``place``
        ("Street, Ward", as the cells').
    hour_weekday
        7 × 24 profile, or why there is none (month-only data).
    monthly
        Incidents per month by category: zero-filled, or NaN for a month no source covers
        (``coverage``).
    peaks
        Peak hour windows (or peak months for month-only data) per category.
    incidents
        The incidents analysed (all of them: the temporal tables count the sensitive ones
        too), as they were when analysed (a copy-on-write snapshot, sharing their data);
        ``hour_weekday``, ``monthly`` and ``peaks`` are made from them when first read.
        ``None`` once pickled: a pickle holds the three tables, made, not the incidents.
    params
        Every parameter used or chosen automatically, JSON-serialisable.
    ward_rates
        Mapped incidents (sensitive left out, as on the map) per ward with residents and the
        rate per 1,000 (:func:`hotspots.space.areas.area_rates`; ``attrs["vintage"]`` states
        the boundary and census vintage), when the study area is a district or wards are
        given; else ``None``.
    forecast
        The hot spots: the cells most likely to hold next month's crime
        (:func:`hotspots.analysis.forecast.forecast`), with the method chosen and its backtest
        figures; ``None`` when there are fewer than two months or ``forecast_coverage=None``.
        Their ``hot_spot``, ``forecast_rank`` and ``forecast_score`` are also columns of ``cells``.
        Gi* (``gi_*`` columns) is the layer of :data:`GISTAR_LABEL`, not the hot spots.
    coverage
        The months each source covers, when given to :func:`analyse`: ``monthly`` leaves the
        months without data empty; ``None``: every month from the first to the last counts.
    """

    cells: gpd.GeoDataFrame
    clusters: ClusterResult
    profiles: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame | None = field(repr=False, compare=False)
    params: dict[str, Any] = field(default_factory=dict)
    ward_rates: pd.DataFrame | None = None
    forecast: Forecast | None = None
    coverage: Coverage | None = None

    @cached_property
    def hour_weekday(self) -> HourWeekday:
        """7 × 24 profile of the incidents (made when first read)."""
        return hour_weekday(self._analysed())

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """Incidents per month by category (made when first read); with :attr:`coverage`, a
        month no source covers is NaN ("no data"), never zero."""
        counts = monthly_series(self._analysed(), by="category")
        return counts if self.coverage is None else self.coverage.mask(counts)

    @cached_property
    def peaks(self) -> pd.DataFrame:
        """Peak windows per category (made when first read)."""
        return peak_windows(self._analysed(), by="category")

    def _analysed(self) -> gpd.GeoDataFrame:
        if self.incidents is None:  # an Analysis made without them (a pickle holds the tables)
            raise ValueError(
                "this analysis holds no incidents to count: its temporal tables were not made; "
                "run analyse() again on the incidents"
            )
        return self.incidents

    def make_tables(self) -> None:
        """Make the temporal tables now (otherwise made when first read)."""
        for table in _TABLES:
            getattr(self, table)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its temporal tables made, without the incidents they count; one that
        holds no incidents (:meth:`for_map`) with the tables it has."""
        if self.incidents is not None:
            self.make_tables()
        return {**self.__dict__, "incidents": None}

    def for_map(self) -> Analysis:
        """What its map reads (cells, profiles, forecast, params), without the incidents and
        the temporal tables: sent to the process that draws the map before the tables are
        made (:func:`hotspots.views.outputs.write_analysis`)."""
        return replace(self, incidents=None)

    @property
    def n_hot_cells(self) -> int:
        """Cells counted hot: ``gi_bin`` at least :data:`~hotspots.core.defaults.HOT_MIN_BIN`."""
        return int((self.cells["gi_bin"] >= HOT_MIN_BIN).sum())

    @property
    def clustered_share(self) -> float:
        """Share of the mappable incidents in a cluster (not noise), 0–1."""
        return 1.0 - float(self.params["clusters"]["noise_share"])


_TABLES = ("hour_weekday", "monthly", "peaks")
"""The temporal tables of an :class:`Analysis`, made when first read."""

GISTAR_LABEL = "statistically significant clusters of high counts"
"""What the Gi* layer shows (never "the hot spots": those are the forecast's cells)."""


def analyse(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any = None,
    res: int = H3_RES,
    k: int = GI_K,
    permutations: int = 0,
    seed: int = 0,
    cluster_method: Literal["dbscan", "hdbscan"] = "dbscan",
    eps_m: float | None = None,
    min_samples: int | None = None,
    max_eps_m: float = DBSCAN_MAX_EPS_M,
    min_cluster_size: int = HDBSCAN_MIN_CLUSTER_SIZE,
    wards: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    forecast_coverage: float | None = 0.05,
    default_area: DefaultArea | None = None,
    forecast_history: gpd.GeoDataFrame | None = None,
    coverage: Coverage | None = None,
    meanwhile: Callable[[Analysis], object] | None = None,
) -> Analysis:
    """Hot spots (H3 + Gi*), density clusters and temporal peaks of ``incidents``.

    Cells and clusters are built without sensitive incidents (:mod:`hotspots.core.disclosure`: no
    layer may reveal a victim's location); temporal tables, which carry no location, use all.

    Parameters
    ----------
    incidents
        Canonical incidents (:mod:`hotspots.data.schema`), already selected (see
        :func:`hotspots.data.select.select`).
    study_area
        Anything :func:`hotspots.data.ingest.resolve_study_area` accepts (wards GeoDataFrame, a
        boundary file, a district code such as ``"E07000096"``). ``None``: the districts
        holding the incidents, or their trimmed core
        (:func:`hotspots.space.extent.default_study_area`) — recorded in
        ``params["study_area"]``. A grid mostly of empty cells is refused
        (:func:`hotspots.space.grid.check_grid_size`).
    res
        H3 resolution (7–11; 9 ≈ 0.1 km² hexagons, edge ≈ 174 m).
    k
        Gi* neighbourhood: H3 k-ring, the cell itself included.
    permutations, seed
        Conditional permutations for Gi* pseudo p-values (0 = analytical p only).
    cluster_method
        ``"dbscan"`` (eps in metres, exact) or ``"hdbscan"``.
    eps_m
        DBSCAN radius in metres; ``None`` takes the k-distance knee, at most ``max_eps_m``.
    max_eps_m
        Cap on the automatic eps (metres; :data:`hotspots.core.defaults.DBSCAN_MAX_EPS_M`,
        100 m, says why). The knee, the cap and the largest cluster's share are reported in
        ``params["clusters"]``.
    min_samples
        DBSCAN core threshold (weighted neighbours within ``eps_m``, self included).
        ``None``: 0.3 % of the mapped incidents, at least 10 — compact clusters a
        meeting can read, whatever the area's size (reported in ``params``; the policy is
        :func:`hotspots.analysis.clusters.dbscan_settings`, shared with the patrol plan).
    min_cluster_size
        HDBSCAN's smallest cluster (incidents).
    wards, population
        The user's own wards (from :func:`hotspots.space.areas.read_boundaries`) and residents
        per ward (``area_code``, ``residents``) for ``ward_rates``; they override the national
        pack. ``None``: a district study area (code or name) brings its 2013 wards and 2011
        residents from the pack; own wards without a population get the district's 2011 LSOA
        residents shared by area.
    forecast_coverage
        Share of the study area marked as hot spots: the cells the next-month forecast
        (chosen by backtest on these incidents) ranks highest. ``None``: no forecast.
    default_area
        The default study area already chosen for these incidents (what
        :func:`hotspots.space.extent.default_study_area` gives for their mappable part), so a
        caller that needed it first does not pay for it twice; used only when ``study_area``
        is ``None``.
    forecast_history
        The incidents the forecast learns from (``None``: ``incidents``): for a selection of
        some months, every month up to its last, so that the hot spots of a meeting's month
        are the next month's forecast from the whole history (as the meeting pack's and the
        patrol plan's), not from that month alone.
    coverage
        The months each source of the data covers (``open_workspace(...).coverage``, or
        :meth:`~hotspots.data.coverage.Coverage.of` the incidents before any selection): a
        month none covers is "no data" in ``monthly``, not zero. ``None``: every month from the
        first to the last counts, zero when it holds no incident.
    meanwhile
        The caller's work that reads only the clusters (``profiles``, final; the cells and
        ``params`` are not yet) of the analysis being made, done while its forecast is still
        being worked out in a child process (:mod:`hotspots.core.forked`), where this process
        would only wait for it; not called otherwise.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from hotspots.demo.load import load_demo_policeuk
    >>> result = analyse(load_demo_policeuk().incidents, study_area="E07000096")  # doctest: +SKIP
    >>> result.cells.gi_class.value_counts()  # doctest: +SKIP
    """
    with reading_once():  # the incidents' points read once for all the steps
        started = begin(
            incidents,
            study_area=study_area,
            res=res,
            forecast_coverage=forecast_coverage,
            default_area=default_area,
            forecast_history=forecast_history,
        )
        return finish(
            started,
            k=k,
            permutations=permutations,
            seed=seed,
            cluster_method=cluster_method,
            eps_m=eps_m,
            min_samples=min_samples,
            max_eps_m=max_eps_m,
            min_cluster_size=min_cluster_size,
            wards=wards,
            population=population,
            coverage=coverage,
            meanwhile=meanwhile,
        )


def begin(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any = None,
    res: int = H3_RES,
    forecast_coverage: float | None = 0.05,
    default_area: DefaultArea | None = None,
    forecast_history: gpd.GeoDataFrame | None = None,
) -> Begun:
    """The first part of :func:`analyse` (its parameters of the same names): the incidents
    checked, the study area chosen, its hexagons begun on a thread and the forecast begun (in a
    child process when the caller allows one, :mod:`hotspots.core.forked`). A caller with
    other work before the rest (reading wards) does it between this and :func:`finish`, beside
    the forecast."""
    check_incidents(incidents)
    spatial = mappable(incidents)
    if len(spatial) == 0:
        raise ValueError("no incidents to analyse: widen the selection (dates, groups, wards)")
    area, area_note = _study_area(spatial, study_area, res, default_area)
    prepare_area(area, res)  # its hexagons on a thread (no GIL) beside what follows
    # the forecast needs only the incidents and the area: begun now, worked out beside the rest
    history = spatial
    if forecast_history is not None:
        check_incidents(forecast_history)
        history = mappable(forecast_history)
    pending = _begin_forecast(history, area, res, forecast_coverage)
    return Begun(incidents, spatial, study_area, area, area_note, res, pending)


@dataclass
class Begun:
    """An analysis begun by :func:`begin`, its forecast under way: :func:`finish` does the
    rest."""

    incidents: gpd.GeoDataFrame
    spatial: gpd.GeoDataFrame
    """The mappable incidents (sensitive ones left out)."""
    study_area: Any
    """As given to :func:`begin`."""
    area: shapely.Geometry
    """The study area, EPSG:4326."""
    area_note: str
    """How the study area was chosen (``params["study_area"]``)."""
    res: int
    """H3 resolution."""
    forecast: forked.Pending[tuple[Forecast | None, dict[str, Any]]]
    """The forecast and its note (``params["forecast"]``), being worked out."""


def finish(
    begun: Begun,
    *,
    k: int = GI_K,
    permutations: int = 0,
    seed: int = 0,
    cluster_method: Literal["dbscan", "hdbscan"] = "dbscan",
    eps_m: float | None = None,
    min_samples: int | None = None,
    max_eps_m: float = DBSCAN_MAX_EPS_M,
    min_cluster_size: int = HDBSCAN_MIN_CLUSTER_SIZE,
    wards: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    coverage: Coverage | None = None,
    meanwhile: Callable[[Analysis], object] | None = None,
) -> Analysis:
    """The rest of :func:`analyse` (its parameters of the same names) for an analysis
    :func:`begin` began, once: Gi*, clusters, ward rates and place names here, then the
    forecast taken in."""
    incidents, spatial, study_area = begun.incidents, begun.spatial, begun.study_area
    area, area_note, res = begun.area, begun.area_note, begun.res
    with begun.forecast as pending:
        settings = dbscan_settings(
            spatial,
            eps_m=eps_m,
            min_samples=min_samples,
            max_eps_m=max_eps_m,
            need_eps=cluster_method == "dbscan",
        )
        if settings.skipped is not None:  # too few incidents: no clusters, said why
            clusters = unclustered(
                spatial,
                method=cluster_method,
                min_samples=settings.min_samples,
                note=settings.skipped,
            )
        elif cluster_method == "dbscan":
            clusters = dbscan(spatial, eps_m=settings.eps_m, min_samples=settings.min_samples)
        elif cluster_method == "hdbscan":
            clusters = hdbscan_clusters(
                spatial, min_cluster_size=min_cluster_size, min_samples=settings.min_samples
            )
        else:
            raise ValueError(
                f"cluster_method must be 'dbscan' or 'hdbscan', got {cluster_method!r}"
            )
        # the place texts and naming rows of the incidents, worked out once for every naming
        street_points = StreetPoints(spatial, places=place_text(spatial))
        profiles = cluster_profiles(spatial, clusters.labels, street_points=street_points)
        # after the clusters, which do not need it: the area's hexagons made meanwhile
        grid = grid_counts(spatial, res, study_area=area)
        cells = hotspots_gistar(grid, k=k, permutations=permutations, seed=seed)
        ward_rates, named_wards = _ward_rates(spatial, study_area, wards, population)
        places = _Places(street_points, named_wards, res)
        cell_places = places.of_cells(cells)
        cluster_places = places.of_clusters(profiles, clusters.labels)
        # its forecast and params are set below, once the forecast is in
        analysis = Analysis(
            cells=cells,
            clusters=clusters,
            profiles=profiles,
            incidents=incidents.copy(deep=False),  # a snapshot: the caller's later changes stay out
            ward_rates=ward_rates,
            coverage=coverage,
        )
        if cluster_places is not None:
            profiles["place"] = cluster_places
        if meanwhile is not None and pending.waiting():  # the caller's, beside the child's
            meanwhile(analysis)
        for table in _TABLES:  # made while this process would only wait for the child
            if not pending.waiting():  # answered: not kept waiting by a table
                break
            getattr(analysis, table)
        predicted, forecast_note = pending.result()
    if predicted is not None:
        scored_at = _add_forecast(cells, predicted)
    cells["place"] = cell_places
    if predicted is not None:
        places.of_forecast(predicted, cell_places, scored_at)

    left, shown = spatial.attrs["sensitive_left_out"], spatial.attrs["sensitive_left_out_shown"]
    withheld = shown in (disclosure.SUPPRESSED, disclosure.WITHHELD)
    analysis.forecast = predicted
    analysis.params = {
        # counts through the disclosure gate: exact only when the sensitive groups pass it
        "incidents": len(spatial) + (0 if withheld else left),
        "sensitive_left_out_of_map_layers": shown if withheld else left,
        "sensitive_left_out_shown": shown,
        "working_crs": incidents.attrs[WORKING_CRS],
        "study_area": area_note,
        "grid": {k_: _jsonable(v) for k_, v in grid.attrs.items()},
        "gistar": {
            "layer": GISTAR_LABEL,
            **{k_: _jsonable(v) for k_, v in cells.attrs.get("params", {}).items()},
        },
        "forecast": forecast_note,
        "clusters": {
            **{k_: _jsonable(v) for k_, v in clusters.params.as_dict().items()},
            **{k_: _jsonable(v) for k_, v in settings.notes.items()},
            "largest_cluster_share": _largest_share(clusters.labels),
        },
    }
    if ward_rates is not None:
        analysis.params["ward_rates"] = {k_: _jsonable(v) for k_, v in ward_rates.attrs.items()}
    return analysis


def _add_forecast(cells: gpd.GeoDataFrame, predicted: Forecast) -> np.ndarray:
    """Add the forecast's ``hot_spot``, ``forecast_rank`` and ``forecast_score`` to ``cells``,
    in place (a cell the forecast did not score: not a hot spot, no rank, no score), each
    cell looked up once. Returns the position of each cell among the forecast's (-1: not
    there)."""
    scored = predicted.cells
    at = positions_in(cells["cell"], scored["cell"])
    found = at >= 0
    position = np.where(found, at, 0)
    cells["hot_spot"] = found & scored["selected"].to_numpy(bool)[position]
    rank = scored["rank"].to_numpy(np.int64)[position]
    cells["forecast_rank"] = pd.arrays.IntegerArray(np.where(found, rank, 0), ~found)
    cells["forecast_score"] = np.where(found, scored["score"].to_numpy(float)[position], np.nan)
    return at


FORECAST_WORKER_MODULES = (
    "hotspots.analysis.analyse",
    "hotspots.analysis.forecast",
    "scipy.optimize",
    "scipy.sparse",
    "scipy.spatial",
    "threadpoolctl",
)
"""What the long-lived worker imports before its first forecast (:func:`forecasts_beside`)."""


def forecasts_beside(
    dataset: gpd.GeoDataFrame, *, key: str, study_area: shapely.Geometry, res: int
) -> AbstractContextManager[None]:
    """Within the block, :func:`analyse` works its forecast out in this process's long-lived
    worker process (:func:`hotspots.core.forked.worker_process`) whenever it is ready and free,
    beside the rest of the analysis: a server's (the dashboard's) answer to a filter change on
    both cores. The worker first keeps ``dataset``'s basis (every incident of a data load,
    known by ``key``: :func:`hotspots.analysis.forecast.keep_basis`), once per ``key`` and
    ``res``, so its forecasts are those made here, bit for bit."""
    setup = (("forecast basis", key, res), _keep_basis, (ForecastRows(dataset), study_area, res))
    return forked.worker_process(prepare=FORECAST_WORKER_MODULES, setup=setup)


def _keep_basis(rows: ForecastRows, area: shapely.Geometry, res: int) -> None:
    """:func:`hotspots.analysis.forecast.keep_basis` of unpickled rows (in the worker), and
    its kernels made by a forecast of them all, ahead of the first selection's."""
    from hotspots.analysis.forecast import forecast, keep_basis

    rows.keep_points()  # a selection's rows take their points from the data load's
    keep_basis(rows.frame, study_area=area, res=res)
    with suppress(ValueError):  # too little history: the first selection's makes them
        forecast(rows.frame, study_area=area, res=res)


def _begin_forecast(
    history: gpd.GeoDataFrame, area: shapely.Geometry, res: int, coverage: float | None
) -> forked.Pending[tuple[Forecast | None, dict[str, Any]]]:
    """The forecast of :func:`_forecast`, begun (:func:`hotspots.core.forked.start`). Given to
    a long-lived worker (the dashboard's, :func:`hotspots.core.forked.serving`), it is looked
    up first among the forecasts this process keeps, and kept when it comes back
    (:func:`hotspots.analysis.shared_forecast.begin`): the Patrol page forecasts the same
    history."""
    if coverage is None or not forked.serving():
        return forked.start(_forecast, ForecastRows(history), area, res, coverage)
    skipped = _skipped(history)
    if skipped is not None:
        return forked.given((None, skipped))
    # the kept forecast shared; this analysis's cells a copy
    return shared_forecast.begin(history, study_area=area, res=res, coverage=coverage).then(_noted)


def _forecast(
    rows: ForecastRows, area: shapely.Geometry, res: int, coverage: float | None
) -> tuple[Forecast | None, dict[str, Any]]:
    """The next-month forecast for the hot spot layer, or why there is none."""
    spatial = rows.frame
    if coverage is None:
        return None, {"skipped": "forecast_coverage=None"}
    skipped = _skipped(spatial)
    if skipped is not None:
        return None, skipped
    # one forecast per history: the dashboard's Patrol page forecasts the same one
    return _noted(
        shared_forecast.shared_forecast(spatial, study_area=area, res=res, coverage=coverage)
    )


def _skipped(spatial: gpd.GeoDataFrame) -> dict[str, str] | None:
    """Why there is no forecast of these incidents (``params["forecast"]``), else ``None``."""
    months = pd.to_datetime(pd.Series(spatial["month"].unique())).dt.to_period("M")
    if months.nunique() < 2:
        return {"skipped": "the forecast needs at least two months of incidents"}
    return None


def _noted(kept: Forecast) -> tuple[Forecast, dict[str, Any]]:
    """A kept forecast for an analysis, and its note (``params["forecast"]``)."""
    # a copy of the kept cells: this analysis names them with its own wards (_Places)
    result = replace(kept, cells=kept.cells.copy())
    return result, {
        "summary": result.summary(),
        "month": str(result.month),
        **{k_: _jsonable(v) for k_, v in result.figures.items()},
    }


def _largest_share(labels: np.ndarray) -> float:
    """Share of all clustered points (0..1) in the largest cluster; 0 when none."""
    clustered = labels[labels >= 0]
    return float(np.bincount(clustered).max() / len(labels)) if clustered.size else 0.0


def _ward_rates(
    spatial: gpd.GeoDataFrame,
    study_area: Any,
    wards: gpd.GeoDataFrame | None,
    population: pd.DataFrame | None,
) -> tuple[pd.DataFrame | None, gpd.GeoDataFrame | None]:
    """Incidents and rates per ward, or ``None`` without wards (see :func:`analyse`), and the
    wards used."""
    districts = study_area_districts(study_area)
    given_wards = isinstance(study_area, gpd.GeoDataFrame) and {"area_code", "area_name"} <= set(
        study_area.columns
    )
    if wards is None and given_wards:
        wards = study_area  # wards from read_boundaries given as the study area
    if wards is None and districts is None:
        return None, None
    if wards is None:
        wards, pack_population = area_wards(study_area)
        population = pack_population if population is None else population
        source = f"national boundary pack: {pack_population.attrs['district']}"
    else:
        source = wards.attrs.get("report", {}).get("source", "wards given")
        if population is None and districts is not None:
            found = boundaries.districts_data(districts)
            lsoas = gpd.GeoDataFrame(pd.concat([d.lsoas for d in found], ignore_index=True))
            lsoa_population = pd.concat([d.population for d in found], ignore_index=True)
            lsoa_population.attrs["vintage"] = (
                "wards: your own; residents: 2011 Census, 2011 LSOAs shared by area"
            )
            population = ward_population(wards, lsoas, lsoa_population)
    if population is None:
        population = pd.DataFrame({"area_code": wards["area_code"], "residents": np.nan})
        population.attrs["vintage"] = "wards: your own; no population given"
    # the pack's wards are simplified to ~15 m: a point just outside goes to the nearest ward
    counts = area_counts(spatial, wards, max_snap_m=_WARD_SNAP_M)
    rates = area_rates(counts, population)
    rates.attrs.update(
        not_counted=counts.attrs["not_counted"],
        max_snap_m=_WARD_SNAP_M,
        wards=len(wards),
        source=source,
        counts="mapped incidents (sensitive incidents left out, as on the map)",
    )
    return rates, wards


class _Places:
    """The "Street, Ward" names (:func:`hotspots.space.places.place_names`) of an analysis's
    cells, clusters and forecast hot spots: streets from the mapped (non-sensitive) incidents
    only (``street_points``: theirs, shared with the cluster profiles), their places read
    once, the streets near a place searched among points made once and the wards projected
    once for every naming."""

    def __init__(self, street_points: StreetPoints, wards: gpd.GeoDataFrame | None, res: int):
        spatial = street_points.incidents
        self.spatial, self.res = spatial, res
        self.crs = spatial.attrs[WORKING_CRS]
        if wards is not None and "area_name" not in wards.columns:
            wards = None
        self.wards = wards_in_crs(wards, self.crs) if wards is not None else None
        self.text = street_points.text
        self.street_points = street_points

    def of_cells(self, cells: gpd.GeoDataFrame) -> np.ndarray:
        """The name of every cell of ``cells``."""
        return name_cells(
            self.spatial,
            cells,
            res=self.res,
            wards=self.wards,
            places=self.text,
            street_points=self.street_points,
        )

    def of_clusters(self, profiles: gpd.GeoDataFrame, labels: np.ndarray) -> np.ndarray | None:
        """The name of every cluster of ``profiles`` (``None`` without clusters)."""
        if not len(profiles):
            return None
        outlines = to_crs(profiles.geometry, self.crs)
        inner = outlines.where(~(outlines.isna() | outlines.is_empty)).representative_point()
        centres = pd.DataFrame(
            {"x": inner.x.to_numpy(), "y": inner.y.to_numpy()}, index=profiles["cluster"]
        )
        names = place_names(
            self.spatial,
            labels,
            centres,
            self.wards,
            crs=self.crs,
            places=self.text,
            street_points=self.street_points,
        )
        return names.to_numpy()

    def of_forecast(self, forecast: Forecast, names: np.ndarray, scored_at: np.ndarray) -> None:
        """Add ``place`` to ``forecast.cells``, in place: the ``names`` of the analysis's cells
        (``scored_at``: the position of each among the forecast's, -1 where not there), the
        selected hot spots outside them named too (a cell named by none: missing)."""
        named = np.full(len(forecast.cells), np.nan, dtype=object)
        held = scored_at >= 0
        named[scored_at[held]] = names[held]
        missing = pd.isna(named) & forecast.cells["selected"].to_numpy(bool)
        if missing.any():
            named[missing] = cell_place_names(
                self.spatial,
                forecast.cells["cell"].to_numpy()[missing],
                self.res,
                self.wards,
                places=self.text,
                street_points=self.street_points,
            )
        forecast.cells["place"] = named


def _study_area(
    incidents: gpd.GeoDataFrame, study_area: Any, res: int, chosen: DefaultArea | None = None
) -> tuple[shapely.Geometry, str]:
    """The study area polygon (EPSG:4326) and how it was chosen (``chosen``: the default
    study area when already worked out)."""
    if study_area is not None:
        return resolve_study_area(study_area), f"given: {describe_study_area(study_area)}"
    chosen = chosen or default_study_area(incidents, res=res)
    return chosen.geometry, chosen.how


def _jsonable(value: Any) -> Any:
    """Plain Python for ``json.dumps`` (numpy scalars, arrays, timestamps, nested mappings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 50 else f"array of {value.size}"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
