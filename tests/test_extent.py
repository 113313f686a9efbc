"""A study area that cannot explode: the default area, the refusal of empty grids, the files."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.analysis.analyse import analyse
from hotspots.core.crs import BNG
from hotspots.core.defaults import GRID_CELLS_ALWAYS_ALLOWED
from hotspots.core.disclosure import mappable
from hotspots.data import boundaries
from hotspots.data.schema import incidents_from_xy
from hotspots.space.extent import default_study_area
from hotspots.space.grid import (
    check_grid_size,
    estimated_cells,
    grid_counts,
    study_area_cells,
)
from hotspots.views.cli import main

HERTS_DISTRICTS = {
    "E07000095", "E07000096", "E07000098", "E07000099", "E07000102",
    "E07000103", "E07000240", "E07000241", "E07000242", "E07000243",
}  # fmt: skip

FAR_AWAY_BNG = np.array([[170_000.0, 50_000.0], [330_000.0, 700_000.0], [530_000.0, 180_000.0]])
"""Truro, Edinburgh (Scotland: in no district of the pack) and Westminster."""


def _in_dacorum(n: int, seed: int = 0) -> np.ndarray:
    """``n`` points around Hemel Hempstead (BNG metres), all inside Dacorum."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(505_500, 800, n), rng.normal(207_000, 800, n)])


