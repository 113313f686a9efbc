"""hotspots: crime and ASB hotspot analysis for UK Community Safety Partnerships.

The public API is re-exported here; each module has one job (see README.md).
"""

from hotspots.areas import (
    area_counts,
    area_rates,
    assign_areas,
    load_population,
    read_boundaries,
    ward_population,
)
from hotspots.grid import (
    assign_cells,
    cell_counts,
    cell_polygons,
    grid_counts,
    neighbours,
    study_area_cells,
)
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
from hotspots.stats import (
    EMERGING_CATEGORIES,
    GI_CLASSES,
    GiStarResult,
    emerging_hotspots,
    fdr_bh,
    gi_star,
    gistar_by_period,
    hotspots_gistar,
    kde_surface,
    mann_kendall,
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
    "EMERGING_CATEGORIES",
    "GI_CLASSES",
    "WGS84",
    "WORKING_CRS",
    "GiStarResult",
    "HourWeekday",
    "aoristic_weights",
    "area_counts",
    "area_rates",
    "assign_areas",
    "assign_cells",
    "cell_counts",
    "cell_polygons",
    "classify",
    "compare_periods",
    "emerging_hotspots",
    "empty_incidents",
    "fdr_bh",
    "gi_star",
    "gistar_by_period",
    "grid_counts",
    "hotspots_gistar",
    "hour_weekday",
    "kde_surface",
    "load_population",
    "load_taxonomy",
    "mann_kendall",
    "monthly_series",
    "neighbours",
    "peak_windows",
    "read_boundaries",
    "study_area_cells",
    "ward_population",
]
