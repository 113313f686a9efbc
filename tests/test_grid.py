"""H3 grid on real Hertfordshire police.uk points, checked against h3-py's scalar functions."""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.space.grid import (
    EDGE_M,
    assign_cells,
    cell_counts,
    cell_ints,
    cell_polygons,
    grid_counts,
    neighbours,
    study_area_cells,
)


@pytest.fixture(scope="module")
def herts(herts_load) -> gpd.GeoDataFrame:
    """All located police.uk incidents of Hertfordshire (canonical schema)."""
    return herts_load.incidents


@pytest.fixture(scope="module")
def dacorum(dacorum_load) -> gpd.GeoDataFrame:
    """The police.uk incidents clipped to Dacorum."""
    return dacorum_load.incidents


@pytest.fixture(scope="module")
def wards(dacorum_wards) -> gpd.GeoDataFrame:
    return dacorum_wards


def _lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    return gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()


@pytest.mark.parametrize("res", [7, 8, 9, 10, 11])
def test_assign_cells_equals_scalar_h3(herts, res):
    lon, lat = _lonlat(herts)
    step = 1 if res == 9 else 7  # every point once, a 1-in-7 sample at the other resolutions
    got = assign_cells(lon[::step], lat[::step], res)
    ref = [h3.latlng_to_cell(y, x, res) for x, y in zip(lon[::step], lat[::step], strict=True)]
    assert got.dtype == object
    assert got.tolist() == ref
    ids = cell_ints(lon[::step], lat[::step], res)
    assert ids.dtype == np.uint64 and ids.tolist() == [int(c, 16) for c in ref]
    # a cell's id is its index in 15 hexadecimal digits: text and number sort alike
    assert {len(c) for c in ref} == {15}
    assert np.array_equal(np.argsort(got, kind="stable"), np.argsort(ids, kind="stable"))


def test_assign_cells_rejects_missing_projected_and_bad_resolution():
    with pytest.raises(ValueError, match=r"1 point\(s\) have missing.*position 1"):
        assign_cells(np.array([-0.4, np.nan]), np.array([51.7, 51.7]), 9)
    with pytest.raises(ValueError, match="EPSG:27700"):
        assign_cells(np.array([505_000.0]), np.array([207_000.0]), 9)
    for res in (6, 12, 9.0, True):
        with pytest.raises(ValueError, match="from 7 to 11"):
            assign_cells(np.array([-0.4]), np.array([51.7]), res)
    with pytest.raises(ValueError, match="equal length"):
        assign_cells(np.array([-0.4, -0.5]), np.array([51.7]), 9)
    assert assign_cells(np.array([]), np.array([]), 9).size == 0
    for bad in ([-0.4, np.nan], [505_000.0, 505_000.0]):
        with pytest.raises(ValueError):
            cell_ints(np.array(bad), np.array([51.7, 51.7]), 9)
    with pytest.raises(ValueError, match="from 7 to 11"):
        cell_ints(np.array([-0.4]), np.array([51.7]), 12)


def test_cell_counts_equal_counter(herts):
    lon, lat = _lonlat(herts)
    cells = [h3.latlng_to_cell(y, x, 8) for x, y in zip(lon, lat, strict=True)]
    got = cell_counts(herts, 8)
    assert dict(zip(got["cell"], got["count"], strict=True)) == Counter(cells)
    assert got["count"].sum() == len(herts)
    assert got.attrs["res"] == 8

    by_month = cell_counts(herts, 8, by="month")
    ref = Counter(zip(cells, herts["month"], strict=True))
    assert len(by_month) == len(ref)
    got_pairs = zip(by_month["cell"], by_month["month"], by_month["count"], strict=True)
    assert {(c, m): n for c, m, n in got_pairs} == ref


def test_cell_counts_weights_sum_per_cell(dacorum):
    inc = dacorum.assign(harm=np.where(dacorum["crime_type"] == "Burglary", 5.0, 1.0))
    got = cell_counts(inc, 9, weights="harm")
    lon, lat = _lonlat(inc)
    ref: dict[str, float] = {}
    for x, y, w in zip(lon, lat, inc["harm"], strict=True):
        cell = h3.latlng_to_cell(y, x, 9)
        ref[cell] = ref.get(cell, 0.0) + w
    assert dict(zip(got["cell"], got["weight"], strict=True)) == pytest.approx(ref)
    assert (got["weight"] >= got["count"]).all()
    with pytest.raises(ValueError, match="missing or non-numeric"):
        cell_counts(inc.assign(harm=np.nan), 9, weights="harm")
    with pytest.raises(ValueError, match="not a column"):
        cell_counts(inc, 9, by="nope")


def test_cell_counts_reprojects_and_rejects_non_points(dacorum):
    bng = dacorum.to_crs(27700)
    pd.testing.assert_frame_equal(cell_counts(bng, 9), cell_counts(dacorum, 9))
    broken = dacorum.copy()
    broken.loc[broken.index[3], "geometry"] = None
    with pytest.raises(ValueError, match="1 incident geometries are missing"):
        cell_counts(broken, 9)


