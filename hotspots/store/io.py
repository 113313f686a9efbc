"""CSV and GeoJSON import and export of every record type of the store.

Exports write every field (:data:`hotspots.store.records.RECORD_FIELDS`, in order), text
verbatim, numbers exactly, dates ``YYYY-MM-DD`` and times ``YYYY-MM-DD HH:MM:SS[.ffffff]``, so
that an export imported into an empty store and exported again gives the same file. GeoJSON
features of feedback points and cameras are Points (WGS84); other records have no geometry.

Imports validate every row before storing any (all or nothing, one transaction): a file with
problems is refused naming every one at once, each with the lines (or features) it is on (a bad
value and its column, an id given twice, a line with too many values). They report what they
chose for the user: defaults filled in, ids generated, columns ignored, coordinates converted.
A camera without a ``camera_id`` is known by its position, type and name
(:func:`hotspots.store.records.camera_content_id`): imported again, it is the camera already
stored (even one stored under another id), not a second one. A council's camera list with
only ``camera_id, location, area_name, area_code, lon, lat`` (Trafford's, for one) imports as it
is: each camera is taken as a PTZ camera seeing 100 m (:data:`CAMERA_IMPORT_DEFAULTS`,
reported), to be corrected camera by camera.

A camera list given the partnership's area (:class:`StudyArea`) is checked against it with the
rows: cameras outside it are reported (how many, which, how far). Up to
:data:`NEAR_BOUNDARY_M` out they count as the area's (a note); beyond it, a warning; and the
list is refused (:class:`OutsideAreaError`, nothing imported) when a camera lies more than
:data:`FAR_OUTSIDE_M` out or every camera lies beyond :data:`NEAR_BOUNDARY_M`, unless the import
is confirmed (``allow_outside``): that is a list in the wrong coordinate system (longitude and
latitude swapped, grid metres read as degrees) or another area's.

Examples
--------
>>> report = import_records(engine, "trafford_cctv_cameras.csv", "cameras")  # doctest: +SKIP
>>> report.inserted, report.defaults_applied["type"]  # doctest: +SKIP
(163, "'ptz' for 163 row(s)")
>>> csv_bytes = export_records(engine, "feedback", fmt="csv")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hotspots.core.access import User
from hotspots.core.crs import BNG, in_bng_extent, outside_degrees, to_lonlat
from hotspots.core.io import Dest, deliver, spreadsheet_safe, write_csv
from hotspots.space.extent import metres_outside
from hotspots.store.models import MODELS
from hotspots.store.records import (
    ID_FIELD,
    POINT_KINDS,
    RECORD_FIELDS,
    ValidationError,
    camera_content_id,
    camera_label,
    check_kind,
    clean_record,
    is_blank,
)
from hotspots.store.repo import REFERENCES, run_write

CAMERA_IMPORT_DEFAULTS: dict[str, Any] = {"type": "ptz", "range_m": 100.0}
"""Values given to cameras whose file has no type or range (reported by the import): a camera
that turns (a circle of view) with a 100 m useful range. Correct them camera by camera."""

Format = Literal["csv", "geojson"]
Source = str | Path | IO[str] | IO[bytes]

NEAR_BOUNDARY_M = 1_000.0
"""Cameras at most this far outside the study area count as the area's: a camera on a border
road, or a boundary drawn simplified. They are named in a note and imported."""

FAR_OUTSIDE_M = 5_000.0
"""Cameras farther than this outside the study area stop the import unless it is confirmed:
a partnership's own cameras are not that far out, but a list with longitude and latitude
swapped (thousands of km away), in the wrong coordinate system, or of another area is."""

_ON_THE_EDGE_M = 1.0
"""Cameras less than this outside the study area are on its edge (inside): no camera list is
that precise."""

_MAX_NAMED = 5
"""Cameras named in a message about the study area (farthest first); the rest are counted."""

_LOCATION_ALIASES = {"longitude": "lon", "latitude": "lat", "long": "lon", "lng": "lon"}
_MAX_LISTED = 100
"""Problems of a file listed (each with every line it is on); any more are counted."""
_MAX_WHERE = 12
"""Lines named for one problem; any more are counted."""


@dataclass
class ImportReport:
    """What an import read, stored and chose.

    Attributes
    ----------
    kind, source
        Record type and where it came from.
    rows
        Records read from the file.
    inserted, updated, skipped
        New records stored, stored records replaced, records already stored and left alone.
    defaults_applied
        For each field the file did not give (or left blank): the value used and for how many
        rows; ``ids`` says how many ids were generated.
    ignored_columns
        Columns of the file not imported (only those named in ``ignore_columns``).
    notes
        Anything else done to the data (e.g. coordinates converted from British National Grid).
    """

    kind: str
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    defaults_applied: dict[str, str] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the user should check although it was imported: cameras more than
    :data:`NEAR_BOUNDARY_M` outside the study area."""


