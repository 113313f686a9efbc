"""Patrol plan exports: GeoJSON (outlines), CSV (the table), KML 2.2 (Google Earth, police
mapping systems) and the method notes (JSON: where the localities come from and the backtest of
the hot spots behind them, the CSV's companion). Only locality aggregates leave: never an
incident's point.

Each writer returns the file's bytes and also writes them to ``dest`` when given
(:mod:`hotspots.core.io`).
"""

from __future__ import annotations

import html
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.polygon import orient

from hotspots.core.io import Dest, deliver, export_ready, write_csv
from hotspots.products.patrol.plan import PatrolPlan
from hotspots.products.patrol.table import trend_headings

KML_NS = "http://www.opengis.net/kml/2.2"
"""The KML 2.2 namespace (OGC 07-147r2)."""

TABLE_COLUMNS: list[str] = [
    "rank",
    "name",
    "street",
    "ward",
    "centre_lon",
    "centre_lat",
    "area_m2",
    "across_m",
    "incidents",
    "share",
    "harm_score",
    "crime_mix",
    "incidents_compared",
    "previous",
    "change",
    "pct_change",
    "trend",
    "trend_sources",
    "peak_days",
    "peak_basis",
    "windows",
    "minutes_per_visit",
    "visits_per_window",
    "visits_per_day",
    "visits_per_week",
    "dosage",
]
"""Columns of the plan table, in export order: ``incidents_compared``, ``previous``,
``change``, ``pct_change`` and ``trend`` count ``trend_sources`` only (like with like: fewer
than ``incidents`` when a source lacks part of the period or of the one before)."""

_DECIMALS = 6  # degrees: about 0.1 m


def plan_table(plan: PatrolPlan) -> pd.DataFrame:
    """The plan's localities as a plain table (no geometry), columns in :data:`TABLE_COLUMNS`
    (the harm total as ``harm_score``: :data:`~hotspots.products.patrol.harm.HARM_SCORE`)."""
    table = plan.localities.rename(columns={"harm": "harm_score"})
    return pd.DataFrame(table[TABLE_COLUMNS])


def to_csv(plan: PatrolPlan, dest: Dest = None) -> bytes:
    """The plan table as CSV (UTF-8, one row per locality, best first; spreadsheet-safe).

    Examples
    --------
    >>> to_csv(plan, "out/plan.csv")  # doctest: +SKIP
    """
    return write_csv(export_ready(plan_table(plan)), dest)


