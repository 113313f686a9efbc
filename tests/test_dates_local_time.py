"""Times given with an offset from UTC (``Z``, ``+01:00``) are UK local time once loaded."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from hotspots.analysis.temporal import aoristic_weights
from hotspots.data.ingest import ColumnMap, read_incident_csv
from hotspots.data.select import Selection, select

LONDON = ZoneInfo("Europe/London")
LEEDS = "429000,433500"  # Briggate, Leeds (British National Grid)


def _uk(text: str) -> datetime:
    """The reference: an aware ISO time as naive UK local time, by zoneinfo alone."""
    return datetime.fromisoformat(text).astimezone(LONDON).replace(tzinfo=None)


def _load(tmp_path, header: str, rows: list[str], cmap: ColumnMap):
    path = tmp_path / "cad.csv"
    path.write_text(header + "\n" + "".join(f"{r},{LEEDS}\n" for r in rows))
    return read_incident_csv(path, cmap, crs="EPSG:27700")


ONE = ColumnMap(incident_id="ref", datetime="when", crime_type="type", easting="e", northing="n")


def test_utc_and_offset_times_are_converted_to_uk_local_time_and_naive_ones_kept(tmp_path):
    # 22:30Z in July was kept as 22:30 (it is 23:30 BST), 23:30Z on 31 July stayed in July on
    # a Wednesday (it is 00:30 on Thursday 1 August) and "+01:00" was not a date
    given = {"A1": "2024-07-15T22:30:00Z", "A2": "2024-07-15T22:30:00+01:00",
             "A3": "2024-01-15T22:30:00Z", "A4": "2024-07-31T23:30:00Z",
             "A5": "2024-07-15T22:30:00-05:00", "A6": "2024-07-15T22:30:00+0100"}  # fmt: skip
    naive = {"B1": "2024-07-15T22:30:00", "B2": "2024-10-27 01:30"}
    rows = [f"{k},{v},Youth ASB" for k, v in {**given, **naive}.items()]
    result = _load(tmp_path, "ref,when,type,e,n", rows, ONE)
    assert result.quarantine.empty
    got = result.incidents.set_index("incident_id")
    for ref, text in given.items():
        assert got.loc[ref, "occurred_from"] == _uk(text.replace("Z", "+00:00")), ref
    assert got.loc["A1", "occurred_from"] == datetime(2024, 7, 15, 23, 30)
    assert got.loc["A2", "occurred_from"] == datetime(2024, 7, 15, 22, 30)
    assert got.loc["A3", "occurred_from"] == datetime(2024, 1, 15, 22, 30)  # GMT: no change
    assert got.loc["A4", "month"] == datetime(2024, 8, 1)
    assert got.loc["A4", "occurred_from"].day_name() == "Thursday"
    assert got.loc["B1", "occurred_from"] == datetime(2024, 7, 15, 22, 30)  # local already
    assert got.loc["B2", "occurred_from"] == datetime(2024, 10, 27, 1, 30)
    assert (got["occurred_to"] == got["occurred_from"]).all()
    note = next(n for n in result.report.notes if "time zone" in n)
    assert note.endswith(
        "when: 6 times given with a time zone converted to UK local time (Europe/London, BST "
        "in summer): 3 in UTC, 2 at UTC+01:00, 1 at UTC-05:00; 2 without one read as UK local "
        "time already"
    )


@pytest.mark.parametrize(
    "utc",
    [
        # clocks go forward at 01:00 UTC on the last Sunday of March (01:00 GMT → 02:00 BST)
        "2024-03-31T00:30:00Z", "2024-03-31T00:59:00Z", "2024-03-31T01:00:00Z",
        "2024-03-31T01:30:00Z",
        # and back at 01:00 UTC on the last Sunday of October (02:00 BST → 01:00 GMT): 00:30
        # UTC is 01:30 BST, 01:30 UTC is 01:30 GMT
        "2024-10-27T00:30:00Z", "2024-10-27T01:00:00Z", "2024-10-27T01:30:00Z",
        "2023-10-29T00:59:00Z", "2025-03-30T01:15:00Z", "2025-10-26T23:30:00Z",
    ],
)  # fmt: skip
def test_the_clock_changes_match_zoneinfo(tmp_path, utc):
    result = _load(tmp_path, "ref,when,type,e,n", [f"a,{utc},Noise"], ONE)
    got = result.incidents["occurred_from"].iloc[0]
    reference = pd.Timestamp(utc).tz_convert("Europe/London").tz_localize(None)
    assert got == reference == _uk(utc.replace("Z", "+00:00"))


def test_the_clock_changes_read_as_expected():
    # the DST rule itself, not only agreement with the reference
    assert _uk("2024-03-31T01:30:00+00:00") == datetime(2024, 3, 31, 2, 30)
    assert _uk("2024-10-27T00:30:00+00:00") == datetime(2024, 10, 27, 1, 30)
    assert _uk("2024-10-27T01:30:00+00:00") == datetime(2024, 10, 27, 1, 30)


def test_window_ends_and_time_columns_take_the_same_conversion(tmp_path):
    # a window end in UTC stayed an hour early (ending before its converted start); a time
    # column with an offset, beside a date column, rolls over into the next day
    cmap = ColumnMap(incident_id="ref", date="d", time="t", date_to="d2", time_to="t2",
                     crime_type="type", easting="e", northing="n")  # fmt: skip
    rows = ["a,31/07/2024,23:30Z,01/08/2024,00:10Z,Noise",
            "b,15/01/2024,22:30+00:00,15/01/2024,23:00Z,Noise",
            "c,15/07/2024,21:00+01:00,15/07/2024,21:30+01:00,Noise"]  # fmt: skip
    result = _load(tmp_path, "ref,d,t,d2,t2,type,e,n", rows, cmap)
    assert result.quarantine.empty
    got = result.incidents.set_index("incident_id")
    assert got.loc["a", "occurred_from"] == datetime(2024, 8, 1, 0, 30)
    assert got.loc["a", "occurred_to"] == datetime(2024, 8, 1, 1, 10)
    assert got.loc["a", "month"] == datetime(2024, 8, 1)
    assert got.loc["b", "occurred_from"] == datetime(2024, 1, 15, 22, 30)
    assert got.loc["b", "occurred_to"] == datetime(2024, 1, 15, 23)
    assert got.loc["c", "occurred_from"] == datetime(2024, 7, 15, 21)
    assert got.loc["c", "occurred_to"] == datetime(2024, 7, 15, 21, 30)
    window = ColumnMap(incident_id="ref", datetime="from", datetime_to="to",
                       crime_type="type", easting="e", northing="n")  # fmt: skip
    rows = ["a,2024-07-15T22:30:00Z,2024-07-15T23:15:00Z,Noise"]
    result = _load(tmp_path, "ref,from,to,type,e,n", rows, window)
    kept = result.incidents.iloc[0]
    assert (kept["occurred_from"], kept["occurred_to"]) == (
        datetime(2024, 7, 15, 23, 30), datetime(2024, 7, 16, 0, 15))  # fmt: skip


def test_dates_written_as_utc_midnights_stay_dates(tmp_path):
    # "2024-07-15T00:00:00Z" is a date exported as a date-time: converted, every one would be
    # 01:00, a fake peak
    rows = ["a,2024-07-15T00:00:00Z,Noise", "b,2024-07-16T00:00:00.000Z,Noise"]
    result = _load(tmp_path, "ref,when,type,e,n", rows, ONE)
    assert result.incidents["time_precision"].tolist() == ["day", "day"]
    assert result.incidents["occurred_from"].tolist() == [datetime(2024, 7, 15),
                                                          datetime(2024, 7, 16)]  # fmt: skip
    assert not any("time zone" in note for note in result.report.notes)


def test_aware_times_count_in_uk_local_hours():
    # aware times were read in their own zone: 22:30 UTC in July counted at 22:00, not 23:00
    utc = pd.Series(pd.to_datetime(["2024-07-15 22:30", "2024-01-15 22:30"]).tz_localize(UTC))
    weights = aoristic_weights(utc).toarray()
    monday = 0
    assert np.flatnonzero(weights[0]).tolist() == [monday * 24 + 23]
    assert np.flatnonzero(weights[1]).tolist() == [monday * 24 + 22]
    incidents = pd.DataFrame({"month": utc.dt.tz_localize(None).dt.to_period("M").dt.start_time,
                              "occurred_from": utc, "occurred_to": utc,
                              "time_precision": "minute"})  # fmt: skip
    late = select(incidents, Selection(hours=(23, 23)))
    assert late["occurred_from"].tolist() == [utc.iloc[0]]
