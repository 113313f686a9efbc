"""Data page: load police.uk files or a council CSV (with a column map), see the load report,
download the rows set aside. The demo data loads by default."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import streamlit as st

from hotspots.core.io import write_csv
from hotspots.data.ingest import ColumnMap, IngestError, load
from hotspots.data.ingest.columns import csv_header
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.ingest.report import quarantine_by_reason
from hotspots.space.areas import read_boundaries
from hotspots.views.dashboard.sidebar import meeting_toggle
from hotspots.views.dashboard.state import Dataset, build_dataset, current_dataset, use_dataset

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


def _is_policeuk(columns: list[str]) -> bool:
    return set(STREET_COLUMNS) <= set(columns)


def _save_uploads(files: list) -> list[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hotspots-upload-"))
    paths = []
    for file in files:
        path = folder / Path(file.name).name
        path.write_bytes(file.getvalue())
        paths.append(path)
    return paths


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
        "(GeoJSON, GeoPackage, GeoParquet). Files stay on this server for this session only."
    )
    files = st.file_uploader(
        "Incident files",
        type=["csv", "zip", "geojson", "json", "gpkg", "parquet"],
        accept_multiple_files=True,
        key="upload_files",
    )
    if not files:
        return
    paths = _save_uploads(files)
    csvs = [p for p in paths if p.suffix.lower() == ".csv"]
    generic = [p for p in csvs if not _is_policeuk(csv_header(p))]
    columns = None
    crs = None
    if generic:
        st.markdown(f"**Column map** for {', '.join(p.name for p in generic)}")
        columns = _column_map_form(csv_header(generic[0]), key="colmap")
        crs = st.text_input("CRS of easting/northing (blank: decide from the values)", "") or None
    dayfirst = st.radio("Dates like 01/02/2021 are", ["1 February (UK)", "2 January (US)"]) == (
        "1 February (UK)"
    )
    wards_file = st.file_uploader(
        "Ward boundaries (optional: GeoJSON, GeoPackage; default the current wards)",
        type=["geojson", "json", "gpkg"],
        key="upload_wards",
    )
    clip = st.checkbox("Keep only incidents inside the wards", value=True, key="upload_clip")
    if not st.button("Load", type="primary"):
        return
    try:
        wards = read_boundaries(_save_uploads([wards_file])[0]) if wards_file else ds.wards
        result = load(
            paths,
            columns=columns,
            crs=crs,
            dayfirst=dayfirst,
            study_area=wards if clip else None,
        )
    except (IngestError, ValueError) as err:
        st.error(str(err))
        return
    label = ", ".join(p.name for p in paths)[:60]
    population = ds.ward_population if wards_file is None else None
    use_dataset(build_dataset(result, label=label, wards=wards, ward_pop=population))
    st.success(f"Loaded {result.report.rows_kept:,} incidents from {label}.")
    st.rerun()


@st.cache_data(max_entries=4, show_spinner=False)
def _quarantine_csv(key: str, *, _ds: Dataset) -> bytes:
    return write_csv(_ds.quarantine)


def render() -> None:
    """Draw the Data page."""
    ds = current_dataset()
    meeting_toggle()
    st.title("Data: load and quality")
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows read", f"{ds.report.rows_read:,}")
    c2.metric("Incidents kept", f"{ds.report.rows_kept:,}")
    c3.metric("Rows set aside", f"{len(ds.quarantine):,}")
    st.caption(f"Showing **{ds.label}**.")
    if st.session_state.get("hotspots_dataset") is not None and st.button("Back to the demo"):
        use_dataset(None)
        st.rerun()

    if len(ds.quarantine):
        st.subheader("Rows set aside (quarantine)")
        by_reason = quarantine_by_reason(ds.quarantine)
        st.dataframe(by_reason, hide_index=True)
        st.download_button(
            "Download the rows set aside (CSV)",
            _quarantine_csv(ds.key, _ds=ds),
            file_name="quarantine.csv",
            mime="text/csv",
        )
        st.dataframe(ds.quarantine.head(200), hide_index=True, width="stretch")
    with st.expander("Load report", expanded=False):
        st.code(ds.report.summary(), language=None)
    _load_form(ds)
