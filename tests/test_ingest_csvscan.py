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
    table = scan_csv(decode_text(b'a,b\n1,2\n3,"open', name="q.csv"))
    assert table.lines.tolist() == [2]
    assert table.malformed_lines.tolist() == [3]
    assert "quote opened on line 3 is never closed (file cut short?)" in table.malformed_detail[0]
    # with lines after it, the quote is a stray one: its line alone is set aside
    table = scan_csv(decode_text(b'a,b\n1,2\n3,"open\n4,5\n6,7\n', name="q.csv"))
    assert table.lines.tolist() == [2, 4, 5]
    assert table.malformed_lines.tolist() == [3]
    assert "unbalanced quote at line 3, column 3 (never closed)" in table.malformed_detail[0]


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


def _lines(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


_ROWS = [f"{i},2021-05,On or near Street {i},Burglary" for i in range(2, 200)]
_HEAD = "id,month,location,type"


def test_a_stray_quote_sets_aside_its_line_and_reading_resumes_at_the_next():
    """One quote opened and never closed (line 31): that line is quarantined, not lines 31..end."""
    rows = list(_ROWS)
    rows[29] = rows[29].replace("On or near", '"On or near')  # line 31
    table = scan_csv(decode_text(_lines([_HEAD, *rows]), name="stray.csv"))
    assert table.malformed_lines.tolist() == [31]
    assert len(table.rows) == 197 and table.lines.tolist() == [*range(2, 31), *range(32, 200)]
    detail = table.malformed_detail.iloc[0]
    assert detail.startswith("an unbalanced quote at line 31, column 12 (never closed)")
    assert "reading resumes at line 32" in detail
    assert table.rows["type"].eq("Burglary").all()
    assert any("1 line(s) with an unbalanced quote" in note for note in table.notes())


@pytest.mark.parametrize("closing", ['"On or near', 'On or near Street 150"'])
def test_a_quote_closed_far_away_by_a_second_stray_one_swallows_no_line(closing):
    """Quotes at lines 31 and 151: a field start (no field ends there, whatever the count), or a
    field end 120 lines on with the wrong count: both lines set aside, the 119 between read."""
    rows = list(_ROWS)
    rows[29] = rows[29].replace("On or near", '"On or near')
    rows[149] = rows[149].replace("On or near Street 151", closing.replace("150", "151"))
    if closing.endswith('"'):  # the right count would make one row: a field short, the wrong one
        rows[149] = rows[149].removesuffix(",Burglary")
    table = scan_csv(decode_text(_lines([_HEAD, *rows]), name="pair.csv"))
    assert table.malformed_lines.tolist() == [31, 151]
    assert len(table.rows) == 196
    assert "closed only on line 151" in table.malformed_detail.iloc[0]


def test_quoted_line_breaks_after_a_stray_quote_still_make_one_row():
    data = _lines(
        [
            "ref,date,note,type",
            'A1,01/05/2021,"Caller says: noise,\nmusic",Noise',
            'A2,01/05/2021,"On or near,Noise',
            'A3,02/05/2021,"first line\nsecond ""quoted"" line\nthird",Begging',
            "A4,03/05/2021,plain,Noise",
        ]
    )
    table = scan_csv(decode_text(data, name="notes.csv"))
    assert table.rows["ref"].tolist() == ["A1", "A3", "A4"]
    assert table.lines.tolist() == [2, 5, 8]
    assert table.rows["note"].tolist()[1] == 'first line\nsecond "quoted" line\nthird'
    assert table.malformed_lines.tolist() == [4]
    assert table.malformed_rows["date"].tolist() == ["01/05/2021"]


_NOTES = ["plain", "a, b", "line one\nline two", 'say "hi"\nbye', "", "multi\n\nblank"]


@settings(max_examples=40, deadline=None)
@given(
    notes=st.lists(st.sampled_from(_NOTES), min_size=3, max_size=40),
    strays=st.lists(st.tuples(st.integers(0, 39), st.sampled_from([1, 3])), max_size=3),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_stray_quotes_set_aside_their_lines_alone(notes, strays, terminator):
    """A log with quoted line breaks in its notes, and a quote put at the start of a field of
    a few one-line rows: those lines alone are set aside; every other row reads as the csv
    module reads the file without them."""
    rows = [["ref", "date", "note", "type"]]
    rows += [[f"R{i}", "01/05/2021", note, "Noise"] for i, note in enumerate(notes)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator).writerows(rows)
    clean = buffer.getvalue()
    expected = _reference(clean)[1:]
    lines = clean.split("\n")
    one_line = [line for line, fields in expected if '"' not in lines[line - 1]]
    hit = sorted({one_line[i % len(one_line)]: field for i, field in strays if one_line}.items())
    for line, field in hit:
        fields = lines[line - 1].split(",")
        fields[field] = '"' + fields[field]
        lines[line - 1] = ",".join(fields)
    table = scan_csv(decode_text("\n".join(lines).encode(), name="t.csv"))
    assert table.malformed_lines.tolist() == [line for line, _ in hit]
    kept = [(line, fields) for line, fields in expected if line not in dict(hit)]
    assert table.lines.tolist() == [line for line, _ in kept]
    assert table.rows.astype(object).to_numpy().tolist() == [fields for _, fields in kept]
