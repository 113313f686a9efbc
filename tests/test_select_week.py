"""Day-of-week and midnight-wrapping hour filters: "Friday and Saturday 22:00–03:00"."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import points

from hotspots.analysis.temporal import peak_windows
from hotspots.data.schema import COLUMNS
from hotspots.data.select import Selection, select, week_hours
from hotspots.demo.load import load_demo_log

FRI_SAT_NIGHTS = Selection(days=(4, 5), hours=(22, 3))

# 2021-01-01 is a Friday.
ROWS = [  # id, from, to, precision, kept by Fri+Sat 22-03?
    ("fri_2330", "2021-01-01 23:30", None, "minute", True),
    ("sat_0200", "2021-01-02 02:00", None, "hour", True),  # Friday night
    ("sun_0300", "2021-01-03 03:59", None, "minute", True),  # Saturday night
    ("sun_0400", "2021-01-03 04:00", None, "minute", False),
    ("fri_0200", "2021-01-01 02:00", None, "minute", False),  # Thursday night
    ("thu_2300", "2020-12-31 23:00", None, "minute", False),
    ("sat_2200", "2021-01-02 22:00", None, "minute", True),
    ("sat_2159", "2021-01-02 21:59", None, "minute", False),
    ("sun_2300", "2021-01-03 23:00", None, "minute", False),
    ("window_in", "2021-01-01 20:00", "2021-01-01 22:30", "minute", True),  # overlaps 22:00
    ("window_edge", "2021-01-01 20:00", "2021-01-01 22:00", "minute", False),  # ends at 22:00
    ("window_out", "2021-01-04 08:00", "2021-01-04 18:00", "minute", False),  # Monday daytime
    ("long_window", "2021-01-04 08:00", "2021-01-12 08:00", "minute", True),  # over a week
    ("day_only_fri", "2021-01-01", None, "day", False),  # no time of day
    ("month_only", "2021-01-01", None, "month", False),
]


def _incidents() -> gpd.GeoDataFrame:
    n = len(ROWS)
    frm = pd.to_datetime([r[1] for r in ROWS], format="mixed")
    df = pd.DataFrame(
        {
            "incident_id": [r[0] for r in ROWS],
            "source": "test",
            "crime_type": "Assault",
            "category": "Violence and sexual offences",
            "sensitive": False,
            "vawg": False,
            "month": frm.to_period("M").to_timestamp(),
            "occurred_from": frm,
            "occurred_to": pd.to_datetime([r[2] for r in ROWS], format="mixed"),
            "time_precision": [r[3] for r in ROWS],
            "location": "x",
            "lsoa_code": None,
            "ward_code": "W1",
            "x": 0.0,
            "y": 0.0,
        }
    )
    return gpd.GeoDataFrame(df, geometry=points(np.zeros((n, 2))), crs="EPSG:4326")[COLUMNS]


def test_friday_and_saturday_nights_on_known_answers():
    kept = select(_incidents(), FRI_SAT_NIGHTS)
    assert list(kept["incident_id"]) == [r[0] for r in ROWS if r[4]]


def test_days_alone_keep_dated_rows_and_whole_days():
    kept = select(_incidents(), Selection(days=(4,)))  # Friday, any hour
    assert set(kept["incident_id"]) == {
        "fri_2330",
        "fri_0200",
        "window_in",
        "window_edge",
        "long_window",
        "day_only_fri",
    }


def test_hours_alone_still_wrap_midnight():
    kept = set(select(_incidents(), Selection(hours=(22, 3)))["incident_id"])
    assert {"fri_2330", "sat_0200", "fri_0200", "thu_2300", "sun_2300", "window_in"} <= kept
    assert not {"sun_0400", "sat_2159", "window_out", "day_only_fri"} & kept


def test_week_hours_wraps_round_the_week_and_rejects_bad_days():
    sunday_night = np.flatnonzero(week_hours(hours=(22, 3), days=[6]))
    assert list(sunday_night) == [0, 1, 2, 3, 166, 167]  # Monday's small hours
    assert week_hours().all() and week_hours(days=[0]).sum() == 24
    with pytest.raises(ValueError, match="Monday"):
        week_hours(days=[7])


def test_friday_and_saturday_nights_on_the_demo_log():
    """Every incident returned may have happened on a Friday or Saturday night, every
    timed one that may have is returned, and the peak windows fall in those nights."""
    log = load_demo_log().incidents
    kept = select(log, FRI_SAT_NIGHTS)
    assert 0 < len(kept) < len(log)
    # Independent check, one incident at a time with plain datetimes.
    night_hours = {(4, h) for h in (22, 23)} | {(5, h) for h in range(4)}
    night_hours |= {(5, h) for h in (22, 23)} | {(6, h) for h in range(4)}
    expected = []
    for row in log.itertuples():
        if row.time_precision not in ("hour", "minute") or pd.isna(row.occurred_from):
            continue
        if row.sensitive:  # a time filter keeps no sensitive incident (the disclosure gate)
            continue
        end = row.occurred_to if pd.notna(row.occurred_to) else row.occurred_from
        end = end - pd.Timedelta(seconds=1) if end > row.occurred_from else end
        t = row.occurred_from.floor("h")
        for _ in range(170):  # a window over a week holds every hour
            if t > end:
                break
            if (t.day_of_week, t.hour) in night_hours:
                expected.append(row.incident_id)
                break
            t += pd.Timedelta(hours=1)
    assert sorted(kept["incident_id"]) == sorted(expected)
    assert log["sensitive"].any() and not kept["sensitive"].any()
    peaks = peak_windows(kept, top=3, block_hours=3)
    assert peaks.attrs["reason"] == ""
    assert len(peaks) == 3
    evening = ("20:", "21:", "22:", "23:")
    small_hours = ("00:", "01:", "02:", "03:")
    starts = [f"Fri {h}" for h in evening] + [f"Sat {h}" for h in (*small_hours, *evening)]
    starts += [f"Sun {h}" for h in small_hours]
    for label in peaks["label"]:  # 3-hour blocks overlapping Friday or Saturday night
        assert label.startswith(tuple(starts)), label
