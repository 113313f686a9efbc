"""hotspots: crime and ASB hotspot analysis for UK Community Safety Partnerships.

The public API is re-exported here and imported on first use (PEP 562), so
``import hotspots`` and the ``hotspots`` command start fast; each module has one job
(see README.md).
"""

from __future__ import annotations

import importlib
from typing import Any

from hotspots import _moved
from hotspots.core.memory import no_huge_pages_for_numpy, use_system_allocator

__version__ = "0.2.0"

_moved.install()
use_system_allocator()
no_huge_pages_for_numpy()

_EXPORTS: dict[str, tuple[str, ...]] = {
    "hotspots.data.boundaries": ("district", "districts", "find_district"),
    "hotspots.space.areas": (
        "area_counts",
        "area_rates",
        "assign_areas",
        "district_wards",
        "load_population",
        "read_boundaries",
        "ward_population",
    ),
    "hotspots.analysis.clusters": (
        "ClusterParams",
        "ClusterResult",
        "EpsSuggestion",
        "cluster_profiles",
        "dbscan",
        "hdbscan_clusters",
        "suggest_eps",
    ),
    "hotspots.demo.load": (
        "demo_files",
        "load_demo_log",
        "load_demo_policeuk",
    ),
    "hotspots.analysis.forecast": (
        "Forecast",
        "forecast",
    ),
    "hotspots.analysis.evaluate": (
        "backtest",
        "backtest_folds",
        "hit_rate_pai",
        "score_all_history",
        "score_dbscan",
        "score_gistar",
        "score_kde",
        "score_last_period",
        "score_near_repeat",
    ),
    "hotspots.space.grid": (
        "assign_cells",
        "cell_counts",
        "cell_polygons",
        "grid_counts",
        "neighbours",
        "study_area_cells",
    ),
    "hotspots.data.ingest": (
        "QUARANTINE_REASONS",
        "ColumnMap",
        "IngestError",
        "LoadReport",
        "LoadResult",
        "concat_results",
        "load",
        "read_incident_csv",
        "read_policeuk",
        "read_vector",
        "resolve_study_area",
    ),
    "hotspots.data.schema": (
        "BNG",
        "CATEGORIES",
        "COLUMNS",
        "WGS84",
        "WORKING_CRS",
        "classify",
        "empty_incidents",
        "load_taxonomy",
    ),
    "hotspots.analysis.stats": (
        "EMERGING_CATEGORIES",
        "GI_CLASSES",
        "GiStarResult",
        "emerging_hotspots",
        "fdr_bh",
        "gi_star",
        "gistar_by_period",
        "hotspots_gistar",
        "kde_surface",
        "mann_kendall",
    ),
    "hotspots.analysis.temporal": (
        "HourWeekday",
        "aoristic_weights",
        "compare_periods",
        "hour_weekday",
        "monthly_series",
        "peak_windows",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
