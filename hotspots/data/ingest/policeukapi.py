"""Read the police.uk API's crime JSON (``/api/crimes-street/...``, ``/api/crimes-at-location``)
as rows of a street-level crime CSV, so both go through one reader."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from hotspots.data.ingest.csvscan import CsvTable
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import SourceFile
from hotspots.data.ingest.textfile import TextData, decode_text, gunzip_if_needed

CATEGORY_SLUGS: dict[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "public-disorder-weapons": "Public disorder and weapons",  # before May 2013
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
    "other-crime": "Other crime",
}
"""police.uk API category slug → the street-level CSV's ``Crime type``. An unknown slug is
kept as given (and reported as an unmapped crime type). police.uk's categories before May 2013,
"Violent crime" and "Public disorder and weapons", are in the bundled taxonomy too."""

API_COLUMNS: tuple[str, ...] = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context", "API id",
    "Location type",
)  # fmt: skip
"""The columns an API crime becomes: the street CSV's (``Crime ID`` = ``persistent_id``;
no LSOA or force in the API), then the API's own ``id`` and ``location_type``."""
_SPACE = re.compile(r"\s*")


def _skip_space(string: str, pos: int) -> int:
    """The position of the first non-space character at or after ``pos``."""
    match = _SPACE.match(string, pos)
    assert match is not None  # \s* matches everywhere
    return match.end()


def looks_like_api_json(source: SourceFile) -> bool:
    """Whether a ``.json`` file holds a JSON list (the API's crimes), not a GeoJSON object."""
    if source.suffix != ".json":
        return False
    head = source.head(256).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def read_api_json(source: SourceFile) -> tuple[CsvTable, list[str]]:
    """The crimes of one API JSON file as a :class:`CsvTable` of street-CSV columns, with
    notes for the load report.

    ``lines`` are the physical line on which each crime's object starts (API responses are
    often one line: then the crimes' 1-based positions are given instead, and the report
    notes it). An item that is not an object is a ``malformed_row``; one that holds a byte
    that is not text is ``undecodable_text``.

    Raises
    ------
    IngestError
        Not JSON, not a list, or broken part-way (line and column named).
    """
    raw = gunzip_if_needed(source.read_bytes(), name=source.label)
    text = decode_text(raw, name=source.label, header=False)
    string = text.data.decode("utf-8")
    decoder = json.JSONDecoder()
    pos = _skip_space(string, 0)
    if not string.startswith("[", pos):
        raise IngestError(
            f"{source.label}: not police.uk API JSON: expected a JSON list of crimes "
            '(\'[{"category": ..., "location": {...}, "month": ...}, ...]\')'
        )
    items, spans = [], []
    pos = _skip_space(string, pos + 1)
    while not string.startswith("]", pos):
        try:
            item, end = decoder.raw_decode(string, pos)
        except json.JSONDecodeError as exc:
            raise _broken(source.label, exc, "a crime object") from exc
        except RecursionError as exc:
            deep = json.JSONDecodeError("nested too deeply", string, pos)
            raise _broken(source.label, deep, "a crime object") from exc
        items.append(item)
        spans.append((pos, end))
        pos = _skip_space(string, end)
        if string.startswith(",", pos):
            pos = _skip_space(string, pos + 1)
        elif not string.startswith("]", pos):
            raise _broken(
                source.label,
                json.JSONDecodeError("expected ',' or ']'", string, pos),
                "',' or ']' after a crime",
            )
    if string[pos + 1 :].strip():
        raise _broken(
            source.label, json.JSONDecodeError("extra data", string, pos + 1), "the end of file"
        )
    return _table(source, text, string, items, spans)


def _broken(label: str, exc: json.JSONDecodeError, expected: str) -> IngestError:
    return IngestError(
        f"{label}: broken JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); expected "
        f"{expected} — police.uk API JSON is a list of crimes; download it again"
    )


def _table(
    source: SourceFile, text: TextData, string: str, items: list, spans: list[tuple[int, int]]
) -> tuple[CsvTable, list[str]]:
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e in spans], dtype=np.int64)
    newline_chars = np.array([m.start() for m in re.finditer("\n", string)], dtype=np.int64)
    lines = np.searchsorted(newline_chars, starts) + 1
    one_line = lines.size > 1 and np.unique(lines).size < lines.size
    if one_line:
        lines = np.arange(1, lines.size + 1, dtype=np.int64)
    # bytes that were not text: their items are set aside
    char_bytes = np.flatnonzero((np.frombuffer(text.data, np.uint8) & 0xC0) != 0x80)
    bad_chars = np.searchsorted(char_bytes, text.bad_offsets)
    item_of_bad = np.searchsorted(starts, bad_chars, side="right") - 1
    undecodable = np.zeros(len(items), dtype=bool)
    inside = (item_of_bad >= 0) & (bad_chars < ends[np.maximum(item_of_bad, 0)])
    undecodable[item_of_bad[inside]] = True
    is_object = np.array([isinstance(i, dict) for i in items], dtype=bool)
    good = is_object & ~undecodable
    rows = [_row(i) for i, ok in zip(items, good, strict=True) if ok]
    records = _records(rows)
    bad = ~good
    bad_items = [items[i] for i in np.flatnonzero(bad)]
    detail = [
        (
            f"{text.bad_what[int(np.flatnonzero(item_of_bad == i)[0])]} in this crime "
            "(shown as '?'); expected text in UTF-8"
            if undecodable[i]
            else f"expected a crime object {{...}}, found JSON {type(items[i]).__name__}"
        )
        + f": {string[starts[i] : ends[i]][:300]}"
        for i in np.flatnonzero(bad)
    ]
    malformed_rows = _records([_row(i) if isinstance(i, dict) else {} for i in bad_items])
    table = CsvTable(
        name=source.label,
        columns=list(API_COLUMNS),
        records=records,
        lines=lines[good],
        malformed_lines=lines[bad],
        malformed_detail=pd.Series(detail, dtype="str"),
        malformed_records=malformed_rows,
        encoding="utf-8 (JSON)" if text.encoding == "utf-8" else f"{text.encoding} (JSON)",
        delimiter="",
        blank_lines=0,
        trailing_delimiter_rows=0,
        malformed_reasons=np.where(undecodable[bad], "undecodable_text", "malformed_row").astype(
            object
        ),
        encoding_evidence=text.evidence,
    )
    notes = table.notes()
    if one_line:
        notes.append(
            f"{source.label}: police.uk API JSON with several crimes to a line: the "
            "quarantine's line is the crime's position in the list"
        )
    return table, notes


def _row(item: dict) -> dict[str, str]:
    location = item.get("location")
    location = location if isinstance(location, dict) else {}
    street = location.get("street")
    street = street if isinstance(street, dict) else {}
    outcome = item.get("outcome_status")
    outcome = outcome.get("category") if isinstance(outcome, dict) else None
    slug = _text(item.get("category"))
    return {
        "Crime ID": _text(item.get("persistent_id")),
        "Month": _text(item.get("month")),
        "Reported by": "",
        "Falls within": "",
        "Longitude": _text(location.get("longitude")),
        "Latitude": _text(location.get("latitude")),
        "Location": _text(street.get("name")),
        "LSOA code": "",
        "LSOA name": "",
        "Crime type": CATEGORY_SLUGS.get(slug, slug),
        "Last outcome category": _text(outcome),
        "Context": _text(item.get("context")),
        "API id": _text(item.get("id")),
        "Location type": _text(item.get("location_type")),
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value)


def _records(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table(
        {c: pa.array([r.get(c) for r in rows], type=pa.large_string()) for c in API_COLUMNS}
    )
