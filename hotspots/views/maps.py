"""Folium map layers for the JAG dashboard and the standalone map export, offline-safe.

Every layer takes aggregates (H3 cells, Gi* classes, cluster outlines, wards) or points that
are not incidents (cameras, walkabout feedback, patrol localities); sensitive incidents never
reach a map as points. Layers are built as compact GeoJSON: coordinates rounded to 5 decimals
(about 1 m), one small style table per layer indexed from each feature, and only the features a
layer needs (no zero cells, only significant Gi* cells, simplified ward outlines).

Offline: the maps never load JavaScript or CSS from a CDN. :func:`base_map` points the map at
Leaflet's files by a relative path; :func:`map_html` inlines them into a self-contained page and
:func:`hotspots.views.dashboard.offline.st_map` serves them from the Streamlit app. Both read the
files
that ``scripts/setup.sh`` installs (:func:`map_assets_dir`). A street basemap (OpenStreetMap, or
the XYZ server named by ``HOTSPOTS_TILES``, e.g. a council's own) is drawn by default; where its
tiles cannot be reached the map says so and :func:`label_layer` (ward names) still orients the
reader over a plain background.

Text is data, never HTML: every value shown in a tooltip, popup or legend is escaped.

Examples
--------
>>> m = base_map((-0.75, 51.65, -0.35, 51.90))
>>> hex_layer(cells, legend_title="Incidents").add_to(m)  # doctest: +SKIP
>>> html = map_html(m)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from hotspots.core.classes import GI_COLOURS, GI_LABELS
from hotspots.core.crs import WGS84, outside_degrees, to_crs, working_crs_for

LEAFLET_VERSION = "1.9.4"
"""The Leaflet release ``scripts/setup.sh`` installs (keep the two in step)."""

ASSETS_ENV = "HOTSPOTS_MAP_ASSETS"
"""Environment variable naming another folder holding ``leaflet/leaflet.js`` and ``.css``."""

MAP_JS: tuple[tuple[str, str], ...] = (("leaflet", "leaflet/leaflet.js"),)
"""The map's JavaScript as (name, path inside the assets folder)."""

MAP_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", "leaflet/leaflet.css"),)
"""The map's CSS as (name, path inside the assets folder)."""

BACKGROUND = "#eeede9"
"""Plain light grey drawn behind the layers (what shows where no tiles load)."""

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0; "
    "boundaries © Crown copyright and database right"
)
"""Attribution for police.uk data over ONS boundaries (pass it to :func:`base_map`)."""

TILES_ENV = "HOTSPOTS_TILES"
"""Environment variable: the basemap's XYZ URL (``https://…/{z}/{x}/{y}.png``), or ``off``."""

TILES_ATTRIBUTION_ENV = "HOTSPOTS_TILES_ATTRIBUTION"
"""Environment variable: the attribution of the tiles named by :data:`TILES_ENV`."""

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

BASEMAP_OFF_NOTE = "Street map off: its tiles could not be reached. Ward names still shown."
"""What a map says when no tile of its basemap loads."""

PLACE_COL = "place"
"""Column naming a cell or cluster "Street, Ward", shown first in its tooltip."""

_NO_DATA = "#c8c8c8"
WARD_NAME_COLUMNS = ("area_name", "ward_name", "WD13NM", "WD23NM", "name", "NAME")
"""Columns that may hold a ward's name, the first found used (maps and static maps)."""
_AREAS_PANE = ("hotspots-areas", 350)  # below Leaflet's overlay pane (400): cells stay on top
POINTS_PANE = ("hotspots-points", 450)
"""A pane above the cells (Leaflet's overlay pane is 400) for points that must stay visible
over them, whichever layer was switched on last (walkabout feedback)."""
_DECIMALS = 5


# --------------------------------------------------------------------------- assets


def map_assets_dir() -> Path:
    """The folder holding the map's JavaScript and CSS (Leaflet), installed by the set-up.

    ``$HOTSPOTS_MAP_ASSETS`` when set, else ``<venv>/share/hotspots/map-assets`` (where
    ``scripts/setup.sh`` unpacks Leaflet from the npm registry).

    Raises
    ------
    FileNotFoundError
        When the files are missing or of another Leaflet version, saying to run the set-up.

    Examples
    --------
    >>> (map_assets_dir() / "leaflet" / "leaflet.js").is_file()
    True
    """
    env = os.environ.get(ASSETS_ENV)
    folder = Path(env) if env else Path(sys.prefix) / "share" / "hotspots" / "map-assets"
    missing = [rel for _, rel in (*MAP_JS, *MAP_CSS) if not (folder / rel).is_file()]
    if missing:
        raise FileNotFoundError(
            f"map assets {missing} not found in {folder}: run `bash scripts/setup.sh` (it "
            f"fetches Leaflet {LEAFLET_VERSION} once), or set {ASSETS_ENV} to a folder "
            "holding leaflet/leaflet.js and leaflet/leaflet.css"
        )
    version_file = folder / "leaflet" / "VERSION"
    version = version_file.read_text().strip() if version_file.is_file() else "of unknown version"
    if not env and version != LEAFLET_VERSION:
        raise FileNotFoundError(
            f"{folder} holds Leaflet {version}, hotspots wants {LEAFLET_VERSION}: run "
            "`bash scripts/setup.sh` to update it"
        )
    return folder


def use_assets(m: folium.Map, base_url: str) -> folium.Map:
    """Point the map's JavaScript and CSS links at ``base_url`` (a folder URL ending in ``/``).

    :func:`base_map` uses ``""`` (paths relative to the page); the dashboard uses the URL its
    Streamlit server serves the assets at. Returns ``m``, changed in place.
    """
    if base_url and not base_url.endswith("/"):
        raise ValueError(f"base_url must end with '/', got {base_url!r}")
    m.default_js = [(name, base_url + rel) for name, rel in MAP_JS]
    m.default_css = [(name, base_url + rel) for name, rel in MAP_CSS]
    return m


