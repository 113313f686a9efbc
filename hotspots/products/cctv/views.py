"""What each camera sees: a circle (PTZ, 360°) or a sector (bearing, field of view, range).

A camera table has one row per camera with ``camera_id``, ``type`` (``fixed``, ``ptz`` or
``redeployable``), ``range_m`` (useful viewing distance, metres), ``bearing_deg`` (direction of
view, degrees clockwise from north), ``fov_deg`` (field of view, degrees), ``lon``/``lat``
(WGS84) and optionally ``status`` and ``name`` — the columns of
:func:`hotspots.store.list_cameras` and of ``data/demo/dacorum_cctv_cameras.csv``.

A camera sees a circle of radius ``range_m`` when it turns (``ptz``), has no bearing or field
of view (a redeployable camera not yet pointed) or a field of view of 360°; otherwise the
sector of ``fov_deg`` centred on ``bearing_deg``. A fixed camera without bearing and field of
view is an error. Whether a point is seen is decided exactly, in metres in the working CRS
(:func:`seen_pairs`); the polygons of :func:`camera_views` are for maps.

Examples
--------
>>> import pandas as pd
>>> cams = pd.DataFrame({"camera_id": ["A"], "type": ["fixed"], "range_m": [50.0],
...     "bearing_deg": [90.0], "fov_deg": [60.0], "lon": [-0.47], "lat": [51.75]})
>>> views = camera_views(cams)
>>> views.loc[0, "shape"], views.attrs["working_crs"]
('sector', 'EPSG:27700')
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.core.crs import WGS84, from_lonlat, outside_degrees, to_crs, working_crs_for
from hotspots.core.points import distinct_points

CAMERA_COLUMNS: tuple[str, ...] = ("camera_id", "type", "range_m", "lon", "lat")
"""Columns a camera table must have (``bearing_deg``, ``fov_deg``, ``status``, ``name``
are optional)."""

CAMERA_TYPES: tuple[str, ...] = ("fixed", "ptz", "redeployable")

AT_CAMERA_M = 1.0
"""Points this close to a camera (metres) are seen by it whatever their direction."""


def check_cameras(cameras: pd.DataFrame) -> pd.DataFrame:
    """A clean copy of a camera table: optional columns added, types checked, one row each.

    Raises
    ------
    ValueError
        Missing columns, unknown types, ranges that are not positive metres, coordinates that
        are not lon/lat degrees, duplicated ids, or fixed cameras without bearing and field of
        view — each naming the cameras and the fix.
    """
    missing = [c for c in CAMERA_COLUMNS if c not in cameras.columns]
    if missing:
        raise ValueError(
            f"camera table lacks column(s) {missing}; expected {list(CAMERA_COLUMNS)} plus "
            "optional bearing_deg, fov_deg, status, name (see hotspots.store.list_cameras)"
        )
    table = pd.DataFrame(
        {
            "camera_id": cameras["camera_id"].astype(str).to_numpy(),
            "name": _text_column(cameras, "name"),
            "location": _text_column(cameras, "location"),
            "type": cameras["type"].astype(str).str.strip().str.lower().to_numpy(),
            "status": _text_column(cameras, "status", "active"),
            "range_m": pd.to_numeric(cameras["range_m"], errors="coerce").to_numpy(float),
            "bearing_deg": _number_column(cameras, "bearing_deg"),
            "fov_deg": _number_column(cameras, "fov_deg"),
            "lon": pd.to_numeric(cameras["lon"], errors="coerce").to_numpy(float),
            "lat": pd.to_numeric(cameras["lat"], errors="coerce").to_numpy(float),
        }
    )
    problems = []
    bad_type = ~table["type"].isin(CAMERA_TYPES)
    if bad_type.any():
        problems.append(f"type not one of {CAMERA_TYPES}: {_ids(table, bad_type)}")
    bad_range = ~(np.isfinite(table["range_m"]) & (table["range_m"] > 0))
    if bad_range.any():
        problems.append(f"range_m must be a positive distance in metres: {_ids(table, bad_range)}")
    lon, lat = table["lon"].to_numpy(float), table["lat"].to_numpy(float)
    bad_xy = pd.Series(~np.isfinite(lon) | ~np.isfinite(lat) | outside_degrees(lon, lat))
    if bad_xy.any():
        problems.append(f"lon/lat must be WGS84 degrees: {_ids(table, bad_xy)}")
    fixed_blind = (table["type"] == "fixed") & (
        table["bearing_deg"].isna() | table["fov_deg"].isna()
    )
    if fixed_blind.any():
        problems.append(
            "fixed cameras need bearing_deg and fov_deg (or type ptz if they turn): "
            f"{_ids(table, fixed_blind)}"
        )
    duplicated = table["camera_id"].duplicated()
    if duplicated.any():
        problems.append(f"camera_id used more than once: {_ids(table, duplicated)}")
    if problems:
        raise ValueError("camera table: " + "; ".join(problems))
    return table


def _text_column(frame: pd.DataFrame, column: str, default: str = "") -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    values = frame[column].astype(object).where(frame[column].notna(), default)
    return values.astype(str).to_numpy(dtype=object)


def _number_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(float)


def _ids(table: pd.DataFrame, mask: pd.Series) -> list[str]:
    return table.loc[mask, "camera_id"].head(10).tolist()


def is_circle(table: pd.DataFrame) -> np.ndarray:
    """Whether each camera (of :func:`check_cameras`) sees all round rather than a sector."""
    return (
        (table["type"] == "ptz")
        | table["bearing_deg"].isna()
        | table["fov_deg"].isna()
        | (table["fov_deg"] >= 360)
    ).to_numpy()


def camera_xy(table: pd.DataFrame, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Camera positions in metres in ``crs`` (from their lon/lat)."""
    return from_lonlat(table["lon"].to_numpy(float), table["lat"].to_numpy(float), crs)


