"""load(): dispatch of mixed folders and archives; concat_results."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from hotspots.data import datasets, schema
from hotspots.data.ingest import IngestError, concat_results, load, read_policeuk, textfile
from hotspots.data.ingest.policeuk import STREET_COLUMNS

DATA = Path(__file__).parent / "data" / "ingest"


def test_zip_loads_like_read_policeuk(herts_load):
    result = load(datasets.herts_policeuk_zip())
    assert result.report.rows_read == herts_load.report.rows_read
    assert result.incidents["incident_id"].equals(herts_load.incidents["incident_id"])
    assert result.report.quarantined == herts_load.report.quarantined


def test_mixed_folder_is_dispatched_and_skips_reported(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "police").mkdir(parents=True)
    shutil.copy(DATA / "2021-06-test-street.csv", folder / "police")
    (folder / "police" / "2021-06-test-outcomes.csv").write_text("Crime ID,Month\n")
    shutil.copy(DATA / "asb_log_utf8_bom.csv", folder)
    (folder / "README.txt").write_text("exported from the ASB system\n")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    result = load(folder)
    report = result.report
    assert sorted(Path(f).name for f in report.files_read) == [
        "2021-06-test-street.csv", "asb_log_utf8_bom.csv"]  # fmt: skip
    skipped = {Path(k).name: v for k, v in report.files_skipped.items()}
    assert skipped == {
        "2021-06-test-outcomes.csv": "a police.uk outcomes file, not street-level crime",
        "README.txt": "unsupported file type '.txt'",
        "notes.docx": "unsupported file type '.docx'",
    }
    assert set(result.incidents["source"]) == {"police.uk", "asb_log_utf8_bom"}
    assert report.rows_read == 8 + 12
    assert report.rows_read == report.rows_kept + len(result.quarantine)


def test_policeuk_header_recognised_whatever_the_file_name(tmp_path):
    path = tmp_path / "june.csv"
    shutil.copy(DATA / "2021-06-test-street.csv", path)
    assert set(load(path).incidents["source"]) == {"police.uk"}


def test_nothing_loadable_is_an_error(tmp_path):
    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.md", "hello")
    with pytest.raises(IngestError, match=r"nothing to load.*readme\.md: unsupported file type"):
        load(archive)
    with pytest.raises(IngestError, match=r"no such file or folder"):
        load(tmp_path / "nope.csv")


def test_concat_results_rechooses_the_working_crs_and_recomputes_xy(houston_load, nyc_load):
    both = concat_results([nyc_load, houston_load])
    incidents = both.incidents
    assert len(incidents) == len(nyc_load.incidents) + len(houston_load.incidents)
    working = incidents.attrs[schema.WORKING_CRS]
    assert working == schema.working_crs_for(incidents.geometry.x, incidents.geometry.y)
    assert working == "EPSG:32615"  # Houston has more incidents: its UTM zone wins
    x, y = Transformer.from_crs(4326, working, always_xy=True).transform(
        incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    )
    np.testing.assert_allclose(incidents["x"], x, rtol=0, atol=1e-6)
    np.testing.assert_allclose(incidents["y"], y, rtol=0, atol=1e-6)
    assert both.report.rows_read == nyc_load.report.rows_read + houston_load.report.rows_read
    assert both.report.rows_read == both.report.rows_kept + len(both.quarantine)
    assert list(incidents.columns) == schema.COLUMNS
    # the parts were not modified
    assert nyc_load.incidents.attrs[schema.WORKING_CRS] == "EPSG:32618"


def test_concat_of_policeuk_and_a_council_log_stays_in_bng(dacorum_load):
    council = load(DATA / "asb_log_cp1252.csv", columns={
        "incident_id": "Ref", "date": "Date", "time": "Time", "crime_type": "Type",
        "easting": "Easting", "northing": "Northing"})  # fmt: skip
    both = concat_results([dacorum_load, council])
    assert both.incidents.attrs[schema.WORKING_CRS] == "EPSG:27700"
    assert both.report.time_precision == {"month": 13_184, "minute": 11, "day": 1}
    assert len(both.quarantine) == len(dacorum_load.quarantine)


def test_same_street_file_twice_is_caught_as_duplicates(tmp_path):
    first = tmp_path / "a" / "2021-06-test-street.csv"
    second = tmp_path / "b" / "2021-06-test-street.csv"
    for path in (first, second):
        path.parent.mkdir()
        shutil.copy(DATA / "2021-06-test-street.csv", path)
    once = read_policeuk(first)
    twice = load(tmp_path)
    # the copy is not read: its rows are not counted twice, nor set aside as repeats
    assert twice.report.rows_kept == once.report.rows_kept
    assert twice.report.rows_read == once.report.rows_read
    assert "duplicate_id" not in twice.report.quarantined
    assert twice.report.files_skipped[str(second)] == f"the same bytes as {first}: read once"


def test_quarantine_by_reason_counts_the_rows_set_aside():
    from hotspots.data.ingest.report import quarantine_by_reason
    from hotspots.demo.load import load_demo_log

    result = load_demo_log()  # four deliberate bad rows, one per reason
    table = quarantine_by_reason(result.quarantine)
    assert list(table.columns) == ["reason", "rows"]
    assert dict(zip(table["reason"], table["rows"], strict=True)) == result.report.quarantined
    assert table["rows"].sum() == len(result.quarantine) == 4


def test_csv_header_for_the_column_map_form(tmp_path):
    from hotspots.data.ingest.columns import ColumnMap, csv_header

    council = tmp_path / "c.csv"
    council.write_bytes("Réf,Date,Easting,Northing\n1,2021-01-01,1,2\n".encode("latin-1"))
    excel = tmp_path / "x.csv"
    excel.write_bytes("\ufeffIncident No,Date,Easting,Northing\n".encode())
    empty = tmp_path / "e.csv"
    empty.write_text("")
    assert csv_header(council) == ["Réf", "Date", "Easting", "Northing"]
    assert csv_header(excel) == ["Incident No", "Date", "Easting", "Northing"]  # BOM dropped
    assert csv_header(empty) == []
    guess = ColumnMap.guess(csv_header(excel))
    assert (guess.incident_id, guess.easting) == ("Incident No", "Easting")


def test_files_are_read_two_at_a_time_in_order_and_the_first_failure_wins(tmp_path):
    """``read_each`` gives each file's result in the files' order whatever order the threads
    finish in, raises the first failing file's error as a one-by-one read would, and does not
    read the files after it beyond the ones already begun."""
    import threading

    from hotspots.data.ingest.files import READERS, expand, read_each

    for i in range(8):
        (tmp_path / f"{i}.csv").write_text(str(i))
    files = expand(tmp_path)
    threads: set[str] = set()
    both = threading.Barrier(READERS, timeout=30)  # the first two files read at the same time
    second_done = threading.Event()

    def first_finishes_last(f):
        threads.add(threading.current_thread().name)
        if f.name in ("0.csv", "1.csv"):
            both.wait()
        if f.name == "1.csv":
            second_done.set()
        if f.name == "0.csv":
            assert second_done.wait(timeout=30)
        return f.read_bytes().decode()

    assert list(read_each(files, first_finishes_last)) == [str(i) for i in range(8)]
    assert len(threads) == READERS == 2 and all(t.startswith("hotspots-read") for t in threads)

    begun: list[str] = []

    def fails_on_2(f):
        begun.append(f.name)
        if f.name in ("2.csv", "3.csv"):
            raise IngestError(f"{f.name}: bad")
        return f.name

    with pytest.raises(IngestError, match=r"^2\.csv: bad"):
        list(read_each(files, fails_on_2))
    assert len(begun) <= 2 + READERS + 1 < len(files)  # the rest never read


def test_a_zip_bomb_is_refused_unread_naming_the_member_its_size_and_ratio(tmp_path, monkeypatch):
    # a 5.8 MB zip of one 1.5 GB member aborted the process (Arrow out of memory, no message);
    # here a 2 MB member of one repeated row (~500 times) with the size checked from 1 MB
    monkeypatch.setattr(textfile, "RATIO_CHECKED_FROM", 1_000_000)
    header = ",".join(STREET_COLUMNS) + "\n"
    row = ",2021-01,F,F,-0.47,51.75,On or near A,E01023700,Dacorum 001A,Burglary,,\n"
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("2021-01/2021-01-x-street.csv", header + row * 30_000)
    match = (
        r"bomb\.zip!2021-01/2021-01-x-street\.csv: refused unread: it inflates to "
        r"2,\d{3},\d{3} bytes from \d[\d,]* \(\d{3,} times\), more than 100 times"
    )
    with pytest.raises(IngestError, match=match):
        load(bomb)
    # police.uk's own zips compress 5-10 times: read, even held to the ratio from 0 bytes
    monkeypatch.setattr(textfile, "RATIO_CHECKED_FROM", 0)
    assert load(datasets.herts_policeuk_zip()).report.rows_kept > 0


def test_a_gzip_bomb_is_refused_as_it_inflates(tmp_path, monkeypatch):
    # a .csv.gz inflated without a limit: the same rule as a zip's members, checked as it
    # inflates (a gzip names no size before)
    import gzip

    monkeypatch.setattr(textfile, "RATIO_CHECKED_FROM", 1_000_000)
    monkeypatch.setattr(textfile, "_GUNZIP_STEP", 100_000)
    header = ",".join(STREET_COLUMNS) + "\n"
    row = ",2021-01,F,F,-0.47,51.75,On or near A,E01023700,Dacorum 001A,Burglary,,\n"
    bomb = tmp_path / "2021-01-x-street.csv.gz"
    bomb.write_bytes(gzip.compress((header + row * 30_000).encode(), compresslevel=9))
    with pytest.raises(IngestError, match=r"refused: it inflates to more than 1,\d{3},\d{3} "
                                          r"bytes from \d[\d,]* \(\d{3,} times\)"):  # fmt: skip
        load(bomb)
    # a plain .csv.gz, two members, read whole
    fine = tmp_path / "2021-01-y-street.csv.gz"
    fine.write_bytes(gzip.compress((header + row * 3).encode()) + gzip.compress(row.encode()))
    assert load(fine).report.rows_kept == 4
    cut = tmp_path / "2021-01-z-street.csv.gz"
    cut.write_bytes(fine.read_bytes()[:-30])
    with pytest.raises(IngestError, match="gzip data is damaged or cut short"):
        load(cut)
