"""Printable patrol briefing: the plan table, its limits and a static map per locality.

Built on the document stack (:mod:`hotspots.views.documents`). Maps are drawn on the server
with matplotlib over the street basemap (tiles through the local cache; where they cannot be
reached the map says so and still prints): ward outlines and names, incidents aggregated to
hexagons (H3 resolution 11, about 25 m edge, on locality maps; resolution 9 on the overview;
never points), the locality outlines with their rank and street, the shared north arrow and
scale bar.
The HTML is print-ready (A4, one locality per page) with the maps inline as PNG; the PDF has
the table and limits, an overview and one page per locality.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.polygon import orient

from hotspots.core.crs import from_lonlat, to_crs
from hotspots.core.io import Dest
from hotspots.products.captions import study_area_words
from hotspots.products.patrol.export import plan_table
from hotspots.products.patrol.harm import HARM_SCORE
from hotspots.products.patrol.plan import CONTEXT_RES, PatrolPlan, months_words
from hotspots.products.patrol.table import month_only, trend_headings, trend_note, trend_only
from hotspots.space.grid import cell_polygons
from hotspots.views.documents.html import (
    esc,
    fields_html,
    image_html,
    list_html,
    page_html,
    table_html,
)
from hotspots.views.documents.pdf import A4_PORTRAIT, pdf_bytes, table_pages
from hotspots.views.documents.static_map import (
    figure_png,
    finish_map,
    place_labels,
    street_basemap,
)
from hotspots.views.maps import WARD_NAME_COLUMNS

BRIEFING_COLUMNS: dict[str, str] = {
    "rank": "Rank",
    "name": "Locality",
    "incidents": "Incidents",
    "share": "Share",
    "harm_score": HARM_SCORE,
    "crime_mix": "Crime mix",
    "trend": "Trend vs previous period",
    "peak_days": "Peak days",
    "windows": "Peak windows",
    "dosage": "Dosage",
}
"""Plan columns shown in the briefing table, with their headings."""

_HALF_WIDTH_M = 350.0
"""Half the side of a locality map, metres."""
_RED = "#e31a1c"


def locality_map(plan: PatrolPlan, rank: int, *, half_width_m: float = _HALF_WIDTH_M) -> Figure:
    """Static map of one locality and its surroundings (matplotlib Figure, metres).

    Parameters
    ----------
    plan
        From :func:`hotspots.products.patrol.patrol_plan`.
    rank
        The locality's rank in the plan.
    half_width_m
        Half the side of the square map, metres (working CRS).

    Examples
    --------
    >>> locality_map(plan, 1).savefig("locality-1.png")  # doctest: +SKIP
    """
    if rank not in set(plan.localities["rank"]):
        raise ValueError(
            f"the plan has no locality ranked {rank}; ranks are 1..{len(plan.localities)}"
        )
    layers = _layers(plan)
    title = f"{rank}. {layers.names[list(layers.ranks).index(rank)]}"
    return _map_figure(layers, _square(layers, rank, half_width_m), highlight=rank, title=title)


def overview_map(plan: PatrolPlan) -> Figure:
    """Static map of every locality of the plan over the study area's wards."""
    return _overview(_layers(plan), months_words(plan.metadata))


def _overview(layers: _Layers, period: str) -> Figure:
    shapes = layers.wards or layers.outlines
    frame = shapely.total_bounds(np.asarray(shapes, dtype=object)) if shapes else None
    if frame is None or not np.isfinite(frame).all():
        frame = np.array([0.0, 0.0, 1000.0, 1000.0])
    pad = 0.03 * max(frame[2] - frame[0], frame[3] - frame[1], 1000.0)
    bounds = (frame[0] - pad, frame[1] - pad, frame[2] + pad, frame[3] + pad)
    return _map_figure(
        layers, bounds, highlight=None, title=f"Patrol localities, {period}", size=(7.5, 7.0)
    )


