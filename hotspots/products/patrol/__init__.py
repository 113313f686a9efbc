"""Patrol localities and patrol plans: small, spaced, ranked places with dosage and limits.

Modules: :mod:`~hotspots.products.patrol.localities` (hot areas → patrol-sized units → rank and
spacing),
:mod:`~hotspots.products.patrol.harm` (harm weights per crime type),
:mod:`~hotspots.products.patrol.naming`
(street and ward names), :mod:`~hotspots.products.patrol.dosage` (Koper-curve visits),
:mod:`~hotspots.products.patrol.plan` (the ranked plan), :mod:`~hotspots.products.patrol.export`
(GeoJSON, CSV,
KML, method notes JSON). Drawn documents live in the views: the map layer is
:mod:`hotspots.views.patrol_map`,
the briefing (HTML / PDF with static maps) :mod:`hotspots.views.documents.briefing`, all
outputs into one folder :mod:`hotspots.views.patrol_files` (their old names here still work,
with a warning, until hotspots 0.3). :mod:`~hotspots.products.patrol.request` turns a user's
choices into the plan asked for; :mod:`~hotspots.products.patrol.table` is the table as people
read it.
"""

from hotspots._moved import moved_names
from hotspots.products.patrol.dosage import KOPER_MINUTES, recommend_dosage
from hotspots.products.patrol.export import (
    kml_document,
    plan_table,
    to_csv,
    to_geojson,
    to_kml,
    to_notes,
)
from hotspots.products.patrol.harm import harm_of, load_harm_weights
from hotspots.products.patrol.localities import (
    HotAreas,
    Localities,
    build_localities,
    hot_areas_from_cells,
    hot_areas_from_clusters,
    hot_areas_from_forecast,
)
from hotspots.products.patrol.plan import PatrolPlan, patrol_plan

_BRIEFING = "hotspots.views.documents.briefing"
__getattr__ = moved_names(
    __name__,
    {
        "briefing_html": _BRIEFING,
        "locality_map": _BRIEFING,
        "overview_map": _BRIEFING,
        "write_briefing_pdf": _BRIEFING,
        "write_plan_files": "hotspots.views.patrol_files",
    },
)

__all__ = [
    "KOPER_MINUTES",
    "HotAreas",
    "Localities",
    "PatrolPlan",
    "build_localities",
    "harm_of",
    "hot_areas_from_cells",
    "hot_areas_from_clusters",
    "hot_areas_from_forecast",
    "kml_document",
    "load_harm_weights",
    "patrol_plan",
    "plan_table",
    "recommend_dosage",
    "to_csv",
    "to_geojson",
    "to_kml",
    "to_notes",
]
