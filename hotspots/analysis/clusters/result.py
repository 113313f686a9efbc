"""What a clustering run returns: labels plus every parameter used or chosen."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from hotspots.analysis.clusters._points import (
    XYInput,
    point_weights,
    unique_locations,
    xy_metres,
)
from hotspots.analysis.clusters.eps import EpsSuggestion


@dataclass(frozen=True)
class ClusterParams:
    """The parameters of a clustering run, the ones chosen automatically included.

    Attributes
    ----------
    method
        ``"dbscan"`` or ``"hdbscan"``.
    min_samples
        Weighted neighbours (the point itself included) that make a point core.
    n_points, n_unique_locations
        Input points and their distinct locations (clustering runs on the locations).
    n_clusters
        Clusters found (labels ``0 .. n_clusters - 1``; ``-1`` is noise).
    noise_share
        Share of the input points labelled noise (0..1).
    exact
        DBSCAN: always True (labels equal scikit-learn's on the raw points). HDBSCAN: True
        when every incident was passed to the clusterer (no ``max_copies`` cap bit); see
        ``note``.
    eps_m
        DBSCAN neighbourhood radius in metres (working CRS); ``None`` for HDBSCAN.
    eps_source
        ``"user"`` or ``"suggested (k-distance knee)"``; ``None`` for HDBSCAN.
    min_cluster_size
        HDBSCAN's smallest cluster, in points; ``None`` for DBSCAN.
    max_copies
        HDBSCAN: copies of one location passed to the clusterer (see ``note``).
    note
        How duplicates and weights were handled, in words.
    """

    method: str
    min_samples: int
    n_points: int
    n_unique_locations: int
    n_clusters: int
    noise_share: float
    exact: bool
    eps_m: float | None = None
    eps_source: str | None = None
    min_cluster_size: int | None = None
    max_copies: int | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        """The parameters as a plain dict, for tables and reports."""
        return asdict(self)


@dataclass(frozen=True)
class ClusterResult:
    """Cluster labels of each input point (``-1`` = noise) and how they were made.

    Attributes
    ----------
    labels
        One label per input point, in input order.
    params
        Every parameter used, see :class:`ClusterParams`.
    is_core
        DBSCAN core points (``None`` for HDBSCAN).
    eps_suggestion
        The k-distance curve and knee when eps was chosen automatically, else ``None``.
    """

    labels: np.ndarray
    params: ClusterParams
    is_core: np.ndarray | None = None
    eps_suggestion: EpsSuggestion | None = None


def summarise(labels: np.ndarray) -> tuple[int, float]:
    """Number of clusters and share of points labelled noise."""
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    return max(n_clusters, 0), float(np.mean(labels < 0)) if labels.size else 0.0


def unclustered(
    incidents_or_xy: XYInput, *, method: str, min_samples: int, note: str
) -> ClusterResult:
    """Every point noise, no cluster: the result when clusters cannot be found (too few
    incidents), ``note`` saying why.

    Examples
    --------
    >>> result = unclustered(np.zeros((3, 2)), method="dbscan", min_samples=10, note="too few")
    >>> result.labels.tolist(), result.params.n_clusters, result.params.n_unique_locations
    ([-1, -1, -1], 0, 1)
    """
    pts = xy_metres(incidents_or_xy)
    loc = unique_locations(pts, point_weights(None, pts.shape[0]))
    params = ClusterParams(
        method=method,
        min_samples=int(min_samples),
        n_points=loc.n_points,
        n_unique_locations=loc.n_unique,
        n_clusters=0,
        noise_share=1.0,
        exact=True,
        note=note,
    )
    return ClusterResult(labels=np.full(loc.n_points, -1, dtype=np.int64), params=params)
