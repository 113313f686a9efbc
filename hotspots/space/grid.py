"""H3 hexagon grid: cell assignment, counts per cell and period, hex polygons, neighbours.

H3 works in WGS84 lon/lat (EPSG:4326). Cell ids are H3's 15-character hexadecimal
strings (``"89194e40003ffff"``), the form ``h3.latlng_to_cell`` returns. Resolutions 7 to 11
are supported (average edge 1.4 km down to 29 m); finer or coarser grids do not suit
street-level crime mapping.

The heavy lifting is vectorised with h3ronpy (H3 over Arrow arrays): measured on 2 cores,
1M points take about 0.6 s against 3.5 s for ``h3.latlng_to_cell`` in a Python loop
(bench/bench_grid.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import h3ronpy
import h3ronpy.vector as h3v
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from hotspots.core import disclosure
from hotspots.core.crs import WGS84, outside_degrees, to_crs
from hotspots.core.defaults import GRID_CELLS_ALWAYS_ALLOWED, GRID_MAX_CELLS_PER_OCCUPIED
from hotspots.core.points import coordinates, few_codes, point_keys
from hotspots.data.schema import incident_points

if TYPE_CHECKING:
    from scipy import sparse

RESOLUTIONS: tuple[int, ...] = (7, 8, 9, 10, 11)
"""Supported H3 resolutions."""

EDGE_M: dict[int, int] = {7: 1406, 8: 531, 9: 201, 10: 76, 11: 29}
"""Average hexagon edge per resolution, metres (``h3.average_hexagon_edge_length``, rounded)."""

_OVERLAP = h3ronpy.ContainmentMode.IntersectsBoundary


def _check_res(res: int) -> int:
    if isinstance(res, bool) or not isinstance(res, int | np.integer) or res not in RESOLUTIONS:
        sizes = ", ".join(f"{r}: ~{e} m" for r, e in EDGE_M.items())
        raise ValueError(
            f"H3 resolution must be an integer from 7 to 11, got {res!r}. Average hexagon edge "
            f"per resolution: {sizes}. Choose 9 (~200 m) for a district, 10 or 11 for a town "
            "centre."
        )
    return int(res)


def _check_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.shape != lat.shape or lon.ndim != 1:
        raise ValueError(
            f"lon and lat must be 1-D arrays of equal length, got shapes {lon.shape} and "
            f"{lat.shape}"
        )
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"{int(missing.sum())} point(s) have missing (NaN) or infinite coordinates, first at "
            f"position {first}; drop them first (hotspots.data.ingest quarantines rows without a "
            "location)"
        )
    outside = outside_degrees(lon, lat)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{int(outside.sum())} point(s) are not lon/lat degrees, e.g. ({lon[first]}, "
            f"{lat[first]}) at position {first}; H3 needs WGS84 (EPSG:4326): reproject metres "
            "(e.g. British National Grid, EPSG:27700) with GeoDataFrame.to_crs(4326)"
        )
    return lon, lat


def _cells_uint64(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cells as uint64, vectorised in h3ronpy (inputs already checked, finite).

    Each point's cell is worked out once per process (:data:`_KNOWN_MAX` points kept per
    resolution): a dashboard's selections, grid, names, forecast and patrol plan locate the
    same few thousand incident points again and again; a point's cell is looked up by its
    exact coordinates, and each point not seen before is located once (equal values give
    equal cells: the same call on the same numbers)."""
    if lon.size < _KNOWN_MIN:
        if lon.size == 0:
            return np.empty(0, dtype=np.uint64)
        return np.asarray(h3v.coordinates_to_cells(lat, lon, res))
    point = point_keys(lon, lat)
    with _known_lock:
        known = _known.get(res)
    if known is not None:
        position = known[0].get_indexer(point)
        if (position >= 0).all():
            return known[1][position]
    else:
        position = np.full(lon.size, -1, dtype=np.intp)
    new = position < 0
    codes, fresh = few_codes(point[new])
    fresh = np.asarray(fresh, dtype=np.complex128)
    fresh_cells = np.asarray(h3v.coordinates_to_cells(fresh.imag, fresh.real, res), np.uint64)
    out = np.empty(lon.size, dtype=np.uint64)
    if known is not None:
        out[~new] = known[1][position[~new]]
    out[new] = fresh_cells[codes]
    if len(fresh) > _KNOWN_MAX:  # more new points than are kept: keep what was kept
        return out
    if known is not None and len(known[0]) + len(fresh) <= _KNOWN_MAX:
        points = np.concatenate([known[0].to_numpy(), fresh])
        cells = np.concatenate([known[1], fresh_cells])
    else:  # the first points, or too many kept: start again from these
        points, cells = fresh, fresh_cells
    cells.flags.writeable = False
    with _known_lock:
        _known[res] = (pd.Index(points), cells)
    return out


