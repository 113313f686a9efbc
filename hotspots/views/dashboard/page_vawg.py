"""VAWG page: walkabouts and their feedback on a map, feedback → actions, the actions tracker,
and VAWG-relevant recorded crime near the feedback.

A walkabout (date, area, organiser, agencies, how many took part: never who) is recorded by
the form under the feedback form (:func:`hotspots.store.add_walkabout`); the points made on it
name it.

A click on this page's map places a new feedback point; the short form beside it (reason,
comment, time of concern, severity, walkabout) is validated by
:func:`hotspots.store.clean_record` and saved by :func:`hotspots.store.add_feedback` in one
transaction. Recorded crime reaches this page only as counts: H3 cells of the VAWG-relevant
incidents that may be mapped (:func:`hotspots.core.disclosure.mappable`), counts near each feedback
point (sensitive counts below :data:`hotspots.core.disclosure.MIN_COUNT` suppressed) and Gi* hot
cells.
Text a user typed is shown as text (tables, escaped popups), never as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from hotspots import store
from hotspots.core.defaults import H3_RES
from hotspots.data.select import Selection, values_present
from hotspots.products import vawg
from hotspots.products.captions import cell_area_text
from hotspots.views import maps, tables
from hotspots.views.dashboard import cached, overlays
from hotspots.views.dashboard.login import current_user, require
from hotspots.views.dashboard.moderation import moderation_section
from hotspots.views.dashboard.offline import fresh_copy, st_map
from hotspots.views.dashboard.sidebar import sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset, fingerprint
from hotspots.views.dashboard.store import session_store, store_caption
from hotspots.views.dashboard.text import markdown_text

MAP_KEY = "vawg_map"
"""Widget key of the page's map; its state holds the last click (``last_clicked``)."""
LAT_KEY, LON_KEY = "vawg_lat", "vawg_lon"
"""Session-state keys of the new point's latitude and longitude (set by a click on the map,
or typed): what the feedback form saves."""
_SEEN_KEY = "vawg_click_seen"
_MESSAGES_KEY = "vawg_messages"
CELL_RES = H3_RES
"""H3 resolution of the recorded-crime cells (about 0.1 km² hexagons)."""

REASON_LABELS = store.REASON_LABELS
"""Display label of each reason code (its one home: :data:`hotspots.store.REASON_LABELS`)."""
STATUS_LABELS = store.STATUS_LABELS
_NO_WALKABOUT = ""
_WALKABOUT_FIELDS = tuple(f.name for f in store.RECORD_FIELDS["walkabouts"][1:])
"""The walkabout form's fields, the record's but its id (widget keys ``vawg_walk_<field>``)."""


# --------------------------------------------------------------------------- pure helpers


def new_click(map_state: Mapping[str, Any] | None, seen: Any) -> tuple[float, float] | None:
    """The point of a click on the map not handled yet, as ``(lat, lon)`` rounded to 6 dp.

    Parameters
    ----------
    map_state
        What ``st_folium`` returned for the map (``{"last_clicked": {"lat":, "lng":}}``), or
        ``None`` before the map has drawn.
    seen
        The click handled last (so that the same click does not place the point again after
        the form has saved it and cleared the point).

    Examples
    --------
    >>> new_click({"last_clicked": {"lat": 51.7532123, "lng": -0.4712}}, None)
    (51.753212, -0.4712)
    >>> new_click({"last_clicked": {"lat": 51.75, "lng": -0.47}}, {"lat": 51.75, "lng": -0.47})
    """
    clicked = (map_state or {}).get("last_clicked")
    if not clicked or clicked == seen:
        return None
    return round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6)


def feedback_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """The feedback form's values as a record for :func:`hotspots.store.add_feedback`.

    Blank answers stay blank so that :func:`hotspots.store.clean_record` names what is
    missing; the comment is kept verbatim.

    Examples
    --------
    >>> feedback_record({"lat": 51.75, "lon": -0.47, "reason": "no_cctv", "comment": "<b>",
    ...                  "time_of_concern": "night", "severity": 4, "walkabout_id": ""})["comment"]
    '<b>'
    """
    return {
        "lat": values.get("lat"),
        "lon": values.get("lon"),
        "reason": values.get("reason"),
        "comment": values.get("comment") or "",
        "time_of_concern": values.get("time_of_concern"),
        "severity": values.get("severity"),
        "walkabout_id": values.get("walkabout_id") or None,
    }


