"""Local statistics over grids of cells: Gi* hot spots, FDR, emerging hot spots, KDE.

One module per statistic (esda style): :mod:`~hotspots.analysis.stats.gistar`,
:mod:`~hotspots.analysis.stats.fdr`, :mod:`~hotspots.analysis.stats.emerging`,
:mod:`~hotspots.analysis.stats.kde`.
"""

from hotspots.analysis.stats.emerging import (
    EMERGING_CATEGORIES,
    classify_emerging,
    emerging_hotspots,
    emerging_table,
    mann_kendall,
)
from hotspots.analysis.stats.fdr import fdr_bh, fdr_threshold, significance_bins
from hotspots.analysis.stats.gistar import (
    GI_CLASSES,
    GiStarResult,
    Moments,
    gi_star,
    gistar_by_period,
    hotspots_gistar,
)
from hotspots.analysis.stats.kde import kde_surface

__all__ = [
    "EMERGING_CATEGORIES",
    "GI_CLASSES",
    "GiStarResult",
    "Moments",
    "classify_emerging",
    "emerging_hotspots",
    "emerging_table",
    "fdr_bh",
    "fdr_threshold",
    "gi_star",
    "gistar_by_period",
    "hotspots_gistar",
    "kde_surface",
    "mann_kendall",
    "significance_bins",
]