def briefing_html(plan: PatrolPlan, *, title: str | None = None) -> str:
    """The briefing as one print-ready HTML page (A4; maps inline as PNG; text escaped).

    Examples
    --------
    >>> Path("briefing.html").write_text(briefing_html(plan))  # doctest: +SKIP
    """
    title = title or f"Patrol briefing, {months_words(plan.metadata)}"
    summary = plan.metadata.get("summary", {})
    meta = plan.metadata
    layers = _layers(plan)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f"<p>Study area: {esc(study_area_words(meta.get('study_area', '')))}. Ranked by "
        f"{esc(meta.get('ranked_by', ''))}; hot spots by {esc(meta.get('method', ''))}. "
        f"{summary.get('in_localities', 0):,} of {summary.get('incidents', 0):,} incidents "
        f"({100 * summary.get('share_in_localities', 0):.1f} %) fall in these "
        f"{len(plan.localities)} localities.</p>",
        "<h2>Plan</h2>",
        table_html(_display_table(plan), css_class="plan"),
        *([f"<p>{esc(trend_note(plan))}</p>"] if trend_note(plan) else []),
        "<h2>How to patrol</h2>",
        f"<p>{esc(meta.get('dosage_rule', ''))}</p>",
        *([f"<p>{esc(days_note(plan))}</p>"] if days_note(plan) else []),
        "<h2>Limits</h2>",
        list_html(plan.limits),
    ]
    if len(plan.localities):
        overview = figure_png(_overview(layers, months_words(meta)))
        parts.append(image_html(overview, alt="overview map"))
    for record in plan_table(plan).to_dict("records"):
        rank = int(record["rank"])
        heading = f"{rank}. {record['name']}"
        bounds = _square(layers, rank, _HALF_WIDTH_M)
        png = figure_png(_map_figure(layers, bounds, highlight=rank, title=heading))
        details = locality_details(record, _details(plan))
        parts.append(
            f'<section class="locality" id="locality-{rank}"><h2>{esc(heading)}</h2>'
            f"{image_html(png, alt=f'map of locality {rank}')}{fields_html(details)}</section>"
        )
    return page_html(title, parts, size="A4", css=_BRIEFING_CSS)


_BRIEFING_CSS = """
table.plan { font-size: 8pt; }
table.details th { width: 28%; background: #f2f2f2; }
section.locality { break-before: page; page-break-before: always; }
"""


def write_briefing_pdf(plan: PatrolPlan, dest: Dest = None) -> bytes:
    """The briefing as PDF: table and limits, overview map, one page per locality.

    Parameters
    ----------
    plan
        From :func:`hotspots.products.patrol.patrol_plan`.
    dest
        Also write the file here.

    Returns
    -------
    bytes
        The PDF file.

    Examples
    --------
    >>> write_briefing_pdf(plan, "out/briefing.pdf")  # doctest: +SKIP
    """
    return pdf_bytes(
        _briefing_pages(plan),
        title=f"Patrol briefing {months_words(plan.metadata)}",
        dest=dest,
    )


def _briefing_pages(plan: PatrolPlan) -> Iterator[Figure]:
    layers = _layers(plan)
    yield from _table_pages(plan)
    if len(plan.localities):
        yield _overview(layers, months_words(plan.metadata))
    details = _details(plan)
    for record in plan_table(plan).to_dict("records"):
        yield _locality_page(layers, record, details)


_DETAILS: dict[str, str] = {
    "ward": "Ward",
    "street": "Main street",
    "centre_lat": "Centre latitude",
    "centre_lon": "Centre longitude",
    "area_m2": "Area (m²)",
    "incidents": "Incidents",
    "share": "Share of the area's incidents",
    "harm_score": HARM_SCORE,
    "crime_mix": "Crime mix",
    "previous": "Incidents in the previous period",
    "trend": "Trend",
    "peak_days": "Peak days",
    "windows": "Peak windows",
    "dosage": "Dosage",
}


