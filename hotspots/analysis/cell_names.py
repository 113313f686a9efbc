"""The "Street, Ward" names of a grid's H3 cells, the empty cells' names made once per grid.

Most cells of a study area hold no incident of a selection (on the Hertfordshire force-year,
3,100 of 18,000 for one crime group): such a cell is named by its ward alone, whatever the
selection, so those names are kept per grid, working CRS and wards, and only the occupied
cells are named from the selection's incidents. The names equal
:func:`hotspots.space.places.cell_place_names` of every cell (tests/test_hot_cells.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.core.kept import KeptByFrame
from hotspots.data.schema import WORKING_CRS
from hotspots.space.places import StreetPoints, cell_place_names, cell_wards


def name_cells(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    res: int,
    wards: gpd.GeoDataFrame | None,
    places: pd.Series | None = None,
    street_points: StreetPoints | None = None,
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
    places
        :func:`hotspots.space.places.place_text` of ``incidents`` when already worked out.
    street_points
        Their :class:`hotspots.space.places.StreetPoints`, when the caller has them.
    """
    ids = cells["cell"].to_numpy(dtype=object)
    occupied = cells["count"].to_numpy() > 0
    empty_names, centres, ward = _empty_cell_names(incidents.iloc[:0], ids, res, wards)
    names = empty_names.copy()
    if occupied.any():
        located = (centres.iloc[np.flatnonzero(occupied)], ward[occupied])
        names[occupied] = cell_place_names(
            incidents,
            ids[occupied],
            res,
            wards,
            places=places,
            located=located,
            street_points=street_points,
        )
    return names


_EMPTY_NAMES_MAX = 8
"""Grids whose names of cells without incidents are kept (oldest dropped)."""
_empty_names: OrderedDict[tuple, tuple[np.ndarray, pd.DataFrame, np.ndarray]] = OrderedDict()
_empty_names_lock = threading.Lock()


_wards_digests: KeptByFrame[str] = KeptByFrame(most=_EMPTY_NAMES_MAX)
"""The digests of the ward frames the kept names were made with."""


def _digest(wards: gpd.GeoDataFrame) -> str:
    """A digest of the wards' names, CRS and outlines."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\n".join(map(str, wards["area_name"].tolist())).encode())
    digest.update(str(wards.crs).encode())
    for wkb in shapely.to_wkb(wards.geometry.to_numpy()):
        digest.update(wkb)
    return digest.hexdigest()


def _empty_cell_names(
    none: gpd.GeoDataFrame, ids: np.ndarray, res: int, wards: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """The name of each cell ``ids`` holding no incident (``none``: no incident, with the
    working CRS), by the same call as the others, and the cells' centres and wards
    (:func:`hotspots.space.places.cell_wards`, the occupied cells' too); keyed by the cells,
    resolution, CRS and the wards' names and outlines."""
    # the ids themselves (each string's hash kept by Python), the wards by a digest made once
    # per ward frame
    held = None if wards is None else _wards_digests.get(wards, None, lambda: _digest(wards))
    key = (res, str(none.attrs.get(WORKING_CRS)), held, tuple(ids.tolist()))
    with _empty_names_lock:
        found = _empty_names.get(key)
        if found is not None:
            _empty_names.move_to_end(key)
            return found
    centres, ward = cell_wards(ids, wards, str(none.attrs[WORKING_CRS]))
    names = cell_place_names(none, ids, res, wards, located=(centres, ward))
    names.flags.writeable = ward.flags.writeable = False
    made = (names, centres, ward)
    with _empty_names_lock:
        _empty_names[key] = made
        while len(_empty_names) > _EMPTY_NAMES_MAX:
            _empty_names.popitem(last=False)
    return made
