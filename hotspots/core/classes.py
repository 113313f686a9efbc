"""The Gi* hot and cold spot classes: bins, confidence levels, labels and colours.

One table, :data:`GI_CLASS_TABLE`, coldest first; every other name here is read from it.
Bins follow ArcGIS's ``Gi_Bin``: ``±3`` hot/cold at 99 % confidence, ``±2`` at 95 %, ``±1`` at
90 %, ``0`` not significant. Statistics (:mod:`hotspots.analysis.stats`) assign the bins; maps
and documents (:mod:`hotspots.views`) label and colour them from here.
"""

from __future__ import annotations

from typing import NamedTuple


class GiClass(NamedTuple):
    """One Gi* class.

    Attributes
    ----------
    bin
        ``Gi_Bin`` code, -3..3 (positive = hot).
    label
        What maps, legends and documents call it.
    alpha
        Significance level of the class (0.01, 0.05, 0.10); ``None`` for not significant.
    colour
        Fill on maps (ArcGIS's hot spot renderer: red hot, blue cold); ``None`` for not
        significant, which is not drawn.
    """

    bin: int
    label: str
    alpha: float | None
    colour: str | None


GI_CLASS_TABLE: tuple[GiClass, ...] = (
    GiClass(-3, "Cold 99%", 0.01, "#4575b5"),
    GiClass(-2, "Cold 95%", 0.05, "#849eba"),
    GiClass(-1, "Cold 90%", 0.10, "#c0ccbe"),
    GiClass(0, "Not significant", None, None),
    GiClass(1, "Hot 90%", 0.10, "#fab984"),
    GiClass(2, "Hot 95%", 0.05, "#ed7551"),
    GiClass(3, "Hot 99%", 0.01, "#d62f27"),
)
"""Every Gi* class, coldest first."""

GI_CLASSES: list[str] = [c.label for c in GI_CLASS_TABLE]
"""Labels of ``gi_bin`` -3..3, coldest first (ArcGIS ``Gi_Bin`` wording, shortened)."""

GI_LABELS: dict[int, str] = {c.bin: c.label for c in GI_CLASS_TABLE}
"""Label per Gi* bin."""

GI_CONFIDENCE: dict[int, str] = {
    c.bin: f"{100 * (1 - c.alpha):.0f} %" for c in GI_CLASS_TABLE if c.alpha is not None
}
"""Confidence per significant Gi* bin, as text (``"90 %"``)."""

GI_COLOURS: dict[int, str] = {c.bin: c.colour for c in GI_CLASS_TABLE[::-1] if c.colour}
"""Fill per significant Gi* bin, hottest first (red hot, blue cold; 99/95/90 %)."""

CONFIDENCE_LEVELS: tuple[tuple[int, float], ...] = tuple(
    (c.bin, c.alpha) for c in GI_CLASS_TABLE[::-1] if c.bin > 0 and c.alpha is not None
)
"""(bin magnitude, significance level) for 99 %, 95 % and 90 %: ``((3, 0.01), (2, 0.05),
(1, 0.10))``."""
