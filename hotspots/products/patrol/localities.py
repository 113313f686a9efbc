"""Patrol localities: small, spaced, ranked places built from hot spots, one patrol stop each.

Three steps, all in metres in the working CRS (``incidents.attrs["working_crs"]``):

1. **Hot areas.** Significant hot H3 cells (Gi* bin ≥ 2 by default) merged when adjacent
   (connected components over H3 adjacency, :func:`hot_areas_from_cells`), or density
   clusters (:func:`hot_areas_from_clusters`).
2. **Patrol-sized units.** A hot area larger than one patrol stop is split by a greedy cover
   with discs of diameter ``max_across_m``: the disc centred on the incident location that holds
   the most (harm-weighted) incidents of the area becomes a unit and takes those incidents; no
   later centre may lie inside an earlier disc, and the next busiest disc is taken from what is
   left, until every incident of the area is in exactly one unit. A unit's outline is its disc
   clipped to the hot area, minus the discs of earlier units.
3. **Rank and spacing.** Units are ranked by incidents (or harm); greedily by rank, a unit whose
   centre lies within ``min_spacing_m`` of a better-ranked kept locality is dropped and reported
   (its incidents are in no locality, never moved into another).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspots.core.crs import WGS84, to_crs, to_lonlat
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.points import distinct_rows
from hotspots.data.schema import WORKING_CRS, check_incidents
from hotspots.space.grid import (
    cell_ints,
    cell_polygons,
    cells_to_ints,
    estimated_cells,
    neighbours,
    study_area_cells,
)

if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast

_QUAD_SEGS = 16
"""Segments per quarter circle of a locality disc (64-gon, vertices on the circle)."""

_INSCRIBED = float(np.cos(np.pi / (4 * _QUAD_SEGS)))
"""Ratio of the 64-gon's inscribed radius to its circumradius (0.9988): incidents within the
inscribed radius of a centre lie inside the drawn disc."""


@dataclass(frozen=True)
class HotAreas:
    """Hot areas: which incidents lie in which, and their outlines.

    Attributes
    ----------
    labels
        Hot area of each incident (``0 .. n - 1``), ``-1`` outside every hot area; in the
        order of the incidents given.
    pieces
        What the outlines are made of, in the working CRS (metres): with ``piece_area``
        ``None`` one (Multi)Polygon per hot area, its outline; else the hexagons of the hot
        areas' cells, united per area (:meth:`outlines_of`).
    source
        How the areas were made, in words.
    params
        Parameters used (JSON-serialisable).
    piece_area
        The hot area of each piece (``0 .. n - 1``), or ``None``.
    """

    labels: np.ndarray
    pieces: gpd.GeoSeries
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    piece_area: np.ndarray | None = None

    @cached_property
    def outlines(self) -> gpd.GeoSeries:
        """One (Multi)Polygon per hot area in the working CRS (metres), indexed ``0 .. n - 1``."""
        if self.piece_area is None:
            return self.pieces
        n = int(self.piece_area.max()) + 1 if self.piece_area.size else 0
        return gpd.GeoSeries(self.outlines_of(np.arange(n)), crs=self.pieces.crs)

    def outlines_of(self, areas: np.ndarray) -> np.ndarray:
        """The outlines (:attr:`outlines`' geometries) of the hot areas ``areas``, making only
        theirs: a plan draws a few localities in a force's hundreds of hot areas."""
        if self.piece_area is None:
            return self.pieces.to_numpy()[areas]
        wanted, where = np.unique(np.asarray(areas, dtype=np.intp), return_inverse=True)
        chosen = np.isin(self.piece_area, wanted)  # every area has a piece: one union each
        return _united(self.pieces.to_numpy()[chosen], self.piece_area[chosen])[where]


@dataclass(frozen=True)
class Localities:
    """Patrol localities and how every incident was allocated.

    Attributes
    ----------
    localities
        One row per kept locality, best first (EPSG:4326 outlines): ``locality`` (rank,
        1 = best), ``unit``, ``hot_area``, ``incidents``, [``harm``], ``centre_x``,
        ``centre_y`` (metres, working CRS), ``centre_lon``, ``centre_lat``, ``area_m2``,
        ``across_m`` (diameter of the smallest circle around the outline, metres).
        ``attrs["working_crs"]`` is set.
    membership
        Locality (rank) of each incident given, ``-1`` for none: outside every hot area, or in
        a unit dropped for spacing. An incident is in one locality at most.
    dropped
        Units dropped because their centre lay within ``min_spacing_m`` of a better-ranked
        locality: ``unit``, ``hot_area``, ``incidents``, [``harm``], ``too_close_to`` (the
        locality's rank), ``distance_m``, ``centre_x``, ``centre_y``.
    params
        Every parameter used or derived (JSON-serialisable), with the hot areas' source.
    """

    localities: gpd.GeoDataFrame
    membership: np.ndarray
    dropped: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def _xy(incidents: gpd.GeoDataFrame) -> np.ndarray:
    """Incident coordinates (metres, working CRS); raise when any is missing."""
    xy = np.column_stack(
        [incidents["x"].to_numpy(dtype=float), incidents["y"].to_numpy(dtype=float)]
    )
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} incident(s) have no x/y (metres); localities need located "
            "incidents: load data with hotspots.data.ingest, which quarantines rows "
            "without a location"
        )
    return xy


