"""The cells of :func:`~hotspots.analysis.analyse.analyse` alone: H3 counts, Gi* and place names.

Pages that need only the grid (the CCTV page's hotspots are the Gi* hot cells) need not wait
for the clusters and the forecast backtest, most of an analysis's time (on the Hertfordshire
force-year, 4.7 s of CPU for the analysis of one crime group against about 1 s for its cells).
The cells are computed by the same calls, in the same order, as in ``analyse``, so they equal
its ``cells`` without the forecast columns (``hot_spot``, ``forecast_rank``,
``forecast_score``): tests/test_hot_cells.py checks it.

Most cells of a study area hold no incident of a selection (on the force-year, 3,100 of 18,000
for one crime group): such a cell is named by its ward alone, whatever the selection, so those
names are made once per grid and wards (:func:`name_cells`) and only the occupied cells are
named from the selection's incidents.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspots.analysis.analyse import _study_area
from hotspots.analysis.stats import hotspots_gistar
from hotspots.core.defaults import GI_K, H3_RES
from hotspots.core.disclosure import mappable
from hotspots.data.schema import WORKING_CRS, check_incidents
from hotspots.space.grid import grid_counts
from hotspots.space.places import cell_place_names


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


def name_cells(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    res: int,
    wards: gpd.GeoDataFrame | None,
) -> np.ndarray:
    """:func:`hotspots.space.places.cell_place_names` of every cell of ``cells`` (``cell`` and
    ``count`` of ``incidents``, as from ``grid_counts``): the occupied cells named from the
    incidents in them, the others by their ward alone (or ``"unnamed place"``), those names
    made once per grid, working CRS and wards (at most :data:`_EMPTY_NAMES_MAX` kept).

    Parameters
    ----------
    incidents
        The mappable incidents counted in ``cells`` (``attrs["working_crs"]``).
    wards
        Ward polygons with ``area_name``, or ``None``.
    """
    ids = cells["cell"].to_numpy(dtype=object)
    occupied = cells["count"].to_numpy() > 0
    names = _empty_cell_names(incidents.iloc[:0], ids, res, wards).copy()
    if occupied.any():
        names[occupied] = cell_place_names(incidents, ids[occupied], res, wards)
    return names


_EMPTY_NAMES_MAX = 8
"""Grids whose names of cells without incidents are kept (oldest dropped)."""
_empty_names: OrderedDict[tuple, np.ndarray] = OrderedDict()
_empty_names_lock = threading.Lock()


def _empty_cell_names(
    none: gpd.GeoDataFrame, ids: np.ndarray, res: int, wards: gpd.GeoDataFrame | None
) -> np.ndarray:
    """The name of each cell ``ids`` holding no incident (``none``: no incident, with the
    working CRS), by the same call as the others; keyed by the cells, resolution, CRS and the
    wards' names and outlines."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\n".join(map(str, ids)).encode())
    if wards is not None:
        digest.update("\n".join(map(str, wards["area_name"].tolist())).encode())
        digest.update(str(wards.crs).encode())
        for wkb in shapely.to_wkb(wards.geometry.to_numpy()):
            digest.update(wkb)
    key = (res, str(none.attrs.get(WORKING_CRS)), wards is None, digest.hexdigest())
    with _empty_names_lock:
        found = _empty_names.get(key)
        if found is not None:
            _empty_names.move_to_end(key)
            return found
    made = cell_place_names(none, ids, res, wards)
    made.flags.writeable = False
    with _empty_names_lock:
        _empty_names[key] = made
        while len(_empty_names) > _EMPTY_NAMES_MAX:
            _empty_names.popitem(last=False)
    return made
