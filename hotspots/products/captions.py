"""Words for a JAG: areas with units, and the Map page's caption in plain language with the
technical detail kept for the one click that asks for it.

Examples
--------
>>> area_text(3362275.8857)
'3.4 km²'
>>> area_text(105332.5)
'11 ha'
"""

from __future__ import annotations

from typing import Any

import h3

from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import HOT_MIN_BIN


def area_text(m2: float) -> str:
    """An area for people: hectares under 1 km² (whole, or one decimal under 10 ha), else km²
    with one decimal."""
    if m2 < 1e6:
        ha = m2 / 1e4
        return f"{ha:.1f} ha" if ha < 10 else f"{ha:.0f} ha"
    return f"{m2 / 1e6:.1f} km²"


def cell_area_text(res: int) -> str:
    """The average area of an H3 cell of resolution ``res`` (``'11 ha'`` at 9)."""
    return area_text(h3.average_hexagon_area(res, unit="m^2"))


def map_caption(
    params: dict[str, Any], *, n_hot_cells: int, clustered_share: float
) -> tuple[str, str]:
    """The Map page's caption: ``(plain words, technical detail)``.

    Parameters
    ----------
    params
        ``Analysis.params`` (grid, gistar, clusters).
    n_hot_cells, clustered_share
        ``Analysis.n_hot_cells`` and ``Analysis.clustered_share`` (0–1).
    """
    grid, gi, clusters = params["grid"], params["gistar"], params["clusters"]
    cell = cell_area_text(int(grid["res"]))
    plain = (
        f"Significant concentrations (not a forecast): {n_hot_cells:,} hexagons of about {cell} "
        "each where incidents are more "
        f"concentrated than chance would give ({GI_CONFIDENCE[HOT_MIN_BIN]} confidence or more). "
        f"Clusters: {clusters['n_clusters']:,} groups of nearby incidents, holding "
        f"{clustered_share:.0%} of the incidents mapped."
    )
    technical = (
        f"H3 resolution {grid['res']} (cells of about {cell}); Getis-Ord Gi* over each cell and "
        f"its neighbours {gi['k']} ring(s) away, "
        f"{'false-discovery-rate adjusted' if gi['fdr'] else 'unadjusted'} p-values; "
        f"{clusters['method'].upper()} clusters, search distance {clusters['eps_m']:.0f} m "
        f"({clusters['eps_source']}), at least {clusters['min_samples']} incidents "
        f"({clusters['min_samples_source']})."
    )
    return plain, technical
