"""resolve_study_area: district codes, boundary files, GeoDataFrames, geometries."""

from __future__ import annotations

import json
import os
import shutil

import geopandas as gpd
import pytest
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import IngestError, resolve_study_area


def _bng_area(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(27700).area.iloc[0])


def test_district_code_is_the_union_of_its_wards(dacorum_wards):
    area = resolve_study_area(datasets.DACORUM)
    assert area.geom_type in ("Polygon", "MultiPolygon") and area.is_valid
    union = dacorum_wards.to_crs(27700).union_all()
    assert _bng_area(area) == pytest.approx(union.area, rel=1e-6)
    # Dacorum is about 212 km²
    assert 200e6 < _bng_area(area) < 225e6


def test_district_without_bundled_wards_uses_the_national_pack(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "boundaries" / "wards").mkdir(parents=True)
    (data / "boundaries" / "lad").mkdir(parents=True)
    shutil.copy(datasets.districts_path(), data / "boundaries" / "lad")
    wards_area = _bng_area(resolve_study_area(datasets.DACORUM))
    monkeypatch.setenv("HOTSPOTS_DATA", str(data))
    outline = resolve_study_area(datasets.DACORUM)
    assert _bng_area(outline) == pytest.approx(wards_area, rel=0.03)


def test_unknown_code_or_name_says_so_and_suggests_close_names():
    with pytest.raises(IngestError, match=r"'E07999999'.*not in the boundary pack"):
        resolve_study_area("E07999999")
    with pytest.raises(IngestError, match=r"'Sheffeld'.*did you mean Sheffield \(E08000019\)"):
        resolve_study_area("Sheffeld")
    with pytest.raises(IngestError, match=r"'nowhere\.geojson': no such file, and not a district"):
        resolve_study_area("nowhere.geojson")


def test_district_names_resolve_like_codes():
    leeds = resolve_study_area("Leeds")
    assert shapely.equals_exact(leeds, resolve_study_area("E08000035"), tolerance=0)
    assert shapely.equals_exact(leeds, resolve_study_area(" leeds "), tolerance=0)
    # Leeds is about 552 km² (ONS standard area measurement: 551.7 km²)
    assert 540e6 < _bng_area(leeds) < 565e6
    assert resolve_study_area("St Helens").is_valid  # a dot or space is not a file name


def test_geodataframe_in_bng_and_boundary_file_without_crs(tmp_path, dacorum_wards):
    reference = resolve_study_area(dacorum_wards)
    bng = resolve_study_area(dacorum_wards.to_crs(27700))
    # a round trip through BNG moves vertices by micrometres: compare areas relatively
    assert shapely.symmetric_difference(reference, bng).area < 1e-6 * reference.area
    data = json.loads(dacorum_wards.to_crs(27700).to_json(drop_id=True))
    data.pop("crs", None)
    path = tmp_path / "wards_bng.geojson"
    path.write_text(json.dumps(data))
    from_file = resolve_study_area(path)
    assert shapely.symmetric_difference(reference, from_file).area < 1e-6 * reference.area


def test_geometry_in_metres_is_refused_with_the_fix():
    box = shapely.box(500_000, 200_000, 510_000, 210_000)
    with pytest.raises(IngestError, match=r"not lon/lat; pass a GeoSeries with its CRS"):
        resolve_study_area(box)
    lonlat = shapely.box(-0.6, 51.7, -0.4, 51.8)
    assert resolve_study_area(lonlat).equals(lonlat)


def test_points_are_not_a_study_area(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([-0.5], [51.7]), crs=4326).to_file(path)
    with pytest.raises(IngestError, match=r"no polygons found"):
        resolve_study_area(path)
    with pytest.raises(IngestError, match=r"no such file, and not a district code or name"):
        resolve_study_area(tmp_path / "missing.geojson")


def test_a_study_area_is_resolved_once_per_file_and_again_when_the_file_changes(tmp_path):
    from hotspots.data.ingest import studyarea

    path = tmp_path / "area.geojson"
    square = shapely.box(-0.5, 51.7, -0.4, 51.8)
    gpd.GeoDataFrame(geometry=[square], crs="EPSG:4326").to_file(path)
    studyarea._RESOLVED.clear()
    first = resolve_study_area(path)
    assert resolve_study_area(str(path)) is first  # read once
    assert shapely.equals(first, square)
    bigger = shapely.box(-0.5, 51.7, -0.3, 51.9)
    gpd.GeoDataFrame(geometry=[bigger], crs="EPSG:4326").to_file(path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert shapely.equals(resolve_study_area(path), bigger)  # changed: read again
    dacorum = resolve_study_area(datasets.DACORUM)  # its bundled wards: read once too
    assert resolve_study_area(datasets.DACORUM.lower()) is dacorum
    studyarea._RESOLVED.clear()
    assert shapely.to_wkb(resolve_study_area(datasets.DACORUM)) == shapely.to_wkb(dacorum)


def test_an_outline_given_again_is_resolved_once():
    """A geometry given again (a dashboard's outline at every filter change, its worker's
    unpickled copy) is resolved once: the same answer, made by the first call."""
    import pickle

    outline = shapely.Polygon([(-0.5, 51.7), (-0.4, 51.7), (-0.4, 51.8), (-0.5, 51.8)])
    first = resolve_study_area(outline)
    again = resolve_study_area(pickle.loads(pickle.dumps(outline)))
    assert again is first
    assert shapely.equals_exact(first, outline, 0)
    moved = shapely.Polygon([(-0.5, 51.7), (-0.4, 51.7), (-0.4, 51.9), (-0.5, 51.8)])
    assert not shapely.equals_exact(resolve_study_area(moved), first, 0)
