"""Exact, memory-light DBSCAN in metres for up to millions of incidents.

The labels equal ``sklearn.cluster.DBSCAN(eps, min_samples).fit(xy, sample_weight=w).labels_``
(same clusters, same numbering, same noise) without building neighbour lists:

1. Identical coordinates are collapsed into one location weighing their summed weight
   (police.uk snaps every record to a fixed set of map points). Copies of a location have
   the same neighbourhood, so they share core status and label: exact.
2. Locations are bucketed into cells of side just under ``eps / sqrt(2)``: a cell whose
   weight reaches ``min_samples`` makes all its points core. The other points are decided
   by bounds on their weight within eps from x-sorted strips (chords surely inside or
   outside the eps disc), with point checks only on the uncertain chord ends.
3. Core points of one cell are within eps of each other; two cells are joined when some
   pair of their core points is within eps (box bounds, extreme points, then an exact
   point check only where still undecided). Clusters are the connected components.
4. Numbering and border points follow scikit-learn's order semantics: its depth-first
   search starts clusters at core points in input order, so cluster ``k`` is the one whose
   first core point (in input order) comes ``k``-th, and a border point takes the
   *smallest* label among the clusters with a core point within eps (the first to reach
   it). Locations are numbered by first occurrence, which keeps that order.

Ties exactly at ``eps`` are compared as ``dx*dx + dy*dy <= eps*eps`` like scikit-learn's
KD-tree. With non-integer weights, weight sums may differ from scikit-learn's in the last
bit, which matters only for a point whose neighbour weight equals ``min_samples`` exactly.
"""

from __future__ import annotations

import numpy as np

from hotspots.analysis.clusters import _grid, _strips
from hotspots.analysis.clusters._points import (
    XYInput,
    check_min_samples,
    point_weights,
    unique_locations,
    xy_metres,
)
from hotspots.analysis.clusters._ranges import chunks, expand
from hotspots.analysis.clusters.eps import suggest_eps_locations
from hotspots.analysis.clusters.result import ClusterParams, ClusterResult, summarise

_BATCH = 100_000
"""Query points per batch in the neighbour-count and border steps."""


def dbscan(
    incidents_or_xy: XYInput,
    *,
    eps_m: float | None,
    min_samples: int,
    weights: np.ndarray | None = None,
) -> ClusterResult:
    """Cluster incidents with DBSCAN, eps in metres; exact and memory-light.

    Parameters
    ----------
    incidents_or_xy
        Incidents (``x``/``y`` metres in the working CRS) or an ``(n, 2)`` array of metres.
    eps_m
        Neighbourhood radius in metres. ``None`` picks it at the knee of the k-distance
        curve (:func:`suggest_eps`); the suggestion is returned with the result.
    min_samples
        Weighted neighbours within ``eps_m`` (the point itself included) that make a point
        core, as in scikit-learn.
    weights
        Optional non-negative weight per point (scikit-learn's ``sample_weight``).

    Returns
    -------
    ClusterResult
        ``labels`` per input point (``-1`` noise), ``is_core``, and ``params`` with eps,
        its source, the number of distinct locations, clusters and the noise share.

    Examples
    --------
    >>> import numpy as np
    >>> xy = np.array([[0, 0], [0, 10], [10, 0], [500, 500]], dtype=float)
    >>> res = dbscan(xy, eps_m=20, min_samples=3)
    >>> res.labels.tolist(), res.params.n_clusters
    ([0, 0, 0, -1], 1)
    """
    check_min_samples(min_samples)
    pts = xy_metres(incidents_or_xy)
    loc = unique_locations(pts, point_weights(weights, pts.shape[0]))
    suggestion = None
    if eps_m is None:
        suggestion = suggest_eps_locations(loc, min_samples=min_samples)
        eps = suggestion.eps_m
    elif not (np.isfinite(eps_m) and eps_m > 0):
        raise ValueError(f"eps_m must be a positive distance in metres, got {eps_m!r}")
    else:
        eps = float(eps_m)
    core, labels = dbscan_locations(loc.x, loc.y, loc.weight, eps=eps, min_samples=min_samples)
    point_labels = labels[loc.inverse]
    n_clusters, noise = summarise(point_labels)
    params = ClusterParams(
        method="dbscan",
        min_samples=int(min_samples),
        n_points=loc.n_points,
        n_unique_locations=loc.n_unique,
        n_clusters=n_clusters,
        noise_share=noise,
        exact=True,
        eps_m=eps,
        eps_source="user" if suggestion is None else "suggested (k-distance knee)",
        note="run on distinct locations weighted by their number of points (exact)",
    )
    return ClusterResult(
        labels=point_labels, params=params, is_core=core[loc.inverse], eps_suggestion=suggestion
    )


