"""A vectorised CSV tokenizer that keeps physical line numbers and never drops a row.

pandas and pyarrow either refuse a file with one bad row or skip it silently, and neither
says on which physical line a record starts when quoted fields hold line breaks. This
module splits the UTF-8 bytes with numpy (record ends are line feeds outside quotes, fields
end at delimiters outside quotes, RFC 4180 quoting) and builds the field strings as one
pyarrow array, so every record keeps its line number and a record with the wrong number
of fields is returned separately, with its text, instead of being lost.

A plain file (:func:`plain_csv`: no bad byte, blank line, stray quote or ragged row, which is
what police.uk and most council exports are) is parsed by pyarrow instead, several times
faster, into the very table the scanner would build (tests/test_ingest_arrow_path.py runs
both over the fuzz corpus and the bundled data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from hotspots.core.disclosure import QUOTED_RECORD
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.files import SourceFile
from hotspots.data.ingest.textfile import TextData, decode_text, gunzip_if_needed

_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
_DELIMITERS = (",", ";", "\t", "|")
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str", what to_pandas gives
_TEXT_ARRAY = type(pd.array([], dtype=_TEXT))


@dataclass(frozen=True)
class CsvTable:
    """The records of one CSV file.

    Attributes
    ----------
    name
        The file's label.
    columns
        Header names (stripped; blanks named ``column_<n>``; repeats suffixed ``.1``, ``.2``).
    records
        The well-formed records (as many fields as the header) as an Arrow table, one
        string column per header name; blank fields are ``""``. ``rows`` gives it as a
        DataFrame.
    lines
        Physical 1-based line number of each row in ``rows`` (the header is line 1).
    malformed_lines, malformed_detail, malformed_rows, malformed_reasons
        Records set aside: their line numbers, why (with the record's text), the fields they
        do have, by position (null where missing), and the quarantine reason:
        ``undecodable_text`` (a NUL, control character or byte that is not text in the
        file's encoding) or ``malformed_row`` (another number of fields than the header).
    encoding
        The text encoding decided.
    encoding_evidence
        Why that encoding, in words (and how many bad bytes were set aside).
    delimiter
        The delimiter detected from the header.
    blank_lines
        Empty lines skipped (they hold no record).
    trailing_delimiter_rows
        Rows read although they have more fields than the header, because the extra
        fields are all empty (trailing delimiters).
    unbalanced_quote_lines
        Lines set aside for a quote that would have joined the lines after it into one row
        (:func:`_resync`); each is one of ``malformed_lines``.
    """

    name: str
    columns: list[str]
    records: pa.Table
    lines: np.ndarray
    malformed_lines: np.ndarray
    malformed_detail: pd.Series
    malformed_records: pa.Table
    encoding: str
    delimiter: str
    blank_lines: int
    trailing_delimiter_rows: int
    malformed_reasons: np.ndarray
    encoding_evidence: str = ""
    unbalanced_quote_lines: int = 0

    def notes(self) -> list[str]:
        """What the report should say about this file's layout."""
        out = []
        if self.encoding != "utf-8" or (self.malformed_reasons == "undecodable_text").any():
            out.append(f"{self.name}: encoding {self.encoding}: {self.encoding_evidence}")
        if self.blank_lines:
            out.append(f"{self.name}: {self.blank_lines} blank line(s) skipped")
        if self.unbalanced_quote_lines:
            out.append(
                f"{self.name}: {self.unbalanced_quote_lines:,} line(s) with an unbalanced quote "
                "(one that would have joined the lines after it into one row): each set aside, "
                "and reading resumed at the next line"
            )
        if self.trailing_delimiter_rows:
            out.append(
                f"{self.name}: {self.trailing_delimiter_rows} row(s) end in extra empty fields "
                "(trailing delimiters): read, the empty fields ignored"
            )
        return out

    @property
    def rows(self) -> pd.DataFrame:
        """The well-formed records as a DataFrame of ``str`` columns."""
        return _to_frame(self.records, self.columns)

    def column(self, name: str) -> pd.Series:
        """``rows[name]`` alone: a ``str`` Series on the column's Arrow array (no copy, no
        other column converted)."""
        text = _TEXT_ARRAY(self.records.column(name), dtype=_TEXT)
        return pd.Series(text, name=name, copy=False)

    @property
    def malformed_rows(self) -> pd.DataFrame:
        """The malformed records' fields by position (null where missing)."""
        return _to_frame(self.malformed_records, self.columns)


def read_table(source: SourceFile, *, fast: bool = True) -> CsvTable:
    """Read, decode and split one CSV file (``.csv.gz`` too).

    ``fast``: let pyarrow parse a plain file (:func:`plain_csv`, same table); ``False``: the
    scanner reads every file.
    """
    raw = gunzip_if_needed(source.read_bytes(), name=source.label)
    text = decode_text(raw, name=source.label)
    table = plain_csv(text) if fast else None
    return scan_csv(text) if table is None else table


def plain_csv(text: TextData) -> CsvTable | None:
    """The table :func:`scan_csv` returns, parsed by pyarrow, when the file is plain; else ``None``.

    Plain: no bad byte, no blank line, every ``\\r`` ends a line, quotes only around whole
    fields (:func:`_plain_quotes`) and every record has as many fields as the header. Then
    record *i* lies on line *i* + 2 and pyarrow splits the fields exactly as the scanner
    does; anything else (or anything pyarrow refuses) returns ``None`` for the scanner to
    read, repairs and quarantine included.
    """
    layout = _plain_layout(text)
    if layout is None:
        return None
    end, delimiter, expected = layout
    data = text.data
    header = scan_csv(replace(text, data=data[: end + 1]))
    names = header.columns
    try:
        records = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(end + 1)),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # decode_text made it UTF-8
            ),
        )
    except pa.ArrowInvalid:  # a ragged row, a field longer than a block: the scanner's job
        return None
    if records.num_rows != expected:
        return None
    return replace(
        header,
        records=records.combine_chunks(),
        lines=np.arange(2, expected + 2, dtype=np.int64),
    )


