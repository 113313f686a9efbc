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


def test_a_latin1_byte_in_a_utf8_file_sets_aside_only_its_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "id,datetime,lat,lon,note\nA,2021-06-01 10:00,51.75,-0.47,café\n".encode()
        + "B,2021-06-02 10:00,51.75,-0.47,caf\xe9\n".encode("latin-1")
        + b"C,2021-06-03 10:00,51.75,-0.47,ok\n"
    )
    result = load(path)
    assert result.report.encodings[str(path)] == "utf-8"
    assert result.incidents["incident_id"].tolist() == ["A", "C"]
    assert result.quarantine["reason"].tolist() == ["undecodable_text"]
    assert result.quarantine["line"].tolist() == [3]
    assert "byte 0xe9 (not UTF-8) at line 3, column 35" in result.quarantine["detail"].iloc[0]
    notes = " ".join(result.report.notes)
    assert "1 valid multi-byte sequence(s) outweigh 1 invalid" in notes


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


STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def _street_row(n: int, month: str, cell: str = "On or near Park Road") -> bytes:
    return (
        f"id{n:04d},{month},Hertfordshire Constabulary,Hertfordshire Constabulary,-0.47,51.75,"
        f"{cell},E01023700,Dacorum 001A,Burglary,Under investigation,\n"
    ).encode("latin-1")


@pytest.mark.parametrize(
    ("bad", "what"),
    [
        (b"\x00", "NUL byte 0x00"),
        (b"\x1a", "control character 0x1a"),
        (b"\x80", "byte 0x80"),
        (b"\xff", "byte 0xff"),
    ],
)
def test_one_bad_byte_sets_aside_one_row_of_a_street_file(tmp_path, bad, what):
    """One NUL, 0x1A or stray 0x80/0xFF in one cell of a 3-month folder: that row alone."""
    for month in ("2021-01", "2021-02", "2021-03"):
        folder = tmp_path / month
        folder.mkdir()
        rows = [_street_row(i, month) for i in range(200)]
        if month == "2021-02":
            rows[57] = rows[57].replace(b"Park Road", b"Park " + bad + b"Road")
        (folder / f"{month}-force-street.csv").write_bytes(STREET_HEADER.encode() + b"".join(rows))
    result = read_policeuk(tmp_path)
    report = result.report
    assert report.rows_read == 600 == report.rows_kept + len(result.quarantine)
    assert report.rows_kept == 599
    row = result.quarantine.iloc[0]
    assert (row["reason"], row["line"]) == ("undecodable_text", 59)
    assert row["file"].endswith("2021-02-force-street.csv")
    assert row["detail"].startswith(what) and "line 59, column " in row["detail"]
    assert row["Crime ID"] == "id0057"
    # the encoding is still plain ASCII/UTF-8, and the report says a byte was set aside
    assert set(report.encodings.values()) == {"utf-8"}
    assert any("1 bad byte(s)" in note and "2021-02" in note for note in report.notes)


