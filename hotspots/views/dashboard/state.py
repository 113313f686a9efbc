"""The dataset the dashboard shows, loaded once and cached.

A :class:`Dataset` is the canonical incidents (wards joined; sensitive ones only from groups
of 5 or more: :func:`hotspots.core.disclosure.disclosable`), the ward polygons and their
population, and what the loader reported (of every row read). The demo (Dacorum police.uk
records plus the synthetic council log) loads by default; the Data page can put an upload in
its place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from hotspots.core.defaults import WORKSPACE_ENV
from hotspots.core.disclosure import disclosable
from hotspots.data import boundaries, datasets, workspace
from hotspots.data.coverage import Coverage
from hotspots.data.ingest import LoadReport, LoadResult, concat_results
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.space.areas import (
    assign_areas,
    load_population,
    read_boundaries,
    ward_population,
    workspace_areas,
)
from hotspots.views.dashboard import disk_cache
from hotspots.views.dashboard.text import markdown_text

_SESSION_KEY = "hotspots_dataset"


@dataclass(frozen=True)
class Dataset:
    """What every page reads. ``key`` identifies it in caches (changes with the data)."""

    key: str
    label: str
    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    ward_population: pd.DataFrame | None
    quarantine: pd.DataFrame
    report: LoadReport
    coverage: Coverage | None = None
    """Months each source covers (a workspace's, or those of the incidents)."""
    content_key: str | None = None
    """A key of the input files' bytes, when known (the demo): analyses of the dataset may
    then be kept in the disk cache (``key`` fingerprints the incident ids only)."""


def fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """A cache key of ``frame[columns]``: 12 hex digits that change when any value does.

    Examples
    --------
    >>> fingerprint(store.list_cameras(engine), ["camera_id", "lon", "lat"])  # doctest: +SKIP
    '5c0f3e2a91d4'
    """
    hashed = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy().tobytes()
    return hashlib.sha1(hashed).hexdigest()[:12]


def _content_key(incidents: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> str:
    """A cache key of everything a page can draw from a dataset: every column of every
    incident (ids, places in metres, types, months, flags, wards) and the wards' codes, names
    and outlines. Two uploads with the same file names and incident ids but other contents
    never share a cached result (about 0.08 s for 105k incidents)."""
    columns = [c for c in incidents.columns if c != incidents.geometry.name]
    digest = hashlib.sha1(fingerprint(pd.DataFrame(incidents[columns]), columns).encode())
    digest.update(
        fingerprint(
            pd.DataFrame(wards.drop(columns=wards.geometry.name)),
            [c for c in wards.columns if c != wards.geometry.name],
        ).encode()
    )
    for wkb in shapely.to_wkb(wards.geometry.to_numpy()):
        digest.update(wkb)
    return digest.hexdigest()[:16]


def build_dataset(
    result: LoadResult,
    *,
    label: str,
    wards: gpd.GeoDataFrame,
    ward_pop: pd.DataFrame | None,
    joined: bool = False,
    coverage: Coverage | None = None,
) -> Dataset:
    """Join wards to a load result (unless ``joined``), keep the incidents every page may count
    (:func:`hotspots.core.disclosure.disclosable`: no sensitive group under 5 reaches a page) and
    fingerprint it for the caches."""
    incidents = disclosable(result.incidents if joined else assign_areas(result.incidents, wards))
    return Dataset(
        key=f"{label}:{_content_key(incidents, wards)}",
        label=label,
        incidents=incidents,
        wards=wards,
        ward_population=ward_pop,
        quarantine=result.quarantine,
        report=result.report,
        coverage=coverage or Coverage.of(incidents),
    )


@st.cache_resource(show_spinner="Loading the Dacorum demo data…")
def demo_dataset() -> Dataset:
    """Dacorum police.uk records (real) and the synthetic council log, wards joined.

    Read from the disk cache (:mod:`~hotspots.views.dashboard.disk_cache`) when the bundled
    data and the code are those it was built from, so a new server shows the demo at once."""
    data = datasets.data_dir()
    inputs = disk_cache.files_key([data / "demo", data / "boundaries", data / "lookups"])
    dataset = disk_cache.cached_on_disk("demo-dataset", [inputs], _build_demo_dataset)
    return dataclasses.replace(dataset, content_key=f"demo:{inputs}")


def _build_demo_dataset() -> Dataset:
    wards = read_boundaries(datasets.wards_path(datasets.DACORUM))
    lsoas = read_boundaries(datasets.lsoas_path(datasets.DACORUM))
    pop = ward_population(wards, lsoas, load_population())
    pop.attrs["vintage"] = boundaries.VINTAGE  # Dacorum's 2013 wards and 2011 LSOAs
    result = concat_results([load_demo_policeuk(), load_demo_log()])
    return build_dataset(result, label="Dacorum demo", wards=wards, ward_pop=pop)


def open_workspace_root() -> Path | None:
    """The workspace the dashboard was opened on (``$HOTSPOTS_WORKSPACE``), or ``None`` (demo).

    ``hotspots dashboard DIR`` sets the variable; ``make dashboard`` leaves it unset and the
    bundled demo (itself a workspace, ``data/demo/workspace``) is shown.
    """
    root = os.environ.get(WORKSPACE_ENV, "").strip()
    return Path(root) if root else None


def workspace_dataset(root: Path) -> Dataset:
    """The open workspace's data, read again whenever its manifest or settings change."""
    stamps = tuple(
        p.stat().st_mtime_ns if p.exists() else 0
        for p in (root / workspace.CONFIG, root / "data" / "manifest.json")
    )
    return _workspace_dataset(str(root.resolve()), stamps)


@st.cache_resource(max_entries=2, show_spinner="Loading the workspace…")
def _workspace_dataset(root: str, stamps: tuple[int, ...]) -> Dataset:
    data = workspace.open_workspace(root)
    incidents, wards, population = workspace_areas(data)
    result = LoadResult(incidents, data.quarantine, data.load.report)
    return build_dataset(
        result,
        label=data.workspace.title,
        wards=wards,
        ward_pop=population,
        joined=True,
        coverage=data.coverage,
    )


def current_dataset() -> Dataset:
    """The dataset of this browser session: an upload when there is one, else the open
    workspace (``$HOTSPOTS_WORKSPACE``), else the demo."""
    upload = st.session_state.get(_SESSION_KEY)
    if upload is not None:
        return upload
    root = open_workspace_root()
    if root is None:
        return demo_dataset()
    try:
        return workspace_dataset(root)
    except ValueError as err:  # a new workspace holds no data yet
        st.info(f"{markdown_text(err)}. Until then the demo is shown; add files on the Data page.")
        return demo_dataset()


def use_dataset(dataset: Dataset | None) -> None:
    """Show ``dataset`` on every page from now on (``None``: back to the demo)."""
    if dataset is None:
        st.session_state.pop(_SESSION_KEY, None)
    else:
        st.session_state[_SESSION_KEY] = dataset
