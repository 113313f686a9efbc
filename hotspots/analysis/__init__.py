"""Analysis: Gi* and emerging hot spots, clusters, temporal peaks, backtests, and the one-call
analysis (:mod:`hotspots.analysis.analyse`).
"""