def test_0xff_in_an_ascii_file_is_not_silently_read_as_cp1252(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(
        b"id,datetime,lat,lon,note\nA,2021-06-01 10:00,51.75,-0.47,fine\n"
        b"B,2021-06-02 10:00,51.75,-0.47,x\xff\n"
    )
    result = load(path)
    assert result.report.encodings[str(path)] == "utf-8"
    assert result.quarantine["reason"].tolist() == ["undecodable_text"]
    assert "byte 0xff" in result.quarantine["detail"].iloc[0]
    assert "ASCII apart from stray byte(s)" in " ".join(result.report.notes)


def test_cp1252_and_latin1_are_told_apart_by_their_evidence(tmp_path):
    head = b"id,datetime,lat,lon,note\n"
    cp = tmp_path / "cp.csv"
    cp.write_bytes(head + "A,2021-06-01 10:00,51.75,-0.47,“Loud” £50\n".encode("cp1252"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(head + "A,2021-06-01 10:00,51.75,-0.47,Noël à Café\n".encode("latin-1"))
    gap = tmp_path / "gap.csv"  # 0x8d: undefined in cp1252, a control character in Latin-1
    gap.write_bytes(head + b"A,2021-06-01 10:00,51.75,-0.47,Caf\xe9\nB,2021-06-01 10:00,1,2,\x8d\n")
    columns = {"datetime": "datetime", "lat": "lat", "lon": "lon", "location": "note"}
    result = load([cp, latin, gap], columns=columns)
    assert result.report.encodings == {
        str(cp): "cp1252", str(latin): "latin-1", str(gap): "latin-1"
    }  # fmt: skip
    assert set(result.incidents["location"]) == {"“Loud” £50", "Noël à Café", "Café"}
    assert result.quarantine["line"].tolist() == [3]
    notes = " ".join(result.report.notes)
    assert "bytes 0x80–0x9F read as cp1252 punctuation" in notes
    assert "all ≥ 0xA0, where Latin-1 and cp1252 agree" in notes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbf", r"the file is empty"),
        (b"\xff\xfe", r"the file is empty"),
        (b"\xff\xfea\x00,\x00b", r"odd number of bytes: it ends in half a character at line 1"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", r"gzip data is damaged"),
        (b"a\x00b,c\n1,2\n", r"binary data \(NUL bytes\) in the header row"),
    ],
)
def test_unusable_files_give_ingest_errors_naming_the_file(tmp_path, data, expected):
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=rf"broken\.csv: .*{expected}"):
        read_incident_csv(path, {"lat": "a", "lon": "b", "date": "c"})


def test_a_damaged_zip_member_is_an_ingest_error(tmp_path):
    path = tmp_path / "force.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2021-01/2021-01-force-street.csv", STREET_HEADER * 50)
    data = bytearray(path.read_bytes())
    data[60:80] = b"\xff" * 20  # inside the deflated member
    path.write_bytes(bytes(data))
    with pytest.raises(IngestError, match=r"force\.zip!2021-01/2021-01-force-street\.csv: cannot"):
        read_policeuk(path)


def test_a_nul_padded_tail_sets_aside_one_row_and_utf16_without_bom_is_named(tmp_path):
    path = tmp_path / "padded.csv"
    body = b"id,datetime,lat,lon\nA,2021-06-01 10:00,51.75,-0.47\nB,2021-06-02 10:00,51.75,-0.47"
    path.write_bytes(body + b"\x00" * 4096)  # a copy cut off by a crash, padded with NULs
    result = load(path)
    assert result.report.rows_kept == 1 and result.quarantine["line"].tolist() == [3]
    assert result.quarantine["reason"].tolist() == ["undecodable_text"]
    utf16 = tmp_path / "no_bom.csv"
    utf16.write_bytes("id,datetime,lat,lon\nA,2021-06-01 10:00,51.75,-0.47\n".encode("utf-16-le"))
    with pytest.raises(IngestError, match=r"looks like UTF-16 without a byte-order mark"):
        load(utf16)


def test_a_latin1_pound_sign_apart_from_digits_is_text(tmp_path):
    """'Briçgate £' (Latin-1, the £ after a space): read as text, not set aside as a byte that
    is no text in Latin-1; a £ touching a word (no digit) is still a stray byte."""
    path = tmp_path / "log.csv"
    path.write_bytes(
        b"id,datetime,lat,lon,note\n"
        + "A,2021-06-01 10:00,51.75,-0.47,Briçgate £\n".encode("latin-1")
        + 'B,2021-06-02 10:00,51.75,-0.47,"=HYPERLINK(""x"",""Briçgate £"")"\n'.encode("latin-1")
        + "C,2021-06-03 10:00,51.75,-0.47,Café (£)\n".encode("latin-1")
        + b"D,2021-06-04 10:00,51.75,-0.47,Park\xa3Road\n"
    )
    columns = {"datetime": "datetime", "lat": "lat", "lon": "lon", "location": "note"}
    result = load(path, columns=columns)
    assert result.report.encodings[str(path)] == "latin-1"
    notes = set(result.incidents["location"])
    assert {"Briçgate £", '=HYPERLINK("x","Briçgate £")', "Café (£)"} <= notes
    assert result.quarantine["line"].tolist() == [5]
    assert "byte 0xa3" in result.quarantine["detail"].iloc[0]
