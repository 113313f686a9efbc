"""Encodings Excel and council systems produce, and files that are not usable CSVs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from hotspots.data.ingest import ColumnMap, IngestError, load, read_incident_csv, read_policeuk

DATA = Path(__file__).parent / "data" / "ingest"
CP1252_NOTES = ColumnMap(
    incident_id="Ref", date="Date", time="Time", location="Notes", easting="Easting",
    northing="Northing",
)  # fmt: skip


def test_excel_cp1252_keeps_curly_quotes_pound_and_accents():
    result = read_incident_csv(DATA / "asb_log_cp1252.csv", CP1252_NOTES)
    assert result.report.encodings == {str(DATA / "asb_log_cp1252.csv"): "cp1252"}
    notes = set(result.incidents["location"])
    assert {"Resident’s complaint", "£50 damage", "Café forecourt", "“Loud” music"} == notes
    expected = (DATA / "asb_log_cp1252.csv").read_bytes().decode("cp1252").count("\r\n") - 1
    assert result.report.rows_kept == expected == 12


def test_excel_csv_utf8_with_bom_reads_the_first_column_name_cleanly():
    result = load(DATA / "asb_log_utf8_bom.csv")
    assert result.report.encodings[str(DATA / "asb_log_utf8_bom.csv")] == (
        "utf-8-sig (Excel CSV UTF-8)"
    )
    assert result.incidents["incident_id"].iloc[0] == "INC-500"  # not "\ufeffIncident ID"
    assert result.incidents["location"].str.endswith("— Berkhamsted").all()


def test_latin1_with_semicolons():
    path = DATA / "asb_log_latin1_semicolon.csv"
    result = load(path, columns={"datetime": "datetime", "lat": "lat", "lon": "lon",
                                 "location": "note", "crime_type": "type"})  # fmt: skip
    assert result.report.encodings[str(path)] == "latin-1"
    assert result.report.parameters[f"{path}: delimiter"] == "';'"
    assert result.incidents["location"].str.startswith("Café").all()
    assert result.report.rows_kept == 6


def test_utf16_tab_separated_unicode_text(tmp_path):
    text = "id\tdatetime\tlat\tlon\tnote\r\nU1\t2021-06-01 10:00\t51.75\t-0.47\tŁódź café\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    result = load(path)
    assert result.report.encodings[str(path)] == "utf-16"
    assert result.report.rows_kept == 1


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b"id,datetime,lat,lon\rA,2021-06-01 10:00,51.75,-0.47\rB,2021-06-02 11:00,51.76,-0.48\r"
    )
    assert load(path).report.rows_kept == 2


def test_mixed_encodings_name_the_line_and_column(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("id,note\nA,café\n".encode() + "B,caf\xe9\n".encode("latin-1"))
    with pytest.raises(IngestError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message and "line 3, column 6" in message and "mixes encodings" in message


def test_empty_file_is_an_error_naming_the_file():
    with pytest.raises(IngestError, match=r"empty\.csv: the file is empty; expected a CSV"):
        read_incident_csv(DATA / "empty.csv", {"lat": "a", "lon": "b", "date": "c"})


def test_binary_file_is_not_a_csv():
    with pytest.raises(IngestError) as info:
        load(DATA / "not_a_csv.csv")
    assert "not_a_csv.csv: not a CSV text file: binary data" in str(info.value)
    assert "line 1, column 1" in str(info.value)


def test_excel_workbook_saved_with_a_csv_name_is_recognised(tmp_path):
    path = tmp_path / "log.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(IngestError, match=r"log\.csv: this is a zip archive \(or an Excel"):
        read_incident_csv(path, {"lat": "a", "lon": "b", "date": "c"})


def test_no_coordinate_columns_lists_columns_and_fields_to_set():
    with pytest.raises(IngestError) as info:
        load(DATA / "no_coordinates.csv")
    message = str(info.value)
    assert "no_coordinates.csv: no coordinate columns" in message
    assert "['Ref', 'Date', 'Type', 'Street']" in message
    assert "lat + lon, easting + northing, or x + y" in message


def test_truncated_file_quarantines_the_partial_last_row():
    columns = {"incident_id": "CAD Number", "datetime": "Opened", "datetime_to": "Closed",
               "crime_type": "Incident Type", "lat": "Latitude", "lon": "Longitude"}  # fmt: skip
    full = read_incident_csv(DATA / "cad_export_window.csv", columns)
    cut = read_incident_csv(DATA / "truncated.csv", columns)
    assert cut.report.rows_read == full.report.rows_read
    partial = cut.quarantine[cut.quarantine["reason"] == "malformed_row"]
    assert partial["line"].tolist() == [11]
    assert "ends in the middle of this row" in partial["detail"].iloc[0]
    # a broken CAD row has no known crime type: its values (coordinates too) are withheld
    assert partial["CAD Number"].isna().all()
    assert cut.report.rows_read == cut.report.rows_kept + len(cut.quarantine)


def test_policeuk_zip_member_that_is_not_text_is_an_error(tmp_path):
    path = tmp_path / "force.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2021-01/2021-01-force-street.csv", b"\x00\x01\x02binary")
    with pytest.raises(IngestError, match=r"force\.zip!2021-01/2021-01-force-street\.csv: not a"):
        read_policeuk(path)
