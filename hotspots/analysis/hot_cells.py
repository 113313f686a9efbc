"""The cells of :func:`~hotspots.analysis.analyse.analyse` alone: H3 counts, Gi* and place names.

Pages that need only the grid (the CCTV page's hotspots are the Gi* hot cells) need not wait
for the clusters and the forecast backtest, most of an analysis's time (on the Hertfordshire
force-year, 4.7 s of CPU for the analysis of one crime group against about 1 s for its cells).
The cells are computed by the same calls, in the same order, as in ``analyse``, so they equal
its ``cells`` without the forecast columns (``hot_spot``, ``forecast_rank``,
``forecast_score``): tests/test_hot_cells.py checks it.

Most cells of a study area hold no incident of a selection (on the force-year, 3,100 of 18,000
for one crime group): such a cell is named by its ward alone, whatever the selection, so those
names are made once per grid and wards and only the occupied cells are
named from the selection's incidents (:mod:`hotspots.analysis.cell_names`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from hotspots.analysis.analyse import _study_area
from hotspots.analysis.cell_names import name_cells
from hotspots.analysis.stats import hotspots_gistar
from hotspots.core.defaults import GI_K, H3_RES
from hotspots.core.disclosure import mappable
from hotspots.data.schema import check_incidents
from hotspots.space.grid import grid_counts


def gistar_cells(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any,
    res: int = H3_RES,
    k: int = GI_K,
    wards: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Every H3 cell of the study area with its count, Gi* columns and ``place``.

    Parameters
    ----------
    incidents
        Canonical incidents, already selected; sensitive ones never shape a cell
        (:func:`hotspots.core.disclosure.mappable`).
    study_area
        As for :func:`~hotspots.analysis.analyse.analyse` (not ``None``: the cells of a
        default study area are those of a full analysis).
    res, k
        H3 resolution and Gi* k-ring, as for ``analyse``.
    wards
        The wards naming the places ("Street, Ward"), as ``analyse``'s ``wards``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``analyse(incidents, study_area=..., res=res, k=k, wards=wards).cells`` without its
        forecast columns.

    Raises
    ------
    ValueError
        No incident to map (as ``analyse``).
    """
    check_incidents(incidents)
    spatial = mappable(incidents)
    if len(spatial) == 0:
        raise ValueError("no incidents to analyse: widen the selection (dates, groups, wards)")
    area, _ = _study_area(spatial, study_area, res)
    cells = hotspots_gistar(grid_counts(spatial, res, study_area=area), k=k, permutations=0, seed=0)
    if wards is not None and "area_name" not in wards.columns:
        wards = None
    cells["place"] = name_cells(spatial, cells, res=res, wards=wards)
    return cells
