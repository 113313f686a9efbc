"""Read data.police.uk street-level crime files: one CSV, a folder of months, or the zip."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.data import schema
from hotspots.data.ingest import assemble, coords, csvscan, dates, ids, policeukapi
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import (
    SourceFile,
    Sources,
    expand,
    progress_bar,
    read_each,
    without_copies,
)
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

FORCE_FILE = re.compile(
    r"^(\d{4}-\d{2})-(.+?)-street"
    r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\(\d+\))?|_\d+)?"  # a browser's or a copy's suffix
    r"\.csv(?:\.gz)?$",
    re.IGNORECASE,
)
"""A police.uk street file's name: its month and its force (``2025-01-lancashire-street.csv``)."""


def name_key(text: str) -> str:
    """``text`` folded to lower-case ASCII words joined by ``-``: accents dropped, ``𝐀`` read
    as ``a``, other letters left out, ``&`` read as ``and``. Names that differ but in these
    (``West_Yorkshire``, ``west-yorkshire``) have one key.

    Examples
    --------
    >>> name_key("Devon & Cornwall Police"), name_key("West_Yorkshire"), name_key("Café")
    ('devon-and-cornwall-police', 'west-yorkshire', 'cafe')
    """
    folded = unicodedata.normalize("NFKD", text.replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode().lower()).strip("-")


_FALLS_WITHIN_WORDS = {"btp": "british-transport"}
"""A force whose 'Falls within' (``British Transport Police``) does not hold its file name's."""


def _falls_within_notes(source: SourceFile, table: csvscan.CsvTable) -> list[str]:
    """A note when a file's name names a police.uk force (:data:`FORCE_NAMES`) and its rows'
    'Falls within' names another (a file renamed, or a file made to look like a force's)."""
    match = FORCE_FILE.match(source.name)
    force = name_key(match[2]) if match else ""
    if force not in FORCE_NAMES or "Falls within" not in table.columns:
        return []
    words = f"-{_FALLS_WITHIN_WORDS.get(force, force)}-"
    values = {str(v).strip() for v in pd.unique(table.column("Falls within").dropna())}
    other = sorted(v for v in values if v and words not in f"-{name_key(v)}-")
    if not other:
        return []
    shown = ", ".join(repr(v[:60]) for v in other[:3]) + (", ..." if len(other) > 3 else "")
    return [
        f"{source.label}: named as {force}'s file, but its rows fall within {shown} (its "
        f"'Falls within' column): check that it is {force}'s file"
    ]


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
    files, copies = without_copies(expand(sources))
    result = read_policeuk_files(files, study_area=study_area, taxonomy=taxonomy, progress=progress)
    result.report.files_skipped.update(copies)
    return result


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


def _one_file_a_month(files: Sequence[SourceFile], read: Sequence[_File]) -> None:
    """Raise :class:`IngestError` when two different files are versions of one force's month:
    rows of that month (their Month and 'Falls within', else the force their name gives) half
    of whose Crime IDs or more are in the other file too (a newer download beside an older
    one, a renamed copy). Read together, their rows without a Crime ID (anti-social behaviour)
    would count twice: police.uk publishes one file a force and month. Files of one month
    sharing no incidents (parts of it) are read together; copies of one file were left out
    already (:func:`~hotspots.data.ingest.files.without_copies`)."""
    holding: dict[tuple[str, str], list[int]] = {}
    for i, file in enumerate(read):
        for month in file.months:
            holding.setdefault((file.force, month), []).append(i)
    for (force, month), which in holding.items():
        if len(which) < 2:
            continue
        ids = [_ids_of_month(read[i], month) for i in which]
        for a, b in itertools.combinations(range(len(which)), 2):
            shared = len(ids[a] & ids[b])
            if shared and shared >= COPY_SHARE_OF_IDS * min(len(ids[a]), len(ids[b])):
                first, second = files[which[a]].label, files[which[b]].label
                raise IngestError(
                    f"{first} and {second}: two versions of one force's street crime of one "
                    f"month ({force or 'a force not named'}, {month}: {shared:,} Crime IDs in "
                    "both; police.uk publishes one file a force and month); read together, "
                    "the incidents without a Crime ID would count twice. Give one of them (in "
                    "a workspace, add them one at a time: a newer file replaces its month)"
                )