# --------------------------------------------------------------------------- cached analysis


@st.cache_resource(max_entries=16, show_spinner=False)
def _recorded(key: str, sel_key: str, *, _inc: gpd.GeoDataFrame) -> vawg.RecordedCrime:
    return vawg.recorded_crime(_inc, res=CELL_RES)


@st.cache_resource(max_entries=16, show_spinner="Finding hot cells no walkabout reached…")
def _unwalked(
    key: str,
    sel_key: str,
    feedback_key: str,
    distance_m: float,
    *,
    _inc: gpd.GeoDataFrame,
    _feedback: pd.DataFrame,
    _ds: Dataset,
) -> gpd.GeoDataFrame:
    return vawg.uncovered_hot_cells(
        _inc, _feedback, study_area=cached.study_area(_ds), res=CELL_RES, distance_m=distance_m
    )


# --------------------------------------------------------------------------- callbacks


def _say(kind: str, level: str, text: str, items: tuple[str, ...] = ()) -> None:
    """Keep a message for the form ``kind`` (callbacks run before the page is drawn).

    ``level`` is ``success``, ``warning`` or ``error``; ``items`` are listed under the text
    (Markdown-escaped, as they may quote what the user typed).
    """
    st.session_state.setdefault(_MESSAGES_KEY, {}).setdefault(kind, []).append((level, text, items))


def _show(kind: str) -> None:
    for level, text, items in st.session_state.get(_MESSAGES_KEY, {}).pop(kind, []):
        listed = "\n".join(f"- {markdown_text(item)}" for item in items)
        getattr(st, level)(f"{text}\n\n{listed}" if listed else text)


def _save_feedback() -> None:
    state = st.session_state
    record = feedback_record(
        {
            "lat": state.get(LAT_KEY),
            "lon": state.get(LON_KEY),
            "reason": state.get("vawg_reason"),
            "comment": state.get("vawg_comment"),
            "time_of_concern": state.get("vawg_time"),
            "severity": state.get("vawg_severity"),
            "walkabout_id": state.get("vawg_walkabout"),
        }
    )
    try:
        saved = store.add_feedback(session_store(), record, actor=current_user())
    except store.ValidationError as err:
        _say(
            "feedback",
            "error",
            "Feedback point not saved — fix these and save again:",
            tuple(err.problems),
        )
        return
    _say("feedback", "success", f"Saved feedback point {saved.id}.")
    state["vawg_action_feedback"] = saved.id  # the point just added is the one to act on
    state[LAT_KEY] = state[LON_KEY] = None
    state["vawg_comment"] = ""
    state["vawg_reason"] = None


_WALKABOUT_LABELS = {
    "participants": "People taking part",
    "organiser": "Organised by",
    "area": "Area walked",
    "agencies": "Agencies taking part",
    "start_time": "Start",
    "end_time": "End",
    "date": "Date",
}
"""The walkabout form's labels of the store's field names, for its messages."""


def _in_form_words(problem: str) -> str:
    """A store's problem (``"participants is required"``) in the form's words ("People
    taking part is required")."""
    field, _, rest = problem.partition(" ")
    return f"{_WALKABOUT_LABELS[field]} {rest}" if field in _WALKABOUT_LABELS else problem


def _save_walkabout() -> None:
    state = st.session_state
    # blank answers stay blank: the store names what is missing (an empty time is no time)
    record = {name: state.get(f"vawg_walk_{name}") for name in _WALKABOUT_FIELDS}
    try:
        saved = store.add_walkabout(session_store(), record, actor=current_user())
    except store.ValidationError as err:
        _say(
            "walkabout",
            "error",
            "Walkabout not saved — fix these and save again:",
            tuple(_in_form_words(problem) for problem in err.problems),
        )
        return
    _say("walkabout", "success", f"Saved walkabout {saved.id}: new feedback points name it.")
    state["vawg_walkabout"] = saved.id  # the next points are made on it
    # ready for the next one (the date and organiser are likely the same)
    state["vawg_walk_area"] = state["vawg_walk_agencies"] = ""
    state["vawg_walk_start_time"] = state["vawg_walk_end_time"] = None
    state["vawg_walk_participants"] = None


