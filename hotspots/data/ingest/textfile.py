"""Turn the bytes of a text file into UTF-8, detecting its encoding, or say why it is not text."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass

import numpy as np

from hotspots.data.ingest.errors import IngestError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MAGIC = {
    b"PK\x03\x04": "a zip archive (or an Excel .xlsx workbook)",
    b"PAR1": "a Parquet file",
    b"SQLite format 3\x00": "a SQLite database (or a GeoPackage)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook",
}
# A valid multi-byte UTF-8 sequence: its presence next to invalid bytes means mixed encodings.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[c for c in range(32) if c not in (9, 10, 13)]] = True
_NOT_SPACE = re.compile(rb"\S")
_SAVE_AS = "re-save it from Excel as 'CSV UTF-8 (Comma delimited)'"


@dataclass(frozen=True)
class TextData:
    """A text file normalised to UTF-8 bytes without a byte-order mark.

    Attributes
    ----------
    name
        The label used in messages and in the quarantine's ``file`` column.
    data
        UTF-8 bytes; line ends ``\\n`` or ``\\r\\n``.
    encoding
        The encoding detected, e.g. ``"utf-8"``, ``"utf-8-sig (Excel CSV UTF-8)"``,
        ``"cp1252"``, ``"latin-1"``, ``"utf-16"``.
    """

    name: str
    data: bytes
    encoding: str


def gunzip_if_needed(raw: bytes, *, name: str) -> bytes:
    """Decompress gzip data (``.csv.gz``); other bytes are returned unchanged."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise IngestError(
            f"{name}: gzip data is damaged or cut short ({exc}); expected a complete .gz file"
        ) from exc


def decode_text(raw: bytes, *, name: str) -> TextData:
    """Detect the encoding of ``raw`` and return it as UTF-8.

    UTF-8 (with or without Excel's byte-order mark), UTF-16 with a byte-order mark,
    Windows-1252 (what Excel writes for plain "CSV") and Latin-1 are accepted, in that
    order of preference.

    Raises
    ------
    IngestError
        The file is empty, binary (naming what it looks like), mixes encodings, or holds
        control characters; the message gives the line and column of the first bad byte.

    Examples
    --------
    >>> decode_text("Café,1\\n".encode("cp1252"), name="x.csv").encoding
    'cp1252'
    """
    if _NOT_SPACE.search(raw) is None:
        raise IngestError(
            f"{name}: the file is empty; expected a CSV with a header row and data rows"
        )
    if raw.startswith(_UTF16_BOMS):
        text = raw.decode("utf-16")
        _check_controls(text.encode("utf-8"), name=name)
        return TextData(name, _line_ends(text.encode("utf-8")), "utf-16")
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise IngestError(
                f"{name}: this is {what}, not a CSV text file; export the data as CSV "
                "(or use read_vector for GeoPackage/GeoParquet)"
            )
    if raw.startswith(_UTF8_BOM):
        body = raw[len(_UTF8_BOM) :]
        _strict_utf8(body, name=name, hint="it starts with a UTF-8 byte-order mark")
        _check_controls(body, name=name)
        return TextData(name, _line_ends(body), "utf-8-sig (Excel CSV UTF-8)")
    _check_controls(raw, name=name)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(raw):
            _strict_utf8(raw, name=name, hint="other characters in it are UTF-8", error=exc)
        for encoding in ("cp1252", "latin-1"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            return TextData(name, _line_ends(text.encode("utf-8")), encoding)
    return TextData(name, _line_ends(raw), "utf-8")


def _position(raw: bytes, offset: int) -> str:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _strict_utf8(
    raw: bytes, *, name: str, hint: str, error: UnicodeDecodeError | None = None
) -> None:
    if error is None:
        try:
            raw.decode("utf-8")
            return
        except UnicodeDecodeError as exc:
            error = exc
    bad = raw[error.start]
    raise IngestError(
        f"{name}: undecodable text: byte 0x{bad:02x} at {_position(raw, error.start)} is not "
        f"UTF-8, yet {hint}; the file mixes encodings. Expected one encoding throughout: "
        f"{_SAVE_AS}"
    )


def _check_controls(raw: bytes, *, name: str) -> None:
    codes = np.frombuffer(raw, dtype=np.uint8)
    low = np.flatnonzero(codes < 32)
    bad = low[_CONTROL[codes[low]]]
    if bad.size:
        offset = int(bad[0])
        what = "binary data (NUL bytes)" if codes[offset] == 0 else "control characters"
        raise IngestError(
            f"{name}: not a CSV text file: {what}, first byte 0x{codes[offset]:02x} at "
            f"{_position(raw, offset)}; expected text in UTF-8, cp1252 or Latin-1 — "
            f"{_SAVE_AS}"
        )


def _line_ends(data: bytes) -> bytes:
    """Old Mac files end lines with a bare ``\\r``: make them ``\\n``."""
    if b"\n" not in data and b"\r" in data:
        return data.replace(b"\r", b"\n")
    return data