def hot_areas_from_cells(
    incidents: gpd.GeoDataFrame, cells: pd.DataFrame, *, min_bin: int = HOT_MIN_BIN
) -> HotAreas:
    """Hot areas from significant hot H3 cells, adjacent cells merged.

    Parameters
    ----------
    incidents
        Canonical incidents (mappable: sensitive rows already left out).
    cells
        One row per H3 cell with ``cell`` and ``gi_bin`` (Gi* confidence bin, -3..3), e.g.
        ``hotspots.analysis.stats.hotspots_gistar(grid_counts(...))`` or ``analyse(...).cells``.
    min_bin
        Smallest Gi* bin counted as hot: 1 (90 %; the default,
        :data:`hotspots.core.defaults.HOT_MIN_BIN`), 2 (95 %) or 3 (99 % confidence).

    Returns
    -------
    HotAreas
        Connected components of the hot cells over H3 adjacency (cells sharing an edge);
        outlines are the union of their hexagons in the working CRS.

    Examples
    --------
    >>> cells = hotspots_gistar(grid_counts(incidents, 9, study_area=area))  # doctest: +SKIP
    >>> areas = hot_areas_from_cells(incidents, cells, min_bin=2)  # doctest: +SKIP
    """
    check_incidents(incidents)
    missing = {"cell", "gi_bin"} - set(cells.columns)
    if missing:
        raise ValueError(
            f"cells lack column(s) {sorted(missing)}; pass Gi* cells from "
            "hotspots.analysis.stats.hotspots_gistar or "
            "hotspots.analysis.analyse.analyse(...).cells"
        )
    if min_bin not in (1, 2, 3):
        raise ValueError(f"min_bin is a Gi* confidence bin: 1, 2 or 3, got {min_bin!r}")
    hot = pd.unique(cells.loc[cells["gi_bin"].to_numpy() >= min_bin, "cell"].to_numpy(object))
    return _merged_cells(incidents, hot, _CELLS_SOURCE, {"min_bin": min_bin})


def hot_areas_from_forecast(incidents: gpd.GeoDataFrame, forecast: Forecast) -> HotAreas:
    """Hot areas from the forecast's hot spots (the cells it selects), adjacent cells merged.

    Parameters
    ----------
    incidents
        Canonical incidents (mappable: sensitive rows already left out).
    forecast
        :func:`hotspots.analysis.forecast.forecast` of the same area (its ``selected`` cells
        are the share of the area where next month's crime is most likely).

    Returns
    -------
    HotAreas
        As :func:`hot_areas_from_cells`; ``params`` add the forecast's method and coverage.
    """
    check_incidents(incidents)
    hot = forecast.selected["cell"].to_numpy(object)
    params = {"forecast_method": forecast.method, "coverage": float(forecast.coverage)}
    return _merged_cells(incidents, hot, _FORECAST_SOURCE, params)