_KNOWN_MIN = 256
"""Fewer points than this are located directly (a look-up would cost more)."""
_KNOWN_MAX = 1_000_000
"""Points whose cells are kept per resolution (about 50 MB with their look-up table)."""
_known: dict[int, tuple[pd.Index, np.ndarray]] = {}
_known_lock = threading.Lock()


def _to_str(cells: np.ndarray) -> np.ndarray:
    """uint64 cells → hexadecimal strings (object array), converting each distinct cell once."""
    codes, uniques = pd.factorize(cells)
    if uniques.size == 0:
        return np.empty(0, dtype=object)
    strings = pa.array(h3ronpy.cells_to_string(np.asarray(uniques, dtype=np.uint64)))
    return strings.to_numpy(zero_copy_only=False)[codes]


def _to_uint64(cells: Any) -> np.ndarray:
    """Hexadecimal H3 cell strings → uint64, with a clear error for anything else."""
    arr = np.asarray(cells, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"cells must be a 1-D array of H3 ids, got shape {arr.shape}")
    try:
        ints = np.fromiter((int(c, 16) for c in arr), dtype=np.uint64, count=arr.size)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(
            f"cells must be H3 ids as hexadecimal strings like '89194e40003ffff' ({err}); "
            "get them from assign_cells or study_area_cells"
        ) from err
    # cells_valid returns the cells with invalid ones set to null
    invalid = pa.array(h3ronpy.cells_valid(ints)).is_null().to_numpy(zero_copy_only=False)
    if invalid.any():
        bad = arr[invalid][:3].tolist()
        raise ValueError(f"{int(invalid.sum())} value(s) are not valid H3 cells, e.g. {bad}")
    return ints


