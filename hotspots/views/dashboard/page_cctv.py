"""CCTV page: camera views, coverage of the selection and its hotspots, redeployable siting,
tasking sheets (CSV and printable HTML), scheduling into the store and the tasking KPI.

Hotspots are the Gi* hot cells of the Map page's default analysis of the selection
(:func:`hotspots.views.dashboard.cached.hot_cells`: its cells, not waiting for its clusters and
forecast); cameras come from the session's store. Every
number is computed by :mod:`hotspots.products.cctv`; this page only shows it.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Literal

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.uploaded_file_manager import UploadedFile

from hotspots import store
from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.io import write_csv
from hotspots.data.select import Selection
from hotspots.products import cctv
from hotspots.products.captions import cell_area_text
from hotspots.views import maps, tables
from hotspots.views.cctv_map import camera_views_layer
from hotspots.views.dashboard import cached, login, overlays
from hotspots.views.dashboard.offline import fresh_copy, st_map
from hotspots.views.dashboard.sidebar import sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset, fingerprint
from hotspots.views.dashboard.store import session_store, store_caption
from hotspots.views.dashboard.table_view import show_table
from hotspots.views.dashboard.text import markdown_text

ANALYSIS: dict = cached.DEFAULT_ANALYSIS
"""The Map page's default analysis, whose Gi* hot cells are the hotspots here."""
EXACT_TIME_LIMIT_S = 10.0
"""Time limit of the exact siting solver (MILP), seconds; past it only a bound is shown."""
_CAMERA_COLUMNS = ["camera_id", "name", "location", "type", "range_m", "bearing_deg", "fov_deg"]
_CAMERA_KEY_COLUMNS = [*_CAMERA_COLUMNS, "lon", "lat", "status"]


def camera_key(cameras: pd.DataFrame) -> str:
    """A fingerprint of the camera table (changes when any camera is added or changed)."""
    return fingerprint(cameras, _CAMERA_KEY_COLUMNS)


# --------------------------------------------------------------------------- cached products


@st.cache_resource(max_entries=16, show_spinner="Checking what the cameras see…")
def _sightings(
    key: str,
    sel_key: str,
    cam_key: str,
    *,
    _inc: gpd.GeoDataFrame,
    _cams: pd.DataFrame,
    _cells: gpd.GeoDataFrame,
) -> cctv.Sightings:
    """Which camera sees which incident, and which hot cell holds it: made once for the
    coverage and the tasking sheet of a selection and camera table."""
    return cctv.sightings(_inc, _cams, hotspots=_cells)


@st.cache_resource(max_entries=16, show_spinner="Checking what the cameras see…")
def _coverage(
    key: str,
    sel_key: str,
    cam_key: str,
    *,
    _inc: gpd.GeoDataFrame,
    _cams: pd.DataFrame,
    _cells: gpd.GeoDataFrame,
) -> cctv.Coverage:
    seen = _sightings(key, sel_key, cam_key, _inc=_inc, _cams=_cams, _cells=_cells)
    return cctv.coverage(_inc, _cams, hotspots=_cells, seen=seen)


@st.cache_resource(max_entries=16, show_spinner="Siting redeployable cameras…")
def _siting(
    key: str,
    sel_key: str,
    cam_key: str,
    k: int,
    range_m: float,
    *,
    _inc: gpd.GeoDataFrame,
    _cams: pd.DataFrame,
    _cells: gpd.GeoDataFrame,
) -> cctv.Siting:
    return cctv.site_cameras(
        _inc,
        cctv.candidate_sites(_cells),
        k=k,
        range_m=range_m,
        cameras=_cams,
        time_limit_s=EXACT_TIME_LIMIT_S,
    )


