"""Patrol localities and patrol plans: small, spaced, ranked places with dosage and limits.

Modules: :mod:`~hotspots.patrol.localities` (hot areas → patrol-sized units → rank and spacing),
:mod:`~hotspots.patrol.harm` (harm weights per crime type), :mod:`~hotspots.patrol.naming`
(street and ward names), :mod:`~hotspots.patrol.dosage` (Koper-curve visits),
:mod:`~hotspots.patrol.plan` (the ranked plan), :mod:`~hotspots.patrol.export` (GeoJSON, CSV,
KML), :mod:`~hotspots.patrol.briefing` (HTML / PDF with static maps),
:mod:`~hotspots.patrol.files` (all outputs into one folder) and :mod:`~hotspots.patrol.layer`
(the localities as a layer of the dashboard maps).
"""

from hotspots.patrol.briefing import (
    briefing_html,
    locality_map,
    overview_map,
    write_briefing_pdf,
)
from hotspots.patrol.dosage import KOPER_MINUTES, recommend_dosage
from hotspots.patrol.export import kml_document, plan_table, to_csv, to_geojson, to_kml
from hotspots.patrol.files import write_plan_files
from hotspots.patrol.harm import harm_of, load_harm_weights
from hotspots.patrol.layer import patrol_layer
from hotspots.patrol.localities import (
    HotAreas,
    Localities,
    build_localities,
    hot_areas_from_cells,
    hot_areas_from_clusters,
)
from hotspots.patrol.plan import PatrolPlan, patrol_plan

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
    "patrol_layer",
    "patrol_plan",
    "plan_table",
    "recommend_dosage",
    "to_csv",
    "to_geojson",
    "to_kml",
    "write_briefing_pdf",
    "write_plan_files",
]
