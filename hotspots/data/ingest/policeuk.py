"""Read data.police.uk street-level crime files: one CSV, a folder of months, or the zip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from hotspots.data.ingest import assemble, coords, csvscan, dates, ids, policeukapi
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import SourceFile, Sources, expand, progress_bar, read_each
from hotspots.data.ingest.report import LoadReport, LoadResult
from hotspots.data.ingest.studyarea import StudyArea, describe_study_area, resolve_study_area
from hotspots.data.ingest.taxonomy import Taxonomy, as_taxonomy
from hotspots.data.schema import WGS84

STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)  # fmt: skip
"""The columns of a data.police.uk street-level crime CSV."""

FORCE_NAMES: frozenset[str] = frozenset({
    "avon-and-somerset", "bedfordshire", "btp", "cambridgeshire", "cheshire", "city-of-london",
    "cleveland", "cumbria", "derbyshire", "devon-and-cornwall", "dorset", "durham",
    "dyfed-powys", "essex", "gloucestershire", "greater-manchester", "gwent", "hampshire",
    "hertfordshire", "humberside", "kent", "lancashire", "leicestershire", "lincolnshire",
    "merseyside", "metropolitan", "norfolk", "north-wales", "north-yorkshire",
    "northamptonshire", "northern-ireland", "northumbria", "nottinghamshire", "south-wales",
    "south-yorkshire", "staffordshire", "suffolk", "surrey", "sussex", "thames-valley",
    "warwickshire", "west-mercia", "west-midlands", "west-yorkshire", "wiltshire",
})  # fmt: skip
"""The police forces as data.police.uk names them in its files' names
(``2025-01-west-yorkshire-street.csv``): the 43 of England and Wales, British Transport
Police (``btp``) and the Police Service of Northern Ireland."""

_REQUIRED = ("Crime ID", "Month", "Longitude", "Latitude", "Crime type")
_OTHER_KINDS = {
    "-outcomes.csv": "a police.uk outcomes file",
    "-stop-and-search.csv": "a police.uk stop-and-search file",
}
SOURCE = "police.uk"


def read_policeuk(
    sources: Sources,
    *,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    progress: bool = False,
) -> LoadResult:
    """Load police.uk street-level crime: one or more forces and months at once.

    Parameters
    ----------
    sources
        A ``*-street.csv`` file, a folder (searched recursively: the data.police.uk layout
        of monthly folders), the zip archive data.police.uk hands out, police.uk API crime
        JSON files (a list of crimes with ``category``, ``location``, ``month``,
        ``persistent_id``, ...; category slugs mapped to the CSV's crime types by
        :data:`~hotspots.data.ingest.policeukapi.CATEGORY_SLUGS`; ``Crime ID`` is the
        ``persistent_id``; the API gives no LSOA), or a list of these.
        Outcomes and stop-and-search files are skipped and reported as skipped.
    study_area
        Keep only incidents inside it (district code, boundary file, GeoDataFrame or
        lon/lat geometry; see :func:`resolve_study_area`); the rest are quarantined
        ``outside_study_area``.
    taxonomy
        Crime-type table (DataFrame from :func:`hotspots.data.schema.load_taxonomy`, or a CSV
        path); ``None`` uses the bundled one.
    progress
        Show a progress bar on large inputs.

    Returns
    -------
    LoadResult
        ``incidents`` (month precision: ``occurred_from``/``occurred_to`` NaT), the
        ``quarantine`` and the ``report``. Anti-social-behaviour rows, which have no
        Crime ID, get a generated id ``<file stem>-L<line>-<hash of the row>``. A row that
        repeats an earlier one's Crime ID, month, crime type and place (police.uk does
        publish some twice) is quarantined ``duplicate_id``; rows that share a Crime ID but
        differ in type or place are different records: all are kept, and the report's notes
        count them.

    Raises
    ------
    IngestError
        No street-level file among the sources, or a file that is not one.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> result = read_policeuk(datasets.herts_policeuk_zip(), study_area="E07000096")
    >>> result.report.rows_read, len(result.report.months)
    (108465, 13)
    """
    return read_policeuk_files(
        expand(sources), study_area=study_area, taxonomy=taxonomy, progress=progress
    )


def read_policeuk_files(
    files: Sequence[SourceFile],
    *,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    progress: bool = False,
) -> LoadResult:
    """:func:`read_policeuk` for files already expanded (used by :func:`load`)."""
    street, skipped = _select(files)
    if not street:
        found = ", ".join(f.label for f in files) or "nothing"
        raise IngestError(
            f"no police.uk street-level crime files (*-street.csv, or API JSON) among: {found}; "
            "download 'street-level crime' from data.police.uk"
        )
    area = None if study_area is None else resolve_study_area(study_area)
    report = LoadReport(files_skipped=skipped)
    staged = _read_and_stage(street, report, progress=progress)
    for label in report.files_read:
        report.crs[label] = "EPSG:4326 (police.uk publishes WGS84 lon/lat)"
    return assemble.finish(
        staged,
        study_area=area,
        study_area_label=None if study_area is None else describe_study_area(study_area),
        taxonomy=as_taxonomy(taxonomy),
    )


def _read_and_stage(
    street: list[SourceFile], report: LoadReport, *, progress: bool
) -> assemble.Staged:
    """The files read and checked (:func:`read_each`), then their rows together; each file's
    own arrays are let go on return, before the rows are finished."""
    checked: list[_File] = []
    with progress_bar(street, enabled=progress) as bar:
        for source, read in zip(street, read_each(street, _read_one), strict=True):
            checked.append(read)
            report.files_read.append(source.label)
            report.encodings[source.label] = read.table.encoding
            report.notes += read.notes
            bar.update(source.size)
    staged = _stage(checked, report)
    malformed = (csvscan.malformed_quarantine(f.table) for f in checked)
    staged.prequarantined = [m for m in malformed if m is not None]
    return staged


_COORDINATES = ("Longitude", "Latitude")
"""The street files' coordinate columns."""


