"""Data page: load police.uk files or a council CSV (with a column map), see the load report,
download the rows set aside. The demo data loads by default. Analysts and admins only: the
uploads are copied to a temporary folder only while they are read (:mod:`.uploads`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from hotspots.core.io import write_csv
from hotspots.data import boundaries, workspace
from hotspots.data.ingest import ColumnMap, IngestError, load
from hotspots.data.ingest.dates import order_words
from hotspots.data.ingest.report import LoadReport, quarantine_by_reason
from hotspots.space.areas import districts_wards, read_boundaries
from hotspots.views import tables
from hotspots.views.dashboard import login
from hotspots.views.dashboard.sidebar import meeting_toggle
from hotspots.views.dashboard.state import (
    Dataset,
    build_dataset,
    current_dataset,
    open_workspace_root,
    use_dataset,
)
from hotspots.views.dashboard.text import markdown_text
from hotspots.views.dashboard.uploads import (
    Upload,
    header_of,
    is_policeuk,
    public_message,
    public_result,
    quarantine_shown,
    uploaded_copies,
    without_folders,
)

_NONE = "(not in this file)"
_FIELDS = {
    "incident_id": "Incident reference",
    "datetime": "Date and time (one column)",
    "date": "Date",
    "time": "Time",
    "datetime_to": "Window end: date and time",
    "date_to": "Window end: date",
    "time_to": "Window end: time",
    "lat": "Latitude",
    "lon": "Longitude",
    "easting": "Easting (metres)",
    "northing": "Northing (metres)",
    "crime_type": "Incident type / category",
    "location": "Location (street)",
}


_CURRENT = "the current wards"


@st.cache_data(show_spinner=False)
def _district_choices() -> dict[str, list[str]]:
    """:func:`hotspots.data.boundaries.area_choices`, once per server."""
    return boundaries.area_choices()


def _column_map_form(columns: list[str], key: str) -> ColumnMap:
    """Selectboxes for every ColumnMap field, pre-filled with the guess from column names."""
    guess = ColumnMap.guess(columns)
    options = [_NONE, *columns]
    chosen: dict[str, str | None] = {}
    cols = st.columns(3)
    for i, (field, label) in enumerate(_FIELDS.items()):
        current = getattr(guess, field)
        choice = cols[i % 3].selectbox(
            label, options, index=options.index(current) if current in options else 0,
            key=f"{key}:{field}",
        )  # fmt: skip
        chosen[field] = None if choice == _NONE else choice
    return dataclasses.replace(ColumnMap(), **chosen)


def _load_form(ds: Dataset) -> None:
    st.subheader("Load your own data")
    st.caption(
        "police.uk street-level CSVs or the zip data.police.uk hands out; a council ASB log or "
        "command-and-control export (CSV: say which column is which below); or a point layer "
        "(GeoJSON, GeoPackage, GeoParquet)."
    )
    if open_workspace_root() is not None:
        st.caption(
            "Files added here are saved into this workspace (per source and month) and are "
            "there after a reload or a restart; with your own ward boundaries they are loaded "
            "for this session only."
        )
    else:
        st.caption("Files loaded here are kept for this session only.")
    files = st.file_uploader(
        "Incident files",
        type=["csv", "zip", "geojson", "json", "gpkg", "parquet"],
        accept_multiple_files=True,
        key="upload_files",
    )
    if not files:
        return
    csvs = [f for f in files if f.name.lower().endswith(".csv")]
    generic = [f for f in csvs if not is_policeuk(header_of(f))]
    root = open_workspace_root()
    source: str | None = None
    saved: dict[str, Any] = {}  # the source's [[sources]] entry: its column map, date order
    if generic and root is not None:
        source, saved = _source_choice(root, generic)
    columns = None
    crs = None
    if generic and saved.get("columns"):
        st.caption(
            f"The column map saved for {markdown_text(source)} is used (as at its first add)."
        )
    elif generic:
        st.markdown(f"**Column map** for {markdown_text(', '.join(f.name for f in generic))}")
        columns = _column_map_form(header_of(generic[0]), key="colmap")
        crs = st.text_input("CRS of easting/northing (blank: decide from the values)", "") or None
    try:
        dayfirst = _date_order(root, source, saved) if generic else True  # police.uk: months
    except ValueError as err:  # a date_order in hotspots.toml that is no order
        st.error(markdown_text(str(err)))
        return
    district = _CURRENT
    if root is None:  # a workspace keeps its own district
        district = st.selectbox(
            "Wards of",
            [_CURRENT, *_district_choices()],  # the names; their codes looked up on loading
            format_func=lambda c: f"the current wards ({ds.label})" if c == _CURRENT else c,
            key="upload_district",
            help="The district your data cover: its 2013 wards and 2011 residents come from "
            "the national boundary pack (England and Wales). Or upload your own ward "
            "boundaries below.",
        )
    wards_file = st.file_uploader(
        "Your own ward boundaries (optional: GeoJSON, GeoPackage; instead of the district's)",
        type=["geojson", "json", "gpkg"],
        key="upload_wards",
    )
    if root is not None and wards_file is None:
        st.caption(
            f"Added to the workspace {markdown_text(root.name)}: incidents outside its area "
            "are set aside."
        )
        unnamed = bool(generic) and source is None
        if st.button("Add to the workspace", type="primary", key="upload_add", disabled=unnamed):
            council = generic
            others = [f for f in files if not any(f is g for g in generic)]
            done = [  # police.uk files keep police.uk's name; the council files are `source`
                _add_to_workspace(root, others, columns=None, crs=None, dayfirst=dayfirst),
                _add_to_workspace(
                    root, council, source=source, columns=columns, crs=crs, dayfirst=dayfirst
                ),
            ]
            if "upload_report" in st.session_state:
                use_dataset(None)
            if all(done):
                st.rerun()
        return
    clip = st.checkbox("Keep only incidents inside the wards", value=True, key="upload_clip")
    if not st.button("Load", type="primary"):
        return
    uploads = [*files, *([wards_file] if wards_file else [])]
    names = ", ".join(f.name for f in uploads)
    with uploaded_copies(uploads) as paths:
        try:
            wards, population = ds.wards, ds.ward_population
            if wards_file:
                wards, population = read_boundaries(paths[-1]), None
            elif district != _CURRENT:
                wards, population = districts_wards(_district_choices()[district])
            result = load(
                paths[: len(files)],
                columns=columns,
                crs=crs,
                dayfirst=dayfirst,
                study_area=wards if clip else None,
            )
            result = public_result(result, paths)
        except (IngestError, ValueError, OSError) as err:
            message = public_message(err, paths)
            login.audit("upload", names[:300], f"refused: {message}")
            st.error(markdown_text(message))
            return
    login.audit("upload", names[:300], f"{result.report.rows_kept} incidents kept")
    if result.report.rows_kept == 0:
        st.error(_nothing_kept(result.report, district, own_wards=wards_file is not None, ds=ds))
        return
    label = ", ".join(f.name for f in files)[:60]
    use_dataset(build_dataset(result, label=label, wards=wards, ward_pop=population))
    st.success(f"Loaded {result.report.rows_kept:,} incidents from {markdown_text(label)}.")
    st.rerun()


def _date_order(root: Path | None, source: str | None, saved: Mapping[str, Any]) -> bool:
    """Whether the council files' dates are day first: the order saved with the workspace's
    source (said, not asked: one source's files are all read one way), else as the analyst
    says (saved with the source when added to a workspace)."""
    ws = None if root is None else workspace.read_workspace(root)
    order = None if ws is None else workspace.source_dayfirst(ws, saved)
    if order is not None:
        st.caption(
            f"Dates are read {order_words(order)}, as saved for {markdown_text(source)} at its "
            "first add (date_order in hotspots.toml: change it there if the council now writes "
            "them the other way)."
        )
        return order
    saved_with = "Saved with the source: its next files are read the same way."
    choice = st.radio(
        "Dates like 01/02/2021 are",
        ["1 February (UK)", "2 January (US)"],
        key="upload_date_order",
        help=None if ws is None else saved_with,
    )
    return choice == "1 February (UK)"


def _nothing_kept(report: LoadReport, district: str, *, own_wards: bool, ds: Dataset) -> str:
    """Why an upload kept no incident, in words: outside the wards (choose the district), or
    the reasons its rows were set aside."""
    read = report.rows_read
    outside = report.quarantined.get("outside_study_area", 0)
    if outside * 2 >= read:
        area = (
            "your ward boundaries"
            if own_wards
            else f"the current wards ({markdown_text(ds.label)})"
            if district == _CURRENT
            else f"the wards of {district}"
        )
        return (
            f"None of the {read:,} rows lies inside {area}: choose the district your data "
            'cover under "Wards of" (or upload its ward boundaries).'
        )
    labels = tables.QUARANTINE_LABELS
    why = "; ".join(f"{labels.get(r, r)}: {n:,}" for r, n in report.quarantined.items())
    return f"None of the {read:,} rows could be kept: {why}."


_NEW_SOURCE = "A new source…"


def _source_choice(root: Path, generic: Sequence[Upload]) -> tuple[str | None, dict[str, Any]]:
    """Which source the council files are, as ``hotspots add --source``: one of the
    workspace's own sources (the one, when there is one; its saved column map and date order
    are reused) or a new one named here. Returns the name (``None`` until chosen) and the
    source's saved ``[[sources]]`` entry (empty for a new one)."""
    sources = workspace.own_sources(root)
    options = [*sources, _NEW_SOURCE]
    choice = st.selectbox(
        "Which source are these files?",
        options,
        index=0 if len(sources) <= 1 else None,  # several: the analyst chooses
        placeholder="Choose the source",
        key="upload_source",
        help="The next file of the same log (the next half-year, say) goes in the same "
        "source: its months add to the source's and its column map and date order are reused.",
    )
    if choice is None:
        return None, {}
    if choice == _NEW_SOURCE:
        name = st.text_input(
            "Name of the new source",
            workspace.log_source_name(generic[0].name),
            key="upload_source_name",
        )
        return name.strip() or None, {}
    return choice, sources[choice]


