"""The Patrol page (AppTest) on the demo data: the table is the plan, and the choices change it.

Every number read off the page is compared with :func:`hotspots.products.patrol.patrol_plan` run
directly
on the same incidents with the same options, and the shares with a count made here in pandas.
Each test puts the sidebar and the page's options in a known state, whatever ran before.
"""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import xmlschema
from streamlit.testing.v1 import AppTest
from test_patrol_export import KML_SUBSET_XSD

from hotspots.data.select import Selection, select
from hotspots.products.patrol import PatrolPlan, patrol_plan
from hotspots.products.patrol.export import KML_NS
from hotspots.products.patrol.harm import HARM_SCORE
from hotspots.products.patrol.table import FIRST_COLUMNS, display_table
from hotspots.views import tables
from hotspots.views.dashboard.page_patrol import FILES, plan_file
from hotspots.views.dashboard.text import markdown_text
from hotspots.views.patrol_map import map_view, view_bounds

POLICE = "police.uk"
LATEST = ("2021-11", "2022-01")  # the latest 3 months of the demo data
K = f"{{{KML_NS}}}"


def _patrol_page() -> None:
    import streamlit as st

    from hotspots.views.dashboard.page_patrol import render
    from hotspots.views.dashboard.state import current_dataset

    st.session_state["dataset"] = current_dataset()  # the very object the page shows
    render()


@pytest.fixture(scope="module")
def page() -> AppTest:
    """One Patrol page session per test worker; each test sets what it needs."""
    return AppTest.from_function(_patrol_page, default_timeout=240).run()


@pytest.fixture(scope="module")
def ds(page):
    return page.session_state["dataset"]


@pytest.fixture(scope="module")
def sources(ds) -> list[str]:
    return sorted(ds.incidents["source"].unique())


def _set(
    at: AppTest,
    *,
    sources,
    wards=(),
    months: tuple[str, str] | None = None,
    period: str = "latest",
    top: int = 10,
    by: str = "count",
    meeting: bool = False,
) -> AppTest:
    """Put the sidebar and the page's options in a known state and rerun."""
    at.sidebar.toggle(key="meeting_mode").set_value(False)
    at.sidebar.multiselect(key="f_sources").set_value(list(sources))
    at.sidebar.multiselect(key="f_groups").set_value([])
    at.sidebar.multiselect(key="f_wards").set_value(list(wards))
    slider = at.sidebar.select_slider(key="f_months")
    slider.set_value(months or (slider.options[0], slider.options[-1]))
    options = {
        "p_period": period,
        "p_area": "chosen",
        "p_top": top,
        "p_by": by,
        "p_method": "forecast",
        "p_across": 200,
        "p_spacing": None,
    }
    for key, value in options.items():  # the page's widgets start from these values
        at.session_state[key] = value
    at.run()
    if meeting:
        at.sidebar.toggle(key="meeting_mode").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _direct(
    ds, sources, *, period=LATEST, wards=(), top=10, by="count", backtest=False
) -> PatrolPlan:
    """The plan computed here, without the page, on the same incidents and options (the
    backtest changes the limits only)."""
    incidents = select(ds.incidents, Selection(sources=tuple(sources)))
    area = ds.wards[ds.wards["area_code"].isin(wards)] if wards else ds.wards
    return patrol_plan(
        incidents,
        study_area=area,
        period=period,
        top=top,
        by=by,
        wards=ds.wards,
        run_backtest=backtest,
    )


