"""Cached calls into the analysis layer, keyed on the dataset, the selection and parameters.

Arguments with a leading underscore are not hashed by Streamlit: the dataset is identified by
``ds.key`` and the selection by its ``repr`` (a frozen dataclass of tuples), so a filter change
costs one dictionary look-up when the result is already cached.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import FrameType
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry.base import BaseGeometry

from hotspots.analysis.analyse import Analysis, analyse
from hotspots.analysis.analyse import forecasts_beside as analyse_forecasts_beside
from hotspots.core.defaults import GI_K, H3_RES
from hotspots.data import select as data_select
from hotspots.data.ingest import resolve_study_area
from hotspots.data.schema import CATEGORIES, WORKING_CRS
from hotspots.data.select import (
    MonthsHeld,
    Selection,
    crime_types_by_group,
    keeps_every_month,
    months_held,
    months_present,
    select,
    types_of_groups,
    values_present,
    ward_choices,
)
from hotspots.views import maps
from hotspots.views.analysis_map import CLUSTERS, WARDS, analysis_layers
from hotspots.views.analysis_map import clusters_layer as analysis_clusters_layer
from hotspots.views.dashboard import disk_cache
from hotspots.views.dashboard.state import Dataset


def selected(ds: Dataset, sel: Selection) -> gpd.GeoDataFrame:
    """The incidents of ``ds`` matching ``sel`` (cached; months that keep every month of the
    data are the same selection as no months: one entry for both)."""
    if (sel.start is not None or sel.end is not None) and keeps_every_month(
        _months_held(ds.key, _ds=ds), sel.start, sel.end
    ):
        sel = dataclasses.replace(sel, start=None, end=None)
    return _selected(ds.key, repr(sel), _ds=ds, _sel=sel)


@st.cache_resource(max_entries=4, show_spinner=False)
def _months_held(key: str, *, _ds: Dataset) -> MonthsHeld:
    return months_held(_ds.incidents)


@st.cache_resource(max_entries=16, show_spinner=False)
def _selected(key: str, sel_key: str, *, _ds: Dataset, _sel: Selection) -> gpd.GeoDataFrame:
    return select(_ds.incidents, _sel)


def study_area(ds: Dataset) -> BaseGeometry:
    """The dataset's wards united into one outline (EPSG:4326), once per data load."""
    return _study_area(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _study_area(key: str, *, _ds: Dataset) -> BaseGeometry:
    """The dataset's wards united into one outline, once per data load (not per selection).

    Every analysis of the dashboard takes this outline, not the ward frame: the union and
    the per-ward rates (which no page shows) are not recomputed at each filter change.
    """
    return resolve_study_area(_ds.wards)


def wards_layer(ds: Dataset) -> folium.FeatureGroup:
    """The dataset's ward outlines as a map layer, built once per data load (every page's
    map draws a fresh copy of it: :func:`hotspots.views.dashboard.offline.st_map`)."""
    return _wards_layer(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _wards_layer(key: str, *, _ds: Dataset) -> folium.FeatureGroup:
    # the Map page's wards layer too (:func:`analysis_layers_for`): the same call
    return maps.ward_layer(_ds.wards, name_col="area_name", name=WARDS, show=True)


def ward_names_layer(ds: Dataset) -> folium.FeatureGroup:
    """The dataset's ward names as a map layer, once per data load (drawn as a fresh copy)."""
    return _ward_names_layer(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _ward_names_layer(key: str, *, _ds: Dataset) -> folium.FeatureGroup:
    return maps.label_layer(_ds.wards, name="Ward names")


@functools.cache
def freeze_loaded() -> None:
    """Once per server process, at the first page's filters (the modules imported, the data
    loaded): move every object the interpreter tracks so far out of the garbage collector's
    way (``gc.freeze``). They live as long as the server (code, libraries, the dataset), yet
    each full collection walked them all: 0.1-0.3 s of a filter change now and then on the
    demo (175,000 objects), more with a bigger heap. Collections still find the garbage of
    every later run; what was garbage at this moment (a few objects of the first imports) is
    never freed."""
    gc.freeze()


def crime_types(ds: Dataset, groups: Iterable[str]) -> list[str]:
    """The crime types of ``ds``'s incidents in the crime ``groups`` (none: every group),
    sorted (:func:`hotspots.data.select.crime_types`), from the table of each group's types
    made once per data load (not a scan of every incident at each filter change)."""
    return types_of_groups(_types_by_group(ds.key, _ds=ds), list(groups))


@st.cache_resource(max_entries=4, show_spinner=False)
def _types_by_group(key: str, *, _ds: Dataset) -> dict[str | None, list[str]]:
    return crime_types_by_group(_ds.incidents)


DEFAULT_HOT_SPOT_PERCENT = 5
"""Share of the area (%) marked as hot spots unless the user picks another."""

DEFAULT_ANALYSIS: dict = {
    "res": H3_RES,
    "k": GI_K,
    "method": "dbscan",
    "eps_m": None,
    "min_samples": None,
    "coverage": DEFAULT_HOT_SPOT_PERCENT / 100,
}
"""The analysis every page shows unless an analyst tunes it: the library's defaults
(:mod:`hotspots.core.defaults`; eps and min_samples chosen automatically; the hot spots are
the 5 % of the area the forecast ranks highest)."""


def analysis(
    ds: Dataset,
    sel: Selection,
    *,
    res: int,
    k: int,
    method: Literal["dbscan", "hdbscan"],
    eps_m: float | None,
    min_samples: int | None,
    coverage: float = 0.05,
    meanwhile: Callable[[Analysis], object] | None = None,
) -> Analysis:
    """:func:`~hotspots.analysis.analyse.analyse` of the selection over the dataset's wards.

    The forecast hot spots (``coverage``: share of the area marked) are part of the analysis,
    so they are cached with it: a filter change back to a selection seen costs a look-up.
    ``meanwhile``: the page's work that reads only the analysis's clusters, done while its
    forecast is worked out beside it when it is made now (``analyse``'s ``meanwhile``).
    """
    settings: dict[str, object] = {"res": res, "k": k, "method": method, "eps_m": eps_m}
    settings |= {"min_samples": min_samples, "coverage": coverage}
    with _asked(ds, sel, settings):
        result = _analysis(
            ds.key,
            repr(sel),
            res,
            k,
            method,
            eps_m,
            min_samples,
            coverage,
            _ds=ds,
            _sel=sel,
            _meanwhile=meanwhile,
        )
    with _analysed_lock:  # the warm-up thread analyses too
        _analysed[(ds.key, repr(sel), res, k)] = result.cells
        while len(_analysed) > _ANALYSED_MAX:
            _analysed.pop(next(iter(_analysed)))
    return result


_Wanted = tuple[str, str, tuple[tuple[str, object], ...]]
"""An analysis asked for: dataset key, selection, analysis settings (sorted)."""
_wanted: dict[_Wanted, int] = {}
"""The analyses (dataset key, selection, settings) a page asks for now → how many pages
ask: the work ahead does not pause while it makes one of them (:func:`yield_to_pages`)."""
_wanted_lock = threading.Lock()


@contextlib.contextmanager
def _asked(ds: Dataset, sel: Selection, settings: dict[str, object]) -> Iterator[None]:
    """Within the block, a page script asks for the analysis of ``sel`` with ``settings``
    (:data:`_wanted`; other threads' asking is not counted)."""
    if threading.current_thread().name != _SCRIPT_THREAD:
        yield
        return
    wanted = _wanted_key(ds.key, sel, settings)
    with _wanted_lock:
        _wanted[wanted] = _wanted.get(wanted, 0) + 1
    try:
        yield
    finally:
        with _wanted_lock:
            _wanted[wanted] -= 1
            if not _wanted[wanted]:
                del _wanted[wanted]


def _wanted_key(key: str, sel: Selection, settings: Mapping[str, object]) -> _Wanted:
    return (key, repr(sel), tuple(sorted(settings.items())))


def analysis_key(ds: Dataset, sel: Selection, settings: Mapping[str, object]) -> _Wanted:
    """What identifies the analysis of ``sel`` with ``settings``: the key of what a page
    makes from that analysis alone (its labels, tables)."""
    return _wanted_key(ds.key, sel, settings)


_analysed: dict[tuple[str, str, int, int], gpd.GeoDataFrame] = {}
"""The cells of the analyses drawn lately (dataset, selection, resolution, k → cells), so
:func:`hot_cells` takes them when there; at most :data:`_ANALYSED_MAX`, oldest dropped."""
_ANALYSED_MAX = 16
_analysed_lock = threading.Lock()


def hot_cells(ds: Dataset, sel: Selection, *, res: int, k: int) -> gpd.GeoDataFrame:
    """The H3 cells of the selection with Gi* and place names: those of :func:`analysis` (any
    clustering and hot spot share: the cells do not depend on them), without waiting for its
    clusters and forecast when it is not drawn yet (:func:`hotspots.analysis.hot_cells.
    gistar_cells`: the same cells, less the forecast columns). Cached per selection."""
    with _analysed_lock:
        done = _analysed.get((ds.key, repr(sel), res, k))
    if done is not None:
        return done
    return _hot_cells(ds.key, repr(sel), res, k, _ds=ds, _sel=sel)


@st.cache_resource(max_entries=16, show_spinner="Finding hotspots…")
def _hot_cells(
    key: str, sel_key: str, res: int, k: int, *, _ds: Dataset, _sel: Selection
) -> gpd.GeoDataFrame:
    from hotspots.analysis.hot_cells import gistar_cells

    return gistar_cells(
        selected(_ds, _sel), study_area=_study_area(key, _ds=_ds), res=res, k=k, wards=_ds.wards
    )


@st.cache_resource(max_entries=16, show_spinner="Finding hotspots…")
def _analysis(
    key: str,
    sel_key: str,
    res: int,
    k: int,
    method: Literal["dbscan", "hdbscan"],
    eps_m: float | None,
    min_samples: int | None,
    coverage: float,
    *,
    _ds: Dataset,
    _sel: Selection,
    _meanwhile: Callable[[Analysis], object] | None = None,
) -> Analysis:
    def run() -> Analysis:
        keep_forecast_basis(_ds, res=res)
        # a selection of some months forecasts next month from every month up to its last
        history = (
            None if _sel.start is None else selected(_ds, dataclasses.replace(_sel, start=None))
        )
        with forecasts_beside(_ds, res=res):
            return analyse(
                selected(_ds, _sel),
                forecast_history=history,
                study_area=_study_area(key, _ds=_ds),
                res=res,
                k=k,
                cluster_method=method,
                eps_m=eps_m,
                min_samples=min_samples,
                forecast_coverage=coverage,
                wards=_ds.wards,  # places named "Street, Ward" (and ward counts)
                population=_ds.ward_population,
                coverage=_ds.coverage,  # a month without data is no data in its tables
                meanwhile=_meanwhile,
            )

    if _ds.content_key is None or not _everything(_ds, _sel):
        return run()
    # the first view of a dataset known by its files (the demo): kept on disk for the next server
    parts = [_ds.content_key, sel_key, res, k, method, eps_m, min_samples, coverage]
    return disk_cache.cached_on_disk("analysis", parts, run)


def forecasts_beside(ds: Dataset, *, res: int = H3_RES) -> contextlib.AbstractContextManager[None]:
    """For a page script: the forecasts of its analysis or plan worked out in the server's
    worker process beside the rest (:func:`hotspots.analysis.analyse.forecasts_beside`), so a
    filter change uses both cores. The work ahead keeps to its own thread: the worker stays
    free for pages."""
    if threading.current_thread().name != _SCRIPT_THREAD:
        return contextlib.nullcontext()
    return analyse_forecasts_beside(ds.incidents, key=ds.key, study_area=study_area(ds), res=res)


def keep_forecast_basis(ds: Dataset, *, res: int = H3_RES) -> None:
    """Keep the cells and locations of every incident of ``ds`` as the basis of its
    selections' forecasts at ``res`` (:func:`hotspots.analysis.forecast.keep_basis`): their
    kernels and neighbours are made once per data load, every selection's are parts of them."""
    _forecast_basis(ds.key, res, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _forecast_basis(key: str, res: int, *, _ds: Dataset) -> bool:
    from hotspots.analysis.forecast import keep_basis  # lazy: scipy

    keep_basis(_ds.incidents, study_area=_study_area(key, _ds=_ds), res=res)
    return True


def keep_patrol_hexagons(ds: Dataset, *, res: int = H3_RES) -> None:
    """Keep the hexagons of the study area's cells of ``ds`` in its working CRS, once per
    data load (:func:`hotspots.products.patrol.localities.keep_hexagons`)."""
    _patrol_hexagons(ds.key, res, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _patrol_hexagons(key: str, res: int, *, _ds: Dataset) -> bool:
    from hotspots.products.patrol.localities import keep_hexagons  # lazy: the patrol code

    crs = _ds.incidents.attrs.get(WORKING_CRS)
    return crs is not None and keep_hexagons(_study_area(key, _ds=_ds), crs, res)


@dataclasses.dataclass(frozen=True)
class FilterChoices:
    """What the sidebar's filters offer for a data load (made once per data load, not at
    every rerun of every page): the months holding incidents (first day, oldest first), the
    sources, the crime groups (in :data:`~hotspots.data.schema.CATEGORIES` order) and the
    wards (code → name, :func:`~hotspots.data.select.ward_choices`). Shared by every session:
    read, never changed (tuples)."""

    months: tuple[pd.Timestamp, ...]
    sources: tuple[str, ...]
    groups: tuple[str, ...]
    wards: tuple[tuple[str, str], ...]


def filter_choices(ds: Dataset) -> FilterChoices:
    """The :class:`FilterChoices` of ``ds`` (cached per data load)."""
    return _filter_choices(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _filter_choices(key: str, *, _ds: Dataset) -> FilterChoices:
    return FilterChoices(
        months=tuple(months_present(_ds.incidents)),
        sources=tuple(values_present(_ds.incidents, "source")),
        groups=tuple(values_present(_ds.incidents, "category", order=CATEGORIES)),
        wards=tuple(ward_choices(_ds.wards).items()),
    )


def has_time_of_day(ds: Dataset, sources: Iterable[str], *, dates: bool = False) -> bool:
    """:func:`~hotspots.data.select.has_time_of_day` of ``ds``'s incidents of ``sources``
    (cached per data load and sources)."""
    return _has_time_of_day(ds.key, tuple(sources), dates, _ds=ds)


@st.cache_resource(max_entries=32, show_spinner=False)
def _has_time_of_day(key: str, sources: tuple[str, ...], dates: bool, *, _ds: Dataset) -> bool:
    return data_select.has_time_of_day(_ds.incidents, sources=sources, dates=dates)


def first_view(ds: Dataset) -> Selection:
    """The selection of every incident of ``ds`` (every month and source): the first view
    (once per data load: the Map page asks for it at every filter change)."""
    return _first_view(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _first_view(key: str, *, _ds: Dataset) -> Selection:
    choices = filter_choices(_ds)
    months = choices.months
    return Selection(
        start=months[0] if months else None,
        end=months[-1] if months else None,
        sources=choices.sources,
    )


def _everything(ds: Dataset, sel: Selection) -> bool:
    """Whether ``sel`` keeps every incident of ``ds`` (the first view, before any filter)."""
    first = first_view(ds)
    return (
        not (sel.categories or sel.crime_types or sel.wards or sel.days)
        and sel.hours is None
        and first.start is not None
        and (sel.start, sel.end) == (first.start, first.end)
        and set(sel.sources) == set(first.sources)
    )


def analysis_layers_for(
    ds: Dataset, sel: Selection, show: Iterable[str], **params: object
) -> list[folium.FeatureGroup]:
    """The map's data layers ``show`` (the others are not built) for the selection's analysis
    (cached per selection, parameters and layers shown; see ``analysis``)."""
    shown = tuple(sorted(show))
    with _asked(ds, sel, params):
        return _layers(ds.key, repr(sel), shown, tuple(sorted(params.items())), _ds=ds, _sel=sel)


@st.cache_resource(max_entries=16, show_spinner=False)
def _layers(
    key: str,
    sel_key: str,
    show: tuple[str, ...],
    params: tuple[tuple[str, object], ...],
    *,
    _ds: Dataset,
    _sel: Selection,
) -> list[folium.FeatureGroup]:
    def build() -> list[folium.FeatureGroup]:
        result = analysis(_ds, _sel, **dict(params))  # type: ignore[arg-type]
        # the ward outlines do not depend on the selection: the layer of the data load
        with_wards = _ds.wards is not None and WARDS in show
        only = [name for name in show if name not in (WARDS, CLUSTERS)]
        layers = analysis_layers(result, wards=_ds.wards, show=show, only=only)
        # the clusters' layer last (the drawing order), perhaps made while the forecast was
        clusters = clusters_layer(_ds, _sel, dict(params), result) if CLUSTERS in show else None
        layers += [] if clusters is None else [clusters]
        return [wards_layer(_ds), *layers] if with_wards else layers

    if _ds.content_key is None or not _everything(_ds, _sel):
        return build()
    # the first view's map layers (its finished HTML, most of the page): kept on disk with the
    # analysis they draw, under the same key (data bytes, code, library versions)
    return disk_cache.cached_on_disk("map-layers", [_ds.content_key, sel_key, show, params], build)


def clusters_layer(
    ds: Dataset, sel: Selection, settings: Mapping[str, object], result: Analysis
) -> folium.FeatureGroup | None:
    """The Clusters layer (shown) of ``result``, the analysis of ``sel`` with ``settings``
    (:func:`hotspots.views.analysis_map.clusters_layer`: it reads the clusters alone, so a
    page may make it while the analysis's forecast is still worked out), once per analysis."""
    return _clusters_layer(analysis_key(ds, sel, settings), _result=result)


@st.cache_resource(max_entries=16, show_spinner=False)
def _clusters_layer(key: _Wanted, *, _result: Analysis) -> folium.FeatureGroup | None:
    return analysis_clusters_layer(_result, show=True)


WARM_ENV = "HOTSPOTS_WARM"
"""``off`` stops :func:`warm_groups` (the tests: no background work racing them)."""


def warm_groups(ds: Dataset, sel: Selection, show: Iterable[str], **params: object) -> None:
    """Analyse each crime group alone (every month, ward and source) in a background thread,
    once per data load, when ``sel`` is the first view (every incident): the filter change a
    meeting makes most (one group: "ASB", "Violence") then finds its analysis and map layers
    ``show`` cached (Map, When and CCTV pages), then each group's default patrol plan (Patrol
    page; it takes the forecast of the group's analysis).

    The groups go largest first (:func:`likely_first`). Combinations of groups, wards,
    months or hours are analysed when chosen, as before; the thread never changes a result, it
    only computes some of them early (one at a time), each started when no page script is
    running (:func:`wait_for_quiet`) and paused within it while one runs
    (:func:`yield_to_pages`): a filter change has the interpreter to itself, unless it waits
    for the very result under way (then that goes on at full speed).
    """
    if os.environ.get(WARM_ENV, "").strip().lower() == "off" or not _everything(ds, sel):
        return
    shown = tuple(sorted(show))
    _warm(ds.key, repr(sel), shown, tuple(sorted(params.items())), _ds=ds, _sel=sel)


@st.cache_resource(max_entries=2, show_spinner=False)
def _warm(
    key: str,
    sel_key: str,
    show: tuple[str, ...],
    params: tuple[tuple[str, object], ...],
    *,
    _ds: Dataset,
    _sel: Selection,
) -> threading.Thread:
    groups = likely_first(_ds.incidents)

    def run() -> None:
        time.sleep(WARM_DELAY_S)  # the browser draws the first map meanwhile
        with yield_to_pages() as watch:
            # imported here: the patrol planner is loaded in this thread, not for the first map
            from hotspots.views.dashboard.page_patrol import plan_ahead

            ones = [dataclasses.replace(_sel, categories=(g,)) for g in groups[:_WARM_MAX]]
            # (the analysis a page may ask for meanwhile, the step)
            steps: list[tuple[_Wanted | None, Callable[[], object]]] = [
                (
                    _wanted_key(key, one, dict(params)),
                    functools.partial(analysis_layers_for, _ds, one, show, **dict(params)),
                )
                for one in ones
            ]
            # then each group's default patrol plan (its forecast made by the analysis)
            steps += [(None, functools.partial(plan_ahead, _ds, one)) for one in ones]
            for wanted, step in steps:
                wait_for_quiet()
                _traced(watch)
                watch.step = wanted
                try:
                    step()
                except ValueError:  # too few incidents to analyse: the page says so when chosen
                    continue

    thread = threading.Thread(target=run, name="hotspots-warm-groups", daemon=True)
    thread.start()
    return thread


_WARM_MAX = 12
"""Groups analysed ahead at most (the analysis cache holds 16 selections)."""
WARM_DELAY_S = 3.0
"""Seconds the thread waits before its first analysis: the map it follows is still being
sent and drawn (the rest of the page, the browser loading Leaflet from this server), and on
two cores the thread would hold it back."""

_SCRIPT_THREAD = "ScriptRunner.scriptThread"
"""The name Streamlit gives the thread running a page script (any session's rerun)."""
_QUIET_WAIT_S = 10.0
"""Longest wait for the page scripts to finish before the work ahead goes on anyway."""


def wait_for_quiet(*, timeout_s: float = _QUIET_WAIT_S, poll_s: float = 0.05) -> float:
    """Wait while a page script runs (any session's rerun), at most ``timeout_s`` seconds:
    the work ahead (:func:`warm_groups`) starts each analysis when no one waits for a page, not
    sharing the interpreter (one core's worth of Python) with a filter change being drawn.
    Returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s and any(
        t.name == _SCRIPT_THREAD and t.is_alive() and t is not threading.current_thread()
        for t in threading.enumerate()
    ):
        time.sleep(poll_s)
    return time.monotonic() - start


def likely_first(incidents: gpd.GeoDataFrame) -> list[str]:
    """The crime groups of ``incidents``, those with the most incidents first (ties in the
    display order, :data:`~hotspots.data.schema.CATEGORIES`): the order the work ahead takes
    them, the groups a meeting asks for most (anti-social behaviour, violence) ready first."""
    groups = values_present(incidents, "category", order=CATEGORIES)
    counts = incidents["category"].value_counts()
    return sorted(groups, key=lambda g: -int(counts.get(g, 0)))


def _page_threads() -> list[threading.Thread]:
    """The page scripts running now (any session's rerun), other than the calling thread."""
    me = threading.current_thread()
    return [
        t
        for t in threading.enumerate()
        if t.name == _SCRIPT_THREAD and t.is_alive() and t is not me
    ]


_CPU_CLOCKS = sys.platform.startswith("linux")
"""Whether another thread's CPU time can be read (Linux: the kernel's clock of its thread id)."""


def _thread_cpu_s(thread: threading.Thread) -> float | None:
    """CPU seconds ``thread`` used so far, ``None`` where it cannot be read (not Linux, ended).

    Read from the kernel's CPU clock of the thread's id (``MAKE_THREAD_CPUCLOCK``), which the
    kernel refuses once the thread has ended; never ``pthread_getcpuclockid`` of the thread's
    handle: glibc reads the ended thread's freed descriptor, a segmentation fault of the whole
    server once its stack has been unmapped (a page script may end at any moment)."""
    tid = thread.native_id
    if not _CPU_CLOCKS or tid is None:
        return None
    try:
        return time.clock_gettime((~tid << 3) | 6)  # per-thread (4) scheduler clock (2)
    except (OSError, OverflowError):
        return None


class _PageWatch:
    """The trace function of :func:`yield_to_pages`: every :attr:`every` Python calls of the
    thread working ahead, pause while a page script works.

    A page script that uses no CPU for :data:`_BLOCKED_S` and is not waiting for a core (it
    waits: for a value this thread computes and holds the lock of, or for the projection
    thread) is not waited for, until it works again: pausing then would only make it wait
    longer (or for ever)."""

    every = 200

    def __init__(self) -> None:
        self.calls = 0
        self.blocked: dict[int, float] = {}  # page thread → its CPU seconds when seen waiting
        self.step: _Wanted | None = None  # the analysis made now
        self.off = False  # a page waits for this step: neither paused nor traced until its end

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        self.calls += 1
        if self.calls % self.every:
            return
        if self.step is not None and self.step in _wanted:
            sys.settrace(None)  # at full speed (the trace's cost too) to the step's end
            self.off = True
            return
        self.pause()

    def working(self, thread: threading.Thread) -> bool:
        """Whether ``thread`` used CPU since it was last seen waiting (not seen: yes)."""
        was = self.blocked.get(thread.ident or 0)
        if was is None:
            return True
        now = _thread_cpu_s(thread)
        return now is None or now - was > _BLOCKED_CPU_S

    def pause(self, *, timeout_s: float = _QUIET_WAIT_S) -> float:
        """Sleep while a page script works (at most ``timeout_s``); return the seconds slept."""
        start = time.monotonic()
        pages = [t for t in _page_threads() if self.working(t)]
        if not pages:
            return 0.0
        seen = {t.ident: (_thread_cpu_s(t), time.monotonic()) for t in pages}
        while pages and time.monotonic() - start < timeout_s:
            time.sleep(_BLOCKED_S / 2)
            still = []
            for t in pages:
                if not t.is_alive():
                    continue
                cpu, when = seen[t.ident]
                now = _thread_cpu_s(t)
                # no clock: wait for the page to end; else measure over _BLOCKED_S
                if cpu is None or now is None or time.monotonic() - when < _BLOCKED_S:
                    still.append(t)
                elif now - cpu < _BLOCKED_CPU_S and not _runnable(t):
                    self.blocked[t.ident or 0] = now  # waiting, maybe for this thread: go on
                else:
                    self.blocked.pop(t.ident or 0, None)
                    seen[t.ident] = (now, time.monotonic())
                    still.append(t)
            pages = still
        return time.monotonic() - start


def _runnable(thread: threading.Thread) -> bool:
    """Whether ``thread`` runs or waits for a core (Linux: its state ``R``), not for a lock or
    a result; ``False`` where it cannot be told (then its CPU time alone decides)."""
    try:
        with open(f"/proc/self/task/{thread.native_id}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] == b"R"
    except (OSError, IndexError):
        return False


_BLOCKED_S = 0.02
"""Seconds without CPU after which a page script counts as waiting."""
_BLOCKED_CPU_S = 0.002
"""CPU seconds a page script may use in :data:`_BLOCKED_S` and still count as waiting."""


@contextlib.contextmanager
def yield_to_pages() -> Iterator[_PageWatch]:
    """Within the block, the calling thread (the work ahead) pauses while a page script
    works, between any two of its Python calls: an analysis under way when a filter change
    comes does not share the interpreter with it. Costs the thread about a third more time
    (a trace function on each of its calls); nothing for the pages. Where a thread's CPU time
    cannot be read, the thread pauses only between its steps (:func:`wait_for_quiet`)."""
    watch = _PageWatch()
    if not _CPU_CLOCKS:
        yield watch
        return
    previous: Callable[..., Any] | None = sys.gettrace()
    sys.settrace(watch)  # this thread only
    try:
        yield watch
    finally:
        sys.settrace(previous)


def _traced(watch: _PageWatch) -> None:
    """Trace the calling thread with ``watch`` again after a step it was switched off for."""
    if watch.off and _CPU_CLOCKS:
        watch.off = False
        sys.settrace(watch)