def _plain_layout(text: TextData) -> tuple[int, str, int] | None:
    """The header's end (offset of its line feed), the delimiter and the number of records of
    a file plain enough for pyarrow (see :func:`plain_csv`), or ``None``.

    One pass finds the line feeds; the blank-line, record-count and quote checks share them.
    """
    data = text.data
    if text.bad_offsets.size:
        return None
    crs = b"\r" in data
    if crs and data.count(b"\r") != data.count(b"\r\n"):
        return None
    codes = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(codes == _LF)
    if ends.size == 0 or ends[0] + 1 == len(data):
        return None  # a header and no record: the scanner says what is wrong
    # a blank line: the file starts with one, or a line feed follows a line feed (with only
    # a carriage return between them, every one of which ends a line here)
    gap = np.diff(ends)
    blank = ends[0] == 0 or (ends[0] == 1 and codes[0] == _CR) or (gap == 1).any()
    if blank or (crs and ((gap == 2) & (codes[ends[1:] - 1] == _CR)).any()):
        return None
    end = int(ends[0])
    delimiter = _sniff_delimiter(data[:end].removesuffix(b"\r"))
    if b'"' in data and not _plain_quotes(codes, ord(delimiter), ends):
        return None
    return end, delimiter, ends.size - 1 + int(codes[-1] != _LF)


def _plain_quotes(codes: np.ndarray, delimiter: int, newlines: np.ndarray) -> bool:
    """Whether every quoted field is whole and RFC 4180: it starts at a field start, ends at
    a field end, holds its quotes doubled (``""``) and no line break; no other field holds a
    quote. Then the scanner's quote parity and pyarrow's quoting agree. ``newlines``: the
    offsets of the line feeds in ``codes``."""
    quotes = np.flatnonzero(codes == _QUOTE)
    if quotes.size % 2:
        return False
    # a run opens a field when the quotes before it are even
    first, _, opening, within = _quote_runs(codes, quotes, delimiter)
    ok = np.where(first % 2 == 0, opening, within)
    inside = (np.searchsorted(quotes, newlines) & 1) == 1
    return bool(ok.all() and not inside.any())


