"""Load anything: dispatch files to the right reader and combine the results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.data import schema
from hotspots.data.ingest import coords
from hotspots.data.ingest.columns import ColumnMap, as_column_map
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import (
    CSV_SUFFIXES,
    SIDECAR_SUFFIXES,
    TEXT_SUFFIX,
    VECTOR_SUFFIXES,
    SourceFile,
    Sources,
    expand,
    progress_bar,
    without_copies,
)
from hotspots.data.ingest.policeuk import STREET_COLUMNS, read_policeuk_files
from hotspots.data.ingest.policeukapi import looks_like_api_json
from hotspots.data.ingest.report import LoadReport, LoadResult, empty_quarantine, merge_reports
from hotspots.data.ingest.studyarea import StudyArea, describe_study_area, resolve_study_area
from hotspots.data.ingest.table import read_incident_file
from hotspots.data.ingest.taxonomy import Taxonomy, as_taxonomy
from hotspots.data.ingest.textfile import decode_text
from hotspots.data.ingest.vector import read_vector
from hotspots.data.schema import WGS84, WORKING_CRS

_OUTCOME_HEADER = "Outcome type"
_STOP_SEARCH_HEADER = "Part of a policing operation"


def load(
    sources: Sources,
    *,
    columns: ColumnMap | Mapping[str, str] | None = None,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    crs: str | None = None,
    dayfirst: bool = True,
    progress: bool = False,
) -> LoadResult:
    """Load incidents from any mix of files, folders and zip archives.

    police.uk street-level files (recognised by name or header) and police.uk API crime
    JSON (a ``.json`` list rather than a GeoJSON object) are read together by
    :func:`read_policeuk` (so a Crime ID repeated across them is caught); police.uk
    outcomes and stop-and-search files are skipped; other CSVs go to
    :func:`read_incident_csv` (``columns`` given, or guessed from common names) and vector
    files to :func:`read_vector`. Shapefile sidecars (.shx, .dbf, ...) are read with their
    .shp. The results of several readers are combined with :func:`concat_results` (one
    reader's is its own: its working CRS is already the one its points give).

    Parameters
    ----------
    sources
        Files, folders (recursively) or zip archives.
    columns
        The ColumnMap for non-police.uk files; ``None`` guesses from column names.
    study_area, taxonomy, crs, dayfirst
        As for :func:`read_incident_csv` (``crs`` applies to generic CSVs).
    progress
        Show a progress bar on large inputs.

    Raises
    ------
    IngestError
        Nothing loadable among the sources, or an unusable file.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> load(datasets.herts_policeuk_zip()).report.rows_read
    108465
    """
    files, copies = without_copies(expand(sources))
    cmap = as_column_map(columns)
    area = None if study_area is None else resolve_study_area(study_area)
    table = as_taxonomy(taxonomy)
    policeuk, csvs, vectors, skipped = _dispatch(files)
    results: list[LoadResult] = []
    if policeuk:
        results.append(
            read_policeuk_files(policeuk, study_area=area, taxonomy=table, progress=progress)
        )
        _relabel_area(results[-1], study_area)
    with progress_bar(csvs + vectors, enabled=progress) as bar:
        for file in csvs:
            results.append(
                read_incident_file(
                    file, cmap, crs=crs, study_area=area, taxonomy=table, dayfirst=dayfirst
                )
            )
            _relabel_area(results[-1], study_area)
            bar.update(file.size)
        for file in vectors:
            results.append(
                read_vector(
                    file.path, columns=cmap, study_area=area, taxonomy=table, dayfirst=dayfirst
                )
            )
            _relabel_area(results[-1], study_area)
            bar.update(file.size)
    if not results:
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "no files"
        raise IngestError(f"nothing to load among the sources ({why})")
    combined = results[0] if len(results) == 1 else concat_results(results)
    combined.report.files_skipped.update(skipped | copies)
    return combined


def concat_results(results: Sequence[LoadResult]) -> LoadResult:
    """Combine several loads into one: incidents, quarantines and reports.

    The working CRS is chosen again from all incidents (``schema.working_crs_for``) and
    ``x``/``y`` recomputed where a part used another one. Quarantines are stacked with the
    union of their columns.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> a = load(datasets.herts_policeuk_zip())
    >>> both = concat_results([a, a])
    >>> both.report.rows_read == 2 * a.report.rows_read
    True
    """
    if not results:
        return LoadResult(schema.empty_incidents(), empty_quarantine(), LoadReport())
    parts = [r.incidents for r in results]
    lonlat = [_lonlat(p) for p in parts]
    lon = np.concatenate([x for x, _ in lonlat])
    lat = np.concatenate([y for _, y in lonlat])
    working = schema.working_crs_for(lon, lat)
    fixed = [_to_working(p, working) for p in parts]
    incidents = gpd.GeoDataFrame(pd.concat(fixed, ignore_index=True), crs=WGS84)
    incidents.attrs[WORKING_CRS] = working
    quarantines = [r.quarantine for r in results if len(r.quarantine)]
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else empty_quarantine()
    report = merge_reports(r.report for r in results)
    report.working_crs = working
    return LoadResult(incidents, quarantine, report)


def _lonlat(part: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``part.geometry.x`` and ``.y`` as arrays: by shapely at once when every geometry is a
    point that is not empty (what the readers make), else by geopandas (which raises for other
    geometries and gives NaN for empty or missing ones)."""
    geometries = np.asarray(part.geometry.array)
    if (shapely.get_type_id(geometries) == 0).all() and not shapely.is_empty(geometries).any():
        return shapely.get_x(geometries), shapely.get_y(geometries)
    return part.geometry.x.to_numpy(), part.geometry.y.to_numpy()


def _to_working(part: gpd.GeoDataFrame, working: str) -> gpd.GeoDataFrame:
    if part.attrs.get(WORKING_CRS) == working or part.empty:
        return part
    part = part.copy()
    part["x"], part["y"] = coords.transform(
        WGS84, working, part.geometry.x.to_numpy(), part.geometry.y.to_numpy()
    )
    part.attrs[WORKING_CRS] = working
    return part


def _relabel_area(result: LoadResult, study_area: StudyArea | None) -> None:
    """Readers got the resolved polygon; report what the caller passed."""
    if study_area is not None:
        result.report.study_area = describe_study_area(study_area)


def policeuk_files(files: Sequence[SourceFile]) -> list[SourceFile]:
    """The files of ``files`` read as police.uk's street-level crime (:func:`_dispatch`)."""
    return _dispatch(files)[0]


def _dispatch(
    files: Sequence[SourceFile],
) -> tuple[list[SourceFile], list[SourceFile], list[SourceFile], dict[str, str]]:
    policeuk: list[SourceFile] = []
    csvs: list[SourceFile] = []
    vectors: list[SourceFile] = []
    skipped: dict[str, str] = {}
    for file in files:
        suffix = file.suffix
        if suffix in CSV_SUFFIXES or (suffix == TEXT_SUFFIX and file.explicit):
            kind = policeuk_kind(file)
            if kind == "street":
                policeuk.append(file)
            elif kind:
                skipped[file.label] = f"a police.uk {kind} file, not street-level crime"
            else:
                csvs.append(file)
        elif looks_like_api_json(file):
            policeuk.append(file)
        elif suffix in VECTOR_SUFFIXES and file.member is None:
            vectors.append(file)
        elif suffix in VECTOR_SUFFIXES:
            skipped[file.label] = "a vector file inside a zip archive: extract it first"
        elif suffix in SIDECAR_SUFFIXES:
            skipped[file.label] = "a shapefile sidecar (read with its .shp)"
        else:
            skipped[file.label] = f"unsupported file type {suffix or '(none)'!r}"
    return policeuk, csvs, vectors, skipped


def policeuk_kind(file: SourceFile) -> str | None:
    """``"street"``, ``"outcomes"``, ``"stop-and-search"`` or ``None`` (not police.uk),
    by name, else by the header."""
    name = file.name.lower().removesuffix(".gz")
    for kind in ("street", "outcomes", "stop-and-search"):
        if name.endswith(f"-{kind}.csv"):
            return kind
    try:
        head = file.head()
        header = decode_text(head, name=file.label).data.split(b"\n", 1)[0].decode("utf-8")
    except (IngestError, OSError, EOFError):
        return None  # the CSV reader will raise the full error with the whole file
    if _STOP_SEARCH_HEADER in header:
        return "stop-and-search"
    if _OUTCOME_HEADER in header:
        return "outcomes"
    if all(column in header for column in (*STREET_COLUMNS[:2], "Crime type", "Longitude")):
        return "street"
    return None
