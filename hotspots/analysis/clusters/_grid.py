"""A square grid at DBSCAN scale, and exact "how many points lie within eps" queries.

The cell side is a hair under ``eps / sqrt(2)``, so any two points in one cell are within
``eps`` of each other and every point within ``eps`` of a point lies in the 5 x 5 block of
cells around it. Queries pair a point with a neighbouring cell: cells whose bounding box is
wholly inside (or outside) the ``eps`` disc are decided from the box alone; only boundary
cells are checked point by point, in bounded chunks. Distances are compared as
``dx*dx + dy*dy <= eps*eps`` on the original coordinates, the same arithmetic as
scikit-learn's KD-tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hotspots.analysis.clusters._ranges import chunks, expand

_SHRINK = 1.0 - 1e-6
"""Cell side factor under eps/sqrt(2): keeps in-cell distances safely below eps after rounding."""

_CHUNK = 2_000_000
"""Point-pair distances evaluated per chunk (about 100 MB of temporaries)."""

OFFSETS = np.array([(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3) if (dx, dy) != (0, 0)])
"""The 24 neighbouring cell offsets within reach of eps."""

HALF_OFFSETS = OFFSETS[(OFFSETS[:, 0] > 0) | ((OFFSETS[:, 0] == 0) & (OFFSETS[:, 1] > 0))]
"""The 12 offsets of one half-plane: each unordered pair of cells appears once."""


@dataclass(frozen=True)
class Grid:
    """Points bucketed into square cells of side just under ``eps / sqrt(2)``."""

    eps: float
    cell_of_point: np.ndarray
    keys: np.ndarray
    stride: int

    @property
    def eps2(self) -> float:
        """eps squared: distances are compared as ``dx*dx + dy*dy <= eps2``."""
        return self.eps * self.eps

    @property
    def n_cells(self) -> int:
        """Number of occupied cells."""
        return int(self.keys.size)


@dataclass(frozen=True)
class CellSet:
    """A subset of points grouped by grid cell (CSR), with each cell's bounding box."""

    members: np.ndarray
    start: np.ndarray
    count: np.ndarray
    xmin: np.ndarray
    xmax: np.ndarray
    ymin: np.ndarray
    ymax: np.ndarray


def build_grid(x: np.ndarray, y: np.ndarray, eps: float) -> Grid:
    """Bucket points into cells; cells are numbered in sorted key order."""
    side = eps / np.sqrt(2.0) * _SHRINK
    ix = np.floor((x - x.min()) / side).astype(np.int64) + 2
    iy = np.floor((y - y.min()) / side).astype(np.int64) + 2
    stride = int(iy.max()) + 3
    keys, cell_of_point = np.unique(ix * stride + iy, return_inverse=True)
    return Grid(eps=eps, cell_of_point=cell_of_point, keys=keys, stride=stride)


def cell_set(grid: Grid, x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> CellSet:
    """Group the points selected by ``mask`` by cell, with per-cell bounding boxes."""
    idx = np.flatnonzero(mask)
    cells = grid.cell_of_point[idx]
    members = idx[np.argsort(cells, kind="stable")]
    count = np.bincount(cells, minlength=grid.n_cells)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    xmin = np.full(grid.n_cells, np.inf)
    ymin = np.full(grid.n_cells, np.inf)
    xmax = np.full(grid.n_cells, -np.inf)
    ymax = np.full(grid.n_cells, -np.inf)
    full = np.flatnonzero(count)
    if full.size:
        for box, coord, reduce in ((xmin, x, np.minimum), (xmax, x, np.maximum),
                                   (ymin, y, np.minimum), (ymax, y, np.maximum)):  # fmt: skip
            box[full] = reduce.reduceat(coord[members], start[full])
    return CellSet(members, start, count, xmin, xmax, ymin, ymax)


def neighbour_cells(
    grid: Grid, cells: np.ndarray, offsets: np.ndarray = OFFSETS
) -> tuple[np.ndarray, np.ndarray]:
    """All (position in ``cells``, neighbouring occupied cell) pairs over ``offsets``."""
    key = grid.keys[cells]
    target = (key[:, None] + offsets[:, 0] * grid.stride + offsets[:, 1]).ravel()
    pos = np.minimum(np.searchsorted(grid.keys, target), grid.n_cells - 1)
    hit = grid.keys[pos] == target
    source = np.repeat(np.arange(cells.size), offsets.shape[0])
    return source[hit], pos[hit]


def count_within(
    grid: Grid, cs: CellSet, x: np.ndarray, y: np.ndarray, query: np.ndarray, cell: np.ndarray
) -> np.ndarray:
    """Number of ``cs``'s points in ``cell[i]`` within eps of point ``query[i]``, for each i."""
    qx, qy = x[query], y[query]
    inside, reach = _box_test(grid, cs, qx, qy, cell)
    out = np.where(inside, cs.count[cell], 0)
    partial = np.flatnonzero(reach & ~inside)
    if partial.size:
        out[partial] = _count_pointwise(grid, cs, x, y, qx[partial], qy[partial], cell[partial])
    return out


def _box_test(
    grid: Grid, cs: CellSet, qx: np.ndarray, qy: np.ndarray, cell: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether ``cs``'s box in ``cell[i]`` lies wholly within eps of ``(qx[i], qy[i])``
    (``inside``), and whether any of it does (``reach``; False for empty cells)."""
    dx_far = np.maximum(np.abs(qx - cs.xmin[cell]), np.abs(qx - cs.xmax[cell]))
    dy_far = np.maximum(np.abs(qy - cs.ymin[cell]), np.abs(qy - cs.ymax[cell]))
    dx_near = np.maximum(np.maximum(cs.xmin[cell] - qx, qx - cs.xmax[cell]), 0.0)
    dy_near = np.maximum(np.maximum(cs.ymin[cell] - qy, qy - cs.ymax[cell]), 0.0)
    reach = (dx_near * dx_near + dy_near * dy_near <= grid.eps2) & (cs.count[cell] > 0)
    inside = reach & (dx_far * dx_far + dy_far * dy_far <= grid.eps2)
    return inside, reach


def _count_pointwise(
    grid: Grid,
    cs: CellSet,
    x: np.ndarray,
    y: np.ndarray,
    qx: np.ndarray,
    qy: np.ndarray,
    cell: np.ndarray,
) -> np.ndarray:
    """Point-by-point count within eps, pair chunks sized to keep temporaries bounded."""
    out = np.empty(cell.size, dtype=np.intp)
    for part in chunks(cs.count[cell], _CHUNK):
        pair, at = expand(cs.start[cell[part]], cs.count[cell[part]])
        members = cs.members[at]
        dx = x[members] - qx[part][pair]
        dy = y[members] - qy[part][pair]
        near = dx * dx + dy * dy <= grid.eps2
        out[part] = np.bincount(pair[near], minlength=part.stop - part.start)
    return out
