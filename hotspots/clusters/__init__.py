"""Density clusters of incidents (DBSCAN, HDBSCAN) in metres, eps suggestion and profiles."""

from hotspots.clusters._dbscan import dbscan
from hotspots.clusters.eps import EpsSuggestion, suggest_eps
from hotspots.clusters.hdbscan_ import hdbscan_clusters
from hotspots.clusters.profile import cluster_profiles
from hotspots.clusters.result import ClusterParams, ClusterResult

__all__ = [
    "ClusterParams",
    "ClusterResult",
    "EpsSuggestion",
    "cluster_profiles",
    "dbscan",
    "hdbscan_clusters",
    "suggest_eps",
]