def _merged_cells(
    incidents: gpd.GeoDataFrame, hot: np.ndarray, source: str, params: dict[str, Any]
) -> HotAreas:
    """Connected components of the H3 cells ``hot`` and which incidents lie in each."""
    crs = incidents.attrs[WORKING_CRS]
    params = {**params, "n_hot_cells": int(hot.size)}
    if hot.size == 0:
        labels = np.full(len(incidents), -1, dtype=np.intp)
        return HotAreas(labels, gpd.GeoSeries([], crs=crs), source, params)
    res = h3.get_resolution(str(hot[0]))
    _, component = connected_components(neighbours(hot, k=1), directed=False)
    lon = shapely.get_x(incidents.geometry.to_numpy())
    lat = shapely.get_y(incidents.geometry.to_numpy())
    # each incident's cell among the hot ones, matched as H3 indexes (not as text)
    position = pd.Index(cells_to_ints(hot)).get_indexer(cell_ints(lon, lat, res))
    labels = np.where(position >= 0, component[position], -1).astype(np.intp)
    hexagons = gpd.GeoSeries(hexagons_in(hot, crs), crs=crs)
    params.update(res=int(res), n_hot_areas=int(component.max()) + 1)
    return HotAreas(labels, hexagons, source, params, piece_area=component)


_hexagons: dict[str, dict[str, shapely.Geometry]] = {}
"""Hexagons of H3 cells in a working CRS (CRS → cell → polygon), made once per process: a
dashboard's selections draw their hot areas from the same study area's cells."""
_HEXAGONS_MAX = 250_000
"""Hexagons kept per CRS at most (about 60 MB); past it the kept ones are forgotten."""
_hexagons_lock = threading.Lock()


def hexagons_in(cells: np.ndarray, crs: str) -> np.ndarray:
    """The hexagons of the H3 ``cells`` in ``crs``: ``to_crs(cell_polygons(cells), crs)``'s
    geometries, each hexagon made once and kept (the same coordinates: each is reprojected
    on its own).

    Examples
    --------
    >>> hexagons_in(np.array(["89195db8b73ffff"]), "EPSG:27700")[0].geom_type
    'Polygon'
    """
    cells = np.asarray(cells, dtype=object)
    with _hexagons_lock:
        kept = _hexagons.setdefault(crs, {})
        found = [kept.get(cell) for cell in cells]
    missing = list(dict.fromkeys(c for c, g in zip(cells, found, strict=True) if g is None))
    if missing:
        made = dict(zip(missing, to_crs(cell_polygons(missing), crs).geometry, strict=True))
        with _hexagons_lock:
            if len(kept) + len(made) > _HEXAGONS_MAX:
                kept.clear()
            kept.update(made)
        found = [made[c] if g is None else g for c, g in zip(cells, found, strict=True)]
    out = np.empty(len(cells), dtype=object)
    out[:] = found
    return out


HEXAGONS_AHEAD_MAX = 100_000
"""A study area's cells made ahead at most (a county holds about 20,000 at resolution 9)."""


def keep_hexagons(area: shapely.Geometry, crs: str, res: int) -> bool:
    """Make and keep (:func:`hexagons_in`) the hexagons of every cell of the study ``area``
    (EPSG:4326) at ``res`` in ``crs``: the hot areas of every plan of the area are unions of
    some of them. ``False`` (nothing made) past :data:`HEXAGONS_AHEAD_MAX` cells: a region's
    or a nation's are made plan by plan, when first needed."""
    if estimated_cells(area, res) > HEXAGONS_AHEAD_MAX:
        return False
    hexagons_in(study_area_cells(area, res), crs)
    return True


