"""Printable patrol briefing: the plan table, its limits and a static map per locality.

Maps are drawn on the server with matplotlib (no map tiles, so they print offline): ward
outlines, incidents aggregated to hexagons (H3 resolution 11, about 25 m edge, on locality
maps; resolution 9 on the overview; never points), the locality outline and its neighbours,
a scale bar. The HTML is print-ready (A4, one locality per page) with the maps inline as PNG;
the PDF (matplotlib ``PdfPages``, no system libraries needed) has the table and limits, an
overview and one page per locality.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from pyproj import Transformer
from shapely.geometry.polygon import orient

from hotspots.data.schema import WGS84
from hotspots.products.patrol.export import plan_table
from hotspots.products.patrol.plan import CONTEXT_RES, PatrolPlan
from hotspots.space.grid import cell_polygons

BRIEFING_COLUMNS: dict[str, str] = {
    "rank": "Rank",
    "name": "Locality",
    "incidents": "Incidents",
    "share": "Share",
    "harm": "Harm",
    "crime_mix": "Crime mix",
    "trend": "Trend vs previous period",
    "peak_days": "Peak days",
    "windows": "Peak windows",
    "dosage": "Dosage",
}
"""Plan columns shown in the briefing table, with their headings."""

_A4 = (8.27, 11.69)
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
    return _overview(_layers(plan), plan.metadata.get("period", ""))


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
    title = title or f"Patrol briefing, {plan.metadata.get('period', '')}"
    table = _display_table(plan)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in values) + "</tr>"
        for values in table.itertuples(index=False)
    )
    summary = plan.metadata.get("summary", {})
    layers = _layers(plan)
    sections = []
    for record in plan_table(plan).to_dict("records"):
        details = "".join(
            f"<tr><th>{html.escape(label)}</th>"
            f"<td>{html.escape(_text(record.get(key), key))}</td></tr>"
            for key, label in _DETAILS.items()
        )
        title_text = f"{record['rank']}. {record['name']}"
        heading = html.escape(title_text)
        bounds = _square(layers, int(record["rank"]), _HALF_WIDTH_M)
        image = _png(_map_figure(layers, bounds, highlight=int(record["rank"]), title=title_text))
        sections.append(
            f'<section class="locality" id="locality-{record["rank"]}">'
            f"<h2>{heading}</h2>"
            f'<img alt="map of locality {record["rank"]}" src="data:image/png;base64,{image}">'
            f'<table class="details">{details}</table></section>'
        )
    limits = "".join(f"<li>{html.escape(text)}</li>" for text in plan.limits)
    period = str(plan.metadata.get("period", ""))
    overview = _png(_overview(layers, period)) if len(plan.localities) else ""
    overview_img = (
        f'<img alt="overview map" src="data:image/png;base64,{overview}">' if overview else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #111; }}
h1 {{ font-size: 16pt; }} h2 {{ font-size: 12pt; margin-top: 1.2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; }}
table.plan {{ font-size: 8pt; }}
table.details th {{ width: 28%; background: #f2f2f2; }}
img {{ max-width: 100%; height: auto; display: block; margin: 6px auto; }}
section.locality {{ break-before: page; page-break-before: always; }}
@media print {{ a {{ color: inherit; text-decoration: none; }} }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Study area: {html.escape(str(plan.metadata.get("study_area", "")))}. Ranked by
{html.escape(str(plan.metadata.get("ranked_by", "")))}; hot spots by
{html.escape(str(plan.metadata.get("method", "")))}. {summary.get("in_localities", 0):,} of
{summary.get("incidents", 0):,} incidents ({100 * summary.get("share_in_localities", 0):.1f} %)
fall in these {len(plan.localities)} localities.</p>
<h2>Plan</h2>
<table class="plan"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<h2>How to patrol</h2>
<p>{html.escape(str(plan.metadata.get("dosage_rule", "")))}</p>
<h2>Limits</h2>
<ul>{limits}</ul>
{overview_img}
{"".join(sections)}
</body></html>
"""