def dbscan_locations(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, *, eps: float, min_samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """DBSCAN core mask and labels of weighted points (any order, duplicates allowed)."""
    grid = _grid.build_grid(x, y, eps)
    core = _core_mask(grid, x, y, w, min_samples)
    cores = _grid.cell_set(grid, x, y, core)
    cell_label = _cell_labels(grid, cores, x, y, core)
    labels = np.full(x.size, -1, dtype=np.intp)
    labels[core] = cell_label[grid.cell_of_point[core]]
    border = np.flatnonzero(~core)
    for lo in range(0, border.size, _BATCH):
        batch = border[lo : lo + _BATCH]
        labels[batch] = _border_labels(grid, cores, x, y, batch, cell_label)
    return core, labels


def _core_mask(
    grid: _grid.Grid, x: np.ndarray, y: np.ndarray, w: np.ndarray, min_samples: int
) -> np.ndarray:
    """Points whose weight within eps (themselves included) reaches min_samples."""
    cell_weight = np.bincount(grid.cell_of_point, weights=w, minlength=grid.n_cells)
    core = (cell_weight >= min_samples)[grid.cell_of_point]  # a cell lies within eps
    todo = np.flatnonzero(~core)
    if todo.size:
        strips = _strips.build_strips(x, y, w, grid.eps)
        core[todo] = _strips.reaches(strips, x, y, w, todo, min_samples)
    return core


def _cell_labels(
    grid: _grid.Grid, cores: _grid.CellSet, x: np.ndarray, y: np.ndarray, core: np.ndarray
) -> np.ndarray:
    """Cluster label of each cell's core points (-1 for cells without core points)."""
    a, b = _candidate_cell_pairs(grid, cores)
    linked = _box_far2(cores, a, b) <= grid.eps2
    linked |= _linked_by_extremes(grid, cores, x, y, a, b)
    comp = _components(grid.n_cells, a[linked], b[linked])
    open_ = np.flatnonzero(~linked & (comp[a] != comp[b]))
    if open_.size:
        linked[open_] = _linked_exactly(grid, cores, x, y, a[open_], b[open_])
        comp = _components(grid.n_cells, a[linked], b[linked])
    # Number clusters by their first core point in input order (scikit-learn's DFS order).
    core_idx = np.flatnonzero(core)
    core_comp = comp[grid.cell_of_point[core_idx]]
    first = np.full(grid.n_cells, core.size)
    np.minimum.at(first, core_comp, core_idx)
    used = np.flatnonzero(first < core.size)
    rank = np.full(grid.n_cells, -1, dtype=np.intp)
    rank[used[np.argsort(first[used])]] = np.arange(used.size)
    return np.where(cores.count > 0, rank[comp], -1)


def _candidate_cell_pairs(grid: _grid.Grid, cores: _grid.CellSet) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of cells with core points whose core boxes come within eps of each other."""
    core_cells = np.flatnonzero(cores.count)
    src, b = _grid.neighbour_cells(grid, core_cells, _grid.HALF_OFFSETS)
    a = core_cells[src]
    keep = cores.count[b] > 0
    a, b = a[keep], b[keep]
    gx = np.maximum(np.maximum(cores.xmin[a] - cores.xmax[b], cores.xmin[b] - cores.xmax[a]), 0)
    gy = np.maximum(np.maximum(cores.ymin[a] - cores.ymax[b], cores.ymin[b] - cores.ymax[a]), 0)
    near = gx * gx + gy * gy <= grid.eps2
    return a[near], b[near]


def _box_far2(cores: _grid.CellSet, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared largest distance between two cells' core boxes (all pairs within if <= eps²)."""
    fx = np.maximum(cores.xmax[a] - cores.xmin[b], cores.xmax[b] - cores.xmin[a])
    fy = np.maximum(cores.ymax[a] - cores.ymin[b], cores.ymax[b] - cores.ymin[a])
    return fx * fx + fy * fy


def _linked_by_extremes(
    grid: _grid.Grid, cores: _grid.CellSet, x: np.ndarray, y: np.ndarray, a: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Cell pairs proven linked by their extreme core points (8 per cell, 64 distances)."""
    out = np.zeros(a.size, dtype=bool)
    if not a.size:
        return out
    reps = _extreme_points(cores, x, y)
    step = 50_000
    for lo in range(0, a.size, step):
        ra, rb = reps[a[lo : lo + step]], reps[b[lo : lo + step]]
        dx = x[ra][:, :, None] - x[rb][:, None, :]
        dy = y[ra][:, :, None] - y[rb][:, None, :]
        out[lo : lo + step] = (dx * dx + dy * dy <= grid.eps2).any(axis=(1, 2))
    return out


def _extreme_points(cores: _grid.CellSet, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per cell, the core points extreme in x, y and both diagonals (cells x 8 indices)."""
    full = np.flatnonzero(cores.count)
    members = cores.members
    xs, ys = x[members], y[members]
    cell_of = np.repeat(np.arange(cores.count.size), cores.count)
    reps = np.zeros((cores.count.size, 8), dtype=np.intp)
    for k, score in enumerate((xs, -xs, ys, -ys, xs + ys, -xs - ys, xs - ys, ys - xs)):
        low = np.minimum.reduceat(score, cores.start[full])
        hit = np.flatnonzero(score == np.repeat(low, cores.count[full]))
        first = hit[np.r_[True, cell_of[hit][1:] != cell_of[hit][:-1]]]
        reps[cell_of[first], k] = members[first]
    return reps


def _linked_exactly(
    grid: _grid.Grid, cores: _grid.CellSet, x: np.ndarray, y: np.ndarray, a: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Whether any core point of cell ``a[i]`` is within eps of a core point of ``b[i]``."""
    swap = cores.count[a] > cores.count[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    linked = np.zeros(a.size, dtype=bool)
    for part in chunks(cores.count[a], _BATCH):
        pair, at = expand(cores.start[a[part]], cores.count[a[part]])
        near = _grid.count_within(grid, cores, x, y, cores.members[at], b[part][pair]) > 0
        linked[part.start + pair[near]] = True
    return linked


def _components(n_cells: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected component of each cell in the graph of linked cell pairs."""
    from scipy.sparse import coo_matrix  # lazy: csgraph is imported only when clustering
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n_cells, n_cells))
    return connected_components(graph, directed=False)[1]


def _border_labels(
    grid: _grid.Grid, cores: _grid.CellSet, x: np.ndarray, y: np.ndarray, points: np.ndarray,
    cell_label: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Smallest label among clusters with a core point within eps of each point, else -1."""
    none = np.iinfo(np.intp).max
    own = grid.cell_of_point[points]
    best = np.where(cell_label[own] >= 0, cell_label[own], none)  # same cell: within eps
    src, cell = _grid.neighbour_cells(grid, own)
    # Only cells with core points whose label would improve on the one already found.
    keep = (cell_label[cell] >= 0) & (cell_label[cell] < best[src])
    src, cell = src[keep], cell[keep]
    near = _grid.count_within(grid, cores, x, y, points[src], cell) > 0
    np.minimum.at(best, src[near], cell_label[cell[near]])
    return np.where(best == none, -1, best)
