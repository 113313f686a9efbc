"""One forecast per history: :func:`~hotspots.analysis.forecast.forecast` kept for the next
caller that asks for the same one.

The dashboard's Map page (through :func:`~hotspots.analysis.analyse.analyse`) and its Patrol
page (through :func:`~hotspots.products.patrol.patrol_plan`) forecast the same month from the
same incidents whenever the plan's period ends with the data (its default): the backtest behind
the forecast is most of either page's time (about 0.7 s of CPU for one crime group of the
Hertfordshire force-year at resolution 9; see bench/bench_forecast.py --timing). A forecast
is a function of its inputs' values, so it is kept under a key of those values: every column
the forecast reads, the study area's geometry and the options. Results are shared, not
copied: callers only read them (an analysis names its own copy of the cells). Both pages
:func:`begin` theirs: worked out in the dashboard's worker process while the page does the
rest (:class:`ForecastRows` are what is sent there).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from contextlib import ExitStack
from functools import partial
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.core import forked
from hotspots.core.points import (
    PointPool,
    coordinates,
    distinct_points,
    first_rows,
    inside,
    shared_points,
)

if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast

KEPT = 16
"""Forecasts kept (the most recently used)."""

FORECAST_COLUMNS = ("x", "y", "month", "time_precision", "occurred_from", "sensitive")
"""The columns a forecast reads besides the geometry (those present are keyed)."""

_kept: OrderedDict[str, Forecast] = OrderedDict()
_lock = threading.Lock()


def shared_forecast(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: shapely.Geometry,
    res: int,
    coverage: float,
    through: pd.Period | None = None,
) -> Forecast:
    """``forecast(incidents, study_area=..., res=..., through=..., coverage=...)``, computed
    once per distinct input (``through`` ``None`` is the last month of ``incidents``); in a
    forked child (:func:`hotspots.core.forked.in_child`), whose memory ends with its step, simply
    computed.

    Parameters
    ----------
    incidents
        As :func:`~hotspots.analysis.forecast.forecast` takes them.
    study_area
        The study area polygon (lon/lat).
    res, coverage, through
        As for :func:`~hotspots.analysis.forecast.forecast`.
    """
    from hotspots.analysis.forecast import forecast  # lazy: scipy.sparse and KDE on first use

    if forked.in_child():  # nothing kept in a forked child is read again: no key worked out
        return forecast(
            incidents, study_area=study_area, res=res, through=through, coverage=coverage
        )
    key, found = lookup(
        incidents, study_area=study_area, res=res, coverage=coverage, through=through
    )
    if found is not None:
        return found
    result = forecast(incidents, study_area=study_area, res=res, through=through, coverage=coverage)
    keep(key, result)
    return result


def begin(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: shapely.Geometry,
    res: int,
    coverage: float,
    through: pd.Period | None = None,
) -> forked.Pending[Forecast]:
    """:func:`shared_forecast`, begun (:func:`hotspots.core.forked.start`): looked up among the
    forecasts kept, else worked out in a child process when one serves (the dashboard's worker
    within a page's :func:`hotspots.core.forked.worker_process` block, ready and free) or else
    here when its result is asked, and kept. Wherever it is worked out, it is the forecast made
    here, bit for bit; :attr:`~hotspots.core.forked.Pending.forked` says whether the caller may
    do other work meanwhile."""
    start = partial(
        forked.start, _made, ForecastRows(incidents), study_area, res, coverage, through
    )
    shape = _shape(incidents, res, coverage)
    with _lock:
        alike = any(key.startswith(shape) for key in _kept)
    with ExitStack() as unless_made:  # a begun forecast not returned: its answer dropped
        # none kept of as many rows and these options: begun at once, its key made meanwhile
        pending = None if alike else unless_made.enter_context(start())
        key, found = lookup(
            incidents, study_area=study_area, res=res, coverage=coverage, through=through
        )
        if found is None:
            unless_made.pop_all()
    if found is not None:
        return forked.given(found)
    return (pending if pending is not None else start()).then(partial(_kept_as, key))


def _made(
    rows: ForecastRows,
    area: shapely.Geometry,
    res: int,
    coverage: float,
    through: pd.Period | None,
) -> Forecast:
    """The forecast of the rows, made (:func:`begin` looked it up first and keeps it)."""
    from hotspots.analysis.forecast import forecast

    return forecast(rows.frame, study_area=area, res=res, through=through, coverage=coverage)


def _kept_as(key: str, result: Forecast) -> Forecast:
    """``result``, kept as the forecast of ``key``."""
    keep(key, result)
    return result


class ForecastRows:
    """Incidents, as the forecast reads them. Pickled (for a child process,
    :mod:`hotspots.core.forked`) as the columns the forecast reads
    (:data:`FORECAST_COLUMNS`, each its array as held), the index and the points' longitude
    and latitude (not every column, nor each point as WKB: ~5x less of the parent's time),
    they come back as a frame with those columns, points of the same coordinates, the CRS and
    ``attrs``; the points of a process's :meth:`keep_points` rows are reused, not made again.
    Rows that repeat a few places (police.uk's map points) send each place's coordinates once
    (:func:`_by_place`): a million rows, 60 -> 30 MB through the pipe and no points to tell
    apart in the child."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame

    def __reduce__(self) -> tuple[Any, tuple]:
        frame = self.frame
        columns = [c for c in FORECAST_COLUMNS if c in frame.columns]
        lon, lat = coordinates(frame.geometry.to_numpy())
        shared = _by_place(frame, columns, lon, lat)
        if shared is not None:
            return _rows_by_place, (*shared, frame.crs, dict(frame.attrs))
        arrays = {c: frame[c].array for c in columns}
        return _rows_from, (arrays, frame.index, lon, lat, frame.crs, dict(frame.attrs))

    def keep_points(self) -> None:
        """Make these rows' points the ones this process's later :class:`ForecastRows` take
        theirs from (a worker's rows of its data load: a selection's points are among them),
        instead of making each again (~10 ms for a force-year crime group)."""
        global _pool
        frame = self.frame
        _pool = PointPool(frame.geometry.to_numpy(), *coordinates(frame.geometry.to_numpy()))


_pool: PointPool | None = None
"""The points :func:`_rows_from` and :func:`_rows_by_place` take from
(:meth:`ForecastRows.keep_points`)."""


_PLACE_COLUMNS = ("x", "y")
"""Columns of :data:`FORECAST_COLUMNS` given by an incident's place (its lon/lat projected)."""


def _by_place(
    frame: gpd.GeoDataFrame, columns: list[str], lon: np.ndarray, lat: np.ndarray
) -> tuple[pd.DataFrame, list[str], np.ndarray, dict[str, np.ndarray]] | None:
    """The rows as their other columns, each row's place (a code) and each place's ``lon``,
    ``lat``, ``x`` and ``y`` once, when every row's values are bit for bit those of the first
    row at its lon/lat; else ``None`` (a missing coordinate, a signed zero, x/y not floats or
    not one per place: the rows are sent as they are)."""
    codes, _, _ = distinct_points(lon, lat)
    if codes.size == 0 or codes.min() < 0:
        return None
    first = first_rows(codes)
    if first.size > codes.size // 2:  # few repeated places: nothing to gain
        return None
    places: dict[str, np.ndarray] = {}
    given = {"lon": lon, "lat": lat} | {
        c: frame[c].to_numpy() for c in _PLACE_COLUMNS if c in columns
    }
    for name, values in given.items():
        if values.dtype != np.float64:
            return None
        places[name] = values[first]
        if not np.array_equal(places[name][codes].view(np.int64), values.view(np.int64)):
            return None
    rest = pd.DataFrame(frame[[c for c in columns if c not in places]])
    return rest, columns, codes.astype(np.int32 if first.size < 2**31 else np.int64), places


def _rows_by_place(
    rest: pd.DataFrame,
    columns: list[str],
    codes: np.ndarray,
    places: dict[str, np.ndarray],
    crs: Any,
    attrs: dict[str, Any],
) -> ForecastRows:
    """:class:`ForecastRows` unpickled from :func:`_by_place`'s parts."""
    read = pd.DataFrame(
        {c: places[c][codes] if c in places else rest[c].array for c in columns}, index=rest.index
    )
    lon, lat = places["lon"], places["lat"]  # one point object per place
    made = shapely.points(lon, lat) if _pool is None else shared_points(lon, lat, pool=_pool)
    points = made[codes]
    frame = gpd.GeoDataFrame(read, geometry=points, crs=crs)
    frame.attrs = attrs
    return ForecastRows(frame)


def _rows_from(
    columns: dict[str, Any],
    index: pd.Index,
    lon: np.ndarray,
    lat: np.ndarray,
    crs: Any,
    attrs: dict[str, Any],
) -> ForecastRows:
    """:class:`ForecastRows` unpickled."""
    read = pd.DataFrame(columns, index=index, copy=False)
    frame = gpd.GeoDataFrame(read, geometry=shared_points(lon, lat, pool=_pool), crs=crs)
    frame.attrs = attrs
    return ForecastRows(frame)


def lookup(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: shapely.Geometry,
    res: int,
    coverage: float,
    through: pd.Period | None = None,
) -> tuple[str, Forecast | None]:
    """The key of the forecast :func:`shared_forecast` would make of these inputs, and the
    forecast when it is kept already (else ``None``: :func:`keep` it once made elsewhere)."""
    lon, lat = coordinates(incidents.geometry.to_numpy())  # read once per analysis
    month = pd.to_datetime(incidents["month"]).dt.to_period("M").array.asi8
    # The month forecast: with ``through`` None, the last one of the located incidents inside
    # the area (the rule of build_history); rows after it change the figures, so they are keyed.
    last = through.ordinal if through is not None else None
    if last is None:
        within = inside(study_area, lon, lat)
        last = int(month[within].max()) if within.any() else None
    beyond = int((month > last).sum()) if last is not None else 0
    options = {"res": res, "coverage": coverage, "through": last, "beyond": beyond}
    key = _shape(incidents, res, coverage) + _key(incidents, lon, lat, study_area, options)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return key, _kept[key]
    return key, None


def keep(key: str, result: Forecast) -> None:
    """Keep ``result`` as the forecast of ``key`` (:func:`lookup`)."""
    with _lock:
        _kept[key] = result
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def _shape(incidents: gpd.GeoDataFrame, res: int, coverage: float) -> str:
    """How a key of :func:`lookup` begins: the rows' count and the options (a forecast kept
    under another beginning is not the one of these inputs)."""
    return f"{len(incidents)} rows, res {res}, coverage {coverage!r}: "


def _key(
    incidents: gpd.GeoDataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    area: shapely.Geometry,
    options: dict[str, Any],
) -> str:
    """A digest of every value the forecast reads: rows (in order), area and options."""
    crs = str(incidents.attrs.get("working_crs"))
    digest = hashlib.sha1(repr((sorted(options.items()), crs, len(incidents))).encode())
    digest.update(shapely.to_wkb(shapely.normalize(area)))
    digest.update(np.ascontiguousarray(lon, dtype=float).tobytes())
    digest.update(np.ascontiguousarray(lat, dtype=float).tobytes())
    for column in (c for c in FORECAST_COLUMNS if c in incidents.columns):
        values = incidents[column]
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biufmM":
            payload = np.ascontiguousarray(values.to_numpy()).tobytes()  # the values' bits
        else:  # text and other extension types: pandas' hash of each value
            payload = pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes()
        # each part named, typed and measured: no two columns' parts can run into each other
        digest.update(f"{column}:{values.dtype}:{len(payload)}\n".encode())
        digest.update(payload)
    return digest.hexdigest()