def map_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page (Leaflet inlined), to open offline in a meeting.

    Raises ``ValueError`` when the map needs any other external script or stylesheet (e.g. a
    folium plugin from a CDN): such a page would not draw without internet.

    Examples
    --------
    >>> m = base_map((-0.75, 51.65, -0.35, 51.90))
    >>> "<script src=" in map_html(m)
    False
    """
    page = m.get_root().render()
    folder = map_assets_dir()
    for _, rel in MAP_JS:
        code = (folder / rel).read_text(encoding="utf-8")
        if "</script" in code.lower():
            raise ValueError(f"{folder / rel} contains '</script' and cannot be inlined")
        tag = re.compile(rf'<script src="[^"]*{re.escape(rel)}"></script>')
        page = _replace_first(tag, f"<script>{code}</script>", page)
    for _, rel in MAP_CSS:
        css = _inline_css_images((folder / rel).read_text(encoding="utf-8"), (folder / rel).parent)
        tag = re.compile(rf'<link rel="stylesheet" href="[^"]*{re.escape(rel)}"/>')
        page = _replace_first(tag, f"<style>{css}</style>", page)
    external = re.findall(r'<script src="[^"]*"|<link rel="stylesheet" href="[^"]*"', page)
    if external:
        raise ValueError(
            f"the map needs {external}, which would be fetched from the internet; build its "
            "layers with hotspots.views.maps (no CDN) or drop the plugin"
        )
    return page


def map_payload_bytes(m: folium.Map) -> int:
    """Bytes of HTML, code and data the browser receives for the map itself (UTF-8).

    Leaflet's own files (~160 kB, served locally once and cached) are not counted; the
    standalone page from :func:`map_html` adds them.
    """
    return len(m.get_root().render().encode("utf-8"))


def _replace_first(tag: re.Pattern[str], text: str, page: str) -> str:
    """``page`` with the first match of ``tag`` replaced by ``text`` verbatim (no ``\\1``)."""
    return tag.sub(lambda _: text, page, count=1)


def _inline_css_images(css: str, folder: Path) -> str:
    def data_uri(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


# --------------------------------------------------------------------------- base map


def base_map(
    bounds: Sequence[float] | gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    tiles: bool = True,
    background: str = BACKGROUND,
    attribution: str | None = None,
    width: str | int = "100%",
    height: str | int = "100%",
) -> folium.Map:
    """An empty map fitted to ``bounds``, on a plain background, with no CDN assets.

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees (EPSG:4326), or a GeoDataFrame / GeoSeries
        with a CRS (its total bounds, reprojected to EPSG:4326).
    tiles
        Draw the street basemap (:func:`basemap_source`: OpenStreetMap or ``HOTSPOTS_TILES``)
        with its attribution, written once a tile has drawn. Where no tile loads (a council
        network, no internet) the map shows :data:`BASEMAP_OFF_NOTE`, credits no street map,
        and the layers draw on the plain background.
    background
        Colour behind the layers (shows wherever no tiles are drawn).
    attribution
        Extra attribution text (escaped), e.g. :data:`OGL_ATTRIBUTION`.
    width, height
        Size of the map (CSS length or pixels).

    Returns
    -------
    folium.Map
        Leaflet loaded by the relative path ``leaflet/leaflet.js`` (see :func:`map_html` and
        :func:`hotspots.views.dashboard.offline.st_map`). Add ``folium.LayerControl()`` after the
        layers to let users toggle them.

    Examples
    --------
    >>> m = base_map((-0.75, 51.65, -0.35, 51.90), tiles=True)
    >>> m.location
    [51.775, -0.55]
    """
    west, south, east, north = _lonlat_bounds(bounds)
    m = folium.Map(
        location=[round((south + north) / 2, 6), round((west + east) / 2, 6)],
        zoom_start=11,
        tiles=None,
        control_scale=True,
        width=width,
        height=height,
        zoom_snap=0.25,  # fit the chosen wards closely, not to the next whole zoom level
    )
    use_assets(m, "")
    source = basemap_source() if tiles else None
    _MapSetup(to_hex(background), _text(attribution) if attribution else None, source).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def _lonlat_bounds(
    bounds: Sequence[float] | gpd.GeoDataFrame | gpd.GeoSeries,
) -> tuple[float, float, float, float]:
    if isinstance(bounds, gpd.GeoDataFrame | gpd.GeoSeries):
        if bounds.crs is None:
            raise ValueError("bounds frame has no CRS: set it with .set_crs(...) first")
        bounds = to_crs(bounds, WGS84).total_bounds
    values = np.asarray(bounds, dtype=float)
    if values.shape != (4,) or not np.isfinite(values).all():
        raise ValueError(
            f"bounds must be 4 finite numbers (west, south, east, north), got {bounds}"
        )
    west, south, east, north = (float(v) for v in values)
    if west > east or south > north or outside_degrees(values[::2], values[1::2]).any():
        raise ValueError(
            f"bounds {tuple(values)} are not (west, south, east, north) in degrees; metres "
            "(e.g. British National Grid) must be reprojected with .to_crs('EPSG:4326')"
        )
    pad = 0.005  # degrees (~500 m): a single point still gets a usable view
    if east - west < pad and north - south < pad:
        west, south, east, north = west - pad, south - pad, east + pad, north + pad
    return west, south, east, north


def basemap_source() -> tuple[str, str] | None:
    """The street basemap's ``(XYZ URL, attribution)``; ``None`` when ``HOTSPOTS_TILES=off``.

    Examples
    --------
    >>> basemap_source()[1]  # doctest: +SKIP
    '© OpenStreetMap contributors'
    """
    url = os.environ.get(TILES_ENV, "").strip()
    if url.lower() in ("off", "none", "0"):
        return None
    if not url:
        return OSM_TILES, OSM_ATTRIBUTION
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ValueError(f"{TILES_ENV} must be an XYZ URL with {{z}}, {{x}} and {{y}}, got {url!r}")
    return url, os.environ.get(TILES_ATTRIBUTION_ENV, "").strip() or "Basemap: " + url.split("/")[2]


def label_layer(
    areas: gpd.GeoDataFrame,
    *,
    text_col: str | None = None,
    name: str = "Place names",
    css_class: str = "hotspots-label",
    show: bool = True,
) -> folium.FeatureGroup:
    """Names written on the map at each area's inner point (wards, hot spots' streets).

    Orients the reader where the basemap is off. Text is escaped; labels do not catch clicks.
    No two names overlap: in the browser, a name that would cover a patrol rank, a hot spot's
    street (``hotspots-label-hot``, placed first, best first) or an earlier name is hidden
    until the map is zoomed in (so a ward name gives way to a hot spot's street).

    Parameters
    ----------
    areas
        Polygons or points (any CRS) with a text column.
    text_col
        Column with the label (default: the first ward-name column, as :func:`ward_layer`).
    css_class
        Class of the labels (``hotspots-label``; ``hotspots-label-hot`` for hot spots).

    Examples
    --------
    >>> label_layer(wards).add_to(m)  # doctest: +SKIP
    """
    text_col = text_col or next((c for c in WARD_NAME_COLUMNS if c in areas.columns), None)
    if text_col is None:
        raise ValueError(f"areas: no name column among {list(WARD_NAME_COLUMNS)}; pass text_col=")
    frame = _wgs84_frame(areas, "areas", [text_col], "hotspots.space.areas")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    at = frame.geometry.representative_point()
    rows = [
        [round(float(y), _DECIMALS), round(float(x), _DECIMALS), _text(t)]
        for x, y, t in zip(at.x, at.y, frame[text_col].astype(str), strict=True)
    ]
    group = layer_group(name, show=show)
    _Labels(rows, css_class).add_to(group)
    return group


# --------------------------------------------------------------------------- classes


def class_breaks(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int = 5,
    scheme: Literal["quantile", "equal"] = "quantile",
) -> np.ndarray:
    """Upper bounds of up to ``k`` classes for a choropleth (ascending; the last is the maximum).

    A value ``v`` falls in the first class whose upper bound is ``>= v``. Quantile classes
    merge where values tie (skewed counts give fewer, honest classes); integer values give
    integer bounds.

    Examples
    --------
    >>> class_breaks([1, 1, 1, 2, 3, 5, 8, 13, 40], k=3).tolist()
    [1.0, 5.0, 40.0]
    """
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return np.array([], dtype=float)
    if not np.isfinite(v).all():
        raise ValueError("class_breaks: values contain NaN or infinity; fill or drop them first")
    if k < 1:
        raise ValueError(f"class_breaks: k must be at least 1, got {k}")
    if scheme == "quantile":
        edges = np.quantile(v, np.linspace(0, 1, k + 1)[1:], method="inverted_cdf")
    elif scheme == "equal":
        edges = np.linspace(v.min(), v.max(), k + 1)[1:]
    else:
        raise ValueError(f"class_breaks: scheme must be 'quantile' or 'equal', got {scheme!r}")
    if np.all(v == np.round(v)):
        edges = np.ceil(edges)
    edges[-1] = v.max()
    return np.unique(edges)


def _classify(v: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(breaks, v, side="left"), len(breaks) - 1)


def _class_labels(breaks: np.ndarray, values: np.ndarray) -> list[str]:
    """Legend text of each class, from the smallest value to the largest (past the last bound)."""
    integer = bool(np.all(values == np.round(values)))
    uppers = np.append(breaks[:-1], max(breaks[-1], values.max()))
    labels = []
    for i, upper in enumerate(uppers):
        if i == 0:
            low = min(values.min(), upper)
        else:
            low = np.floor(breaks[i - 1]) + 1 if integer else breaks[i - 1]
        labels.append(_num(upper) if low >= upper else f"{_num(low)}–{_num(upper)}")
    return labels


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def to_hex(colour: Any) -> str:
    """``colour`` (a name, ``#rgb``/``#rrggbb`` or an RGB(A) tuple) as ``#rrggbb``, as
    :func:`matplotlib.colors.to_hex` gives it.

    A ``#rrggbb`` string is lower-cased here: matplotlib (0.15 s of CPU to import) is loaded
    only for the other forms, so the dashboard's first map (all ``#rrggbb``) draws without it.
    """
    if isinstance(colour, str) and _HEX_COLOUR.fullmatch(colour):
        return colour.lower()
    from matplotlib.colors import to_hex as matplotlib_hex

    return str(matplotlib_hex(colour))


def _palette(colormap: str | Sequence[str], n: int) -> list[str]:
    if isinstance(colormap, str):
        from matplotlib import colormaps

        if colormap not in colormaps:
            raise ValueError(
                f"unknown colormap {colormap!r}: use a matplotlib name such as 'YlOrRd' or "
                "'Blues', or a list of colours"
            )
        cmap = colormaps[colormap]
        return (
            [to_hex(cmap(x)) for x in np.linspace(0.2, 0.95, n)] if n > 1 else [to_hex(cmap(0.8))]
        )
    colours = [to_hex(c) for c in colormap]
    if len(colours) < n:
        raise ValueError(f"{n} classes need {n} colours, got {len(colours)}: {colours}")
    return colours[:n]


# --------------------------------------------------------------------------- layers


def hex_layer(
    cells: gpd.GeoDataFrame,
    *,
    value: str = "count",
    legend_title: str | None = None,
    colormap: str | Sequence[str] = "YlOrRd",
    k: int = 5,
    scheme: Literal["quantile", "equal"] = "quantile",
    breaks: Sequence[float] | None = None,
    opacity: float = 0.75,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """H3 cells coloured by ``value`` (a choropleth) with a legend; zero cells are not sent.

    Parameters
    ----------
    cells
        Grid from :mod:`hotspots.space.grid`: ``cell``, ``value`` and hexagon polygons (any CRS).
    value
        Column to map (``count``, ``rate``, ...).
    legend_title
        Legend heading and tooltip label (default: the column name).
    colormap
        A matplotlib colormap name or a list of colours, one per class.
    k, scheme
        Classes of :func:`class_breaks`, used when ``breaks`` is not given.
    breaks
        Upper bounds of the classes (to keep the classes fixed across months); values above the
        last bound fall in the last class. The legend shows the bounds used.
    opacity
        Fill opacity (0-1).
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.

    Examples
    --------
    >>> layer = hex_layer(cells, legend_title="Crimes, Jan 2022")  # doctest: +SKIP
    >>> layer.add_to(m)  # doctest: +SKIP
    """
    cells = _wgs84_frame(cells, "cells", ["cell", value], "hotspots.space.grid (cell_counts)")
    v = _numeric(cells[value], f"cells[{value!r}]")
    title = legend_title or value.replace("_", " ").capitalize()
    shown = v > 0
    bounds = _breaks(v[shown], breaks, k=k, scheme=scheme)
    group = layer_group(name or title, show=show)
    if len(bounds):
        colours = _palette(colormap, len(bounds))
        cls = _classify(v[shown], bounds)
        labels = _class_labels(bounds, v[shown])
        styles = [_fill_style(c, opacity) for c in colours]
        tips = _named(cells[shown], f"{_text(title)}: " + _format(cells.loc[shown, value]))
        ids = cells.loc[shown, "cell"].astype(str)
        geoms = cells.geometry.to_numpy()[shown]
        _GeoJsonLayer(_features(geoms, cls, tips, ids=ids), styles).add_to(group)
        items = list(zip(colours, labels, strict=True))
    else:
        items = []
    _Legend(title, items, note="Blank: 0").add_to(group)
    return group


def gistar_layer(
    cells: gpd.GeoDataFrame,
    *,
    opacity: float = 0.8,
    name: str = "Hot and cold spots (Gi*)",
    show: bool = True,
    legend_title: str = "Gi* hot and cold spots",
) -> folium.FeatureGroup:
    """Significant Gi* hot and cold spots (90/95/99 % confidence) with a legend.

    Only cells with ``gi_bin != 0`` are sent; not significant cells stay blank.

    Parameters
    ----------
    cells
        Output of :func:`hotspots.analysis.stats.gistar`: ``gi_z``, ``gi_bin`` (-3..3) and hexagon
        polygons; ``gi_class`` (label) and ``count`` are shown when present.
    opacity
        Fill opacity (0-1).
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    legend_title
        The legend's heading.

    Examples
    --------
    >>> gistar_layer(stats.gistar(grid)).add_to(m)  # doctest: +SKIP
    """
    cells = _wgs84_frame(cells, "Gi* cells", ["gi_z", "gi_bin"], "hotspots.analysis.stats.gistar")
    bins = _numeric(cells["gi_bin"], "cells['gi_bin']")
    bad = sorted(set(bins[~np.isin(bins, np.arange(-3, 4))].tolist()))
    if bad:
        raise ValueError(f"gi_bin must be an integer from -3 to 3 (ArcGIS Gi_Bin), got {bad}")
    shown = bins != 0
    order = list(GI_COLOURS)  # legend and style order, hottest first
    style_of_bin = np.zeros(7, dtype=int)
    style_of_bin[np.array(order) + 3] = np.arange(len(order))
    cls = style_of_bin[bins[shown].astype(int) + 3]
    if "gi_class" in cells.columns:
        labels = _format(cells.loc[shown, "gi_class"])
    else:
        labels = pd.Series([GI_LABELS[int(b)] for b in bins[shown]], index=cells.index[shown])
    tips = labels + "<br>z = " + _format(cells.loc[shown, "gi_z"].astype(float).round(2))
    if "count" in cells.columns:
        tips = tips + "<br>count: " + _format(cells.loc[shown, "count"])
    tips = _named(cells[shown], tips)
    ids = cells.loc[shown, "cell"].astype(str) if "cell" in cells.columns else None
    styles = [_fill_style(GI_COLOURS[b], opacity) for b in order]
    group = layer_group(name, show=show)
    geoms = cells.geometry.to_numpy()[shown]
    _GeoJsonLayer(_features(geoms, cls, tips, ids=ids), styles).add_to(group)
    items = [(GI_COLOURS[b], GI_LABELS[b]) for b in order]
    _Legend(legend_title, items, note="Blank: not significant").add_to(group)
    return group


HOT_SPOT_COLOUR = "#fb6a4a"
"""Fill of the forecast hot spot cells."""

HOT_SPOT_DARK = "#99000d"
"""Fill of the best-ranked fifth of the forecast hot spot cells."""


def hot_spot_layer(
    cells: gpd.GeoDataFrame,
    *,
    legend_title: str,
    note: str | None = None,
    opacity: float = 0.75,
    name: str = "Hot spots",
    show: bool = True,
) -> folium.FeatureGroup:
    """The forecast's hot spots: the selected cells, the best-ranked fifth darker, with a legend.

    Parameters
    ----------
    cells
        Cells with ``hot_spot`` (bool: selected by the forecast), ``forecast_rank`` (1 = most
        likely) and hexagon polygons (any CRS); ``count`` is shown when present. Only the
        selected cells are sent.
    legend_title, note
        Legend heading (what the cells are) and its last line (e.g. the backtest result).
    opacity
        Fill opacity (0-1).
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    """
    cells = _wgs84_frame(
        cells, "hot spot cells", ["hot_spot", "forecast_rank"], "hotspots.analysis.analyse"
    )
    chosen = cells[cells["hot_spot"].fillna(False).to_numpy(dtype=bool)]
    chosen = chosen.sort_values("forecast_rank")
    n = len(chosen)
    top = max(1, n // 5)
    rank = chosen["forecast_rank"].astype(int).to_numpy()
    cls = (np.arange(n) >= top).astype(int)
    tips = "Hot spot: rank " + _format(chosen["forecast_rank"]) + f" of {n:,}"
    if "count" in chosen.columns:
        tips = tips + "<br>incidents so far: " + _format(chosen["count"])
    tips = _named(chosen, tips)  # "Street, Ward" first, when the cells are named
    dark, light = HOT_SPOT_DARK, HOT_SPOT_COLOUR
    styles = [_fill_style(dark, opacity), _fill_style(light, opacity)]
    group = layer_group(name, show=show)
    ids = chosen["cell"].astype(str) if "cell" in chosen.columns else None
    _GeoJsonLayer(_features(chosen.geometry.to_numpy(), cls, tips, ids=ids), styles).add_to(group)
    items = (
        [
            (dark, f"most likely: ranks 1–{rank[top - 1]:,}"),
            (light, f"ranks {rank[top]:,}–{rank[-1]:,}"),
        ]
        if n > 1
        else [(dark, f"{n} cell")] * n
    )
    _Legend(legend_title, items, note=note).add_to(group)
    return group


def cluster_layer(
    profiles: gpd.GeoDataFrame,
    *,
    label_col: str = "cluster",
    popup_cols: Sequence[str] | None = None,
    colour: str = "#6a3d9a",
    name: str = "Clusters",
    show: bool = True,
    legend: str | None = "cluster outlines",
) -> folium.FeatureGroup:
    """Cluster outlines (DBSCAN/HDBSCAN profiles) with their statistics in an escaped popup.

    Parameters
    ----------
    profiles
        One row per cluster (:func:`hotspots.analysis.clusters.cluster_profiles`): an outline
        (polygon;
        points and lines of tiny clusters are drawn too) and its statistics. Clusters without
        an outline (only sensitive incidents) are not drawn; the legend says how many.
    label_col
        Column naming the cluster in the tooltip (skipped when absent).
    popup_cols
        Columns shown in the popup, in order (default: every column but the geometry).
    colour
        Outline colour.
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    legend
        What the legend calls the outlines (``"12 cluster outlines"``); ``None``: no legend.

    Examples
    --------
    >>> cluster_layer(profiles, popup_cols=["cluster", "incidents", "top_type"])  # doctest: +SKIP
    """
    cols = _popup_columns(profiles, popup_cols)
    no_outline = profiles.geometry.isna() | profiles.geometry.is_empty
    drawn = _wgs84_frame(
        profiles[~no_outline], "cluster profiles", cols, "hotspots.analysis.clusters"
    )
    colour = to_hex(colour)
    style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.15, "radius": 6}
    tips = "Cluster " + _format(drawn[label_col]) if label_col in drawn.columns else None
    if tips is not None:
        tips = _named(drawn, tips)
    features = _features(
        drawn.geometry.to_numpy(),
        np.zeros(len(drawn), dtype=int),
        tips,
        popups=_popup_table(drawn, cols),
    )
    group = layer_group(name, show=show)
    _GeoJsonLayer(features, [style]).add_to(group)
    note = None
    if no_outline.any():
        which = profiles.loc[no_outline, label_col] if label_col in profiles.columns else None
        listed = f" ({', '.join(_format(which))})" if which is not None else ""
        note = f"{int(no_outline.sum())} without an outline{listed}: only sensitive incidents"
    if legend is not None:
        _Legend(name, [(colour, f"{len(drawn)} {legend}")], note=note).add_to(group)
    return group


def ward_layer(
    wards: gpd.GeoDataFrame,
    *,
    value: str | None = None,
    name_col: str | None = None,
    tooltip_cols: Sequence[str] = (),
    legend_title: str | None = None,
    colormap: str | Sequence[str] = "Blues",
    k: int = 5,
    scheme: Literal["quantile", "equal"] = "quantile",
    breaks: Sequence[float] | None = None,
    simplify_m: float = 20.0,
    name: str = "Wards",
    show: bool = True,
    no_data_label: str = "no data",
) -> folium.FeatureGroup:
    """Ward outlines, or a ward choropleth of ``value`` (counts, rates) with a legend.

    Outlines are simplified by ``simplify_m`` metres in the working CRS (EPSG:27700 in Great
    Britain, else the local UTM zone) and drawn below the cell layers, which stay clickable.

    Parameters
    ----------
    wards
        Ward polygons (any CRS) with a name column.
    value
        Column to colour by; ``None`` draws outlines only. Wards with no value are grey and
        labelled "no data" in the legend.
    name_col
        Column with the ward name (default: the first of ``ward_name``, ``WD13NM``, ``WD23NM``,
        ``name``, ``NAME``).
    tooltip_cols
        More columns shown in the tooltip (e.g. ``count``, ``rate_per_1000``).
    legend_title, colormap, k, scheme, breaks
        As in :func:`hex_layer`.
    simplify_m
        Simplification tolerance in metres (0 keeps every vertex).
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    no_data_label
        What the legend calls the grey wards with no value (e.g. "no significant change"
        on a map of significant changes only).

    Examples
    --------
    >>> ward_layer(wards).add_to(m)  # doctest: +SKIP
    >>> ward_layer(ward_counts, value="rate_per_1000", tooltip_cols=["count"])  # doctest: +SKIP
    """
    name_col = name_col or next((c for c in WARD_NAME_COLUMNS if c in wards.columns), None)
    if name_col is None:
        raise ValueError(
            f"wards: no name column among {list(WARD_NAME_COLUMNS)}; pass name_col= one of "
            f"{[c for c in wards.columns if c != wards.geometry.name]}"
        )
    needed = [name_col, *tooltip_cols, *([value] if value else [])]
    wards = _wgs84_frame(wards, "wards", needed, "hotspots.space.areas")
    geoms = _simplified(wards.geometry, simplify_m)
    tips = "<b>" + _format(wards[name_col]) + "</b>"
    for col in [*([value] if value else []), *tooltip_cols]:
        label = _text(legend_title if col == value and legend_title else col.replace("_", " "))
        tips = tips + f"<br>{label}: " + _format(wards[col])
    group = layer_group(name, show=show)
    if value is None:
        style = {"color": "#3b4a54", "weight": 1.5, "fill": True, "fillOpacity": 0}
        _GeoJsonLayer(
            _features(geoms, np.zeros(len(wards), int), tips), [style], _AREAS_PANE
        ).add_to(group)
        return group
    title = legend_title or value.replace("_", " ").capitalize()
    v = pd.to_numeric(wards[value], errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(v)
    bounds = _breaks(v[known], breaks, k=k, scheme=scheme)
    colours = _palette(colormap, len(bounds)) if len(bounds) else []
    cls = np.full(len(v), len(bounds))  # the last style is "no data"
    cls[known] = _classify(v[known], bounds) if len(bounds) else 0
    styles = [{**_fill_style(c, 0.65), "color": "#3b4a54", "weight": 1} for c in colours]
    styles.append({**_fill_style(_NO_DATA, 0.65), "color": "#3b4a54", "weight": 1})
    _GeoJsonLayer(_features(geoms, cls, tips), styles, _AREAS_PANE).add_to(group)
    labels = _class_labels(bounds, v[known]) if len(bounds) else []
    items = list(zip(colours, labels, strict=True))
    if not known.all():
        items.append((_NO_DATA, no_data_label))
    _Legend(title, items).add_to(group)
    return group


def points_layer(
    points: gpd.GeoDataFrame,
    *,
    popup_cols: Sequence[str],
    tooltip_col: str | None = None,
    colour: str = "#1f78b4",
    radius: float = 6,
    name: str = "Points",
    show: bool = True,
    above_cells: bool = False,
) -> folium.FeatureGroup:
    """Circle markers for cameras, walkabout feedback or patrol localities (escaped popups).

    Refuses incidents flagged ``sensitive``: those are only ever mapped as aggregates.

    Parameters
    ----------
    points
        Point geometries (any CRS).
    popup_cols
        Columns shown in the popup table, in order (may be empty).
    tooltip_col
        Column shown on hover.
    colour
        Marker fill colour.
    radius
        Marker radius in screen pixels.
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    above_cells
        Draw the markers in :data:`POINTS_PANE`, above every cell layer, even one switched on
        after them.

    Examples
    --------
    >>> points_layer(cameras, popup_cols=["camera_id", "location"], name="CCTV")  # doctest: +SKIP
    """
    if "sensitive" in points.columns and points["sensitive"].fillna(False).astype(bool).any():
        raise ValueError(
            "points_layer: rows flagged sensitive (domestic abuse, sexual offences, stalking) "
            "must never be shown as points; map them as counts (hex_layer, ward_layer) instead"
        )
    cols = list(popup_cols) + ([tooltip_col] if tooltip_col else [])
    points = _wgs84_frame(points, "points", cols, "your point table")
    kinds = set(points.geom_type)
    if kinds - {"Point"}:
        raise ValueError(f"points_layer draws Point geometries only, got {sorted(kinds)}")
    style = {
        "radius": float(radius),
        "color": "#ffffff",
        "weight": 1.5,
        "fillColor": to_hex(colour),
        "fillOpacity": 0.9,
    }
    tips = _format(points[tooltip_col]) if tooltip_col else None
    popups = _popup_table(points, list(popup_cols)) if popup_cols else None
    features = _features(
        points.geometry.to_numpy(), np.zeros(len(points), int), tips, popups=popups
    )
    group = layer_group(name, show=show)
    _GeoJsonLayer(features, [style], POINTS_PANE if above_cells else None).add_to(group)
    return group


# --------------------------------------------------------------------------- helpers


def outline_layer(
    shapes: gpd.GeoDataFrame,
    *,
    tooltip_col: str,
    colour_col: str,
    name: str,
    show: bool = True,
    fill_opacity: float = 0.18,
) -> folium.FeatureGroup:
    """Outlines (polygons) each drawn in its own colour, with an escaped tooltip.

    Parameters
    ----------
    shapes
        Polygons (any CRS) with a text column ``tooltip_col`` and a colour column ``colour_col``.
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.
    fill_opacity
        Fill opacity (0-1) inside each outline.

    Examples
    --------
    >>> outline_layer(views, tooltip_col="label", colour_col="colour", name="V")  # doctest: +SKIP
    """
    shapes = _wgs84_frame(shapes, "outlines", [tooltip_col, colour_col], "a GeoDataFrame")
    colours, index = np.unique(shapes[colour_col].astype(str).to_numpy(), return_inverse=True)
    styles = [
        {"color": c, "weight": 1.5, "fillColor": c, "fillOpacity": fill_opacity} for c in colours
    ]
    group = layer_group(name, show=show)
    if len(shapes):
        tips = _format(shapes[tooltip_col].astype(str))
        _GeoJsonLayer(_features(shapes.geometry.to_numpy(), index, tips), styles).add_to(group)
    return group


def _wgs84_frame(
    gdf: gpd.GeoDataFrame, what: str, columns: Sequence[str], producer: str
) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; build it with {producer}")
    if gdf.crs is None:
        raise ValueError(
            f"{what} has no CRS: set it with .set_crs('EPSG:4326') for lon/lat or "
            "'EPSG:27700' for British National Grid metres"
        )
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        raise ValueError(
            f"{what}: {int(empty.sum())} row(s) have no geometry (first: index "
            f"{list(gdf.index[empty][:5])}); drop or locate them before mapping"
        )
    return gdf if gdf.crs.equals(WGS84) else to_crs(gdf, WGS84)


def _numeric(column: pd.Series, what: str) -> np.ndarray:
    v = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        raise ValueError(
            f"{what}: {int(bad.sum())} value(s) are missing or not numbers "
            f"(e.g. {column[bad].head(3).tolist()}); fill them (0 for no incidents) first"
        )
    return v


def _breaks(
    v: np.ndarray, breaks: Sequence[float] | None, *, k: int, scheme: Literal["quantile", "equal"]
) -> np.ndarray:
    if breaks is None:
        return class_breaks(v, k=k, scheme=scheme)
    b = np.asarray(breaks, dtype=float)
    if b.ndim != 1 or b.size == 0 or not np.isfinite(b).all() or np.any(np.diff(b) <= 0):
        raise ValueError(f"breaks must be increasing finite upper bounds, got {list(breaks)}")
    return b


def _simplified(geoms: gpd.GeoSeries, tolerance_m: float) -> np.ndarray:
    if tolerance_m <= 0:
        return geoms.to_numpy()
    lon, lat = shapely.get_coordinates(geoms.to_numpy()).T
    metric = working_crs_for(lon, lat)
    simple = shapely.simplify(to_crs(geoms, metric).to_numpy(), tolerance_m, preserve_topology=True)
    return to_crs(gpd.GeoSeries(simple, crs=metric), WGS84).to_numpy()


def _fill_style(colour: str, opacity: float) -> dict[str, Any]:
    return {
        "fillColor": colour,
        "fillOpacity": opacity,
        "color": "#ffffff",
        "weight": 0.5,
        "opacity": 0.8,
        "radius": 6,
    }


def _num(x: float) -> str:
    x = float(x)
    if x == round(x):
        return f"{round(x):,}"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def _text(value: Any) -> str:
    return html.escape(str(value))


def _format(column: pd.Series) -> pd.Series:
    """Display text of each value, HTML-escaped ("–" where missing).

    Plain Python over the values: a map's tables are tens to thousands of rows, where
    pandas' per-call costs (a popup of 13 columns) outweighed the formatting itself."""
    missing = column.isna().to_numpy(bool)
    if pd.api.types.is_bool_dtype(column):
        texts = ["yes" if x else "no" for x in column.fillna(False).tolist()]
    elif pd.api.types.is_numeric_dtype(column):
        values = column.astype(float).to_numpy()
        known = values[~missing]
        spec = ",.0f" if bool(np.all(known == np.round(known))) else ",.2f"
        texts = [format(x, spec) for x in values.tolist()]
    elif pd.api.types.is_datetime64_any_dtype(column):
        texts = column.dt.strftime("%Y-%m-%d").tolist()
    else:
        texts = [
            html.escape(", ".join(map(str, x)) if isinstance(x, list | tuple) else str(x))
            for x in column.tolist()
        ]
    out = ["–" if gone else text for text, gone in zip(texts, missing.tolist(), strict=True)]
    return pd.Series(out, index=column.index, dtype=object, name=column.name).astype(str)


def _named(frame: pd.DataFrame, tips: pd.Series) -> pd.Series:
    """``tips`` under each feature's ``place`` name in bold ("Street, Ward": from
    :func:`hotspots.space.places.place_names`), when ``frame`` has one."""
    if PLACE_COL not in frame.columns:
        return tips
    return "<b>" + _format(frame[PLACE_COL].fillna("unnamed place")) + "</b><br>" + tips


def _popup_columns(gdf: gpd.GeoDataFrame, popup_cols: Sequence[str] | None) -> list[str]:
    if popup_cols is not None:
        return list(popup_cols)
    return [c for c in gdf.columns if c != gdf.geometry.name]


def _popup_table(gdf: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    """Each row's ``cols`` as an HTML table (labels and values escaped), joined in plain
    Python (no pandas string operation per column)."""
    columns = [(_text(str(col).replace("_", " ")), _format(gdf[col]).tolist()) for col in cols]
    rows = [
        '<table class="hotspots-popup">'
        + "".join(f"<tr><th>{label}</th><td>{texts[i]}</td></tr>" for label, texts in columns)
        + "</table>"
        for i in range(len(gdf))
    ]
    return pd.Series(rows, index=gdf.index, dtype=object)


def _features(
    geoms: np.ndarray,
    style_index: np.ndarray,
    tooltips: pd.Series | None,
    *,
    popups: pd.Series | None = None,
    ids: pd.Series | None = None,
) -> str:
    """A GeoJSON FeatureCollection as JSON text: coordinates rounded, properties minimal.

    Properties: ``s`` index into the layer's style table, ``t`` tooltip HTML, ``p`` popup HTML
    (both already escaped); the text goes through :func:`script_safe`.
    """
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, _DECIMALS))
    if shapely.is_missing(rounded).any():  # GeoJSON text would carry a bare None
        raise ValueError("every map feature needs a geometry; drop the rows without one first")
    n = len(rounded)
    heads = [""] * n if ids is None else [f'"id":{json.dumps(i)},' for i in ids.tolist()]
    props = [f'{{"s":{s}' for s in np.asarray(style_index, dtype=int).tolist()]
    for key, texts in (("t", tooltips), ("p", popups)):
        if texts is not None:
            props = [f'{p},"{key}":{json.dumps(t)}' for p, t in zip(props, texts, strict=True)]
    features = [
        f'{{"type":"Feature",{head}"geometry":{geometry},"properties":{p}}}}}'
        for head, geometry, p in zip(
            heads, shapely.to_geojson(rounded).tolist(), props, strict=True
        )
    ]
    text = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return script_safe(text)


_TEMPLATE_START = re.compile(r"\{(?=[{%#])")


def script_safe(json_text: str) -> str:
    """JSON text made inert inside a map's <script>: no HTML breakout, no template code.

    branca renders each map element's script and then renders the result again as a Jinja2
    template, so ``{{ … }}`` or ``{% … %}`` carried by data (a ward, street or crime name, a
    comment) would run on the server (this module renders every ``MacroElement`` once,
    :func:`_render_once`; the escape stays, for the elements that render themselves twice,
    such as folium's ``Popup``, and against HTML breakout). ``<`` becomes ``\\u003c`` (no
    ``</script>``) and a ``{`` that opens ``{{``, ``{%`` or ``{#`` becomes ``\\u007b``: JSON never
    has such a brace outside a string, and inside one the escape reads back as the same
    character.

    Examples
    --------
    >>> script_safe('{"t":"{{7*7}} <b>"}')
    '{"t":"\\\\u007b{7*7}} \\\\u003cb>"}'
    """
    return _TEMPLATE_START.sub(r"\\u007b", json_text.replace("<", "\\u003c"))


def _js(value: Any) -> str:
    """``value`` as a JavaScript literal safe inside <script> (see :func:`script_safe`)."""
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def layer_group(name: str, *, show: bool = True) -> folium.FeatureGroup:
    """A layer whose name (shown in the layer control) cannot open a template tag.

    folium writes layer names into the layer control's script, which branca renders again as a
    template; a zero-width space after a ``{`` that opens ``{{``/``{%``/``{#`` keeps the name
    readable and inert.
    """
    return folium.FeatureGroup(name=_TEMPLATE_START.sub("{\u200b", str(name)), show=show)


def layer_control() -> folium.LayerControl:
    """The layer list of a dashboard map, folded into its button (hover or tap opens it): open,
    it covers the map's top right corner, where hot spots are drawn, on a laptop and on a
    projector alike, and the page has its own layer choice above the map.

    Examples
    --------
    >>> layer_control().options["collapsed"]
    True
    """
    return folium.LayerControl(collapsed=True)


def fit_layer(
    bounds: Sequence[float], *, padding_px: int = 24, max_zoom: int = 17
) -> folium.FeatureGroup:
    """A layer that draws nothing and fits the map's view to ``bounds`` (west, south, east,
    north in lon/lat), again whenever the map's frame changes size (a projector's screen
    filled, the legends moved beside it), until the user pans or zooms; new bounds (drawn
    again with other ones) fit again.

    For a map whose frame is sized in the browser (meeting mode fills the screen): a view
    chosen on the server for an assumed size opens zoomed too far out on a large screen.

    Examples
    --------
    >>> fit_layer((-0.49, 51.74, -0.44, 51.77))  # doctest: +ELLIPSIS
    <folium.map.FeatureGroup object at ...>
    """
    west, south, east, north = (float(v) for v in bounds)
    if not (np.isfinite([west, south, east, north]).all() and west <= east and south <= north):
        raise ValueError(
            f"fit_layer: bounds must be finite (west, south, east, north), got {bounds}"
        )
    group = folium.FeatureGroup(control=False)
    corners = [[round(south, _DECIMALS), round(west, _DECIMALS)],
               [round(north, _DECIMALS), round(east, _DECIMALS)]]  # fmt: skip
    _FitView(corners, int(padding_px), int(max_zoom)).add_to(group)
    return group


class _FitView(MacroElement):
    """The script of :func:`fit_layer`. A pointer or key pressed on the map (caught before the
    zoom buttons stop it) marks the view as the user's own: it is never fitted again then,
    until other bounds come."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this.map_name() }}, corners = {{ this.corners_js }};
    var key = JSON.stringify(corners), bounds = L.latLngBounds(corners);
    var state = map._hotspotsFit || (map._hotspotsFit = {});
    if (state.key !== key) { state.key = key; state.touched = false; }
    if (!state.watching) {
        state.watching = true;
        ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (kind) {
            map.getContainer().addEventListener(kind, function () { state.touched = true; },
                                                {capture: true, passive: true});
        });
    }
    function fit() {
        if (state.touched || state.key !== key) { return; }
        var size = map.getSize();
        if (!size.x || !size.y) { return; }
        map.fitBounds(bounds, {padding: [{{ this.padding }}, {{ this.padding }}],
                               maxZoom: {{ this.max_zoom }}, animate: false});
    }
    if (state.fit) { map.off("resize", state.fit); }
    state.fit = fit;
    map.on("resize", fit);
    [0, 300, 1200, 2500].forEach(function (ms) { setTimeout(fit, ms); });
})();
{% endmacro %}
"""
    )

    def __init__(self, corners: list[list[float]], padding: int, max_zoom: int) -> None:
        super().__init__()
        self._name = "FitView"
        self.corners_js = _js(corners)
        self.padding = padding
        self.max_zoom = max_zoom

    def map_name(self) -> str:
        return map_name(self)