def _united(shapes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """``shapely.union_all`` of the shapes of each group (one per distinct group, in the
    groups' order; each shape in its group's union in their order): what a pandas
    ``groupby(group).agg(union_all)`` gives, without its per-group overhead (a force's hot
    spots form hundreds of areas)."""
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    parts = np.split(shapes[order], starts[1:])
    out = np.empty(len(parts), dtype=object)
    out[:] = [shapely.union_all(part) for part in parts]
    return out


_FORECAST_SOURCE = (
    "the forecast's hot spots (cells where next month's crime is most likely), adjacent cells "
    "merged"
)
_CELLS_SOURCE = "significant hot H3 cells (Gi*), adjacent cells merged"


def hot_areas_from_clusters(
    incidents: gpd.GeoDataFrame, labels: ArrayLike, *, margin_m: float = 25.0
) -> HotAreas:
    """Hot areas from density clusters (e.g. :func:`hotspots.analysis.clusters.dbscan` labels).

    Parameters
    ----------
    incidents
        Canonical incidents, in the order the labels were computed.
    labels
        Cluster label per incident, ``-1`` for noise.
    margin_m
        Buffer in metres around each cluster's convex hull, so the outline does not run
        through its outermost incidents (police.uk map points are snapped to streets).

    Returns
    -------
    HotAreas with one area per cluster (labels renumbered ``0 .. n - 1`` in label order).

    Examples
    --------
    >>> areas = hot_areas_from_clusters(incidents, dbscan(incidents, eps_m=100,
    ...                                 min_samples=15).labels)  # doctest: +SKIP
    """
    check_incidents(incidents)
    raw = np.asarray(labels)
    if raw.shape != (len(incidents),):
        raise ValueError(
            f"labels has shape {raw.shape}; expected one cluster label per incident "
            f"({len(incidents)}), -1 for noise"
        )
    if not np.isfinite(margin_m) or margin_m < 0:
        raise ValueError(f"margin_m is a distance in metres >= 0, got {margin_m!r}")
    clustered = raw >= 0
    ids, compact = np.unique(raw[clustered], return_inverse=True)
    out = np.full(raw.shape, -1, dtype=np.intp)
    out[clustered] = compact
    xy = _xy(incidents)
    crs = incidents.attrs[WORKING_CRS]
    points = shapely.points(xy[clustered])
    hulls = [
        shapely.convex_hull(shapely.multipoints(points[compact == i])) for i in range(ids.size)
    ]
    outlines = gpd.GeoSeries(shapely.buffer(np.asarray(hulls, dtype=object), margin_m), crs=crs)
    params = {"n_clusters": int(ids.size), "margin_m": float(margin_m)}
    return HotAreas(out, outlines, "density clusters, convex hulls buffered", params)


def _check_harm(harm: ArrayLike | None, n: int) -> np.ndarray | None:
    if harm is None:
        return None
    values = np.asarray(harm, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"harm has shape {values.shape}; expected one weight per incident ({n})")
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(
            "harm weights must be finite and above 0 (see hotspots.products.patrol.harm_of); got "
            f"{int((~(np.isfinite(values) & (values > 0))).sum())} that are not"
        )
    return values


def _check_distances(max_across_m: float, min_spacing_m: float) -> None:
    if not (np.isfinite(max_across_m) and max_across_m > 0):
        raise ValueError(f"max_across_m is a distance in metres > 0, got {max_across_m!r}")
    if not np.isfinite(min_spacing_m) or min_spacing_m < max_across_m / 2:
        raise ValueError(
            f"min_spacing_m={min_spacing_m!r} m is below half of max_across_m={max_across_m} m: "
            "localities would overlap; use a spacing of at least the locality radius "
            f"({max_across_m / 2:g} m), e.g. min_spacing_m=max_across_m"
        )


def _neighbour_matrix(xy: np.ndarray, area: np.ndarray, radius: float) -> sparse.csr_array:
    """Binary matrix of location pairs within ``radius`` metres in the same area (self incl.)."""
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(radius, output_type="ndarray")
    pairs = pairs[area[pairs[:, 0]] == area[pairs[:, 1]]]
    diagonal = np.arange(n)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], diagonal])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], diagonal])
    # Pairs are distinct, so the CSR arrays are built directly (no duplicate summing).
    order = np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
    return sparse.csr_array((np.ones(rows.size), cols[order], indptr), shape=(n, n))


