"""The record types of the operational store, their fields and their validation.

A record is a plain mapping (a form's values, a CSV row, a GeoJSON feature's properties).
:func:`clean_record` checks every field against :data:`RECORD_FIELDS`, fills defaults and
returns the values to store, or raises :class:`ValidationError` listing every problem with the
fix. Free text is kept verbatim (never stripped, never escaped: it is escaped where it is shown).

Examples
--------
>>> values = clean_record("feedback", {"lon": -0.47, "lat": 51.75,
...     "reason": "poor_lighting", "severity": 4})
>>> values["time_of_concern"], values["comment"]
('all', '')
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from hotspots.core.disclosure import personal_details
from hotspots.core.localtime import LOCAL_TZ

REASONS: tuple[str, ...] = (
    "poor_lighting",
    "isolated",
    "overgrown",
    "no_cctv",
    "groups_loitering",
    "harassment_experienced",
    "other",
)
"""Reason codes of a walkabout feedback point."""

REASON_LABELS: dict[str, str] = {
    "poor_lighting": "Poor lighting",
    "isolated": "Isolated",
    "overgrown": "Overgrown",
    "no_cctv": "No CCTV",
    "groups_loitering": "Groups loitering",
    "harassment_experienced": "Harassment experienced",
    "other": "Other",
}
"""What each reason code reads on screen and in exports: the one mapping (see
:func:`reason_label`)."""

STATUS_LABELS: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "cancelled": "Cancelled",
}
"""What each action status reads on screen and in exports."""

TIMES_OF_CONCERN: tuple[str, ...] = ("day", "evening", "night", "all")
ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "cancelled")
OPEN_STATUSES: tuple[str, ...] = ("open", "in_progress")
"""Action statuses that can be overdue."""
CAMERA_TYPES: tuple[str, ...] = ("fixed", "ptz", "redeployable")
CAMERA_STATUSES: tuple[str, ...] = ("active", "faulty", "decommissioned")


_MISSING = object()


def reason_label(code: object) -> str:
    """The label of a reason code (:data:`REASON_LABELS`); an unknown code is shown as it is.

    Examples
    --------
    >>> reason_label("poor_lighting"), reason_label("dark")
    ('Poor lighting', 'dark')
    """
    return REASON_LABELS.get(str(code), str(code))


class ValidationError(ValueError):
    """A record cannot be stored: ``problems`` lists each field's problem and its fix.

    Examples
    --------
    >>> clean_record("feedback", {"lon": -0.47, "lat": 51.75, "reason": "dark", "severity": 9})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotspots.store.records.ValidationError: feedback record not saved: reason 'dark' is not ...
    """

    def __init__(self, kind: str, problems: list[str]) -> None:
        self.kind = kind
        self.problems = problems
        super().__init__(f"{kind} record not saved: " + "; ".join(problems))


def is_blank(value: Any) -> bool:
    """Whether a value counts as not given: None, NaN, NA, NaT or text of only spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _text(max_len: int) -> Callable[[Any], str]:
    """Free text, kept verbatim (no stripping, no escaping)."""

    def parse(value: Any) -> str:
        text = value if isinstance(value, str) else _scalar_text(value)
        if "\x00" in text:
            raise ValueError("contains a NUL character (\\x00); remove it")
        if len(text) > max_len:
            raise ValueError(f"is {len(text)} characters long; the limit is {max_len}")
        return text

    return parse


def _feedback_text(max_len: int) -> Callable[[Any], str]:
    """:func:`_text` that refuses a home address or postcode
    (:func:`hotspots.core.disclosure.personal_details`): feedback and walkabouts say where a
    place feels unsafe, never who lives where."""
    plain = _text(max_len)

    def parse(value: Any) -> str:
        text = plain(value)
        found = personal_details(text)
        if found:
            raise ValueError(
                f"seems to hold a home address or postcode ({', '.join(found[:3])}): walkabouts "
                "say where a place feels unsafe, never who lives where; describe the place "
                "instead (e.g. 'the alley behind the shops') and leave out names"
            )
        return text

    return parse


