"""The VAWG and CCTV pages (AppTest) on the demo data, with a store in a temporary file.

What a page shows is compared with the library run directly on the same selection
(:mod:`hotspots.products.vawg`, :mod:`hotspots.products.cctv`,
:func:`hotspots.analysis.analyse.analyse`), with brute-force
counts where a number can be checked independently, and with the store read back.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from datetime import time as dt_time

import h3
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from hotspots import store
from hotspots.analysis.analyse import analyse
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.select import Selection, select
from hotspots.products import cctv, vawg
from hotspots.views import tables
from hotspots.views.dashboard.page_vawg import LAT_KEY, LON_KEY, MAP_KEY, new_click
from hotspots.views.dashboard.store import SEED_ENV, seed_demo, seed_wanted
from hotspots.views.dashboard.text import markdown_text

XSS = "<img src=x onerror=alert(1)>"


def _vawg_page() -> None:
    """The page on the demo with a group of 6 rapes (the demo's own sensitive incidents are
    all in groups under 5, left out as loaded)."""
    import streamlit as st
    from demo_with_rapes import use_demo_with_rapes

    from hotspots.views.dashboard.page_vawg import render
    from hotspots.views.dashboard.state import current_dataset

    use_demo_with_rapes(6)
    st.session_state["dataset"] = current_dataset()
    render()


def _cctv_page() -> None:
    """The page on the demo with a group of 6 rapes (the demo's own sensitive incidents are
    all in groups under 5, left out as loaded)."""
    import streamlit as st
    from demo_with_rapes import use_demo_with_rapes

    from hotspots.views.dashboard.page_cctv import render
    from hotspots.views.dashboard.state import current_dataset

    use_demo_with_rapes(6)
    st.session_state["dataset"] = current_dataset()
    render()


@pytest.fixture(scope="module")
def engine(db):
    engine = store.open_store(f"sqlite:///{db}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def vawg_at(db):
    at = AppTest.from_function(_vawg_page, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def cctv_at(db):
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _selection(ds, sources=None) -> Selection:
    """The sidebar's default selection (every month and source), as the pages start."""
    months = sorted(ds.incidents["month"].dropna().unique())
    sources = sources or tuple(sorted(ds.incidents["source"].dropna().unique()))
    return Selection(start=months[0], end=months[-1], sources=tuple(sources))


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _table(at: AppTest, column: str, *more: str) -> pd.DataFrame:
    """The first dataframe shown with ``column`` (under its heading, :func:`tables.heading`),
    the headings of ``column`` and ``more`` turned back into those column names."""
    names = {tables.heading(c): c for c in (column, *more)}
    shown = next(d.value for d in at.dataframe if tables.heading(column) in d.value.columns)
    return shown.rename(columns=names)


def _map_args(at: AppTest) -> str:
    """The JSON arguments of the page's map component (its scripts and GeoJSON)."""
    found = [n for n in _walk(at._tree) if type(n).__name__ == "UnknownElement"]
    maps = [n.proto.json_args for n in found if "leaflet" in n.proto.json_args.lower()]
    assert len(maps) == 1
    return maps[0]


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


# --------------------------------------------------------------------------- store seeding