def test_district_counts_agree_with_a_spatial_join_on_the_outlines(herts_load):
    inc = mappable(herts_load.incidents)
    counts = boundaries.district_counts(inc["x"], inc["y"])
    pack = gpd.read_parquet(boundaries.pack_dir() / "districts.parquet")
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(inc["x"], inc["y"]), crs=BNG)
    joined = gpd.sjoin(points, pack[["lad_code", "geometry"]], predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    expected = joined["lad_code"].value_counts()
    assert dict(zip(counts["lad_code"], counts["points"], strict=True)) == expected.to_dict()
    assert counts.attrs["outside"] == len(inc) - len(joined)
    assert counts["share"].sum() == pytest.approx(1 - counts.attrs["outside"] / len(inc))


def test_hertfordshire_without_a_study_area_gets_its_ten_districts(herts_load):
    inc = mappable(herts_load.incidents)
    area = default_study_area(inc, res=9)
    assert set(area.districts) == HERTS_DISTRICTS
    counts = boundaries.district_counts(inc["x"], inc["y"])
    kept = counts[counts["lad_code"].isin(HERTS_DISTRICTS)]
    assert area.incidents_outside == len(inc) - kept["points"].sum()
    assert (counts.loc[~counts["lad_code"].isin(HERTS_DISTRICTS), "share"] < 0.005).all()
    assert f"{area.incidents_outside:,} incident(s) outside" in area.how
    assert "Dacorum (E07000096)" in area.how
    # the outline is the districts' own: Dacorum's outline lies inside it
    dacorum = boundaries.district("E07000096").outline
    assert area.geometry.buffer(1e-6).contains(dacorum)


def test_far_away_records_stay_outside_in_their_own_cells():
    xy = np.vstack([_in_dacorum(2_000), FAR_AWAY_BNG])
    inc = incidents_from_xy(xy, "Burglary")
    result = analyse(inc, res=9)
    assert result.params["study_area"].startswith("districts holding at least 0.5%")
    assert "Dacorum (E07000096)" in result.params["study_area"]
    assert "3 incident(s) outside" in result.params["study_area"]
    cells = result.cells
    outside = cells[~cells["in_study_area"]]
    assert outside["count"].sum() == 3 == result.params["grid"]["incidents_outside"]
    assert len(cells) == pytest.approx(
        estimated_cells(boundaries.district("Dacorum").outline, 9), rel=0.1
    )


def test_points_beyond_england_and_wales_get_their_trimmed_core():
    # 1,000 points in Paris (UTM 31N metres) and 3 strays 300-600 km away
    rng = np.random.default_rng(2)
    paris = np.column_stack(
        [rng.normal(452_000, 2_000, 1_000), rng.normal(5_411_000, 2_000, 1_000)]
    )
    strays = np.array(
        [[752_000.0, 5_411_000.0], [452_000.0, 5_011_000.0], [152_000.0, 5_811_000.0]]
    )
    inc = incidents_from_xy(np.vstack([paris, strays]), "Burglary", crs="EPSG:32631")
    area = default_study_area(inc, res=9)
    assert area.districts == () and area.incidents_outside == 3
    assert area.how.startswith("trimmed core")
    hull = shapely.MultiPoint(paris).convex_hull
    core_km2 = estimated_cells(area.geometry, 9) * 0.105
    assert hull.area / 1e6 < core_km2 < hull.buffer(1_000).area / 1e6
    result = analyse(inc, res=9)
    assert result.params["grid"]["incidents_outside"] == 3


def test_estimated_cells_are_within_a_few_per_cent_of_the_grid():
    for name in ("Dacorum", "Leeds", "Westminster", "Northumberland"):
        outline = boundaries.district(name).outline
        for res in (8, 9, 10):
            exact = study_area_cells(outline, res).size
            assert estimated_cells(outline, res) == pytest.approx(exact, rel=0.06), (name, res)


def test_a_grid_of_mostly_empty_cells_is_refused_with_the_fix():
    inc = incidents_from_xy(_in_dacorum(300), "Burglary")
    england = shapely.box(-5.7, 50.0, 1.8, 55.8)  # ~8 million res-9 cells
    with pytest.raises(ValueError) as err:
        grid_counts(inc, 9, study_area=england)
    message = str(err.value)
    assert "H3 cells at resolution 9" in message and "occupied cells" in message
    assert "smaller study area" in message and "res 8" in message
    # a district is always allowed, however few its incidents
    few = incidents_from_xy(_in_dacorum(5), "Burglary")
    grid = grid_counts(few, 9, study_area=boundaries.district("Dacorum").outline)
    assert grid["count"].sum() == 5
    # the limit is a multiple of the occupied cells above the floor
    big = estimated_cells(england, 9)
    assert check_grid_size(england, 9, occupied=big // 50 + 1) == big
    with pytest.raises(ValueError):
        check_grid_size(england, 9, occupied=big // 50 - 1)
    assert big > GRID_CELLS_ALWAYS_ALLOWED


def test_the_command_line_reports_the_area_and_writes_no_empty_cell_to_geojson(tmp_path, capsys):
    xy = np.vstack([_in_dacorum(1_500), FAR_AWAY_BNG])
    lon, lat = (
        gpd.GeoSeries(gpd.points_from_xy(*xy.T), crs=BNG).to_crs(4326).pipe(lambda s: (s.x, s.y))
    )
    csv = tmp_path / "2021-06-test-street.csv"
    rows = [
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context"
    ]
    rows += [
        f"id{i},2021-06,Test Police,Test Police,{x:.6f},{y:.6f},On or near X,,,Burglary,,"
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    csv.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    assert main(["analyse", str(csv), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert (
        "study area: districts holding at least" in printed and "3 incident(s) outside" in printed
    )
    shown = gpd.read_file(out / "cells.geojson")
    grid = gpd.read_parquet(out / "cells.parquet")
    assert ((shown["count"] > 0) | (shown["gi_bin"] != 0)).all()
    assert len(grid) > 3 * len(shown)  # the district's empty cells only in GeoParquet
    params = json.loads((out / "params.json").read_text())
    assert params["grid"]["incidents_outside"] == 3


def test_the_outline_of_many_districts_is_polygonal():
    london = tuple(c for c in boundaries.districts()["lad_code"] if c.startswith("E09"))
    outline = boundaries.districts_outline(london)
    assert outline.geom_type in ("Polygon", "MultiPolygon") and outline.is_valid
    assert outline.buffer(1e-6).contains(boundaries.district("Westminster").outline)
