"""CCTV coverage: the share of incidents, and of each hotspot's incidents, inside a camera view.

Hotspots are polygons with an id: Gi* cells (``cell``, H3 hexagons, e.g. from
:func:`hotspots.analysis.stats.hotspots_gistar` or :func:`hotspots.analysis.analyse.analyse`) —
where incidents
are matched to cells by their H3 id, so the counts equal the grid's — or any other areas with an
id column (cluster outlines, ``cluster``), matched by point in polygon. Tables with ``gi_bin``
are cut to the hot cells (``gi_bin >= min_gi_bin``).

Sensitive incidents count in every figure (as numbers only).

Examples
--------
>>> result = coverage(incidents, cameras, hotspots=cells)  # doctest: +SKIP
>>> result.share, uncovered_hotspots(result).head()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from hotspots.core.crs import to_crs
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.disclosure import mappable
from hotspots.data.schema import WGS84, WORKING_CRS, check_incidents
from hotspots.products.cctv.views import camera_xy, check_cameras, seen_pairs
from hotspots.space.grid import cell_ints, cells_to_ints

ACTIVE: tuple[str, ...] = ("active",)
"""Camera statuses counted as watching (faulty and decommissioned cameras are not)."""


@dataclass
class Hotspots:
    """Hotspot polygons (EPSG:4326) and which incidents lie in which (as index pairs)."""

    areas: gpd.GeoDataFrame
    id_column: str
    hotspot_index: np.ndarray
    incident_index: np.ndarray
    note: str


@dataclass
class Coverage:
    """What the cameras see.

    Attributes
    ----------
    incidents, covered, share
        All incidents, those inside at least one used camera's view, and the share (0–1).
    covered_mask
        One bool per incident (row order of the incidents passed).
    by_camera
        ``camera_id``, ``name``, ``location``, ``incidents_in_view``, ``only_this_camera`` (seen
        by no other used camera); every camera used, by ``incidents_in_view`` descending.
    by_hotspot
        ``None`` without hotspots; else one row per hotspot (EPSG:4326 polygons) with its
        id, its ``place`` ("Street, Ward") when the hotspots carry one, ``incidents``,
        ``covered``, ``uncovered``, ``share_covered``, ``cameras`` (ids of the cameras seeing
        its incidents, "; "-separated) and ``rank_uncovered`` (1 = most uncovered
        incidents), in that rank order.
    params
        Working CRS, statuses used, cameras used and left out (with their status), hotspot
        id column, ``min_gi_bin`` and how incidents were matched to hotspots.
    """

    incidents: int
    covered: int
    share: float
    covered_mask: np.ndarray
    by_camera: pd.DataFrame
    by_hotspot: gpd.GeoDataFrame | None
    params: dict[str, Any] = field(default_factory=dict)


def hot_areas(
    hotspots: gpd.GeoDataFrame,
    *,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
) -> tuple[gpd.GeoDataFrame, str]:
    """The hotspot polygons to use (EPSG:4326, hot cells only) and their id column.

    Parameters
    ----------
    hotspots
        Polygons with an id column (Gi* cells, cluster outlines), any CRS.
    hotspot_id
        The id column; ``None`` takes ``cell`` or ``cluster``.
    min_gi_bin
        With a ``gi_bin`` column, keep rows with ``gi_bin >= min_gi_bin`` (1: hot at 90 %
        confidence or more; 3: 99 %); ``None`` keeps every row. Rows without geometry (a
        cluster of sensitive incidents only) are left out.
    """
    if not isinstance(hotspots, gpd.GeoDataFrame) or hotspots.crs is None:
        raise ValueError(
            "hotspots must be a GeoDataFrame with a CRS (cells from hotspots_gistar, cluster "
            "outlines from cluster_profiles)"
        )
    if hotspot_id is None:
        hotspot_id = next((c for c in ("cell", "cluster") if c in hotspots.columns), None)
        if hotspot_id is None:
            raise ValueError(
                "hotspots need an id column: pass hotspot_id= (columns are "
                f"{list(hotspots.columns)})"
            )
    elif hotspot_id not in hotspots.columns:
        raise ValueError(f"hotspot_id={hotspot_id!r} is not a column of the hotspots")
    areas = hotspots
    if min_gi_bin is not None and "gi_bin" in hotspots.columns:
        areas = hotspots[hotspots["gi_bin"] >= min_gi_bin]
    areas = to_crs(areas[areas.geometry.notna() & ~areas.geometry.is_empty], WGS84)
    areas = areas.reset_index(drop=True)
    if areas[hotspot_id].duplicated().any():
        raise ValueError(f"hotspot ids in {hotspot_id!r} must be unique (one row per hotspot)")
    return areas, hotspot_id


def hotspot_membership(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
) -> Hotspots:
    """Match incidents to hotspots (pairs of positions), keeping only hot cells.

    Parameters
    ----------
    incidents
        Canonical incidents (EPSG:4326).
    hotspots, hotspot_id, min_gi_bin
        See :func:`hot_areas`. H3 cells (``cell``) are matched by H3 id, exactly as the grid
        counts them; other polygons by point in polygon.
    """
    areas, hotspot_id = hot_areas(hotspots, hotspot_id=hotspot_id, min_gi_bin=min_gi_bin)
    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    ids = areas[hotspot_id].astype(str)
    if hotspot_id == "cell" and len(areas) and ids.map(h3.is_valid_cell).all():
        ints = cells_to_ints(ids.to_numpy(dtype=object))  # matched as numbers: the same cells
        res = np.unique((ints >> np.uint64(52)) & np.uint64(15))  # an H3 id's resolution bits
        if len(res) != 1:
            raise ValueError("hotspot cells mix H3 resolutions; use cells of one resolution")
        position = pd.Index(ints).get_indexer(cell_ints(lon, lat, int(res[0])))
        incident_index = np.flatnonzero(position >= 0)
        hotspot_index = position[incident_index]
        note = "incidents matched to cells by H3 id"
    else:
        tree = shapely.STRtree(areas.geometry.to_numpy())
        incident_index, hotspot_index = tree.query(shapely.points(lon, lat), predicate="within")
        note = "incidents matched to hotspots by point in polygon"
    return Hotspots(areas, hotspot_id, hotspot_index, incident_index, note)


def incidents_seen(
    incidents: gpd.GeoDataFrame, cameras: pd.DataFrame, *, statuses: Sequence[str] | None = ACTIVE
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, Any]]:
    """The cameras used and every (camera, incident) pair where the camera sees the incident.

    Returns
    -------
    (cameras_used, camera_index, incident_index, params)
        ``cameras_used`` from :func:`hotspots.products.cctv.views.check_cameras` (only
        ``statuses``),
        integer positions, and the parameters (working CRS, cameras left out).
    """
    check_incidents(incidents)
    table = check_cameras(cameras)
    used = np.ones(len(table), dtype=bool)
    if statuses is not None:
        used = table["status"].isin(list(statuses)).to_numpy()
    left_out = dict(zip(table.loc[~used, "camera_id"], table.loc[~used, "status"], strict=True))
    table = table[used].reset_index(drop=True)
    crs = incidents.attrs[WORKING_CRS]
    cam_x, cam_y = camera_xy(table, crs)
    x = incidents["x"].to_numpy(float)
    y = incidents["y"].to_numpy(float)
    cam, point = seen_pairs(table, cam_x, cam_y, x, y)
    params = {
        "working_crs": crs,
        "statuses": None if statuses is None else list(statuses),
        "cameras_used": len(table),
        "cameras_left_out": left_out,
    }
    return table, cam, point, params


@dataclass(frozen=True)
class Sightings:
    """What :func:`coverage` and :func:`~hotspots.products.cctv.tasking.tasking_sheet` both
    work out from the same incidents, cameras and hotspots, made once for the two
    (:func:`sightings`): the mappable incidents, :func:`incidents_seen` and
    :func:`hotspot_membership`."""

    incidents: gpd.GeoDataFrame
    cameras_used: pd.DataFrame
    camera_index: np.ndarray
    incident_index: np.ndarray
    params: dict[str, Any]
    member: Hotspots | None
    options: tuple[Any, ...]
    """The options they were made with (hotspot id, ``min_gi_bin``, statuses): checked."""


def sightings(
    incidents: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    *,
    hotspots: gpd.GeoDataFrame | None = None,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
    statuses: Sequence[str] | None = ACTIVE,
) -> Sightings:
    """The camera sightings and hotspot membership of ``incidents`` (arguments as for
    :func:`coverage`), to pass to :func:`coverage` and ``tasking_sheet`` as ``seen=``."""
    shown = mappable(incidents)  # a camera view is a few metres: no sensitive counts
    table, cam, point, params = incidents_seen(shown, cameras, statuses=statuses)
    member = None
    if hotspots is not None:
        member = hotspot_membership(shown, hotspots, hotspot_id=hotspot_id, min_gi_bin=min_gi_bin)
    options = _options(hotspot_id, min_gi_bin, statuses)
    return Sightings(shown, table, cam, point, params, member, options)


def _options(
    hotspot_id: str | None, min_gi_bin: int | None, statuses: Sequence[str] | None
) -> tuple[Any, ...]:
    """The options :class:`Sightings` are made with, as they are compared."""
    return (hotspot_id, min_gi_bin, None if statuses is None else tuple(statuses))


def sightings_or_made(
    seen: Sightings | None,
    incidents: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    hotspots: gpd.GeoDataFrame | None,
    hotspot_id: str | None,
    min_gi_bin: int | None,
    statuses: Sequence[str] | None,
) -> Sightings:
    """``seen`` when given (made with the same options), else made here."""
    if seen is None:
        return sightings(
            incidents,
            cameras,
            hotspots=hotspots,
            hotspot_id=hotspot_id,
            min_gi_bin=min_gi_bin,
            statuses=statuses,
        )
    options = _options(hotspot_id, min_gi_bin, statuses)
    if seen.options != options or (seen.member is None) != (hotspots is None):
        raise ValueError("seen= was made with other options than these: make it with the same")
    return seen


def coverage(
    incidents: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    *,
    hotspots: gpd.GeoDataFrame | None = None,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
    statuses: Sequence[str] | None = ACTIVE,
    seen: Sightings | None = None,
) -> Coverage:
    """Share of incidents, and of each hotspot's incidents, inside any camera's view.

    Parameters
    ----------
    incidents
        Canonical incidents (``x``/``y`` metres in ``attrs["working_crs"]``).
    cameras
        Camera table (:mod:`hotspots.products.cctv.views`), e.g.
        :func:`hotspots.store.list_cameras`.
    hotspots, hotspot_id, min_gi_bin
        Optional hotspot polygons (see :func:`hotspot_membership`).
    statuses
        Camera statuses that count (default: active only); ``None`` counts every camera.
    seen
        :func:`sightings` of the same arguments, when the caller has it (the tasking sheet
        of the same selection needs it too); ``None``: made here.

    Returns
    -------
    Coverage

    Examples
    --------
    >>> result = coverage(incidents, cameras, hotspots=cells)  # doctest: +SKIP
    >>> f"{result.share:.0%} of incidents are in view"  # doctest: +SKIP
    """
    made = sightings_or_made(seen, incidents, cameras, hotspots, hotspot_id, min_gi_bin, statuses)
    incidents, table = made.incidents, made.cameras_used
    cam, point = made.camera_index, made.incident_index
    params = dict(made.params)
    n = len(incidents)
    seen_by = np.bincount(point, minlength=n)
    mask = seen_by > 0
    in_view = np.bincount(cam, minlength=len(table))
    only = np.bincount(cam[seen_by[point] == 1], minlength=len(table))
    by_camera = pd.DataFrame(
        {
            "camera_id": table["camera_id"],
            "name": table["name"],
            "location": table["location"],
            "incidents_in_view": in_view,
            "only_this_camera": only,
        }
    ).sort_values(["incidents_in_view", "camera_id"], ascending=[False, True], ignore_index=True)
    by_hotspot = None
    if made.member is not None:
        member = made.member
        by_hotspot = _by_hotspot(member, mask, table, cam, point)
        params.update(
            hotspot_id=member.id_column,
            min_gi_bin=min_gi_bin,
            hotspots=len(member.areas),
            hotspot_matching=member.note,
        )
    covered = int(mask.sum())
    return Coverage(
        incidents=n,
        covered=covered,
        share=covered / n if n else 0.0,
        covered_mask=mask,
        by_camera=by_camera,
        by_hotspot=by_hotspot,
        params=params,
    )


def seen_in_hotspots(member: Hotspots, cam: np.ndarray, point: np.ndarray) -> pd.DataFrame:
    """``camera``, ``hotspot``, ``incident`` positions: each incident of a hotspot a camera sees.

    Joins the (camera, incident) pairs of :func:`incidents_seen` with the (hotspot, incident)
    pairs of :func:`hotspot_membership` on the incident (hotspots may overlap).
    """
    seen = pd.DataFrame({"camera": cam, "incident": point})
    inside = pd.DataFrame({"hotspot": member.hotspot_index, "incident": member.incident_index})
    return seen.merge(inside, on="incident")[["camera", "hotspot", "incident"]]


def _by_hotspot(
    member: Hotspots, mask: np.ndarray, table: pd.DataFrame, cam: np.ndarray, point: np.ndarray
) -> gpd.GeoDataFrame:
    k = len(member.areas)
    total = np.bincount(member.hotspot_index, minlength=k)
    covered = np.bincount(member.hotspot_index[mask[member.incident_index]], minlength=k)
    triples = seen_in_hotspots(member, cam, point)
    names = table["camera_id"].to_numpy()
    links = pd.DataFrame({"h": triples["hotspot"], "camera": names[triples["camera"]]})
    cameras = links.drop_duplicates().groupby("h")["camera"].agg(lambda s: "; ".join(sorted(s)))
    named = ["place"] if "place" in member.areas.columns else []  # "Street, Ward" (analyse)
    out = member.areas[[member.id_column, *named, "geometry"]].copy()
    out["incidents"] = total
    out["covered"] = covered
    out["uncovered"] = total - covered
    out["share_covered"] = np.divide(covered, total, out=np.zeros(k), where=total > 0)
    out["cameras"] = cameras.reindex(np.arange(k), fill_value="").to_numpy()
    out = out.sort_values(
        ["uncovered", "incidents", member.id_column], ascending=[False, False, True]
    ).reset_index(drop=True)
    out["rank_uncovered"] = np.arange(1, k + 1)
    return out


def uncovered_hotspots(result: Coverage, *, max_share_covered: float = 0.0) -> gpd.GeoDataFrame:
    """Hotspots no camera covers (or covers at most ``max_share_covered``), most incidents first.

    Parameters
    ----------
    result
        From :func:`coverage` with ``hotspots``.
    max_share_covered
        0 (default): hotspots with no incident in view; 0.5: at most half in view.
    """
    if not 0.0 <= max_share_covered <= 1.0:
        raise ValueError(f"max_share_covered must be a share 0–1, got {max_share_covered}")
    table = hotspots_with_incidents(result)
    return table[table["share_covered"] <= max_share_covered].reset_index(drop=True)


def hotspots_with_incidents(result: Coverage) -> gpd.GeoDataFrame:
    """The hotspots with at least one incident, in ``by_hotspot``'s order: the ones a camera can
    see (one of their incidents in view) or not. A Gi* hot cell can have none of its own (hot
    through its neighbours' counts): no camera sees or misses it, so it is in neither count,
    and ``len(hotspots_with_incidents(r)) - len(uncovered_hotspots(r))`` is the hotspots a
    camera sees.

    Examples
    --------
    >>> len(hotspots_with_incidents(result)), len(uncovered_hotspots(result))  # doctest: +SKIP
    (167, 151)
    """
    if result.by_hotspot is None:
        raise ValueError("coverage was computed without hotspots; pass hotspots= to coverage()")
    table = result.by_hotspot
    return table[table["incidents"] > 0].reset_index(drop=True)


def cameras_left_out(result: Coverage) -> dict[str, int]:
    """Cameras not counted because they are not active: status → cameras, most first.

    Examples
    --------
    >>> cameras_left_out(coverage(incidents, cameras))  # doctest: +SKIP
    {'faulty': 2, 'decommissioned': 1}
    """
    statuses = pd.Series(list(result.params["cameras_left_out"].values()), dtype=object)
    return {str(status): int(n) for status, n in statuses.value_counts().items()}
