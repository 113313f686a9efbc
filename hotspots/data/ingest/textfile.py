"""Turn the bytes of a text file into UTF-8, deciding its encoding with evidence.

Damage stays where it is: a NUL, a control character or a byte that is not text in the
file's encoding is replaced by ``?`` and its offset returned, so the CSV scanner sets aside
the row that holds it (reason ``undecodable_text``) instead of rejecting the file. Only a file
that is not text at all (binary, empty, a cut-short UTF-16 file) raises :class:`IngestError`.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

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
# A valid multi-byte UTF-8 sequence: evidence that the file is UTF-8.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that surrogateescape could not decode
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[c for c in range(32) if c not in (9, 10, 13)]] = True
_CONTROL[127] = True
_NOT_CONTROL = bytes(c for c in range(256) if not _CONTROL[c])  # to find controls with translate
_NOT_SPACE = re.compile(rb"\S")
_SAVE_AS = "re-save it from Excel as 'CSV UTF-8 (Comma delimited)'"
_PLACEHOLDER = ord("?")
_BINARY_SHARE = 0.5
"""Bad bytes on more than this share of the lines (and more than 8): binary, not text."""


def _cp1252_tables() -> tuple[np.ndarray, ...]:
    """Per byte ≥ 0x80: its cp1252 character's class and UTF-8 length (lookup tables)."""
    letter = np.zeros(256, dtype=bool)
    anywhere = np.zeros(256, dtype=bool)  # typographic punctuation: plausible anywhere
    by_digit = np.zeros(256, dtype=bool)  # £ € ° ½ …: by a digit, or apart from words
    width = np.ones(256, dtype=np.int64)
    for code in range(0x80, 0x100):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # undefined in cp1252 (0x81, 0x8d, 0x8f, 0x90, 0x9d): never text
        width[code] = len(char.encode("utf-8"))
        if char.isalpha() and char not in "ÿþÞ":  # ÿ/þ: the classic junk bytes 0xff/0xfe
            letter[code] = True
        elif char in "‘’“”–—…•·\xa0©®™§¦´¨¬":
            anywhere[code] = True
        elif char in "£€°½¼¾²³¹±×÷‰µº":
            by_digit[code] = True
    return letter, anywhere, by_digit, width


_LETTER, _ANYWHERE, _BY_DIGIT, _WIDTH = _cp1252_tables()
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[list(b"0123456789")] = True
_WORD = np.zeros(256, dtype=bool)  # a letter, or a byte ≥ 0x80 (a letter in most encodings)
_WORD[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] = True
_WORD[0x80:] = True


@dataclass(frozen=True)
class TextData:
    """A text file normalised to UTF-8 bytes without a byte-order mark.

    Attributes
    ----------
    name
        The label used in messages and in the quarantine's ``file`` column.
    data
        UTF-8 bytes; line ends ``\\n`` or ``\\r\\n``. Bad bytes are replaced by ``?``.
    encoding
        The encoding decided, e.g. ``"utf-8"``, ``"utf-8-sig (Excel CSV UTF-8)"``,
        ``"cp1252"``, ``"latin-1"``, ``"utf-16"``.
    evidence
        Why that encoding, in words (for the load report).
    bad_offsets
        Offsets in ``data`` of the bytes that were not text (sorted).
    bad_what
        What each bad byte was, e.g. ``"NUL byte 0x00"``, ``"byte 0xff (not UTF-8)"``.
    """

    name: str
    data: bytes
    encoding: str
    evidence: str = ""
    bad_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    bad_what: tuple[str, ...] = ()


MAX_COMPRESSION_RATIO = 100
"""Most times compressed data (a zip member, a ``.gz`` file) may inflate (uncompressed /
compressed bytes): police.uk CSVs compress 5-10 times, very repetitive logs a few tens; deflate
reaches about 1,000 (a bomb, whose data would exhaust memory and abort the process)."""

RATIO_CHECKED_FROM = 64 * 2**20
"""Uncompressed bytes from which data are held to :data:`MAX_COMPRESSION_RATIO`; less is read
whatever its ratio (it cannot exhaust memory, and a tiny file may compress well)."""

_GUNZIP_STEP = 16 * 2**20
"""Bytes a ``.gz`` file is inflated by at a time, the ratio checked after each step."""