def _text(value: Any, key: str = "") -> str:
    """A cell as text: shares as %, centres to 6 decimals, other numbers rounded, missing blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if key == "share":
        return f"{100 * value:.1f} %"
    if key == "peak_days" and not value:
        return "not known: none of its incidents has a date and time"
    if key in ("centre_lat", "centre_lon"):
        return f"{value:.6f}"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:,.1f}"
    return str(value)


def locality_details(record: dict[str, Any], details: dict[str, str]) -> dict[str, str]:
    """A locality's details as the briefing prints them, label → text; a detail without a
    value is left out, never printed as a blank label ("Main street:" of a place named after
    a landmark with no street)."""
    shown = {label: _text(record.get(key), key) for key, label in details.items()}
    return {label: text for label, text in shown.items() if text.strip()}


def _display_table(plan: PatrolPlan) -> Any:
    columns = {
        k: v for k, v in BRIEFING_COLUMNS.items() if k != "peak_days" or not month_only(plan)
    }
    columns = _trend_headed(plan, columns, f"{trend_headings(plan)['trend']} vs previous period")
    table = plan_table(plan)[list(columns)]
    text = {key: [_text(v, key) for v in table[key]] for key in columns}
    return pd.DataFrame(text, columns=list(columns)).rename(columns=columns)


def days_note(plan: PatrolPlan) -> str:
    """Why the plan has no peak days ("" when it has them): month-only data (police.uk) give
    no day of the week, so the briefing leaves the column out and says so."""
    if not month_only(plan):
        return ""
    return (
        "No peak days: these records give the month of each incident, not its date (as "
        "police.uk always does), so no day of the week can be told; CAD or ASB logs with dates "
        "would give them."
    )


def _details(plan: PatrolPlan) -> dict[str, str]:
    """The locality details shown, without peak days when the data cannot give them."""
    details = {k: v for k, v in _DETAILS.items() if k != "peak_days" or not month_only(plan)}
    heading = trend_headings(plan)
    details["previous"] = heading["previous"].replace("Previous period", _DETAILS["previous"])
    return _trend_headed(plan, details, heading["trend"])


def _trend_headed(plan: PatrolPlan, columns: dict[str, str], trend: str) -> dict[str, str]:
    """``columns`` with the trend headed ``trend`` and, when the trend counts fewer sources
    than the incidents (:func:`~hotspots.products.patrol.table.trend_only`), the incidents it
    compares beside the total: like with like, said where the figures are."""
    out = {}
    for key, heading in columns.items():
        out[key] = trend if key == "trend" else heading
        if key == "incidents" and trend_only(plan):
            out["incidents_compared"] = trend_headings(plan)["incidents_compared"]
    return out


def _to_working(crs: str, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    return from_lonlat(lon, lat, crs)


def _parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """The non-empty lines of a (Multi)LineString or collection."""
    parts = getattr(geom, "geoms", [geom])
    return [p for p in parts if not p.is_empty and p.geom_type in ("LineString", "LinearRing")]


def _patch(geom: shapely.Geometry, **style: Any) -> PathPatch:
    """A matplotlib patch of a (Multi)Polygon, holes included."""
    paths = []
    for part in getattr(geom, "geoms", [geom]):
        part = orient(part, sign=1.0)
        for ring in (part.exterior, *part.interiors):
            paths.append(MplPath(shapely.get_coordinates(ring), closed=True))
    return PathPatch(MplPath.make_compound_path(*paths), **style)


@dataclass(frozen=True)
class _Hexes:
    """Aggregated incidents as hexagons in the working CRS."""

    polygons: list[np.ndarray]
    centres: np.ndarray
    counts: np.ndarray
    label: str


@dataclass(frozen=True)
class _Layers:
    """Everything a map draws, in the working CRS (metres), prepared once per briefing."""

    crs: str
    wards: list[shapely.Geometry]
    ward_names: list[str]
    fine: _Hexes
    coarse: _Hexes
    outlines: list[shapely.Geometry]
    ranks: np.ndarray
    centres: np.ndarray
    names: list[str]


def _hexes(context: Any, res: int, crs: str, label: str) -> _Hexes:
    rows = context[context["res"] == res]
    hexes = to_crs(cell_polygons(rows["cell"].to_numpy()), crs).geometry.to_numpy()
    return _Hexes(
        polygons=[shapely.get_coordinates(h.exterior) for h in hexes],
        centres=shapely.get_coordinates(shapely.centroid(hexes)).reshape(-1, 2),
        counts=rows["count"].to_numpy(float),
        label=label,
    )


def _layers(plan: PatrolPlan) -> _Layers:
    crs = plan.metadata["working_crs"]
    wards, ward_names = [], []
    if plan.wards is not None:
        wards = list(to_crs(plan.wards, crs).geometry)
        name_col = next((c for c in WARD_NAME_COLUMNS if c in plan.wards.columns), None)
        ward_names = [str(n) for n in plan.wards[name_col]] if name_col else [""] * len(wards)
    outlines = to_crs(plan.localities, crs)
    cx, cy = _to_working(crs, plan.localities["centre_lon"], plan.localities["centre_lat"])
    fine, coarse = CONTEXT_RES
    return _Layers(
        crs=crs,
        wards=wards,
        ward_names=ward_names,
        fine=_hexes(plan.context, fine, crs, "incidents per ~25 m hexagon"),
        coarse=_hexes(plan.context, coarse, crs, "incidents per ~200 m hexagon"),
        outlines=list(outlines.geometry),
        ranks=outlines["rank"].to_numpy(),
        centres=np.column_stack([cx, cy]).reshape(-1, 2),
        names=[str(n) for n in plan.localities["name"]],
    )


def _square(layers: _Layers, rank: int, half_width_m: float) -> tuple[float, ...]:
    cx, cy = layers.centres[list(layers.ranks).index(rank)]
    return (cx - half_width_m, cy - half_width_m, cx + half_width_m, cy + half_width_m)


def _map_figure(
    layers: _Layers, bounds: tuple[float, ...], *, highlight: int | None, title: str,
    size: tuple[float, float] = (6.4, 6.0),
) -> Figure:  # fmt: skip
    fig = Figure(figsize=size)
    ax = fig.add_axes((0.02, 0.06, 0.80, 0.88))
    bar = fig.add_axes((0.86, 0.25, 0.03, 0.5))
    _draw(ax, bar, layers, bounds, highlight=highlight)
    ax.set_title(title, fontsize=10, parse_math=False)
    return fig


def _draw(
    ax: Any, bar: Any, layers: _Layers, bounds: tuple[float, ...], *, highlight: int | None
) -> None:
    """Basemap, wards, aggregated incidents, localities, names, scale bar and notes on one
    axes (metres)."""
    x0, y0, x1, y1 = bounds
    box = shapely.box(*bounds)
    street_basemap(ax, (x0, y0, x1, y1), crs=layers.crs)
    hexes = layers.fine if highlight is not None else layers.coarse
    edges = shapely.intersection(shapely.boundary(np.asarray(layers.wards, dtype=object)), box)
    lines = [shapely.get_coordinates(part) for edge in edges for part in _parts(edge)]
    ax.add_collection(LineCollection(lines, colors="#777777", linewidths=0.8), autolim=False)
    hx, hy = hexes.centres.T
    near = np.flatnonzero((hx > x0 - 500) & (hx < x1 + 500) & (hy > y0 - 500) & (hy < y1 + 500))
    cells = PolyCollection(
        [hexes.polygons[i] for i in near], cmap="YlOrBr", edgecolors="none", alpha=0.8
    )
    cells.set_array(hexes.counts[near])
    cells.set_clim(0, max(float(hexes.counts.max(initial=0)), 1.0))
    ax.add_collection(cells, autolim=False)
    ax.figure.colorbar(cells, cax=bar, label=hexes.label)
    frame = (x0, y0, x1, y1)
    taken: list[Any] = []  # names drawn so far: localities first, then wards
    drawn: list[tuple[float, float, int, str, bool]] = []
    for rank, geom, name in zip(layers.ranks, layers.outlines, layers.names, strict=True):
        if not geom.intersects(box):
            continue
        mine = highlight is None or rank == highlight
        ax.add_artist(
            _patch(
                geom,
                fill=highlight is None,
                facecolor=_RED,
                edgecolor=_RED if mine else "#555555",
                linewidth=2.0 if mine else 1.0,
                linestyle="-" if mine else "--",
            )
        )
        px, py = geom.representative_point().coords[0]
        drawn.append((px, py, int(rank), name.rsplit(", ", 1)[0], bool(mine)))
    for own in (True, False):
        rows = [d for d in drawn if d[4] is own]
        xy = np.array([(d[0], d[1]) for d in rows]).reshape(-1, 2)
        place_labels(ax, xy, [str(d[2]) for d in rows], bounds=frame, fontsize=8,
                     weight="bold", colour=_RED if own else "#333333", taken=taken,
                     always=True)  # fmt: skip
    xy = np.array([(d[0], d[1]) for d in drawn]).reshape(-1, 2)
    place_labels(ax, xy, [d[3] for d in drawn], bounds=frame, fontsize=6.5, colour="#222",
                 weight="bold", below=True, taken=taken)  # fmt: skip
    inside = shapely.intersection(np.asarray(layers.wards, dtype=object), box)
    keep = ~shapely.is_empty(inside) if len(inside) else np.zeros(0, bool)
    inner = shapely.get_coordinates(shapely.point_on_surface(inside[keep])).reshape(-1, 2)
    names = [n for n, k in zip(layers.ward_names, keep, strict=True) if k]
    place_labels(ax, inner, names, bounds=frame, style="italic", taken=taken)
    finish_map(ax, (x0, y0, x1, y1))
    ax.text(
        0.0, -0.01,
        f"{layers.crs} metres. Incidents aggregated to hexagons; sensitive incidents never drawn.",
        transform=ax.transAxes, ha="left", va="top", fontsize=6, color="#555555",
    )  # fmt: skip


def _table_pages(plan: PatrolPlan) -> Iterator[Figure]:
    """First PDF page(s): title, the dosage rule and limits, the plan table (short columns)."""
    short = plan_table(plan)
    heading = trend_headings(plan)
    compared = (
        {heading["incidents_compared"]: [_text(v) for v in short["incidents_compared"]]}
        if trend_only(plan)
        else {}
    )
    table = pd.DataFrame(
        {
            "Rank": short["rank"].astype(str),
            "Locality": short["name"].astype(str),  # wrapped in its column, never cut
            "Incidents": short["incidents"].astype(str),
            **compared,
            "Share": [_text(v, "share") for v in short["share"]],
            heading["trend"]: [_text(v) for v in short["trend"]],
            "Visits/day": short["visits_per_day"].astype(str),
        }
    )
    notes = [
        *filter(None, [trend_note(plan)]),
        str(plan.metadata.get("dosage_rule", "")),
        *filter(None, [days_note(plan)]),
        *plan.limits,
    ]
    yield from table_pages(
        f"Patrol briefing, {months_words(plan.metadata)}",
        table,
        note="\n".join(f"• {n}" for n in notes),
        size=A4_PORTRAIT,
    )


def _locality_page(layers: _Layers, record: dict[str, Any], details: dict[str, str]) -> Figure:
    """One PDF page per locality: its map and its details."""
    fig = Figure(figsize=A4_PORTRAIT)
    ax = fig.add_axes((0.06, 0.38, 0.76, 0.56))
    bar = fig.add_axes((0.86, 0.5, 0.025, 0.3))
    _draw(ax, bar, layers, _square(layers, int(record["rank"]), _HALF_WIDTH_M),
          highlight=int(record["rank"]))  # fmt: skip
    ax.set_title(f"{record['rank']}. {record['name']}", fontsize=11, parse_math=False)
    lines = [
        textwrap.fill(f"{label}: {text}", 110)
        for label, text in locality_details(record, details).items()
    ]
    fig.text(0.08, 0.33, "\n".join(lines), fontsize=7.5, va="top", parse_math=False)
    return fig