@dataclass(frozen=True)
class StudyArea:
    """The partnership's area a camera list is checked against: its ``name`` as messages say
    it (``"Trafford"``, ``"the wards of Dacorum CSP (demo)"``) and its ``outline`` (a polygon,
    EPSG:4326)."""

    name: str
    outline: BaseGeometry


class OutsideAreaError(ValidationError):
    """A camera list refused, nothing imported, because cameras lie far outside the study area:
    ``problems`` say how many, which, how far, and the fix. Importing again with
    ``allow_outside=True`` stores it all the same (the user confirmed they are theirs)."""


def _text_of(source: Source) -> tuple[str, str]:
    """The file's text and a name for messages (UTF-8, a byte-order mark tolerated)."""
    if isinstance(source, str | Path):
        name = str(source)
        raw: str | bytes = Path(source).read_bytes()
    else:
        name = getattr(source, "name", "uploaded file")
        raw = source.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{name}: not UTF-8 text ({err}); save it as 'CSV UTF-8' or GeoJSON (UTF-8)"
            ) from None
    return raw.removeprefix("\ufeff"), name


def _guess_format(name: str, fmt: Format | None) -> Format:
    if fmt is not None:
        if fmt not in ("csv", "geojson"):
            raise ValueError(f"fmt must be 'csv' or 'geojson', got {fmt!r}")
        return fmt
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".geojson", ".json"):
        return "geojson"
    raise ValueError(f"{name}: cannot tell the format from {suffix!r}; pass fmt='csv' or 'geojson'")


Where = tuple[str, int]
"""Where a record is in its file: ``("line", 9)`` of a CSV, ``("feature", 3)`` of GeoJSON."""


class _Problems:
    """Every problem of a file, each said once with every line (or feature) it is on, in the
    order of the file."""

    def __init__(self) -> None:
        self._found: dict[str, list[Where]] = {}

    def add(self, where: Where, problem: str) -> None:
        self._found.setdefault(problem, []).append(where)

    def __bool__(self) -> bool:
        return bool(self._found)

    def listed(self) -> list[str]:
        """``["line 9: lon (longitude) must be a number, got 'abc'", "lines 2 and 5: ..."]``,
        by first line; the first :data:`_MAX_LISTED`, the rest counted."""
        ordered = sorted(self._found.items(), key=lambda item: item[1][0][1])
        shown = [f"{_where(places)}: {problem}" for problem, places in ordered[:_MAX_LISTED]]
        if len(ordered) > _MAX_LISTED:
            shown.append(f"and {len(ordered) - _MAX_LISTED} more problem(s)")
        return shown


def _where(places: Sequence[Where]) -> str:
    """``"line 9"``, ``"lines 2 and 5"``, ``"lines 2, 3, 4 and 40"``, ``"features 1, 2, … and
    7 more"``."""
    word = places[0][0]
    numbers = [str(number) for _, number in places]
    if len(numbers) == 1:
        return f"{word} {numbers[0]}"
    if len(numbers) > _MAX_WHERE:
        return f"{word}s {', '.join(numbers[:_MAX_WHERE])} and {len(numbers) - _MAX_WHERE} more"
    return f"{word}s {', '.join(numbers[:-1])} and {numbers[-1]}"