@st.cache_resource(max_entries=16, show_spinner="Drafting the tasking sheet…")
def _sheet(
    key: str,
    sel_key: str,
    cam_key: str,
    top: int,
    block_hours: int,
    min_incidents: int,
    *,
    _inc: gpd.GeoDataFrame,
    _cams: pd.DataFrame,
    _cells: gpd.GeoDataFrame,
) -> cctv.TaskingSheet:
    seen = _sightings(key, sel_key, cam_key, _inc=_inc, _cams=_cams, _cells=_cells)
    return cctv.tasking_sheet(
        _inc,
        _cams,
        _cells,
        top=top,
        block_hours=block_hours,
        min_incidents=min_incidents,
        seen=seen,
    )


# --------------------------------------------------------------------------- sections


def _coverage_metrics(cov: cctv.Coverage) -> None:
    by_hotspot = cov.by_hotspot
    assert by_hotspot is not None  # _coverage passes the hot cells
    with_incidents = len(cctv.hotspots_with_incidents(cov))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Incidents in view", f"{cov.covered:,}")
    c2.metric("Share of incidents in view", f"{cov.share:.1%}")
    c3.metric("High-count cells with incidents", f"{with_incidents:,}")
    c4.metric("High-count cells no camera sees", f"{len(cctv.uncovered_hotspots(cov)):,}")
    left_out = cov.params["cameras_left_out"]
    empty = len(by_hotspot) - with_incidents
    st.caption(
        f"{cov.incidents:,} incidents in the selection; {cov.params['cameras_used']} active "
        f"cameras counted"
        + (f", {len(left_out)} not active left out ({_statuses(cov)})" if left_out else "")
        + f". High-count cells: hexagons of about {cell_area_text(ANALYSIS['res'])} in "
        f"statistically significant clusters of high counts ({GI_CONFIDENCE[HOT_MIN_BIN]} "
        "confidence or more); a camera sees a cell when it sees one of its incidents."
        + (
            f" {empty:,} more high-count "
            + ("cell has" if empty == 1 else "cells have")
            + " no incident of the selection (high through the cells around) and no camera "
            "can be said to see or miss it: in neither figure."
            if empty
            else ""
        )
    )
    with st.expander("How this was worked out"):
        st.caption(
            f"Getis-Ord Gi* hot cells at H3 resolution {ANALYSIS['res']}, "
            f"{GI_CONFIDENCE[HOT_MIN_BIN]}+ confidence; {cov.params['hotspot_matching']}."
        )


def _coverage_section(cov: cctv.Coverage) -> None:
    st.markdown("**Per camera**")
    show_table(tables.readable(cov.by_camera), key="cctv_by_camera")
    st.markdown("**Per hotspot** (most uncovered incidents first)")
    assert cov.by_hotspot is not None  # _coverage passes the hot cells
    shown = cov.by_hotspot
    if "place" in shown.columns:  # named by street and ward, not by a cell id
        shown = shown.drop(columns=cov.params["hotspot_id"])
    show_table(tables.readable(shown), key="cctv_by_hotspot")


def _statuses(cov: cctv.Coverage) -> str:
    return ", ".join(f"{n} {status}" for status, n in cctv.cameras_left_out(cov).items())


def _uncovered_section(cov: cctv.Coverage) -> None:
    share = st.slider(
        "List hot cells with at most this share of their incidents in view",
        0.0,
        1.0,
        0.0,
        step=0.05,
        format="%.2f",
        key="cctv_max_share",
    )
    table = cctv.uncovered_hotspots(cov, max_share_covered=share)
    st.dataframe(tables.readable(table), hide_index=True, width="stretch", key="cctv_uncovered")
    st.caption(
        f"{len(table)} hot cells, ranked by incidents no camera sees (rank uncovered 1 = most)."
    )


