"""A locality's peak window needs enough incidents with a time of day: two timed records of 35
set no window ("Sat 01:00–04:00" from one report) and cut no patrols; the locality gets the
untimed dosage and says its timing is unknown ("2 of 35 incidents have a time of day").
Beside a window, how many of the locality's incidents have a time. A council log in its real
CSV format, loaded as the CLI loads it; the plan's own CSV read back."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS, peak_windows
from hotspots.data import datasets
from hotspots.data.ingest import load
from hotspots.products.patrol import PatrolPlan, patrol_plan
from hotspots.products.patrol.export import to_csv

_COLUMNS = {
    "incident_id": "ref", "date": "reported_date", "time": "reported_time",
    "crime_type": "incident_type", "easting": "easting", "northing": "northing",
    "location": "location",
}  # fmt: skip


def _log(path: Path) -> gpd.GeoDataFrame:
    """Marlowes (Hemel Hempstead): 35 reports, 2 with a time (Saturday 02:00); Someries Road,
    1.7 km away: 40 reports, every one timed (Friday evenings)."""
    rows = ["ref,reported_date,reported_time,incident_type,easting,northing,location"]
    for k in range(35):
        time = "02:10" if k < 2 else ""  # 2021-10-02 was a Saturday
        day = "02/10/2021" if k < 2 else f"{1 + k % 28:02d}/11/2021"
        rows.append(f"M{k},{day},{time},Youth ASB,{505300 + 10 * (k % 7)},{207000 + 5 * (k // 7)},"
                    "Marlowes")  # fmt: skip
    for k in range(40):
        day = f"{1 + 7 * (k % 4):02d}/10/2021"  # Fridays
        rows.append(f"S{k},{day},2{k % 3}:30,Youth ASB,{503700 + 10 * (k % 8)},"
                    f"{208100 + 5 * (k // 8)},Someries Road")  # fmt: skip
    csv = path / "council_asb.csv"
    csv.write_text("\n".join(rows) + "\n")
    return load(csv, columns=_COLUMNS, crs="EPSG:27700").incidents


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> PatrolPlan:
    incidents = _log(tmp_path_factory.mktemp("log"))
    return patrol_plan(
        incidents, study_area=datasets.DACORUM, period=("2021-10", "2021-11"), top=2,
        method="dbscan", eps_m=50, min_samples=10, run_backtest=False,
    )  # fmt: skip


def test_two_timed_records_of_35_set_no_peak_window(plan: PatrolPlan) -> None:
    table = plan.localities.set_index("street")
    few, many = table.loc["Marlowes"], table.loc["Someries Road"]
    assert few["incidents"] == 35 and many["incidents"] == 40
    assert few["peak_days"] == ""  # not "Sat 100%, Mon 0%"
    assert few["windows"] == (
        f"timing unknown: 2 of 35 incidents have a time of day, fewer than {MIN_TIMED_INCIDENTS}"
    )
    # as many visits a week as the timed locality (the median of the plan's timed ones), at
    # random times: not the month-only 3 a day, three times the busier locality's visits
    assert pd.isna(few["visits_per_window"]) and many["visits_per_window"] > 0
    assert few["visits_per_week"] == many["visits_per_week"]
    assert few["visits_per_day"] == -(-many["visits_per_week"] // 7)
    weekly = many["visits_per_week"]
    assert few["dosage"].startswith(f"{weekly} visits of 15 min a week at random times (timing")
    # enough times: windows of its own, with how many incidents have a time beside them
    assert many["peak_days"].startswith("Fri 100%")
    assert many["windows"].startswith("Fri ")
    assert many["windows"].endswith(" (40 of 40 incidents have a time of day)")
    assert many["visits_per_week"] > 0
    # the plan's CSV says the same
    rows = pd.read_csv(io.BytesIO(to_csv(plan))).set_index("street")
    assert rows.loc["Marlowes", "windows"].startswith("timing unknown: 2 of 35 incidents")
    assert "(40 of 40 incidents have a time of day)" in rows.loc["Someries Road", "windows"]


def test_peak_windows_count_the_incidents_with_a_time_of_each_group(tmp_path: Path) -> None:
    incidents = _log(tmp_path)
    peaks = peak_windows(incidents, by="location", top=1, block_hours=3)
    assert peaks["location"].tolist() == ["Someries Road"]
    assert peaks.attrs["with_time"] == {"Marlowes": [2, 35], "Someries Road": [40, 40]}