def refuse_bomb(label: str, inflated: int, compressed: int, said: str) -> None:
    """Raise :class:`IngestError` when ``inflated`` bytes (:data:`RATIO_CHECKED_FROM` or
    more) come from more than :data:`MAX_COMPRESSION_RATIO` times fewer ``compressed`` ones,
    ``said`` before the figures ("refused unread: it inflates to")."""
    ratio = inflated / max(compressed, 1)
    if inflated >= RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
        raise IngestError(
            f"{label}: {said} {inflated:,} bytes from {compressed:,} ({ratio:,.0f} times), "
            f"more than {MAX_COMPRESSION_RATIO} times, which no CSV compresses (a zip or gzip "
            "bomb, or a damaged archive); expected data files as downloaded"
        )


def gunzip_if_needed(raw: bytes, *, name: str) -> bytes:
    """Decompress gzip data (``.csv.gz``, one member or several); other bytes are returned
    unchanged. Inflated a step at a time: a bomb (:func:`refuse_bomb`) stops the read."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    out: list[bytes] = []
    size, data = 0, raw
    try:
        while data:
            inflate = zlib.decompressobj(wbits=31)  # one gzip member
            while data and not inflate.eof:
                chunk = inflate.decompress(data, _GUNZIP_STEP)
                size += len(chunk)
                out.append(chunk)
                refuse_bomb(name, size, len(raw), "refused: it inflates to more than")
                data = inflate.unconsumed_tail
            if not inflate.eof:
                raise EOFError("the data end before the gzip stream does")
            data = inflate.unused_data  # a next member, or b""
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(
            f"{name}: gzip data is damaged or cut short ({exc}); expected a complete .gz file "
            "(download or compress it again)"
        ) from exc
    return b"".join(out)


def decode_text(raw: bytes, *, name: str, header: bool = True) -> TextData:
    """Decide the encoding of ``raw`` from evidence and return it as UTF-8.

    A byte-order mark decides (UTF-8 or UTF-16). Otherwise UTF-8 when the file is valid
    UTF-8, or holds more valid multi-byte UTF-8 sequences than invalid bytes (the invalid
    ones are then stray bytes); else a single-byte encoding: ``cp1252`` when bytes
    0x80–0x9F read as cp1252 punctuation, ``latin-1`` when every byte ≥ 0x80 is ≥ 0xA0
    (where the two agree). A byte ≥ 0x80 that does not read as text in context (``ÿ`` alone
    among ASCII, a cp1252 gap byte, a currency sign touching a word but no digit, a letter away
    from letters) is a stray byte. NUL and other control characters are bad bytes everywhere.

    ``header=False`` (JSON, often one line) lets a bad byte on the first line stay
    row-level too.

    Raises
    ------
    IngestError
        The file is empty (or only a byte-order mark), binary (naming what it looks like),
        or UTF-16 cut short; the message names the line and what was expected.

    Examples
    --------
    >>> decode_text("Café,1\\n".encode("cp1252"), name="x.csv").encoding
    'latin-1'
    >>> text = decode_text(b"a,b\\n1,\\x002\\n", name="x.csv")
    >>> text.data, text.bad_offsets.tolist(), text.bad_what
    (b'a,b\\n1,?2\\n', [6], ('NUL byte 0x00',))
    """
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            raise IngestError(
                f"{name}: this is {kind}, not a CSV text file; export the data as CSV "
                "(or use read_vector for GeoPackage/GeoParquet)"
            )
    if raw.startswith(_UTF16_BOMS):
        return _utf16(raw, name=name, header=header)
    if raw.startswith(_UTF8_BOM):
        body = _line_ends(raw[len(_UTF8_BOM) :])
        _check_not_empty(body, name=name)
        data, bad, what = _utf8(body, name=name, header=header)
        evidence = "UTF-8 byte-order mark (Excel 'CSV UTF-8')" + _stray(what)
        return TextData(name, data, "utf-8-sig (Excel CSV UTF-8)", evidence, bad, what)
    _check_not_empty(raw, name=name)
    raw = _line_ends(raw)
    ascii_only = raw.isascii()  # then valid UTF-8: no decoding needed to know it
    sequences = len(_UTF8_SEQUENCE.findall(raw)) if not ascii_only else 0
    try:
        if not ascii_only:
            raw.decode("utf-8")
    except UnicodeDecodeError:
        invalid = len(_ESCAPED.findall(raw.decode("utf-8", "surrogateescape")))
        if sequences < invalid:
            return _single_byte(raw, name=name, sequences=sequences, header=header)
        data, bad, what = _utf8(raw, name=name, header=header)
        evidence = (
            f"UTF-8: {sequences:,} valid multi-byte sequence(s) outweigh {invalid:,} invalid "
            f"byte(s), which are stray" + _stray(what)
        )
        return TextData(name, data, "utf-8", evidence, bad, what)
    data, bad, what = _utf8(raw, name=name, header=header, valid=True)
    evidence = ("valid UTF-8" if sequences else "plain ASCII (valid UTF-8)") + _stray(what)
    return TextData(name, data, "utf-8", evidence, bad, what)


def _check_not_empty(body: bytes, *, name: str) -> None:
    if _NOT_SPACE.search(body) is None:
        raise IngestError(
            f"{name}: the file is empty; expected a CSV with a header row and data rows (it "
            "holds nothing but white space or a byte-order mark)"
        )


def _stray(what: tuple[str, ...]) -> str:
    if not what:
        return ""
    return f"; {len(what):,} bad byte(s) replaced by '?' and their rows set aside"


def _utf16(raw: bytes, *, name: str, header: bool) -> TextData:
    body = raw[2:]
    if len(body) % 2:
        line = raw[: len(raw) - 1].decode("utf-16", "replace").count("\n") + 1
        raise IngestError(
            f"{name}: UTF-16 file (it starts with a UTF-16 byte-order mark) with an odd number "
            f"of bytes: it ends in half a character at line {line}, so it is cut short or not "
            f"UTF-16; expected complete UTF-16 text — download it again or {_SAVE_AS}"
        )
    text = raw.decode("utf-16", "surrogatepass")
    utf8 = _line_ends(text.encode("utf-8", "surrogatepass"))  # lone surrogates: invalid UTF-8
    _check_not_empty(utf8, name=name)
    data, bad, what = _utf8(utf8, name=name, header=header)
    evidence = "UTF-16 byte-order mark" + _stray(what)
    return TextData(name, data, "utf-16", evidence, bad, what)


def _utf8(
    body: bytes, *, name: str, header: bool, valid: bool = False
) -> tuple[bytes, np.ndarray, tuple[str, ...]]:
    """UTF-8 bytes with invalid bytes and control characters replaced by ``?``, one for one.
    ``valid``: the caller knows ``body`` is valid UTF-8 (not decoded again)."""
    before = np.frombuffer(body, dtype=np.uint8)
    try:
        if not valid:
            body.decode("utf-8")
        data, invalid = body, np.zeros(0, np.int64)
    except UnicodeDecodeError:
        text = _ESCAPED.sub("?", body.decode("utf-8", "surrogateescape"))
        data = text.encode("utf-8")  # same length: each invalid byte became one "?"
        invalid = np.flatnonzero(before != np.frombuffer(data, dtype=np.uint8))
    has_control = bool(body.translate(None, _NOT_CONTROL))
    control = np.flatnonzero(_CONTROL[before]) if has_control else np.zeros(0, np.int64)
    return _mark(body, data, before, invalid, control, "(not UTF-8)", name=name, header=header)


def _single_byte(raw: bytes, *, name: str, sequences: int, header: bool) -> TextData:
    codes = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(codes >= 0x80)
    prev = codes[np.maximum(high - 1, 0)]
    nxt = codes[np.minimum(high + 1, codes.size - 1)]
    # a sign such as £ or ° by a digit ("£5", "20°") or standing apart from words ("Briçgate
    # £", "(£)"); touching a word ("Park £Road"), a stray byte
    apart = _DIGIT[prev] | _DIGIT[nxt] | ~(_WORD[prev] | _WORD[nxt])
    value = codes[high]
    plausible = _LETTER[value] | _ANYWHERE[value] | (_BY_DIGIT[value] & apart)
    stray = high[~plausible]
    cp1252 = bool(((value >= 0x80) & (value < 0xA0) & plausible).any())
    share = int(plausible.sum())
    encoding = "cp1252" if cp1252 else "latin-1" if share else "utf-8"
    clean = codes.copy()
    clean[stray] = _PLACEHOLDER
    single = "latin-1" if encoding == "utf-8" else encoding  # only ASCII left then
    text = clean.tobytes().decode(single)
    data = text.encode("utf-8")
    # offsets in the UTF-8 output: each byte grows to its character's UTF-8 width
    widths = _WIDTH[clean] if single == "cp1252" else np.where(clean >= 0x80, 2, 1)
    start = np.concatenate(([0], np.cumsum(widths)[:-1]))
    control = np.flatnonzero(_CONTROL[codes])
    marked = np.union1d(stray, control)
    after = np.frombuffer(data, dtype=np.uint8).copy()
    after[start[control]] = _PLACEHOLDER
    why = "(not UTF-8, and no text in cp1252 or Latin-1 here)"
    whats = tuple(_describe(int(codes[i]), why) for i in marked)
    if not share:
        evidence = "plain ASCII apart from stray byte(s) ≥ 0x80 that read as no text"
    else:
        evidence = (
            f"not UTF-8 ({sequences:,} valid multi-byte UTF-8 sequence(s)); {share:,} byte(s) "
            f"≥ 0x80 read as text in context, e.g. {_examples(raw, high[plausible])}; "
            + (
                "bytes 0x80–0x9F read as cp1252 punctuation"
                if cp1252
                else "all ≥ 0xA0, where Latin-1 and cp1252 agree"
            )
        )
    evidence += _stray(whats)
    _check_binary(raw, marked, name=name, header=header)
    return TextData(name, after.tobytes(), encoding, evidence, start[marked], whats)


def _examples(raw: bytes, offsets: np.ndarray) -> str:
    chars = sorted({raw[int(i) : int(i) + 1].decode("cp1252", "replace") for i in offsets[:200]})
    return " ".join(chars[:8]) or "-"


def _mark(
    body: bytes,
    data: bytes,
    before: np.ndarray,
    invalid: np.ndarray,
    control: np.ndarray,
    why: str,
    *,
    name: str,
    header: bool,
) -> tuple[bytes, np.ndarray, tuple[str, ...]]:
    if invalid.size == 0 and control.size == 0:
        return data, np.zeros(0, np.int64), ()
    offsets = np.union1d(invalid, control)
    _check_binary(body, offsets, name=name, header=header)
    after = np.frombuffer(data, dtype=np.uint8).copy()
    after[control] = _PLACEHOLDER
    whats = tuple(_describe(int(before[i]), why) for i in offsets)
    return after.tobytes(), offsets.astype(np.int64), whats


def _describe(code: int, why: str) -> str:
    if code == 0:
        return "NUL byte 0x00"
    if code < 32 or code == 127:
        return f"control character 0x{code:02x}"
    return f"byte 0x{code:02x} {why}"


def _check_binary(raw: bytes, offsets: np.ndarray, *, name: str, header: bool) -> None:
    """Raise when bad bytes sit in the first line, or in most lines (binary, not text).

    A block of bad bytes on one line (a NUL-padded tail, a damaged cell) stays row-level.
    """
    if offsets.size == 0:
        return
    newlines = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n"))
    bad_lines = np.unique(np.searchsorted(newlines, offsets))
    lines = newlines.size + 1
    in_header = header and bad_lines[0] == 0
    if in_header or (bad_lines.size > 8 and bad_lines.size > _BINARY_SHARE * lines):
        offset = int(offsets[0])
        code = raw[offset]
        what = "binary data (NUL bytes)" if code == 0 else f"bytes that are not text (0x{code:02x})"
        where = "in the header row" if in_header else f"on {bad_lines.size:,} of {lines:,} lines"
        head = raw[: int(newlines[0]) if newlines.size else len(raw)]
        hint = (
            " (it looks like UTF-16 without a byte-order mark)"
            if len(head) > 3 and head[1::2].count(0) > 0.8 * (len(head) // 2)
            else ""
        )
        raise IngestError(
            f"{name}: not a CSV text file: {what} {where}{hint}, first byte 0x{code:02x} at "
            f"{_position(raw, offset)}; expected text in UTF-8, cp1252 or Latin-1 — {_SAVE_AS}"
        )


def _position(raw: bytes, offset: int) -> str:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _line_ends(data: bytes) -> bytes:
    """Old Mac files end lines with a bare ``\\r``: make them ``\\n`` (same length)."""
    if b"\n" not in data and b"\r" in data:
        return data.replace(b"\r", b"\n")
    return data