def _siting_section(
    ds: Dataset,
    sel: Selection,
    cam_key: str,
    inc: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    cells: gpd.GeoDataFrame,
) -> cctv.Siting | None:
    if not st.toggle(
        "Plan redeployable cameras",
        key="cctv_plan",
        help="Choose sites for redeployable cameras among the hot cells (greedy, checked "
        "against the exact optimum).",
    ):
        return None
    c1, c2 = st.columns(2)
    k = c1.slider("Redeployable cameras to place", 1, 10, 3, key="cctv_k")
    range_m = c2.slider("Useful range of each (metres)", 25, 300, 100, step=25, key="cctv_range")
    if cctv.candidate_sites(cells).empty:
        st.info("No Gi* hot cell in the selection, so no candidate sites: widen the filters.")
        return None
    plan = _siting(
        ds.key, repr(sel), cam_key, k, float(range_m), _inc=inc, _cams=cameras, _cells=cells
    )
    m1, m2, m3 = st.columns(3)
    m1.metric("Newly in view (greedy choice)", f"{plan.greedy:,.0f}")
    if plan.optimum is not None:
        m2.metric("Best possible (exact)", f"{plan.optimum:,.0f}")
        m3.metric("Greedy / best", f"{plan.ratio:.1%}")
    else:
        m2.metric("Best possible is at most", f"{plan.upper_bound:,.0f}")
        m3.metric("Greedy / bound", f"{plan.share_of_bound:.1%}")
    show_table(tables.readable(plan.chosen), key="cctv_sites")
    p = plan.params
    st.caption(
        f"{p['sites_chosen']} of {p['candidates']} candidate sites (hot-cell centres), each "
        f"camera seeing a {p['range_m']:.0f} m circle; {plan.already_covered:,.0f} of "
        f"{plan.total_weight:,.0f} incidents are already in view of active cameras, "
        f"{plan.available:,.0f} are not. Optimum: {p['exact']}. The greedy choice is never "
        f"below {p['greedy_guarantee']:.0%} of the best possible."
    )
    return plan


def _sheet_title(ds: Dataset, sel: Selection) -> str:
    months = ""
    if sel.start is not None and sel.end is not None:
        months = f", {pd.Timestamp(sel.start):%b %Y}–{pd.Timestamp(sel.end):%b %Y}"
    return f"CCTV tasking sheet — {ds.label}{months}"


def _sheet_section(
    ds: Dataset,
    sel: Selection,
    cam_key: str,
    inc: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    engine: Engine,
) -> None:
    c1, c2, c3 = st.columns(3)
    top = c1.select_slider("Windows per camera and hotspot", [1, 2, 3, 4, 5], 3, key="cctv_top")
    block = c2.select_slider("Window length (hours)", [1, 2, 3, 4, 6], 3, key="cctv_block")
    least = c3.number_input("Incidents in view needed", 1, 100, 5, key="cctv_min_inc")
    sheet = _sheet(
        ds.key, repr(sel), cam_key, top, block, int(least), _inc=inc, _cams=cameras, _cells=cells
    )
    if sheet.note:
        st.info(sheet.note)
    windows = sheet.windows
    show_table(tables.readable(windows), key="cctv_windows")
    on_sheet = sheet.pairs_on_sheet
    st.caption(
        f"{len(windows)} windows for {on_sheet} camera × hot cell pairs where the camera sees at "
        f"least {int(least)} of the cell's incidents ({len(sheet.pairs) - on_sheet} pairs with "
        "fewer are left off)"
        + (
            f"; {sheet.params['windows_dropped']} windows resting on fewer than "
            f"{sheet.params['min_window_incidents']:g} incidents are left off too."
            if sheet.params.get("windows_dropped")
            else "."
        )
    )
    title = _sheet_title(ds, sel)
    d1, d2 = st.columns(2)
    login.download_button(
        d1,
        "Tasking sheet (CSV)",
        lambda: cctv.sheet_csv(sheet),
        file_name="cctv_tasking_sheet.csv",
        mime="text/csv",
        key="cctv_sheet_csv",
    )
    login.download_button(
        d2,
        "Tasking sheet (printable HTML)",
        lambda: _sheet_html(sheet, title=title),
        file_name="cctv_tasking_sheet.html",
        mime="text/html",
        key="cctv_sheet_html",
    )

    st.markdown("**Schedule the windows as taskings**")
    hours = "start_hour" in windows.columns
    if not hours:
        st.caption(
            "These windows are months (the records have no time of day), so they cannot be "
            "scheduled as hours: agree times with the CCTV team, or load a timed incident log."
        )
    start_default = cctv.next_monday(date.today())
    s1, s2, s3, s4 = st.columns(4)
    start = s1.date_input("From", start_default, key="cctv_sched_start")
    end = s2.date_input("Until (not included)", start_default + timedelta(7), key="cctv_sched_end")
    requested = s3.text_input("Requested by", "Community Safety Partnership", key="cctv_req_by")
    rank = s4.select_slider("Windows used (best first)", [1, 2, 3], 1, key="cctv_max_rank")
    if st.button("Schedule taskings", disabled=not hours or windows.empty, key="cctv_schedule"):
        _schedule(engine, sheet, start=start, end=end, requested_by=requested, max_rank=rank)


