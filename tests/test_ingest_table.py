"""Generic incident CSVs: date + time, one datetime column, from/to windows, real timed data."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hotspots.data import datasets, schema
from hotspots.data.ingest import ColumnMap, IngestError, csvscan, read_incident_csv, read_policeuk
from hotspots.data.ingest.policeuk import STREET_COLUMNS

DATA = Path(__file__).parent / "data" / "ingest"
CP1252 = ColumnMap(
    incident_id="Ref", date="Date", time="Time", crime_type="Type", location="Street",
    easting="Easting", northing="Northing",
)  # fmt: skip
WINDOW = ColumnMap(
    incident_id="CAD Number", datetime="Opened", datetime_to="Closed",
    crime_type="Incident Type", lat="Latitude", lon="Longitude",
)  # fmt: skip


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def test_date_and_time_in_two_columns():
    result = read_incident_csv(DATA / "asb_log_cp1252.csv", CP1252)
    incidents = result.incidents.set_index("incident_id")
    for row in _rows(DATA / "asb_log_cp1252.csv", "cp1252"):
        got = incidents.loc[row["Ref"]]
        if row["Time"]:
            expected = datetime.strptime(f"{row['Date']} {row['Time']}", "%d/%m/%Y %H:%M")
            assert got["time_precision"] == "minute"
        else:
            expected = datetime.strptime(row["Date"], "%d/%m/%Y")
            assert got["time_precision"] == "day"
        assert got["occurred_from"] == expected == got["occurred_to"]
        assert got["month"] == datetime(2021, 6, 1)
        assert got["crime_type"] == row["Type"]
    assert result.report.time_precision == {"minute": 11, "day": 1}
    params = result.report.parameters
    assert params[f"{DATA / 'asb_log_cp1252.csv'}: date format"] == "date %d/%m/%Y, time %H:%M"
    assert result.incidents["category"].isin(schema.CATEGORIES).all()
    assert result.report.unmapped_crime_types == {}


def test_one_datetime_column_day_first():
    result = read_incident_csv(DATA / "asb_log_utf8_bom.csv", {
        "incident_id": "Incident ID", "datetime": "Date/Time", "lat": "Latitude",
        "lon": "Longitude"})  # fmt: skip
    rows = _rows(DATA / "asb_log_utf8_bom.csv", "utf-8-sig")
    expected = [datetime.strptime(r["Date/Time"], "%d/%m/%Y %H:%M") for r in rows]
    assert result.incidents["occurred_from"].tolist() == expected


def test_month_first_option_reads_us_dates(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("when,lat,lon\n01/02/2021 10:30,51.75,-0.47\n03/04/2021 11:00,51.75,-0.47\n")
    cmap = {"datetime": "when", "lat": "lat", "lon": "lon"}
    uk = read_incident_csv(path, cmap).incidents["occurred_from"].tolist()
    us = read_incident_csv(path, cmap, dayfirst=False).incidents["occurred_from"].tolist()
    assert uk == [datetime(2021, 2, 1, 10, 30), datetime(2021, 4, 3, 11, 0)]
    assert us == [datetime(2021, 1, 2, 10, 30), datetime(2021, 3, 4, 11, 0)]


def test_the_load_report_says_the_date_order_in_words(tmp_path):
    # it said "dayfirst: True" beside a date format, where the add report says the order
    # in words ("dates of ...: read day first (UK: ...)")
    path = tmp_path / "us.csv"
    path.write_text("when,lat,lon\n01/02/2021 10:30,51.75,-0.47\n03/04/2021 11:00,51.75,-0.47\n")
    cmap = {"datetime": "when", "lat": "lat", "lon": "lon"}
    uk = read_incident_csv(path, cmap).report.summary()
    us = read_incident_csv(path, cmap, dayfirst=False).report.summary()
    assert f"{path}: dates: read day first (UK: 01/02/2024 is 1 February)" in uk
    assert f"{path}: dates: read month first (US: 01/02/2024 is 2 January)" in us
    assert "dayfirst" not in uk + us


def test_a_date_that_reads_only_the_other_way_round_is_set_aside_saying_so(tmp_path):
    # a day-first log with one US-written date: it was read month first in a second round,
    # so one file held both orders, silently
    path = tmp_path / "uk.csv"
    path.write_text(
        "ref,when,lat,lon\nA,13/05/2024 10:30,51.75,-0.47\nB,03/05/2024 11:00,51.75,-0.47\n"
        "C,14/05/2024 09:00,51.75,-0.47\nD,12/25/2024 12:00,51.75,-0.47\n"
    )
    cmap = {"incident_id": "ref", "datetime": "when", "lat": "lat", "lon": "lon"}
    result = read_incident_csv(path, cmap)
    kept = [datetime(2024, 5, 13, 10, 30), datetime(2024, 5, 3, 11), datetime(2024, 5, 14, 9)]
    assert result.incidents["occurred_from"].tolist() == kept
    assert result.quarantine["reason"].tolist() == ["unparseable_date"]
    assert result.quarantine["detail"].tolist() == [
        "when '12/25/2024 12:00' is not a date read day first: it reads only month first"
    ]
    assert any("1 read only month first (such as '12/25/2024 12:00')" in n
               for n in result.report.notes)  # fmt: skip


@pytest.mark.parametrize(
    ("dates", "dayfirst", "said"),
    [
        # US dates read day first: the one that reads only month first turned the whole file
        # month first (03/05 became 5 March), or with none, 02/05 was read as 2 May
        (["03/05/2024", "04/05/2024", "12/25/2024"], True, "1 read only month first"),
        (["02/05/2024", "02/14/2024", "02/20/2024"], True, "2 read only month first"),
        (["05/02/2024", "14/02/2024", "20/02/2024"], False, "2 read only day first"),
    ],
)
def test_a_file_whose_dates_read_the_other_way_round_is_refused(tmp_path, dates, dayfirst, said):
    path = tmp_path / "log.csv"
    path.write_text("when,lat,lon\n" + "".join(f"{d},51.75,-0.47\n" for d in dates))
    cmap = {"datetime": "when", "lat": "lat", "lon": "lon"}
    with pytest.raises(IngestError, match="so the file was not read") as refused:
        read_incident_csv(path, cmap, dayfirst=dayfirst)
    assert str(path) in str(refused.value) and said in str(refused.value)
    other = "day first" if not dayfirst else "month first"
    assert f"If its dates are {other}, read them so" in str(refused.value)


def test_from_to_window_with_bad_rows():
    result = read_incident_csv(DATA / "cad_export_window.csv", WINDOW)
    q = result.quarantine.set_index("CAD Number")
    assert q.loc["CAD2006", "reason"] == "end_before_start"
    assert q.loc["CAD2007", "reason"] == "unparseable_date"
    assert q.loc["CAD2007", "detail"] == "Opened '31/02/2021 10:00' is not a date"
    assert q.loc["CAD2008", "reason"] == "no_location"
    assert q["line"].to_dict() == {"CAD2006": 8, "CAD2007": 9, "CAD2008": 10}
    kept = result.incidents.set_index("incident_id")
    open_end = kept.loc["CAD2009"]  # no "Closed": an instant
    assert open_end["occurred_to"] == open_end["occurred_from"]
    for row in _rows(DATA / "cad_export_window.csv"):
        if row["CAD Number"] in kept.index and row["Closed"]:
            got = kept.loc[row["CAD Number"]]
            assert got["occurred_to"] == datetime.strptime(row["Closed"], "%d/%m/%Y %H:%M")
    assert (kept["occurred_to"] >= kept["occurred_from"]).all()


def test_midnight_only_times_are_dates_not_a_fake_midnight_peak(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("d,lat,lon\n01/06/2021 00:00,51.75,-0.47\n02/06/2021 00:00:00,51.75,-0.47\n")
    result = read_incident_csv(path, {"datetime": "d", "lat": "lat", "lon": "lon"})
    assert result.report.time_precision == {"day": 2}
    assert any("00:00" in note for note in result.report.notes)


def test_mixed_date_formats_use_a_second_format_and_never_guess_silently(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "d,lat,lon\n2021-06-01 10:00,51.75,-0.47\n2021-06-02 11:00,51.75,-0.47\n"
        "03/06/2021 12:00,51.75,-0.47\n2021-13-01 10:00,51.75,-0.47\n"
    )
    result = read_incident_csv(path, {"datetime": "d", "lat": "lat", "lon": "lon"})
    assert result.incidents["occurred_from"].tolist() == [
        datetime(2021, 6, 1, 10), datetime(2021, 6, 2, 11), datetime(2021, 6, 3, 12)]  # fmt: skip
    assert result.quarantine["reason"].tolist() == ["unparseable_date"]
    assert result.quarantine["line"].tolist() == [5]


def test_ids_generated_when_missing_and_duplicates_quarantined(tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text(
        "ref,d,lat,lon\nA,01/06/2021 10:00,51.75,-0.47\nA,02/06/2021 10:00,51.76,-0.47\n"
        "A,01/07/2021 10:00,51.75,-0.47\n,01/06/2021 10:00,51.75,-0.47\n"
    )
    result = read_incident_csv(path, {"incident_id": "ref", "datetime": "d", "lat": "lat",
                                      "lon": "lon"})  # fmt: skip
    assert result.quarantine["reason"].tolist() == ["duplicate_id"]
    assert result.quarantine["line"].tolist() == [3]
    assert "line 2" in result.quarantine["detail"].iloc[0]
    ids = result.incidents["incident_id"].tolist()
    assert ids[:2] == ["A", "A"]  # same id, another month: both kept
    assert ids[2].startswith("dups-L5-")


def test_map_errors_name_the_column_and_the_fix():
    with pytest.raises(IngestError, match=r"not in the file: lat='Lat'.*the file has columns"):
        read_incident_csv(DATA / "cad_export_window.csv", {"datetime": "Opened", "lat": "Lat",
                                                           "lon": "Longitude"})  # fmt: skip
    with pytest.raises(IngestError, match=r"unknown field\(s\) \['latitude'\]"):
        read_incident_csv(DATA / "cad_export_window.csv", {"latitude": "Latitude"})
    with pytest.raises(IngestError, match=r"no date column"):
        read_incident_csv(DATA / "cad_export_window.csv", {"lat": "Latitude", "lon": "Longitude"})
    with pytest.raises(IngestError, match="no coordinate columns"):
        read_incident_csv(DATA / "cad_export_window.csv", {"datetime": "Opened"})


def test_houston_hours_match_the_files_hour_column(houston_load):
    incidents, _, report = houston_load
    raw = pd.read_csv(datasets.timed_path("houston"), dtype=str, keep_default_na=False)
    assert report.rows_read == len(raw) == 86_314
    assert report.quarantined == {"no_location": 5}
    located = raw[raw["lon"] != ""].reset_index(drop=True)
    assert (incidents["occurred_from"].dt.hour.to_numpy() == located["hour"].astype(int)).all()
    assert (incidents["occurred_from"].dt.day_name().to_numpy() == located["day_of_week"]).all()
    assert report.time_precision == {"hour": len(incidents)}
    assert incidents.attrs["working_crs"] == "EPSG:32615"  # UTM 15N
    assert report.months == [f"2010-0{m}" for m in range(1, 9)]


def test_nyc_window_matches_the_file(nyc_load):
    incidents = nyc_load.incidents
    raw = pd.read_csv(datasets.timed_path("nyc"), dtype=str)
    assert len(incidents) == len(raw) == 35_746
    assert (incidents["incident_id"].to_numpy() == raw["uid"].to_numpy()).all()
    start = pd.to_datetime(raw["date_start"], format="%Y-%m-%d %H:%M")
    end = pd.to_datetime(raw["date_end"], format="%Y-%m-%d %H:%M")
    assert end.isna().sum() == 2_852  # no window end given: the incident is an instant
    end = end.fillna(start)
    assert (incidents["occurred_from"].to_numpy() == start.to_numpy()).all()
    assert (incidents["occurred_to"].to_numpy() == end.to_numpy()).all()
    assert set(nyc_load.report.time_precision) == {"minute"}
    assert incidents.attrs["working_crs"] == "EPSG:32618"


def test_dc_window(dc_load):
    incidents = dc_load.incidents
    raw = pd.read_csv(datasets.timed_path("dc"), dtype=str)
    assert len(incidents) == len(raw) == 1_025
    hours = (incidents["occurred_to"] - incidents["occurred_from"]) / np.timedelta64(1, "h")
    assert (hours >= 0).all() and hours.max() > 1
    assert incidents["month"].dt.strftime("%Y-%m").between("2016-01", "2016-06").all()


def test_occurrence_column_with_report_time_fallback(tmp_path):
    path = tmp_path / "cad.csv"
    path.write_text(
        "ref,committed_from,committed_to,reported_date,reported_time,easting,northing\n"
        "A,02/01/2021 22:09,03/01/2021 01:09,03/01/2021,08:00,505000,207000\n"
        "B,,,04/01/2021,16:30,505100,207100\n"
        "C,not a date,,05/01/2021,10:00,505200,207200\n"
    )
    cmap = {
        "incident_id": "ref",
        "datetime": "committed_from",
        "datetime_to": "committed_to",
        "date": "reported_date",
        "time": "reported_time",
        "easting": "easting",
        "northing": "northing",
    }
    result = read_incident_csv(path, cmap)
    got = result.incidents.set_index("incident_id")
    assert got.loc["A", "occurred_from"] == pd.Timestamp("2021-01-02 22:09")
    assert got.loc["A", "occurred_to"] == pd.Timestamp("2021-01-03 01:09")
    assert (
        got.loc["B", "occurred_from"]
        == got.loc["B", "occurred_to"]
        == pd.Timestamp("2021-01-04 16:30")
    )
    # A committed time that is given but unreadable is an error, never replaced silently.
    assert result.quarantine["reason"].tolist() == ["unparseable_date"]
    assert "fallback" in " ".join(result.report.parameters)


def test_dates_in_the_future_or_before_1990_are_set_aside(tmp_path):
    # 01/01/1900 (a placeholder) and 2099 (a typing error) would become the data's first and
    # latest months: every default period, gap and "what changed" would follow them
    path = tmp_path / "log.csv"
    path.write_text(
        "ref,date,type,x,y\n"
        "a,01/01/1900,Noise,505000,207000\n"
        "b,15/03/2021,Noise,505000,207000\n"
        "c,01/01/2099,Noise,505000,207000\n"
        "d,31/12/1989,Noise,505000,207000\n"
        "e,01/01/1990,Noise,505000,207000\n"
    )
    cmap = ColumnMap(incident_id="ref", date="date", crime_type="type", x="x", y="y")
    result = read_incident_csv(path, cmap)
    assert result.incidents["incident_id"].tolist() == ["b", "e"]
    quarantine = result.quarantine.set_index("line")
    assert (quarantine["reason"] == "implausible_date").all() and len(quarantine) == 3
    assert "in the future" in quarantine.loc[4, "detail"]
    assert "Jan 1900: before Jan 1990" in quarantine.loc[2, "detail"]
    assert result.report.months == ["1990-01", "2021-03"]


FAR_DATES = {  # columns, a plausible row, a row dated beyond nanoseconds' years, its detail
    "date and time": ("date,time", "15/07/2021,10:00", "15/07/2606,10:00", "Jul 2606: after"),
    "ISO date": ("date", "2021-07-15", "2606-07-15", "Jul 2606: after"),
    "datetime": ("when", "15/07/2021 10:00", "15/07/2606 10:00", "Jul 2606: after"),
    "ISO datetime": ("when", "2021-07-15T10:00:00", "2606-07-15T10:00:00", "Jul 2606: after"),
    "window end": ("when,to", "15/07/2021 10:00,", "15/07/2021 10:00,15/07/2606 11:00",
                   "Jul 2606: after"),
    "before 1678": ("date", "15/07/2021", "15/07/1500", "Jul 1500: before Jan 1990"),
}  # fmt: skip


@pytest.mark.parametrize("fast", [True, False], ids=["arrow", "scanner"])
@pytest.mark.parametrize("case", FAR_DATES)
def test_dates_beyond_the_years_of_nanoseconds_are_set_aside_with_their_year(
    tmp_path, monkeypatch, case, fast
):
    # in nanoseconds 2606 wrapped round to Dec 2021 and was kept; 1500 to 2084
    columns, good, far, detail = FAR_DATES[case]
    if not fast:
        monkeypatch.setattr(csvscan, "plain_csv", lambda text: None)
    path = tmp_path / "log.csv"
    path.write_text(f"ref,{columns},type,x,y\na,{good},Noise,505000,207000\n"
                    f"b,{far},Noise,505000,207000\n")  # fmt: skip
    names = dict(zip(["date", "time"] if "date" in columns else ["datetime", "datetime_to"],
                     columns.split(","), strict=False))  # fmt: skip
    result = read_incident_csv(path, ColumnMap(incident_id="ref", crime_type="type", x="x",
                                               y="y", **names))  # fmt: skip
    assert result.incidents["incident_id"].tolist() == ["a"]
    assert result.incidents["month"].tolist() == [pd.Timestamp("2021-07-01")]
    assert result.quarantine[["line", "reason"]].values.tolist() == [[3, "implausible_date"]]
    assert f"dated {detail}" in result.quarantine["detail"].iloc[0]


def test_a_days_slack_at_the_month_boundary_and_window_ends_checked(tmp_path, monkeypatch):
    # 30 Nov: a record at 00:15 on 1 Dec (23:15 UTC on 30 Nov in summer time) is not in
    # the future; a window ending in 2099 is
    import datetime as dt

    from hotspots.data.ingest import assemble

    monkeypatch.setattr(assemble, "_today", lambda: dt.date(2026, 11, 30))
    path = tmp_path / "log.csv"
    path.write_text(
        "ref,from,to,type,x,y\n"
        "a,01/12/2026 00:15,,Noise,505000,207000\n"
        "b,20/11/2026 10:00,20/11/2099 11:00,Noise,505000,207000\n"
        "c,02/12/2026 00:15,,Noise,505000,207000\n"
    )
    cmap = ColumnMap(incident_id="ref", datetime="from", datetime_to="to", crime_type="type",
                     x="x", y="y")  # fmt: skip
    result = read_incident_csv(path, cmap)
    assert result.incidents["incident_id"].tolist() == ["a"]
    assert set(result.quarantine["reason"]) == {"implausible_date"}


def test_unmapped_types_from_exact_locations_are_not_named_nor_counted_under_five(tmp_path):
    # the report listed 'Coercive control - 14 Acacia Ave' 1: a victim's address and a count
    # of one; the quarantine already withholds such rows' values
    path = tmp_path / "log.csv"
    types = ["Coercive control - 14 Acacia Ave", "Widget misuse", "Anti-social behaviour"]
    rows = [f"r{i},15/03/2021,{t},505000,207000\n" for i, t in enumerate(types)]
    path.write_text("ref,date,type,x,y\n" + "".join(rows))
    cmap = ColumnMap(incident_id="ref", date="date", crime_type="type", x="x", y="y")
    report = read_incident_csv(path, cmap).report
    shown = report.summary() + json.dumps(report.to_dict())
    assert "Acacia" not in shown and "Widget" not in shown
    assert "(names withheld) <5" in report.summary()
    assert report.to_dict()["unmapped_withheld"] == "<5"
    # a type seen 5 times or more is a category, named so that it can be mapped
    more = [f"s{i},15/03/2021,Widget misuse,505000,207000\n" for i in range(5)]
    path.write_text(path.read_text() + "".join(more))
    again = read_incident_csv(path, cmap).report
    assert again.unmapped_crime_types == {"Widget misuse": 6} and "Acacia" not in again.summary()
    assert again.to_dict()["unmapped_withheld"] == "<5"
    # police.uk's points are snapped: an unmapped type there is named, with its count
    street = tmp_path / "2021-03-force-street.csv"
    row = ",2021-03,F,F,-0.47,51.75,On or near A,E01023700,Dacorum 001A,Widget misuse,,\n"
    street.write_text(",".join(STREET_COLUMNS) + "\n" + row)
    assert read_policeuk(street).report.unmapped_crime_types == {"Widget misuse": 1}
