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

__version__ = "0.1.0"

__all__ = [
    "BNG",
    "CATEGORIES",
    "COLUMNS",
    "WGS84",
    "WORKING_CRS",
    "classify",
    "empty_incidents",
    "load_taxonomy",
]