def _csv_rows(
    text: str, name: str, problems: _Problems
) -> tuple[list[dict[str, Any]], list[Where]]:
    """The rows of a CSV file and their lines; a line with the wrong number of values is a
    problem (and left out)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ValueError(f"{name}: the file is empty; expected a header row and records")
    header = [column.strip() for column in header]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise ValueError(f"{name}: column(s) {duplicated} appear twice; keep one of each")
    rows, places = [], []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.add(
                ("line", reader.line_num),
                f"{len(values)} values for {len(header)} columns; check the quoting of text "
                "containing commas",
            )
            continue
        rows.append(dict(zip(header, values, strict=True)))
        places.append(("line", reader.line_num))
    return rows, places


def _geojson_rows(
    text: str, name: str, kind: str, notes: list[str], problems: _Problems
) -> tuple[list[dict[str, Any]], list[Where], set[int]]:
    """The features' properties (with ``lon``/``lat`` from a Point) and their numbers; and the
    rows without a location: features of point records without a Point, or whose lon/lat
    properties disagree with it (each a problem; their other fields are still checked)."""
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{name}: not valid JSON ({err})") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError(f"{name}: expected a GeoJSON FeatureCollection")
    crs_name = str(((collection.get("crs") or {}).get("properties") or {}).get("name", ""))
    rows: list[dict[str, Any]] = []
    places: list[Where] = []
    located, coords, unplaced = [], [], set()
    for number, feature in enumerate(collection.get("features") or [], start=1):
        properties = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        where: Where = ("feature", number)
        if kind in POINT_KINDS:
            if geometry and geometry.get("type") == "Point":
                located.append(len(rows))
                coords.append(geometry["coordinates"][:2])
            else:
                kind_found = geometry.get("type") if geometry else "no geometry"
                problems.add(where, f"expected a Point location, found {kind_found}")
                properties["lon"], properties["lat"] = 0.0, 0.0  # checked for the rest
                unplaced.add(len(rows))
        elif geometry:
            notes.append(f"feature {number}: geometry ignored ({kind} records have no location)")
        rows.append(properties)
        places.append(where)
    if not coords:
        return rows, places, unplaced
    lon, lat = _to_lonlat(np.asarray(coords, dtype=float), crs_name, name, notes)
    for i, x, y in zip(located, lon, lat, strict=True):
        row = rows[i]
        for axis, value in (("lon", x), ("lat", y)):
            if row.get(axis) not in (None, "") and not _close(row[axis], value):
                problems.add(
                    places[i], f"property {axis}={row[axis]} disagrees with the Point geometry "
                    f"({value}); remove the property or correct it"
                )  # fmt: skip
                unplaced.add(i)
        row["lon"], row["lat"] = float(x), float(y)
    return rows, places, unplaced


def _close(given: Any, value: float) -> bool:
    try:
        return abs(float(given) - value) <= 1e-9
    except (TypeError, ValueError):
        return False


def _to_lonlat(
    xy: np.ndarray, crs_name: str, name: str, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Point coordinates as WGS84 lon/lat, converting British National Grid metres."""
    metres = bool(outside_degrees(xy[:, 0], xy[:, 1]).any()) if xy.size else False
    if "27700" in crs_name or metres:
        if not in_bng_extent(xy[:, 0], xy[:, 1]).all():
            raise ValueError(
                f"{name}: coordinates are neither lon/lat degrees nor British National Grid "
                "metres; export the file in EPSG:4326 (WGS84)"
            )
        notes.append("coordinates converted from British National Grid (EPSG:27700) to WGS84")
        return to_lonlat(xy[:, 0], xy[:, 1], BNG)
    return xy[:, 0], xy[:, 1]


