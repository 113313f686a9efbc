"""Density clusters of incidents (DBSCAN, HDBSCAN) in metres, eps suggestion and profiles."""

from hotspots.analysis.clusters._dbscan import dbscan
from hotspots.analysis.clusters.eps import (
    DbscanSettings,
    EpsSuggestion,
    dbscan_settings,
    suggest_eps,
)
from hotspots.analysis.clusters.hdbscan_ import hdbscan_clusters
from hotspots.analysis.clusters.profile import cluster_profiles, cluster_ranks
from hotspots.analysis.clusters.result import ClusterParams, ClusterResult, unclustered

__all__ = [
    "ClusterParams",
    "ClusterResult",
    "DbscanSettings",
    "EpsSuggestion",
    "cluster_profiles",
    "cluster_ranks",
    "dbscan",
    "dbscan_settings",
    "hdbscan_clusters",
    "suggest_eps",
    "unclustered",
]
