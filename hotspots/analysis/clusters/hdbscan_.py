"""HDBSCAN of incidents in metres, with duplicate locations passed as copies.

Engine: the ``hdbscan`` package, chosen by measurement (bench/bench_clusters.py: several
times faster than ``sklearn.cluster.HDBSCAN``). It runs with an exact minimum spanning tree
(its default is approximate) and with ``min_samples - 1``, because its ``min_samples``
leaves the point itself out while scikit-learn's (and :func:`dbscan`'s) counts it.

HDBSCAN has no sample weights, so each distinct location of weight ``w`` (its number of
incidents) is passed as ``min(w, max_copies)`` copies, and every incident at a location
takes the label most of its copies got. With ``max_copies=None`` every incident is passed:
the method on the raw points up to the order of tied distances. HDBSCAN breaks ties between
identical points by input order, so even scikit-learn on police.uk records (many per map
point) agrees with itself on shuffled rows only at ARI ~0.985. A cap speeds up heavily
snapped data but changes cluster sizes in the condensed tree: ``params.exact`` is then False.
"""

from __future__ import annotations

import numpy as np

from hotspots.analysis.clusters._points import (
    XYInput,
    check_min_samples,
    point_weights,
    unique_locations,
    xy_metres,
)
from hotspots.analysis.clusters.result import ClusterParams, ClusterResult, summarise


def hdbscan_clusters(
    incidents_or_xy: XYInput,
    *,
    min_cluster_size: int,
    min_samples: int | None = None,
    weights: np.ndarray | None = None,
    max_copies: int | None = None,
) -> ClusterResult:
    """Cluster incidents with HDBSCAN (variable density, no eps to choose).

    Parameters
    ----------
    incidents_or_xy
        Incidents (``x``/``y`` metres in the working CRS) or an ``(n, 2)`` array of metres.
    min_cluster_size
        Smallest group of incidents that counts as a cluster.
    min_samples
        Points within the core distance, the point itself included as in scikit-learn
        (at least 2); ``None`` uses ``min_cluster_size``.
    weights
        Optional whole-number weight per point (incidents it stands for).
    max_copies
        Cap on the copies of one location passed to HDBSCAN; ``None`` passes them all.

    Returns
    -------
    ClusterResult
        ``labels`` per input point (``-1`` noise) and ``params`` (method ``"hdbscan"``,
        the effective ``min_samples``, ``max_copies``, whether the run was ``exact``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> xy = np.r_[rng.normal(0, 30, (60, 2)), rng.normal(2000, 30, (60, 2))]
    >>> hdbscan_clusters(xy, min_cluster_size=20).params.n_clusters
    2
    """
    import hdbscan  # imported on use: importing it takes seconds

    check_min_samples(min_cluster_size)
    samples = min_cluster_size if min_samples is None else min_samples
    check_min_samples(samples)
    if samples < 2:
        raise ValueError("HDBSCAN needs min_samples >= 2 (the point itself and a neighbour)")
    if max_copies is not None:
        check_min_samples(max_copies)
    pts = xy_metres(incidents_or_xy)
    w = point_weights(weights, pts.shape[0])
    if not np.array_equal(w, np.round(w)):
        raise ValueError(
            "hdbscan_clusters needs whole-number weights (incident counts): HDBSCAN has no "
            "sample weights, so a location of weight w is passed as w copies"
        )
    loc = unique_locations(pts, w)
    counts = loc.weight.astype(np.int64)
    copies = counts if max_copies is None else np.minimum(counts, max_copies)
    owner = np.repeat(np.arange(loc.n_unique), copies)
    xy = np.column_stack([loc.x, loc.y])[owner]
    if owner.size < 2:
        raise ValueError("HDBSCAN needs at least two incidents with positive weight")
    fitted = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=samples - 1,
        approx_min_span_tree=False,
        core_dist_n_jobs=1,  # its default (4 joblib workers) was 7x slower here on 2 cores
    ).fit(xy)
    labels = _majority(owner, fitted.labels_.astype(np.intp), loc.n_unique)[loc.inverse]
    n_clusters, noise = summarise(labels)
    exact = bool(np.array_equal(copies, counts))
    params = ClusterParams(
        method="hdbscan",
        min_samples=int(samples),
        n_points=loc.n_points,
        n_unique_locations=loc.n_unique,
        n_clusters=n_clusters,
        noise_share=noise,
        exact=exact,
        min_cluster_size=int(min_cluster_size),
        max_copies=max_copies,
        note=(
            "hdbscan package on distinct locations passed as "
            + ("one copy per incident" if exact else f"at most {max_copies} copies")
            + "; each location takes the label most of its copies got"
        ),
    )
    return ClusterResult(labels=labels, params=params)


def _majority(owner: np.ndarray, labels: np.ndarray, n_locations: int) -> np.ndarray:
    """Per location, the label most of its copies got (ties: the smaller label)."""
    span = int(labels.max()) + 2
    pair, count = np.unique(owner * span + (labels + 1), return_counts=True)
    location, label = pair // span, pair % span - 1
    best = np.lexsort((label, -count, location))
    first = best[np.r_[True, location[best][1:] != location[best][:-1]]]
    out = np.full(n_locations, -1, dtype=np.intp)
    out[location[first]] = label[first]
    return out
