"""grid._cells_uint64 keeps each point's cell once located: every answer equals h3ronpy's
on the same points (Hertfordshire's police.uk year; subsets, growth, reset, resolutions); and
grid.neighbours keeps the last cell sets' matrices, equal to fresh ones."""

from __future__ import annotations

import h3ronpy.vector as h3v
import numpy as np
import pytest
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.space import grid


@pytest.fixture(scope="module")
def points():
    incidents = read_policeuk(datasets.herts_policeuk_zip()).incidents
    geometry = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(geometry), shapely.get_y(geometry)
    located = np.isfinite(lon) & np.isfinite(lat)
    return lon[located], lat[located]


def _direct(lon, lat, res):
    return np.asarray(h3v.coordinates_to_cells(lat, lon, res))


def test_kept_cells_equal_located_ones(points, monkeypatch) -> None:
    lon, lat = points
    grid._known.clear()
    rng = np.random.default_rng(1)
    for res in (9, 10, 9):
        for take in (slice(None, None, 3), slice(1, None, 2), slice(None), slice(7, 300)):
            got = grid._cells_uint64(lon[take], lat[take], res)
            assert np.array_equal(got, _direct(lon[take], lat[take], res))
        shuffled = rng.permutation(len(lon))[:5000]
        assert np.array_equal(
            grid._cells_uint64(lon[shuffled], lat[shuffled], res),
            _direct(lon[shuffled], lat[shuffled], res),
        )
    assert set(grid._known) == {9, 10} and len(grid._known[9][0]) < len(lon)  # distinct points
    # too many to keep: start again from the latest points (never more than the cap, even
    # from one call with more new points), answers unchanged
    grid._known.clear()
    monkeypatch.setattr(grid, "_KNOWN_MAX", 1000)
    kept = []
    for take in (slice(0, 600), slice(600, 1200), slice(0, 4000), slice(1200, 2000)):
        assert np.array_equal(
            grid._cells_uint64(lon[take], lat[take], 9), _direct(lon[take], lat[take], 9)
        )
        kept.append(len(grid._known[9][0]))
    assert max(kept) <= 1000 and kept[-1] > 0
    few = grid._cells_uint64(lon[:3], lat[:3], 11)  # below _KNOWN_MIN: located directly
    assert np.array_equal(few, _direct(lon[:3], lat[:3], 11)) and 11 not in grid._known
    grid._known.clear()


def test_neighbours_kept_equal_fresh_ones_and_a_callers_change_does_not_stick() -> None:
    import h3

    from hotspots.space import grid

    cells = np.array(sorted(h3.grid_disk(h3.latlng_to_cell(51.75, -0.47, 9), 6)), dtype=object)
    grid._rings.clear()
    first = grid.neighbours(cells, k=1)
    first.data[:] = 7.0  # a caller changing its matrix in place
    again = grid.neighbours(cells, k=1)  # from the kept ones
    fresh = grid._neighbours(cells, grid._to_uint64(cells), 1, True)
    assert len(grid._rings) == 1
    assert (again != fresh).nnz == 0 and again.shape == fresh.shape
    assert (grid.neighbours(cells, k=2) != grid.neighbours(cells, k=1)).nnz > 0
