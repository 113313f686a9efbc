"""Static maps drawn by matplotlib in a metric CRS: basemap, names, frame, north arrow, scale
bar, headings.

Every printed map of the product (meeting pack, patrol briefing) is finished by
:func:`finish_map`, so they share one north arrow and one scale bar (a round length in metres
or km), and drawn over :func:`street_basemap`: the street map the web maps show (OpenStreetMap
or ``HOTSPOTS_TILES``), its tiles fetched through the local cache of
:mod:`~hotspots.views.documents.tiles`, with its attribution in the corner. Where the tiles
cannot be reached the map says so (:data:`BASEMAP_OFF_NOTE`) and :func:`place_labels` (ward
names, the hot spots' streets) still orient the reader. Data text is drawn with
``parse_math=False``: "$5 to $10" is text, not mathematics.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hotspots.views.documents.tiles import TileCache, TileReport, basemap_image
from hotspots.views.maps import basemap_source

Bounds = tuple[float, float, float, float]
"""(west, south, east, north) of a map, metres of its working CRS."""

BASEMAP_OFF_NOTE = "basemap off: tiles could not be reached"
"""What a static map says when none of its basemap's tiles could be had."""

BASEMAP_FADE = 0.25
"""Share of white mixed into the basemap, so the data drawn over it stand out."""

_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


def street_basemap(
    ax: Axes, bounds: Bounds, *, crs: str, cache: TileCache | None = None
) -> TileReport | None:
    """Draw the street basemap under everything on ``ax``, its attribution in the corner.

    Parameters
    ----------
    ax
        Axes of a map drawn in ``crs`` (metres); its size on the figure sets the zoom level.
    bounds
        (west, south, east, north) the map will show (as given to :func:`finish_map`).
    crs
        The map's projected CRS (e.g. EPSG:27700).
    cache
        The tile cache (default: ``$HOTSPOTS_TILE_CACHE`` or the user's cache folder).

    Returns
    -------
    TileReport or None
        What was fetched and drawn; ``None`` when the basemap is switched off
        (``HOTSPOTS_TILES=off``). When no tile could be had the map says
        :data:`BASEMAP_OFF_NOTE` in its top-right corner.
    """
    source = basemap_source()
    if source is None:
        return None
    template, attribution = source
    size_px = _drawn_size_px(ax, bounds)
    west, south, east, north = bounds
    image, report = basemap_image(bounds, crs, size_px, template=template, cache=cache)
    if image is None:
        _corner_note(ax, BASEMAP_OFF_NOTE, top=True)
        return report
    rgb = image[..., :3].astype(float)
    image = image.copy()
    image[..., :3] = np.round(rgb + (255.0 - rgb) * BASEMAP_FADE).astype(np.uint8)
    ax.imshow(
        image,
        extent=(west, east, south, north),
        origin="upper",
        interpolation="nearest",
        zorder=0,
    )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    if report.missing:
        _corner_note(ax, f"basemap partly off: {report.missing} of {report.needed} tiles could "
                     "not be reached", top=True)  # fmt: skip
    _corner_note(ax, attribution, top=False)
    return report