def _incident_lonlat(incidents: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    points = incident_points(incidents)
    return _check_lonlat(*coordinates(points))


def _check_column(incidents: pd.DataFrame, column: str, role: str) -> None:
    if column not in incidents.columns:
        raise ValueError(
            f"{role}={column!r} is not a column of incidents; columns are {list(incidents.columns)}"
        )


def assign_cells(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell of each point, vectorised.

    Parameters
    ----------
    lon, lat
        Longitude and latitude in degrees (WGS84, EPSG:4326), 1-D arrays of equal length.
    res
        H3 resolution, 7 to 11.

    Returns
    -------
    Object array of H3 ids (hexadecimal strings), one per point, equal to
    ``h3.latlng_to_cell(lat, lon, res)``.

    Raises
    ------
    ValueError
        When any coordinate is NaN or infinite (a missing location is an error, never a
        silent ``None``: drop or quarantine those rows first), when coordinates are not
        degrees (e.g. metres in EPSG:27700), or when ``res`` is outside 7–11.

    Examples
    --------
    >>> assign_cells(np.array([-0.4743]), np.array([51.7526]), 9)
    array(['89195db8b73ffff'], dtype=object)
    """
    return _to_str(cell_ints(lon, lat, res))


def cell_counts(
    incidents: gpd.GeoDataFrame,
    res: int,
    *,
    by: str | None = None,
    weights: str | None = None,
) -> pd.DataFrame:
    """Count incidents per H3 cell (and per value of ``by``); occupied cells only.

    Parameters
    ----------
    incidents
        Point GeoDataFrame with a CRS (reprojected to EPSG:4326 when needed).
    res
        H3 resolution, 7 to 11.
    by
        Optional column to split the counts by, e.g. ``"month"`` or ``"category"``.
        Missing values of ``by`` form their own group (nothing is dropped).
    weights
        Optional numeric column (aoristic weight, harm score); its sum per cell is returned
        as ``weight`` beside the plain ``count``.

    Returns
    -------
    DataFrame with columns ``cell``, [``by``], ``count`` (int), [``weight``], sorted by cell id
    then ``by``. ``attrs`` record ``res``, ``by`` and ``weights``.

    Examples
    --------
    >>> counts = cell_counts(incidents, 9, by="month")  # doctest: +SKIP
    """
    res = _check_res(res)
    lon, lat = _incident_lonlat(incidents)
    frame = pd.DataFrame({"cell": _cells_uint64(lon, lat, res)})
    keys = ["cell"]
    if by is not None:
        _check_column(incidents, by, "by")
        frame[by] = incidents[by].to_numpy()
        keys.append(by)
    if weights is not None:
        _check_column(incidents, weights, "weights")
        values = pd.to_numeric(incidents[weights], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(
                f"weights column {weights!r} has {int((~np.isfinite(values)).sum())} missing or "
                "non-numeric value(s); fill them (e.g. 1.0) before counting"
            )
        frame["weight"] = values
    grouped = frame.groupby(keys, sort=True, dropna=False)
    out = grouped.size().rename("count").reset_index()
    if weights is not None:
        out["weight"] = grouped["weight"].sum().to_numpy()
    out["cell"] = _to_str(out["cell"].to_numpy(dtype=np.uint64))
    out.attrs.update(res=res, by=by, weights=weights)
    return out


def _area_geometry(area: Any) -> shapely.Geometry:
    """The study area as one (multi)polygon in WGS84."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise ValueError(
                "study area has no CRS; read it with hotspots.space.areas.read_boundaries"
            )
        area = to_crs(area, WGS84).union_all()
    if not isinstance(area, shapely.Polygon | shapely.MultiPolygon):
        raise TypeError(
            "study area must be a GeoDataFrame/GeoSeries of polygons or a shapely (Multi)Polygon "
            f"in lon/lat, got {type(area).__name__}"
        )
    west, south, east, north = area.bounds
    if outside_degrees([west, east], [south, north]).any():
        raise ValueError(
            f"study area bounds {area.bounds} are not lon/lat degrees; reproject it to EPSG:4326 "
            "(a GeoDataFrame with its CRS set is reprojected for you)"
        )
    return area


def estimated_cells(area: Any, res: int) -> int:
    """About how many H3 cells overlap ``area`` at ``res``, without listing them.

    The area plus a band one hexagon edge wide along the boundary (the cells it cuts), over
    the area of the H3 cell at the area's centroid (H3 cells in Britain are ~10 % smaller than
    the global mean). Degrees are scaled locally (cosine of the centroid's latitude). Within
    5 % of :func:`study_area_cells` for districts of England and Wales at resolutions 8–10.
    """
    geom = _area_geometry(area)
    res = _check_res(res)
    centre = geom.centroid
    cell = _cells_uint64(np.array([centre.x]), np.array([centre.y]), res)
    cell_m2 = float(pa.array(h3ronpy.cells_area_m2(cell))[0].as_py())
    edge_m = np.sqrt(cell_m2 / (1.5 * np.sqrt(3.0)))  # a regular hexagon's edge
    metres_per_degree, cos_lat = 111_320.0, np.cos(np.radians(centre.y))
    area_m2 = geom.area * metres_per_degree**2 * cos_lat
    boundary_m = geom.length * metres_per_degree * np.sqrt(cos_lat)
    return round(float(area_m2 + boundary_m * edge_m) / cell_m2)


def check_grid_size(
    area: Any,
    res: int,
    *,
    occupied: int,
    max_cells_per_occupied: float = GRID_MAX_CELLS_PER_OCCUPIED,
) -> int:
    """Refuse a study-area grid that would be mostly empty; return its estimated cells.

    Parameters
    ----------
    area
        The study area (see :func:`study_area_cells`).
    res
        H3 resolution.
    occupied
        Cells holding at least one incident.
    max_cells_per_occupied
        Cells allowed per occupied cell
        (:data:`~hotspots.core.defaults.GRID_MAX_CELLS_PER_OCCUPIED`); any grid up to
        :data:`~hotspots.core.defaults.GRID_CELLS_ALWAYS_ALLOWED` cells passes.

    Raises
    ------
    ValueError
        The estimate exceeds both limits; the message gives the figures and the fixes.
    """
    cells = estimated_cells(area, res)
    limit = max(max_cells_per_occupied * occupied, GRID_CELLS_ALWAYS_ALLOWED)
    if cells > limit:
        raise ValueError(
            f"the study area needs about {cells:,} H3 cells at resolution {res} for "
            f"{occupied:,} occupied cells ({cells / max(occupied, 1):,.0f} per occupied cell; "
            f"the limit is {max_cells_per_occupied:g} per occupied cell or "
            f"{GRID_CELLS_ALWAYS_ALLOWED:,} cells): nearly all of the grid would be empty and "
            "the run slow and large. Give a smaller study area (a district code or name such "
            "as E07000096, or a boundary file), a coarser resolution"
            + (f" (res {res - 1})" if res > min(RESOLUTIONS) else "")
            + ", or leave out the incidents far from the rest"
        )
    return cells


def study_area_cells(area: Any, res: int) -> np.ndarray:
    """All H3 cells overlapping the study area, including edge cells cut by its boundary.

    Parameters
    ----------
    area
        GeoDataFrame / GeoSeries of polygons (any CRS; unioned and reprojected to EPSG:4326)
        or a shapely Polygon / MultiPolygon in lon/lat.
    res
        H3 resolution, 7 to 11.

    Returns
    -------
    Sorted object array of H3 ids: every cell whose hexagon overlaps the area (the same set as
    ``h3.h3shape_to_cells_experimental(..., contain="overlap")``, computed by h3ronpy 5–8×
    faster), so that incidents near the boundary fall in a study-area cell and Gi* sees the
    zero-count cells.

    Examples
    --------
    >>> cells = study_area_cells(read_boundaries(wards_path()), 9)  # doctest: +SKIP
    """
    res = _check_res(res)
    return _area_cells(shapely.to_wkb(_area_geometry(area)), res).copy()


def prepare_area(area: Any, res: int) -> None:
    """Begin the cells and hexagons of the study area ``area`` at ``res`` on a thread, for a
    :func:`grid_counts` of it soon after, which then finds them made or waits for them.

    h3ronpy and shapely do most of that work without Python's GIL, so the thread mostly uses
    a core the caller leaves idle. Only an area that every grid may have is begun (at most
    :data:`~hotspots.core.defaults.GRID_CELLS_ALWAYS_ALLOWED` cells, estimated: see
    :func:`check_grid_size`); any other waits for the grid's check. Nothing here raises: a
    bad area or resolution is the grid's to report, as is a failure on the thread (not kept).
    The thread is not a daemon: a process ending meanwhile waits for it (at most those cells'
    work) rather than stopping it inside h3ronpy, which would abort the process.
    """
    try:
        geometry = _area_geometry(area)
        res = _check_res(res)
        allowed = estimated_cells(geometry, res) <= GRID_CELLS_ALWAYS_ALLOWED
        wkb = shapely.to_wkb(geometry)
    except Exception:  # the grid reports it, with its own message
        return
    if allowed and ("hexagons", wkb, res) not in _area_parts:  # not made or begun already
        threading.Thread(
            target=_hexagons_quietly, args=(wkb, res), name="hotspots-area-grid"
        ).start()


def _hexagons_quietly(wkb: bytes, res: int) -> None:
    """:func:`_area_polygons`, its failure left for the grid's own call to meet and report."""
    with contextlib.suppress(Exception):
        _area_polygons(wkb, res)


def _area_cells(wkb: bytes, res: int) -> np.ndarray:
    """The sorted cells overlapping the area given as WKB, read-only (callers copy or only
    read them), kept for the areas used last: a dashboard grids the same study area at every
    filter change (0.25 s for a county at resolution 9, with the hexagons)."""
    return _made_once("cells", wkb, res)


def _area_polygons(wkb: bytes, res: int) -> np.ndarray:
    """The hexagons of :func:`_area_cells` (same order), made only where a grid is drawn (not
    for callers that need the cells alone, e.g. a national study area)."""
    return _made_once("hexagons", wkb, res)


def _overlapping(wkb: bytes, res: int) -> np.ndarray:
    found = h3v.geometry_to_cells(shapely.from_wkb(wkb), res, containment_mode=_OVERLAP)
    cells = np.sort(ints_to_cells(found))
    cells.flags.writeable = False
    return cells


def _hexagons(wkb: bytes, res: int) -> np.ndarray:
    polygons = cell_polygons(_area_cells(wkb, res)).geometry.to_numpy()
    polygons.flags.writeable = False
    return polygons


AreaPart = Literal["cells", "hexagons"]
_MAKE: dict[str, Callable[[bytes, int], np.ndarray]] = {
    "cells": _overlapping,
    "hexagons": _hexagons,
}
_AREA_PARTS_KEPT = 16
"""Study-area parts kept, the most recently used: the cells and hexagons of 8 areas."""
_area_parts: OrderedDict[tuple[AreaPart, bytes, int], np.ndarray | Future[np.ndarray]] = (
    OrderedDict()
)
_area_parts_lock = threading.Lock()


def _made_once(part: AreaPart, wkb: bytes, res: int) -> np.ndarray:
    """The ``part`` of the area given as WKB at ``res``, made once and kept: a caller asking
    for one another thread is making (:func:`prepare_area`) waits for it (a
    :class:`~concurrent.futures.Future` stands in the table meanwhile); a failure reaches
    every caller waiting and is not kept."""
    key = (part, wkb, res)
    with _area_parts_lock:
        kept = _area_parts.get(key)
        if kept is not None:
            _area_parts.move_to_end(key)
        else:
            making: Future[np.ndarray] = Future()
            _area_parts[key] = making
            while len(_area_parts) > _AREA_PARTS_KEPT:
                _area_parts.popitem(last=False)
    if kept is not None:
        return kept.result() if isinstance(kept, Future) else kept
    try:
        made = _MAKE[part](wkb, res)
    except BaseException as err:
        with _area_parts_lock:
            if _area_parts.get(key) is making:
                del _area_parts[key]
        making.set_exception(err)
        raise
    with _area_parts_lock:
        if _area_parts.get(key) is making:
            _area_parts[key] = made
    making.set_result(made)
    return made


def _after_fork_in_child() -> None:
    """A forked child has no thread making anything: the parts being made are dropped."""
    global _area_parts_lock
    _area_parts_lock = threading.Lock()
    for key in [k for k, v in _area_parts.items() if isinstance(v, Future)]:
        del _area_parts[key]


os.register_at_fork(after_in_child=_after_fork_in_child)


def cell_polygons(cells: Any) -> gpd.GeoDataFrame:
    """Hexagon polygons of H3 cells (EPSG:4326), in input order.

    Built in one vectorised call (h3ronpy → WKB → ``shapely.from_wkb``): 111k cells in
    about 1.2 s against 3.0 s for ``h3.cell_to_boundary`` in a loop.

    Parameters
    ----------
    cells
        H3 ids as hexadecimal strings.

    Returns
    -------
    GeoDataFrame with column ``cell`` and polygon geometry, CRS EPSG:4326.

    Examples
    --------
    >>> cell_polygons(["89195db8b73ffff"]).geometry.iloc[0].geom_type
    'Polygon'
    """
    ints = _to_uint64(cells)
    if ints.size:
        wkb = pa.array(h3v.cells_to_wkb_polygons(ints)).to_numpy(zero_copy_only=False)
        geometry = shapely.from_wkb(wkb)
    else:
        geometry = np.empty(0, dtype=object)
    return gpd.GeoDataFrame(
        {"cell": np.asarray(cells, dtype=object)}, geometry=gpd.GeoSeries(geometry), crs=WGS84
    )


def neighbours(cells: Any, *, k: int = 1, include_self: bool = True) -> sparse.csr_matrix:
    """Binary k-ring adjacency among the given cells (for Gi* and smoothing).

    Parameters
    ----------
    cells
        Distinct H3 ids (hexadecimal strings) of one resolution; row/column ``i`` is
        ``cells[i]``.
    k
        Ring distance in cells (``k=1``: the 6 touching hexagons).
    include_self
        Keep each cell as its own neighbour (the diagonal), as Gi* (the "star") needs.

    Returns
    -------
    ``scipy.sparse.csr_matrix`` of shape ``(n, n)``, float64 with 1.0 where ``cells[j]`` lies
    within ``k`` steps of ``cells[i]`` (``h3.grid_disk``); cells outside the given set are
    ignored. Symmetric.

    Examples
    --------
    >>> w = neighbours(study_area_cells(wards, 9), k=1)  # doctest: +SKIP
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        raise ValueError(f"k must be a non-negative integer number of rings, got {k!r}")
    # kept by the ids themselves: a grid's ids hash once each (Python keeps a string's hash),
    # so a study area's grid is found without parsing its ids again
    key = (tuple(np.asarray(cells, dtype=object).ravel().tolist()), int(k), bool(include_self))
    with _rings_lock:
        kept = _rings.get(key)
    if kept is not None:  # the same cells as lately (a study area's grid): a copy of it
        return kept.copy()
    made = _neighbours(cells, _to_uint64(cells), k, include_self)
    with _rings_lock:
        _rings[key] = made
        while len(_rings) > _RINGS_MAX:
            _rings.pop(next(iter(_rings)))
    return made.copy()


_RINGS_MAX = 8
"""Cell sets whose :func:`neighbours` are kept (the oldest dropped)."""
_rings: dict[tuple[tuple[Any, ...], int, bool], sparse.csr_matrix] = {}
_rings_lock = threading.Lock()


def _neighbours(cells: Any, ints: np.ndarray, k: int, include_self: bool) -> sparse.csr_matrix:
    """:func:`neighbours` of ``cells`` (``ints``: them as uint64), made."""
    from scipy import sparse  # lazy: ~0.3 s to import, loaded with the first matrix

    n = ints.size
    index = pd.Index(ints)
    if not index.is_unique:
        dups = np.asarray(cells, dtype=object)[index.duplicated()][:3].tolist()
        raise ValueError(f"cells must be distinct, got duplicates such as {dups}; use np.unique")
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float64)
    if len(set(np.asarray(h3ronpy.cells_resolution(ints)).tolist())) > 1:
        raise ValueError("cells mix H3 resolutions; neighbours need cells of one resolution")
    disks = pa.array(h3ronpy.grid_disk(ints, int(k)))
    sizes = np.diff(disks.offsets.to_numpy())
    rows = np.repeat(np.arange(n), sizes)
    cols = index.get_indexer(disks.values.to_numpy())
    keep = cols >= 0
    if not include_self:
        keep &= rows != cols
    data = np.ones(int(keep.sum()), dtype=np.float64)
    return sparse.csr_matrix((data, (rows[keep], cols[keep])), shape=(n, n))


def grid_counts(
    incidents: gpd.GeoDataFrame,
    res: int,
    *,
    study_area: Any = None,
    by: str | None = None,
    weights: str | None = None,
    max_cells_per_occupied: float = GRID_MAX_CELLS_PER_OCCUPIED,
) -> gpd.GeoDataFrame:
    """Counts on the full hexagon grid of the study area, zero-count cells included.

    Parameters
    ----------
    incidents
        Point GeoDataFrame with a CRS.
    res
        H3 resolution, 7 to 11.
    study_area
        Polygons (see :func:`study_area_cells`). ``None``: only occupied cells (no zeros), which
        is not enough for Gi*.
    by
        Optional column (e.g. ``"month"``) giving **long format**: one row per cell and value of
        ``by`` (every cell × every value observed in ``incidents[by]``, zeros filled), sorted by
        ``by`` then cell, so Gi* over time is a ``groupby(by)``.
    weights
        Optional numeric column summed per cell into ``weight`` (see :func:`cell_counts`).
    max_cells_per_occupied
        Refuse a study area of more cells than this per occupied cell (and more than
        :data:`~hotspots.core.defaults.GRID_CELLS_ALWAYS_ALLOWED`): see
        :func:`check_grid_size`.

    Returns
    -------
    GeoDataFrame (EPSG:4326, hexagon polygons) with ``cell``, [``by``], ``count``,
    [``weight``] and ``in_study_area`` (False for occupied cells outside the study area, which
    are kept so nothing is lost). ``attrs``: ``res``, ``by``, ``weights``, ``cells`` (how the
    cells were chosen), ``n_cells``, ``n_outside_cells``, ``incidents_outside``.

    Examples
    --------
    >>> grid = grid_counts(incidents, 9, study_area=wards, by="month")  # doctest: +SKIP
    """
    disclosure.check_floors(incidents, res=res)  # sensitive rows: no hexagon finer than res 8
    counts = cell_counts(incidents, res, by=by, weights=weights)
    occupied = pd.unique(counts["cell"])
    if study_area is None:
        cells = np.asarray(occupied, dtype=object)
        inside = np.ones(cells.size, dtype=bool)
        held = np.arange(cells.size)  # each occupied cell's row
        how = "occupied cells only (no study area given, so no zero-count cells)"
    else:
        area = _area_geometry(study_area)
        check_grid_size(
            area, res, occupied=occupied.size, max_cells_per_occupied=max_cells_per_occupied
        )
        area_wkb = shapely.to_wkb(area)
        area_cells = _area_cells(area_wkb, res)
        occupied = np.asarray(occupied, dtype=object)
        # Hash look-up: np.isin and Arrow-string isin are slow on 10^4-10^5 string ids.
        held = pd.Index(area_cells, dtype=object).get_indexer(occupied)
        extra = occupied[held < 0]
        cells = np.concatenate([area_cells, np.asarray(extra, dtype=object)])
        inside = np.arange(cells.size) < area_cells.size
        held[held < 0] = area_cells.size + np.arange(extra.size)  # each occupied cell's row
        how = (
            "every cell overlapping the study area (H3 containment 'overlap'), plus occupied "
            "cells outside it"
        )
    value_cols = ["count", "weight"] if weights is not None else ["count"]
    if by is None:  # each occupied cell's counts put in its row (no index of the ids)
        full = pd.DataFrame({"cell": cells})
        for column in value_cols:
            values = counts[column].to_numpy()
            filled = np.zeros(cells.size, dtype=values.dtype)
            filled[held] = values
            full[column] = filled
        position = np.arange(cells.size)
    else:
        periods = pd.Index(counts[by].unique()).sort_values()
        index = pd.MultiIndex.from_product([periods, cells], names=[by, "cell"])
        full = counts.set_index([by, "cell"])[value_cols].reindex(index, fill_value=0)
        full = full.reset_index()[["cell", by, *value_cols]]
        position = np.tile(np.arange(cells.size), periods.size)
    full["in_study_area"] = inside[position]
    if study_area is None:
        polygons = cell_polygons(cells).geometry.to_numpy()
    else:  # the study area's hexagons made once per area, then those of the cells outside it
        polygons = np.concatenate(
            [_area_polygons(area_wkb, res), cell_polygons(extra).geometry.to_numpy()]
        )
    grid = gpd.GeoDataFrame(full, geometry=gpd.GeoSeries(polygons[position]), crs=WGS84)
    grid.attrs.update(
        res=res,
        by=by,
        weights=weights,
        cells=how,
        n_cells=int(cells.size),
        n_outside_cells=int((~inside).sum()),
        incidents_outside=int(full.loc[~full["in_study_area"], "count"].sum()),
    )
    return grid


def cell_ints(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell of each point as ``uint64`` (compact, for large jobs); see :func:`assign_cells`.

    Examples
    --------
    >>> ints_to_cells(cell_ints(np.array([-0.4743]), np.array([51.7526]), 9))
    array(['89195db8b73ffff'], dtype=object)
    """
    res = _check_res(res)
    lon, lat = _check_lonlat(lon, lat)
    return _cells_uint64(lon, lat, res)


def ints_to_cells(ints: np.ndarray) -> np.ndarray:
    """``uint64`` H3 cells → hexadecimal ids (object array), each distinct cell converted once."""
    return _to_str(np.asarray(ints, dtype=np.uint64))


def cells_to_ints(cells: Any) -> np.ndarray:
    """Hexadecimal H3 ids → ``uint64``, refusing anything that is not a valid cell."""
    return _to_uint64(cells)


def cell_centres(cells: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of the centre of each H3 cell, vectorised."""
    ints = _to_uint64(cells)
    if ints.size == 0:
        return np.empty(0), np.empty(0)
    centres = shapely.from_wkb(
        pa.array(h3v.cells_to_wkb_points(ints)).to_numpy(zero_copy_only=False)
    )
    return shapely.get_x(centres), shapely.get_y(centres)
