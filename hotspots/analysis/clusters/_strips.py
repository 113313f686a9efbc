"""Exact "weight within eps reaches a threshold" for many points, without neighbour lists.

Points are cut into horizontal strips of height ``eps / STRIPS_PER_EPS`` and sorted by
x inside each strip, with running sums of weight. For a query point and one strip, the
members within a chord ``|x - qx| <= a_in`` are surely inside the eps disc and those beyond
``a_out`` surely outside, so two binary searches per bound give lower and upper bounds
on the weight within eps. Only points still undecided are checked point by point, and only
on the thin uncertain ends of each chord. The sure bounds carry a margin far above
rounding error, and the point checks use ``dx*dx + dy*dy <= eps*eps`` on the original
coordinates, so the result is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hotspots.analysis.clusters._ranges import chunks, expand

STRIPS_PER_EPS = 4
_BATCH = 100_000
_CHUNK = 2_000_000
_REL_MARGIN = 1e-12


@dataclass(frozen=True)
class Strips:
    """Points sorted by (strip, x) with running weights; see the module docstring."""

    eps: float
    height: float
    y0: float
    x0: float
    span: float
    ids: np.ndarray
    ymin: np.ndarray
    ymax: np.ndarray
    key: np.ndarray
    order: np.ndarray
    cumw: np.ndarray
    tol: float


def build_strips(x: np.ndarray, y: np.ndarray, w: np.ndarray, eps: float) -> Strips:
    """Cut points into strips of height ``eps / STRIPS_PER_EPS`` and sort them."""
    height = eps / STRIPS_PER_EPS
    y0, x0 = float(y.min()), float(x.min())
    strip = np.floor((y - y0) / height).astype(np.int64)
    ids, rank = np.unique(strip, return_inverse=True)
    span = float(x.max() - x0) + 2 * eps + 1.0
    key = rank * span + (x - x0)
    order = np.argsort(key, kind="stable")
    ymin = np.full(ids.size, np.inf)
    ymax = np.full(ids.size, -np.inf)
    np.minimum.at(ymin, rank, y)
    np.maximum.at(ymax, rank, y)
    sorted_key = key[order]
    top = max(float(np.abs(sorted_key).max()), float(np.abs(x).max()), float(np.abs(y).max()))
    return Strips(
        eps=eps,
        height=height,
        y0=y0,
        x0=x0,
        span=span,
        ids=ids,
        ymin=ymin,
        ymax=ymax,
        key=sorted_key,
        order=order,
        cumw=np.r_[0.0, np.cumsum(w[order])],
        tol=8 * np.spacing(top),
    )


def reaches(
    st: Strips, x: np.ndarray, y: np.ndarray, w: np.ndarray, query: np.ndarray, threshold: float
) -> np.ndarray:
    """Whether the weight within eps of each ``query`` point (itself included) >= threshold."""
    # Queries in (strip, x) order make every binary search's needles ascending: much faster.
    position = np.empty(st.order.size, dtype=np.intp)
    position[st.order] = np.arange(st.order.size)
    by_key = np.argsort(position[query], kind="stable")
    out = np.empty(query.size, dtype=bool)
    for lo in range(0, query.size, _BATCH):
        batch = by_key[lo : lo + _BATCH]
        out[batch] = _reaches_batch(st, x, y, w, query[batch], threshold)
    return out


def _reaches_batch(
    st: Strips, x: np.ndarray, y: np.ndarray, w: np.ndarray, query: np.ndarray, threshold: float
) -> np.ndarray:
    qx, qy = x[query], y[query]
    reach = int(np.ceil(st.eps / st.height)) + 1
    home = np.floor((qy - st.y0) / st.height).astype(np.int64)
    near = home[:, None] + np.arange(-reach, reach + 1)
    pos = np.minimum(np.searchsorted(st.ids, near), st.ids.size - 1)
    k, q = np.nonzero((st.ids[pos] == near).T)  # offset-major: ascending within each offset
    rank = pos[q, k]
    eps2 = st.eps * st.eps
    margin = _REL_MARGIN * eps2
    dy_near = np.maximum(np.maximum(st.ymin[rank] - qy[q], qy[q] - st.ymax[rank]), 0.0)
    dy_far = np.maximum(qy[q] - st.ymin[rank], st.ymax[rank] - qy[q])
    out2 = eps2 - dy_near * dy_near + margin
    in2 = eps2 - dy_far * dy_far - margin
    keep = out2 >= 0
    q, rank, out2, in2 = q[keep], rank[keep], out2[keep], in2[keep]
    centre = rank * st.span + (qx[q] - st.x0)
    a_out = np.sqrt(out2) + st.tol
    a_in = np.sqrt(np.maximum(in2, 0.0)) - st.tol
    has_in = (in2 >= 0) & (a_in >= 0)
    a_in = np.where(has_in, a_in, 0.0)
    o_lo = np.searchsorted(st.key, centre - a_out, side="left")
    o_hi = np.searchsorted(st.key, centre + a_out, side="right")
    i_lo = np.where(has_in, np.searchsorted(st.key, centre - a_in, side="left"), o_lo)
    i_hi = np.where(has_in, np.searchsorted(st.key, centre + a_in, side="right"), o_lo)
    sure = np.bincount(q, weights=st.cumw[i_hi] - st.cumw[i_lo], minlength=query.size)
    maybe = np.bincount(q, weights=st.cumw[o_hi] - st.cumw[o_lo], minlength=query.size)
    result = sure >= threshold
    open_ = np.flatnonzero(~result & (maybe >= threshold))
    if open_.size:
        # Exact check of the uncertain chord ends [o_lo, i_lo) and [i_hi, o_hi).
        sel = np.isin(q, open_)
        starts = np.r_[o_lo[sel], i_hi[sel]]
        counts = np.r_[i_lo[sel] - o_lo[sel], o_hi[sel] - i_hi[sel]]
        owner = np.r_[q[sel], q[sel]]
        extra = np.zeros(query.size)
        for part in chunks(counts, _CHUNK):
            ranges, at = expand(starts[part], counts[part])
            pts = st.order[at]
            who = owner[part][ranges]
            dx = x[pts] - qx[who]
            dy = y[pts] - qy[who]
            inside = dx * dx + dy * dy <= eps2
            extra += np.bincount(who[inside], weights=w[pts[inside]], minlength=query.size)
        result[open_] = sure[open_] + extra[open_] >= threshold
    return result
