"""Like with like when several sources cover different months, on a workspace built here.

A Leeds workspace holds police.uk street files for Jan 2023–Feb 2024 and a council ASB log
(dated, timed incidents) from Jun 2023 to Feb 2024 with no data for Dec 2023 — the JAG
reviewer's Salford case. Each comparison must count only the sources covering both of its
periods, and say which it leaves out:

- the Patrol plan's trend (police.uk only over Dec 2023–Feb 2024) beside the total incidents,
  in the table, the CSV, GeoJSON, KML and the briefing;
- the When page's year-earlier line (Jan/Feb 2024 of police.uk against Jan/Feb 2023);
- the Areas page's Jan 2024 (police.uk's Jan 2024 against its Dec 2023 and Jan 2023, not
  every source moved to Nov 2023 and no last year);
- the When page's months before the log started, marked as lacking it, as its gap month is.

Every count is recomputed here with pandas (and geopandas for the outlines).
"""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pypdf
import pytest
import shapely
from conftest import street_csv
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from hotspots.data import boundaries
from hotspots.data.coverage import Coverage
from hotspots.data.workspace import add, init, open_workspace
from hotspots.products import area_view, measures
from hotspots.products.patrol import patrol_plan
from hotspots.products.patrol.export import to_csv, to_geojson, to_kml
from hotspots.products.patrol.table import display_table
from hotspots.products.peak_times import Focus, peak_times
from hotspots.space.areas import workspace_areas

LEEDS = "E08000035"
LOG = "Leeds council ASB log"
POLICE = [str(m) for m in pd.period_range("2023-01", "2024-02", freq="M")]
LOG_MONTHS = [
    str(m) for m in pd.period_range("2023-06", "2024-02", freq="M") if str(m) != "2023-12"
]
TYPES = ["Burglary", "Shoplifting", "Anti-social behaviour", "Criminal damage and arson"]
LOG_MAP = {"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category",
           "lat": "Lat", "lon": "Lon"}  # fmt: skip