def map_name(element: MacroElement) -> str:
    """The JavaScript name of the folium.Map ``element`` was added to (for its template)."""
    node = element._parent
    while not isinstance(node, folium.Map):
        if node is None:
            raise ValueError("add the layer to a folium.Map before rendering")
        node = node._parent
    return node.get_name()


class _MapSetup(MacroElement):
    """Plain background colour, the street basemap (and a note when none of its tiles loads;
    its attribution only once a tile has drawn), the label style, extra attribution, and the
    map's tidying (:data:`_TIDY_JS`: rank discs, names and legends kept apart)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this.map_name() }};
    map.getContainer().style.background = {{ this.background_js }};
    if (!document.getElementById("hotspots-label-css")) {
        var css = document.createElement("style");
        css.id = "hotspots-label-css";
        css.textContent = {{ this.css_js }};
        document.head.appendChild(css);
    }
    {{ this.tidy_js }}
    window.hotspotsTidy(map);
    {%- if this.attribution_js %}
    map.attributionControl.addAttribution({{ this.attribution_js }});
    {%- endif %}
    {%- if this.tiles_js %}
    var loaded = 0, note = null;
    var tiles = L.tileLayer({{ this.tiles_js }}, {maxZoom: 19, className: "hotspots-basemap"});
    tiles.on("tileload", function () {
        loaded += 1;
        if (loaded === 1 && map.attributionControl) {
            map.attributionControl.addAttribution({{ this.tiles_attribution_js }});
        }
        if (note) { note.remove(); note = null; }
    });
    tiles.on("tileerror", function () {
        if (!loaded && !note) {
            note = L.control({position: "topright"});
            note.onAdd = function () {
                var div = L.DomUtil.create("div", "hotspots-basemap-off");
                div.textContent = {{ this.off_js }};
                return div;
            };
            note.addTo(map);
        }
    });
    tiles.addTo(map);
    tiles.bringToBack();
    {%- endif %}
})();
{% endmacro %}
"""
    )

    _CSS = (
        ".hotspots-label,.hotspots-label-hot{background:none;border:none;white-space:nowrap;"
        "font:600 12px/1.2 sans-serif;color:#1d2a33;text-shadow:0 0 3px #fff,0 0 3px #fff,"
        "0 0 2px #fff;pointer-events:none}"
        ".hotspots-label>span,.hotspots-label-hot>span{display:inline-block;"
        "transform:translate(-50%,-50%)}"
        ".hotspots-label-hot{color:#8b0000;font-size:13px}"
        ".hotspots-basemap-off{background:#fff8e1;border:1px solid #c9a227;padding:4px 8px;"
        "border-radius:4px;font:13px/1.35 sans-serif;color:#5a4500;max-width:260px}"
        ".hotspots-legend-dock{position:absolute;z-index:800;display:flex;gap:6px;"
        "pointer-events:auto}"
        ".hotspots-legend-dock.hotspots-legend-column{flex-direction:column}"
        ".hotspots-legend{max-width:320px}"
        ".hotspots-legend-dock.hotspots-legend-row{flex-direction:row}"
        ".hotspots-legend-dock.hotspots-legend-beside{flex-direction:column;overflow-y:auto}"
        ".hotspots-rank{position:relative}"
        ".hotspots-leader{position:absolute;left:50%;top:50%;height:2px;margin-top:-1px;"
        "background:#555;transform-origin:0 50%;z-index:-1}"
    )

    def __init__(
        self, background: str, attribution: str | None, tiles: tuple[str, str] | None = None
    ) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.background_js = _js(background)
        self.attribution_js = _js(attribution) if attribution else None
        self.css_js = _js(self._CSS)
        self.tidy_js = _TIDY_JS
        self.tiles_js = _js(tiles[0]) if tiles else None
        self.tiles_attribution_js = _js(_text(tiles[1])) if tiles else None
        self.off_js = _js(BASEMAP_OFF_NOTE)

    def map_name(self) -> str:
        return map_name(self)