@pytest.mark.parametrize("res", [9, 10])
def test_study_area_cells_cover_incidents_and_overlap_area(dacorum, wards, res):
    cells = study_area_cells(wards, res)
    assert len(cells) == len(set(cells))
    lon, lat = _lonlat(dacorum)
    assert set(assign_cells(lon, lat, res)) <= set(cells)
    area = wards.union_all()
    shape = h3.geo_to_h3shape(area.__geo_interface__)
    assert set(cells) == set(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
    polygons = cell_polygons(cells).geometry.to_numpy()
    assert shapely.intersects(polygons, area).all()
    # edge cells whose centre lies outside the district are included (not only 'center')
    centre = h3.h3shape_to_cells(shape, res)
    assert set(centre) < set(cells)
    assert (~shapely.contains(area, shapely.centroid(polygons))).sum() > 0


def test_study_area_cells_rejects_projected_geometry():
    with pytest.raises(ValueError, match="not lon/lat"):
        study_area_cells(shapely.box(500_000, 200_000, 510_000, 210_000), 9)


def test_cell_polygons_vertices_equal_h3_boundary(dacorum):
    cells = np.unique(assign_cells(*_lonlat(dacorum), 10))
    got = cell_polygons(cells)
    assert got.crs.to_epsg() == 4326
    assert got["cell"].tolist() == cells.tolist()
    for cell, poly in zip(cells, got.geometry, strict=True):
        ref = np.array(h3.cell_to_boundary(cell))[:, ::-1]
        ring = shapely.get_coordinates(poly.exterior)
        np.testing.assert_allclose(ring[:-1], ref, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(ring[0], ring[-1])
    with pytest.raises(ValueError, match="hexadecimal strings"):
        cell_polygons(["not-a-cell"])
    with pytest.raises(ValueError, match="not valid H3 cells"):
        cell_polygons(["8"])


@pytest.mark.parametrize(("k", "include_self"), [(1, True), (1, False), (2, True)])
def test_neighbours_equal_grid_disk(wards, k, include_self):
    cells = study_area_cells(wards, 9)
    w = neighbours(cells, k=k, include_self=include_self)
    assert w.shape == (len(cells), len(cells))
    assert set(np.unique(w.data)) == {1.0}
    assert (w != w.T).nnz == 0
    pos = {c: i for i, c in enumerate(cells)}
    for i, cell in enumerate(cells):
        ref = {pos[c] for c in h3.grid_disk(cell, k) if c in pos}
        if not include_self:
            ref.discard(i)
        assert set(w.indices[w.indptr[i] : w.indptr[i + 1]]) == ref


def test_neighbours_input_checks():
    cells = ["89195db8b73ffff", "89195db8b73ffff"]
    with pytest.raises(ValueError, match="distinct"):
        neighbours(cells)
    with pytest.raises(ValueError, match="non-negative"):
        neighbours(cells[:1], k=-1)
    with pytest.raises(ValueError, match="mix H3 resolutions"):
        neighbours(["89195db8b73ffff", h3.cell_to_parent("89195db8b73ffff", 8)])
    assert neighbours([]).shape == (0, 0)


def test_grid_counts_includes_zero_cells_and_outside_cells(herts, wards):
    grid = grid_counts(herts, 9, study_area=wards)
    area_cells = study_area_cells(wards, 9)
    assert grid["count"].sum() == len(herts)
    assert grid["cell"].is_unique
    inside = grid[grid["in_study_area"]]
    assert inside["cell"].tolist() == area_cells.tolist()
    assert (inside["count"] == 0).sum() > 0
    outside = grid[~grid["in_study_area"]]
    assert (outside["count"] > 0).all()
    assert grid.attrs["incidents_outside"] == outside["count"].sum()
    ref = cell_counts(herts, 9).set_index("cell")["count"]
    occupied = grid[grid["count"] > 0].set_index("cell")["count"]
    pd.testing.assert_series_equal(occupied.sort_index(), ref.sort_index())
    polys = cell_polygons(grid["cell"].to_numpy()).geometry
    assert shapely.equals_exact(grid.geometry.to_numpy(), polys.to_numpy(), tolerance=0).all()
    assert grid.attrs["res"] == 9 and "overlap" in grid.attrs["cells"]


def test_grid_counts_long_format_by_month(dacorum, wards):
    grid = grid_counts(dacorum, 10, study_area=wards, by="month")
    months = np.sort(dacorum["month"].unique())
    n_cells = grid.attrs["n_cells"]
    assert len(grid) == n_cells * len(months) == n_cells * 13
    assert list(grid.columns) == ["cell", "month", "count", "in_study_area", "geometry"]
    assert not grid.duplicated(["cell", "month"]).any()
    per_month = grid.groupby("month")["count"].sum()
    assert per_month.to_dict() == dacorum.groupby("month").size().to_dict()
    assert grid.attrs["n_outside_cells"] == 0
    one = grid[grid["month"] == months[0]]
    ref = cell_counts(dacorum[dacorum["month"] == months[0]], 10)
    assert one.loc[one["count"] > 0, "count"].sum() == ref["count"].sum()
    assert dict(zip(one["cell"], one["count"], strict=True)) == {
        **dict.fromkeys(one["cell"], 0),
        **dict(zip(ref["cell"], ref["count"], strict=True)),
    }


def test_grid_counts_without_study_area_is_occupied_cells(dacorum):
    grid = grid_counts(dacorum, 9)
    assert (grid["count"] > 0).all() and grid["in_study_area"].all()
    assert "no zero-count" in grid.attrs["cells"]


@pytest.mark.parametrize("res", [7, 8, 9, 10, 11])
def test_edge_table_equals_h3(res):
    assert EDGE_M[res] == round(h3.average_hexagon_edge_length(res, unit="m"))


def _wait_for_area_threads() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "hotspots-area-grid":
            thread.join(timeout=60)


def test_a_prepared_area_is_the_grid_the_grid_would_make(dacorum, wards):
    from hotspots.space import grid

    area = shapely.box(-0.60, 51.70, -0.45, 51.80)  # a box of Dacorum no other test grids
    wkb = shapely.to_wkb(area)
    grid._area_parts.clear()
    grid.prepare_area(area, 9)
    _wait_for_area_threads()
    assert {k[0] for k in grid._area_parts if k[1:] == (wkb, 9)} == {"cells", "hexagons"}
    made = grid._area_polygons(wkb, 9)
    assert made is grid._area_polygons(wkb, 9)  # kept, not made again
    fresh = grid.cell_polygons(grid._overlapping(wkb, 9))
    assert np.array_equal(grid._area_cells(wkb, 9), fresh["cell"].to_numpy())
    assert shapely.equals_exact(made, fresh.geometry.to_numpy(), 0).all()
    prepared = grid_counts(dacorum, 9, study_area=area)
    grid._area_parts.clear()
    pd.testing.assert_frame_equal(prepared, grid_counts(dacorum, 9, study_area=area))


def test_an_area_being_made_is_waited_for_once_and_a_failure_is_not_kept(monkeypatch):
    import threading

    from hotspots.space import grid

    started, release, calls = threading.Event(), threading.Event(), []

    def slow(wkb: bytes, res: int) -> np.ndarray:
        calls.append(res)
        started.set()
        release.wait(10)
        return np.arange(res)

    monkeypatch.setitem(grid._MAKE, "cells", slow)
    grid._area_parts.clear()
    answers: list[np.ndarray] = []

    def ask() -> None:
        answers.append(grid._made_once("cells", b"area", 3))

    first = threading.Thread(target=ask)
    first.start()
    started.wait(10)
    second = threading.Thread(target=ask)
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [3] and len(answers) == 2 and answers[0] is answers[1]

    def failing(wkb: bytes, res: int) -> np.ndarray:
        calls.append(-res)
        raise RuntimeError("no cells")

    monkeypatch.setitem(grid._MAKE, "cells", failing)
    for _ in range(2):  # not kept: tried again, failing again
        with pytest.raises(RuntimeError, match="no cells"):
            grid._made_once("cells", b"bad", 1)
    assert calls == [3, -1, -1] and ("cells", b"bad", 1) not in grid._area_parts
    grid._area_parts.clear()


def test_only_an_area_every_grid_allows_is_begun_and_nothing_fails():
    from concurrent.futures import Future

    from hotspots.space import grid

    grid._area_parts.clear()
    grid.prepare_area(shapely.box(-6.0, 50.0, 2.0, 56.0), 9)  # England at res 9: millions
    grid.prepare_area(shapely.box(400_000, 200_000, 401_000, 201_000), 9)  # not lon/lat
    grid.prepare_area(shapely.box(-0.5, 51.7, -0.4, 51.8), 16)  # no such resolution
    grid.prepare_area(shapely.Polygon(), 9)  # empty: GEOS fails on it
    _wait_for_area_threads()
    assert not grid._area_parts
    grid._area_parts[("cells", b"x", 9)] = Future()  # being worked out when a child is forked
    grid._area_parts[("cells", b"y", 9)] = np.arange(2)
    grid._after_fork_in_child()
    assert list(grid._area_parts) == [("cells", b"y", 9)]
    grid._area_parts.clear()


def test_a_process_ending_while_an_area_is_being_made_ends_cleanly():
    import subprocess
    import sys

    script = (
        "import shapely\n"
        "from hotspots.space import grid\n"
        "box = shapely.box(-1.2, 51.2, 0.3, 52.0)  # ~99,000 cells at res 9: ~0.3 s of work\n"
        "assert grid.estimated_cells(box, 9) <= grid.GRID_CELLS_ALWAYS_ALLOWED\n"
        "grid.prepare_area(box, 9)\n"
        "raise SystemExit(3)  # ends at once, the thread at work inside h3ronpy\n"
    )
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
        assert done.returncode == 3, done.stderr.decode()[-500:]  # not aborted (134)
        assert b"FATAL" not in done.stderr