def _csv_locations(
    rows: list[dict[str, Any]],
    places: list[Where],
    name: str,
    notes: list[str],
    problems: _Problems,
) -> set[int]:
    """Rename lon/lat aliases; convert ``easting``/``northing`` (BNG) columns to lon/lat. Returns
    the rows whose easting or northing is not a number (each a problem; their lon/lat are left
    at 0 so that their other fields are still checked)."""
    for row in rows:
        for alias, target in _LOCATION_ALIASES.items():
            if alias in row and target not in row:
                row[target] = row.pop(alias)
    if not (rows and "easting" in rows[0] and "northing" in rows[0] and "lon" not in rows[0]):
        return set()
    xy, good, bad = [], [], set()
    for i, row in enumerate(rows):
        given = [row.pop("easting"), row.pop("northing")]
        try:
            xy.append([float(value) for value in given])
            good.append(i)
        except ValueError:
            for axis, value in zip(("easting", "northing"), given, strict=True):
                if not _is_number(value):
                    problems.add(
                        places[i], f"{axis} must be a number of metres (British National "
                        f"Grid), got {value!r}"
                    )  # fmt: skip
            row["lon"], row["lat"] = 0.0, 0.0
            bad.add(i)
    if good:
        lon, lat = _to_lonlat(np.array(xy, dtype=float), "EPSG:27700", name, notes)
        for i, x, y in zip(good, lon, lat, strict=True):
            rows[i]["lon"], rows[i]["lat"] = float(x), float(y)
    return bad


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def read_records(
    source: Source,
    kind: str,
    *,
    fmt: Format | None = None,
    defaults: Mapping[str, Any] | None = None,
    ignore_columns: Sequence[str] = (),
    area: StudyArea | None = None,
    allow_outside: bool = False,
) -> tuple[list[dict[str, Any]], ImportReport]:
    """Read and validate the records of a CSV or GeoJSON file, without storing them.

    Parameters
    ----------
    source
        A path, or an open file / upload (text or bytes) with a ``name``.
    kind
        The record type (:data:`hotspots.store.records.RECORD_KINDS`).
    fmt
        ``"csv"`` or ``"geojson"``; ``None`` goes by the file name's suffix.
    defaults
        Values for fields the file does not give or leaves blank; for cameras they extend
        :data:`CAMERA_IMPORT_DEFAULTS`. Every default used is reported.
    ignore_columns
        Columns to leave out; any other column that is not a field is an error.
    area
        Cameras only: the partnership's area, to check the cameras against (see the module
        notes); cameras outside it are reported in ``notes`` and ``warnings``.
    allow_outside
        Import cameras far outside ``area`` all the same (the user confirmed they are theirs).

    Returns
    -------
    (records, report)
        Clean records (every field, parsed) and the :class:`ImportReport` (``rows`` filled).

    Raises
    ------
    ValueError
        Unreadable file; :class:`ValidationError` listing every problem of the file at once,
        each with the lines (or features) it is on: bad values (naming the column), ids given
        on several rows (a camera without an id: the same camera twice), lines with the wrong
        number of values, and, with ``area``, cameras far outside it;
        :class:`OutsideAreaError` when cameras far outside ``area`` are the only problem and
        ``allow_outside`` is not given.
    """
    fields = check_kind(kind)
    if area is not None and kind != "cameras":
        raise ValueError(f"area: only camera lists are checked against the study area, not {kind}")
    text, name = _text_of(source)
    report = ImportReport(kind=kind, source=name)
    problems = _Problems()
    unplaced: set[int] = set()  # rows without a location (their other fields still checked)
    if _guess_format(name, fmt) == "csv":
        rows, places = _csv_rows(text, name, problems)
        if kind in POINT_KINDS:
            unplaced = _csv_locations(rows, places, name, report.notes, problems)
    else:
        rows, places, unplaced = _geojson_rows(text, name, kind, report.notes, problems)
    ignored = set(ignore_columns)
    report.ignored_columns = tuple(sorted({c for row in rows for c in row} & ignored))
    chosen = {**(CAMERA_IMPORT_DEFAULTS if kind == "cameras" else {}), **(defaults or {})}
    id_spec = fields[0]
    filled: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    ids: dict[str, list[Where]] = {}  # every id given or made, and where
    made: set[str] = set()  # ids made for rows without one (camera_content_id)
    for i, (row, where) in enumerate(zip(rows, places, strict=True)):
        record = {key: value for key, value in row.items() if key not in ignored}
        for spec in fields:
            if not is_blank(record.get(spec.name)):
                continue
            filled[spec.name] = filled.get(spec.name, 0) + 1
            if spec.name in chosen:
                record[spec.name] = chosen[spec.name]
        try:
            clean = clean_record(kind, record)
        except ValidationError as err:
            for problem in err.problems:
                problems.add(where, problem)
            given = record.get(id_spec.name)
            if not is_blank(given):
                with contextlib.suppress(ValueError):  # it counts when another row repeats it
                    ids.setdefault(id_spec.parse(given), []).append(where)
            continue
        if i in unplaced:  # its problem is listed; an id made from no position is no id
            if not is_blank(record.get(id_spec.name)):
                ids.setdefault(clean[id_spec.name], []).append(where)
            continue
        ids.setdefault(clean[id_spec.name], []).append(where)
        if is_blank(record.get(id_spec.name)):
            made.add(clean[id_spec.name])
        records.append(clean)
    for record_id, found in ids.items():
        if len(found) > 1:
            for where in found:
                problems.add(where, _twice(kind, record_id, len(found), made))
    refusal = []
    if area is not None and records:
        refusal = _check_area(records, area, name, report, allow_outside=allow_outside)
    if problems:
        if refusal:  # said now, not after the rows are corrected
            refusal[0] = f"in the rows without these problems, {refusal[0]}"
        raise ValidationError(kind, [f"{name}: nothing imported", *problems.listed(), *refusal])
    if refusal:
        raise OutsideAreaError(kind, [f"{name}: nothing imported: {refusal[0]}", *refusal[1:]])
    report.rows = len(records)
    report.defaults_applied = _describe_defaults(kind, filled, chosen)
    return records, report


