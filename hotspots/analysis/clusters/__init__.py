"""Density clusters of incidents (DBSCAN, HDBSCAN) in metres, eps suggestion and profiles."""

from hotspots.analysis.clusters._dbscan import dbscan
from hotspots.analysis.clusters.eps import EpsSuggestion, suggest_eps
from hotspots.analysis.clusters.hdbscan_ import hdbscan_clusters
from hotspots.analysis.clusters.profile import cluster_profiles
from hotspots.analysis.clusters.result import ClusterParams, ClusterResult

__all__ = [
    "ClusterParams",
    "ClusterResult",
    "EpsSuggestion",
    "cluster_profiles",
    "dbscan",
    "hdbscan_clusters",
    "suggest_eps",
]