def _scalar_text(value: Any) -> str:
    """Numbers from a GeoJSON/Excel file as text: ``1001.0`` → ``"1001"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _identifier(value: Any) -> str:
    text = _scalar_text(value).strip() if not isinstance(value, str) else value.strip()
    if not text:
        raise ValueError("is blank")
    if len(text) > 64:
        raise ValueError(f"is {len(text)} characters long; ids are at most 64")
    if any(ord(ch) < 32 for ch in text):
        raise ValueError("contains control characters; use letters, digits, '-' or '_'")
    return text


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return text

    return parse


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = float(str(value).strip()) if not isinstance(value, int | float) else value
        except ValueError:
            raise ValueError(f"must be a whole number {low}–{high}, got {value!r}") from None
        if isinstance(number, bool) or not float(number).is_integer():
            raise ValueError(f"must be a whole number {low}–{high}, got {value!r}")
        if not low <= number <= high:
            raise ValueError(f"must be {low}–{high}, got {value!r}")
        return int(number)

    return parse


def _number(low: float, high: float, *, low_open: bool = False) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        try:
            number = float(str(value).strip()) if not isinstance(value, int | float) else value
        except ValueError:
            raise ValueError(f"must be a number, got {value!r}") from None
        number = float(number)
        too_low = number <= low if low_open else number < low
        if not math.isfinite(number) or too_low or number > high:
            bracket = "(" if low_open else "["
            raise ValueError(f"must be in {bracket}{low:g}, {high:g}], got {value!r}")
        return number

    return parse


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, pd.Timestamp | np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if not isinstance(value, datetime):
        if isinstance(value, date):
            value = datetime.combine(value, time())
        else:
            try:
                value = datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(
                    f"must be a date and time YYYY-MM-DD HH:MM[:SS], got {value!r}"
                ) from None
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


def _clock(value: Any) -> str:
    text = value.strftime("%H:%M") if isinstance(value, time) else str(value).strip()
    try:
        return time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        raise ValueError(f"must be a time of day HH:MM, got {value!r}") from None


def now_local() -> datetime:
    """The current local time (Europe/London), naive, as stored in ``created_at`` / ``at``."""
    return datetime.now(UTC).astimezone(LOCAL_TZ).replace(tzinfo=None)


def new_id(prefix: str) -> str:
    """A fresh random id such as ``"FB-3f9a1c2d7e4b"`` (safe for concurrent writers)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Field:
    """One field of a record type: its parser, whether it is required and its default.

    ``default`` may be a zero-argument callable (evaluated per record); no default means the
    field is required. ``verbatim`` marks free text, stored exactly as typed (even spaces).
    ``derived`` makes a blank value from the record's other fields, once they are parsed (a
    camera's id, :func:`camera_content_id`); it is not called for a record with problems.
    """

    name: str
    parse: Callable[[Any], Any]
    default: Any = _MISSING
    verbatim: bool = False
    derived: Callable[[Mapping[str, Any]], Any] | None = None

    @property
    def required(self) -> bool:
        return self.default is _MISSING


def _degrees(axis: str, limit: float) -> Callable[[Any], float]:
    within = _number(-limit, limit)

    def parse(value: Any) -> float:
        try:
            return within(value)
        except ValueError as err:
            hint = ""
            try:
                if abs(float(value)) > 1000:
                    hint = " (this looks like metres: give WGS84 longitude/latitude degrees)"
            except (TypeError, ValueError):
                pass
            raise ValueError(f"({axis}) {err}{hint}") from None

    return parse


_LON = _degrees("longitude", 180.0)
_LAT = _degrees("latitude", 90.0)


def _camera_words(camera: Mapping[str, Any]) -> str:
    """What people call a camera: its name, else its location (stripped), else ``""``."""
    return next(
        (str(camera[key]).strip() for key in ("name", "location") if not is_blank(camera.get(key))),
        "",
    )


CAMERA_ID_DECIMALS = 5
"""Decimal places of longitude and latitude that identify a camera without a ``camera_id``
(:func:`camera_content_id`): 0.00001° is about 1.1 m north-south and 0.7 m east-west in
Britain."""