@dataclass(frozen=True)
class _File:
    """A street file as its reading thread leaves it: the table, the report's notes, and the
    checks of its rows that need no other file (done there, so on both cores).

    Attributes
    ----------
    stem
        The file's name without its suffix (generated ids begin with it).
    coordinates
        The rows' coordinates read as numbers (located with every file's, in
        :func:`_stage`: whether lat/lon were swapped is decided from all the rows).
    given
        The Crime IDs, stripped (``""`` where blank).
    blank
        Rows without a Crime ID.
    hashes
        :func:`ids.value_hashes` of the blank rows' values, per column: their generated ids
        hash every column of all the files read together, so they are made once all are.
    """

    stem: str
    table: csvscan.CsvTable
    notes: list[str]
    coordinates: coords.ParsedCoordinates
    given: pd.Series
    blank: np.ndarray
    hashes: dict[str, np.ndarray]


def _read_one(source: SourceFile) -> _File:
    """One file read and its rows checked; an error for a file that is not a police.uk street
    file (raised by the reading thread: the files after it are not read)."""
    if source.suffix == ".json":
        table, notes = policeukapi.read_api_json(source)
    else:
        table = csvscan.read_table(source)
        notes = table.notes()
    _check_header(table)
    coordinates = coords.parse_coordinates(
        table.column("Longitude"), table.column("Latitude"), names=_COORDINATES
    )
    given = assemble.stripped(table.column("Crime ID").astype("str")).fillna("")
    blank = (given == "").to_numpy(bool)
    unnamed = table.records.filter(pa.array(blank))
    hashes = dict(zip(unnamed.column_names, ids.value_hashes(unnamed.columns), strict=True))
    return _File(source.stem, table, notes, coordinates, given, blank, hashes)


