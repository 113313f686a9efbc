"""Read a generic incident CSV (council ASB log, police command-and-control export)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from hotspots.data.ingest import assemble, coords, csvscan, mapped
from hotspots.data.ingest.columns import ColumnMap, as_column_map, check_columns
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import SourceFile, expand
from hotspots.data.ingest.report import LoadReport, LoadResult
from hotspots.data.ingest.studyarea import StudyArea, describe_study_area, resolve_study_area
from hotspots.data.ingest.taxonomy import Taxonomy, as_taxonomy


def read_incident_csv(
    path: str | Path,
    columns: ColumnMap | Mapping[str, str],
    *,
    source: str | None = None,
    crs: str | None = None,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    dayfirst: bool = True,
) -> LoadResult:
    """Load incidents from a CSV whose columns are named by ``columns``.

    Parameters
    ----------
    path
        A CSV file (``.csv.gz`` too) in UTF-8 (with or without BOM), cp1252 or Latin-1,
        comma-, semicolon-, tab- or pipe-delimited.
    columns
        A :class:`ColumnMap` or ``{field: column}``: a location pair (``lat``+``lon``,
        ``easting``+``northing`` or ``x``+``y``), ``datetime`` or ``date`` (+ ``time``),
        optionally a window end (``datetime_to`` or ``date_to`` + ``time_to``),
        ``incident_id``, ``crime_type``, ``location``, ``lsoa_code``.
    source
        Value of the ``source`` column; default the file name without suffixes.
    crs
        CRS of the coordinates; ``None`` decides from the values (lon/lat or British
        National Grid metres).
    study_area, taxonomy
        As for :func:`read_policeuk`.
    dayfirst
        Read ``01/02/2021`` as 1 February (UK) rather than 2 January.

    Returns
    -------
    LoadResult
        Times keep their time of day: ``time_precision`` is ``"minute"``, ``"hour"`` (every
        time on the hour) or ``"day"`` (no time); ``occurred_to`` is the window end, or
        equals ``occurred_from`` when there is no window.

    Raises
    ------
    IngestError
        Empty, binary or undecodable file; a column named in the map is missing; no
        location pair or date in the map.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> cmap = ColumnMap(datetime="datetime_local", crime_type="offense", lat="lat", lon="lon")
    >>> result = read_incident_csv(datasets.timed_path("houston"), cmap)
    >>> result.incidents.attrs["working_crs"], result.report.time_precision
    ('EPSG:32615', {'hour': 86309})
    """
    files = expand(path)
    if len(files) != 1:
        raise IngestError(
            f"{path}: read_incident_csv reads one CSV file; use load() for folders and archives"
        )
    cmap = as_column_map(columns)
    if cmap is None:
        raise IngestError(f"{path}: columns is required (a ColumnMap or {{field: column}})")
    return read_incident_file(
        files[0],
        cmap,
        source=source,
        crs=crs,
        study_area=study_area,
        taxonomy=taxonomy,
        dayfirst=dayfirst,
    )


def read_incident_file(
    file: SourceFile,
    cmap: ColumnMap | None,
    *,
    source: str | None = None,
    crs: str | None = None,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    dayfirst: bool = True,
) -> LoadResult:
    """:func:`read_incident_csv` for one expanded file; ``cmap=None`` guesses the columns."""
    table = csvscan.read_table(file)
    report = LoadReport(files_read=[file.label], encodings={file.label: table.encoding})
    if cmap is None:
        cmap = ColumnMap.guess(table.columns)
        report.parameters[f"{file.label}: columns guessed"] = "yes (pass columns= to override)"
    check_columns(cmap, table.columns, source=file.label)
    if table.delimiter != ",":
        report.parameters[f"{file.label}: delimiter"] = repr(table.delimiter)
    report.notes += table.notes()
    raw, labels, lines = csvscan.stack([table])
    first, second = cmap.pair
    assert cmap.kind is not None  # check_columns requires a location pair
    located = coords.locate(
        raw[first], raw[second], kind=cmap.kind, crs=crs, names=(first, second), source=file.label
    )
    report.crs[file.label] = f"{located.crs} ({located.how})"
    staged = mapped.stage(
        raw,
        labels,
        lines,
        located,
        cmap,
        source=source or file.stem,
        stem=file.stem,
        dayfirst=dayfirst,
        report=report,
    )
    malformed = csvscan.malformed_quarantine(table)
    staged.prequarantined = [] if malformed is None else [malformed]
    return assemble.finish(
        staged,
        study_area=None if study_area is None else resolve_study_area(study_area),
        study_area_label=None if study_area is None else describe_study_area(study_area),
        taxonomy=as_taxonomy(taxonomy),
    )
