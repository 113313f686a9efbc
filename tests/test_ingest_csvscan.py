"""The vectorised CSV tokenizer against Python's csv module: values and physical lines."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.data.ingest import IngestError
from hotspots.data.ingest.csvscan import scan_csv
from hotspots.data.ingest.textfile import decode_text

# quotes, delimiters, line breaks (LF and CRLF) and non-ASCII inside values
_PIECES = ["a", "b", " ", ",", '"', "é", "’", "\n", "\r\n", "x"]
_CELL = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)


def _reference(text: str) -> list[tuple[int, list[str]]]:
    """(start line, fields) of each non-blank record, by the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, previous_end = [], 0
    for row in reader:
        if row:
            out.append((previous_end + 1, row))
        previous_end = reader.line_num
    return out


@settings(max_examples=60, deadline=None)
@given(
    ncols=st.integers(1, 4),
    body=st.lists(st.lists(_CELL, min_size=4, max_size=4), max_size=8),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_values_and_lines_match_the_csv_module(ncols, body, terminator):
    rows = [[f"c{i}" for i in range(ncols)]] + [r[:ncols] for r in body]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator).writerows(rows)
    text = buffer.getvalue()
    table = scan_csv(decode_text(text.encode("utf-8"), name="t.csv"))
    expected = _reference(text)
    assert table.columns == expected[0][1]
    got = [list(r) for r in table.rows.astype(object).itertuples(index=False)]
    assert got == [fields for _, fields in expected[1:]]
    assert table.lines.tolist() == [line for line, _ in expected[1:]]
    assert table.malformed_lines.size == 0


@settings(max_examples=50, deadline=None)
@given(body=st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=1, max_size=8))
def test_rows_with_the_wrong_number_of_fields_are_kept_aside_with_their_line(body):
    rows = [["a", "b", "c"], *body]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    table = scan_csv(decode_text(text.encode("utf-8"), name="t.csv"))
    expected = _reference(text)[1:]
    # extra fields that are all empty are trailing delimiters: the row is read
    readable = [len(f) == 3 or (len(f) > 3 and not any(f[3:])) for _, f in expected]
    good = [(line, f[:3]) for (line, f), ok in zip(expected, readable, strict=True) if ok]
    bad = [(line, f) for (line, f), ok in zip(expected, readable, strict=True) if not ok]
    assert table.lines.tolist() == [line for line, _ in good]
    assert table.rows.astype(object).to_numpy().tolist() == [f for _, f in good]
    assert table.malformed_lines.tolist() == [line for line, _ in bad]
    assert len(table.rows) + len(table.malformed_lines) == len(expected)
    for (_, fields), detail in zip(bad, table.malformed_detail, strict=True):
        assert detail.startswith(f"expected 3 fields, found {len(fields)}")
    for (_, fields), values in zip(
        bad, table.malformed_rows.astype(object).itertuples(index=False), strict=True
    ):
        assert [v for v in values if isinstance(v, str)] == fields[:3]


def test_truncated_final_row_and_unclosed_quote():
    table = scan_csv(decode_text(b"a,b,c\n1,2,3\n4,5", name="cut.csv"))
    assert table.lines.tolist() == [2]
    assert table.malformed_lines.tolist() == [3]
    assert table.malformed_detail[0].startswith("the file ends in the middle of this row")
    table = scan_csv(decode_text(b'a,b\n1,2\n3,"open\n4,5\n6,7\n', name="q.csv"))
    assert table.lines.tolist() == [2]
    assert table.malformed_lines.tolist() == [3]
    assert "quote opened on line 3 is never closed" in table.malformed_detail[0]


def test_blank_lines_are_skipped_and_counted_and_lines_stay_physical():
    table = scan_csv(decode_text(b"a,b\n\n1,2\r\n\r\n\n3,4\n", name="gaps.csv"))
    assert table.rows.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert table.lines.tolist() == [3, 6]
    assert table.blank_lines == 3


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_delimiter_is_sniffed_from_the_header(sep, name):
    data = f"x{sep}y{sep}note\n1{sep}2{sep}a,b\n".encode()
    table = scan_csv(decode_text(data, name=f"{name}.csv"))
    assert table.delimiter == sep
    assert table.rows.to_numpy().tolist() == [["1", "2", "a,b"]]


def test_duplicate_and_blank_header_names_are_made_unique():
    table = scan_csv(decode_text(b"a,a,,b\n1,2,3,4\n", name="h.csv"))
    assert table.columns == ["a", "a.1", "column_3", "b"]


def test_header_with_an_unclosed_quote_is_an_error():
    with pytest.raises(IngestError, match=r"broken\.csv: the header row \(line 1\)"):
        scan_csv(decode_text(b'a,"b\n', name="broken.csv"))


def test_trailing_delimiters_are_not_data():
    table = scan_csv(decode_text(b"a,b\n1,2,\n3,4,,\n5,6,x\n", name="t.csv"))
    assert table.rows.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert table.trailing_delimiter_rows == 2
    assert table.malformed_lines.tolist() == [4]
    assert "trailing delimiters" in table.notes()[0]