def to_geojson(plan: PatrolPlan, dest: Dest = None) -> bytes:
    """Write the locality outlines with the plan table as properties (GeoJSON, EPSG:4326).

    The FeatureCollection also carries ``limits`` and the period, so the file keeps its
    caveats when it is passed on.

    Examples
    --------
    >>> to_geojson(plan, "out/plan.geojson")  # doctest: +SKIP
    """
    table = plan_table(plan)
    features = []
    for record, geom in zip(
        table.to_dict("records"), plan.localities.geometry.to_numpy(), strict=True
    ):
        features.append(
            {
                "type": "Feature",
                "properties": {k: _plain(v) for k, v in record.items()},
                "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6))),
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "patrol plan",
        "period": plan.metadata.get("period"),
        "limits": plan.limits,
        **_method(plan),
        "features": features,
    }
    return deliver(json.dumps(collection, ensure_ascii=False), dest)


def to_notes(plan: PatrolPlan, dest: Dest = None) -> bytes:
    """The plan's method, backtest and limits as JSON (the CSV's companion file).

    Keys: ``period``, ``method`` (``"forecast"``, ``"gistar"`` or ``"dbscan"``), ``backtest``
    (for the forecast: the hot spots' method, coverage, hit rate, PAI, PEI and the sentence a
    meeting reads), ``limits`` and ``columns`` (the CSV's, in order).

    Examples
    --------
    >>> to_notes(plan, "out/plan.json")  # doctest: +SKIP
    """
    notes = {
        "period": plan.metadata.get("period"),
        **_method(plan),
        "limits": plan.limits,
        "columns": TABLE_COLUMNS,
    }
    return deliver(json.dumps(notes, ensure_ascii=False, indent=2, default=str), dest)


def _method(plan: PatrolPlan) -> dict[str, Any]:
    """Where the localities come from and how well that method predicted (JSON-ready)."""
    return {
        "method": plan.metadata.get("method"),
        "backtest": plan.metadata.get("backtest"),
    }


def kml_document(plan: PatrolPlan) -> ET.ElementTree:
    """The plan as a KML 2.2 document.

    One ``Folder`` of outline Placemarks (``Polygon``, or ``MultiGeometry`` of polygons, outer
    rings counter-clockwise as KML asks) and one of centre Placemarks (``Point``); ``ExtendedData``
    carries the plan columns. Coordinates are ``lon,lat`` in WGS84 with 6 decimals.

    Text from the data (crime types, street names) never becomes markup in a viewer: KML
    viewers render a ``description`` as HTML, so descriptions are HTML-escaped text (then
    escaped again by the XML writer), and the balloon (:func:`_style`) shows the description
    alone, so neither a name nor ``ExtendedData`` goes into the HTML as it is; names stay
    plain text for the viewer's list of places.

    Examples
    --------
    >>> kml_document(plan).write("plan.kml", encoding="UTF-8", xml_declaration=True)
    ...  # doctest: +SKIP
    """
    ET.register_namespace("", KML_NS)
    root = ET.Element(_tag("kml"))
    document = ET.SubElement(root, _tag("Document"))
    ET.SubElement(document, _tag("name")).text = f"Patrol plan {plan.metadata.get('period', '')}"
    ET.SubElement(document, _tag("description")).text = html.escape("\n".join(plan.limits))
    _style(document)
    outlines = ET.SubElement(document, _tag("Folder"))
    ET.SubElement(outlines, _tag("name")).text = "Patrol localities"
    centres = ET.SubElement(document, _tag("Folder"))
    ET.SubElement(centres, _tag("name")).text = "Locality centres"
    table = plan_table(plan)
    geoms = plan.localities.geometry.to_numpy()
    trend = trend_headings(plan)["trend"]
    for record, geom in zip(table.to_dict("records"), geoms, strict=True):
        label = f"{record['rank']}. {record['name']}"
        text = html.escape(f"{label}\n{_description(record, trend)}")
        mark = _placemark(outlines, label, text, "#locality", record)
        _polygons(mark, geom)
        point = _placemark(centres, label, text, "#centre", record)
        ET.SubElement(ET.SubElement(point, _tag("Point")), _tag("coordinates")).text = _coords(
            np.array([[record["centre_lon"], record["centre_lat"]]])
        )
    return ET.ElementTree(root)


def to_kml(plan: PatrolPlan, dest: Dest = None) -> bytes:
    """The plan as KML 2.2 (UTF-8); see :func:`kml_document`."""
    tree = kml_document(plan)
    ET.indent(tree)
    buffer = io.BytesIO()
    tree.write(buffer, encoding="UTF-8", xml_declaration=True)
    return deliver(buffer.getvalue(), dest)


def _tag(name: str) -> str:
    return f"{{{KML_NS}}}{name}"


BALLOON_TEXT = "$[description]"
"""A Placemark's balloon: its (HTML-escaped) description alone. A viewer's default balloon puts
the name and ``ExtendedData`` into HTML as they are (Google Earth: ``$[name]``, a table of
the data)."""


def _style(document: ET.Element) -> None:
    """Shared styles: red outline with a light fill, and a red centre pin; the balloon of
    both shows the description alone (:data:`BALLOON_TEXT`)."""
    style = ET.SubElement(document, _tag("Style"), id="locality")
    line = ET.SubElement(style, _tag("LineStyle"))
    ET.SubElement(line, _tag("color")).text = "ff1c1ae3"  # aabbggrr: #e31a1c
    ET.SubElement(line, _tag("width")).text = "2"
    ET.SubElement(ET.SubElement(style, _tag("PolyStyle")), _tag("color")).text = "401c1ae3"
    pin = ET.SubElement(document, _tag("Style"), id="centre")
    ET.SubElement(ET.SubElement(pin, _tag("IconStyle")), _tag("color")).text = "ff1c1ae3"
    for each in (style, pin):
        ET.SubElement(ET.SubElement(each, _tag("BalloonStyle")), _tag("text")).text = BALLOON_TEXT


def _placemark(
    parent: ET.Element, name: str, description: str, style: str, record: dict[str, Any]
) -> ET.Element:
    mark = ET.SubElement(parent, _tag("Placemark"))
    ET.SubElement(mark, _tag("name")).text = name
    ET.SubElement(mark, _tag("description")).text = description
    ET.SubElement(mark, _tag("styleUrl")).text = style
    extended = ET.SubElement(mark, _tag("ExtendedData"))
    for key, value in record.items():
        data = ET.SubElement(extended, _tag("Data"), name=key)
        ET.SubElement(data, _tag("value")).text = "" if _plain(value) is None else str(value)
    return mark


def _description(record: dict[str, Any], trend: str = "Trend") -> str:
    """Plain-text description of a locality (HTML-escaped by :func:`kml_document`);
    ``trend`` heads the trend (:func:`~hotspots.products.patrol.table.trend_headings`: the
    sources it counts)."""
    share = record["share"]
    compared = (
        f"{trend}: {record['trend']} ({record['incidents_compared']:.0f} incidents against "
        f"{record['previous']:.0f} in the previous period)"
        if _plain(record["trend"]) is not None
        else ""
    )
    lines = [
        f"{record['incidents']} incidents ({100 * share:.1f} % of the area's)",
        f"Crime mix: {record['crime_mix']}",
        compared,
        f"Peak days: {record['peak_days']}" if record["peak_days"] else "",
        f"Windows ({record['peak_basis']}): {record['windows']}",
        f"Dosage: {record['dosage']}",
    ]
    return "\n".join(line for line in lines if line)


def _polygons(mark: ET.Element, geom: shapely.Geometry) -> None:
    """Append a Polygon, or a MultiGeometry of Polygons, to a Placemark."""
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    parent = ET.SubElement(mark, _tag("MultiGeometry")) if len(parts) > 1 else mark
    for part in (orient(p, sign=1.0) for p in parts):
        polygon = ET.SubElement(parent, _tag("Polygon"))
        outer = ET.SubElement(ET.SubElement(polygon, _tag("outerBoundaryIs")), _tag("LinearRing"))
        ET.SubElement(outer, _tag("coordinates")).text = _coords(
            shapely.get_coordinates(part.exterior)
        )
        for ring in part.interiors:
            inner = ET.SubElement(
                ET.SubElement(polygon, _tag("innerBoundaryIs")), _tag("LinearRing")
            )
            ET.SubElement(inner, _tag("coordinates")).text = _coords(shapely.get_coordinates(ring))


def _coords(xy: np.ndarray) -> str:
    """``"lon,lat lon,lat …"`` with 6 decimals."""
    return " ".join(f"{x:.{_DECIMALS}f},{y:.{_DECIMALS}f}" for x, y in xy)


def _plain(value: Any) -> Any:
    """JSON-ready scalar: numpy scalars → Python, NaN / NA → ``None``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