def _greedy_units(near: sparse.csr_array, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy disc cover of weighted locations: unit of each location and the unit centres.

    ``near`` is the symmetric same-area neighbour matrix at the disc radius. Each round takes
    the allowed location whose disc holds the most unallocated weight (ties: the first
    location), gives it those locations, and forbids centres inside its disc. Scores only
    fall, so units come out in non-increasing order of weight; the loop runs once per unit,
    the updates are sparse.

    A location alone in its disc (most of a force's) stays out of the loop: its score is its
    own weight throughout and taking it changes no other score, so its unit falls where its
    (score, position) falls among the units of the loop, as the rounds would have taken it.
    """
    unit = np.full(weight.size, -1, dtype=np.intp)
    centres: list[int] = []
    picked: list[float] = []  # each centre's score when taken
    score = near @ weight if weight.size else np.full(1, -np.inf)
    indptr, indices, data = near.indptr, near.indices, near.data
    alone = np.flatnonzero(np.diff(indptr) == 1)  # the row holds the location itself only
    alone_score = score[alone]
    score[alone] = -np.inf
    while True:
        best = int(score.argmax())
        if not math.isfinite(score[best]):
            break
        picked.append(float(score[best]))
        disc = indices[indptr[best] : indptr[best + 1]]
        taken = disc[unit[disc] < 0]
        unit[taken] = len(centres)
        if taken.size == 1:  # most units (a row holds each location once: the same floats)
            row = slice(indptr[taken[0]], indptr[taken[0] + 1])
            score[indices[row]] -= data[row] * weight[taken[0]]
            score[disc] = -np.inf
            centres.append(best)
            continue
        # score -= near[taken].T @ weight[taken], without building sparse matrices per unit:
        # the rows of ``taken`` gathered, summed per location in the same order (same floats)
        starts, lengths = indptr[taken], indptr[taken + 1] - indptr[taken]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        entries = offsets + np.arange(int(lengths.sum()))
        touched, where = np.unique(indices[entries], return_inverse=True)
        score[touched] -= np.bincount(
            where, weights=data[entries] * np.repeat(weight[taken], lengths)
        )
        score[disc] = -np.inf
        centres.append(best)
    # every centre in the order argmax takes them: highest score first, ties to the first
    where = np.concatenate([np.asarray(centres, dtype=np.intp), alone])
    order = np.lexsort((where, -np.concatenate([picked, alone_score])))
    number = np.empty(order.size, dtype=np.intp)
    number[order] = np.arange(order.size)
    unit[alone] = len(centres) + np.arange(alone.size)
    found = unit >= 0
    unit[found] = number[unit[found]]
    return unit, where[order]


def _spacing(centres: np.ndarray, min_spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy by rank: kept mask, and for dropped units the kept locality (unit) too close."""
    n = len(centres)
    kept = np.zeros(n, dtype=bool)
    blocker = np.full(n, -1, dtype=np.intp)
    pairs = cKDTree(centres).query_pairs(min_spacing_m, output_type="ndarray")
    gap = np.hypot(*(centres[pairs[:, 0]] - centres[pairs[:, 1]]).T)
    pairs = pairs[gap < min_spacing_m]
    order = np.argsort(pairs[:, 1], kind="stable")
    later, earlier = pairs[order, 1], pairs[order, 0]
    bounds = np.searchsorted(later, np.arange(n + 1))
    kept[bounds[1:] == bounds[:-1]] = True  # no better unit that close: kept, whatever is kept
    for u in np.unique(later).tolist():
        kept[u] = not kept[earlier[bounds[u] : bounds[u + 1]]].any()
    # a dropped unit's blocker: the nearest of its kept rivals (ties: the first in their order)
    rival = ~kept[later] & kept[earlier]
    dropped, rivals = later[rival], earlier[rival]
    if dropped.size:
        gaps = np.hypot(*(centres[rivals] - centres[dropped]).T)
        order = np.lexsort((np.arange(dropped.size), gaps, dropped))
        first = order[np.r_[True, dropped[order][1:] != dropped[order][:-1]]]
        blocker[dropped[first]] = rivals[first]
    return kept, blocker


def _outlines(
    centres: np.ndarray, area: np.ndarray, kept: np.ndarray, areas: HotAreas, r: float
) -> np.ndarray:
    """Outline of each kept unit: its disc clipped to its hot area, minus earlier discs (only
    the discs of those units and of the earlier ones overlapping them are made)."""
    keep = np.flatnonzero(kept)
    overlaps = cKDTree(centres).query_pairs(2 * r, output_type="ndarray")
    overlaps = overlaps[area[overlaps[:, 0]] == area[overlaps[:, 1]]]
    overlaps = overlaps[kept[overlaps[:, 1]]]
    needed = np.union1d(keep, overlaps[:, 0])
    discs = np.empty(len(centres), dtype=object)
    discs[needed] = shapely.buffer(shapely.points(centres[needed]), r, quad_segs=_QUAD_SEGS)
    shapes = shapely.intersection(discs[keep], areas.outlines_of(area[keep]))
    earlier = pd.Series(overlaps[:, 0]).groupby(overlaps[:, 1]).agg(list)
    for i, u in enumerate(keep):
        if u in earlier.index:
            shapes[i] = shapely.difference(shapes[i], shapely.union_all(discs[earlier[u]]))
    return shapes


def build_localities(
    incidents: gpd.GeoDataFrame,
    areas: HotAreas,
    *,
    max_across_m: float = 200.0,
    min_spacing_m: float = 200.0,
    harm: ArrayLike | None = None,
    top: int | None = None,
) -> Localities:
    """Split hot areas into patrol-sized units, rank them and keep them spaced apart.

    Parameters
    ----------
    incidents
        Canonical incidents (mappable: sensitive rows left out), the ones ``areas`` labels.
    areas
        From :func:`hot_areas_from_cells` or :func:`hot_areas_from_clusters`.
    max_across_m
        Largest locality in metres (working CRS): the diameter of the disc a unit is cut from
        (guidance: about 150–250 m, one patrol stop).
    min_spacing_m
        Smallest distance in metres between the centres of two localities; at least
        ``max_across_m / 2`` so they cannot overlap. Default ``max_across_m``: kept localities
        never touch.
    harm
        Optional harm weight per incident (:func:`hotspots.products.patrol.harm_of`): units are then
        formed and ranked by harm instead of count.
    top
        Only the best ``top`` localities are drawn (outlines, centres) in ``localities`` (a
        plan of the top N); ``membership`` and the counts still rank every one. ``None``: all.

    Returns
    -------
    Localities
        The kept localities (ranked), each incident's locality, the dropped units and the
        parameters.

    Examples
    --------
    >>> areas = hot_areas_from_cells(incidents, cells)  # doctest: +SKIP
    >>> result = build_localities(incidents, areas, max_across_m=200, min_spacing_m=250)
    ...  # doctest: +SKIP
    >>> result.localities[["locality", "incidents", "area_m2"]].head()  # doctest: +SKIP
    """
    check_incidents(incidents)
    _check_distances(max_across_m, min_spacing_m)
    labels = np.asarray(areas.labels)
    if labels.shape != (len(incidents),):
        raise ValueError(
            f"hot areas label {labels.shape[0]} incidents but {len(incidents)} were given; build "
            "the hot areas from the same incidents"
        )
    weights = _check_harm(harm, len(incidents))
    ranked_by = "count" if weights is None else "harm"
    r = max_across_m / 2
    inside = np.flatnonzero(labels >= 0)
    xy = _xy(incidents)[inside] if inside.size else np.empty((0, 2))
    # the distinct locations (area, x, y), sorted, and each incident's: a groupby's keys
    area = labels[inside].astype(float)
    loc, loc_of = distinct_rows(np.column_stack([area, np.zeros(area.size), xy]))
    loc_area = loc[:, 0].astype(np.intp)
    loc_xy = np.ascontiguousarray(loc[:, 2:])
    loc_n = np.bincount(loc_of, minlength=len(loc)).astype(float)
    # harm summed as a pandas groupby sums (compensated), not np.bincount's plain sum: each
    # location's weight keeps its floats, and so the units' order
    loc_w = (
        loc_n if weights is None else pd.Series(weights[inside]).groupby(loc_of).sum().to_numpy()
    )
    near = _neighbour_matrix(loc_xy, loc_area, r * _INSCRIBED)
    loc_unit, centre_loc = _greedy_units(near, loc_w)

    n_units = centre_loc.size
    unit_w = np.bincount(loc_unit, weights=loc_w, minlength=n_units)
    unit_n = np.bincount(loc_unit, weights=loc_n, minlength=n_units)
    centres = loc_xy[centre_loc].reshape(-1, 2)
    unit_area = loc_area[centre_loc]
    kept, blocker = _spacing(centres, min_spacing_m)
    rank = np.full(n_units, -1, dtype=np.intp)
    rank[kept] = np.arange(1, int(kept.sum()) + 1)

    membership = np.full(len(incidents), -1, dtype=np.intp)
    membership[inside] = rank[loc_unit[loc_of]]
    crs = incidents.attrs[WORKING_CRS]
    # an outline depends on the earlier units only: the best ``top`` need no later one
    drawn = kept if top is None else kept & (rank <= top)
    localities = _locality_frame(
        centres, unit_area, drawn, areas, r, unit_n, unit_w, ranked_by, crs
    )
    dropped = pd.DataFrame(
        {
            "unit": np.flatnonzero(~kept) + 1,
            "hot_area": unit_area[~kept],
            "incidents": unit_n[~kept].astype(np.int64),
            **({"harm": unit_w[~kept]} if ranked_by == "harm" else {}),
            "too_close_to": rank[blocker[~kept]],
            "distance_m": np.hypot(*(centres[~kept] - centres[blocker[~kept]]).T),
            "centre_x": centres[~kept, 0],
            "centre_y": centres[~kept, 1],
        }
    )
    params = {
        "hot_areas": areas.source,
        **areas.params,
        "ranked_by": ranked_by,
        "max_across_m": float(max_across_m),
        "min_spacing_m": float(min_spacing_m),
        "disc_radius_m": float(r),
        "n_units": int(n_units),
        "n_localities": int(kept.sum()),
        "n_dropped": int((~kept).sum()),
        "incidents_in_hot_areas": int(inside.size),
        "incidents_in_localities": int((membership > 0).sum()),
        "incidents_in_dropped_units": int(dropped["incidents"].sum()),
    }
    return Localities(localities, membership, dropped, params)


def _locality_frame(
    centres: np.ndarray,
    unit_area: np.ndarray,
    kept: np.ndarray,
    areas: HotAreas,
    r: float,
    unit_n: np.ndarray,
    unit_w: np.ndarray,
    ranked_by: str,
    crs: str,
) -> gpd.GeoDataFrame:
    """The kept units as a ranked GeoDataFrame (outlines in EPSG:4326)."""
    shapes = _outlines(centres, unit_area, kept, areas, r)
    keep = np.flatnonzero(kept)
    lon, lat = to_lonlat(centres[keep, 0], centres[keep, 1], crs)
    frame = pd.DataFrame(
        {
            "locality": np.arange(1, keep.size + 1),
            "unit": keep + 1,
            "hot_area": unit_area[keep],
            "incidents": unit_n[keep].astype(np.int64),
            **({"harm": unit_w[keep]} if ranked_by == "harm" else {}),
            "centre_x": centres[keep, 0],
            "centre_y": centres[keep, 1],
            "centre_lon": np.asarray(lon, dtype=float),
            "centre_lat": np.asarray(lat, dtype=float),
            "area_m2": shapely.area(shapes),
            "across_m": 2 * shapely.minimum_bounding_radius(shapes),
        }
    )
    out = gpd.GeoDataFrame(frame, geometry=to_crs(gpd.GeoSeries(shapes, crs=crs), WGS84))
    out.attrs[WORKING_CRS] = crs
    return out
