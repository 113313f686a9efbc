"""The meeting pack for the monthly JAG meeting: static hotspot map (PNG), HTML and PDF pages.

Built on the document stack (:mod:`hotspots.views.documents`): its static map frame, north
arrow and scale bar, page shell and PDF table pages.

Everything here is pure (no Streamlit, no browser): the map is drawn server-side by matplotlib
in the analysis' metric working CRS (EPSG:27700 in Great Britain), so the scale bar is in
metres, over the street basemap (tiles through a local disk cache). The meeting pack is one
self-contained HTML page (the map inlined as a base64 PNG, no external scripts, styles or
images) or a PDF drawn by matplotlib's PDF backend. Every text that comes from the data or
the user is escaped.

Sensitive incidents (domestic abuse, sexual offences, stalking) never reach these products as
locations: the cells and cluster outlines of an :class:`~hotspots.analysis.analyse.Analysis` are
built
without them (:mod:`hotspots.core.disclosure`), and the pack says how many were left out.

Examples
--------
>>> from hotspots.analysis.analyse import analyse
>>> result = analyse(incidents, study_area=wards)  # doctest: +SKIP
>>> png = static_map_png(result, wards, title="Dacorum: hot spots")  # doctest: +SKIP
>>> page = meeting_pack_html(result, wards, title="JAG", period="Feb 2022")  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hotspots.analysis.analyse import Analysis
from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS
from hotspots.core.classes import GI_COLOURS, GI_LABELS
from hotspots.core.crs import to_crs
from hotspots.core.disclosure import MIN_COUNT, SUPPRESSED, WITHHELD
from hotspots.core.io import Dest, deliver
from hotspots.data.coverage import Coverage
from hotspots.products.captions import (
    cell_area_text,
    counted,
    counts_title,
    hot_spot_caption,
    hot_spot_title,
    month_text,
    percent_change_text,
    study_area_words,
)
from hotspots.views.documents.html import esc, image_html, page_html, table_html
from hotspots.views.documents.pdf import A4_LANDSCAPE, pdf_bytes, table_pages
from hotspots.views.documents.selection_words import describe_selection as describe_selection
from hotspots.views.documents.static_map import (
    Bounds,
    figure_png,
    finish_map,
    headings,
    place_labels,
    street_basemap,
)
from hotspots.views.maps import (
    BACKGROUND,
    HOT_SPOT_COLOUR,
    HOT_SPOT_DARK,
    OGL_ATTRIBUTION,
    PLACE_COL,
    WARD_NAME_COLUMNS,
    class_breaks,
)

MapLayer = Literal["forecast", "gistar", "counts"]
"""What the static map shades: the forecast hot spots (the default; Gi* when the analysis has
no forecast), Gi* classes (significant clusters of high and low counts) or incident counts per
H3 cell."""

CLUSTER_COLOUR = "#6a3d9a"
"""Outline colour of the clusters (as on the dashboard's map)."""

_WARD_COLOUR = "#3b4a54"
_DPI = 160


# --------------------------------------------------------------------------- tables


def top_hotspots(analysis: Analysis, *, top_n: int = 10) -> pd.DataFrame:
    """The largest clusters, ranked by incidents (ties: lower cluster id first).

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    top_n
        How many clusters to list.

    Returns
    -------
    DataFrame
        One row per cluster: ``rank`` (1 = most incidents; the number drawn on the static
        map), ``cluster`` (id in ``analysis.profiles``), ``place`` ("Street, Ward", as on the
        maps), ``places`` (the most frequent
        location texts, from ``top_locations``), ``n_incidents``, ``share`` (of the mapped
        incidents, 0-1), ``crime_mix``, ``trend`` with ``recent`` / ``previous`` (latest 3
        months against the 3 before) and ``peak`` (weekday and hour when the data have them,
        else why not).

    Examples
    --------
    >>> top_hotspots(result, top_n=5)[["rank", "places", "n_incidents"]]  # doctest: +SKIP
    """
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, got {top_n}")
    ranked = _ranked(analysis.profiles).head(top_n)
    peak = [
        note if pd.isna(day) or pd.isna(hour) else f"{day}, around {int(hour):02d}:00 ({note})"
        for day, hour, note in zip(
            ranked["peak_weekday"], ranked["peak_hour"], ranked["peak_note"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "rank": ranked["rank"].to_numpy(),
            "cluster": ranked["cluster"].to_numpy(),
            "place": _places_of(ranked),
            "places": ranked["top_locations"].fillna("no location text").to_numpy(),
            "n_incidents": ranked["n_incidents"].to_numpy(),
            "share": ranked["share"].to_numpy(),
            "crime_mix": ranked["crime_mix"].to_numpy(),
            "trend": ranked["trend"].to_numpy(),
            "recent": ranked["recent"].to_numpy(),
            "previous": ranked["previous"].to_numpy(),
            "peak": peak,
        }
    )


def peak_summary(analysis: Analysis, *, block_hours: int = 3) -> tuple[pd.DataFrame, str]:
    """The busiest times per crime group, and a note on what they are based on.

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse` (its ``peaks``, per category).
    block_hours
        Length of the hour windows listed (2, 3 or 4: the lengths ``analyse`` computes).

    Returns
    -------
    (DataFrame, str)
        One row per crime group, busiest group first: ``group``, ``resolution`` ("hour" or
        "month"), ``peaks`` (the ranked windows or months with their share of the group's
        incidents). The note says why months are shown (month-only data such as police.uk)
        or how many incidents without a time of day the hour windows leave out.

    Examples
    --------
    >>> table, note = peak_summary(result)  # doctest: +SKIP
    """
    peaks = analysis.peaks
    attrs = peaks.attrs
    key = "category" if "category" in peaks.columns else "group"
    resolution = "hour" if len(peaks) and (peaks["resolution"] == "hour").any() else "month"
    few = sum(t < MIN_TIMED_INCIDENTS for t, _ in attrs.get("with_time", {}).values())
    groups = f"{counted(few, 'group')} {'has' if few == 1 else 'have'}"
    unknown = (
        f"{groups} fewer than {MIN_TIMED_INCIDENTS} incidents with a time of day (timing unknown)"
    )
    if resolution == "hour":
        available = sorted(peaks["block_hours"].dropna().astype(int).unique())
        if block_hours not in available:
            raise ValueError(f"block_hours must be one of {available}, got {block_hours}")
        rows = peaks[peaks["block_hours"] == block_hours]
        note = f"Busiest {block_hours}-hour windows of the week (share of the group's incidents)."
        if attrs.get("n_without_time", 0):
            note += (
                f" Based on the {attrs.get('n_used', 0):,} incidents with a time of day; "
                f"{attrs['n_without_time']:,} without one (e.g. police.uk, month only) are "
                "not in these windows."
            )
        if few:
            note += (
                f" {groups} no windows: fewer than {MIN_TIMED_INCIDENTS} incidents with a time "
                "of day (timing unknown)."
            )
    else:
        rows = peaks
        reason = attrs.get("reason") or (unknown if few else "no incident has a time of day")
        note = (
            f"Busiest months (share of the group's incidents): no hour windows, because {reason}."
        )
        if len(analysis.monthly) < 2:  # one month is no peak: not "Dec 2021 (100 %)"
            empty = pd.DataFrame({"group": [], "resolution": [], "peaks": []}, dtype=str)
            return empty, (
                f"No busiest times: no hour windows, because {reason}, and the data hold one "
                "month only."
            )
    rows = rows.sort_values([key, "rank"])
    labels = rows["label"].astype(str)
    if resolution == "month":  # "May 2021", not "2021-05"
        labels = labels.map(month_text)
    text = labels + " (" + (100 * rows["share"]).round().astype(int).astype(str) + " %)"
    per_group = text.groupby(rows[key].to_numpy(), sort=False).agg("; ".join)
    order = analysis.monthly.sum().sort_values(ascending=False).index
    per_group = per_group.reindex([g for g in order if g in per_group.index])
    table = pd.DataFrame(
        {
            "group": per_group.index.astype(str),
            "resolution": resolution,
            "peaks": per_group.to_numpy(),
        }
    )
    return table, note


# --------------------------------------------------------------------------- static map


def static_map_png(
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    title: str,
    subtitle: str | None = None,
    layer: MapLayer = "forecast",
    size_px: tuple[int, int] = (1600, 1200),
    label_top: int = 10,
    attribution: str = OGL_ATTRIBUTION,
    dest: Dest = None,
) -> bytes:
    """The hotspot map as a PNG, drawn server-side (no browser).

    The street basemap (:func:`~hotspots.views.documents.static_map.street_basemap`: tiles
    through the local cache; "basemap off" when they cannot be reached), ward outlines and
    names, the H3 cells shaded by Gi* class or by count with a legend, the cluster outlines
    with the ``label_top`` largest numbered by their rank in :func:`top_hotspots`, their
    street on the map and "Street, Ward" listed beside it, a north arrow, a scale bar in
    metres and the attribution. Drawn in the analysis' working
    CRS (``analysis.params["working_crs"]``, EPSG:27700 in Great Britain).

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    wards
        Ward polygons (any CRS) drawn as outlines; ``None`` draws none and frames the cells.
    title, subtitle
        Heading (and a smaller line under it, e.g. the period and filters).
    layer
        ``"forecast"``: the hot spots, the cells where next month's crime is most likely
        (``analysis.forecast``; Gi* when there is none), the best-ranked fifth darker;
        ``"gistar"``: significant clusters of high and low counts by confidence (90/95/99 %),
        ArcGIS colours;
        ``"counts"``: incidents per cell in up to 5 quantile classes (the legend shows the
        class bounds chosen).
    size_px
        Width and height of the image in pixels (drawn at 160 dpi).
    label_top
        How many of the largest clusters get their rank number on the map.
    attribution
        Licence text printed under the map.
    dest
        Also write the PNG here.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> png = static_map_png(result, wards, title="Dacorum: hot spots")  # doctest: +SKIP
    >>> open("hotspots.png", "wb").write(png)  # doctest: +SKIP
    """
    fig = static_map_figure(
        analysis,
        wards,
        title=title,
        subtitle=subtitle,
        layer=layer,
        size_px=size_px,
        label_top=label_top,
        attribution=attribution,
    )
    return deliver(figure_png(fig, dpi=_DPI), dest)


def static_map_figure(
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    title: str,
    subtitle: str | None = None,
    layer: MapLayer = "gistar",
    size_px: tuple[int, int] = (1600, 1200),
    label_top: int = 10,
    attribution: str = OGL_ATTRIBUTION,
) -> Figure:
    """The figure :func:`static_map_png` saves (same parameters), e.g. to read its texts."""
    width, height = size_px
    if min(width, height) < 200:
        raise ValueError(f"size_px must be at least 200 × 200 pixels, got {size_px}")
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    ax = fig.add_axes((0.02, 0.07, 0.74, 0.81))
    _draw_map(ax, analysis, wards, layer=layer, label_top=label_top)
    headings(fig, title, subtitle, attribution)
    return fig


def _draw_map(
    ax: Axes,
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    layer: MapLayer,
    label_top: int,
) -> None:
    """Wards, shaded cells, numbered cluster outlines, legend, north arrow and scale bar."""
    crs = analysis.params.get("working_crs")
    if not crs:
        raise ValueError(
            "analysis.params has no 'working_crs': build it with hotspots.analysis.analyse"
        )
    cells = analysis.cells
    if layer == "forecast" and (analysis.forecast is None or "hot_spot" not in cells.columns):
        layer = "gistar"  # fewer than two months: no forecast to draw
    if layer == "forecast":
        assert analysis.forecast is not None  # checked just above
        shown = cells[cells["hot_spot"].fillna(False).astype(bool)].sort_values("forecast_rank")
        top = max(1, len(shown) // 5)
        colours = np.where(np.arange(len(shown)) < top, HOT_SPOT_DARK, HOT_SPOT_COLOUR)
        handles = [
            Patch(facecolor=HOT_SPOT_DARK, edgecolor="#777", label="most likely fifth"),
            Patch(facecolor=HOT_SPOT_COLOUR, edgecolor="#777", label="the rest"),
        ]
        title = hot_spot_title(analysis.forecast.coverage).replace(" where ", "\nwhere ")
        legend_title = title.replace(" is most", "\nis most")
    elif layer == "gistar":
        shown = cells[cells["gi_bin"] != 0]
        colours = shown["gi_bin"].astype(int).map(GI_COLOURS).to_numpy()
        present = set(shown["gi_bin"].astype(int))
        handles = [
            Patch(facecolor=GI_COLOURS[b], edgecolor="#777", label=GI_LABELS[b])
            for b in GI_COLOURS
            if b in present
        ]
        legend_title = (
            "Statistically significant clusters\nof high (and low) counts\n(blank: not significant)"
        )
    elif layer == "counts":
        shown = cells[cells["count"] > 0]
        colours, handles = _count_classes(shown["count"].to_numpy(float))
        legend_title = counts_title(int(analysis.params["grid"]["res"]))
    else:
        raise ValueError(f"layer must be 'forecast', 'gistar' or 'counts', got {layer!r}")

    frame = wards if wards is not None else cells
    frame_m = to_crs(frame, crs)
    west, south, east, north = frame_m.total_bounds
    pad = 0.03 * max(east - west, north - south, 1.0)
    bounds: Bounds = (west - pad, south - pad, east + pad, north + pad)
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    ax.set_facecolor(BACKGROUND)
    street_basemap(ax, bounds, crs=crs)
    if len(shown):
        to_crs(shown, crs).plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2, alpha=0.8)
    if wards is not None:
        frame_m.plot(ax=ax, facecolor="none", edgecolor=_WARD_COLOUR, linewidth=0.8)
    ranked = _ranked(analysis.profiles)
    outlined = to_crs(ranked[~(ranked.geometry.isna() | ranked.geometry.is_empty)], crs)
    taken: list[Any] = []  # names drawn so far: hot spots' streets first, then wards
    if len(outlined):
        outlined.plot(ax=ax, facecolor="none", edgecolor=CLUSTER_COLOUR, linewidth=1.4)
        handles.append(
            Patch(facecolor="none", edgecolor=CLUSTER_COLOUR, label="Cluster (number = rank)")
        )
        _label_clusters(ax, outlined.head(label_top), bounds, taken)
    if wards is not None:
        _label_wards(ax, frame_m, bounds, taken)

    finish_map(ax, bounds)
    if handles:
        fig.legend(
            handles=handles,
            title=legend_title,
            loc="upper left",
            bbox_to_anchor=(0.78, 0.88),
            fontsize=9,
            title_fontsize=9,
            alignment="left",
            frameon=False,
        )
    if len(outlined) and PLACE_COL in outlined.columns:
        _list_hot_spots(fig, outlined.head(label_top))


def _count_classes(values: np.ndarray) -> tuple[np.ndarray, list[Patch]]:
    """Colour of each count (quantile classes, YlOrRd as on the web map) and legend patches."""
    if values.size == 0:
        return np.array([], dtype=object), []
    bounds = class_breaks(values, k=5)
    cmap = colormaps["YlOrRd"]
    n = len(bounds)
    palette = [cmap(x) for x in (np.linspace(0.2, 0.95, n) if n > 1 else [0.8])]
    cls = np.minimum(np.searchsorted(bounds, values, side="left"), n - 1)
    lows = np.concatenate([[values.min()], np.floor(bounds[:-1]) + 1])
    handles = [
        Patch(
            facecolor=palette[i],
            edgecolor="#777",
            label=f"{lo:,.0f}" if lo >= hi else f"{lo:,.0f}–{hi:,.0f}",
        )
        for i, (lo, hi) in enumerate(zip(lows, bounds, strict=True))
    ]
    return np.array([palette[c] for c in cls], dtype=object), handles


def _label_clusters(ax: Axes, outlined: gpd.GeoDataFrame, bounds: Bounds, taken: list[Any]) -> None:
    """Each cluster's rank at its inner point (always); its street name ("Street, Ward"
    shortened to the street) under it where it does not overlap a name drawn before."""
    points = outlined.geometry.representative_point()
    xy = np.column_stack([points.x, points.y])
    ranks = [str(rank) for rank in outlined["rank"]]
    place_labels(
        ax, xy, ranks, bounds=bounds, fontsize=10, colour=CLUSTER_COLOUR, weight="bold",
        taken=taken, always=True,
    )  # fmt: skip
    if PLACE_COL in outlined.columns:
        streets = [_street_of(name) for name in outlined[PLACE_COL]]
        place_labels(
            ax, xy, streets, bounds=bounds, fontsize=7, colour="#222", weight="bold",
            below=True, taken=taken,
        )  # fmt: skip


def _street_of(place: Any) -> str:
    """``"Marlowes (Supermarket), Hemel Hempstead Town"`` → ``"Marlowes (Supermarket)"``."""
    return str(place).rsplit(", ", 1)[0] if pd.notna(place) else ""


def _label_wards(ax: Axes, wards_m: gpd.GeoDataFrame, bounds: Bounds, taken: list[Any]) -> None:
    """Ward names (grey italics) at each ward's inner point inside the map."""
    name_col = next((c for c in WARD_NAME_COLUMNS if c in wards_m.columns), None)
    if name_col is None:
        return
    inside = wards_m.geometry.intersection(shapely.box(*bounds))
    keep = ~(inside.isna() | inside.is_empty)
    points = inside[keep].representative_point()
    names = [str(n) for n in wards_m.loc[keep, name_col]]
    xy = np.column_stack([points.x, points.y])
    place_labels(ax, xy, names, bounds=bounds, style="italic", taken=taken)


def _list_hot_spots(fig: Figure, outlined: gpd.GeoDataFrame) -> None:
    """The numbered clusters' names ("Street, Ward") at the foot of the right-hand column."""
    entries = [
        textwrap.wrap(f"{rank}. {name}", 40, subsequent_indent="    ", max_lines=2)
        for rank, name in zip(outlined["rank"], outlined[PLACE_COL], strict=True)
    ]
    lines = [line for entry in entries for line in entry]
    fig.text(0.785, 0.09, "\n".join(lines), fontsize=7, va="bottom", linespacing=1.4,
             parse_math=False)  # fmt: skip
    height = len(lines) * 7 * 1.4 / 72 / fig.get_size_inches()[1]  # figure fraction
    fig.text(0.785, 0.10 + height, "Largest clusters", fontsize=9, fontweight="bold")


def _places_of(ranked: pd.DataFrame) -> np.ndarray:
    """Each cluster's "Street, Ward" (``place``), or "unnamed place" for profiles without."""
    if PLACE_COL not in ranked.columns:
        return np.full(len(ranked), "unnamed place", dtype=object)
    return ranked[PLACE_COL].fillna("unnamed place").astype(str).to_numpy()


def _ranked(profiles: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The profiles in the order of their ``rank`` (see ``cluster_ranks``)."""
    return profiles.sort_values("rank", kind="stable")


# --------------------------------------------------------------------------- meeting pack


def data_lines(
    coverage: Coverage | None, notes: Sequence[str], sources: Sequence[str] = ()
) -> dict[str, str]:
    """The pack's lines on its data, after its filters: the months of each source
    (``"Data"``: :meth:`hotspots.data.coverage.Coverage.describe`; of ``sources`` only, when
    the selection names some) and the comparisons' notes (``"Note 1"`` …: a source left out,
    sensitive offences left out of totals)."""
    if coverage is not None and sources:
        coverage = coverage.only(sources)
    data = {"Data": coverage.describe()} if coverage is not None else {}
    return {**data, **{f"Note {i + 1}": note for i, note in enumerate(notes)}}


def meeting_pack_html(
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    title: str,
    period: str,
    filters: Mapping[str, str] | None = None,
    changes: pd.DataFrame | None = None,
    measures: pd.DataFrame | None = None,
    top_n: int = 10,
    layer: MapLayer = "forecast",
    map_png: bytes | None = None,
) -> str:
    """The meeting pack as one self-contained HTML page (prints to A4; no internet needed).

    Sections: title and period, the filters used, the map (PNG inlined as base64), the top
    hotspots (:func:`top_hotspots`), the busiest times (:func:`peak_summary`), what changed and
    the headline measures (from :mod:`hotspots.products.measures`), and how the hot spots were found
    (every parameter, chosen or given). All text is escaped.

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    wards
        Ward polygons for the map (any CRS), or ``None``.
    title, period
        Heading and the period covered (e.g. "Jan 2021 – Jan 2022").
    filters
        Filter name → value in words (:func:`describe_selection`).
    changes
        :func:`hotspots.products.measures.what_changed` of the selection (its ranked ``text`` per
        comparison, the periods and the test in a note); ``None``: "not computed".
    measures
        :func:`hotspots.products.measures.headline_measures` (counts as shown after suppression, the
        change in % with its significance marker); ``None``: "not computed".
    top_n
        Hotspots listed.
    layer
        Map shading (see :func:`static_map_png`).
    map_png
        An already rendered :func:`static_map_png` to reuse (else one is drawn).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> page = meeting_pack_html(result, wards, title="JAG", period="Jan 2022")  # doctest: +SKIP
    >>> open("pack.html", "w", encoding="utf-8").write(page)  # doctest: +SKIP
    """
    if map_png is None:
        map_png = static_map_png(analysis, wards, title=title, subtitle=period, layer=layer)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="period">{esc(period)}</p>',
        _filters_html(filters),
        "<h2>Map</h2>",
        *(f'<p class="note">{esc(n)}</p>' for n in _hot_spot_note(analysis)),
        image_html(map_png, alt="Hotspot map", css_class="map"),
    ]
    for heading, table, note in _pack_sections(analysis, changes, measures, top_n=top_n):
        parts.append(f"<h2>{esc(heading)}</h2>")
        if note:
            parts.append(f'<p class="note">{esc(note)}</p>')
        parts.append(table_html(table))
    plain, technical = (
        "".join(f"<li><b>{esc(k)}:</b> {esc(v)}</li>" for k, v in items)
        for items in _method_items(analysis)
    )
    parts.append(f'<h2>How the hot spots were found</h2><ul class="method">{plain}</ul>')
    parts.append(f'<h3>{esc(TECHNICAL_HEADING)}</h3><ul class="method">{technical}</ul>')
    parts.append(f'<p class="attribution">{esc(OGL_ATTRIBUTION)}</p>')
    return page_html(title, parts, size="A4 landscape", css=_PACK_CSS)


def meeting_pack_pdf(
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    title: str,
    period: str,
    filters: Mapping[str, str] | None = None,
    changes: pd.DataFrame | None = None,
    measures: pd.DataFrame | None = None,
    top_n: int = 10,
    layer: MapLayer = "forecast",
    dest: Dest = None,
) -> bytes:
    """The meeting pack as a PDF (A4 landscape), drawn by matplotlib (no browser, no CDN).

    Page 1: title, period, filters and the map (vector). Then the top hotspots, the peak
    times and how the hot spots were found, and the "what changed" and headline-measure
    tables when given. Parameters as in :func:`meeting_pack_html`; ``dest``: also write the
    file there.

    Returns
    -------
    bytes
        The PDF file.

    Examples
    --------
    >>> pdf = meeting_pack_pdf(result, wards, title="JAG", period="Jan 2022")  # doctest: +SKIP
    """
    return pdf_bytes(
        _pack_pages(analysis, wards, title=title, period=period, filters=filters,
                    changes=changes, measures=measures, top_n=top_n, layer=layer),
        title=title,
        dest=dest,
    )  # fmt: skip


def _pack_pages(
    analysis: Analysis,
    wards: gpd.GeoDataFrame | None,
    *,
    title: str,
    period: str,
    filters: Mapping[str, str] | None,
    changes: pd.DataFrame | None,
    measures: pd.DataFrame | None,
    top_n: int,
    layer: MapLayer,
) -> Iterator[Figure]:
    fig = Figure(figsize=A4_LANDSCAPE)
    ax = fig.add_axes((0.03, 0.07, 0.73, 0.76))
    _draw_map(ax, analysis, wards, layer=layer, label_top=10)
    subtitle = period + "".join(f"  ·  {k}: {v}" for k, v in (filters or {}).items())
    headings(fig, title, subtitle, OGL_ATTRIBUTION)
    for note in _hot_spot_note(analysis):  # the hot spots and their backtest, over the map
        wrapped = textwrap.fill(note, 150)
        fig.text(0.02, 0.885, wrapped, fontsize=9, va="top", color=HOT_SPOT_DARK, parse_math=False)
    yield fig
    for heading, table, note in _pack_sections(analysis, changes, measures, top_n=top_n):
        yield from table_pages(heading, table, note=note)
    plain, technical = (
        "\n".join(f"{label}: {text}" for label, text in items) for items in _method_items(analysis)
    )
    method = f"{plain}\n\n{TECHNICAL_HEADING}\n{technical}"
    yield from table_pages("How the hot spots were found", pd.DataFrame(), note=method)


def _pack_sections(
    analysis: Analysis,
    changes: pd.DataFrame | None,
    measures: pd.DataFrame | None,
    *,
    top_n: int,
) -> list[tuple[str, pd.DataFrame, str]]:
    """(heading, display table, note) of each table section of the pack, in order."""
    peaks, peak_note = peak_summary(analysis)
    hotspot_note = (
        "Clusters of incidents (density-based), largest first; the rank is the number on the "
        "map. Places are the most frequent location descriptions; share of mapped incidents."
    )
    return [
        (
            "Largest clusters of incidents",
            _hotspot_display(top_hotspots(analysis, top_n=top_n)),
            hotspot_note,
        ),
        (
            "When: peak times",
            peaks.drop(columns="resolution").rename(columns=_PEAK_HEADERS),
            peak_note,
        ),
        ("What changed", *_changes_display(changes)),
        ("Headline measures", *_measures_display(measures)),
    ]


def _changes_display(changes: pd.DataFrame | None) -> tuple[pd.DataFrame, str]:
    """The ranked changes (:func:`~hotspots.products.measures.what_changed`) and their basis."""
    if changes is None:
        return pd.DataFrame(), "Not computed for this pack."
    _require_columns(
        changes, ("compared_with", "period", "text"), "hotspots.products.measures.what_changed"
    )
    attrs = changes.attrs
    groups = attrs.get("groups")
    each = "each crime group in each ward" if "ward_code" in changes.columns else "each crime group"
    family = (
        f"Significant means significant allowing for all {groups:,} groups compared here "
        f"({each}); the headline measures below allow for their own four, so a change can "
        "be significant there and not here (or the other way round): they test different things."
        if groups
        else ""
    )
    note = " ".join(
        str(part)
        for part in (
            f"Current period: {attrs['current_period']}." if "current_period" in attrs else "",
            f"{str(attrs['reason']).capitalize()}." if attrs.get("reason") else "",
            *attrs.get("notes", []),
            family,
            f"Test: {attrs['test']}." if attrs.get("test") else "",
        )
        if part
    )
    table = pd.DataFrame(
        {
            "Change": changes["text"].astype(str),
            "Compared with": changes["period"].astype(str)
            + " ("
            + changes["compared_with"].astype(str)
            + ")",
        }
    )
    return table, note


def _measures_display(measures: pd.DataFrame | None) -> tuple[pd.DataFrame, str]:
    """The CSP headline measures of :func:`hotspots.products.measures.headline_measures`."""
    if measures is None:
        return pd.DataFrame(), "Not computed for this pack."
    needed = ("current_shown", "previous_shown", "last_year_shown", "pct_vs_previous")
    _require_columns(measures, needed, "hotspots.products.measures.headline_measures")
    attrs = measures.attrs
    current = attrs.get("current_period") or "current"
    table = pd.DataFrame({"Measure": measures.index.astype(str)})
    table[current] = measures["current_shown"].astype(str).to_numpy()
    for period, col, suffix in (
        (attrs.get("previous_period") or "previous", "previous_shown", "vs_previous"),
        (attrs.get("last_year_period") or "last year", "last_year_shown", "vs_last_year"),
    ):
        pct = measures[f"pct_{suffix}"].astype(float)
        change = pct.map(percent_change_text, na_action="ignore").astype(object).fillna("–")
        marker = measures.get(suffix, pd.Series("", index=measures.index)).fillna("").astype(str)
        table[period] = measures[col].astype(str).to_numpy()
        table[f"change vs {period}"] = (change + " " + marker).str.strip().to_numpy()
    note = (
        "▲ / ▼: significant rise / fall, allowing for the four headline measures tested "
        "together (not the same test as the groups under What changed)"
        + (f" ({attrs['test']})" if attrs.get("test") else "")
        + f". Domestic abuse is counted, never mapped; counts under {MIN_COUNT} show as "
        f"{SUPPRESSED}."
    )
    return table, note


def _require_columns(table: pd.DataFrame, columns: tuple[str, ...], producer: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"table is missing column(s) {missing}: build it with {producer}")


_PEAK_HEADERS = {"group": "Crime group", "peaks": "Busiest times"}

_PACK_CSS = """
body { font-size: 15px; }
.period { font-size: 1.2em; color: #444; margin-top: 0; }
img.map { width: 100%; border: 1px solid #ccc; }
dl.filters { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dl.filters dt { font-weight: 600; } dl.filters dd { margin: 0; }
"""
"""The pack's own styles, after the shared page styles."""


def _hotspot_display(top: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Rank": top["rank"].astype(str),
            "Hot spot": top["place"].astype(str),
            "Places": top["places"].astype(str),
            "Incidents": top["n_incidents"].map("{:,}".format),
            "Share": (100 * top["share"]).map("{:.1f}%".format),
            "Crime mix": top["crime_mix"].astype(str),
            "Trend (latest 3 months vs 3 before)": [
                # too few months: no "46 vs 0", as if the months before held no crime
                t if t == "too few months" else f"{t} ({r} vs {p})"
                for t, r, p in zip(
                    top["trend"].astype(str), top["recent"], top["previous"], strict=True
                )
            ],
            "Peak": top["peak"].astype(str),
        }
    )


def _filters_html(filters: Mapping[str, str] | None) -> str:
    if not filters:
        return '<p class="note">Filters: none (every incident of the data).</p>'
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in filters.items())
    return f'<h2>Filters used</h2><dl class="filters">{rows}</dl>'


def _hot_spot_note(analysis: Analysis) -> list[str]:
    """The hot spots and their tested accuracy in plain words (the dashboard's caption)."""
    return [] if analysis.forecast is None else [hot_spot_caption(analysis.forecast)[0]]


TECHNICAL_HEADING = "How this was worked out (technical detail)"
"""The pack's detail section: the method names and settings behind the plain words."""


def _method_items(analysis: Analysis) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(label, text) of how the map was made: plain words first, then the technical detail
    (:data:`TECHNICAL_HEADING`: every parameter, as reported by ``analyse``)."""
    p = analysis.params
    grid, gi, cl = p["grid"], p["gistar"], p["clusters"]
    n_cells = grid.get("n_cells", len(analysis.cells))
    plain = [
        ("Incidents analysed", f"{p['incidents']:,}"),
        (
            "Area",
            f"the study area split into {n_cells:,} hexagons of about "
            f"{cell_area_text(int(grid['res']))} each",
        ),
        (
            "Hot spots",
            hot_spot_caption(analysis.forecast)[0].removeprefix("Hot spots: ")
            if analysis.forecast is not None
            else f"none forecast ({p.get('forecast', {}).get('skipped', 'not run')})",
        ),
        (
            "Clusters",
            f"{cl['n_clusters']} places where incidents lie close together"
            + (f" (within about {cl['eps_m']:.0f} m of each other)" if cl.get("eps_m") else "")
            + f"; {1 - cl['noise_share']:.0%} of the mapped incidents lie in these places",
        ),
    ]
    left = p.get("sensitive_left_out_of_map_layers", 0)
    if left:
        shown = p.get("sensitive_left_out_shown", left)
        how_many = "Some" if shown in (SUPPRESSED, WITHHELD) else f"{shown}"
        plain.append(
            (
                "Sensitive incidents",
                f"{how_many} (domestic abuse, sexual offences, stalking) are never mapped or used "
                "to draw hot spots or cluster outlines; the figures count them only where a ward "
                f"holds {MIN_COUNT} or more of one type in a month",
            )
        )
    method = (
        hot_spot_caption(analysis.forecast)[1].removeprefix("Hot spots: ")
        if analysis.forecast is not None
        else f"no forecast ({p.get('forecast', {}).get('skipped', 'not run')})"
    )
    technical = [
        (
            "Grid",
            f"H3 resolution {grid['res']}, {n_cells:,} cells "
            f"(study area: {study_area_words(p.get('study_area', 'not recorded'))})",
        ),
        ("Hot spot method", method),
        (
            "Statistically significant clusters of high counts (not the hot spots)",
            f"Getis-Ord Gi*, {gi.get('weights', 'k-ring ' + str(gi.get('k')))}; "
            f"{'FDR-adjusted' if gi.get('fdr') else 'raw'} p-values",
        ),
        (
            "Clusters",
            f"{str(cl['method']).upper()}"
            + (f", eps {cl['eps_m']:.0f} m ({cl['eps_source']})" if cl.get("eps_m") else "")
            + f", min_samples {cl['min_samples']} ({cl['min_samples_source']}); "
            f"{cl['n_clusters']} clusters, {1 - cl['noise_share']:.0%} of incidents clustered",
        ),
        ("Working CRS", str(p.get("working_crs"))),
    ]
    return plain, technical