def test_an_empty_store_is_seeded_once_with_the_demo_records(tmp_path, monkeypatch) -> None:
    demo = {
        kind: len(pd.read_csv(datasets.demo_path(name)))
        for kind, name in [
            ("cameras", "cameras"),
            ("walkabouts", "walkabouts"),
            ("feedback", "feedback"),
        ]
    }
    engine = store.open_store(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    assert seed_demo(engine) == demo == {"cameras": 33, "walkabouts": 1, "feedback": 24}
    assert seed_demo(engine) == {}  # idempotent
    assert len(store.list_cameras(engine)) == 33 and len(store.list_feedback(engine)) == 24
    ids = sorted(pd.read_csv(datasets.demo_path("feedback"))["feedback_id"])
    assert sorted(store.list_feedback(engine)["feedback_id"]) == ids
    engine.dispose()

    used = store.open_store(f"sqlite:///{tmp_path / 'used.sqlite'}")
    store.add_walkabout(
        used,
        {"date": "2022-03-01", "area": "Berkhamsted", "organiser": "CSP", "participants": 9},
    )
    assert seed_demo(used) == {}  # a store in use is never topped up with demo records
    assert store.list_cameras(used).empty and len(store.list_walkabouts(used)) == 1
    used.dispose()

    monkeypatch.setenv(SEED_ENV, "0")
    assert not seed_wanted()
    monkeypatch.setenv(SEED_ENV, "yes")
    assert seed_wanted()


def test_a_store_that_cannot_be_reached_is_reported_not_crashed(monkeypatch) -> None:
    monkeypatch.setenv(store.DB_URL_ENV, "postgresql+psycopg://csp:secret@127.0.0.1:9/none")
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "The operational store cannot be opened" in message
    assert "127.0.0.1" not in message and "secret" not in message  # the address is logged only
    assert not at.metric  # the page stopped


def test_a_click_is_taken_once() -> None:
    state = {"last_clicked": {"lat": 51.7532123, "lng": -0.4712349}}
    assert new_click(state, None) == (51.753212, -0.471235)
    assert new_click(state, state["last_clicked"]) is None
    assert new_click({"last_clicked": None}, None) is None and new_click(None, None) is None


# --------------------------------------------------------------------------- VAWG page


def test_vawg_page_lists_the_seeded_feedback_and_counts_crime_near_it(vawg_at, engine) -> None:
    at = vawg_at
    assert "seeded on first use" in at.caption[0].value
    demo = pd.read_csv(datasets.demo_path("feedback"))
    listed = _table(at, "comment", "feedback_id")
    assert set(demo["feedback_id"]) <= set(listed["feedback_id"])
    assert len(listed) == len(store.list_feedback(engine))

    ds = at.session_state["dataset"]
    incidents = select(ds.incidents, _selection(ds))
    feedback = store.list_feedback(engine)
    near = _table(at, "incidents_within", "feedback_id").set_index("feedback_id")
    direct = vawg.feedback_near_incidents(feedback, incidents, distance_m=100)
    assert (
        near["incidents_within"].to_dict()
        == direct.set_index("feedback_id")["incidents_within"].to_dict()
    )
    # Brute force: VAWG-relevant incidents within 100 m of each point, in metres (EPSG:27700).
    chosen = incidents[incidents["vawg"]]
    points = feedback.to_crs(incidents.attrs["working_crs"])
    gaps = np.hypot(
        points.geometry.x.to_numpy()[:, None] - chosen["x"].to_numpy()[None, :],
        points.geometry.y.to_numpy()[:, None] - chosen["y"].to_numpy()[None, :],
    )
    brute = dict(zip(feedback["feedback_id"], (gaps <= 100).sum(axis=1), strict=True))
    assert near["incidents_within"].to_dict() == brute
    assert near["incidents_within"].max() > 0
    assert not any("sensitive" in str(c).lower() for c in _table(at, "incidents_within").columns)

    at.slider(key="vawg_near_m").set_value(250).run()
    wider = _table(at, "incidents_within", "feedback_id").set_index("feedback_id")[
        "incidents_within"
    ]
    assert wider.to_dict() == dict(
        zip(feedback["feedback_id"], (gaps <= 250).sum(axis=1), strict=True)
    )
    assert wider.sum() > near["incidents_within"].sum()


def test_feedback_filters_change_the_list(vawg_at, engine) -> None:
    at = vawg_at
    at.multiselect(key="vawg_f_reasons").set_value(["no_cctv", "poor_lighting"])
    at.select_slider(key="vawg_f_severity").set_value(3)
    at.run()
    try:
        listed = _table(at, "comment", "feedback_id", "reason", "severity")
        demo = pd.read_csv(datasets.demo_path("feedback"))
        wanted = demo[demo["reason"].isin(["no_cctv", "poor_lighting"]) & (demo["severity"] >= 3)]
        assert set(wanted["feedback_id"]) <= set(listed["feedback_id"])
        assert set(listed["reason"]) <= {"No CCTV", "Poor lighting"}  # labels, not codes
        assert (listed["severity"] >= 3).all()
        stored = store.list_feedback(engine, reasons=["no_cctv", "poor_lighting"], min_severity=3)
        assert sorted(listed["feedback_id"]) == sorted(stored["feedback_id"])
        assert 0 < len(listed) < len(store.list_feedback(engine))
    finally:
        at.multiselect(key="vawg_f_reasons").set_value([])
        at.select_slider(key="vawg_f_severity").set_value(1)
        at.run()


def test_vawg_crime_is_mapped_as_counts_without_sensitive_incidents(vawg_at, engine) -> None:
    at = vawg_at
    ds = at.session_state["dataset"]
    incidents = select(ds.incidents, _selection(ds))
    vawg_all = incidents[incidents["vawg"]]
    args = json.loads(_map_args(at))
    counts = re.findall(r"VAWG-relevant crime per cell: ([\d,]+)", args["feature_group"])
    assert sum(int(c.replace(",", "")) for c in counts) == len(mappable(vawg_all))
    assert vawg_all["sensitive"].sum() > 0  # there were sensitive ones to leave out

    unwalked = _table(at, "nearest_feedback_m", "cell")
    direct = vawg.uncovered_hot_cells(
        mappable(incidents), store.list_feedback(engine), study_area=ds.wards
    )
    assert unwalked["cell"].tolist() == direct["cell"].tolist()
    assert (unwalked["nearest_feedback_m"].astype(float).fillna(np.inf) >= 200).all()  # 0 dp


def test_a_walkabout_recorded_on_the_page_is_stored_audited_and_offered_to_new_points(
    vawg_at, engine
) -> None:
    """A CSP records the walkabout itself on the page (not only in a file), its text kept as
    typed; a form missing what is required says so and saves nothing."""
    at = vawg_at
    before = store.list_walkabouts(engine)
    at.text_input(key="vawg_walk_area").input("")
    _button(at, "Save walkabout").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(e.value for e in at.error)
    assert "Walkabout not saved" in said and "Area walked is required" in said
    assert "Organised by is required" in said and "People taking part is required" in said
    assert len(store.list_walkabouts(engine)) == len(before)

    at.date_input(key="vawg_walk_date").set_value(date(2024, 3, 7))
    at.time_input(key="vawg_walk_start_time").set_value(dt_time(19, 0))
    at.text_input(key="vawg_walk_area").input(XSS)
    at.text_input(key="vawg_walk_organiser").input("Community Safety team")
    at.text_input(key="vawg_walk_agencies").input("Police; Council; Women's Aid")
    at.number_input(key="vawg_walk_participants").set_value(14)
    _button(at, "Save walkabout").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = next(s.value for s in at.success if s.value.startswith("Saved walkabout "))
    walkabouts = store.list_walkabouts(engine)
    assert len(walkabouts) == len(before) + 1
    new = walkabouts[~walkabouts["walkabout_id"].isin(before["walkabout_id"])].iloc[0]
    assert new["walkabout_id"] in saved
    assert (new["area"], new["organiser"], int(new["participants"])) == (
        XSS,
        "Community Safety team",
        14,
    )
    assert str(new["start_time"]) == "19:00" and pd.Timestamp(new["date"]) == pd.Timestamp(
        "2024-03-07"
    )
    # the next feedback point is made on it, and the form is ready for another walkabout
    assert at.selectbox(key="vawg_walkabout").value == new["walkabout_id"]
    assert at.text_input(key="vawg_walk_area").value == ""
    log = store.audit_log(engine, actions=["add"])
    assert f"walkabouts/{new['walkabout_id']}" in log["target"].tolist()
    html_elements = [m for m in at.markdown if m.proto.allow_html]
    assert not any("onerror" in m.value for m in html_elements)


def test_feedback_form_saves_a_clicked_point_and_shows_its_comment_as_text(vawg_at, engine) -> None:
    at = vawg_at
    before = len(store.list_feedback(engine))
    at.session_state[MAP_KEY] = {"last_clicked": {"lat": 51.7538417, "lng": -0.4698121}}
    at.run()  # what st_folium does on a click: its state changes and the page reruns
    assert at.number_input(key=LAT_KEY).value == pytest.approx(51.753842)
    assert at.number_input(key=LON_KEY).value == pytest.approx(-0.469812)
    at.selectbox(key="vawg_reason").set_value("poor_lighting")
    at.text_area(key="vawg_comment").input(XSS)
    at.select_slider(key="vawg_severity").set_value(4)
    at.selectbox(key="vawg_walkabout").set_value("WALK-2021-01")
    _button(at, "Save feedback point").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Saved feedback point FB-") for s in at.success)

    saved = store.list_feedback(engine)
    assert len(saved) == before + 1
    new = saved[saved["comment"] == XSS]
    assert len(new) == 1
    row = new.iloc[0]
    # The action form offers the point just added, not another one.
    assert at.selectbox(key="vawg_action_feedback").value == row["feedback_id"]
    assert (row["reason"], row["severity"], row["walkabout_id"]) == (
        "poor_lighting",
        4,
        "WALK-2021-01",
    )
    assert (row["lat"], row["lon"]) == pytest.approx((51.753842, -0.469812))

    listed = _table(at, "comment", "walkabout_id")
    assert listed.iloc[0]["comment"] == XSS  # newest first, as text
    walk = store.list_walkabouts(engine).set_index("walkabout_id").loc["WALK-2021-01"]
    # the walkabout by its date and area, not its id
    assert listed.iloc[0]["walkabout_id"] == f"{walk['date']:%d %b %Y} — {walk['area']}"
    assert at.number_input(key=LAT_KEY).value is None  # the form is ready for the next point
    assert at.text_area(key="vawg_comment").value == ""
    html_elements = [m for m in at.markdown if m.proto.allow_html]
    assert not any("onerror" in m.value for m in html_elements)
    args = _map_args(at)
    assert "&lt;img src=x onerror=alert(1)&gt;" in args and "<img src=x" not in args


def test_feedback_form_names_what_is_missing_and_saves_nothing(vawg_at, engine) -> None:
    at = vawg_at
    before = len(store.list_feedback(engine))
    at.session_state[LAT_KEY] = None
    at.session_state[LON_KEY] = None
    at.run()
    at.selectbox(key="vawg_reason").set_value(None)
    at.text_area(key="vawg_comment").input("no point given")
    _button(at, "Save feedback point").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Feedback point not saved" in errors
    for field in ("lon is required", "lat is required", "reason is required"):
        assert field in errors
    assert len(store.list_feedback(engine)) == before


def test_a_point_becomes_an_action_and_status_changes_are_kept(vawg_at, engine) -> None:
    at = vawg_at
    at.selectbox(key="vawg_action_feedback").set_value("FB-001").run()
    description = at.text_area(key="vawg_action_desc_FB-001")
    assert description.value == vawg.REASON_ACTIONS["no_cctv"][0]  # the suggestion, editable
    assert at.text_input(key="vawg_action_owner_FB-001").value == vawg.REASON_ACTIONS["no_cctv"][1]
    suggested = date.today() + timedelta(days=vawg.DAYS_BY_SEVERITY[4])
    assert at.date_input(key="vawg_action_due_FB-001").value == suggested
    description.input("Survey CCTV at the corner; <b>bold</b> is text")
    at.text_input(key="vawg_action_owner_FB-001").input("Dacorum BC CCTV")
    at.date_input(key="vawg_action_due_FB-001").set_value(date(2022, 1, 31))
    _button(at, "Create action").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Created action ACT-") for s in at.success)
    assert any("already past" in w.value for w in at.warning)

    actions = store.list_actions(engine)
    mine = actions[actions["owner_agency"] == "Dacorum BC CCTV"]
    assert len(mine) == 1
    action_id = mine["action_id"].item()
    assert mine["description"].item() == "Survey CCTV at the corner; <b>bold</b> is text"
    assert bool(mine["overdue"].item())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overdue"] == str(int(actions["overdue"].sum()))
    shown = _table(at, "days_overdue", "action_id", "overdue", "reason")
    assert shown.loc[shown["action_id"] == action_id, "overdue"].item() == "Yes"
    assert shown.loc[shown["action_id"] == action_id, "reason"].item() == "No CCTV"

    at.selectbox(key="vawg_track_action").set_value(action_id)
    at.selectbox(key="vawg_track_status").set_value("in_progress")
    at.text_input(key="vawg_track_note").input("Survey booked <script>x</script>")
    at.text_input(key="vawg_track_by").input("Dacorum BC CCTV")
    _button(at, "Record the change").click().run()
    assert not at.exception, [e.value for e in at.exception]

    history = store.action_history(engine, action_id)
    assert history["status_to"].tolist() == ["open", "in_progress"]
    assert history["status_from"].tolist()[1] == "open"
    assert history["note"].tolist()[1] == "Survey booked <script>x</script>"
    page_history = _table(at, "status_to", "note")
    assert page_history["status_to"].tolist() == ["Open", "In progress"]  # labels
    assert page_history["note"].tolist()[1] == "Survey booked <script>x</script>"
    assert store.list_actions(engine).set_index("action_id").at[action_id, "status"] == (
        "in_progress"
    )


# --------------------------------------------------------------------------- CCTV page


@pytest.fixture(scope="module")
def direct(cctv_at, engine):
    """Coverage, siting and the tasking sheet computed directly for the default selection."""
    ds = cctv_at.session_state["dataset"]
    incidents = select(ds.incidents, _selection(ds))
    cells = analyse(incidents, study_area=ds.wards).cells
    cameras = store.list_cameras(engine)
    return {
        "incidents": incidents,
        "cells": cells,
        "cameras": cameras,
        "coverage": cctv.coverage(incidents, cameras, hotspots=cells),
    }


def test_cctv_coverage_equals_the_library_on_the_same_selection(cctv_at, direct) -> None:
    at = cctv_at
    cov = direct["coverage"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents in view"] == f"{cov.covered:,}"
    assert metrics["Share of incidents in view"] == f"{cov.share:.1%}"
    with_incidents = cov.by_hotspot[cov.by_hotspot["incidents"] > 0]
    assert len(with_incidents) < len(cov.by_hotspot)  # hot cells with none of their own
    shown, unseen = (
        int(metrics[k].replace(",", ""))
        for k in ("High-count cells with incidents", "High-count cells no camera sees")
    )
    assert shown == len(with_incidents) and unseen == len(cctv.uncovered_hotspots(cov))
    # the same cells: the difference is the cells a camera sees (one of their incidents)
    assert shown - unseen == int((cov.by_hotspot["covered"] > 0).sum())
    empty = len(cov.by_hotspot) - len(with_incidents)
    assert any(f"{empty:,} more high-count cells have no incident" in c.value for c in at.caption)
    assert 0 < cov.covered < cov.incidents
    shown = _table(at, "rank_uncovered", "place", "incidents")
    assert tables.heading("cell") not in shown.columns  # named by street and ward, not H3 ids
    assert shown["place"].astype(str).str.len().gt(0).all()
    expected = tables.readable(cov.by_hotspot.drop(columns="cell")).rename(
        columns={tables.heading(c): c for c in ("rank_uncovered", "place", "incidents")}
    )
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    by_hotspot = cov.by_hotspot
    by_camera = _table(at, "only_this_camera", "incidents_in_view")
    assert by_camera["incidents_in_view"].tolist() == cov.by_camera["incidents_in_view"].tolist()
    # Each hot cell's incidents, counted independently with h3. Sensitive incidents are never
    # mapped (a camera view is a few metres), so the flag leaves them out of the count.
    incidents = direct["incidents"]
    assert incidents["sensitive"].any()  # the check below would not see the rule otherwise
    incidents = incidents[~incidents["sensitive"].astype(bool)]
    cell_of = [
        h3.latlng_to_cell(lat, lon, 9)
        for lon, lat in zip(incidents.geometry.x, incidents.geometry.y, strict=True)
    ]
    per_cell = pd.Series(cell_of).value_counts()
    assert (
        by_hotspot.set_index("cell")["incidents"].to_dict()
        == per_cell.reindex(by_hotspot["cell"], fill_value=0).to_dict()
    )


def test_cctv_siting_reports_greedy_against_the_optimum(cctv_at, direct) -> None:
    at = cctv_at
    assert "Newly in view (greedy choice)" not in {m.label for m in at.metric}  # on demand
    at.toggle(key="cctv_plan").set_value(True).run()
    for k in (3, 2):
        at.slider(key="cctv_k").set_value(k).run()
        plan = cctv.site_cameras(
            direct["incidents"],
            cctv.candidate_sites(direct["cells"]),
            k=k,
            range_m=100.0,
            cameras=direct["cameras"],
        )
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Newly in view (greedy choice)"] == f"{plan.greedy:,.0f}"
        assert metrics["Best possible (exact)"] == f"{plan.optimum:,.0f}"
        assert metrics["Greedy / best"] == f"{plan.ratio:.1%}"
        sites = _table(at, "cumulative_share", "site_id")
        assert sites["site_id"].tolist() == plan.chosen["site_id"].tolist()
    assert len(sites) == 2


def test_tasking_sheet_scheduling_and_the_monthly_kpi(cctv_at, direct, engine) -> None:
    at = cctv_at
    sheet = cctv.tasking_sheet(direct["incidents"], direct["cameras"], direct["cells"])
    windows = _table(at, "block_hours", "window")
    assert len(windows) == len(sheet.windows) > 0
    assert windows["window"].tolist() == sheet.windows["window"].tolist()
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {"Tasking sheet (CSV)", "Tasking sheet (printable HTML)"}

    before = len(store.list_taskings(engine))
    at.date_input(key="cctv_sched_start").set_value(date(2022, 2, 21))
    at.date_input(key="cctv_sched_end").set_value(date(2022, 3, 7))  # across two months
    at.button(key="cctv_schedule").click().run()
    assert not at.exception, [e.value for e in at.exception]
    log = store.list_taskings(engine)
    best = sheet.windows[sheet.windows["rank"] == 1]
    assert len(log) - before == 2 * len(best)  # two weeks, each best window once a week
    assert any(f"Scheduled {2 * len(best)} taskings" in s.value for s in at.success)

    at.button(key="cctv_schedule").click().run()  # a second click stores nothing twice
    assert len(store.list_taskings(engine)) == len(log)
    assert any("Nothing to schedule" in w.value for w in at.warning)

    kpi = _table(at, "taskings", "month")
    by_month = log.groupby(log["window_start"].dt.to_period("M")).size()
    shown = kpi.set_index(pd.to_datetime(kpi["month"]).dt.to_period("M"))["taskings"]
    assert shown[shown > 0].to_dict() == by_month.to_dict()
    assert len(by_month) >= 2


def test_month_only_records_give_month_windows_that_cannot_be_scheduled(cctv_at) -> None:
    at = cctv_at
    at.sidebar.multiselect(key="f_sources").set_value(["police.uk"]).run()
    try:
        assert not at.exception, [e.value for e in at.exception]
        assert any(cctv.MONTHS_NOTE in i.value for i in at.info)
        windows = _table(at, "resolution")
        assert set(windows["resolution"]) == {"month"}
        assert at.button(key="cctv_schedule").disabled
    finally:
        sources = sorted(at.session_state["dataset"].incidents["source"].unique())
        at.sidebar.multiselect(key="f_sources").set_value(sources).run()


# --------------------------------------------------------------------------- camera import


def test_a_camera_list_is_imported_on_the_page_all_or_nothing(tmp_path, monkeypatch) -> None:
    # outside the demo the store has no camera, and the page asked for an import it did not
    # offer: a camera list is imported here, a bad row named (file, line, what was expected)
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "own.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.setenv(SEED_ENV, "0")  # a council's own store starts empty
    monkeypatch.delenv("HOTSPOTS_CONFIG", raising=False)
    lines = datasets.demo_path("cameras").read_text().splitlines(keepends=True)
    good = "".join(lines[:6])  # the header and five cameras
    bad = good + "DBC-CAM-X,X,Nowhere,fixed,65,287,60,not a number,51.75,active\n"
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No cameras in the store" in at.info[0].value
    at.file_uploader(key="cctv_cameras_file").set_value(("cams.csv", bad.encode(), "text/csv"))
    at.run()
    at.button(key="cctv_cameras_import").click().run()
    assert not at.exception and "No camera imported" in at.error[0].value
    said = at.text[0].value
    assert "cams.csv: nothing imported" in said and "line 7: lon" in said and "number" in said
    engine = store.open_store(f"sqlite:///{tmp_path / 'own.sqlite'}")
    assert store.list_cameras(engine).empty  # nothing half-saved

    at.file_uploader(key="cctv_cameras_file").set_value(("cams.csv", good.encode(), "text/csv"))
    at.run()
    at.button(key="cctv_cameras_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "5 new camera(s), 0 replaced" in at.success[0].value
    assert len(store.list_cameras(engine)) == 5
    assert at.metric  # the coverage is shown
    log = store.audit_log(engine, actions=["upload", "import"])
    engine.dispose()
    assert log["action"].tolist() == ["upload", "import", "upload"]  # newest first
    assert "refused" in log["detail"].iloc[-1] and "5 new" in log["detail"].iloc[0]


def _own_store(tmp_path, monkeypatch) -> str:
    """A council's own empty store for the page (no demo cameras, no login); its URL."""
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "own.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.setenv(SEED_ENV, "0")
    monkeypatch.delenv("HOTSPOTS_CONFIG", raising=False)
    return f"sqlite:///{tmp_path / 'own.sqlite'}"


def test_a_camera_list_far_outside_the_wards_is_refused_until_confirmed(
    tmp_path, monkeypatch
) -> None:
    # the demo's cameras with lon and lat exchanged (one named with markup): refused in words,
    # how many, which, how far and the fix; stored only once the analyst confirms
    url = _own_store(tmp_path, monkeypatch)
    demo = pd.read_csv(datasets.demo_path("cameras")).head(5)
    demo.loc[0, "name"] = XSS
    swapped = tmp_path / "swapped.csv"
    demo.rename(columns={"lon": "lat", "lat": "lon"}).to_csv(swapped, index=False)
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    upload = ("swapped.csv", swapped.read_bytes(), "text/csv")
    at.file_uploader(key="cctv_cameras_file").set_value(upload).run()
    assert not [c for c in at.checkbox if c.key == "cctv_cameras_outside_ok"]
    at.button(key="cctv_cameras_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "cameras lie far outside the area" in at.error[0].value
    said = at.text[0].value  # plain text: the name shows as typed, never as markup
    assert "swapped.csv: nothing imported: all 5 camera(s) lie more than 1 km outside the " \
        "wards of Dacorum demo, up to 7," in said  # fmt: skip
    assert f"DBC-CAM-001 ({XSS}) 7," in said and "check the coordinate columns" in said.lower()
    engine = store.open_store(url)
    assert store.list_cameras(engine).empty
    log = store.audit_log(engine, actions=["upload", "import"])
    assert log["action"].tolist() == ["upload"] and "refused" in log["detail"].iloc[0]

    at.checkbox(key="cctv_cameras_outside_ok").check().run()
    at.button(key="cctv_cameras_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "5 new camera(s)" in at.success[0].value
    (warning,) = [w.value for w in at.warning if "imported as confirmed" in w.value]
    assert markdown_text("all 5 camera(s) lie more than 1 km outside the wards of") in warning
    assert markdown_text(f"DBC-CAM-001 ({XSS}) 7,") in warning and XSS not in warning  # escaped
    assert not [c for c in at.checkbox if c.key == "cctv_cameras_outside_ok"]
    assert len(store.list_cameras(engine)) == 5
    detail = store.audit_log(engine, actions=["import"])["detail"].iloc[0]
    assert detail.startswith("inserted 5, replaced 0, skipped 0; all 5 camera(s)")
    engine.dispose()


def _stored_demo_cameras(url: str, tmp_path, n: int = 5):
    """The first ``n`` demo cameras imported from a file into the store at ``url``."""
    path = tmp_path / "cameras.csv"
    pd.read_csv(datasets.demo_path("cameras")).head(n).to_csv(path, index=False)
    engine = store.open_store(url)
    store.import_records(engine, path, "cameras")
    return engine


def test_cameras_are_removed_on_the_page_all_or_none_once_confirmed(tmp_path, monkeypatch):
    url = _own_store(tmp_path, monkeypatch)
    engine = _stored_demo_cameras(url, tmp_path)
    store.add_tasking(
        engine,
        {"camera_id": "DBC-CAM-003", "window_start": "2021-11-19 22:00",
         "window_end": "2021-11-20 02:00", "requested_by": "Police"},
    )  # fmt: skip
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    chooser = at.multiselect(key="cctv_remove_ids")
    assert chooser.options[0] == "DBC-CAM-001 (HH01 The Sidings)" and len(chooser.options) == 5
    assert at.button(key="cctv_remove").disabled  # nothing chosen
    chooser.set_value(["DBC-CAM-001", "DBC-CAM-003"]).run()
    assert at.button(key="cctv_remove").disabled  # not confirmed
    at.checkbox(key="cctv_remove_confirm").check().run()
    at.button(key="cctv_remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    refused = at.error[0].value
    assert "No camera removed" in refused and "refer to" in refused and "decommissioned" in refused
    assert len(store.list_cameras(engine)) == 5  # all or none

    at.multiselect(key="cctv_remove_ids").set_value(["DBC-CAM-001", "DBC-CAM-002"]).run()
    assert not at.checkbox(key="cctv_remove_confirm").value  # a new choice, asked again
    assert at.button(key="cctv_remove").disabled
    at.checkbox(key="cctv_remove_confirm").check().run()
    at.button(key="cctv_remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == markdown_text(
        "Removed 2 camera(s) from the store: DBC-CAM-001 (HH01 The Sidings); "
        "DBC-CAM-002 (HH02 Alexandra Road)."
    )
    assert sorted(store.list_cameras(engine)["camera_id"]) == [
        "DBC-CAM-003", "DBC-CAM-004", "DBC-CAM-005"
    ]  # fmt: skip
    assert at.multiselect(key="cctv_remove_ids").value == []
    assert at.multiselect(key="cctv_remove_ids").options == [
        "DBC-CAM-003 (HH03 Supermarket)", "DBC-CAM-004 (HH04 Supermarket)",
        "DBC-CAM-005 (HH05 Selden Hill)",
    ]  # fmt: skip
    (row,) = store.audit_log(engine, actions=["delete"]).to_dict("records")
    assert (row["user"], row["role"]) == ("(no login)", "admin")
    assert row["target"] == "cameras/DBC-CAM-001, DBC-CAM-002"
    engine.dispose()


def test_removing_every_camera_says_so(tmp_path, monkeypatch) -> None:
    """The last cameras removed: the page (now with none to show) still says what was removed,
    rather than nothing."""
    url = _own_store(tmp_path, monkeypatch)
    engine = _stored_demo_cameras(url, tmp_path)
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    every = list(at.multiselect(key="cctv_remove_ids").options)
    ids = [label.split(" ")[0] for label in every]
    at.multiselect(key="cctv_remove_ids").set_value(ids).run()
    at.checkbox(key="cctv_remove_confirm").check().run()
    at.button(key="cctv_remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.list_cameras(engine).empty
    assert at.success and at.success[0].value.startswith(markdown_text("Removed 5 camera(s)"))
    assert "No cameras in the store" in at.info[0].value
    engine.dispose()


def test_only_admins_remove_cameras(tmp_path, monkeypatch) -> None:
    # removing is deleting (core.access: "delete" is the admin's, as for VAWG feedback):
    # viewers do not reach the page, analysts are told an admin removes cameras
    from hotspots.core import access
    from hotspots.core.access import User
    from hotspots.views.dashboard import login

    url = _own_store(tmp_path, monkeypatch)
    engine = _stored_demo_cameras(url, tmp_path, n=3)
    config = tmp_path / "hotspots.toml"
    access.set_user(config, "vic", "viewer", "vic-pass-1")
    access.set_user(config, "ann", "analyst", "ann-pass-2")
    access.set_user(config, "ada", "admin", "ada-pass-3")
    monkeypatch.setenv(access.CONFIG_ENV, str(config))

    at = AppTest.from_function(_cctv_page, default_timeout=240)
    at.session_state[login.USER_KEY] = User("vic", "viewer")
    at.run()
    assert not at.exception and "needs the analyst role" in at.error[0].value
    assert not [w for w in at.multiselect if w.key == "cctv_remove_ids"]
    assert not [b for b in at.button if b.key == "cctv_remove"]

    at = AppTest.from_function(_cctv_page, default_timeout=240)
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [w for w in at.multiselect if w.key == "cctv_remove_ids"]
    assert not [b for b in at.button if b.key == "cctv_remove"]
    assert any("removed from the store by an admin" in c.value for c in at.caption)
    assert [u.key for u in at.get("file_uploader")] == ["cctv_cameras_file"]  # still imports
    assert len(store.list_cameras(engine)) == 3

    at = AppTest.from_function(_cctv_page, default_timeout=240)
    at.session_state[login.USER_KEY] = User("ada", "admin")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect(key="cctv_remove_ids").set_value(["DBC-CAM-002"]).run()
    at.checkbox(key="cctv_remove_confirm").check().run()
    at.button(key="cctv_remove").click().run()
    assert at.success[0].value.startswith(markdown_text("Removed 1 camera(s)"))
    assert store.list_cameras(engine)["camera_id"].tolist() == ["DBC-CAM-001", "DBC-CAM-003"]
    (row,) = store.audit_log(engine, actions=["delete"]).to_dict("records")
    assert (row["user"], row["role"], row["target"]) == ("ada", "admin", "cameras/DBC-CAM-002")
    engine.dispose()


def test_a_list_of_cameras_without_ids_imported_twice_on_the_page_stores_them_once(
    tmp_path, monkeypatch
) -> None:
    # the page imports by the store's rule: a camera without an id is known by its position,
    # type and name, so the second import finds the three cameras already stored
    url = _own_store(tmp_path, monkeypatch)
    demo = pd.read_csv(datasets.demo_path("cameras")).head(3).assign(camera_id="")
    upload = ("noid.csv", demo.to_csv(index=False).encode(), "text/csv")
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    for said in ("3 new camera(s), 0 replaced, 0 left as stored",
                 "0 new camera(s), 0 replaced, 3 left as stored"):  # fmt: skip
        at.file_uploader(key="cctv_cameras_file").set_value(upload).run()
        at.button(key="cctv_cameras_import").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert f"Imported {markdown_text('noid.csv')}: {said}." in at.success[0].value
    engine = store.open_store(url)
    cameras = store.list_cameras(engine)
    assert len(cameras) == 3 and cameras["camera_id"].str.startswith("CAM-").all()
    engine.dispose()


def test_a_viewer_cannot_import_cameras(monkeypatch) -> None:
    from hotspots.core.access import User
    from hotspots.views.dashboard import login

    monkeypatch.setattr(login, "current_user", lambda: User("v", "viewer"))
    at = AppTest.from_function(_cctv_page, default_timeout=240).run()
    assert not at.exception and "needs the analyst role" in at.error[0].value
    assert not [u for u in at.get("file_uploader") if u.key == "cctv_cameras_file"]