def camera_content_id(camera: Mapping[str, Any]) -> str:
    """The id of a camera whose record gives none: ``"CAM-"`` and 12 hex digits made from what
    the camera is, its position (``lon``, ``lat`` rounded to :data:`CAMERA_ID_DECIMALS`
    places, about a metre), its ``type`` and what it is called (``name``, else ``location``;
    spaces and case ignored).

    This is the rule for cameras without an id, in one place: the same camera gets the same id
    on every import (a list imported twice stores it once; :func:`hotspots.store.io.import_records`
    also recognises a camera stored under another id with the same position, type and name).
    Two rows of one list with the same position, type and name are the same camera, stored once
    (the import names both lines). Give each camera its ``camera_id`` to tell them apart; moving
    a camera more than about a metre, or renaming it, makes it a new camera.

    Examples
    --------
    >>> a = camera_content_id({"lon": -2.31, "lat": 53.45, "type": "ptz", "location": "Noid cam"})
    >>> a == camera_content_id({"lon": -2.3100001, "lat": 53.45, "type": "ptz",
    ...                         "name": " noid  CAM", "location": "elsewhere"})
    True
    >>> a.startswith("CAM-"), len(a)
    (True, 16)
    """
    places = CAMERA_ID_DECIMALS
    lon, lat = (round(float(camera[axis]), places) + 0.0 for axis in ("lon", "lat"))  # no -0.0
    words = " ".join(_camera_words(camera).split()).casefold()
    key = f"{lon:.{places}f}|{lat:.{places}f}|{str(camera['type']).strip().lower()}|{words}"
    return "CAM-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


RECORD_FIELDS: dict[str, tuple[Field, ...]] = {
    "walkabouts": (
        Field("walkabout_id", _identifier, lambda: new_id("WALK")),
        Field("date", _date),
        Field("start_time", _clock, None),
        Field("end_time", _clock, None),
        Field("area", _feedback_text(200)),
        Field("organiser", _feedback_text(200)),
        Field("agencies", _text(1000), "", verbatim=True),
        Field("participants", _integer(0, 100_000)),
    ),
    "feedback": (
        Field("feedback_id", _identifier, lambda: new_id("FB")),
        Field("walkabout_id", _identifier, None),
        Field("lon", _LON),
        Field("lat", _LAT),
        Field("reason", _choice(REASONS)),
        Field("comment", _feedback_text(4000), "", verbatim=True),
        Field("time_of_concern", _choice(TIMES_OF_CONCERN), "all"),
        Field("severity", _integer(1, 5)),
        Field("created_at", _datetime, now_local),
    ),
    "actions": (
        Field("action_id", _identifier, lambda: new_id("ACT")),
        Field("feedback_id", _identifier),
        Field("description", _text(2000)),
        Field("owner_agency", _text(200)),
        Field("due_date", _date),
        Field("status", _choice(ACTION_STATUSES), "open"),
        Field("created_at", _datetime, now_local),
    ),
    "action_updates": (
        Field("update_id", _identifier, lambda: new_id("UPD")),
        Field("action_id", _identifier),
        Field("at", _datetime, now_local),
        Field("status_from", _choice(ACTION_STATUSES), None),
        Field("status_to", _choice(ACTION_STATUSES)),
        Field("note", _text(2000), "", verbatim=True),
        Field("updated_by", _text(200), "", verbatim=True),
    ),
    "cameras": (
        Field("camera_id", _identifier, None, derived=camera_content_id),
        Field("name", _text(200), "", verbatim=True),
        Field("location", _text(300), "", verbatim=True),
        Field("area_name", _text(200), "", verbatim=True),
        Field("area_code", _text(50), "", verbatim=True),
        Field("type", _choice(CAMERA_TYPES)),
        Field("range_m", _number(0.0, 5000.0, low_open=True)),
        Field("bearing_deg", _number(0.0, 360.0), None),
        Field("fov_deg", _number(0.0, 360.0, low_open=True), None),
        Field("lon", _LON),
        Field("lat", _LAT),
        Field("status", _choice(CAMERA_STATUSES), "active"),
    ),
    "taskings": (
        Field("tasking_id", _identifier, lambda: new_id("TSK")),
        Field("camera_id", _identifier),
        Field("window_start", _datetime),
        Field("window_end", _datetime),
        Field("hotspot_id", _text(64), "", verbatim=True),
        Field("reason", _text(2000), "", verbatim=True),
        Field("requested_by", _text(200)),
        Field("outcome", _text(2000), "", verbatim=True),
        Field("created_at", _datetime, now_local),
    ),
}
"""The fields of each record type, in column order (CSV/GeoJSON exports use this order)."""

