"""Temporal analysis: hour × weekday (aoristic), monthly series, period comparison, peak windows."""

from hotspots.analysis.temporal.aoristic import HourWeekday, aoristic_weights, hour_weekday
from hotspots.analysis.temporal.peaks import MIN_TIMED_INCIDENTS, peak_windows
from hotspots.analysis.temporal.series import compare_periods, monthly_series

__all__ = [
    "MIN_TIMED_INCIDENTS",
    "HourWeekday",
    "aoristic_weights",
    "compare_periods",
    "hour_weekday",
    "monthly_series",
    "peak_windows",
]