def _twice(kind: str, record_id: str, times: int, made: set[str]) -> str:
    """The problem of an id on ``times`` rows of one file (an id made for rows without one:
    the same camera twice)."""
    said = "twice" if times == 2 else f"{times} times"
    if record_id in made:
        return (
            f"the same camera {said} (no camera_id; the same position to about a metre, "
            "type and name): delete the repeated rows, or give each camera its camera_id"
        )
    return (
        f"{ID_FIELD[kind]} {record_id!r} is given {said}: each record needs its own "
        f"{ID_FIELD[kind]} (delete the repeated rows, or correct the ids)"
    )


def _check_area(
    records: Sequence[Mapping[str, Any]],
    area: StudyArea,
    name: str,
    report: ImportReport,
    *,
    allow_outside: bool,
) -> list[str]:
    """Name the cameras outside ``area`` in ``report`` (notes, warnings). Returns why the list
    is refused and the fix (nothing when it is not): a camera more than
    :data:`FAR_OUTSIDE_M` out, or all of them more than :data:`NEAR_BOUNDARY_M` out, unless
    ``allow_outside``."""
    lon = np.array([r["lon"] for r in records], dtype=float)
    lat = np.array([r["lat"] for r in records], dtype=float)
    metres = metres_outside(lon, lat, area.outline)
    near = (metres >= _ON_THE_EDGE_M) & (metres <= NEAR_BOUNDARY_M)
    beyond = metres > NEAR_BOUNDARY_M
    far = metres > FAR_OUTSIDE_M
    total = len(records)
    if near.any():
        report.notes.append(
            f"{int(near.sum())} of {total} camera(s) lie just outside {area.name}, within "
            f"{_distance(NEAR_BOUNDARY_M)} of its boundary (counted as the area's: border "
            f"roads): {_named(records, metres, near)}"
        )
    if not beyond.any():
        return []
    farthest = _distance(float(metres.max()))
    if far.any() or beyond.all():
        if beyond.all():
            why = f"all {total} camera(s) lie more than {_distance(NEAR_BOUNDARY_M)} outside"
        else:
            why = f"{int(far.sum())} of {total} camera(s) lie more than"
            why += f" {_distance(FAR_OUTSIDE_M)} outside"
        why += f" {area.name}"
        if not allow_outside:
            return [
                f"{why}, up to {farthest} away: {_named(records, metres, beyond)}",
                "Check the coordinate columns and their CRS: lon must be the longitude and "
                "lat the latitude, in WGS84 degrees (swapped, they put the cameras thousands "
                "of km away); British National Grid metres go in easting and northing "
                "columns. A list of another area's cameras belongs in that area's workspace. "
                "If these cameras really are this partnership's, confirm it and import "
                "again.",
            ]
        report.warnings.append(
            f"{why}, up to {farthest} away, imported as confirmed: "
            f"{_named(records, metres, beyond)}"
        )
        return []
    report.warnings.append(
        f"{int(beyond.sum())} of {total} camera(s) lie more than {_distance(NEAR_BOUNDARY_M)} "
        f"outside {area.name}, up to {farthest} away: {_named(records, metres, beyond)}. Check "
        "they are this partnership's and where they stand: coverage and taskings count them."
    )
    return []


def _named(records: Sequence[Mapping[str, Any]], metres: np.ndarray, chosen: np.ndarray) -> str:
    """The chosen cameras, farthest first, each with how far out it lies: the first few named,
    the rest counted."""
    order = [i for i in np.argsort(-metres, kind="stable") if chosen[i]]
    named = [f"{camera_label(records[i])} {_distance(float(metres[i]))}" for i in order]
    more = len(named) - _MAX_NAMED
    return "; ".join(named[:_MAX_NAMED]) + (f"; and {more} more" if more > 0 else "")