RECORD_KINDS: tuple[str, ...] = tuple(RECORD_FIELDS)
ID_FIELD: dict[str, str] = {kind: fields[0].name for kind, fields in RECORD_FIELDS.items()}
"""The id column of each record type (always the first field)."""

POINT_KINDS: tuple[str, ...] = ("feedback", "cameras")
"""Record types with a location (``lon``, ``lat`` in WGS84)."""


_LABEL_CHARS = 40


def camera_label(camera: Mapping[str, Any]) -> str:
    """A camera as people name it: its id, and its name (else its location) in brackets, cut
    at 40 characters; characters that do not print (a terminal's escapes, direction
    controls) shown as ``?``, other text verbatim (escape it where it is shown).

    Examples
    --------
    >>> camera_label({"camera_id": "DBC-CAM-01", "name": "Marlowes north", "location": ""})
    'DBC-CAM-01 (Marlowes north)'
    >>> camera_label({"camera_id": "1001", "name": "", "location": "Stretford Mall"})
    '1001 (Stretford Mall)'
    """
    words = _camera_words(camera)
    if len(words) > _LABEL_CHARS:
        words = words[: _LABEL_CHARS - 1].rstrip() + "…"
    label = f"{camera['camera_id']} ({words})" if words else str(camera["camera_id"])
    return "".join(ch if ch.isprintable() else "?" for ch in label)


def check_kind(kind: str) -> tuple[Field, ...]:
    """The fields of ``kind``; ``ValueError`` naming the known kinds otherwise."""
    if kind not in RECORD_FIELDS:
        raise ValueError(f"unknown record type {kind!r}; choose one of {', '.join(RECORD_KINDS)}")
    return RECORD_FIELDS[kind]


def clean_record(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a record and fill its defaults.

    Parameters
    ----------
    kind
        One of :data:`RECORD_KINDS`.
    record
        Field values (strings from a form or a CSV are parsed). Blank values take the default;
        a camera without a ``camera_id`` gets :func:`camera_content_id`.

    Returns
    -------
    dict
        Every field of ``kind`` (:data:`RECORD_FIELDS`, in order) with parsed values.

    Raises
    ------
    ValidationError
        Listing every unknown field, missing required field and bad value, with the fix.
    """
    fields = check_kind(kind)
    names = [f.name for f in fields]
    problems: list[str] = []
    unknown = sorted(set(record) - set(names))
    if unknown:
        note = " (walkabouts record no names of people)" if kind == "walkabouts" else ""
        problems.append(f"unknown field(s) {unknown}; a {kind} record has {names}{note}")
    values: dict[str, Any] = {}
    derived: dict[str, Callable[[Mapping[str, Any]], Any]] = {}
    for field in fields:
        raw = record.get(field.name, _MISSING)
        if raw is _MISSING or is_blank(raw):
            if field.derived is not None:
                values[field.name] = None  # made from the others below, in its place
                derived[field.name] = field.derived
            elif field.verbatim and isinstance(raw, str):
                values[field.name] = raw
            elif field.required:
                problems.append(f"{field.name} is required")
            else:
                values[field.name] = field.default() if callable(field.default) else field.default
            continue
        try:
            values[field.name] = field.parse(raw)
        except ValueError as err:
            problems.append(f"{field.name} {err}")
    if not problems:
        problems.extend(_cross_checks(kind, values))
    if problems:
        raise ValidationError(kind, problems)
    for name, make in derived.items():
        values[name] = make(values)
    return values


def _cross_checks(kind: str, values: dict[str, Any]) -> list[str]:
    problems = []
    fixed = kind == "cameras" and values["type"] == "fixed"
    if fixed and (values["bearing_deg"] is None or values["fov_deg"] is None):
        problems.append(
            "a fixed camera needs bearing_deg (degrees clockwise from north) and fov_deg "
            "(field of view, degrees); give both, or set type to ptz for a camera that turns"
        )
    if kind == "taskings" and values["window_end"] <= values["window_start"]:
        problems.append(
            f"window_end {values['window_end']} is not after window_start "
            f"{values['window_start']}; the window must end after it starts"
        )
    return problems