def _points(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` lon/lat points in Leeds: most round three spots (hot spots to patrol), the rest
    anywhere."""
    outline = shapely.union_all(boundaries.district(LEEDS).wards.geometry.to_numpy())
    centre = shapely.get_coordinates(shapely.point_on_surface(outline))[0]
    spots = centre + np.array([[0.0, 0.0], [0.03, 0.01], [-0.02, 0.02]])
    near = spots[rng.integers(0, 3, n)] + rng.normal(0, 0.0006, (n, 2))
    minx, miny, maxx, maxy = outline.bounds
    anywhere = rng.uniform((minx, miny), (maxx, maxy), size=(8 * n, 2))
    anywhere = anywhere[shapely.contains_xy(outline, anywhere[:, 0], anywhere[:, 1])]
    xy = np.where((rng.random(n) < 0.7)[:, None], near, anywhere[:n])
    return xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]


def _street_csv(folder, month: str, rng: np.random.Generator) -> str:
    xy = _points(60 + int(rng.integers(0, 30)), rng)
    path = folder / f"{month}-west-yorkshire-street.csv"
    return street_csv(path, month, xy, crime_type=rng.choice(TYPES, len(xy)))


def _log_csv(folder, rng: np.random.Generator) -> str:
    """The council's log: 25–40 dated, timed ASB reports a month, none in Dec 2023."""
    rows = []
    for month in LOG_MONTHS:
        xy = _points(25 + int(rng.integers(0, 15)), rng)
        first = pd.Timestamp(month)
        for lon, lat in xy:
            when = first + pd.Timedelta(minutes=int(rng.integers(0, 27 * 24 * 60)))
            rows.append({"Ref": f"L{len(rows):05d}", "Reported": when.strftime("%d/%m/%Y %H:%M"),
                         "Category": "Anti-social behaviour", "Lat": f"{lat:.6f}",
                         "Lon": f"{lon:.6f}"})  # fmt: skip
    path = folder / "asb_log.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("two_sources")
    files = base / "files"
    files.mkdir()
    rng = np.random.default_rng(12)
    streets = [_street_csv(files, m, rng) for m in POLICE]
    root = base / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, streets)
    add(root, [_log_csv(files, rng)], source=LOG, columns=LOG_MAP)
    return root


@pytest.fixture(scope="module")
def data(workspace):
    return open_workspace(workspace)


@pytest.fixture(scope="module")
def areas(data):
    return workspace_areas(data)


def _month(incidents: pd.DataFrame) -> pd.Series:
    return incidents["month"].dt.strftime("%Y-%m")


def _police(incidents: pd.DataFrame) -> pd.DataFrame:
    return incidents[incidents["source"] == "police.uk"]


def test_the_workspace_is_the_reviewers_case(data):
    assert data.coverage.describe() == (
        f"{LOG}: Jun 2023–Feb 2024 (8 months; no data for Dec 2023); "
        "police.uk: Jan 2023–Feb 2024 (14 months)"
    )


# --------------------------------------------------------------------------- 1. patrol


def _in_outlines(points: gpd.GeoDataFrame, plan_localities: gpd.GeoDataFrame) -> pd.Series:
    """Per locality rank: the incidents of ``points`` inside its outline, each counted for the
    best-ranked outline holding it (as the plan counts the previous period)."""
    outlines = plan_localities[["rank", "geometry"]].to_crs(points.crs)
    hit = gpd.sjoin(points[["geometry"]], outlines, predicate="intersects")
    first = hit.groupby(level=0)["rank"].min()
    return first.value_counts().reindex(plan_localities["rank"], fill_value=0)


def test_the_patrol_trend_and_the_count_it_compares_are_from_the_same_sources(data):
    inc = data.incidents
    plan = patrol_plan(inc, study_area=LEEDS, period=("2023-12", "2024-02"), top=3,
                       coverage=data.coverage)  # fmt: skip
    loc = plan.localities.set_index("rank")
    # the total, of both sources, from the plan's own assignment of each incident
    placed = plan.assignment.dropna(subset=["locality"]).merge(
        inc[["incident_id", "source"]], on="incident_id"
    )
    total = placed.groupby("locality").size()
    police = placed[placed["source"] == "police.uk"].groupby("locality").size()
    assert loc["incidents"].tolist() == total.reindex(loc.index, fill_value=0).tolist()
    assert (total.reindex(loc.index, fill_value=0) > police.reindex(loc.index, fill_value=0)).any()
    # the trend counts police.uk only (the log has no Dec 2023), in both periods
    assert loc["incidents_compared"].tolist() == police.reindex(loc.index, fill_value=0).tolist()
    police_before = (inc["source"] == "police.uk") & _month(inc).isin(
        ["2023-09", "2023-10", "2023-11"]
    )
    before = inc[police_before.to_numpy()]
    assert loc["previous"].tolist() == _in_outlines(before, plan.localities).tolist()
    np.testing.assert_array_equal(loc["change"], loc["incidents_compared"] - loc["previous"])
    assert set(loc["trend_sources"]) == {"police.uk"}
    # the screen table names the sources of the trend's columns, beside the total
    table = display_table(plan).set_index("Rank")
    assert table["Incidents"].tolist() == loc["incidents"].tolist()
    assert table["Incidents compared (police.uk only)"].tolist() == (
        loc["incidents_compared"].tolist()
    )
    assert table["Previous period (police.uk only)"].tolist() == loc["previous"].tolist()
    assert "Trend (police.uk only)" in table.columns and "Previous period" not in table.columns
    # the CSV, GeoJSON and KML carry the same
    csv = pd.read_csv(io.BytesIO(to_csv(plan)), encoding="utf-8-sig").set_index("rank")
    for column in ("incidents", "incidents_compared", "previous", "change"):
        assert csv[column].tolist() == loc[column].tolist(), column
    assert set(csv["trend_sources"]) == {"police.uk"}
    features = json.loads(to_geojson(plan))["features"]
    assert [f["properties"]["incidents_compared"] for f in features] == (
        loc["incidents_compared"].tolist()
    )
    kml = to_kml(plan).decode()
    first = loc.iloc[0]
    assert (
        f"Trend (police.uk only): {first['trend']} ({first['incidents_compared']:.0f} incidents "
        f"against {first['previous']:.0f} in the previous period)"
    ) in kml
    # the briefing (HTML and PDF) heads them so too
    from hotspots.views.documents.briefing import briefing_html, write_briefing_pdf

    html = briefing_html(plan)
    assert "Incidents compared (police.uk only)" in html
    assert "Trend (police.uk only) vs previous period" in html
    reader = pypdf.PdfReader(io.BytesIO(write_briefing_pdf(plan)))
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Trend (police.uk only)" in words and "Incidents compared" in words


# --------------------------------------------------------------------------- 2. year earlier


def test_the_year_earlier_line_counts_the_sources_covering_both_months(data, areas):
    inc = data.incidents
    counts = inc.groupby([_month(inc), "source"]).size().unstack(fill_value=0)
    out = measures.monthly_with_last_year(inc, coverage=data.coverage)
    out.index = out.index.strftime("%Y-%m")
    for month, year_before in (("2024-01", "2023-01"), ("2024-02", "2023-02")):
        assert out.loc[month, "incidents"] == counts.loc[month].sum()  # the line: both
        # the pair: police.uk alone (the log has no data a year earlier)
        assert out.loc[month, "a_year_earlier"] == counts.loc[year_before, "police.uk"]
        assert out.loc[month, "same_sources"] == counts.loc[month, "police.uk"]
    assert out.attrs["left_out"] == {
        pd.Timestamp("2024-01-01"): [LOG],
        pd.Timestamp("2024-02-01"): [LOG],
    }
    assert out.loc[:"2023-12", "a_year_earlier"].isna().all()  # no data in 2022
    # the Areas page compares the same counts for Jan 2024 against Jan 2023: the pages agree
    incidents, wards, population = areas
    table = measures.ward_table(incidents, wards, population, current=("2024-01", "2024-01"),
                                coverage=data.coverage)  # fmt: skip
    assert table["count"].sum() + table.attrs["outside_wards"] == out.loc["2024-01", "same_sources"]
    assert table["last_year"].sum() == out.loc["2024-01", "a_year_earlier"]


def _when_page() -> None:
    from hotspots.views.dashboard.page_when import render

    render()


def test_the_when_page_draws_the_like_for_like_line_and_says_so(workspace, data, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(workspace))
    at = AppTest.from_function(_when_page, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    proto = at.get("vega_lite_chart")[-1].proto  # the monthly trend
    frame = convert_arrow_bytes_to_pandas_df(proto.data.data)
    frame["month"] = pd.DatetimeIndex(frame["month"]).strftime("%Y-%m")
    lines = frame.pivot(index="month", columns="series", values="incidents")
    inc = data.incidents
    police = _police(inc).groupby(_month(_police(inc))).size()
    same = lines["Selected months, same sources as a year earlier"].dropna()
    assert same.to_dict() == {m: float(police[m]) for m in ("2024-01", "2024-02")}
    assert lines.loc["2024-02", "A year earlier"] == police["2023-02"]
    assert lines.loc["2024-02", "Selected months"] == (_month(inc) == "2024-02").sum()
    words = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"leaving out {LOG}" in words


# --------------------------------------------------------------------------- 3. areas


def test_the_areas_month_compares_each_source_covering_both_periods(data, areas):
    incidents, wards, population = areas
    periods = measures.comparison_periods(("2024-01", "2024-01"))
    used = area_view.periods_used(periods, data.coverage)
    assert (used.label("previous"), used.label("last_year")) == ("Dec 2023", "Jan 2023")
    assert used.sources == ("police.uk",) and not used.notes
    assert area_view.compares_last_year(used, data.coverage)
    note = area_view.sources_note(used, data.coverage)
    assert note == f"{LOG} has no data for Dec 2023: every figure counts police.uk only, in " \
        "each period compared"  # fmt: skip
    result = area_view.area_measures(incidents, wards, periods=periods, population=population,
                                     coverage=data.coverage)  # fmt: skip
    police = _police(incidents)
    by_ward = police.groupby([_month(police), "ward_code"]).size()
    table = result.wards.set_index("area_code")
    for column, month in (("count", "2024-01"), ("previous", "2023-12"), ("last_year", "2023-01")):
        want = by_ward.loc[month].reindex(table.index, fill_value=0)
        assert table[column].tolist() == want.tolist(), column
    assert note in result.wards.attrs["notes"] and note in result.headline.attrs["notes"]
    total = "All crime (excluding ASB)"
    not_asb = police[police["category"] != "Anti-social behaviour"]
    crime = not_asb.groupby(_month(not_asb)).size()
    head = result.headline.loc[total]
    assert (head["current"], head["previous"], head["last_year"]) == (
        crime["2024-01"],
        crime["2023-12"],
        crime["2023-01"],
    )
    assert set(result.changes["period"]) == {"Dec 2023", "Jan 2023"}
    # the patrol trend follows the same rule: Jan–Feb 2024 against Nov–Dec 2023, police.uk
    plan = patrol_plan(incidents, study_area=LEEDS, period=("2024-01", "2024-02"), top=3,
                       coverage=data.coverage, method="dbscan", run_backtest=False)  # fmt: skip
    said = " ".join(plan.limits)
    assert "against Nov 2023 – Dec 2023" in said
    assert f"{LOG} has no data for part of" in said and "Dec 2023" in said
    assert plan.metadata["trend_sources"] == ["police.uk"]


def _areas_page() -> None:
    from hotspots.views.dashboard.page_areas import render

    render()


def test_the_areas_page_says_jan_2024_is_compared_with_dec_2023(workspace, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(workspace))
    at = AppTest.from_function(_areas_page, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="a_month").set_value(pd.Period("2024-01", "M")).run()
    assert not at.exception, [e.value for e in at.exception]
    line = at.caption[0].value.replace("\\", "")
    assert "compared with **Dec 2023** and the same period last year, **Jan 2023**" in line
    assert f"{LOG} has no data for Dec 2023: every figure counts police.uk only" in line


# --------------------------------------------------------------------------- 4. not started


def test_months_before_a_source_started_are_marked_as_lacking_it(data):
    inc = data.incidents
    out = peak_times(inc, Focus(), coverage=data.coverage)
    before = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05"]
    assert {str(m): s for m, s in out.months_partial.items()} == {
        m: [LOG] for m in [*before, "2023-12"]
    }
    counts = inc.groupby(_month(inc)).size()
    marks = {m["month"][:7]: m for m in out.partial_marks()}
    assert {m: marks[m]["incidents"] for m in marks} == {m: counts[m] for m in marks}
    assert {marks[m]["label"] for m in before} == {f"{LOG} not started yet"}
    assert marks["2023-12"]["label"] == f"no {LOG} data"
    # labelled once per run of months on the chart; every month said under it
    assert [m["month"][:7] for m in out.partial_labels()] == ["2023-05", "2023-12"]
    assert out.partial_notes[0].startswith(
        f"Jan 2023 to May 2023 hold no {LOG} data: {LOG} starts in Jun 2023"
    )
    assert out.partial_notes[1].startswith(f"Dec 2023 holds no {LOG} data")
    # a source that stopped: months after its last, past the publication lag, say so
    from hotspots.products.peak_times import partial_notes

    year = [str(m) for m in pd.period_range("2023-01", "2023-12", freq="M")]
    stopped = Coverage({"police.uk": year, LOG: year[:3]})
    why = {str(m): reasons[LOG] for m, reasons in stopped.absent().items()}
    assert why == {
        **dict.fromkeys(year[3:6], "not published"),
        **dict.fromkeys(year[6:], "stopped"),
    }
    assert partial_notes(stopped.absent(), stopped)[1].startswith(
        f"Jul 2023 to Dec 2023 hold no {LOG} data: {LOG} ends in Mar 2023"
    )


def test_the_when_page_marks_the_months_before_the_log(workspace, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(workspace))
    at = AppTest.from_function(_when_page, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
    points = next(layer for layer in spec["layer"] if layer["mark"].get("type") == "point")
    marked = [v["month"][:7] for v in points["data"]["values"]]
    assert marked == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-12"]
    words = re.sub(r"\\", "", " ".join(c.value for c in at.caption))
    assert f"Jan 2023 to May 2023 hold no {LOG} data: {LOG} starts in Jun 2023" in words