COPY_SHARE_OF_IDS = 0.5
"""Share of a month's Crime IDs (of the file holding fewer) two files hold both, from which
they are two versions of that month (:func:`_one_file_a_month`)."""


def _ids_of_month(file: _File, month: str) -> set[str]:
    """The Crime IDs of ``file``'s rows of ``month`` (its Month as written)."""
    of_month = file.table.column("Month").str.strip() == month
    return set(file.given[of_month.to_numpy(bool) & ~file.blank])


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
    _one_file_a_month(street, checked)
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
    given_keys
        :func:`ids.text_keys` of ``given`` (``None`` unless Arrow text): the de-duplication's
        keys, made here so on both cores.
    blank
        Rows without a Crime ID.
    hashes
        :func:`ids.value_hashes` of the blank rows' values, per column: their generated ids
        hash every column of all the files read together, so they are made once all are.
    months, force
        The months its rows hold (their Month as written) and the force they fall within
        (:func:`name_key` of 'Falls within', else of the force the file's name gives).
    """

    stem: str
    table: csvscan.CsvTable
    notes: list[str]
    coordinates: coords.ParsedCoordinates
    given: pd.Series
    given_keys: np.ndarray | None
    blank: np.ndarray
    hashes: dict[str, np.ndarray]
    months: frozenset[str]
    force: str


def _read_one(source: SourceFile) -> _File:
    """One file read and its rows checked; an error for a file that is not a police.uk street
    file (raised by the reading thread: the files after it are not read)."""
    if source.suffix == ".json":
        table, notes = policeukapi.read_api_json(source)
    else:
        table = csvscan.read_table(source)
        notes = table.notes()
    _check_header(table)
    notes += _falls_within_notes(source, table)
    coordinates = coords.parse_coordinates(
        table.column("Longitude"), table.column("Latitude"), names=_COORDINATES
    )
    given = assemble.stripped(table.column("Crime ID").astype("str")).fillna("")
    given_keys = ids.text_keys(pa.array(given.array)) if schema.is_arrow_text(given) else None
    blank = (given == "").to_numpy(bool)
    unnamed = table.records.filter(pa.array(blank))
    hashes = dict(zip(unnamed.column_names, ids.value_hashes(unnamed.columns), strict=True))
    months = _distinct_text(table, "Month")
    match = FORCE_FILE.match(source.name)
    if match and months and match[1] not in months:
        notes.append(
            f"{source.label}: named as {match[1]}'s file, but its rows are of "
            f"{', '.join(sorted(months)[:3])}: counted in the months its rows give"
        )
    falls = sorted(_distinct_text(table, "Falls within"))
    force = name_key(falls[0]) if falls else (name_key(match[2]) if match else "")
    return _File(
        source.stem, table, notes, coordinates, given, given_keys, blank, hashes, months, force
    )


def _distinct_text(table: csvscan.CsvTable, column: str) -> frozenset[str]:
    """The distinct non-blank values of ``column`` (stripped; none when the file lacks it)."""
    if column not in table.columns:
        return frozenset()
    values = pc.unique(pc.utf8_trim_whitespace(table.records.column(column)))
    return frozenset(v for v in values.to_pylist() if v)


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
    keys = None
    if all(f.given_keys is not None for f in files) and schema.is_arrow_text(incident_id):
        keys = np.concatenate([np.zeros(0, np.uint64), *(f.given_keys for f in files)])
    if blank.any():
        made = _generated_ids(files, list(raw.columns), line[blank])
        incident_id = ids.filled(incident_id, blank, made)
        if keys is not None:  # each key depends on its string alone: the made ids' own
            keys[blank] = ids.text_keys(made)
    fields = {
        "incident_id": incident_id,
        "source": SOURCE,
        "crime_type": raw["Crime type"],
        "month": month,
        "time_precision": "month",
        "location": raw.get("Location"),
        "lsoa_code": raw.get("LSOA code"),
    }
    staged = assemble.Staged(raw, file, line, ledger, located, fields, report, id_keys=keys)
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
