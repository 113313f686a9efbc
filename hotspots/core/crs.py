"""Coordinate reference systems: decide the CRS from the values, the working CRS, transformers.

The one home of the rules every reader and every layer shares:

- which values are lon/lat degrees (:func:`outside_degrees`, :func:`looks_like_degrees`) and
  which are British National Grid metres (:data:`BNG_EXTENT`, :func:`in_bng_extent`,
  :func:`looks_like_bng`); :func:`detect_crs` decides between them;
- which lon/lat rows have latitude and longitude swapped (:func:`swapped_lonlat`);
- the working CRS in metres (:func:`working_crs_for`: EPSG:27700 in Great Britain, else the
  local UTM zone);
- cached ``always_xy`` pyproj transformers (:func:`transformer`, :func:`to_lonlat`,
  :func:`from_lonlat`) and every reprojection (:func:`to_crs`, :func:`transform`), run on a
  few long-lived threads (:func:`on_proj_thread`): PROJ sets up each coordinate operation again in
  every new thread (about 15 ms per pair of CRSs, a cached Transformer included), and the
  dashboard runs each page script in a new thread (2-4 pairs a rerun).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

WGS84 = "EPSG:4326"
"""Longitude/latitude in degrees (the CRS of every incident geometry)."""
BNG = "EPSG:27700"
"""British National Grid: eastings/northings in metres."""

GB_BOUNDS: tuple[float, float, float, float] = (-8.7, 49.8, 2.1, 61.0)
"""Great Britain in lon/lat degrees (west, south, east, north), generous: Scilly to Shetland."""
BNG_EXTENT: tuple[float, float, float, float] = (0.0, 0.0, 700_000.0, 1_300_000.0)
"""The British National Grid in metres (min E, min N, max E, max N): the grid's own 700 km ×
1300 km square, which holds all of Great Britain and its islands."""

_MIN_BNG_MEDIAN_M = 1_000.0
"""Median easting and northing above which values can be metres rather than degrees."""


def _floats(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float)


def in_gb(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Whether each lon/lat point (degrees) lies in Great Britain's box :data:`GB_BOUNDS`."""
    lon, lat = _floats(lon), _floats(lat)
    west, south, east, north = GB_BOUNDS
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def in_bng_extent(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Whether each point (metres) lies in the British National Grid, :data:`BNG_EXTENT`."""
    x, y = _floats(x), _floats(y)
    e0, n0, e1, n1 = BNG_EXTENT
    return (x >= e0) & (x <= e1) & (y >= n0) & (y <= n1)


def outside_degrees(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Whether each point is not lon/lat degrees: longitude beyond ±180 or latitude beyond ±90.

    NaN coordinates are not flagged (they are missing, not outside).
    """
    lon, lat = _floats(lon), _floats(lat)
    return (np.abs(lon) > 180) | (np.abs(lat) > 90)


def looks_like_degrees(x: ArrayLike, y: ArrayLike) -> bool:
    """Whether finite values read as lon/lat in either order: medians within ±180 / ±90."""
    x, y = _floats(x), _floats(y)
    mx, my = float(np.nanmedian(np.abs(x))), float(np.nanmedian(np.abs(y)))
    return (mx <= 180 and my <= 90) or (mx <= 90 and my <= 180)


def looks_like_bng(x: ArrayLike, y: ArrayLike) -> bool:
    """Whether values read as British National Grid metres: medians in the grid and > 1 km."""
    mx, my = float(np.nanmedian(_floats(x))), float(np.nanmedian(_floats(y)))
    return mx > _MIN_BNG_MEDIAN_M and my > _MIN_BNG_MEDIAN_M and bool(in_bng_extent(mx, my))


def detect_crs(x: ArrayLike, y: ArrayLike) -> str | None:
    """The CRS the coordinate values read as: :data:`WGS84`, :data:`BNG` or ``None``.

    Parameters
    ----------
    x, y
        Coordinates (NaN ignored): longitude/latitude (either order) or easting/northing.

    Returns
    -------
    str or None
        ``"EPSG:4326"`` when the medians are degrees, ``"EPSG:27700"`` when they are British
        National Grid metres, ``None`` when neither (e.g. a US state plane in feet) or when no
        value is finite.

    Examples
    --------
    >>> detect_crs([505000.0, 506100.0], [207000.0, 207500.0])
    'EPSG:27700'
    >>> detect_crs([-0.45], [51.75])
    'EPSG:4326'
    """
    x, y = _floats(x), _floats(y)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    if looks_like_degrees(x[finite], y[finite]):
        return WGS84
    if looks_like_bng(x[finite], y[finite]):
        return BNG
    return None


def swapped_lonlat(lon: ArrayLike, lat: ArrayLike, usable: ArrayLike | None = None) -> np.ndarray:
    """Rows whose longitude and latitude are exchanged.

    A row is swapped when its latitude is impossible (beyond ±90) but would be a valid
    longitude while its longitude would be a valid latitude; or, when most ``usable`` rows are
    in Great Britain (either order), when it lies in Great Britain only with the two exchanged.

    Parameters
    ----------
    lon, lat
        Degrees as given (the columns' claimed meaning).
    usable
        Rows to judge (default: every finite row).

    Returns
    -------
    numpy.ndarray
        Boolean mask; swap ``lon`` and ``lat`` where it is true.

    Examples
    --------
    >>> swapped_lonlat([-0.45, 51.75], [51.76, -0.46]).tolist()
    [False, True]
    """
    lon, lat = _floats(lon), _floats(lat)
    if usable is None:
        usable = np.isfinite(lon) & np.isfinite(lat)
    usable = np.asarray(usable, dtype=bool)
    lat_impossible = (np.abs(lat) > 90) & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)
    british = in_gb(lon, lat) | in_gb(lat, lon)
    gb_swap = np.zeros_like(usable)
    if usable.any() and british[usable].mean() > 0.5:
        gb_swap = in_gb(lat, lon) & ~in_gb(lon, lat)
    return usable & (lat_impossible | gb_swap)


