"""Accuracy of hotspot methods: hit rate, PAI, PEI*, RRI and rolling monthly backtests."""

from hotspots.analysis.evaluate.backtest import METHODS, backtest, backtest_folds
from hotspots.analysis.evaluate.measures import DEFAULT_COVERAGE, hit_rate_pai
from hotspots.analysis.evaluate.methods import (
    score_all_history,
    score_dbscan,
    score_gistar,
    score_kde,
    score_last_period,
    score_near_repeat,
)

__all__ = [
    "DEFAULT_COVERAGE",
    "METHODS",
    "backtest",
    "backtest_folds",
    "hit_rate_pai",
    "score_all_history",
    "score_dbscan",
    "score_gistar",
    "score_kde",
    "score_last_period",
    "score_near_repeat",
]