def _add_to_workspace(
    root: Path,
    files: Sequence[Upload],
    *,
    source: str | None = None,
    columns: ColumnMap | None,
    crs: str | None,
    dayfirst: bool,
) -> bool:
    """Save the uploads into the open workspace as ``source`` (``None``: police.uk's files,
    or named after the file), per source and month; the temporary copies read are removed,
    and the upload is audited. What was added is kept for the page to show; False when
    refused (the page says why)."""
    if not files:
        return True
    names = ", ".join(f.name for f in files)[:300]
    with uploaded_copies(files) as paths:
        try:
            report = workspace.add(
                root, paths, source=source, columns=columns, crs=crs, dayfirst=dayfirst
            )
        except (IngestError, ValueError, OSError) as err:
            message = public_message(err, paths, root)
            login.audit("upload", names, f"refused: {message}")
            st.error(markdown_text(message))
            return False
    if report.nothing:
        login.audit("upload", names, f"nothing added to the workspace {root.name}")
    else:
        login.audit("upload", names, f"added to the workspace {root.name}")
        st.session_state["upload_added"] = True
    before = st.session_state.get("upload_report")
    st.session_state["upload_report"] = "\n".join(filter(None, [before, report.summary()]))
    st.session_state.setdefault("upload_warnings", []).extend(report.warnings)
    return True