def working_crs_for(lon: ArrayLike, lat: ArrayLike) -> str:
    """The working CRS (metres) for lon/lat points.

    British National Grid (EPSG:27700) when the points' median lies in Great Britain, otherwise
    the local WGS 84 UTM zone. No finite point: EPSG:27700.

    Returns
    -------
    str
        ``"EPSG:nnnn"``.

    Examples
    --------
    >>> working_crs_for([-0.45], [51.75]), working_crs_for([-95.4], [29.7])
    ('EPSG:27700', 'EPSG:32615')
    """
    lon, lat = _floats(lon), _floats(lat)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return BNG
    mlon, mlat = float(np.median(lon[ok])), float(np.median(lat[ok]))
    if in_gb(mlon, mlat):
        return BNG
    return _utm_zone(round(mlon, 6), round(mlat, 6))


@lru_cache(maxsize=256)
def _utm_zone(lon: float, lat: float) -> str:
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    return f"EPSG:{infos[0].code}" if infos else f"EPSG:{CRS.from_user_input(WGS84).to_epsg()}"


@lru_cache(maxsize=64)
def transformer(source: str | int, target: str | int) -> Transformer:
    """A cached ``always_xy`` pyproj Transformer (x = easting/longitude first): the one
    geopandas' ``to_crs`` keeps for the same two CRSs, so each pair is set up once in a
    process, not once here and again there (0.02-0.14 s each on a loaded machine: a cold
    ``analyse`` set up lon/lat <-> British National Grid twice each).

    Parameters
    ----------
    source, target
        Anything pyproj accepts as a CRS (``"EPSG:27700"``, ``27700``); the cache is keyed on
        the values as given.
    """
    from geopandas.array import TransformerFromCRS  # lazy: geopandas' cache of Transformers

    # keyed as GeometryArray.to_crs asks it: two CRS objects and always_xy
    pair = CRS.from_user_input(source), CRS.from_user_input(target)
    return TransformerFromCRS(*pair, always_xy=True)


