"""Which points are the same point: equal coordinates, both of them exactly.

Incidents repeat a few map points (police.uk snaps each to one of a few thousand per
district), so work that depends only on a point's place (its H3 cell, its ward, the cameras
that see it, its district) is done once per distinct point and given to its copies. Each
point is one complex number ``x + iy`` built from the two floats as they are (no arithmetic,
so no rounding), which pandas hashes in one pass.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
import shapely

_READ_KEPT = 4
"""How many arrays of points :func:`coordinates` keeps the coordinates of (the incidents',
and the few others read between two readings of theirs: the cells' centres)."""
_Reads = list[tuple[weakref.ref[np.ndarray], np.ndarray, np.ndarray]]
_reads: ContextVar[_Reads | None] = ContextVar("hotspots_point_reads", default=None)
"""Within :func:`reading_once`: the arrays of points :func:`coordinates` read last (newest
last), and their coordinates."""


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block (in this thread), :func:`coordinates` reads each array of points once:
    for one analysis, whose incidents nobody changes meanwhile. Outside it every call reads
    the points again, so an array changed in place (``gdf.loc[i, "geometry"] = ...`` writes
    into it) is never given its old coordinates."""
    if _reads.get() is not None:  # within an outer block: its reads
        yield
        return
    token = _reads.set([])
    try:
        yield
    finally:
        _reads.reset(token)


def coordinates(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shapely.get_x(points)`` and ``shapely.get_y(points)``, as read-only arrays.

    Within :func:`reading_once`, the coordinates of the last :data:`_READ_KEPT` arrays read
    are kept while those arrays live, and given again for the same array: an analysis reads
    its incidents' one array of points in five places (the forecast's rows, the grid, the
    ward counts twice, the place names; a million points 0.06 s each).

    Examples
    --------
    >>> pts = shapely.points([1.0, 3.0], [2.0, 4.0])
    >>> with reading_once():
    ...     x, y = coordinates(pts)
    ...     again = coordinates(pts)[0] is x
    >>> x.tolist(), y.tolist(), again, coordinates(pts)[0] is x
    ([1.0, 3.0], [2.0, 4.0], True, False)
    """
    read = _reads.get()
    kept = None if read is None else next((k for k in read if k[0]() is points), None)
    if kept is not None:
        return kept[1], kept[2]
    x, y = shapely.get_x(points), shapely.get_y(points)
    x.flags.writeable = y.flags.writeable = False  # shared by every caller
    if read is not None and isinstance(points, np.ndarray):
        read[:] = [r for r in read if r[0]() is not None][-(_READ_KEPT - 1) :]
        read.append((weakref.ref(points), x, y))
    return x, y


def point_keys(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each point ``(x, y)`` as one complex number (equal points, equal keys).

    Examples
    --------
    >>> point_keys(np.array([1.0, 1.0]), np.array([2.0, 2.0]))
    array([1.+2.j, 1.+2.j])
    """
    keys = np.empty(np.size(x), dtype=np.complex128)
    keys.real, keys.imag = x, y
    return keys


def few_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)`` (codes in order of first occurrence, the distinct values) of
    numbers that repeat a few distinct values (points, cells): its hash table begun small and
    grown as needed, not sized for as many values as rows (a million rows: 16 MB of fresh
    memory per call, ~3x the time for the ten thousand points police.uk's rows hold).

    Examples
    --------
    >>> codes, distinct = few_codes(np.array([5, 1, 5]))
    >>> codes.tolist(), distinct.tolist()
    ([0, 1, 0], [5, 1])
    """
    return pd.factorize(values, size_hint=min(len(values), _FEW_HINT))


_FEW_HINT = 1 << 14
"""The distinct values :func:`few_codes`'s hash table is first sized for."""


def distinct_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, distinct_x, distinct_y)``: the distinct points in order of first occurrence,
    and each point's position among them (``distinct_x[codes]`` is ``x``), ``-1`` for a point
    with a missing coordinate (NaN: not a point).

    Examples
    --------
    >>> codes, dx, dy = distinct_points(np.array([5.0, 1.0, 5.0]), np.array([6.0, 2.0, 6.0]))
    >>> codes.tolist(), dx.tolist(), dy.tolist()
    ([0, 1, 0], [5.0, 1.0], [6.0, 2.0])
    """
    codes, distinct = few_codes(point_keys(x, y))
    distinct = np.asarray(distinct, dtype=np.complex128)
    return (
        codes.astype(np.intp, copy=False),
        np.ascontiguousarray(distinct.real),
        np.ascontiguousarray(distinct.imag),
    )


def distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, axis=0, return_inverse=True)`` for a 2-D float array of coordinate pairs
    (an even number of columns: ``x, y`` or ``lon, lat, x, y``): the distinct rows sorted by
    their first column, then the next, and each row's position among them. Rows are hashed
    by pairs of columns (:func:`point_keys`) and only the distinct rows sorted (incidents
    repeat a few thousand map points: 100k rows 0.03 s against 0.06 s); one lexsort of every
    row when a value is missing. The same values and positions as ``np.unique``; a zero of a
    distinct row keeps the sign of its first occurrence.

    Examples
    --------
    >>> rows, at = distinct_rows(np.array([[2.0, 1.0], [1.0, 5.0], [2.0, 1.0]]))
    >>> rows.tolist(), at.tolist()
    ([[1.0, 5.0], [2.0, 1.0]], [1, 0, 1])
    """
    if not np.isfinite(x).all():
        order = np.lexsort(x.T[::-1])
        ordered = x[order]
        new = np.ones(len(x), dtype=bool)
        new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        inverse = np.empty(len(x), dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
        return ordered[new], inverse
    codes = np.zeros(len(x), dtype=np.int64)
    for j in range(0, x.shape[1], 2):  # codes of the rows' first columns, then with two more
        pair, distinct = few_codes(point_keys(x[:, j], x[:, j + 1]))
        codes = few_codes(codes * len(distinct) + pair)[0]
    first = first_rows(codes)
    rows = x[first]
    order = np.lexsort(rows.T[::-1])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rows[order], rank[codes]


class PointPool:
    """Point objects made already (``points``, at ``x``, ``y``), for :func:`shared_points` to
    reuse wherever it needs a point of the same coordinates."""

    def __init__(self, points: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
        codes, distinct_x, distinct_y = distinct_points(x, y)
        self.keys = pd.Index(point_keys(distinct_x, distinct_y))
        self.points = np.asarray(points, dtype=object)[first_rows(codes)]

    def points_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Points at ``(x, y)`` (distinct, none missing or zero: a key holds no sign of a
        zero), from the pool where it holds them, else made."""
        at = self.keys.get_indexer(point_keys(x, y))
        out = np.empty(len(at), dtype=object)
        held = at >= 0
        out[held] = self.points[at[held]]
        if not held.all():
            out[~held] = shapely.points(x[~held], y[~held])
        return out


def shared_points(x: np.ndarray, y: np.ndarray, *, pool: PointPool | None = None) -> np.ndarray:
    """Shapely points at ``(x, y)``: one point object per distinct point, shared by every row
    that repeats it (a million police.uk rows hold some ten thousand map points: made and held
    once each), taken from ``pool`` where it holds them. Equal, point for point and bit for
    bit, to ``shapely.points(x, y)``: rows with a missing coordinate, or a zero one (``-0.0``
    and ``0.0`` are one key here but two values), get their own point.

    Examples
    --------
    >>> import shapely
    >>> p = shared_points(np.array([1.0, 3.0, 1.0, -0.0]), np.array([2.0, 4.0, 2.0, 5.0]))
    >>> [g.wkt for g in p], p[0] is p[2], bool(np.signbit(shapely.get_x(p[3])))
    (['POINT (1 2)', 'POINT (3 4)', 'POINT (1 2)', 'POINT (0 5)'], True, True)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    codes, distinct_x, distinct_y = distinct_points(x, y)
    own = (codes < 0) | (x == 0) | (y == 0)  # NaN: no key in the hash table; zeros: signed
    out = np.empty(x.size, dtype=object)
    if pool is None:
        made = shapely.points(distinct_x, distinct_y)
    else:  # the distinct points of the rows that are not their own: none zero
        made = np.empty(len(distinct_x), dtype=object)
        used = np.zeros(len(distinct_x), dtype=bool)
        used[codes[~own]] = True
        made[used] = pool.points_at(distinct_x[used], distinct_y[used])
    out[~own] = made[codes[~own]]
    if own.any():
        out[own] = shapely.points(x[own], y[own])
    return out


def inside(area: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per point: whether ``area`` (in the points' coordinates) contains it (a point on its
    boundary does not), ``shapely.contains_xy`` worked out once per distinct point; ``False``
    where a coordinate is missing.

    Examples
    --------
    >>> inside(shapely.box(0, 0, 2, 2), np.array([1.0, 3.0, 1.0, np.nan, 2.0]),
    ...        np.array([1.0, 1.0, 1.0, 1.0, 1.0])).tolist()
    [True, False, True, False, False]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out = np.isfinite(x) & np.isfinite(y)
    if out.any():
        codes, distinct_x, distinct_y = distinct_points(x[out], y[out])
        out[out] = shapely.contains_xy(area, distinct_x, distinct_y)[codes]
    return out


def first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row holding each code, for codes numbered in order of first occurrence (as
    ``pandas.factorize`` and :func:`distinct_points` number them; ``-1`` rows skipped): a new
    code's first row is where it exceeds every code before it.

    Examples
    --------
    >>> first_rows(np.array([0, 1, 0, -1, 2, 1])).tolist()
    [0, 1, 4]
    """
    codes = np.asarray(codes)
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return np.flatnonzero(codes > before)