def malformed_quarantine(table: CsvTable) -> pd.DataFrame | None:
    """The table's set-aside records as quarantine rows (``malformed_row`` or
    ``undecodable_text``)."""
    if table.malformed_lines.size == 0:
        return None
    head = pd.DataFrame(
        {
            "file": pd.Series(table.name, index=range(table.malformed_lines.size), dtype="str"),
            "line": table.malformed_lines.astype("int64"),
            "reason": table.malformed_reasons.astype(object),
            "detail": table.malformed_detail.to_numpy(),
        }
    )
    return pd.concat([head, table.malformed_rows.reset_index(drop=True)], axis=1)


def stack(tables: list[CsvTable]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The well-formed rows of several tables as one frame, with each row's file and line."""
    counts = [t.records.num_rows for t in tables]
    combined = pa.concat_tables([t.records for t in tables], promote_options="default")
    raw = _to_frame(combined, combined.column_names)
    files = np.repeat(np.array([t.name for t in tables], dtype=object), counts)
    lines = np.concatenate([t.lines for t in tables]) if tables else np.zeros(0, np.int64)
    return raw, files, lines.astype(np.int64, copy=False)


def scan_csv(text: TextData) -> CsvTable:
    """Split a decoded CSV file into records and fields.

    Raises
    ------
    IngestError
        The header row is unusable (an unclosed quote in it).

    Examples
    --------
    >>> from hotspots.data.ingest.textfile import decode_text
    >>> table = scan_csv(decode_text(b'a,b\\n1,"x\\ny"\\n2\\n', name="t.csv"))
    >>> table.rows["b"].tolist(), table.lines.tolist(), table.malformed_lines.tolist()
    (['x\\ny'], [2], [4])
    """
    codes = np.frombuffer(text.data, dtype=np.uint8)
    quotes = np.flatnonzero(codes == _QUOTE)
    newlines = np.flatnonzero(codes == _LF)
    at_newline = _parity(quotes, newlines)
    starts, ends, unclosed = _records(codes, quotes, newlines, at_newline)
    lines = np.searchsorted(newlines, starts) + 1
    blank = ends == starts
    if blank.all():
        raise IngestError(f"{text.name}: the file is empty; expected a header row and data rows")
    if unclosed and (~blank).sum() == 1:
        raise IngestError(
            f"{text.name}: the header row (line {lines[~blank][0]}) has an unclosed quote; "
            "expected a header of column names separated by commas"
        )
    head = int(np.argmax(~blank))
    delimiter = _sniff_delimiter(text.data[starts[head] : ends[head]])
    delims = np.flatnonzero(codes == ord(delimiter))
    at_delim = _parity(quotes, delims)
    split = _resync(
        codes, quotes, (newlines, at_newline), (delims, at_delim), header=(starts[head], ends[head])
    )
    if split is None:  # no quote left open across lines: each record as the quotes say
        delims = delims[at_delim == 0] if quotes.size else delims
        stray = np.zeros(starts.size, dtype=bool)
    else:
        starts, ends, unclosed, stray = split.starts, split.ends, split.unclosed, split.stray
        delims = delims[split.outside(delims, at_delim)]
        lines = np.searchsorted(newlines, starts) + 1
        blank = ends == starts
    blank_lines = int(blank[:-1].sum())  # the last is only the end of the final line
    starts, ends, lines, stray = starts[~blank], ends[~blank], lines[~blank], stray[~blank]
    fields, offsets, first_field, nfields = _fields(codes, quotes, starts, ends, delims)
    columns = _header(fields, int(nfields[0]))
    ncols = len(columns)
    # extra fields that are all empty are trailing delimiters, not data: read the row
    extra = nfields > ncols
    trailing = np.zeros_like(extra)
    trailing[extra] = (
        offsets[first_field[extra] + nfields[extra]] == offsets[first_field[extra] + ncols]
    )
    good = ((nfields == ncols) | trailing) & ~stray
    good[0] = False
    if unclosed:
        good[-1] = False
    undecodable = _undecodable(text, starts, lines)
    good &= ~undecodable
    records = _take_columns(fields, first_field[good], columns, np.full(int(good.sum()), ncols))
    bad = ~good
    bad[0] = False
    detail = _malformed_detail(
        text,
        ncols,
        starts=starts[bad],
        ends=ends[bad],
        nfields=nfields[bad],
        lines=lines[bad],
        unclosed_last=unclosed,
    )
    if split is not None and stray.any():
        detail[stray[bad]] = split.detail(text, newlines)
    bad_bytes = undecodable[bad]
    if bad_bytes.any():
        detail[bad_bytes] = _undecodable_detail(text, starts[bad][bad_bytes], ends[bad][bad_bytes])
    return CsvTable(
        name=text.name,
        columns=columns,
        records=records,
        lines=lines[good],
        malformed_lines=lines[bad],
        malformed_detail=detail,
        malformed_records=_take_columns(fields, first_field[bad], columns, nfields[bad]),
        encoding=text.encoding,
        delimiter=delimiter,
        blank_lines=blank_lines,
        trailing_delimiter_rows=int(trailing[good].sum()),
        malformed_reasons=np.where(bad_bytes, "undecodable_text", "malformed_row").astype(object),
        encoding_evidence=text.evidence,
        unbalanced_quote_lines=int(stray.sum()),
    )


def _undecodable(text: TextData, starts: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Which records hold a bad byte.

    Raises
    ------
    IngestError
        The header row holds one.
    """
    out = np.zeros(starts.size, dtype=bool)
    if text.bad_offsets.size == 0:
        return out
    record = np.searchsorted(starts, text.bad_offsets, side="right") - 1
    if record[0] <= 0:
        raise IngestError(
            f"{text.name}: the header row (line {lines[0]}) holds {text.bad_what[0]} at "
            f"{_position(text.data, int(text.bad_offsets[0]))}; expected a header of column "
            "names in plain text"
        )
    out[record] = True
    return out


def _undecodable_detail(text: TextData, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``<what> at line L, column C; record text: ...`` for each record with a bad byte
    (:data:`~hotspots.core.disclosure.QUOTED_RECORD` before the record's text)."""
    first = np.searchsorted(text.bad_offsets, starts)
    out = np.empty(starts.size, dtype=object)
    for i, (index, start, end) in enumerate(zip(first, starts, ends, strict=True)):
        offset = int(text.bad_offsets[index])
        record = text.data[start:end].decode("utf-8", "replace")
        out[i] = (
            f"{text.bad_what[index]} at {_position(text.data, offset)} (shown as '?'); "
            f"expected text in {text.encoding}{QUOTED_RECORD}{record}"
        )
    return out


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _records(
    codes: np.ndarray, quotes: np.ndarray, newlines: np.ndarray, at_newline: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Start and (exclusive, before ``\\r\\n``) end offsets of every record (``at_newline``:
    the parity of the quotes before each line feed)."""
    term = newlines[at_newline == 0] if quotes.size else newlines
    starts = np.concatenate(([0], term + 1))
    ends = np.concatenate((term, [codes.size]))
    has_cr = (ends > starts) & (codes[np.maximum(ends - 1, 0)] == _CR)
    return starts, ends - has_cr, bool(quotes.size % 2)


LONGEST_ROW = 50
"""Lines a row of the wrong number of fields may span (quoted fields holding line breaks)
before its lines are read one by one (:func:`_resync`): a longer one is lines that a stray
quote joined, whose closing quote happens to end a field."""


@dataclass(frozen=True)
class _Split:
    """Records as :func:`_resync` splits them: ``starts`` and ``ends`` (exclusive), the quote
    parity (``phase``) at which each record's delimiters lie outside quotes, and the lines set
    aside (``stray``) with the offset of their unbalanced quote (``opened``; the file's size
    for other records) and the line where it would have closed (``until``; 0: never)."""

    starts: np.ndarray
    ends: np.ndarray
    phase: np.ndarray
    stray: np.ndarray
    opened: np.ndarray
    until: np.ndarray
    unclosed: bool

    def outside(self, delims: np.ndarray, parity: np.ndarray) -> np.ndarray:
        """Which delimiters lie outside quotes (``parity``: of the quotes before each): at
        their record's quote parity, and after the unbalanced quote of a line set aside (its
        fields read as if it were not there)."""
        record = np.maximum(np.searchsorted(self.starts, delims, side="right") - 1, 0)
        return (parity == self.phase[record]) | (delims > self.opened[record])

    def detail(self, text: TextData, newlines: np.ndarray) -> list[str]:
        """Why each line set aside was, with its text."""
        out = []
        for start, end, quote, until in zip(
            self.starts[self.stray],
            self.ends[self.stray],
            self.opened[self.stray],
            self.until[self.stray],
            strict=True,
        ):
            line = int(np.searchsorted(newlines, start)) + 1
            closed = (
                f"closed only on line {until}, which would join lines {line}–{until} into one row"
                if until
                else "never closed"
            )
            out.append(
                f"an unbalanced quote at line {line}, column {quote - start + 1} ({closed}): "
                f"this line is set aside and reading resumes at line {line + 1}"
                f"{QUOTED_RECORD}{text.data[start:end].decode('utf-8')}"
            )
        return out


def _resync(
    codes: np.ndarray,
    quotes: np.ndarray,
    line_feeds: tuple[np.ndarray, np.ndarray],
    delimiters: tuple[np.ndarray, np.ndarray],
    *,
    header: tuple[int, int],
) -> _Split | None:
    """The records again when a quote left open joins lines it should not; ``None`` when none
    does (the records split by quote parity are right).

    A record after the header that holds a line break in quotes is lines a stray quote joined
    when its quotes are not RFC 4180 (:func:`_quote_runs`: the quote closing it does not end
    a field, say), when its quote is never closed, or when it spans more than
    :data:`LONGEST_ROW` lines with the wrong number of fields. Then its first line, whose last
    quote is the unbalanced one, is set aside, and reading resumes at the next line with the
    quote parity turned over: each record keeps the parity at which its delimiters lie
    outside quotes. ``line_feeds`` and ``delimiters``: the offsets of every one and the
    parity of the quotes before each (:func:`_parity`); ``header``: the header's start and end.
    """
    size = codes.size
    newlines, at_newline = line_feeds
    delims, at_delim = delimiters
    if not at_newline.any():
        return None
    in_header = (delims >= header[0]) & (delims < header[1])
    ncols = int((in_header & (at_delim == 0)).sum()) + 1
    delimiter = int(codes[delims[0]]) if delims.size else -1
    first, run_at, opening, inside = _quote_runs(codes, quotes, delimiter)
    terms, bad_at, bad_until = [], [], []
    for phase in (0, 1):
        term = newlines[at_newline == phase]
        # the records holding line breaks in quotes (record i ends at term[i]; at phase 1,
        # record 0 is the one ending at term[0], never read: the file starts at phase 0)
        record = np.searchsorted(term, newlines[at_newline != phase])
        first_of = np.flatnonzero(np.diff(record, prepend=-1))
        joined = np.diff(np.append(first_of, record.size))  # line breaks in quotes in each
        record = record[first_of]
        starts = np.concatenate(([0], term + 1))[record]
        ends = np.concatenate((term, [size]))[record]
        after = (starts > header[0]) & ((record > 0) | (phase == 0))
        starts, ends, joined = starts[after], ends[after], joined[after]
        wrong = run_at[~np.where(first % 2 == phase, opening, inside)]
        bad = np.searchsorted(wrong, ends) > np.searchsorted(wrong, starts)  # not RFC 4180
        never = (ends == size) & ((quotes.size & 1) != phase)
        bad |= never
        long = np.flatnonzero(joined >= LONGEST_ROW)
        if long.size:
            outside = delims[at_delim == phase]
            count = np.searchsorted(outside, ends[long]) - np.searchsorted(outside, starts[long])
            bad[long] |= count + 1 != ncols
        if phase == 0 and not bad.any():  # the records split by quote parity are right
            return None
        terms.append(term)
        bad_at.append(starts[bad])
        bad_until.append(np.where(never[bad], 0, np.searchsorted(newlines, ends[bad]) + 1))
    parts: list[tuple[np.ndarray, ...]] = []
    pos, phase = 0, 0
    while True:
        k = int(np.searchsorted(bad_at[phase], pos))
        term = terms[phase][np.searchsorted(terms[phase], pos) :]
        if k == bad_at[phase].size:  # no more: the records to the end of the file
            starts, ends = np.concatenate(([pos], term + 1)), np.concatenate((term, [size]))
            parts.append(_records_of(starts, ends, phase, size))
            break
        stop = int(bad_at[phase][k])
        term = term[: np.searchsorted(term, stop)]  # the last ends the line before ``stop``
        parts.append(_records_of(np.concatenate(([pos], term + 1))[:-1], term, phase, size))
        line_end = int(newlines[np.searchsorted(newlines, stop)])
        quote = int(quotes[np.searchsorted(quotes, line_end) - 1])  # the line's last
        closes = int(bad_until[phase][k])
        parts.append(tuple(np.array([v]) for v in (stop, line_end, phase, True, quote, closes)))
        pos, phase = line_end + 1, 1 - phase
    joined_up = (np.concatenate(column) for column in zip(*parts, strict=True))
    starts, ends, phases, stray, opened, until = joined_up
    has_cr = (ends > starts) & (codes[np.maximum(ends - 1, 0)] == _CR)
    return _Split(
        starts=starts,
        ends=ends - has_cr,
        phase=phases,
        stray=stray.astype(bool),
        opened=opened,
        until=until,
        unclosed=phase != (quotes.size & 1),
    )


def _parity(quotes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The parity (0 or 1) of the number of quotes before each offset."""
    if quotes.size == 0:
        return np.zeros(offsets.size, dtype=np.int64)
    return np.searchsorted(quotes, offsets) & 1


def _records_of(
    starts: np.ndarray, ends: np.ndarray, phase: int, size: int
) -> tuple[np.ndarray, ...]:
    """:class:`_Split`'s columns for records read at quote parity ``phase``."""
    n = starts.size
    return (
        starts,
        ends,
        np.full(n, phase),
        np.zeros(n, dtype=bool),
        np.full(n, size),
        np.zeros(n, dtype=np.int64),
    )


def _quote_runs(
    codes: np.ndarray, quotes: np.ndarray, delimiter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of adjacent quotes: each one's first quote (its index in ``quotes``), its
    offset, and whether it is RFC 4180 if it opens a field (it starts the field, and ends it
    too when it also closes it) and if it lies in one (an odd run closes the field, so it must
    end it; an even one is escaped quotes)."""
    first = np.flatnonzero(np.concatenate(([True], np.diff(quotes) != 1)))
    length = np.diff(np.append(first, quotes.size))
    start, end = quotes[first], quotes[first] + length - 1
    before = codes[np.maximum(start - 1, 0)]
    after = codes[np.minimum(end + 1, codes.size - 1)]
    at_start = (start == 0) | (before == delimiter) | (before == _LF)
    at_end = (end == codes.size - 1) | (after == delimiter) | (after == _LF) | (after == _CR)
    odd = length % 2 == 1
    return first, start, at_start & (odd | at_end), ~odd | at_end


def _sniff_delimiter(header: bytes) -> str:
    """The candidate delimiter most frequent outside quotes in the header (comma on a tie)."""
    unquoted = b"".join(header.split(b'"')[::2]).decode("utf-8")
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _fields(
    codes: np.ndarray, quotes: np.ndarray, starts: np.ndarray, ends: np.ndarray, delims: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """All fields of all records as one string array, in file order, unquoted; with its
    value offsets, each record's first field and each record's number of fields. ``delims``:
    the offsets of the delimiters outside quotes."""
    # every delimiter lies in a record (the gaps between records hold only line ends)
    nfields = np.diff(np.append(np.searchsorted(delims, starts), delims.size)) + 1
    first_field = np.concatenate(([0], np.cumsum(nfields)[:-1]))
    total = int(nfields.sum())
    is_first = np.zeros(total, dtype=bool)
    is_first[first_field] = True
    is_last = np.zeros(total, dtype=bool)
    is_last[first_field + nfields - 1] = True
    fstart = np.empty(total, dtype=np.int64)
    fstart[is_first] = starts
    fstart[~is_first] = delims + 1
    fend = np.empty(total, dtype=np.int64)
    fend[is_last] = ends
    fend[~is_last] = delims
    keep = _field_bytes(codes.size, starts, ends, delims)
    lengths = fend - fstart - _unquote(codes, quotes, fstart, fend, keep)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    array = pa.Array.from_buffers(
        pa.large_string(), total, [None, pa.py_buffer(offsets), pa.py_buffer(codes[keep])]
    )
    return array, offsets, first_field, nfields


def _field_bytes(size: int, starts: np.ndarray, ends: np.ndarray, delims: np.ndarray) -> np.ndarray:
    """Mask of the bytes that belong to a field: not a delimiter, line end or blank line."""
    keep = np.ones(size, dtype=bool)
    keep[delims] = False
    gap_start = np.concatenate(([0], ends))
    gap_len = np.concatenate((starts, [size])) - gap_start
    before = np.cumsum(gap_len) - gap_len
    keep[np.repeat(gap_start - before, gap_len) + np.arange(int(gap_len.sum()))] = False
    return keep


def _unquote(
    codes: np.ndarray, quotes: np.ndarray, fstart: np.ndarray, fend: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Drop the enclosing quotes of quoted fields and the first of each escaped ``""`` pair
    from ``keep``; return how many bytes each field lost."""
    if quotes.size == 0:
        return np.zeros(fstart.size, dtype=np.int64)
    last = codes.size - 1
    quoted = (
        (fend - fstart >= 2)
        & (codes[np.minimum(fstart, last)] == _QUOTE)
        & (codes[np.clip(fend - 1, 0, last)] == _QUOTE)
    )
    keep[fstart[quoted]] = False
    keep[fend[quoted] - 1] = False
    field = np.searchsorted(fstart, quotes, side="right") - 1
    inner = (field >= 0) & quoted[field] & (quotes > fstart[field]) & (quotes < fend[field] - 1)
    inner_quotes, inner_field = quotes[inner], field[inner]
    rank = np.arange(inner_field.size) - np.searchsorted(inner_field, inner_field)
    escape = rank % 2 == 0
    keep[inner_quotes[escape]] = False
    return 2 * quoted + np.bincount(inner_field[escape], minlength=fstart.size)


def _header(fields: pa.Array, count: int) -> list[str]:
    names = [str(v).strip() for v in fields.slice(0, count).to_pylist()]
    names = [name or f"column_{i + 1}" for i, name in enumerate(names)]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, -1) + 1
        unique.append(name if seen[name] == 0 else f"{name}.{seen[name]}")
    return unique


def _take_columns(
    fields: pa.Array, first_field: np.ndarray, columns: list[str], nfields: np.ndarray
) -> pa.Table:
    """Column ``j`` = field ``j`` of each record, null where a record has fewer fields."""
    arrays = []
    for j in range(len(columns)):
        present = nfields > j
        if present.all():
            index = pa.array(first_field + j)
        else:
            index = pa.array(np.where(present, first_field + j, 0), mask=~present)
        arrays.append(fields.take(index))
    return pa.Table.from_arrays(arrays, names=columns)


def _to_frame(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """A DataFrame of ``str`` columns (Arrow-backed, no copy of the text)."""
    if table.num_columns == 0:
        return pd.DataFrame(index=range(table.num_rows))
    frame = table.rename_columns([f"_{j}" for j in range(table.num_columns)]).to_pandas()
    frame.columns = columns
    return frame


def _malformed_detail(
    text: TextData,
    ncols: int,
    *,
    starts: np.ndarray,
    ends: np.ndarray,
    nfields: np.ndarray,
    lines: np.ndarray,
    unclosed_last: bool,
) -> pd.Series:
    """Why each malformed record is malformed, with its text (malformed records are rare)."""
    if lines.size == 0:
        return pd.Series(dtype="str")
    raw = pd.Series(
        [text.data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)], dtype="str"
    )
    found = f"expected {ncols} fields, found " + pd.Series(nfields).astype("str")
    detail = found + QUOTED_RECORD + raw
    if unclosed_last and detail.size:
        detail.iloc[-1] = (
            f"a quote opened on line {lines[-1]} is never closed (file cut short?)"
            f"{QUOTED_RECORD}{raw.iloc[-1]}"
        )
    elif detail.size and ends[-1] == len(text.data) and nfields[-1] < ncols:
        detail.iloc[-1] = f"the file ends in the middle of this row (truncated?); {detail.iloc[-1]}"
    return detail
