"""CRS detection (lon/lat, British National Grid, declared), swapped lat/lon, invalid values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod, Transformer

from hotspots.data import datasets
from hotspots.data.ingest import ColumnMap, IngestError, read_incident_csv
from hotspots.data.ingest.coords import locate

DATA = Path(__file__).parent / "data" / "ingest"
GEOD = Geod(ellps="WGS84")
# The same twelve real Dacorum points: lon/lat (6 decimals) in one log, BNG metres in another.
UTF8 = ColumnMap(incident_id="Incident ID", datetime="Date/Time", lat="Latitude", lon="Longitude")


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "asb_log_utf8_bom.csv", encoding="utf-8-sig")
    return frame[["Longitude", "Latitude"]]


def _metres(result, truth) -> np.ndarray:
    g = result.incidents.geometry
    _, _, dist = GEOD.inv(g.x.to_numpy(), g.y.to_numpy(), truth["Longitude"], truth["Latitude"])
    return np.abs(dist)


def test_bng_detected_from_generic_xy_columns(truth):
    cmap = ColumnMap(incident_id="Ref", date="Date", time="Time", x="Easting", y="Northing")
    result = read_incident_csv(DATA / "asb_log_cp1252.csv", cmap)
    (crs,) = result.report.crs.values()
    assert crs == "EPSG:27700 (British National Grid by value range)"
    assert _metres(result, truth).max() < 1.0  # eastings/northings were rounded to 1 m
    np.testing.assert_allclose(
        result.incidents["x"],
        pd.read_csv(DATA / "asb_log_cp1252.csv", encoding="cp1252")["Easting"],
    )


def test_lonlat_detected_from_generic_xy_columns(truth):
    cmap = ColumnMap(incident_id="Incident ID", datetime="Date/Time", x="Longitude", y="Latitude")
    result = read_incident_csv(DATA / "asb_log_utf8_bom.csv", cmap)
    assert list(result.report.crs.values()) == ["EPSG:4326 (lat/lon by value range)"]
    assert _metres(result, truth).max() < 1e-6


def test_swapped_rows_are_swapped_back_and_counted(truth):
    columns = {"incident_id": "CAD Number", "datetime": "Opened", "datetime_to": "Closed",
               "lat": "Latitude", "lon": "Longitude"}  # fmt: skip
    result = read_incident_csv(DATA / "cad_export_window.csv", columns)
    assert result.report.swapped_lat_lon == 2
    kept = result.incidents.set_index("incident_id")
    for cad, row in zip(["CAD2002", "CAD2005"], [2, 5], strict=True):
        point = kept.loc[cad, "geometry"]
        assert (point.x, point.y) == (truth["Longitude"][row], truth["Latitude"][row])


def test_a_whole_file_with_latitude_and_longitude_exchanged(tmp_path, truth):
    frame = pd.read_csv(DATA / "asb_log_utf8_bom.csv", encoding="utf-8-sig", dtype=str)
    frame["Latitude"], frame["Longitude"] = frame["Longitude"], frame["Latitude"]
    path = tmp_path / "swapped.csv"
    frame.to_csv(path, index=False)
    result = read_incident_csv(path, UTF8)
    assert result.report.swapped_lat_lon == len(frame) == result.report.rows_kept
    assert _metres(result, truth).max() < 1e-6


def test_latitude_beyond_90_is_a_swap_anywhere():
    loc = locate(pd.Series(["29.7", "-95.4"]), pd.Series(["-95.4", "29.7"]), kind="lonlat")
    assert loc.swapped == 1
    np.testing.assert_allclose(loc.lon, [-95.4, -95.4])
    np.testing.assert_allclose(loc.lat, [29.7, 29.7])


def test_invalid_and_missing_coordinates_get_their_reason():
    lon = pd.Series(["-0.47", "", "abc", "0", "200", "-0.47", " -0.45 "])
    lat = pd.Series(["51.75", "", "51.7", "0", "95", "", "51.76"])
    loc = locate(lon, lat, kind="lonlat", names=("Longitude", "Latitude"))
    assert loc.reason.tolist() == [
        "", "no_location", "invalid_coordinates", "invalid_coordinates", "invalid_coordinates",
        "invalid_coordinates", "",
    ]  # fmt: skip
    assert loc.detail[2] == "Longitude 'abc' is not a number"
    assert "placeholder" in loc.detail[3]
    assert "beyond" in loc.detail[4]
    assert loc.detail[5] == "Latitude is blank but the other coordinate is not"
    assert np.isnan(loc.lon[1:6]).all() and loc.lon[6] == -0.45


def test_bng_outside_the_grid_is_invalid():
    east, north = pd.Series(["505000", "905000", "506000"]), pd.Series(["207000"] * 3)
    loc = locate(east, north, kind="en")
    assert loc.crs == "EPSG:27700"
    assert loc.reason.tolist() == ["", "invalid_coordinates", ""]
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(505000, 207000)
    assert (loc.lon[0], loc.lat[0]) == pytest.approx((lon, lat))


def test_declared_crs_is_honoured_dc_state_plane_feet_against_lonlat(dc_load):
    cmap = ColumnMap(
        datetime="start_datetime",
        datetime_to="end_datetime",
        x="x_md_stateplane_ftus",
        y="y_md_stateplane_ftus",
    )
    result = read_incident_csv(datasets.timed_path("dc"), cmap, crs="EPSG:2248")
    assert list(result.report.crs.values()) == ["EPSG:2248 (declared EPSG:2248)"]
    assert result.incidents.attrs["working_crs"] == dc_load.incidents.attrs["working_crs"]
    lonlat = dc_load.incidents.geometry
    _, _, dist = GEOD.inv(
        result.incidents.geometry.x, result.incidents.geometry.y, lonlat.x, lonlat.y
    )
    assert np.abs(dist).max() < 0.5  # the file's lon/lat have 6 decimals (≈ 0.1 m)


def test_values_in_no_known_crs_ask_for_crs():
    with pytest.raises(IngestError, match=r"cannot tell the CRS.*pass crs="):
        locate(pd.Series(["1298750"]), pd.Series(["451803"]), kind="xy", source="dc.csv")
    with pytest.raises(IngestError, match=r"crs='EPSG:99999' is not a CRS pyproj knows"):
        locate(pd.Series(["1"]), pd.Series(["2"]), kind="xy", crs="EPSG:99999")
