"""CCTV: camera views, coverage of incidents and hotspots, redeployable-camera siting, taskings.

Examples
--------
>>> from hotspots.products.cctv import coverage, tasking_sheet, site_cameras, candidate_sites
>>> result = coverage(incidents, cameras, hotspots=cells)  # doctest: +SKIP
>>> plan = site_cameras(incidents, candidate_sites(cells), k=3, cameras=cameras)  # doctest: +SKIP
>>> sheet = tasking_sheet(incidents, cameras, cells)  # doctest: +SKIP
"""

from hotspots._moved import moved_names
from hotspots.products.cctv.coverage import (
    ACTIVE,
    Coverage,
    Sightings,
    cameras_left_out,
    coverage,
    hot_areas,
    hotspot_membership,
    hotspots_with_incidents,
    incidents_seen,
    sightings,
    uncovered_hotspots,
)
from hotspots.products.cctv.siting import (
    GREEDY_GUARANTEE,
    Siting,
    candidate_sites,
    exact_max_coverage,
    greedy_max_coverage,
    proposed_cameras,
    site_cameras,
)
from hotspots.products.cctv.tasking import (
    MONTHS_NOTE,
    TaskingSheet,
    new_windows,
    next_monday,
    schedule_taskings,
    sheet_csv,
    tasking_kpi,
    tasking_sheet,
)
from hotspots.products.cctv.views import CAMERA_COLUMNS, camera_views, check_cameras, seen_pairs

__getattr__ = moved_names(__name__, {"sheet_html": "hotspots.views.documents.tasking_sheet"})

__all__ = [
    "ACTIVE",
    "CAMERA_COLUMNS",
    "GREEDY_GUARANTEE",
    "MONTHS_NOTE",
    "Coverage",
    "Sightings",
    "Siting",
    "TaskingSheet",
    "camera_views",
    "cameras_left_out",
    "candidate_sites",
    "check_cameras",
    "coverage",
    "exact_max_coverage",
    "greedy_max_coverage",
    "hot_areas",
    "hotspot_membership",
    "hotspots_with_incidents",
    "incidents_seen",
    "new_windows",
    "next_monday",
    "proposed_cameras",
    "schedule_taskings",
    "seen_pairs",
    "sheet_csv",
    "sightings",
    "site_cameras",
    "tasking_kpi",
    "tasking_sheet",
    "uncovered_hotspots",
]
