"""patrol.localities._united: the hot areas' outlines equal pandas' groupby(...).agg(union_all)
that it replaced, shape for shape (Dacorum's police.uk cells of one crime type, res 9 and 10)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import connected_components

from hotspots.core.crs import to_crs
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.products.patrol.localities import _united
from hotspots.space.grid import assign_cells, cell_polygons, neighbours


def test_outlines_of_merged_cells_equal_the_groupby_union() -> None:
    incidents = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    crs = incidents.attrs["working_crs"]
    burglary = incidents[incidents["crime_type"] == "Burglary"]
    points = burglary.geometry.to_numpy()
    for res in (9, 10):
        hot = np.unique(assign_cells(shapely.get_x(points), shapely.get_y(points), res))
        n, component = connected_components(neighbours(hot, k=1), directed=False)
        assert 20 < n < len(hot)  # several areas, some of several cells
        hexagons = to_crs(cell_polygons(hot), crs)
        want = hexagons.geometry.groupby(component).agg(shapely.union_all)
        got = _united(hexagons.geometry.to_numpy(), component)
        assert len(got) == len(want) == n
        assert shapely.to_wkb(got).tolist() == shapely.to_wkb(want.to_numpy()).tolist()
        assert isinstance(gpd.GeoSeries(got, crs=crs), gpd.GeoSeries)