_TIDY_JS = """
if (!window.hotspotsTidy) {
    var BESIDE_RATIO = 2.5;
    // Keeps a map readable at every zoom: patrol rank discs that would overlap move aside
    // (best rank first, a leader line back to their place); place names never overlap a
    // rank disc or one another (hot spots' streets first, then ward names: a ward name under
    // a street waits for a closer zoom); the legends stand together beside a wide map (the
    // map narrows to make room, keeping all it showed in view), else in the corner where they
    // cover the fewest drawn features, never on the zoom, layer, scale or attribution boxes.
    window.hotspotsTidy = function (map) {
        if (map._hotspots) { return map._hotspots; }
        var box = map.getContainer(), timer = null, beside = 0;
        var dock = L.DomUtil.create("div", "hotspots-legend-dock", box);
        L.DomEvent.disableClickPropagation(dock);
        L.DomEvent.disableScrollPropagation(dock);
        function all(query) { return Array.prototype.slice.call(box.querySelectorAll(query)); }
        function hit(a, b) {
            return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
        }
        function moved(r, dx, dy) {
            return {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
        }
        function ranks(taken) {
            var discs = all(".hotspots-rank");
            discs.sort(function (a, b) {
                return parseInt(a.textContent, 10) - parseInt(b.textContent, 10);
            });
            discs.forEach(function (el) {
                el.style.transform = "";
                var old = el.querySelector(".hotspots-leader");
                if (old) { L.DomUtil.remove(old); }
                var r = el.getBoundingClientRect();
                if (!r.width) { return; }
                var offsets = [[0, 0]];
                [1.25, 2.4, 3.5].forEach(function (k, ring) {
                    var n = 8 + 4 * ring;
                    for (var i = 0; i < n; i++) {
                        var a = -Math.PI / 2 + 2 * Math.PI * i / n;
                        offsets.push([Math.round(k * r.width * Math.cos(a)),
                                      Math.round(k * r.width * Math.sin(a))]);
                    }
                });
                var best = null;
                for (var j = 0; j < offsets.length && !best; j++) {
                    var c = moved(r, offsets[j][0], offsets[j][1]);
                    if (!taken.some(function (k) { return hit(c, k); })) {
                        best = offsets[j];
                        taken.push(c);
                    }
                }
                if (!best) { best = [0, 0]; taken.push(r); }
                if (best[0] || best[1]) {
                    el.style.transform = "translate(" + best[0] + "px," + best[1] + "px)";
                    var line = L.DomUtil.create("i", "hotspots-leader", el);
                    line.style.width = Math.round(Math.sqrt(best[0] * best[0] +
                                                            best[1] * best[1])) + "px";
                    line.style.transform = "rotate(" + Math.atan2(-best[1], -best[0]) + "rad)";
                }
            });
        }
        function names(taken) {
            // a name keeps a margin of a third of its line free: two names never touch; a
            // name cut by the map's edge waits until it is in view
            var edge = box.getBoundingClientRect();
            [".hotspots-label-hot", ".hotspots-label"].forEach(function (query) {
                all(query).forEach(function (el) {
                    el.style.visibility = "";
                    var r = (el.firstElementChild || el).getBoundingClientRect();
                    if (!r.width) { return; }
                    var m = Math.ceil(r.height / 6);
                    r = {left: r.left - m, right: r.right + m, top: r.top - m,
                         bottom: r.bottom + m};
                    var cut = r.left < edge.left || r.right > edge.right ||
                              r.top < edge.top || r.bottom > edge.bottom;
                    if (cut || taken.some(function (k) { return hit(r, k); })) {
                        el.style.visibility = "hidden";
                    } else {
                        taken.push(r);
                    }
                });
            });
        }
        function drawn() {
            var out = [];
            function add(el, weight) {
                var r = el.getBoundingClientRect();
                if (r.width || r.height) {
                    out.push({r: r, w: weight, a: Math.max(r.width * r.height, 1)});
                }
            }
            all(".leaflet-overlay-pane path, .leaflet-hotspots-points-pane path").forEach(
                function (el) { add(el, 1); });
            all(".hotspots-rank").forEach(function (el) { add(el, 3); });
            all(".hotspots-label-hot > span, .hotspots-label > span").forEach(function (el) {
                if (el.parentNode.style.visibility !== "hidden") {
                    add(el, el.parentNode.className.indexOf("-hot") >= 0 ? 2 : 0.5);
                }
            });
            return out;
        }
        function legends() {
            dock.style.display = dock.children.length ? "" : "none";
            if (!dock.children.length) { narrow(0); return; }
            if (side()) { return; }
            var frame = box.getBoundingClientRect(), things = drawn(), best = null;
            var view = onScreen(frame);
            all(".leaflet-control").forEach(function (el) {
                var r = el.getBoundingClientRect();
                if (r.width) { things.push({r: r, w: 1e5, a: 1}); }  // never on a control
            });
            ["column", "row"].forEach(function (flow) {
                dock.className = "hotspots-legend-dock hotspots-legend-" + flow;
                [["bottom", "right"], ["bottom", "left"], ["top", "right"], ["top", "left"]]
                .forEach(function (corner) {
                    var s = place(corner[0], corner[1], flow, frame, things, view);
                    if (!best || s < best.s - 0.01) {
                        best = {s: s, flow: flow, v: corner[0], h: corner[1]};
                    }
                });
            });
            dock.className = "hotspots-legend-dock hotspots-legend-" + best.flow;
            place(best.v, best.h, best.flow, frame, things, view);
            dock.setAttribute("data-corner", best.v + " " + best.h);
        }
        function side() {
            // Beside the map when the map stays at least BESIDE_RATIO times as wide as the
            // legends: nothing drawn is ever under them.
            var outer = box.parentNode;
            if (getComputedStyle(outer).position === "static") {
                outer.style.position = "relative";
            }
            outer.appendChild(dock);
            dock.className = "hotspots-legend-dock hotspots-legend-beside";
            dock.style.top = dock.style.right = "4px";
            dock.style.bottom = dock.style.left = "";
            dock.style.alignItems = "stretch";
            dock.style.maxHeight = box.offsetHeight + "px";
            var width = Math.ceil(dock.getBoundingClientRect().width) + 12;
            if (outer.clientWidth >= BESIDE_RATIO * width) {
                narrow(width);
                dock.setAttribute("data-corner", "beside");
                return true;
            }
            narrow(0);
            box.appendChild(dock);
            dock.style.maxHeight = "";
            return false;
        }
        function narrow(px) {
            // The map's width less ``px`` (0: its whole width). The first time it narrows, it
            // zooms so that all it showed stays in view.
            if (px === beside) { return; }
            var shown = map.getBounds(), first = !beside;
            beside = px;
            box.style.width = px ? "calc(100% - " + px + "px)" : "";
            map.invalidateSize({pan: false});
            if (px && first) { map.fitBounds(shown, {animate: false}); }
        }
        function onScreen(frame) {
            // The part of the map on screen when it sits in a frame of a taller page (the
            // dashboard): legends go there if they fit, not below the fold.
            try {
                var host = window.frameElement;
                if (!host) { return frame; }
                var top = -host.getBoundingClientRect().top;
                var bottom = top + host.ownerDocument.defaultView.innerHeight;
                return {left: frame.left, right: frame.right,
                        top: Math.max(frame.top, top), bottom: Math.min(frame.bottom, bottom)};
            } catch (e) {
                return frame;
            }
        }
        function place(v, h, flow, frame, things, view) {
            var stack = box.querySelector(".leaflet-" + v + ".leaflet-" + h);
            var used = stack ? stack.getBoundingClientRect().height : 0;
            dock.style.top = dock.style.bottom = dock.style.left = dock.style.right = "";
            dock.style[v] = Math.round(used + 6) + "px";
            dock.style[h] = "10px";
            dock.style.alignItems = (flow === "row" ? v === "top" : h === "left")
                ? "flex-start" : "flex-end";
            var r = dock.getBoundingClientRect(), s = 0;
            if (r.left < frame.left || r.top < frame.top || r.right > frame.right ||
                r.bottom > frame.bottom) {
                s += 1e6;
            }
            if (r.top < view.top || r.bottom > view.bottom) { s += 1e4; }
            things.forEach(function (t) {
                var w = Math.min(r.right, t.r.right) - Math.max(r.left, t.r.left);
                var ht = Math.min(r.bottom, t.r.bottom) - Math.max(r.top, t.r.top);
                if (w > 0 && ht > 0) { s += t.w * w * ht / t.a; }
            });
            return s;
        }
        function tidy() {
            var frame = box.getBoundingClientRect();
            if (!frame.width || !frame.height) { return; }
            // Mid-zoom, the view is not yet where it will be: tidy once the zoom has ended.
            if (map._animatingZoom) { map.once("zoomend", later); return; }
            var taken = [];
            ranks(taken);
            names(taken);
            legends();
        }
        function later() {
            clearTimeout(timer);
            timer = setTimeout(tidy, 40);
        }
        map.on("zoomend viewreset resize layeradd layerremove", later);
        [300, 1000, 2500].forEach(function (ms) { setTimeout(later, ms); });  // late layout
        if (window.ResizeObserver) { new ResizeObserver(later).observe(box); }
        if (window.MutationObserver) {  // names, ranks or legends added by any means
            var watch = new MutationObserver(later);
            watch.observe(map.getPane("markerPane"), {childList: true});
            watch.observe(dock, {childList: true});
        }
        map.whenReady(later);
        map._hotspots = {dock: dock, tidy: later};
        return map._hotspots;
    };
}
"""
"""The browser side of the map's tidying, installed once per page by :class:`_MapSetup`.

Static code (no data): branca renders map scripts twice as templates, so it holds no
``{{``, ``{%`` or ``{#``."""


