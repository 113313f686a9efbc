"""read_vector: GeoJSON, GeoPackage, Shapefile and GeoParquet round trips, BNG layers."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.data.ingest import IngestError, read_vector


@pytest.fixture(scope="module")
def points(dacorum_load) -> gpd.GeoDataFrame:
    """Twenty real Dacorum incidents as a council might keep them in a GIS."""
    sample = dacorum_load.incidents.iloc[::600].head(20).reset_index(drop=True)
    hours = np.arange(20) % 24
    return gpd.GeoDataFrame(
        {
            "ref": [f"GIS-{i}" for i in range(20)],
            "when": [
                f"{d:%Y-%m}-15 {h:02d}:30" for d, h in zip(sample["month"], hours, strict=True)
            ],
            "type": sample["crime_type"].astype(str),
        },
        geometry=sample.geometry.to_numpy(),
        crs="EPSG:4326",
    )


def _check_same(result, points):
    incidents = result.incidents
    assert result.report.rows_kept == len(points)
    assert incidents["incident_id"].tolist() == points["ref"].tolist()
    assert incidents["crime_type"].tolist() == points["type"].tolist()
    np.testing.assert_allclose(incidents.geometry.x, points.geometry.x, atol=1e-7)
    np.testing.assert_allclose(incidents.geometry.y, points.geometry.y, atol=1e-7)
    assert (incidents["occurred_from"].dt.minute == 30).all()
    assert incidents.attrs["working_crs"] == "EPSG:27700"


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".parquet"])
def test_round_trip_in_lonlat(tmp_path, points, suffix):
    path = tmp_path / f"incidents{suffix}"
    if suffix == ".parquet":
        points.to_parquet(path)
    else:
        points.to_file(path)
    result = read_vector(path)  # columns guessed: ref, when, type
    _check_same(result, points)
    assert next(iter(result.report.crs.values())).startswith("EPSG:4326")


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".parquet"])
def test_bng_layer_is_reprojected(tmp_path, points, suffix):
    path = tmp_path / f"bng{suffix}"
    bng = points.to_crs(27700)
    if suffix == ".parquet":
        bng.to_parquet(path)
    else:
        bng.to_file(path)
    result = read_vector(path)
    _check_same(result, points)
    assert list(result.report.crs.values()) == ["EPSG:27700 (declared EPSG:27700)"]
    np.testing.assert_allclose(result.incidents["x"], bng.geometry.x, atol=1e-6)


def test_geojson_in_bng_without_a_crs_member_is_detected_not_drawn_blank(tmp_path, points):
    bng = points.to_crs(27700)
    features = json.loads(bng.to_json(drop_id=True))
    features.pop("crs", None)
    path = tmp_path / "bng_no_crs.geojson"
    path.write_text(json.dumps(features))
    result = read_vector(path)
    _check_same(result, points)
    (how,) = result.report.crs.values()
    assert how == (
        "EPSG:27700 (file says EPSG:4326, values say otherwise: British National Grid by value "
        "range)"
    )


def test_shapefile_without_prj_is_detected_by_value_range(tmp_path, points):
    path = tmp_path / "noprj.shp"
    points.to_crs(27700).to_file(path)
    path.with_suffix(".prj").unlink()
    result = read_vector(path)
    _check_same(result, points)
    assert "British National Grid by value range" in next(iter(result.report.crs.values()))


def test_null_and_non_point_geometries_are_quarantined(tmp_path, points):
    frame = points.copy()
    frame.loc[3, "geometry"] = None
    frame.loc[5, "geometry"] = shapely.buffer(frame.geometry.iloc[5], 0.001)
    frame.loc[7, "geometry"] = shapely.multipoints([frame.geometry.iloc[7]])
    path = tmp_path / "mixed.gpkg"
    frame.to_file(path)
    result = read_vector(path)
    reasons = result.quarantine.set_index("line")["reason"].to_dict()
    assert reasons == {4: "no_location", 6: "not_a_point"}
    assert result.quarantine.loc[result.quarantine["line"] == 6, "detail"].iloc[0] == (
        "Polygon geometry; incidents must be points"
    )
    assert result.report.rows_kept == len(points) - 2  # the one-point MultiPoint is kept


def test_several_layers_need_a_layer_name(tmp_path, points):
    path = tmp_path / "two.gpkg"
    points.to_file(path, layer="asb")
    points.head(5).to_file(path, layer="crime")
    with pytest.raises(IngestError, match=r"has 2 layers \(asb, crime\); pass layer="):
        read_vector(path)
    assert read_vector(path, layer="crime").report.rows_kept == 5


def test_location_fields_in_the_map_are_refused(tmp_path, points):
    path = tmp_path / "p.gpkg"
    points.to_file(path)
    with pytest.raises(IngestError, match="its geometry"):
        read_vector(path, columns={"datetime": "when", "lat": "y", "lon": "x"})


def test_unreadable_file_names_the_file(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with pytest.raises(IngestError, match=r"broken\.geojson: cannot read it as a vector file"):
        read_vector(path)