def _remove_form(root: Path) -> None:
    """Take a source's months out of the open workspace (:func:`workspace.remove`): admins
    only (``delete``), audited, after a tick that says it is for good."""
    held = workspace.stored_coverage(root)
    if not held.sources or not login.allowed("delete"):
        return
    with st.expander("Remove months from the workspace (a wrong file added)"):
        source = st.selectbox("Source", sorted(held.sources), key="remove_source")
        months = st.multiselect(
            "Months",
            [str(m) for m in held.months(source)],
            format_func=lambda m: f"{pd.Period(m, freq='M'):%b %Y}",
            key="remove_months",
        )
        sure = st.checkbox(
            "Remove them for good (to have them back, add their files again)", key="remove_sure"
        )
        if not st.button("Remove from the workspace", disabled=not (months and sure)):
            return
        target = f"{source} {', '.join(months)}"[:300]
        try:
            report = workspace.remove(root, source, months)
        except (ValueError, OSError) as err:
            message = public_message(err, [], root)
            login.audit("delete", target, f"refused: {message}")
            st.error(markdown_text(message))
            return
        login.audit("delete", target, f"removed from the workspace {root.name}")
        st.session_state["remove_report"] = report.summary()
        st.rerun()


@st.cache_data(max_entries=4, show_spinner=False)
def _quarantine_csv(key: str, *, _ds: Dataset) -> bytes:
    return write_csv(_ds.quarantine)


def render() -> None:
    """Draw the Data page."""
    login.require("upload")
    ds = current_dataset()
    meeting_toggle()
    st.title("Data: load and quality")
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows read", f"{ds.report.rows_read:,}")
    c2.metric("Incidents kept", f"{ds.report.rows_kept:,}")
    c3.metric("Rows set aside", f"{len(ds.quarantine):,}")
    st.caption(f"Showing **{markdown_text(ds.label)}**.")
    root = open_workspace_root()
    if root is not None:
        st.caption(
            f"Workspace: {root.name}. Files added here are saved into it (per source and month: "
            "the same month twice changes nothing) and stay after a reload.",
            unsafe_allow_html=False,
        )
    if "upload_report" in st.session_state:
        if st.session_state.pop("upload_added", False):
            st.success("Added to the workspace.")
        else:
            st.warning("Nothing was added to the workspace: the report below says why.")
        for warning in st.session_state.pop("upload_warnings", []):  # a month cut short
            st.warning(markdown_text(without_folders(warning)))
        report = tables.report_text(st.session_state.pop("upload_report"))
        st.code(without_folders(report), language=None)
    if "remove_report" in st.session_state:
        st.success("Removed from the workspace.")
        report = tables.report_text(st.session_state.pop("remove_report"))
        st.code(without_folders(report), language=None)
    if st.session_state.get("hotspots_dataset") is not None and st.button("Back to the demo"):
        use_dataset(None)
        st.rerun()

    if len(ds.quarantine):
        st.subheader("Rows set aside (quarantine)")
        by_reason = quarantine_by_reason(ds.quarantine)
        st.dataframe(tables.readable(by_reason), hide_index=True)
        login.download_button(
            st,
            "Download the rows set aside (CSV)",
            lambda: _quarantine_csv(ds.key, _ds=ds),
            file_name="quarantine.csv",
            mime="text/csv",
        )
        st.dataframe(
            tables.readable(quarantine_shown(ds.quarantine)), hide_index=True, width="stretch"
        )
    with st.expander("Load report", expanded=False):
        st.code(without_folders(tables.report_text(ds.report.summary())), language=None)
    _load_form(ds)
    if root is not None:
        _remove_form(root)