def prepare_national_grid() -> None:
    """Set up the lon/lat <-> British National Grid transformers (:func:`transformer`) now,
    not when first used: 0.03-0.1 s each, which a forked child spends while it waits for
    its steps (:mod:`hotspots.core.forked`), not inside the forecast."""
    transformer(WGS84, BNG)
    transformer(BNG, WGS84)


@lru_cache(maxsize=8)
def pipeline_transformer(pipeline: str) -> Transformer:
    """A cached Transformer for a fixed PROJ pipeline string (reproducible, grid-free)."""
    return Transformer.from_pipeline(pipeline)


def to_lonlat(x: ArrayLike, y: ArrayLike, crs: str | int) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of points given in ``crs``."""
    return transform(crs, WGS84, x, y)


def from_lonlat(lon: ArrayLike, lat: ArrayLike, crs: str | int) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` (metres for a projected CRS) of lon/lat points (degrees)."""
    return transform(WGS84, crs, lon, lat)


def transform(
    source: str | int, target: str | int, x: ArrayLike, y: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` given in ``source`` as coordinates in ``target`` (x = easting/longitude
    first), on a projection thread (:func:`on_proj_thread`)."""
    tx, ty = on_proj_thread(transformer(source, target).transform, _floats(x), _floats(y))
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


_G = TypeVar("_G")


def to_crs(data: _G, crs: Any) -> _G:
    """``data.to_crs(crs)`` (a GeoDataFrame or GeoSeries, reprojected) on a projection thread
    (:func:`on_proj_thread`): the one way the package reprojects geometries."""
    return on_proj_thread(data.to_crs, crs)  # type: ignore[attr-defined]


_P = ParamSpec("_P")
_R = TypeVar("_R")
_PROJ_THREAD = "hotspots-proj"
PROJ_THREADS = 4
"""Projection threads at most: a long reprojection (a national boundary pack) in one session
never holds up another's; each thread sets PROJ up once."""
_proj: tuple[int, ThreadPoolExecutor] | None = None
_proj_lock = threading.Lock()


def transform_later(
    source: str | int, target: str | int, x: ArrayLike, y: ArrayLike
) -> Future[tuple[np.ndarray, np.ndarray]]:
    """:func:`transform` begun on a projection thread, for a caller with other work meanwhile
    (PROJ releases the GIL: the other core reprojects); the future's result is the same."""
    return _proj_executor().submit(transform, source, target, x, y)


def on_proj_thread(func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``func(*args, **kwargs)`` run on one of the process's few long-lived projection threads
    (made when first needed, again in a forked child), so PROJ's per-thread set-up of each
    coordinate operation (about 15 ms per pair of CRSs) is paid once per thread, not once per
    dashboard rerun. ``func`` must be a reprojection: it must not wait for work that itself
    asks this function from another thread. Calls from a projection thread, and calls during
    the interpreter's shutdown, run directly; exceptions reach the caller."""
    if threading.current_thread().name.startswith(_PROJ_THREAD):
        return func(*args, **kwargs)
    try:
        future = _proj_executor().submit(func, *args, **kwargs)
    except RuntimeError:  # the interpreter is shutting down: no new threads
        return func(*args, **kwargs)
    return future.result()


def _proj_executor() -> ThreadPoolExecutor:
    """The process's projection threads (made when first needed, again in a forked child)."""
    global _proj
    with _proj_lock:
        if _proj is None or _proj[0] != os.getpid():  # a forked child makes its own
            _proj = (os.getpid(), ThreadPoolExecutor(PROJ_THREADS, thread_name_prefix=_PROJ_THREAD))
        return _proj[1]


def _after_fork_in_child() -> None:
    global _proj_lock
    _proj_lock = threading.Lock()  # the parent's may have been held by another thread


os.register_at_fork(after_in_child=_after_fork_in_child)
