"""The Patrol page (AppTest) on two months of police.uk data for Leeds (and of a dated, untimed
council log), opened from a shared link with a time-of-day filter: it names the period it covers
and says the filter is dropped, and why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from hotspots.data import boundaries
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init

LEEDS = "E08000035"
TYPES = ["Burglary", "Shoplifting", "Anti-social behaviour", "Criminal damage and arson"]


def _street_csv(folder: Path, month: str, n: int) -> str:
    """``month``'s West Yorkshire street CSV: ``n`` incidents, a few wards' points each."""
    points = boundaries.district(LEEDS).wards.representative_point()
    rows = [
        {"Crime ID": f"{month}-{i}", "Month": month, "Reported by": "West Yorkshire Police",
         "Falls within": "West Yorkshire Police", "Longitude": f"{p.x + 1e-4 * (i % 7):.6f}",
         "Latitude": f"{p.y:.6f}", "Location": "On or near Test Street",
         "Crime type": TYPES[i % len(TYPES)]}
        for i, p in ((i, points.iloc[i % 6]) for i in range(n))
    ]  # fmt: skip
    path = folder / f"{month}-west-yorkshire-street.csv"
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return str(path)


def _patrol_page() -> None:
    from hotspots.views.dashboard.page_patrol import render

    render()


@pytest.fixture(scope="module")
def linked(tmp_path_factory) -> AppTest:
    base = tmp_path_factory.mktemp("leeds_two_months")
    root = base / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, [_street_csv(base, m, 90) for m in ("2024-01", "2024-02")])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOTSPOTS_WORKSPACE", str(root))
        patch.setenv("HOTSPOTS_DB", str(base / "store.sqlite"))
        at = AppTest.from_function(_patrol_page, default_timeout=300)
        at.query_params.update({"use_hours": "1", "from": "22", "to": "3", "days": ["fri"]})
        return at.run()


def test_the_latest_months_say_how_many_the_data_hold(linked):
    # it said "Latest 3 months of the data (Jan 2024 – Feb 2024)"
    assert not linked.exception, [e.value for e in linked.exception]
    options = linked.radio(key="p_period").options
    assert "All 2 months of the data (Jan 2024 – Feb 2024)" in options
    assert not any("Latest 3" in o for o in options)


def test_a_linked_time_filter_dropped_for_month_only_data_is_said_in_the_main_pane(linked):
    # only the sidebar said the time of day was not available
    said = [i.value for i in linked.main.info]
    assert said[0] == (  # under the title, above the plan
        "The time of day (22:00–03:59) and days of the week (Friday) asked for are not applied: "
        "the selected records give the month only (as police.uk's do), with no day or hour to "
        "filter on, so every incident of the chosen months counts."
    )
    side = " ".join(c.value for c in linked.sidebar.caption)
    assert "Time of day: not available" in side


def _dated_log(folder: Path) -> str:
    """A council ASB log for Jan-Feb 2024 giving each report's date but no time."""
    points = boundaries.district(LEEDS).wards.representative_point()
    rows = [
        {"Ref": f"L{i}", "Date": f"{1 + i % 27:02d}/0{1 + i % 2}/2024",
         "Category": "Anti-social behaviour", "Lat": f"{points.iloc[i % 6].y:.6f}",
         "Lon": f"{points.iloc[i % 6].x + 1e-4 * (i % 5):.6f}"}
        for i in range(120)
    ]  # fmt: skip
    path = folder / "asb_log.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def test_a_linked_time_of_day_on_dated_records_says_they_lack_the_time_not_the_day(
    tmp_path, monkeypatch
):
    # it said the records "(police.uk) give the month only, with no day or hour", beside a
    # day-of-week filter the same records allow
    root = tmp_path / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    columns = {"incident_id": "Ref", "date": "Date", "crime_type": "Category", "lat": "Lat",
               "lon": "Lon"}  # fmt: skip
    add(root, [_dated_log(tmp_path)], source="Leeds council ASB log", columns=columns)
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    monkeypatch.setenv("HOTSPOTS_DB", str(tmp_path / "store.sqlite"))
    at = AppTest.from_function(_patrol_page, default_timeout=300)
    at.query_params.update({"use_hours": "1", "from": "22", "to": "3"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = [i.value for i in at.main.info]
    assert said[0] == (
        "The time of day (22:00–03:59) asked for is not applied: the selected records give the "
        "date but no time, so every incident of the chosen days counts."
    )
    side = " ".join(c.value for c in at.sidebar.caption)
    assert "Time of day: not available — the selected records give the date but no time" in side
    assert "month only" not in side
    assert at.sidebar.multiselect(key="f_days").options  # the day of the week can be chosen