def _schedule(
    engine: Engine,
    sheet: cctv.TaskingSheet,
    *,
    start: date,
    end: date,
    requested_by: str,
    max_rank: int,
) -> None:
    """Store every occurrence of the sheet's windows in the period, all in one transaction.

    Windows already in the log (same camera, start and hotspot) are not stored twice, so a
    second click adds nothing.
    """
    if end <= start:
        st.error("'Until' must be after 'From': choose the period's end date after its start.")
        return
    plan = cctv.schedule_taskings(
        sheet, start=start, end=end, requested_by=requested_by, max_rank=max_rank
    )
    logged = store.list_taskings(engine, since=start, until=end)
    plan = cctv.new_windows(plan, logged)
    already = plan.attrs["already_logged"]
    if plan.empty:
        st.warning(
            f"Nothing to schedule: {already} windows in that period are already in the log, "
            "and no other window falls in it."
        )
        return
    try:
        report = store.import_records(
            engine,
            io.BytesIO(write_csv(plan, safe=False)),
            "taskings",
            fmt="csv",
            actor=login.current_user(),
        )
    except store.ValidationError as err:
        st.error("Taskings not scheduled — fix these and schedule again:")
        st.text("\n".join(err.problems))
        return
    skipped = f" ({already} already in the log left as they were)" if already else ""
    st.success(
        f"Scheduled {report.inserted} taskings from {start:%d %b %Y} to {end:%d %b %Y}"
        f"{skipped}; they are in the tasking log below."
    )


_IF_STORED: dict[str, Literal["skip", "replace"]] = {
    "Leave them as stored": "skip",
    "Replace them with the file's": "replace",
}


_OUTSIDE_KEY = "cctv_cameras_outside"
"""Session state: the upload refused for cameras far outside the area and why, kept on screen
with the confirmation while that file stays in the uploader."""


def _upload_key(upload: UploadedFile) -> str:
    return str(getattr(upload, "file_id", "") or upload.name)


def _study_area(ds: Dataset) -> store.StudyArea:
    """The area camera lists are checked against: the wards the dashboard shows."""
    return store.StudyArea(f"the wards of {ds.label}", cached.study_area(ds))


def _outside_confirmation(upload: UploadedFile | None) -> bool:
    """Why the file in the uploader was refused (cameras far outside the area) and the box
    that imports it all the same; ``False`` (nothing drawn) for any other file."""
    refused = st.session_state.get(_OUTSIDE_KEY)
    if upload is None or refused is None or refused[0] != _upload_key(upload):
        return False
    st.error("No camera imported — cameras lie far outside the area:")
    st.text("\n".join(refused[1]))
    return st.checkbox(
        "These cameras are this partnership's: import them all the same",
        key="cctv_cameras_outside_ok",
    )