def _save_action() -> None:
    state = st.session_state
    fid: str = state["vawg_action_feedback"]  # the form's selectbox always has a value
    record = {
        "feedback_id": fid,
        "description": state.get(f"vawg_action_desc_{fid}"),
        "owner_agency": state.get(f"vawg_action_owner_{fid}"),
        "due_date": state.get(f"vawg_action_due_{fid}"),
    }
    try:
        saved = store.add_action(session_store(), record, actor=current_user())
    except store.ValidationError as err:
        _say("action", "error", "Action not saved — fix these and save again:", tuple(err.problems))
        return
    _say("action", "success", f"Created action {saved.id} for feedback point {markdown_text(fid)}.")
    if saved.warnings:
        _say("action", "warning", "Please check:", saved.warnings)


def _change_status() -> None:
    state = st.session_state
    action_id: str = state["vawg_track_action"]  # the form's selectboxes always have a value
    try:
        store.update_action_status(
            session_store(),
            action_id,
            state["vawg_track_status"],
            note=state.get("vawg_track_note") or "",
            updated_by=state.get("vawg_track_by") or "",
            actor=current_user(),
        )
    except (store.ValidationError, KeyError) as err:
        problems = err.problems if isinstance(err, store.ValidationError) else [str(err)]
        _say("status", "error", "Status not changed:", tuple(problems))
        return
    status = STATUS_LABELS[state["vawg_track_status"]]
    _say("status", "success", f"Action {markdown_text(action_id)} is now {status}.")
    state["vawg_track_note"] = ""


# --------------------------------------------------------------------------- sections


def _take_click() -> None:
    """Put a new click on the map into the form's latitude and longitude."""
    state = st.session_state
    map_state = state.get(MAP_KEY)
    point = new_click(map_state, state.get(_SEEN_KEY))
    if point is not None:
        state[_SEEN_KEY] = (map_state or {}).get("last_clicked")
        state[LAT_KEY], state[LON_KEY] = point
    state.setdefault(LAT_KEY, None)
    state.setdefault(LON_KEY, None)


def _filters(walkabouts: pd.DataFrame) -> dict[str, Any]:
    c1, c2, c3 = st.columns([3, 2, 2])
    reasons = c1.multiselect(
        "Reasons",
        list(store.REASONS),
        format_func=REASON_LABELS.__getitem__,
        key="vawg_f_reasons",
        placeholder="All reasons",
    )
    severity = c2.select_slider(
        "Severity at least", options=[1, 2, 3, 4, 5], value=1, key="vawg_f_severity"
    )
    ids = [None, *walkabouts["walkabout_id"]]
    names = _walkabout_names(walkabouts)
    walkabout = c3.selectbox(
        "Walkabout",
        ids,
        format_func=lambda w: "All points" if w is None else names.get(w, w),
        key="vawg_f_walkabout",
    )
    return {"reasons": reasons or None, "min_severity": severity, "walkabout_id": walkabout}


def _walkabout_names(walkabouts: pd.DataFrame) -> dict[str, str]:
    return {w.walkabout_id: f"{w.date:%d %b %Y} — {w.area}" for w in walkabouts.itertuples()}


def _feedback_form(walkabouts: pd.DataFrame) -> None:
    st.subheader("Add a feedback point")
    if st.session_state.get(LAT_KEY) is None:
        st.info("Click the map where the concern is (or type its latitude and longitude).")
    names = _walkabout_names(walkabouts)
    with st.form("vawg_feedback_form", border=True):
        c1, c2 = st.columns(2)
        c1.number_input("Latitude", value=None, format="%.6f", step=0.0001, key=LAT_KEY)
        c2.number_input("Longitude", value=None, format="%.6f", step=0.0001, key=LON_KEY)
        st.selectbox(
            "Reason",
            list(store.REASONS),
            index=None,
            format_func=REASON_LABELS.__getitem__,
            placeholder="Choose the main reason",
            key="vawg_reason",
            help="One reason per point; mark a second point for another concern.",
        )
        st.text_area("What was said (no names)", max_chars=4000, key="vawg_comment")
        c3, c4 = st.columns(2)
        c3.selectbox(
            "Time of concern",
            list(store.TIMES_OF_CONCERN),
            index=list(store.TIMES_OF_CONCERN).index("all"),
            format_func=str.capitalize,
            key="vawg_time",
        )
        c4.select_slider(
            "Severity (1 low – 5 high)", options=[1, 2, 3, 4, 5], value=3, key="vawg_severity"
        )
        st.selectbox(
            "Walkabout",
            [_NO_WALKABOUT, *walkabouts["walkabout_id"]],
            format_func=lambda w: "Not on a walkabout" if w == _NO_WALKABOUT else names.get(w, w),
            key="vawg_walkabout",
        )
        st.form_submit_button("Save feedback point", type="primary", on_click=_save_feedback)
    _show("feedback")
    _walkabout_form()