def _drawn_size_px(ax: Axes, bounds: Bounds) -> tuple[int, int]:
    """Pixels the map of ``bounds`` takes on the figure: the axes box, shrunk to the map's
    aspect (an equal-scale map keeps its limits and narrows its box)."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    box = ax.get_position()
    width_in, height_in = fig.get_size_inches()
    box_w, box_h = box.width * width_in * fig.dpi, box.height * height_in * fig.dpi
    west, south, east, north = bounds
    width, height = max(east - west, 1.0), max(north - south, 1.0)
    scale = max(width / max(box_w, 1.0), height / max(box_h, 1.0))  # metres per pixel
    return max(round(width / scale), 1), max(round(height / scale), 1)


def _corner_note(ax: Axes, text: str, *, top: bool) -> None:
    ax.text(
        0.99, 0.99 if top else 0.01, text,
        transform=ax.transAxes, ha="right", va="top" if top else "bottom",
        fontsize=7 if top else 6, color="#222" if top else "#444", zorder=10,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
        parse_math=False,
    )  # fmt: skip


def place_labels(
    ax: Axes,
    xy: np.ndarray,
    texts: list[str],
    *,
    bounds: Bounds,
    fontsize: float = 7.0,
    colour: str = "#3b4a54",
    weight: str = "normal",
    style: str = "normal",
    below: bool = False,
    taken: list[tuple[float, float, float, float]] | None = None,
    always: bool = False,
) -> int:
    """Names written at points of the map (wards, hot spots' streets), with a white halo.

    A name that would overlap one written before (by this call, or recorded in ``taken``) or
    fall outside ``bounds`` is left out, so list the most important first.

    Parameters
    ----------
    ax
        The map's axes.
    xy
        ``(n, 2)`` points in the map's CRS (metres).
    texts
        One name per point (data text: never mathematics or markup).
    bounds
        (west, south, east, north) the map shows (as given to :func:`finish_map`).
    below
        Write the name just under its point (e.g. under a rank number drawn there).
    taken
        Boxes (pixels) of names already written, shared between calls; the new names' boxes
        are added to it.
    always
        Write every name, overlapping or not (e.g. rank numbers), still recording its box.

    Returns
    -------
    int
        How many names were written.
    """
    width_px, _ = _drawn_size_px(ax, bounds)
    west, south, east, north = bounds
    scale = max(east - west, 1.0) / width_px  # metres per pixel
    px_per_pt = ax.figure.dpi / 72
    taken = [] if taken is None else taken
    written = 0
    for (x, y), text in zip(np.asarray(xy, dtype=float).reshape(-1, 2), texts, strict=True):
        if not (np.isfinite(x) and np.isfinite(y)) or not text:
            continue
        if not (west <= x <= east and south <= y <= north):
            continue
        half_w = 0.3 * fontsize * len(text) * px_per_pt  # ~0.6 em per character
        half_h = 0.65 * fontsize * px_per_pt
        cx, cy = (x - west) / scale, (y - south) / scale
        if below:
            cy -= 2.6 * half_h
        box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        overlaps = any(
            b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in taken
        )
        if overlaps and not always:
            continue
        taken.append(box)
        ax.annotate(
            text, (x, y), xytext=(0, -2.6 * half_h / px_per_pt if below else 0),
            textcoords="offset points", ha="center", va="center", fontsize=fontsize,
            color=colour, fontweight=weight, fontstyle=style, path_effects=_HALO, zorder=6,
            annotation_clip=True, parse_math=False,
        )  # fmt: skip
        written += 1
    return written


def finish_map(ax: Axes, bounds: Bounds) -> None:
    """Frame ``ax`` on ``bounds`` (equal scale, no ticks), then its north arrow and scale bar.

    Parameters
    ----------
    ax
        Axes drawn in a projected CRS whose units are metres (e.g. EPSG:27700).
    bounds
        (west, south, east, north) to show, metres.
    """
    west, south, east, north = bounds
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    north_arrow(ax)
    scale_bar(ax)


def north_arrow(ax: Axes) -> None:
    """An arrow marked N in the top-left corner (grid north of the map's CRS)."""
    ax.annotate(
        "N",
        xy=(0.04, 0.96),
        xytext=(0.04, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 9, "headlength": 9},
    )


def scale_length_m(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^n metres) of at most a fifth of ``width_m``.

    Examples
    --------
    >>> scale_length_m(700.0), scale_length_m(12_000.0)
    (100.0, 2000.0)
    """
    target = max(width_m, 1.0) / 5
    magnitude = 10 ** np.floor(np.log10(target))
    return float(max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target))


def scale_bar(ax: Axes) -> None:
    """A bar of :func:`scale_length_m` in the lower-left corner, labelled in m or km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = scale_length_m(x1 - x0)
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(
        left + length / 2, base + 0.012 * (y1 - y0), label, ha="center", va="bottom", fontsize=8
    )


def headings(fig: Figure, title: str, subtitle: str | None, attribution: str) -> None:
    """Title (and a smaller subtitle) at the top of ``fig``, the attribution at its foot."""
    fig.text(0.02, 0.965, title, fontsize=15, fontweight="bold", va="top", parse_math=False)
    if subtitle:
        short = textwrap.shorten(subtitle, 160)
        fig.text(0.02, 0.915, short, fontsize=9, va="top", color="#333", parse_math=False)
    wrapped = textwrap.fill(attribution, 180)
    fig.text(0.02, 0.02, wrapped, fontsize=7, color="#444", va="bottom", parse_math=False)


def figure_png(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (white background)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