def _import_section(engine: Engine, ds: Dataset, *, expanded: bool) -> None:
    """Import a camera list (CSV or GeoJSON) into the store, all or nothing
    (:func:`hotspots.store.import_records`), checked against the wards shown: analysts and
    admins only; audited."""
    if not login.allowed("edit"):
        return
    with st.expander("Import a camera list (CSV or GeoJSON)", expanded=expanded):
        st.caption(
            "One row (or Point feature) per camera: **camera_id**, **lon** and **lat** (WGS84; "
            "or easting and northing in British National Grid metres), and where known name, "
            "location, area_name, area_code, type (fixed or ptz), range_m, bearing_deg, fov_deg "
            "and status (active, faulty or decommissioned). A camera without a type or range "
            "is taken as a PTZ camera seeing 100 m (correct it later); one without a "
            "camera_id is known by its position (to about a metre), type and name, so importing "
            "the list again does not add it twice. Nothing is stored unless every row is good: "
            "every problem is listed with its lines. Cameras outside the wards shown are named "
            "with how far out "
            f"they lie; a list with cameras more than {store.FAR_OUTSIDE_M / 1000:g} km out "
            "(or all of them out) is imported only once you confirm they are yours."
        )
        upload = st.file_uploader(
            "Camera list", type=["csv", "geojson", "json"], key="cctv_cameras_file"
        )
        stored = st.radio(
            "Cameras already in the store (same camera_id)", list(_IF_STORED),
            horizontal=True, key="cctv_cameras_if_stored",
        )  # fmt: skip
        allow_outside = _outside_confirmation(upload)
        if upload is None or not st.button("Import the cameras", key="cctv_cameras_import"):
            return
        upload.seek(0)
        try:
            report = store.import_records(
                engine, upload, "cameras", if_exists=_IF_STORED[stored],
                area=_study_area(ds), allow_outside=allow_outside, actor=login.current_user(),
            )  # fmt: skip
        except store.OutsideAreaError as err:
            login.audit_upload(upload, f"camera list refused: {'; '.join(err.problems)[:500]}")
            st.session_state[_OUTSIDE_KEY] = (_upload_key(upload), err.problems)
            st.rerun()
        except store.ValidationError as err:
            login.audit_upload(upload, f"camera list refused: {'; '.join(err.problems)[:500]}")
            st.error("No camera imported — fix these rows and import the file again:")
            st.text("\n".join(err.problems))
            return
        except ValueError as err:  # unreadable: not UTF-8, a broken row, not GeoJSON
            login.audit_upload(upload, f"camera list refused: {str(err)[:500]}")
            st.error(f"No camera imported: {markdown_text(err)}")
            return
    st.session_state.pop(_OUTSIDE_KEY, None)
    login.audit_upload(upload, f"camera list: {report.inserted} new, {report.updated} replaced")
    chosen = "; ".join(f"{k}: {v}" for k, v in report.defaults_applied.items())
    st.session_state["cctv_import_report"] = (
        f"Imported {markdown_text(upload.name)}: {report.inserted} new camera(s), "
        f"{report.updated} replaced, {report.skipped} left as stored."
        + (f" Filled in: {markdown_text(chosen)}." if chosen else "")
        + "".join(f" Note: {markdown_text(note)}." for note in report.notes)
    )
    st.session_state["cctv_import_warnings"] = report.warnings
    st.rerun()


_REMOVE_IDS, _REMOVE_SURE = "cctv_remove_ids", "cctv_remove_confirm"
_REMOVED_KEY = "cctv_remove_message"


def _unsure() -> None:
    """A changed choice of cameras must be confirmed again."""
    st.session_state[_REMOVE_SURE] = False


def _remove(engine: Engine, labels: dict[str, str]) -> None:
    """Remove the chosen cameras, all or none, once confirmed (audited with the user): admins
    only."""
    state = st.session_state
    chosen = list(state.get(_REMOVE_IDS) or [])
    if not (state.get(_REMOVE_SURE) and chosen):
        return
    if not login.allowed("delete"):
        state[_REMOVED_KEY] = ("error", "No camera removed: only an admin removes cameras.")
        return
    try:
        removed = store.delete_records(engine, "cameras", chosen, actor=login.current_user())
    except (store.ValidationError, KeyError) as err:
        problems = err.problems if isinstance(err, store.ValidationError) else [err.args[0]]
        state[_REMOVED_KEY] = ("error", "No camera removed: " + "; ".join(problems))
        return
    state[_REMOVE_IDS], state[_REMOVE_SURE] = [], False
    named = "; ".join(labels.get(camera, camera) for camera in chosen)
    state[_REMOVED_KEY] = ("success", f"Removed {removed} camera(s) from the store: {named}.")