def _walkabout_form() -> None:
    """Record a walkabout, so that the feedback points made on it can name it."""
    with st.expander(
        "Record a walkabout",
        expanded=bool(st.session_state.get(_MESSAGES_KEY, {}).get("walkabout")),
    ):
        with st.form("vawg_walkabout_form", border=False):
            st.date_input("Date", value=date.today(), format="DD/MM/YYYY", key="vawg_walk_date")
            c1, c2 = st.columns(2)
            c1.time_input("Start (optional)", value=None, step=900, key="vawg_walk_start_time")
            c2.time_input("End (optional)", value=None, step=900, key="vawg_walk_end_time")
            st.text_input(
                "Area walked",
                max_chars=200,
                key="vawg_walk_area",
                placeholder="e.g. Town centre to the station",
            )
            st.text_input(
                "Organised by (an agency or team, not a person)",
                max_chars=200,
                key="vawg_walk_organiser",
            )
            st.text_input("Agencies taking part", max_chars=1000, key="vawg_walk_agencies")
            st.number_input(
                "People taking part",
                min_value=0,
                max_value=100_000,
                value=None,
                step=1,
                key="vawg_walk_participants",
            )
            st.caption("Walkabouts record no names of people.")
            st.form_submit_button("Save walkabout", on_click=_save_walkabout)
        _show("walkabout")


def _feedback_table(feedback: gpd.GeoDataFrame, walkabouts: pd.DataFrame) -> None:
    st.subheader(f"Feedback points ({len(feedback)})")
    st.caption("Newest first.")
    columns = [
        "feedback_id",
        "walkabout_id",
        "reason",
        "severity",
        "time_of_concern",
        "comment",
        "created_at",
        "lat",
        "lon",
    ]
    newest = pd.DataFrame(feedback[columns]).sort_values(
        ["created_at", "feedback_id"], ascending=False, ignore_index=True
    )
    # each walkabout by its date and area, a point made on none said so (not "None")
    names = _walkabout_names(walkabouts)
    newest["walkabout_id"] = [
        "Not on a walkabout" if pd.isna(w) or w == "" else names.get(w, w)
        for w in newest["walkabout_id"]
    ]
    st.dataframe(
        tables.readable(newest),
        hide_index=True,
        width="stretch",
        column_config={"Comment": st.column_config.TextColumn("Comment", width="large")},
        key="vawg_feedback_table",
    )


def _to_action(feedback: gpd.GeoDataFrame) -> None:
    if feedback.empty:
        st.info("No feedback point matches the filters.")
        return
    rows = feedback.set_index("feedback_id")
    fid = st.selectbox(
        "Feedback point",
        list(rows.index),
        format_func=lambda f: (
            f"{f} — {REASON_LABELS[rows.at[f, 'reason']]}, severity {rows.at[f, 'severity']}"
        ),
        key="vawg_action_feedback",
    )
    st.text(f"Comment: {rows.at[fid, 'comment']}")
    draft = vawg.draft_actions(rows.loc[[fid]].reset_index(), start=date.today())
    suggestion = draft.iloc[0]
    with st.form("vawg_action_form"):
        st.text_area("Action", value=suggestion["description"], key=f"vawg_action_desc_{fid}")
        c1, c2 = st.columns(2)
        c1.text_input(
            "Owner agency", value=suggestion["owner_agency"], key=f"vawg_action_owner_{fid}"
        )
        c2.date_input("Due date", value=suggestion["due_date"], key=f"vawg_action_due_{fid}")
        st.form_submit_button("Create action", on_click=_save_action)
    st.caption(
        "Suggested from the reason code and the severity (due in "
        f"{vawg.DAYS_BY_SEVERITY[int(suggestion['severity'])]} days); edit before creating."
    )
    _show("action")


