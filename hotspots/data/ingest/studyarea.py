"""Resolve a study area (district code, boundary file, GeoDataFrame, geometry) to one polygon."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.core.crs import (
    BNG,
    WGS84,
    looks_like_bng,
    looks_like_degrees,
    outside_degrees,
    to_crs,
)
from hotspots.data import boundaries, datasets
from hotspots.data.ingest.errors import IngestError

_AREA_CODE = re.compile(r"^[EWSN]\d{8}$")
_FILE_SUFFIX = re.compile(r"\.\w{1,10}$")
StudyArea = Any
"""Anything :func:`resolve_study_area` accepts."""


def resolve_study_area(area: StudyArea) -> BaseGeometry:
    """One (Multi)Polygon in EPSG:4326 (lon/lat) for a study area.

    Parameters
    ----------
    area
        - a district of England and Wales by LAD code (``"E08000035"``) or name (``"Leeds"``,
          any case): its outline from the national boundary pack
          (:mod:`hotspots.data.boundaries`; the union of its 2013 wards), or the union of its
          full-detail wards where the repository bundles them (Hertfordshire); a council
          formed since from several (``"Buckinghamshire"``, ``"E06000060"``): its former
          districts' outlines united;
        - a path to a boundary file (GeoJSON, GeoPackage, Shapefile, GeoParquet); a file
          without a CRS, or a GeoJSON whose coordinates are British National Grid metres, is
          recognised by its value range;
        - a GeoDataFrame or GeoSeries in any CRS (all its polygons are united);
        - a shapely geometry in lon/lat.

    Returns
    -------
    shapely Polygon or MultiPolygon, valid, in EPSG:4326.

    Raises
    ------
    IngestError
        Unknown district code or name (the message lists close matches), unreadable file, no
        polygons, or a geometry that is not lon/lat.

    Examples
    --------
    >>> dacorum = resolve_study_area("E07000096")
    >>> dacorum.geom_type, round(dacorum.centroid.x, 1)
    ('Polygon', -0.5)
    """
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        return _union(_to_wgs84(area, name="the study area"), name="the study area")
    if isinstance(area, BaseGeometry):
        _check_lonlat(area)
        # the same outline (a dashboard's, at every filter change; its worker's copy) once
        return _remembered(
            ("geometry", shapely.to_wkb(area)),
            lambda: _union(gpd.GeoSeries([area], crs=WGS84), name="the study area geometry"),
        )
    if isinstance(area, str | Path):
        text = str(area).strip()
        path = Path(area)
        if path.exists():
            return _remembered(
                _file_key(path),
                lambda: _union(_to_wgs84(_read(path), name=str(path)), name=str(path)),
            )
        if _AREA_CODE.match(text) or not _looks_like_path(text):
            return _district(text)
        raise IngestError(
            f"study area {text!r}: no such file, and not a district code or name like "
            "'E08000035' or 'Leeds'"
        )
    raise IngestError(
        f"study area of type {type(area).__name__}: expected a district code or name "
        "('E08000035', 'Leeds'), a boundary file path, a GeoDataFrame/GeoSeries or a shapely "
        "geometry in lon/lat"
    )


_RESOLVED: dict[tuple[object, ...], BaseGeometry] = {}
"""Study areas read from files (given, or a district's bundled wards) or given as a geometry
(by its WKB: the same coordinates), resolved so far: a command resolves its study area in
several steps (the clip on reading, the grid, the forecast), a dashboard at every filter
change. At most :data:`_RESOLVED_MAX`, the first resolved dropped first."""

_RESOLVED_MAX = 8
_RESOLVED_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[object, ...]:
    """What tells the boundary file ``path`` unchanged: its size and modification time."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _remembered(key: tuple[object, ...], resolve: Callable[[], BaseGeometry]) -> BaseGeometry:
    """``resolve()`` of the study area known by ``key``, or what it gave before for the same
    key (shapely geometries never change)."""
    with _RESOLVED_LOCK:  # a dashboard's pages and its work ahead resolve theirs at once
        found = _RESOLVED.get(key)
        if found is None:
            found = _RESOLVED[key] = resolve()
            while len(_RESOLVED) > _RESOLVED_MAX:
                _RESOLVED.pop(next(iter(_RESOLVED)))
        return found


def describe_study_area(area: StudyArea) -> str:
    """A short label for the report, in words: the code, name or file name given, else what
    was given ("21 wards", "3 areas", "an outline"), never a Python type's name.

    Examples
    --------
    >>> describe_study_area("E07000096"), describe_study_area(shapely.box(0, 0, 1, 1))
    ('E07000096', 'an outline')
    """
    if isinstance(area, str | Path):
        return str(area)
    if isinstance(area, gpd.GeoDataFrame):
        kind = "ward" if "area_name" in area.columns else "area"
        return f"{len(area):,} {kind}{'' if len(area) == 1 else 's'}"
    return "an outline"


def study_area_districts(area: StudyArea) -> list[str] | None:
    """The pack's LAD codes when ``area`` names a district, or a council formed since from
    several (:func:`hotspots.data.boundaries.find_area`: its former districts), by code or
    name (not a file); else ``None``.

    Raises
    ------
    IngestError
        ``area`` looks like a district but is neither a district of the pack nor a council
        formed from them.

    Examples
    --------
    >>> study_area_districts("leeds"), study_area_districts(None)
    (['E08000035'], None)
    >>> study_area_districts("Buckinghamshire")
    ['E07000004', 'E07000005', 'E07000006', 'E07000007']
    """
    if not isinstance(area, str | Path):
        return None
    text = str(area).strip()
    if Path(text).exists() or (_looks_like_path(text) and not _AREA_CODE.match(text)):
        return None
    try:
        return boundaries.find_area(text)[2]
    except LookupError as exc:
        raise IngestError(f"study area {text!r}: {exc}") from None


def _looks_like_path(text: str) -> bool:
    """A file name (``wards.geojson``, ``data/x``), not a district name (``St. Helens``)."""
    return bool(_FILE_SUFFIX.search(text)) or "/" in text or "\\" in text


def _district(text: str) -> BaseGeometry:
    codes = study_area_districts(text)
    if codes is None:
        raise IngestError(f"study area {text!r} is a file, not a district: read it as a file")
    if len(codes) > 1:  # a council formed since: its former districts united
        return boundaries.districts_outline(codes)
    code = codes[0]
    try:  # the repository's full-detail wards, where bundled (Hertfordshire)
        path = datasets.wards_path(code)
    except FileNotFoundError:
        return boundaries.district(code).outline
    return _remembered(
        _file_key(path), lambda: _union(_to_wgs84(gpd.read_file(path), name=code), name=code)
    )


def _read(path: Path) -> gpd.GeoDataFrame:
    try:
        if path.suffix.lower() in {".parquet", ".geoparquet"}:
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio/pyarrow raise many types; name the file and the fix
        raise IngestError(
            f"study area {path}: cannot read it as a boundary file ({exc}); expected GeoJSON, "
            "GeoPackage, Shapefile or GeoParquet polygons"
        ) from exc


def _to_wgs84(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str) -> gpd.GeoSeries:
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    bounds = geoms.total_bounds
    x = np.array([bounds[0], bounds[2]])
    y = np.array([bounds[1], bounds[3]])
    geographic = geoms.crs is None or geoms.crs.is_geographic
    if geographic and not np.isnan(bounds).any() and not looks_like_degrees(x, y):
        if not looks_like_bng(x, y):
            raise IngestError(
                f"{name}: coordinates {bounds.round(1).tolist()} are neither lon/lat nor "
                "British National Grid; save the boundary with its CRS"
            )
        geoms = geoms.set_crs(BNG, allow_override=True)
    elif geoms.crs is None:
        geoms = geoms.set_crs(WGS84)
    return to_crs(geoms, WGS84)


def _check_lonlat(geom: BaseGeometry) -> None:
    minx, miny, maxx, maxy = geom.bounds
    if outside_degrees([minx, maxx], [miny, maxy]).any():
        raise IngestError(
            f"the study area geometry has coordinates up to ({maxx:.0f}, {maxy:.0f}), which "
            "are not lon/lat; pass a GeoSeries with its CRS, e.g. "
            "geopandas.GeoSeries([geom], crs='EPSG:27700')"
        )


def _union(geoms: gpd.GeoSeries, *, name: str) -> BaseGeometry:
    polygons = geoms[geoms.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise IngestError(
            f"{name}: no polygons found (geometry types: {sorted(set(geoms.geom_type))}); "
            "a study area must be polygons"
        )
    merged = shapely.make_valid(shapely.union_all(polygons.make_valid().to_numpy()))
    if merged.geom_type == "GeometryCollection":
        merged = shapely.union_all(
            [g for g in merged.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    return merged