def _remove_section(engine: Engine, cameras: pd.DataFrame) -> None:
    """Remove cameras chosen by name from the store, all or none, after a confirmation: admins
    only, as every deletion (``delete`` in :data:`hotspots.core.access.PERMISSIONS`); audited
    (:func:`hotspots.store.delete_records`). Analysts are told who removes cameras."""
    if not login.allowed("delete"):
        if login.allowed("edit"):
            st.caption(
                "Cameras are removed from the store by an admin: ask one, naming the cameras. "
                "To take a camera out of coverage yourself, set its status to decommissioned "
                "in the camera list and import it again, replacing the stored cameras."
            )
        return
    with st.expander("Remove cameras"):
        labels = {row["camera_id"]: store.camera_label(row) for row in cameras.to_dict("records")}
        chosen = st.multiselect(
            "Cameras to remove",
            list(labels),
            format_func=lambda camera: labels.get(camera, camera),
            placeholder="Choose cameras by name or id",
            on_change=_unsure,
            key=_REMOVE_IDS,
        )
        sure = st.checkbox(
            f"Yes, remove these {len(chosen)} camera(s) from the store"
            if chosen
            else "Yes, remove the cameras chosen from the store",
            disabled=not chosen,
            key=_REMOVE_SURE,
        )
        st.button(
            "Remove the cameras",
            disabled=not (chosen and sure),
            on_click=_remove,
            args=(engine, labels),
            key="cctv_remove",
        )
        st.caption(
            "The removal is recorded in the audit log with your name. A camera with taskings "
            "in the log is kept (the log keeps its history): set its status to decommissioned "
            "in the camera list and import it again, replacing the stored cameras."
        )


