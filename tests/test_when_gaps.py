"""A month the data do not cover is "no data" on the When page, never a zero.

A Leeds workspace (outside Hertfordshire) holds police.uk street files for Jan–Aug 2018 but not
May 2018. The When page's monthly chart must carry no value for May (the line breaks, a band is
labelled "no data") while the months around it keep their counts, computed here with pandas.
The product function it draws from is checked directly as well.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import leeds_street_csv
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from hotspots.data.coverage import Coverage
from hotspots.data.workspace import add, init, open_workspace
from hotspots.products import measures
from hotspots.products.peak_times import Focus, peak_times
from hotspots.space.areas import workspace_areas

LEEDS = "E08000035"
MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-06", "2018-07", "2018-08"]
GAP = "2018-05"  # between covered months: no file, so no data (not zero crime)


@pytest.fixture(scope="module")
def gap_workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("when_gap")
    files = base / "files"
    files.mkdir()
    paths = [leeds_street_csv(files, m, 40 + 7 * i, seed=i) for i, m in enumerate(MONTHS)]
    root = base / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, paths)
    return root


def test_monthly_with_last_year_leaves_an_uncovered_month_empty(gap_workspace):
    data = open_workspace(gap_workspace)
    assert [str(m) for m in data.coverage.gaps()] == [GAP]
    inc = data.incidents
    counts = inc.groupby(inc["month"].dt.strftime("%Y-%m")).size()
    out = measures.monthly_with_last_year(inc, coverage=data.coverage)
    got = pd.Series(out["incidents"].to_numpy(), index=out.index.strftime("%Y-%m"))
    assert np.isnan(got[GAP])  # no data, not 0
    assert got.drop(GAP).tolist() == counts.loc[MONTHS].astype(float).tolist()
    # The old (first, last) form still treats every month between as covered: a true zero.
    span = measures.monthly_with_last_year(inc, coverage=("2018-01", "2018-08"))
    assert span.loc[pd.Timestamp(GAP), "incidents"] == 0
    # A year later, the gap month has no "a year earlier" figure either.
    later = inc.assign(month=inc["month"] + pd.DateOffset(years=1))
    shifted = Coverage({"police.uk": [*MONTHS, *(str(pd.Period(m) + 12) for m in MONTHS)]})
    both = pd.concat([inc, later])
    out = measures.monthly_with_last_year(both, start="2019-01", coverage=shifted)
    assert np.isnan(out.loc[pd.Timestamp("2019-05"), "a_year_earlier"])
    assert np.isnan(out.loc[pd.Timestamp("2019-05"), "incidents"])
    assert out.loc[pd.Timestamp("2019-04"), "a_year_earlier"] == counts["2018-04"]
    with pytest.raises(ValueError, match="months the coverage does not hold"):
        ends_only = Coverage({"police.uk": ["2018-01", "2018-08"]})
        measures.monthly_with_last_year(inc, coverage=ends_only)


def test_the_api_analysis_of_a_workspace_leaves_the_month_without_data_empty(gap_workspace):
    """In a notebook (open the workspace, select, analyse) the monthly table says "no data"
    for the month no file covers, given the workspace's coverage, as monthly.csv does; without
    it every month between the first and the last counts, zero when empty (documented)."""
    from hotspots.analysis.analyse import analyse
    from hotspots.data.select import Selection, select

    data = open_workspace(gap_workspace)
    sel = select(
        data.incidents, Selection(start=pd.Timestamp("2018-03"), end=pd.Timestamp("2018-07"))
    )
    result = analyse(sel, study_area=LEEDS, res=8, coverage=data.coverage, forecast_coverage=None)
    monthly = result.monthly.set_axis(result.monthly.index.strftime("%Y-%m"))
    counts = sel.groupby(sel["month"].dt.strftime("%Y-%m")).size()
    assert monthly.loc[GAP].isna().all()  # no data, not 0
    assert monthly.drop(GAP).sum(axis=1).tolist() == counts.astype(float).tolist()
    plain = analyse(sel, study_area=LEEDS, res=8, forecast_coverage=None).monthly
    assert plain.loc[pd.Timestamp(GAP)].eq(0).all()


def test_peak_times_name_the_month_without_data(gap_workspace):
    data = open_workspace(gap_workspace)
    inc = workspace_areas(data)[0]
    out = peak_times(inc, Focus(), coverage=data.coverage)
    assert [str(m) for m in out.months_without_data] == [GAP]
    assert np.isnan(out.monthly.loc[pd.Timestamp(GAP), "incidents"])
    # a ward focus: a covered month with no incident in the ward is a true zero, May stays empty
    ward = inc["ward_code"].value_counts(ascending=True).index[0]
    in_ward = inc[inc["ward_code"] == ward]
    assert in_ward["month"].nunique() < len(MONTHS)  # a covered month with none in the ward
    out = peak_times(inc, Focus("A ward", ward, "w"), coverage=data.coverage)
    expected = in_ward.groupby(in_ward["month"].dt.strftime("%Y-%m")).size()
    got = out.monthly["incidents"]
    for month in MONTHS:
        assert got[pd.Timestamp(month)] == expected.get(month, 0)
    assert np.isnan(got[pd.Timestamp(GAP)])


def _when_page() -> None:
    from hotspots.views.dashboard.page_when import render

    render()


def test_when_page_chart_breaks_at_the_month_without_data(gap_workspace, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(gap_workspace))
    at = AppTest.from_function(_when_page, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1  # police.uk is month-only: the monthly trend, no hour chart
    proto = charts[0].proto
    frame = convert_arrow_bytes_to_pandas_df(proto.data.data)
    mine = frame[frame["series"] == "Selected months"].set_index("month")["incidents"]
    mine.index = pd.DatetimeIndex(mine.index).strftime("%Y-%m")
    assert GAP in mine.index and pd.isna(mine[GAP])  # carried as no data, never 0
    inc = open_workspace(gap_workspace).incidents
    counts = inc.groupby(inc["month"].dt.strftime("%Y-%m")).size()
    assert mine.drop(GAP).tolist() == counts.loc[MONTHS].astype(float).tolist()
    # The band that labels the gap, and the words under the chart.
    spec = json.loads(proto.spec)
    bands = [layer["data"]["values"] for layer in spec["layer"] if "data" in layer]
    may = {"month": "2018-05-01T00:00:00", "from": "2018-04-16T00:00:00",
           "to": "2018-05-16T12:00:00"}  # fmt: skip
    assert bands and all(b == [may] for b in bands)
    assert any(layer["mark"].get("text") == "no data" for layer in spec["layer"])
    words = " ".join(c.value for c in at.caption)
    assert "No data for May 2018" in words and "not a month without crime" in words


def test_dashboard_meeting_pack_compares_round_the_month_without_data(gap_workspace):
    """The pack the Map page hands out, for a selection ending in June: its previous month (May)
    has no data, so what changed is compared with April and says so (never "up from 0")."""
    from hotspots.analysis.analyse import analyse
    from hotspots.data.select import Selection
    from hotspots.views.dashboard import cached, exports
    from hotspots.views.dashboard.state import workspace_dataset

    ds = workspace_dataset(gap_workspace)
    sel = Selection(start=pd.Timestamp("2018-01-01"), end=pd.Timestamp("2018-06-01"),
                    sources=("police.uk",))  # fmt: skip
    shown = cached.selected(ds, sel)
    result = analyse(shown, study_area=ds.wards)
    html = exports._pack(("gap",), "html", "Leeds", "Jan–Jun 2018", {}, "gistar",
                         _ds=ds, _sel=sel, _result=result)  # fmt: skip
    assert "no data for May 2018: compared with Apr 2018" in html
    assert "vs May 2018" not in html and "from 0 " not in html
    june, april = (int((shown["month"] == pd.Timestamp(m)).sum()) for m in ("2018-06", "2018-04"))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "change vs Apr 2018" in text  # the headline measures: June against April, counted
    assert f"All crime (excluding ASB) {june} {april} " in text
    # the data's months, as the command line's pack says them
    assert f"Data {ds.coverage.only(['police.uk']).describe()}" in text  # the sources chosen


def test_a_month_one_source_has_not_published_is_said_on_the_when_page():
    # the council log covers Jan 2022, police.uk not yet: the month is drawn (the log's
    # count) and named as holding no police.uk data
    from hotspots.data.ingest import concat_results
    from hotspots.demo.load import load_demo_log, load_demo_policeuk

    both = concat_results([load_demo_policeuk(), load_demo_log()]).incidents
    lagging = both[~((both["source"] == "police.uk") & (both["month"] == "2022-01-01"))]
    out = peak_times(lagging, Focus("All incidents"), coverage=Coverage.of(lagging))
    assert out.months_partial == {pd.Period("2022-01", "M"): ["police.uk"]}
    assert out.monthly.loc["2022-01-01", "incidents"] == (lagging["month"] == "2022-01-01").sum()
    whole = peak_times(both, Focus("All incidents"), coverage=Coverage.of(both))
    assert whole.months_partial == {}


def _lagging_when_page() -> None:
    """The When page drawing the demo with police.uk's Jan 2022 not published yet."""
    from hotspots.data.coverage import Coverage
    from hotspots.data.ingest import concat_results
    from hotspots.demo.load import load_demo_log, load_demo_policeuk
    from hotspots.products.peak_times import Focus, peak_times
    from hotspots.views.dashboard import page_when

    both = concat_results([load_demo_policeuk(), load_demo_log()]).incidents
    lagging = both[~((both["source"] == "police.uk") & (both["month"] == "2022-01-01"))]
    out = peak_times(lagging, Focus("All incidents"), coverage=Coverage.of(lagging))
    real = page_when.when_products
    page_when.when_products = lambda *args: out
    try:
        page_when.render()
    finally:
        page_when.when_products = real


def test_a_month_one_source_has_not_published_is_marked_on_the_chart():
    """Not only said under the chart: the month's point is hollow and labelled on it."""
    at = AppTest.from_function(_lagging_when_page, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("vega_lite_chart")[-1].proto.spec)  # the monthly trend
    marked = [layer for layer in spec["layer"] if "data" in layer]
    values = [layer["data"]["values"] for layer in marked]
    assert values and all(v == values[0] for v in values)
    [mark] = values[0]
    assert mark["month"] == "2022-01-01T00:00:00"
    assert mark["label"] == "police.uk not yet published"
    assert {layer["mark"]["type"] for layer in marked} == {"point", "text"}
    point = next(layer["mark"] for layer in marked if layer["mark"]["type"] == "point")
    assert point["fill"] == "white"  # hollow: not a month's whole count
    text = next(layer for layer in marked if layer["mark"]["type"] == "text")
    assert text["encoding"]["text"] == {"field": "label"}