def _tracker(engine: Engine) -> None:
    everything = store.list_actions(engine)
    if everything.empty:
        st.info("No actions yet: turn a feedback point into an action.")
        return
    c1, c2 = st.columns(2)
    statuses = c1.multiselect(
        "Status",
        list(store.ACTION_STATUSES),
        format_func=STATUS_LABELS.__getitem__,
        key="vawg_t_status",
        placeholder="All statuses",
    )
    owners = values_present(everything, "owner_agency")
    owner = c2.selectbox("Owner agency", [None, *owners], key="vawg_t_owner", format_func=_all)
    actions = store.list_actions(engine, statuses=statuses or None, owner_agency=owner)
    counts = vawg.action_counts(actions)
    m1, m2, m3 = st.columns(3)
    m1.metric("Actions", counts["actions"])
    m2.metric("Open or in progress", counts["open"])
    m3.metric("Overdue", counts["overdue"])
    columns = [
        "action_id",
        "feedback_id",
        "reason",
        "description",
        "owner_agency",
        "due_date",
        "status",
        "overdue",
        "days_overdue",
        "updates",
    ]
    shown = tables.readable(pd.DataFrame(actions[columns]))
    st.dataframe(
        shown.style.apply(_overdue_rows, axis=1),
        hide_index=True,
        width="stretch",
        column_config={"Due": st.column_config.DateColumn("Due")},
        key="vawg_actions_table",
    )
    st.caption("Overdue actions (open or in progress, due date passed) are shaded red, first.")

    with st.form("vawg_status_form"):
        c1, c2 = st.columns(2)
        c1.selectbox("Action", list(everything["action_id"]), key="vawg_track_action")
        c2.selectbox(
            "New status",
            list(store.ACTION_STATUSES),
            format_func=STATUS_LABELS.__getitem__,
            key="vawg_track_status",
        )
        c3, c4 = st.columns(2)
        c3.text_input("Note", key="vawg_track_note")
        c4.text_input("Updated by (agency)", key="vawg_track_by")
        st.form_submit_button("Record the change", on_click=_change_status)
    _show("status")
    chosen = st.session_state.get("vawg_track_action")
    if chosen:
        st.markdown(f"**History of {markdown_text(chosen)}**")
        history = store.action_history(engine, chosen)
        st.dataframe(
            tables.readable(history[["at", "status_from", "status_to", "note", "updated_by"]]),
            hide_index=True,
            width="stretch",
            key="vawg_history_table",
        )


def _all(value: str | None) -> str:
    return "All" if value is None else value


def _overdue_rows(row: pd.Series) -> list[str]:
    style = "background-color: #fbd5d0" if row["Overdue"] == "Yes" else ""
    return [style] * len(row)