def _shown(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _map_args(at: AppTest) -> dict:
    """What st_folium sends the browser: the layers' JavaScript, centre, zoom..."""
    (component,) = at.get("component_instance")
    assert component.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(component.proto.json_args)


def _in_period(ds, sources, period) -> pd.DataFrame:
    """Non-sensitive incidents of the sources in the period, counted in pandas."""
    inc = ds.incidents
    month = inc["month"].dt.strftime("%Y-%m")
    keep = inc["source"].isin(sources) & (month >= period[0]) & (month <= period[1])
    return inc[keep.to_numpy() & ~inc["sensitive"].to_numpy(bool)]


def test_table_is_the_plan_computed_directly(page, ds, sources) -> None:
    at = _set(page, sources=sources)
    shown = _shown(at)
    plan = _direct(ds, sources, backtest=True)
    assert shown["Rank"].tolist() == list(range(1, 11))
    assert shown["Locality"].tolist() == plan.localities["name"].tolist()
    assert shown["Incidents"].tolist() == plan.localities["incidents"].tolist()
    total = len(_in_period(ds, sources, LATEST))  # every ward: the whole demo area
    assert plan.metadata["summary"]["incidents"] == total
    # shown to 1 decimal (tables.readable): within half a tenth of the exact share
    np.testing.assert_allclose(shown["Share (%)"], 100 * shown["Incidents"] / total, atol=0.05)
    # what an inspector needs first, in this order, and short: the windows alone, the visits
    assert list(shown.columns[:6]) == list(FIRST_COLUMNS)
    assert shown["Peak hours"].tolist() == plan.localities["peak_hours"].tolist()  # timed log
    assert shown["Dosage"].tolist() == plan.localities["visits"].tolist()
    in_plan = plan.metadata["summary"]["in_localities"]
    assert in_plan == shown["Incidents"].sum()
    assert any(f"{in_plan:,} of {total:,} incidents" in m.value for m in at.markdown)
    # the hot spots behind the localities, with their backtest from the plan's forecast
    forecast = plan.metadata["backtest"]["forecast"]
    said = f"held {100 * forecast['hit_rate']:.0f} % of the next month's crime"
    assert forecast["folds"] >= 3 and any(said in c.value for c in at.caption)
    args = _map_args(at)
    assert (args["center"], args["zoom"]) == map_view(plan)  # the view fits the localities
    script = args["feature_group"]  # the map draws the same localities, numbered by rank
    # ... fitted again in the browser to the frame's size there (meeting mode fills the screen)
    west, south, east, north = view_bounds(plan)
    fitted = re.search(r"corners = (\[\[[^;]*\]\]);", script)
    assert fitted and "fitBounds" in script
    np.testing.assert_allclose(json.loads(fitted[1]), [[south, west], [north, east]], atol=1e-5)
    lon, lat = plan.localities["centre_lon"], plan.localities["centre_lat"]
    assert west < lon.min() and lon.max() < east and south < lat.min() and lat.max() < north
    assert script.count("L.divIcon") == len(shown)
    for rank, name in zip(shown["Rank"], shown["Locality"], strict=True):
        assert f"{rank}. {html.escape(name)}" in script
    # the limits block: every limit of the plan, backtest figures included
    limits = next(m.value for m in at.markdown if m.value.startswith("- Data"))
    for text in plan.limits:
        assert f"- {markdown_text(text)}" in limits
    assert "next month's crime" in limits and "PAI" in limits and "police\\.uk moves" in limits


def test_top_n_and_ranking_change_the_table(page, ds, sources) -> None:
    ten = _shown(_set(page, sources=sources))
    five = _shown(_set(page, sources=sources, top=5))
    assert len(five) == 5
    pd.testing.assert_frame_equal(five, ten.head(5))  # the best five stay the best five
    by_harm = _shown(_set(page, sources=sources, by="harm"))
    plan = _direct(ds, sources, by="harm")
    assert by_harm["Locality"].tolist() == plan.localities["name"].tolist()
    np.testing.assert_allclose(
        by_harm[HARM_SCORE].astype(float), plan.localities["harm"], atol=0.05
    )
    assert by_harm[HARM_SCORE].is_monotonic_decreasing
    assert by_harm["Locality"].tolist() != ten["Locality"].tolist()
    assert not ten[HARM_SCORE].is_monotonic_decreasing  # so the order did change for a reason


def test_police_uk_only_shows_peak_months_and_why(page, ds) -> None:
    at = _set(page, sources=[POLICE])
    shown = _shown(at)
    assert "Peak months" in shown.columns
    assert "Peak hours" not in shown.columns and "Peak days" not in shown.columns
    plan = _direct(ds, [POLICE])
    assert shown["Peak months"].tolist() == plan.localities["windows"].tolist()
    for windows in shown["Peak months"]:  # named, as the sidebar names months
        assert {part[:8] for part in windows.split("; ")} <= {"Nov 2021", "Dec 2021", "Jan 2022"}
    reason = " ".join(i.value for i in at.info)
    assert "month\\-only" in reason and "no day or time" in reason


def test_chosen_wards_and_months_from_the_sidebar(page, ds, sources) -> None:
    town = ds.wards.loc[ds.wards["area_name"] == "Hemel Hempstead Town", "area_code"].iloc[0]
    other = ds.wards.loc[ds.wards["area_name"] == "Boxmoor", "area_code"].iloc[0]
    wards = (town, other)
    at = _set(page, sources=sources, wards=wards, months=("Jun 2021", "Aug 2021"), period="sidebar")
    shown = _shown(at)
    plan = _direct(ds, sources, period=("2021-06", "2021-08"), wards=wards)
    assert shown["Incidents"].tolist() == plan.localities["incidents"].tolist()
    assert set(plan.localities["ward"]) <= {"Hemel Hempstead Town", "Boxmoor"}
    in_wards = _in_period(ds, sources, ("2021-06", "2021-08"))
    total = int(in_wards["ward_code"].isin(wards).sum())
    # shown to 1 decimal (tables.readable): within half a tenth of the exact share
    np.testing.assert_allclose(shown["Share (%)"], 100 * shown["Incidents"] / total, atol=0.05)
    assert any("Jun 2021 – Aug 2021" in m.value for m in at.markdown)


def test_meeting_mode_shows_the_table_and_map_only(page, sources) -> None:
    normal = _shown(_set(page, sources=sources, top=4))
    at = _set(page, sources=sources, top=4, meeting=True)
    assert len(at.dataframe) == 0  # a static table a projector shows whole (headings wrap)
    shown = at.table[0].value
    assert shown.columns.tolist() == normal.columns.tolist()  # the last choices, controls hidden
    assert shown["Locality"].tolist() == normal["Locality"].tolist()
    assert len(at.get("download_button")) == 0
    assert len(at.number_input) == 0
    assert not any(m.value.startswith("- Data") for m in at.markdown)  # no limits block
    assert _map_args(at)["feature_group"].count("L.divIcon") == 4


def test_download_buttons_and_their_files(page, ds, sources) -> None:
    at = _set(page, sources=[POLICE], top=2)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [label for label, _, _ in FILES.values()]
    plan = _direct(ds, [POLICE], top=2)
    pd.testing.assert_frame_equal(_shown(at), tables.readable(display_table(plan)))

    kml = plan_file(plan, "kml")
    xmlschema.XMLSchema(KML_SUBSET_XSD).validate(io.BytesIO(kml))
    root = ET.fromstring(kml)
    assert root.tag == f"{K}kml"
    marks = root.findall(f"{K}Document/{K}Folder/{K}Placemark")
    names = [f"{r.rank}. {r.name}" for r in plan.localities.itertuples()]
    assert [m.findtext(f"{K}name") for m in marks] == names * 2  # outlines, then centres

    table = pd.read_csv(io.BytesIO(plan_file(plan, "csv")))
    assert table["incidents"].tolist() == plan.localities["incidents"].tolist()
    collection = json.loads(plan_file(plan, "geojson"))
    assert [f["properties"]["rank"] for f in collection["features"]] == [1, 2]
    assert collection["limits"] == plan.limits
    notes = json.loads(plan_file(plan, "json"))  # the CSV's companion: method and backtest
    assert notes["method"] == "forecast" == collection["method"]
    assert notes["backtest"] == collection["backtest"] == plan.metadata["backtest"]
    html = plan_file(plan, "html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count('class="locality"') == 2
    assert plan_file(plan, "pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match="kind must be one of"):
        plan_file(plan, "docx")  # type: ignore[arg-type]


def test_the_summary_names_where_the_hot_spots_come_from_in_words(page, sources) -> None:
    _set(page, sources=sources)
    said = " ".join(m.value for m in page.markdown)
    assert "hot spots from the forecast for next month." in said
    assert "hot spots from Forecast hot spots" not in said  # not the option's label, repeated


def test_no_previous_period_shows_a_dash_and_why_in_both_views(page, ds, sources) -> None:
    slider = page.sidebar.select_slider(key="f_months")
    first = (slider.options[0], slider.options[2])  # the data's first 3 months: none before
    at = _set(page, sources=sources, months=first, period="sidebar", top=3)
    plan = _direct(ds, sources, period=tuple(pd.Period(m).strftime("%Y-%m") for m in first), top=3)
    assert plan.localities["previous"].isna().all()
    heading = "Previous period"
    normal = _shown(at)
    assert normal[heading].tolist() == ["–"] * len(plan.localities)  # not None
    config = json.loads(at.dataframe[0].proto.columns)
    assert "no previous period in the data" in config[heading]["help"]
    assert any(c.value.startswith(f"– under “{heading}”: no previous period") for c in at.caption)
    at = _set(page, sources=sources, months=first, period="sidebar", top=3, meeting=True)
    assert at.table[0].value[heading].tolist() == normal[heading].tolist()
    assert any(c.value.startswith(f"– under “{heading}”: no previous period") for c in at.caption)


def test_peak_days_and_spacing_say_what_they_mean(page, sources) -> None:
    at = _set(page, sources=sources, top=3)
    config = json.loads(at.dataframe[0].proto.columns)
    assert "blank when fewer than 10 of its incidents have" in config["Peak days"]["help"]
    spacing = at.number_input(key="p_spacing")
    # the empty box's word shows whole in a box about 90 px wide (1280 px window)
    assert len(spacing.proto.placeholder) <= 6
    assert f"(“{spacing.proto.placeholder}”): the same as the largest size" in spacing.help
