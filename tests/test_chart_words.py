"""The When page's charts in words (AppTest and units): tooltips titled Day, Hour, Incidents
and Month (never a field's name such as "weekday" or "series"), counts rounded as people read
them, and a caption saying why an hour can hold part of an incident."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from hotspots.products.peak_times import SHARED_HOURS_NOTE, hour_day_rows, incidents_text


@pytest.mark.parametrize(
    ("value", "text"), [(46.2, "46"), (9.96, "10.0"), (2.44, "2.4"), (0.0, "0"), (1234.5, "1,234")]
)
def test_a_count_of_shared_incidents_is_rounded_as_people_read_it(value, text):
    assert incidents_text(value) == text


def test_each_square_of_the_hour_chart_says_its_day_and_hour_in_words():
    table = pd.DataFrame(
        np.full((7, 24), 46.2),
        index=pd.Index(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], name="weekday"),
        columns=pd.Index(range(24), name="hour"),
    )
    rows = hour_day_rows(table)
    assert len(rows) == 7 * 24
    friday_late = rows[(rows["weekday"] == "Fri") & (rows["hour"] == 23)].iloc[0]
    assert friday_late["Day"] == "Friday"
    assert friday_late["Hour"] == "23:00–00:00"
    assert friday_late["Incidents"] == "46"
    assert friday_late["incidents"] == pytest.approx(46.2)  # the colour keeps the share


def _when_page() -> None:
    from hotspots.views.dashboard.page_when import render

    render()


@pytest.fixture(scope="module")
def when():
    return AppTest.from_function(_when_page, default_timeout=240).run()


def _tooltips(spec: dict) -> list[dict]:
    found = []
    for layer in [spec, *spec.get("layer", [])]:
        found += layer.get("encoding", {}).get("tooltip", [])
    return found


def test_the_charts_tooltips_are_titled_in_words(when):
    assert not when.exception
    charts = [json.loads(c.proto.spec) for c in when.get("vega_lite_chart")]
    assert len(charts) == 2
    hour, monthly = charts
    titles = [t.get("title", t["field"]) for t in _tooltips(hour)]
    assert titles == ["Day", "Hour", "Incidents"]
    shown = [t.get("title", t["field"]) for t in _tooltips(monthly)]
    assert shown[:3] == ["Month", "Line", "Incidents"]
    for tip in _tooltips(monthly):
        assert tip.get("title", "")[:1].isupper(), tip  # no raw field name ("month", "series")
    counts = next(t for t in _tooltips(monthly) if t["field"] == "incidents")
    assert counts["format"] == ",.0f"
    captions = " ".join(c.value for c in when.caption)
    assert SHARED_HOURS_NOTE in captions