def _log_section(
    engine: Engine,
    *,
    empty: str = "No taskings logged yet: schedule the windows on the Tasking sheet tab.",
) -> None:
    log = store.list_taskings(engine)
    if log.empty:
        st.info(empty)
        return
    kpi = cctv.tasking_kpi(log)
    st.markdown("**Taskings per month** (the CSP's CCTV measure)")
    st.bar_chart(kpi, x="month", y="taskings", height=260)
    st.dataframe(
        tables.readable(kpi),
        hide_index=True,
        column_config={"Month": st.column_config.DateColumn("Month", format="MMM YYYY")},
        key="cctv_kpi",
    )
    st.markdown(f"**Tasking log** ({len(log):,})")
    st.dataframe(
        tables.readable(log.sort_values("window_start", ascending=False)),
        hide_index=True,
        width="stretch",
        key="cctv_log",
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _map_layers(
    key: str,
    sel_key: str,
    cam_key: str,
    *,
    _ds: Dataset,
    _cams: pd.DataFrame,
    _hot: gpd.GeoDataFrame,
) -> list[folium.FeatureGroup]:
    """The map's wards, Gi* hot cells (``_hot``: :func:`hotspots.products.cctv.hot_areas` of
    the selection's cells) and cameras (per selection and camera table; st_map draws a fresh
    copy of each)."""
    return [
        cached.wards_layer(_ds),
        maps.gistar_layer(_hot, name="Significant clusters of high counts (Gi*)"),
        *_camera_layers(cam_key, _cams=_cams),
    ]


@st.cache_resource(max_entries=4, show_spinner=False)
def _camera_layers(cam_key: str, *, _cams: pd.DataFrame) -> list[folium.FeatureGroup]:
    """The cameras' views and points, per camera table (not again at each filter change)."""
    return [camera_views_layer(_cams), overlays.cameras_layer(_cams)]


def _map(
    ds: Dataset,
    sel: Selection,
    cam_key: str,
    cameras: pd.DataFrame,
    hot: gpd.GeoDataFrame,
    plan: cctv.Siting | None,
) -> None:
    layers = list(_map_layers(ds.key, repr(sel), cam_key, _ds=ds, _cams=cameras, _hot=hot))
    if plan is not None and len(plan.chosen):
        proposed = cctv.proposed_cameras(plan)
        layers.append(camera_views_layer(proposed, name="Proposed redeployable sites"))
    base = maps.base_map(ds.wards)
    fresh_copy(cached.ward_names_layer(ds)).add_to(base)
    st_map(
        base,
        key="cctv_map",
        feature_group_to_add=layers,
        layer_control=folium.LayerControl(collapsed=True),
        height=560,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption(
        "Green: active cameras' views (sectors for fixed cameras, circles for PTZ); orange: "
        "faulty; purple: proposed redeployable sites; red to yellow: high-count cells."
    )


def render() -> None:
    """Draw the CCTV page."""
    login.require("edit")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="CCTV: coverage, siting and taskings")
    engine = session_store()
    st.caption(store_caption())
    with st.container():  # one place whatever it holds: the sections below keep theirs, and
        # an expander open there stays open when the messages go
        if "cctv_import_report" in st.session_state:
            st.success(st.session_state.pop("cctv_import_report"))
        for warning in st.session_state.pop("cctv_import_warnings", []):
            st.warning(markdown_text(warning))
        removed = st.session_state.pop(_REMOVED_KEY, None)  # said even when none is left
        if removed is not None:
            getattr(st, removed[0])(markdown_text(removed[1]))
    cameras = store.list_cameras(engine)
    inc = cached.selected(ds, sel)
    if cameras.empty:
        st.info("No cameras in the store: import a camera list (CSV or GeoJSON) first.")
        _import_section(engine, ds, expanded=True)
        _log_section(engine, empty="No taskings logged yet: they are scheduled from the "
                     "tasking sheet, once there are cameras.")  # fmt: skip
        return
    _import_section(engine, ds, expanded=False)
    _remove_section(engine, cameras)
    if len(inc) == 0:
        st.warning("No incidents match the filters: widen the months, groups or wards.")
        return
    try:
        cells = cached.hot_cells(ds, sel, res=ANALYSIS["res"], k=ANALYSIS["k"])
    except ValueError as err:
        st.warning(markdown_text(err))
        return
    cam_key = camera_key(cameras)
    cov = _coverage(ds.key, repr(sel), cam_key, _inc=inc, _cams=cameras, _cells=cells)
    _coverage_metrics(cov)
    map_slot = st.container()
    tabs = st.tabs(
        ["Coverage", "Uncovered hotspots", "Redeployable siting", "Tasking sheet", "Tasking log"]
    )
    with tabs[0]:
        _coverage_section(cov)
    with tabs[1]:
        _uncovered_section(cov)
    with tabs[2]:
        plan = _siting_section(ds, sel, cam_key, inc, cameras, cells)
    with tabs[3]:
        _sheet_section(ds, sel, cam_key, inc, cameras, cells, engine)
    with tabs[4]:
        _log_section(engine)
    # the hot cells the coverage used (made once per selection with its sightings)
    seen = _sightings(ds.key, repr(sel), cam_key, _inc=inc, _cams=cameras, _cells=cells)
    assert seen.member is not None  # made: the hot cells are given
    hot = seen.member.areas
    with map_slot:
        _map(ds, sel, cam_key, cameras, hot, plan)


def _sheet_html(sheet: cctv.TaskingSheet, *, title: str) -> str:
    """The tasking sheet as HTML (its module, with matplotlib's PDF backend, imported on
    first use: not at every server start)."""
    from hotspots.views.documents.tasking_sheet import sheet_html

    return sheet_html(sheet, title=title)
