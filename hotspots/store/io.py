"""CSV and GeoJSON import and export of every record type of the store.

Exports write every field (:data:`hotspots.store.records.RECORD_FIELDS`, in order), text
verbatim, numbers exactly, dates ``YYYY-MM-DD`` and times ``YYYY-MM-DD HH:MM:SS[.ffffff]``, so
that an export imported into an empty store and exported again gives the same file. GeoJSON
features of feedback points and cameras are Points (WGS84); other records have no geometry.

Imports validate every row before storing any (all or nothing, one transaction) and report
what they chose for the user: defaults filled in, ids generated, columns ignored, coordinates
converted. A council's camera list with only ``camera_id, location, area_name, area_code, lon,
lat`` (Trafford's, for one) imports as it is: each camera is taken as a PTZ camera seeing 100 m
(:data:`CAMERA_IMPORT_DEFAULTS`, reported), to be corrected camera by camera.

Examples
--------
>>> report = import_records(engine, "trafford_cctv_cameras.csv", "cameras")  # doctest: +SKIP
>>> report.inserted, report.defaults_applied["type"]  # doctest: +SKIP
(163, "'ptz' for 163 row(s)")
>>> csv_bytes = export_records(engine, "feedback", fmt="csv")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hotspots.core.access import User
from hotspots.core.crs import BNG, in_bng_extent, outside_degrees, to_lonlat
from hotspots.core.io import Dest, deliver, spreadsheet_safe, write_csv
from hotspots.store.models import MODELS
from hotspots.store.records import (
    ID_FIELD,
    POINT_KINDS,
    RECORD_FIELDS,
    ValidationError,
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

_LOCATION_ALIASES = {"longitude": "lon", "latitude": "lat", "long": "lon", "lng": "lon"}
_MAX_LISTED = 20


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


def _csv_rows(text: str, name: str) -> tuple[list[dict[str, Any]], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ValueError(f"{name}: the file is empty; expected a header row and records")
    header = [column.strip() for column in header]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise ValueError(f"{name}: column(s) {duplicated} appear twice; keep one of each")
    rows, labels = [], []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise ValueError(
                f"{name} line {reader.line_num}: {len(values)} values for {len(header)} columns; "
                "check the quoting of text containing commas"
            )
        rows.append(dict(zip(header, values, strict=True)))
        labels.append(f"line {reader.line_num}")
    return rows, labels


def _geojson_rows(
    text: str, name: str, kind: str, notes: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{name}: not valid JSON ({err})") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError(f"{name}: expected a GeoJSON FeatureCollection")
    crs_name = str(((collection.get("crs") or {}).get("properties") or {}).get("name", ""))
    rows, labels, coords = [], [], []
    for number, feature in enumerate(collection.get("features") or [], start=1):
        properties = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        label = f"feature {number}"
        if kind in POINT_KINDS:
            if not geometry or geometry.get("type") != "Point":
                kind_found = geometry.get("type") if geometry else "no geometry"
                raise ValueError(f"{name} {label}: expected a Point location, found {kind_found}")
            coords.append(geometry["coordinates"][:2])
        elif geometry:
            notes.append(f"{label}: geometry ignored ({kind} records have no location)")
        rows.append(properties)
        labels.append(label)
    if coords:
        lon, lat = _to_lonlat(np.asarray(coords, dtype=float), crs_name, name, notes)
        for row, x, y in zip(rows, lon, lat, strict=True):
            for axis, value in (("lon", x), ("lat", y)):
                given = row.get(axis)
                if given not in (None, "") and abs(float(given) - value) > 1e-9:
                    raise ValueError(
                        f"{name}: property {axis}={given} disagrees with the Point geometry "
                        f"({value}); remove the property or correct it"
                    )
                row[axis] = float(value)
    return rows, labels


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


def _csv_locations(rows: list[dict[str, Any]], name: str, notes: list[str]) -> None:
    """Rename lon/lat aliases; convert ``easting``/``northing`` (BNG) columns to lon/lat."""
    for row in rows:
        for alias, target in _LOCATION_ALIASES.items():
            if alias in row and target not in row:
                row[target] = row.pop(alias)
    if rows and "easting" in rows[0] and "northing" in rows[0] and "lon" not in rows[0]:
        try:
            xy = np.array([[float(r.pop("easting")), float(r.pop("northing"))] for r in rows])
        except ValueError as err:
            raise ValueError(
                f"{name}: easting/northing must be numbers in metres ({err})"
            ) from None
        lon, lat = _to_lonlat(xy, "EPSG:27700", name, notes)
        for row, x, y in zip(rows, lon, lat, strict=True):
            row["lon"], row["lat"] = float(x), float(y)


def read_records(
    source: Source,
    kind: str,
    *,
    fmt: Format | None = None,
    defaults: Mapping[str, Any] | None = None,
    ignore_columns: Sequence[str] = (),
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

    Returns
    -------
    (records, report)
        Clean records (every field, parsed) and the :class:`ImportReport` (``rows`` filled).

    Raises
    ------
    ValueError
        Unreadable file; :class:`ValidationError` listing the bad rows (line or feature number)
        and their problems, or ids used twice in the file.
    """
    fields = check_kind(kind)
    text, name = _text_of(source)
    report = ImportReport(kind=kind, source=name)
    if _guess_format(name, fmt) == "csv":
        rows, labels = _csv_rows(text, name)
        if kind in POINT_KINDS:
            _csv_locations(rows, name, report.notes)
    else:
        rows, labels = _geojson_rows(text, name, kind, report.notes)
    ignored = set(ignore_columns)
    report.ignored_columns = tuple(sorted({c for row in rows for c in row} & ignored))
    chosen = {**(CAMERA_IMPORT_DEFAULTS if kind == "cameras" else {}), **(defaults or {})}
    filled: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for row, label in zip(rows, labels, strict=True):
        record = {key: value for key, value in row.items() if key not in ignored}
        for spec in fields:
            if not is_blank(record.get(spec.name)):
                continue
            filled[spec.name] = filled.get(spec.name, 0) + 1
            if spec.name in chosen:
                record[spec.name] = chosen[spec.name]
        try:
            records.append(clean_record(kind, record))
        except ValidationError as err:
            problems.extend(f"{label}: {problem}" for problem in err.problems)
    if problems:
        shown = problems[:_MAX_LISTED]
        if len(problems) > _MAX_LISTED:
            shown.append(f"and {len(problems) - _MAX_LISTED} more problem(s)")
        raise ValidationError(kind, [f"{name}: nothing imported", *shown])
    counts = Counter(record[ID_FIELD[kind]] for record in records)
    twice = sorted(i for i, n in counts.items() if n > 1)
    if twice:
        raise ValidationError(kind, [f"{name}: id(s) {twice[:_MAX_LISTED]} appear twice"])
    report.rows = len(records)
    report.defaults_applied = _describe_defaults(kind, filled, chosen)
    return records, report


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
            described["ids"] = f"generated for {count} row(s)"
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
    actor: User | None = None,
) -> ImportReport:
    """Import a CSV or GeoJSON file of records into the store, all or nothing (one transaction).

    Parameters
    ----------
    engine
        From :func:`hotspots.store.db.open_store`.
    source, kind, fmt, defaults, ignore_columns
        As for :func:`read_records`.
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
        source, kind, fmt=fmt, defaults=defaults, ignore_columns=ignore_columns
    )
    model = MODELS[kind]
    id_field = ID_FIELD[kind]

    def work(session: Session) -> tuple[int, int, int]:
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
        detail=lambda counts: "inserted {}, replaced {}, skipped {}".format(*counts),
    )
    return report


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
