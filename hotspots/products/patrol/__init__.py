"""Patrol localities and patrol plans: small, spaced, ranked places with dosage and limits.

Modules: :mod:`~hotspots.products.patrol.localities` (hot areas → patrol-sized units → rank and
spacing),
:mod:`~hotspots.products.patrol.harm` (harm weights per crime type),
:mod:`~hotspots.products.patrol.naming`
(street and ward names), :mod:`~hotspots.products.patrol.dosage` (Koper-curve visits),
:mod:`~hotspots.products.patrol.plan` (the ranked plan), :mod:`~hotspots.products.patrol.export`
(GeoJSON, CSV,
KML), :mod:`~hotspots.products.patrol.briefing` (HTML / PDF with static maps),
:mod:`~hotspots.products.patrol.files` (all outputs into one folder),
:mod:`~hotspots.products.patrol.request` (a user's choices → the plan asked for),
:mod:`~hotspots.products.patrol.table` (the table as people read it) (the map layer is
:mod:`hotspots.views.patrol_map`).
"""

from hotspots.products.patrol.briefing import (
    briefing_html,
    locality_map,
    overview_map,
    write_briefing_pdf,
)
from hotspots.products.patrol.dosage import KOPER_MINUTES, recommend_dosage
from hotspots.products.patrol.export import kml_document, plan_table, to_csv, to_geojson, to_kml
from hotspots.products.patrol.files import write_plan_files
from hotspots.products.patrol.harm import harm_of, load_harm_weights
from hotspots.products.patrol.localities import (
    HotAreas,
    Localities,
    build_localities,
    hot_areas_from_cells,
    hot_areas_from_clusters,
)
from hotspots.products.patrol.plan import PatrolPlan, patrol_plan

__all__ = [
    "KOPER_MINUTES",
    "HotAreas",
    "Localities",
    "PatrolPlan",
    "briefing_html",
    "build_localities",
    "harm_of",
    "hot_areas_from_cells",
    "hot_areas_from_clusters",
    "kml_document",
    "load_harm_weights",
    "locality_map",
    "overview_map",
    "patrol_plan",
    "plan_table",
    "recommend_dosage",
    "to_csv",
    "to_geojson",
    "to_kml",
    "write_briefing_pdf",
    "write_plan_files",
]