class _Labels(MacroElement):
    """Text labels (already escaped) at ``[lat, lon, text]`` rows, not clickable; the map's
    tidying (:data:`_TIDY_JS`) hides one that would overlap another until a closer zoom."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var rows = {{ this.rows_js }}, group = {{ this._parent.get_name() }};
    rows.forEach(function (r) {
        L.marker([r[0], r[1]], {
            interactive: false, keyboard: false,
            icon: L.divIcon({
                className: {{ this.css_js }}, html: "<span>" + r[2] + "</span>", iconSize: null
            })
        }).addTo(group);
    });
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: list[list[Any]], css_class: str) -> None:
        super().__init__()
        self._name = "Labels"
        self.rows_js = _js(rows)
        self.css_js = _js(css_class)


class _GeoJsonLayer(MacroElement):
    """Pre-serialised GeoJSON drawn with a per-layer style table (``properties.s``)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var styles = {{ this.styles_js }};
    var options = {};
    {%- if this.pane %}
    var map = {{ this.map_name() }};
    if (!map.getPane({{ this.pane_js }})) {
        map.createPane({{ this.pane_js }}).style.zIndex = {{ this.pane_z }};
    }
    options.pane = {{ this.pane_js }};
    {%- endif %}
    L.geoJSON({{ this.data }}, Object.assign(options, {
        style: function (f) { return styles[f.properties.s]; },
        pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, Object.assign({}, options, styles[f.properties.s]));
        },
        onEachFeature: function (f, layer) {
            if (f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); }
            if (f.properties.p) { layer.bindPopup(f.properties.p, {maxWidth: 360}); }
        }
    })).addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(
        self, data: str, styles: list[dict[str, Any]], pane: tuple[str, int] | None = None
    ) -> None:
        super().__init__()
        self._name = "GeoJsonLayer"
        self.data = data
        self.styles_js = _js(styles)
        self.pane = pane
        self.pane_js = _js(pane[0]) if pane else None
        self.pane_z = int(pane[1]) if pane else None

    def map_name(self) -> str:
        return map_name(self)