def _distance(metres: float) -> str:
    """``"350 m"``, ``"2.3 km"``, ``"7,560 km"``."""
    if metres < 1_000:
        return f"{metres:,.0f} m"
    if metres < 100_000:
        return f"{metres / 1000:,.1f} km".replace(".0 km", " km")
    return f"{metres / 1000:,.0f} km"


def _describe_defaults(
    kind: str, filled: Mapping[str, int], chosen: Mapping[str, Any]
) -> dict[str, str]:
    """``{field: "'ptz' for 163 row(s)"}`` for every field a default filled in."""
    described = {}
    for spec in RECORD_FIELDS[kind]:
        count = filled.get(spec.name, 0)
        if not count:
            continue
        if spec.name == ID_FIELD[kind]:
            described["ids"] = (
                f"made from position, type and name for {count} row(s) (the same camera gets "
                "the same id on every import)"
                if spec.derived is not None
                else f"generated for {count} row(s)"
            )
            continue
        if spec.name in chosen:
            shown = repr(chosen[spec.name])
        elif callable(spec.default):
            shown = "the time of import"
        else:
            shown = "blank" if spec.default is None else repr(spec.default)
        described[spec.name] = f"{shown} for {count} row(s)"
    return described


def import_records(
    engine: Engine,
    source: Source,
    kind: str,
    *,
    fmt: Format | None = None,
    if_exists: Literal["error", "skip", "replace"] = "error",
    defaults: Mapping[str, Any] | None = None,
    ignore_columns: Sequence[str] = (),
    area: StudyArea | None = None,
    allow_outside: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """Import a CSV or GeoJSON file of records into the store, all or nothing (one transaction).

    Parameters
    ----------
    engine
        From :func:`hotspots.store.db.open_store`.
    source, kind, fmt, defaults, ignore_columns, area, allow_outside
        As for :func:`read_records` (cameras far outside ``area`` import nothing, unless
        ``allow_outside``).
    if_exists
        What to do with ids already stored: ``"error"`` (import nothing), ``"skip"`` (keep the
        stored record) or ``"replace"`` (overwrite it with the file's). Imported actions keep the
        file's status; their history comes from an ``action_updates`` import.
    actor
        Who imports (the audit log's user and role; the file is named without its folder).

    Returns
    -------
    ImportReport
    """
    if if_exists not in ("error", "skip", "replace"):
        raise ValueError(f"if_exists must be 'error', 'skip' or 'replace', got {if_exists!r}")
    records, report = read_records(
        source,
        kind,
        fmt=fmt,
        defaults=defaults,
        ignore_columns=ignore_columns,
        area=area,
        allow_outside=allow_outside,
    )
    model = MODELS[kind]
    id_field = ID_FIELD[kind]

    def work(session: Session) -> tuple[int, int, int]:
        if kind == "cameras":
            _recognise_cameras(session, records, report)
        stored = _existing_ids(session, kind, (r[id_field] for r in records))
        if stored and if_exists == "error":
            raise ValidationError(
                kind,
                [
                    f"{report.source}: {len(stored)} id(s) already stored, e.g. "
                    f"{sorted(stored)[:5]}; nothing imported (use if_exists='skip' or 'replace')"
                ],
            )
        if kind in REFERENCES:
            ref_field, parent = REFERENCES[kind]
            wanted = {r[ref_field] for r in records if r[ref_field] is not None}
            missing = wanted - _existing_ids(session, parent, wanted)
            if missing:
                raise ValidationError(
                    kind,
                    [
                        f"{report.source}: {ref_field} {sorted(missing)[:5]} not in the store; "
                        f"import the {parent} first"
                    ],
                )
        new = [r for r in records if r[id_field] not in stored]
        session.add_all(model(**record) for record in new)
        replaced = 0
        if if_exists == "replace":
            for record in records:
                if record[id_field] in stored:
                    session.merge(model(**record))
                    replaced += 1
        return len(new), replaced, len(records) - len(new) - replaced

    report.inserted, report.updated, report.skipped = run_write(
        engine,
        kind,
        work,
        actor=actor,
        action="import",
        target=f"{kind}/{Path(str(report.source)).name}",
        detail=lambda counts: "; ".join(
            ["inserted {}, replaced {}, skipped {}".format(*counts), *report.warnings]
        ),
    )
    return report


def _recognise_cameras(
    session: Session, records: list[dict[str, Any]], report: ImportReport
) -> None:
    """Give a camera of the file without a camera_id the id of the stored camera it is: the
    same position (to about a metre), type and name (:func:`camera_content_id`), stored under
    another id (by a version that gave such cameras random ids, or imported from a list that
    gave it an id). Two stored cameras that are one (the same position, type and name) are
    named in a note: remove the extra one."""
    made = [r for r in records if r["camera_id"] == camera_content_id(r)]
    if not made:
        return
    table = MODELS["cameras"].__table__
    columns = ("camera_id", "name", "location", "type", "lon", "lat")
    query = select(*(table.c[c] for c in columns)).order_by(table.c.camera_id)
    same: dict[str, list[str]] = {}
    for row in session.execute(query):
        camera = dict(row._mapping)
        same.setdefault(camera_content_id(camera), []).append(camera["camera_id"])
    given = {r["camera_id"] for r in records}
    for record in made:
        content = record["camera_id"]
        stored = [camera for camera in same.get(content, []) if camera == content] or [
            camera for camera in same.get(content, []) if camera not in given
        ]
        if not stored:
            continue
        record["camera_id"] = stored[0]
        if len(same[content]) > 1:
            note = (
                f"stored cameras {', '.join(same[content])} are one camera (the same position, "
                f"type and name; the list's is taken as {stored[0]}): remove the others"
            )
            if note not in report.notes:
                report.notes.append(note)


def _existing_ids(session: Session, kind: str, ids: Iterable[str]) -> set[str]:
    column = getattr(MODELS[kind], ID_FIELD[kind])
    wanted = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _stored_rows(engine: Engine, kind: str) -> list[dict[str, Any]]:
    table = MODELS[kind].__table__
    names = [spec.name for spec in RECORD_FIELDS[kind]]
    query = select(*(table.c[n] for n in names)).order_by(table.c[ID_FIELD[kind]])
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


excel_safe = spreadsheet_safe
"""Old name of :func:`hotspots.core.io.spreadsheet_safe` (kept until hotspots 0.3)."""


def export_records(
    engine: Engine,
    kind: str,
    *,
    fmt: Format = "csv",
    dest: Dest = None,
    spreadsheet_safe: bool = False,
) -> bytes:
    """Export every record of ``kind`` as a CSV or GeoJSON file (also written to ``dest``).

    Parameters
    ----------
    engine
        From :func:`hotspots.store.db.open_store`.
    kind
        The record type (:data:`hotspots.store.records.RECORD_KINDS`).
    fmt
        ``"csv"`` (RFC 4180, UTF-8) or ``"geojson"`` (WGS84; Points for feedback and cameras).
    dest
        Also write the file there.
    spreadsheet_safe
        CSV only: every text cell (ids, names, comments …) that starts with ``= + - @``, a tab
        or a carriage return gets a leading ``'`` so a spreadsheet shows it instead of running
        it as a formula (:func:`hotspots.core.io.write_csv`); numbers stay numbers. The file
        then no longer round-trips verbatim: leave False for backups and transfers between
        stores, set True for a file to open in a spreadsheet.

    Returns
    -------
    bytes
        The file (UTF-8), ordered by id.
    """
    fields = check_kind(kind)
    rows = _stored_rows(engine, kind)
    if fmt == "csv":
        names = [spec.name for spec in fields]
        return write_csv(
            ([row[n] for n in names] for row in rows), dest, columns=names, safe=spreadsheet_safe
        )
    if fmt == "geojson":
        return deliver(_geojson_text(kind, rows), dest)
    raise ValueError(f"fmt must be 'csv' or 'geojson', got {fmt!r}")


def _geojson_text(kind: str, rows: list[dict[str, Any]]) -> str:
    point = kind in POINT_KINDS
    features = []
    for row in rows:
        properties = {
            name: _json_value(value)
            for name, value in row.items()
            if not (point and name in ("lon", "lat"))
        }
        geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if point else None
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    collection = {"type": "FeatureCollection", "name": kind, "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