def _near(feedback: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> None:
    distance = st.slider(
        "Distance from each feedback point (metres)", 25, 500, 100, step=25, key="vawg_near_m"
    )
    if feedback.empty:
        st.info("No feedback point matches the filters.")
        return
    near = vawg.feedback_near_incidents(feedback, inc, distance_m=float(distance))
    st.dataframe(tables.readable(near), hide_index=True, width="stretch", key="vawg_near_table")
    st.caption(
        f"VAWG-relevant recorded incidents of the selection ({near.attrs['incidents_counted']:,}) "
        f"within {distance} m of each point; no incident location is shown. Sensitive offences "
        "(domestic abuse, sexual offences, stalking) are not counted around points, only in "
        "the Areas page's ward table, so no figure here can be set against another to place "
        "a victim."
    )


def _unwalked_section(unwalked: gpd.GeoDataFrame | None, why: str) -> None:
    if unwalked is None:
        st.info(why)
        return
    p = unwalked.attrs["params"]
    st.dataframe(
        tables.readable(unwalked),
        hide_index=True,
        width="stretch",
        key="vawg_unwalked_table",
    )
    st.caption(
        f"{len(unwalked)} of {p['hot_cells']} places with significantly high counts of "
        f"VAWG-relevant crime have no feedback point within {p['distance_m']:.0f} m — places "
        f"for the next walkabout. {p['incidents_analysed']:,} incidents analysed (sensitive "
        f"ones left out); {p['feedback_points']} feedback points (the filters above)."
    )
    with st.expander("How this was worked out"):
        st.caption(
            f"Places: Getis-Ord Gi* hot cells (H3 resolution {p['res']}, hexagons of about "
            f"{cell_area_text(int(p['res']))}; neighbours {p['k']} ring(s) away; confidence bin "
            f"{p['min_gi_bin']} or more)."
        )


def _map(
    ds: Dataset,
    sel: Selection,
    inc: gpd.GeoDataFrame,
    feedback: gpd.GeoDataFrame,
    unwalked: gpd.GeoDataFrame | None,
) -> None:
    layers = [cached.wards_layer(ds)]
    recorded = _recorded(ds.key, repr(sel), _inc=inc)
    if recorded.cells is not None:
        layers.append(
            maps.hex_layer(
                recorded.cells,
                legend_title="VAWG-relevant crime per cell",
                colormap="PuRd",
                name="VAWG-relevant recorded crime",
            )
        )
    if unwalked is not None:
        layers.append(maps.gistar_layer(unwalked, name="High-count cells no walkabout reached"))
    layers.append(overlays.feedback_layer(feedback))
    state = st.session_state
    if state.get(LAT_KEY) is not None and state.get(LON_KEY) is not None:
        pending = folium.FeatureGroup(name="New point (not saved)")
        folium.CircleMarker(
            [state[LAT_KEY], state[LON_KEY]],
            radius=9,
            color="#000000",
            weight=2,
            fill=True,
            fill_color="#ffff33",
            fill_opacity=0.9,
        ).add_to(pending)
        layers.append(pending)
    base = maps.base_map(ds.wards)
    fresh_copy(cached.ward_names_layer(ds)).add_to(base)
    st_map(
        base,
        key=MAP_KEY,
        feature_group_to_add=layers,
        layer_control=folium.LayerControl(collapsed=True),
        height=600,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    st.caption(
        f"{recorded.mapped:,} VAWG-relevant recorded incidents in the selection, mapped as "
        f"counts per hexagon; {recorded.not_mapped} sensitive ones (domestic abuse, sexual "
        "offences, stalking) are never mapped. Navy dots with a white ring, above the cells: "
        "feedback points (the filters above)."
    )


def render() -> None:
    """Draw the VAWG page."""
    require("edit")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="VAWG: walkabout feedback and actions")
    engine = session_store()
    _take_click()
    st.caption(store_caption())
    walkabouts = store.list_walkabouts(engine)
    filters = _filters(walkabouts)
    feedback = store.list_feedback(engine, **filters)
    inc = cached.selected(ds, sel)

    left, right = st.columns([2, 1])
    with right:
        _feedback_form(walkabouts)
    map_slot = left.container()
    _feedback_table(feedback, walkabouts)

    tabs = st.tabs(
        [
            "Turn a point into an action",
            "Actions tracker",
            "Feedback near recorded incidents",
            "High-count cells with no walkabout",
            "Moderate feedback",
        ]
    )
    with tabs[0]:
        _to_action(feedback)
    with tabs[1]:
        _tracker(engine)
    with tabs[2]:
        _near(feedback, inc)
    with tabs[3]:
        walked = st.slider(
            "A hot cell counts as walked when a feedback point is within (metres)",
            0,
            500,
            200,
            step=25,
            key="vawg_walked_m",
        )
        unwalked, why = None, ""
        try:
            key = fingerprint(feedback, ["feedback_id", "lon", "lat"])
            unwalked = _unwalked(
                ds.key, repr(sel), key, float(walked), _inc=inc, _feedback=feedback, _ds=ds
            )
        except ValueError as err:
            why = f"No hot cells to list: {err}."
        _unwalked_section(unwalked, why)
    with tabs[4]:
        moderation_section(feedback, reason_labels=REASON_LABELS)
    with map_slot:
        _map(ds, sel, inc, feedback, unwalked)
