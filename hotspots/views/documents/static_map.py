"""Static maps drawn by matplotlib in a metric CRS: frame, north arrow, scale bar, headings.

Every printed map of the product (meeting pack, patrol briefing) is finished by
:func:`finish_map`, so they share one north arrow and one scale bar (a round length in metres
or km). Data text is drawn with ``parse_math=False``: "$5 to $10" is text, not mathematics.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

Bounds = tuple[float, float, float, float]
"""(west, south, east, north) of a map, metres of its working CRS."""


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
