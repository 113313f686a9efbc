"""pyarrow's fast CSV path against the scanner: identical tables, file by file.

``read_table(fast=True)`` lets pyarrow parse a plain file (:func:`plain_csv`); ``fast=False``
reads every file with the vectorised scanner. Over the seeded fuzz corpus (the police.uk and
council files of tests/ingest_fuzzing.py, plus plain variants with quotes, delimiters and line
ends that the fast path must take) and every CSV bundled in data/, both must give the same
table: columns, kept rows (Arrow types, DataFrame dtypes and values), physical lines, and the
quarantine (reason, line, detail and fields) - or the same IngestError.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ingest_fuzzing import Fuzzer, council_csv, mutate_bytes

from hotspots.data.ingest import IngestError, csvscan, read_incident_csv, read_policeuk
from hotspots.data.ingest.csvscan import CsvTable, malformed_quarantine, plain_csv, read_table
from hotspots.data.ingest.files import expand
from hotspots.data.ingest.textfile import decode_text, gunzip_if_needed
from hotspots.demo.load import DEMO_LOG_COLUMNS

CASES = 300
DATA = Path(__file__).resolve().parents[1] / "data"


def _assert_same(fast: CsvTable, slow: CsvTable) -> None:
    for name in ("name", "columns", "encoding", "encoding_evidence", "delimiter", "blank_lines",
                 "trailing_delimiter_rows"):  # fmt: skip
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.records.schema == slow.records.schema
    assert fast.records.equals(slow.records)
    pd.testing.assert_frame_equal(fast.rows, slow.rows, check_exact=True)
    for name in ("lines", "malformed_lines", "malformed_reasons"):
        got, want = getattr(fast, name), getattr(slow, name)
        assert got.dtype == want.dtype and np.array_equal(got, want), name
    pd.testing.assert_series_equal(fast.malformed_detail, slow.malformed_detail)
    assert fast.malformed_records.equals(slow.malformed_records)
    q_fast, q_slow = malformed_quarantine(fast), malformed_quarantine(slow)
    assert (q_fast is None) == (q_slow is None)
    if q_fast is not None:
        pd.testing.assert_frame_equal(q_fast, q_slow, check_exact=True)
    assert fast.notes() == slow.notes()


def _compare(path: Path) -> bool:
    """Both paths over every file at ``path``; whether pyarrow parsed any of them."""
    took = False
    for source in expand(path):
        try:
            text = decode_text(
                gunzip_if_needed(source.read_bytes(), name=source.label), name=source.label
            )
        except IngestError as exc:
            with pytest.raises(IngestError, match="^" + re.escape(str(exc)) + "$"):
                read_table(source, fast=True)
            continue
        took |= plain_csv(text) is not None
        try:
            slow = read_table(source, fast=False)
        except IngestError as exc:
            with pytest.raises(IngestError, match="^" + re.escape(str(exc)) + "$"):
                read_table(source, fast=True)
            continue
        _assert_same(read_table(source, fast=True), slow)
    return took


def _plain_variant(rows: list[dict[str, str]], rng: random.Random) -> bytes:
    """A well-formed variant of police.uk rows: quoting, delimiter, line ends, encoding, commas
    and quotes inside quoted values, no final line end; sometimes one mutation on top."""
    rows = [dict(r) for r in rng.sample(rows, rng.randint(1, len(rows)))]
    for row in rng.sample(rows, min(len(rows), 5)):
        row["Location"] = rng.choice(["On or near A, B", 'The "Arms"', "Caf\u00e9 \u2019s", " x "])
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=list(rows[0]),
        delimiter=rng.choice([",", ",", ";", "\t", "|"]),
        lineterminator=rng.choice(["\n", "\r\n"]),
        quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    )
    writer.writeheader()
    writer.writerows(rows)
    text = buffer.getvalue()
    if rng.random() < 0.3:
        text = text.rstrip("\r\n")
    data = text.encode(rng.choice(["utf-8", "utf-8-sig", "cp1252"]), "replace")
    return mutate_bytes(data, rng) if rng.random() < 0.3 else data


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory) -> Fuzzer:
    return Fuzzer(tmp_path_factory.mktemp("fuzz"), seed=7)


@pytest.mark.parametrize("case", ["policeuk", "council", "plain"])
def test_fuzz_corpus_gives_identical_tables(fuzzer, tmp_path, case):
    took = 0
    for n in range(CASES):
        rng = random.Random(f"{fuzzer.seed}-{case}-{n}")
        if case == "policeuk":
            data = mutate_bytes(fuzzer.street_csv, rng)
        elif case == "council":
            data = council_csv(rng)
        else:
            data = _plain_variant(fuzzer.street, rng)
        path = tmp_path / f"{n}-street.csv"
        if rng.random() < 0.1:
            data, path = gzip.compress(data), path.with_suffix(".csv.gz")
        path.write_bytes(data)
        took += _compare(path)
    # the fast path must be exercised, and must decline the damaged files
    assert took >= {"policeuk": CASES // 10, "council": CASES // 20, "plain": CASES // 2}[case]
    assert took < CASES or case == "plain"


def test_bundled_csvs_give_identical_tables():
    files = sorted(p for p in DATA.rglob("*") if p.name.endswith((".csv", ".csv.gz", ".zip")))
    assert len(files) >= 8
    taken = [p.name for p in files if _compare(p)]
    assert "hertfordshire-2021-01_2022-01.zip" in taken
    assert "dacorum_incident_log.csv" in taken


def test_readers_give_identical_results(monkeypatch):
    """The whole police.uk and council load with and without the fast path."""
    herts = DATA / "policeuk" / "hertfordshire-2021-01_2022-01.zip"
    log = DATA / "demo" / "dacorum_incident_log.csv"
    fast = [read_policeuk(herts), read_incident_csv(log, DEMO_LOG_COLUMNS)]
    monkeypatch.setattr(csvscan, "plain_csv", lambda text: None)
    slow = [read_policeuk(herts), read_incident_csv(log, DEMO_LOG_COLUMNS)]
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(a.incidents, b.incidents, check_exact=True)
        pd.testing.assert_frame_equal(a.quarantine, b.quarantine, check_exact=True)
        assert a.report == b.report


def _layout_of_session_4(text) -> tuple[int, str, int] | None:
    """The plain-file checks as first written (bytes methods, one pass per check): the
    reference :func:`csvscan._plain_layout` must agree with."""
    data = text.data
    if text.bad_offsets.size:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    if data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data:
        return None
    end = data.find(b"\n")
    if end < 0 or end + 1 == len(data):
        return None
    delimiter = csvscan._sniff_delimiter(data[:end].removesuffix(b"\r"))
    codes = np.frombuffer(data, dtype=np.uint8)
    if b'"' in data and not csvscan._plain_quotes(
        codes, ord(delimiter), np.flatnonzero(codes == ord("\n"))
    ):
        return None
    return end, delimiter, data.count(b"\n", end + 1) + (not data.endswith(b"\n"))


EDGES = [b"a", b"a\n", b"a\r\n", b"\na\n1\n", b"\r\na\n1\n", b"a\n1", b"a\n1\n", b"a\r\n1\r\n",
         b"a\n\n1\n", b"a\n1\n\n", b"a\r\n\r\n1\r\n", b"a\n\r\n1\n", b"a\r\n1\n\r\n", b"a\rb\n1\n",
         b"a\n1\r", b"\ra\n1\n", b"a\n1\r\r\n", b"x\r\n1\n", b"a,b\n1,2\n3\n", b'a\n"1"\n',
         b'a\n"1\n2"\n', b'a,"b"\r\n1,"x""y"\r\n', b'a\n1"\n', b"ab\r\n\n", b"a\n\r\n",
         b"\n", b"\r\n", b"a\n1\n\r\n2\n", b"a\n1\r\n"]  # fmt: skip


def test_the_vectorised_plain_file_checks_agree_with_the_first_ones(fuzzer):
    """Which files go to pyarrow is unchanged: the one-pass checks give what the first
    checks gave (header end, delimiter, records; or no) on edge cases and the fuzz corpus."""
    corpus = list(EDGES)
    for n in range(CASES):
        rng = random.Random(f"{fuzzer.seed}-checks-{n}")
        if n % 3 == 0:
            corpus.append(mutate_bytes(fuzzer.street_csv, rng))
        elif n % 3 == 1:
            corpus.append(council_csv(rng))
        else:
            corpus.append(_plain_variant(fuzzer.street, rng))
    plain = compared = 0
    for data in corpus:
        try:
            text = decode_text(data, name="x.csv")
        except IngestError:
            continue
        want = _layout_of_session_4(text)
        assert csvscan._plain_layout(text) == want, data[:300]
        compared += 1
        plain += want is not None
    assert compared > CASES * 0.9 and CASES // 5 < plain < compared
