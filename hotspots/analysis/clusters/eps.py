"""Suggest DBSCAN's eps from the knee of the k-distance curve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hotspots.analysis.clusters._points import (
    Locations,
    XYInput,
    check_min_samples,
    point_weights,
    unique_locations,
    xy_metres,
)
from hotspots.core.defaults import (
    DBSCAN_MAX_EPS_M,
    DBSCAN_MIN_SAMPLES_FLOOR,
    DBSCAN_MIN_SAMPLES_SHARE,
    dbscan_eps_m,
    dbscan_min_samples,
)

_QUERY_CELLS = 4_000_000
"""Neighbour distances held at once while computing k-distances (about 100 MB)."""

_FIRST_K_FACTOR = 2
"""The first k-distance query asks for this many times the neighbours an average location
needs: most rows are settled by it, and the rest by doubling k (bench/bench_dashboard.py)."""

_CURVE_POINTS = 501
"""Points kept on the plotted curve (evenly spaced in share of incidents)."""


@dataclass(frozen=True)
class EpsSuggestion:
    """An eps chosen at the knee of the k-distance curve, with the curve to plot.

    Attributes
    ----------
    eps_m
        Suggested eps in metres (working CRS).
    min_samples
        The k of the curve: weighted neighbours, the point itself included.
    knee_share
        Share of incidents (0..1) whose k-distance is at most ``eps_m``: roughly the share
        that would be core points at this eps.
    ignore_top_share
        Share of incidents with the largest k-distances left out of the knee search
        (isolated outliers that would otherwise flatten the curve); still on the curve.
        Incidents with k-distance 0 are left out too (core at any eps).
    curve_share, curve_eps_m
        The k-distance curve: share of incidents (ascending, 0..1) against k-distance (m).
    n_points, n_unique_locations
        Input points and their distinct locations.
    sample_size, seed
        Incidents drawn (weighted, with replacement, seeded) to estimate the curve when
        there are more distinct locations than ``sample_size``; ``sample_size`` is
        ``None`` when every location was used (the exact curve).
    method
        How the knee was found.
    """

    eps_m: float
    min_samples: int
    knee_share: float
    ignore_top_share: float
    curve_share: np.ndarray
    curve_eps_m: np.ndarray
    n_points: int
    n_unique_locations: int
    sample_size: int | None
    seed: int
    method: str = "kneedle on the positive k-distances (max of normalised share − k-distance)"


def suggest_eps(
    xy: XYInput,
    *,
    min_samples: int,
    weights: np.ndarray | None = None,
    ignore_top_share: float = 0.02,
    sample_size: int = 100_000,
    seed: int = 0,
) -> EpsSuggestion:
    """Suggest DBSCAN's eps (metres) at the knee of the k-distance curve.

    A point's k-distance is the smallest radius whose disc holds ``min_samples`` weight,
    the point itself included: the smallest eps at which it would be a core point.
    Sorted over all incidents (a location with many incidents counts that many times) the
    curve stays low inside hotspots and climbs steeply towards isolated incidents; the
    knee (Kneedle: the point furthest below the chord once both axes are scaled to 0..1)
    separates the two. Incidents whose own location holds ``min_samples`` (k-distance 0,
    common in police.uk data snapped to map points) are core at any eps, and the top
    ``ignore_top_share`` of k-distances (outliers kilometres from anything) would flatten
    the curve: both are left out of the knee search but kept on the curve. Beyond
    ``sample_size`` distinct locations the curve is estimated from a seeded weighted sample
    of incidents (their neighbours still counted among all points): 100,000 draws pin
    every plotted quantile to about ±0.3 percentage points.

    Parameters
    ----------
    xy
        Incidents (``x``/``y`` metres in the working CRS) or an ``(n, 2)`` array of metres.
    min_samples
        The k of the curve; use the ``min_samples`` you will pass to :func:`dbscan`.
    weights
        Optional weight per point (e.g. incidents per location); default 1 each.
    ignore_top_share
        Share of the largest k-distances ignored when finding the knee (0 <= share < 0.5).
    sample_size, seed
        Draws used to estimate the curve on larger data, and the random seed.

    Returns
    -------
    EpsSuggestion
        eps in metres, the knee's share and the curve for plotting.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xy = np.r_[rng.normal(0, 50, (500, 2)), rng.uniform(-5000, 5000, (100, 2))]
    >>> s = suggest_eps(xy, min_samples=10)
    >>> 10 < s.eps_m < 1000
    True
    """
    pts = xy_metres(xy)
    w = point_weights(weights, pts.shape[0])
    return suggest_eps_locations(
        unique_locations(pts, w),
        min_samples=min_samples,
        ignore_top_share=ignore_top_share,
        sample_size=sample_size,
        seed=seed,
    )


def suggest_eps_locations(
    loc: Locations,
    *,
    min_samples: int,
    ignore_top_share: float = 0.02,
    sample_size: int = 100_000,
    seed: int = 0,
) -> EpsSuggestion:
    """:func:`suggest_eps` on already collapsed locations (used by :func:`dbscan`)."""
    if not 0 <= ignore_top_share < 0.5:
        raise ValueError(f"ignore_top_share must be in [0, 0.5), got {ignore_top_share}")
    check_min_samples(min_samples)
    check_min_samples(sample_size)
    total = float(loc.weight.sum())
    if total < min_samples:
        raise ValueError(
            f"total weight {total:g} is below min_samples={min_samples}: no point can be core; "
            "lower min_samples or cluster more incidents"
        )
    sampled = loc.n_unique > sample_size
    if sampled:
        draws = np.random.default_rng(seed).multinomial(sample_size, loc.weight / total)
        query = np.flatnonzero(draws)
        mass = draws[query].astype(float)
    else:
        query, mass = np.arange(loc.n_unique), loc.weight
    kdist = _k_distances(loc, query, min_samples)
    order = np.argsort(kdist, kind="stable")
    share = np.cumsum(mass[order]) / mass.sum()
    sorted_k = kdist[order]
    curve_share = np.linspace(0.0, 1.0, _CURVE_POINTS)
    curve_eps = sorted_k[np.minimum(np.searchsorted(share, curve_share), share.size - 1)]
    eps, knee_share = _kneedle(curve_share, curve_eps, 1.0 - ignore_top_share)
    return EpsSuggestion(
        eps_m=eps,
        min_samples=min_samples,
        knee_share=knee_share,
        ignore_top_share=ignore_top_share,
        curve_share=curve_share,
        curve_eps_m=curve_eps,
        n_points=loc.n_points,
        n_unique_locations=loc.n_unique,
        sample_size=sample_size if sampled else None,
        seed=seed,
    )


def _k_distances(loc: Locations, query: np.ndarray, min_samples: int) -> np.ndarray:
    """Per queried location: distance at which the weight in reach first hits min_samples."""
    from scipy.spatial import cKDTree  # lazy: scipy.spatial imports scipy.special (~0.1 s)

    pts = np.column_stack([loc.x, loc.y])
    tree = cKDTree(pts)
    out = np.zeros(loc.n_unique)  # 0 where the location itself holds min_samples
    todo = query[loc.weight[query] < min_samples]
    # Start with _FIRST_K_FACTOR times the neighbours an average location's weight needs,
    # doubling for the rest: exact (a row is settled only once its k nearest reach
    # min_samples, at the same distance whatever k) and, with police.uk's shared map points,
    # several times fewer neighbours than starting at k = min_samples.
    mean_weight = float(loc.weight.sum()) / loc.n_unique
    first_k = np.ceil(_FIRST_K_FACTOR * min_samples / mean_weight)
    k = int(min(max(1, first_k), min_samples, loc.n_unique))
    while todo.size:
        left = []
        for lo in range(0, todo.size, max(1, _QUERY_CELLS // k)):
            rows = todo[lo : lo + max(1, _QUERY_CELLS // k)]
            dist, idx = tree.query(pts[rows], k=k, workers=-1)
            dist, idx = dist.reshape(rows.size, k), idx.reshape(rows.size, k)
            reached = np.cumsum(loc.weight[idx], axis=1) >= min_samples
            done = reached.any(axis=1)  # all are once k covers every location (total checked)
            out[rows[done]] = dist[done, reached[done].argmax(axis=1)]
            left.append(rows[~done])
        todo = np.concatenate(left)
        k = min(2 * k, loc.n_unique)
    return out[query]


def _kneedle(share: np.ndarray, kdist: np.ndarray, upto: float) -> tuple[float, float]:
    """Knee of the increasing curve's positive part: max of normalised x minus normalised y."""
    keep = (share <= upto) & (kdist > 0)
    if keep.sum() < 3:
        raise ValueError(
            "no k-distance curve to find a knee on: almost every incident shares its location "
            "with min_samples or more others, so it is core at any eps; raise min_samples "
            "or give eps_m"
        )
    xs, ys = share[keep], kdist[keep]
    span_x, span_y = xs[-1] - xs[0], ys[-1] - ys[0]
    if span_y <= 0:
        return float(ys[-1]), float(xs[-1])
    gap = (xs - xs[0]) / span_x - (ys - ys[0]) / span_y
    knee = int(np.argmax(gap))
    return float(ys[knee]), float(xs[knee])