def _select(files: Sequence[SourceFile]) -> tuple[list[SourceFile], dict[str, str]]:
    street: list[SourceFile] = []
    skipped: dict[str, str] = {}
    for source in files:
        name = source.name.lower().removesuffix(".gz")
        other = next((what for end, what in _OTHER_KINDS.items() if name.endswith(end)), None)
        if other:
            skipped[source.label] = f"{other}, not street-level crime"
        elif (
            name.endswith("-street.csv")
            or (source.explicit and source.suffix == ".csv")
            or policeukapi.looks_like_api_json(source)
        ):
            street.append(source)
        else:
            skipped[source.label] = "not a police.uk street-level crime file (*-street.csv)"
    return street, skipped


def _check_header(table: csvscan.CsvTable) -> None:
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise IngestError(
            f"{table.name}: not a police.uk street-level crime file: missing column(s) "
            f"{missing}; found {table.columns}. Expected the data.police.uk street CSV "
            f"columns {list(STREET_COLUMNS)}. A file of your own whose name ends in "
            "-street.csv is taken for police.uk's by its name: rename it (e.g. without "
            "-street) to read it with a column map (--columns; read_incident_csv)"
        )


def _stage(files: list[_File], report: LoadReport) -> assemble.Staged:
    """The files' rows together, their checks and canonical fields."""
    raw, file, line = csvscan.stack([f.table for f in files])
    ledger = assemble.Ledger(len(raw))
    located = coords.locate_parsed(
        coords.concat_parsed([f.coordinates for f in files]),
        kind="lonlat",
        crs=WGS84,  # police.uk publishes WGS84 lon/lat; anything else is invalid
        names=_COORDINATES,
        source=", ".join(report.files_read[:1]),
    )
    ledger.take(located.reason, located.detail)
    month, month_detail = dates.parse_month(raw["Month"])
    ledger.flag(np.isnat(month), "unparseable_date", month_detail)
    incident_id = pd.concat([f.given for f in files], ignore_index=True)
    blank = np.concatenate([f.blank for f in files])
    if blank.any():
        made = _generated_ids(files, list(raw.columns), line[blank])
        incident_id = ids.filled(incident_id, blank, made)
    fields = {
        "incident_id": incident_id,
        "source": SOURCE,
        "crime_type": raw["Crime type"],
        "month": month,
        "time_precision": "month",
        "location": raw.get("Location"),
        "lsoa_code": raw.get("LSOA code"),
    }
    staged = assemble.Staged(raw, file, line, ledger, located, fields, report)
    staged.same_record = same_record(raw["Crime type"], located)
    return staged


def _generated_ids(files: list[_File], columns: list[str], lines: np.ndarray) -> pa.Array:
    """:func:`ids.generated_ids` of the files' rows without a Crime ID (``lines``: theirs),
    their content hashed over all the files' ``columns`` (missing where a file lacks one)."""
    counts = [int(f.blank.sum()) for f in files]
    digest = np.concatenate(
        [
            ids.row_hashes([f.hashes.get(c, ids.NULL_HASH) for c in columns], n)
            for f, n in zip(files, counts, strict=True)
        ]
    )
    stems = np.array([f.stem for f in files], dtype=object)
    return ids.ids_of(np.repeat(stems, counts), lines, digest)


def same_record(crime_type: pd.Series, located: coords.Located) -> dict[str, object]:
    """What must agree, besides Crime ID and month, for two police.uk rows to be one record:
    the crime type and the place (lon/lat in micro-degrees, about 0.1 m, packed in one int)."""
    finite = np.isfinite(located.lon) & np.isfinite(located.lat)
    lon = np.round(np.where(finite, located.lon, 0.0) * 1e6).astype(np.int64) + 2**28
    lat = np.round(np.where(finite, located.lat, 0.0) * 1e6).astype(np.int64) + 2**28
    return {"crime type": crime_type.reset_index(drop=True), "place": lon * 2**29 + lat}