def seen_pairs(
    table: pd.DataFrame, cam_x: np.ndarray, cam_y: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (camera, point) pair where the camera sees the point, exactly, in metres.

    Candidates within ``range_m`` come from one ``STRtree`` query (``dwithin``, the range
    included); sector cameras then keep the points whose direction (clockwise from north) is
    within ``fov_deg / 2`` of ``bearing_deg`` (edges included). A point within
    :data:`AT_CAMERA_M` of the camera is seen whatever its direction (incidents recorded at the
    camera's own spot, such as a police.uk snap point the camera stands on).

    Parameters
    ----------
    table
        From :func:`check_cameras`.
    cam_x, cam_y, x, y
        Camera and point coordinates in metres in the same CRS.

    Returns
    -------
    (camera_index, point_index)
        Integer arrays, positions in ``table`` and in ``x``/``y``, sorted by camera then point.
    """
    if len(table) == 0 or len(x) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    # each distinct point once (incidents share police.uk's map points), then its incidents
    place_of, px, py = distinct_points(x, y)
    tree = shapely.STRtree(shapely.points(px, py))
    cam, at = tree.query(
        shapely.points(cam_x, cam_y), predicate="dwithin", distance=table["range_m"].to_numpy()
    )
    dx, dy = px[at] - cam_x[cam], py[at] - cam_y[cam]
    azimuth = np.degrees(np.arctan2(dx, dy)) % 360.0
    bearing = table["bearing_deg"].to_numpy(float)[cam]
    off_axis = np.abs((azimuth - bearing + 180.0) % 360.0 - 180.0)
    half = table["fov_deg"].to_numpy(float)[cam] / 2.0
    at_camera = np.hypot(dx, dy) <= AT_CAMERA_M
    keep = is_circle(table)[cam] | (off_axis <= half + 1e-9) | at_camera
    cam, at = cam[keep], at[keep]
    # the incidents at each seen place
    by_place = np.argsort(place_of, kind="stable")
    starts = np.searchsorted(place_of[by_place], np.arange(len(px) + 1))
    n = starts[at + 1] - starts[at]
    first = np.repeat(starts[at], n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    point = by_place[first + offset]
    cam = np.repeat(cam, n)
    order = np.lexsort((point, cam))
    return cam[order], point[order]


def _sector_rings(
    cx: np.ndarray,
    cy: np.ndarray,
    radius: np.ndarray,
    start_deg: np.ndarray,
    sweep_deg: np.ndarray,
    segments: int,
    apex: bool,
) -> np.ndarray:
    """Rings of arcs (``segments`` pieces) from ``start_deg`` over ``sweep_deg``, vectorised."""
    steps = np.linspace(0.0, 1.0, segments + 1)
    angle = np.radians(start_deg[:, None] + sweep_deg[:, None] * steps[None, :])
    arc = np.stack(
        [
            cx[:, None] + radius[:, None] * np.sin(angle),
            cy[:, None] + radius[:, None] * np.cos(angle),
        ],
        axis=-1,
    )
    if not apex:
        return arc
    centre = np.stack([cx, cy], axis=-1)[:, None, :]
    return np.concatenate([centre, arc, centre], axis=1)


def camera_views(
    cameras: pd.DataFrame,
    *,
    crs: str | None = None,
    segments: int = 64,
    statuses: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """The area each camera sees, as polygons for maps (EPSG:4326).

    Parameters
    ----------
    cameras
        Camera table (see the module docstring).
    crs
        Working CRS in metres where circles and sectors are drawn; ``None`` chooses it from the
        cameras' position (EPSG:27700 in Great Britain, else the local UTM zone).
    segments
        Straight pieces per arc (64: a 100 m circle is drawn within 12 cm).
    statuses
        Only cameras with these statuses (e.g. ``["active"]``); ``None`` keeps every camera.

    Returns
    -------
    GeoDataFrame
        ``camera_id``, ``name``, ``location``, ``type``, ``status``, ``range_m``,
        ``bearing_deg``, ``fov_deg``, ``shape`` ("circle" or "sector"), polygon geometry in
        EPSG:4326; ``attrs``: ``working_crs``, ``segments``.

    Examples
    --------
    >>> camera_views(list_cameras(engine), statuses=["active"])  # doctest: +SKIP
    """
    table = check_cameras(cameras)
    if statuses is not None:
        table = table[table["status"].isin(list(statuses))].reset_index(drop=True)
    if segments < 8:
        raise ValueError(f"segments must be at least 8 pieces per arc, got {segments}")
    crs = crs or working_crs_for(table["lon"].to_numpy(), table["lat"].to_numpy())
    cx, cy = camera_xy(table, crs)
    circle = is_circle(table)
    radius = table["range_m"].to_numpy(float)
    geometry = np.empty(len(table), dtype=object)
    if circle.any():
        zeros = np.zeros(int(circle.sum()))
        rings = _sector_rings(
            cx[circle], cy[circle], radius[circle], zeros, zeros + 360.0, segments, apex=False
        )
        geometry[circle] = shapely.polygons(rings)
    if (~circle).any():
        fov = table["fov_deg"].to_numpy(float)[~circle]
        start = table["bearing_deg"].to_numpy(float)[~circle] - fov / 2.0
        rings = _sector_rings(
            cx[~circle], cy[~circle], radius[~circle], start, fov, segments, apex=True
        )
        geometry[~circle] = shapely.polygons(rings)
    table["shape"] = np.where(circle, "circle", "sector")
    views = to_crs(
        gpd.GeoDataFrame(
            table.drop(columns=["lon", "lat"]), geometry=gpd.GeoSeries(geometry, crs=crs)
        ),
        WGS84,
    )
    views.attrs.update(working_crs=crs, segments=segments)
    return views