@dataclass(frozen=True)
class DbscanSettings:
    """DBSCAN's eps and min_samples as used, and how each was chosen.

    Attributes
    ----------
    eps_m
        Radius in metres; ``None`` when it was not needed (HDBSCAN).
    min_samples
        Core threshold (weighted neighbours within ``eps_m``, self included).
    notes
        JSON-serialisable: ``min_samples_source`` and, for an automatic eps, ``eps_knee_m``,
        ``eps_cap_m`` and ``eps_source``; ``skipped`` as below, when set.
    skipped
        Why no clusters can be found, in words ("too few incidents to find clusters: at
        least 10 are needed"), when the incidents are fewer than ``min_samples``; ``None``
        otherwise.
    """

    eps_m: float | None
    min_samples: int
    notes: dict[str, Any]
    skipped: str | None = None


def dbscan_settings(
    xy: XYInput,
    *,
    eps_m: float | None = None,
    min_samples: int | None = None,
    max_eps_m: float = DBSCAN_MAX_EPS_M,
    need_eps: bool = True,
) -> DbscanSettings:
    """The one DBSCAN policy of every entry point: the user's values, else automatic ones.

    Automatic ``min_samples``: :func:`hotspots.core.defaults.dbscan_min_samples` (0.3 % of the
    incidents, at least 10). Automatic ``eps_m``: the knee of the k-distance curve
    (:func:`suggest_eps`), at most ``max_eps_m`` (:data:`~hotspots.core.defaults.DBSCAN_MAX_EPS_M`).

    Parameters
    ----------
    xy
        Mappable incidents (``x``/``y`` metres in the working CRS) or an ``(n, 2)`` array.
    eps_m, min_samples
        Given values (kept as they are); ``None`` chooses them.
    max_eps_m
        Cap on the automatic eps, metres.
    need_eps
        ``False`` skips the eps (HDBSCAN needs only ``min_samples``).

    Fewer incidents than ``min_samples`` (the automatic one, or one given: an analyst's tuning
    kept for a smaller selection) is no error: ``skipped`` says why, and no eps is chosen.

    Examples
    --------
    >>> dbscan_settings(incidents).notes["min_samples_source"]  # doctest: +SKIP
    'auto: 0.3 % of mapped incidents, at least 10'
    """
    notes: dict[str, Any] = {"min_samples_source": "user"}
    n = len(xy)
    if min_samples is not None and min_samples > n:  # no point can be core
        skipped = f"{n:,} incidents, fewer than the min_samples given ({min_samples})"
        return DbscanSettings(eps_m, int(min_samples), notes | {"skipped": skipped}, skipped)
    if min_samples is None:
        min_samples = dbscan_min_samples(n)
        notes["min_samples_source"] = (
            f"auto: {100 * DBSCAN_MIN_SAMPLES_SHARE:g} % of mapped incidents, at least "
            f"{DBSCAN_MIN_SAMPLES_FLOOR}"
        )
        if min_samples > n:  # fewer than the floor: no point can be core
            skipped = f"too few incidents to find clusters: at least {min_samples} are needed"
            return DbscanSettings(None, min_samples, notes | {"skipped": skipped}, skipped)
    if need_eps and eps_m is None:
        knee = suggest_eps(xy, min_samples=min_samples).eps_m
        eps_m = dbscan_eps_m(knee, max_eps_m=max_eps_m)
        notes |= {
            "eps_knee_m": knee,
            "eps_cap_m": max_eps_m,
            "eps_source": "k-distance knee"
            + (f" ({knee:.0f} m) capped at {max_eps_m:.0f} m" if knee > max_eps_m else ""),
        }
    return DbscanSettings(eps_m, int(min_samples), notes)