def write_briefing_pdf(plan: PatrolPlan, path: str | Path) -> Path:
    """Write the briefing as PDF: table and limits, overview map, one page per locality.

    Examples
    --------
    >>> write_briefing_pdf(plan, "out/briefing.pdf")  # doctest: +SKIP
    """
    path = Path(path)
    layers = _layers(plan)
    with PdfPages(path) as pdf:
        pdf.savefig(_table_page(plan))
        if len(plan.localities):
            pdf.savefig(_overview(layers, str(plan.metadata.get("period", ""))))
        for record in plan_table(plan).to_dict("records"):
            pdf.savefig(_locality_page(layers, record))
        info = pdf.infodict()
        info["Title"] = f"Patrol briefing {plan.metadata.get('period', '')}"
        info["Creator"] = "hotspots"
    return path


_DETAILS: dict[str, str] = {
    "ward": "Ward",
    "street": "Main street",
    "centre_lat": "Centre latitude",
    "centre_lon": "Centre longitude",
    "area_m2": "Area (m²)",
    "incidents": "Incidents",
    "share": "Share of the area's incidents",
    "harm": "Harm",
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
    if key in ("centre_lat", "centre_lon"):
        return f"{value:.6f}"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:,.1f}"
    return str(value)


def _display_table(plan: PatrolPlan) -> Any:
    table = plan_table(plan)[list(BRIEFING_COLUMNS)].copy()
    for key in ("share", "harm", "trend"):
        table[key] = [_text(v, key) for v in table[key]]
    return table.rename(columns=BRIEFING_COLUMNS)


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@lru_cache(maxsize=8)
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def _to_working(crs: str, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer(crs).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


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
    fine: _Hexes
    coarse: _Hexes
    outlines: list[shapely.Geometry]
    ranks: np.ndarray
    centres: np.ndarray
    names: list[str]


def _hexes(context: Any, res: int, crs: str, label: str) -> _Hexes:
    rows = context[context["res"] == res]
    hexes = cell_polygons(rows["cell"].to_numpy()).to_crs(crs).geometry.to_numpy()
    return _Hexes(
        polygons=[shapely.get_coordinates(h.exterior) for h in hexes],
        centres=shapely.get_coordinates(shapely.centroid(hexes)).reshape(-1, 2),
        counts=rows["count"].to_numpy(float),
        label=label,
    )


def _layers(plan: PatrolPlan) -> _Layers:
    crs = plan.metadata["working_crs"]
    wards = [] if plan.wards is None else list(plan.wards.to_crs(crs).geometry)
    outlines = plan.localities.to_crs(crs)
    cx, cy = _to_working(crs, plan.localities["centre_lon"], plan.localities["centre_lat"])
    fine, coarse = CONTEXT_RES
    return _Layers(
        crs=crs,
        wards=wards,
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
    """Wards, aggregated incidents, localities, scale bar and notes on one axes (metres)."""
    x0, y0, x1, y1 = bounds
    box = shapely.box(*bounds)
    hexes = layers.fine if highlight is not None else layers.coarse
    edges = shapely.intersection(shapely.boundary(np.asarray(layers.wards, dtype=object)), box)
    lines = [shapely.get_coordinates(part) for edge in edges for part in _parts(edge)]
    ax.add_collection(LineCollection(lines, colors="#777777", linewidths=0.8), autolim=False)
    hx, hy = hexes.centres.T
    near = np.flatnonzero((hx > x0 - 500) & (hx < x1 + 500) & (hy > y0 - 500) & (hy < y1 + 500))
    cells = PolyCollection([hexes.polygons[i] for i in near], cmap="YlOrBr", edgecolors="none")
    cells.set_array(hexes.counts[near])
    cells.set_clim(0, max(float(hexes.counts.max(initial=0)), 1.0))
    ax.add_collection(cells, autolim=False)
    ax.figure.colorbar(cells, cax=bar, label=hexes.label)
    for rank, geom in zip(layers.ranks, layers.outlines, strict=True):
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
        ax.annotate(
            str(rank), (px, py), ha="center", va="center", fontsize=8, weight="bold",
            color=_RED if mine else "#333333",
        )  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, bounds)
    ax.text(0.98, 0.98, "N ↑", transform=ax.transAxes, ha="right", va="top", fontsize=9)
    ax.text(
        0.0, -0.01,
        f"{layers.crs} metres. Incidents aggregated to hexagons; sensitive incidents never drawn.",
        transform=ax.transAxes, ha="left", va="top", fontsize=6, color="#555555",
    )  # fmt: skip


def _scale_bar(ax: Any, bounds: tuple[float, ...]) -> None:
    """A round-length scale bar (metres) in the lower left corner."""
    width = bounds[2] - bounds[0]
    length = next(s for s in (50, 100, 200, 500, 1000, 2000, 5000, 10000) if s >= width / 6)
    x = bounds[0] + 0.05 * width
    y = bounds[1] + 0.05 * (bounds[3] - bounds[1])
    ax.plot([x, x + length], [y, y], color="black", linewidth=3)
    label = f"{length} m" if length < 1000 else f"{length // 1000} km"
    ax.text(x + length / 2, y, label, ha="center", va="bottom", fontsize=8)


def _table_page(plan: PatrolPlan) -> Figure:
    """First PDF page: title, the plan table (short columns) and the limits."""
    fig = Figure(figsize=_A4)
    period = plan.metadata.get("period", "")
    fig.text(0.06, 0.96, f"Patrol briefing, {period}", fontsize=15, parse_math=False)
    short = plan_table(plan)[["rank", "name", "incidents", "share", "trend", "visits_per_day"]]
    cells = [
        [
            str(r["rank"]),
            textwrap.shorten(str(r["name"]), 48),
            str(r["incidents"]),
            _text(r["share"], "share"),
            _text(r["trend"]),
            str(r["visits_per_day"]),
        ]
        for r in short.to_dict("records")
    ]
    height = 0.022 * (len(cells) + 1)
    ax = fig.add_axes((0.06, 0.93 - height, 0.88, height))
    ax.axis("off")
    if cells:
        table = ax.table(
            cellText=cells,
            colLabels=["Rank", "Locality", "Incidents", "Share", "Trend", "Visits/day"],
            colWidths=[0.06, 0.5, 0.1, 0.09, 0.17, 0.1],
            bbox=Bbox.from_bounds(0, 0, 1, 1),
            cellLoc="left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        for cell in table.get_celld().values():
            cell.get_text().set_parse_math(False)  # data text: a "$" is not mathematics
    notes = [str(plan.metadata.get("dosage_rule", "")), *plan.limits]
    wrapped = "\n".join(textwrap.fill(f"• {n}", 120) for n in notes)
    fig.text(0.06, 0.9 - height, wrapped, fontsize=6.5, va="top", parse_math=False)
    return fig


def _locality_page(layers: _Layers, record: dict[str, Any]) -> Figure:
    """One PDF page per locality: its map and its details."""
    fig = Figure(figsize=_A4)
    ax = fig.add_axes((0.06, 0.38, 0.76, 0.56))
    bar = fig.add_axes((0.86, 0.5, 0.025, 0.3))
    _draw(ax, bar, layers, _square(layers, int(record["rank"]), _HALF_WIDTH_M),
          highlight=int(record["rank"]))  # fmt: skip
    ax.set_title(f"{record['rank']}. {record['name']}", fontsize=11, parse_math=False)
    lines = [
        textwrap.fill(f"{label}: {_text(record.get(key), key)}", 110)
        for key, label in _DETAILS.items()
    ]
    fig.text(0.08, 0.33, "\n".join(lines), fontsize=7.5, va="top", parse_math=False)
    return fig