class _RenderedText(Element):
    """Text already rendered, drawn as it is (the one trailing newline dropped, as Jinja
    drops it from a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _render_once(self: MacroElement, **kwargs: Any) -> None:
    """``MacroElement.render`` (branca 0.8) without its second pass: branca puts each
    element's rendered header, html and script in the page as new Jinja2 templates and renders
    those again, so text that data put in them (a street, ward or crime name, a comment) and
    that reads as template code would run on the server, and every map element is compiled
    twice. Here the rendered text goes in as it is: the same page (the second pass of text
    without template code returns it, less one trailing newline, as :class:`_RenderedText`
    does), no data ever read as a template."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "a map element renders inside a map's Figure"
    macros = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            text = _RenderedText(macro(self, kwargs))
            getattr(figure, part).add_child(text, name=self.get_name())
    for child in self._children.values():
        child.render(**kwargs)


MacroElement.render = _render_once  # type: ignore[method-assign]  # every folium map element


class _Legend(MacroElement):
    """A legend box shown while its parent layer is on the map (no CDN, no branca/d3), with
    the map's other legends in the corner where they cover the fewest drawn features
    (:data:`_TIDY_JS`)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this.map_name() }}, group = {{ this._parent.get_name() }};
    var kit = window.hotspotsTidy ? window.hotspotsTidy(map) : null;
    var div = L.DomUtil.create("div", "hotspots-legend");
    div.innerHTML = {{ this.html_js }};
    function show() {
        if (kit) { kit.dock.appendChild(div); kit.tidy(); }
    }
    function hide() {
        L.DomUtil.remove(div);
        if (kit) { kit.tidy(); }
    }
    group.on("add", show);
    group.on("remove", hide);
    if (map.hasLayer(group)) { show(); }
})();
{% endmacro %}
"""
    )

    def __init__(self, title: str, items: list[tuple[str, str]], note: str | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
            f'vertical-align:-2px;border:1px solid #777;background:{colour}"></span>'
            f"{_text(label)}</div>"
            for colour, label in items
        )
        if not items:
            rows = "<div>nothing to show</div>"
        foot = f'<div style="color:#555;margin-top:3px">{_text(note)}</div>' if note else ""
        self.html_js = _js(
            '<div style="background:#fff;padding:6px 9px;border-radius:4px;'
            'box-shadow:0 1px 4px rgba(0,0,0,.35);font:13px/1.45 sans-serif;color:#222">'
            f'<div style="font-weight:600;margin-bottom:3px">{_text(title)}</div>'
            f"{rows}{foot}</div>"
        )

    def map_name(self) -> str:
        return map_name(self)
