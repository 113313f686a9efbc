"""hotspots: crime and ASB hotspot analysis for UK Community Safety Partnerships.

The public API is re-exported here; each module has one job (see README.md).
"""

from hotspots.schema import (
    BNG,
    CATEGORIES,
    COLUMNS,
    WGS84,
    WORKING_CRS,
    classify,
    empty_incidents,
    load_taxonomy,
)
from hotspots.temporal import (
    HourWeekday,
    aoristic_weights,
    compare_periods,
    hour_weekday,
    monthly_series,
    peak_windows,
)

__version__ = "0.1.0"

__all__ = [
    "BNG",
    "CATEGORIES",
    "COLUMNS",
    "WGS84",
    "WORKING_CRS",
    "HourWeekday",
    "aoristic_weights",
    "classify",
    "compare_periods",
    "empty_incidents",
    "hour_weekday",
    "load_taxonomy",
    "monthly_series",
    "peak_windows",
]
