"""The duplicate-id check's key codes: equal exactly where pandas' factorize says equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hotspots.data.ingest.assemble import _equal_codes, kept_rows
from hotspots.data.ingest.ids import first_occurrence


def _partition(codes: np.ndarray) -> np.ndarray:
    """Each row's first row with the same code: the equality a key is built from."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return first[inverse]


@pytest.mark.parametrize("dtype", ["str", "string", "string[python]", object, "category"])
def test_codes_split_rows_as_factorize_does(dtype):
    rng = np.random.default_rng(3)
    words = np.array(["a", "b", "", " a", "A", "é", "a" * 70, None], dtype=object)
    values = pd.Series(words[rng.integers(0, len(words), 5_000)], dtype=dtype)
    want = pd.factorize(values, use_na_sentinel=False)[0]
    got = _equal_codes(values)
    assert got.dtype.kind == "i" and len(got) == len(values)
    assert np.array_equal(_partition(got), _partition(want))


def test_codes_of_a_chunked_arrow_column():
    chunked = pa.chunked_array([["x", None, "y"], ["y", "x", None, ""]])
    values = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert _partition(_equal_codes(values)).tolist() == [0, 1, 2, 2, 0, 1, 6]
    dup, first = first_occurrence(pd.DataFrame({"id": _equal_codes(values)}))
    assert dup.tolist() == [False, False, False, True, True, True, False]
    assert first.tolist() == [-1, -1, -1, 2, 0, 1, -1]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", object, "datetime64[ns]"])
def test_kept_rows_are_what_pandas_takes(dtype):
    """The rows a mask keeps, as ``values[kept].reset_index(drop=True)`` gives them: same
    values, nulls, dtype and name, from a chunked Arrow column (a stack of files) too."""
    rng = np.random.default_rng(5)
    words = np.array(["a", "", " ", "é", "x" * 300, "\x00", None], dtype=object)
    if dtype == "datetime64[ns]":
        values = pd.Series(pd.to_datetime(rng.integers(0, 10**9, 3_000), unit="s"), name="m")
    elif dtype == "string[pyarrow]":
        chunks = [words[rng.integers(0, len(words), n)].tolist() for n in (1_000, 0, 2_000)]
        values = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())))
        values.name = "Crime ID"
    else:
        values = pd.Series(words[rng.integers(0, len(words), 3_000)], dtype=dtype, name="c")
    for kept in (rng.random(len(values)) < 0.9, np.zeros(len(values), bool)):
        want = values[kept].reset_index(drop=True)
        got = kept_rows(values, kept)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got.isna().tolist() == want.isna().tolist()


def test_kept_rows_are_chunked_as_pandas_takes_them():
    """The same chunks as pandas' take (empty ones dropped; all rows kept: the chunks as they
    were), so a column written to Parquet gives the same bytes."""
    rng = np.random.default_rng(21)
    for _ in range(2_000):
        sizes = rng.integers(0, 5, rng.integers(1, 6))
        chunks = [[str(i) for i in range(k)] for k in sizes]
        values = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())))
        kept = rng.random(int(sizes.sum())) < rng.choice([0.0, rng.random(), 1.01])
        want = [len(c) for c in values[kept].array.__arrow_array__().chunks]
        assert [len(c) for c in kept_rows(values, kept).array.__arrow_array__().chunks] == want


def test_duplicates_among_kept_rows_only():
    """A row set aside earlier (no location) is no one's first occurrence: its id repeated
    by a kept row later is not a duplicate; two kept repeats are, naming the first's line."""
    from hotspots.data.ingest.assemble import Ledger, Staged, _flag_duplicates
    from hotspots.data.ingest.report import LoadReport

    ids = pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([["A", "B"], ["A", "A", "B", "C"]]))
    )
    month = np.array(["2021-01"] * 5 + ["2021-02"], dtype="datetime64[ns]")
    ledger = Ledger(6)
    ledger.flag(np.array([True, False, False, False, False, False]), "no_location", "blank")
    staged = Staged(
        raw=pd.DataFrame(index=range(6)),
        file=np.array(["f.csv"] * 6, dtype=object),
        line=np.arange(2, 8),
        ledger=ledger,
        located=None,  # type: ignore[arg-type]  (not read by the duplicate check)
        fields={"incident_id": ids, "month": month},
        report=LoadReport(),
    )
    _flag_duplicates(staged)
    assert ledger.reason.tolist() == ["no_location", "", "", "duplicate_id", "duplicate_id", ""]
    assert ledger.detail[3] == "incident id A already loaded for this month from f.csv line 4"
    assert ledger.detail[4] == "incident id B already loaded for this month from f.csv line 3"


@pytest.mark.parametrize("dtype", ["arrow-chunked", "str", "string[python]", object])
def test_generated_ids_fill_the_blanks_as_pandas_setitem_does(dtype):
    """The blank ids replaced by generated ones, the others untouched (nulls and odd text
    included), exactly as ``given[blank] = generated`` sets them."""
    from hotspots.data.ingest.ids import generated_ids, with_generated_ids

    rng = np.random.default_rng(9)
    words = np.array(["A1", "", "é ü", "x" * 200, "\x00", "=1+2", None], dtype=object)
    picked = words[rng.integers(0, len(words), 2_000)].tolist()
    if dtype == "arrow-chunked":
        chunks = pa.chunked_array([picked[:700], picked[700:]], pa.large_string())
        given = pd.Series(pd.arrays.ArrowStringArray(chunks), index=range(5, 2_005), name="id")
    else:
        given = pd.Series(picked, dtype=dtype, index=range(5, 2_005), name="id")
    blank = (given.fillna("") == "").to_numpy(bool)
    rows = pd.DataFrame({"Crime type": words[rng.integers(0, 5, int(blank.sum()))]}, dtype="str")
    stems = np.full(int(blank.sum()), "2021-01-x-street", dtype=object)
    lines = np.flatnonzero(blank) + 2
    want = given.copy()
    want[blank] = generated_ids(stems, lines, rows).to_numpy(zero_copy_only=False).astype(object)
    got = with_generated_ids(given, blank, stems, lines, rows)
    pd.testing.assert_series_equal(got, want, check_exact=True)
    if dtype == "arrow-chunked":  # chunked alike: the same Parquet bytes
        chunks = [len(c) for c in got.array.__arrow_array__().chunks]
        assert chunks == [len(c) for c in want.array.__arrow_array__().chunks] == [700, 1_300]
    assert got[~blank].isna().sum() == given[~blank].isna().sum()


@pytest.mark.parametrize("dtype", ["arrow-chunked", "str", "string[python]", object])
def test_blank_text_is_where_the_stripped_text_is_empty(dtype):
    """Blank = empty after ``str.strip()``, over every whitespace character Unicode has (and
    its neighbours), mixed runs and nulls."""
    from hotspots.data.ingest.assemble import blank_text

    spaces = [chr(c) for c in range(0x3100) if chr(c).isspace() or c in (0x85, 0xA0, 0x200B)]
    words = ["", "a", " a ", "\ufeff", "\x00", None, *spaces]
    rng = np.random.default_rng(11)
    picked = [
        "".join(w or "" for w in rng.choice(np.array(words, object), 3)) if k % 3 else words[k % 7]
        for k in range(3_000)
    ]
    picked = [p if p != "" or k % 5 else None for k, p in enumerate(picked)]
    if dtype == "arrow-chunked":
        chunks = pa.chunked_array([picked[:1_000], picked[1_000:]], pa.large_string())
        values = pd.Series(pd.arrays.ArrowStringArray(chunks))
    else:
        values = pd.Series(picked, dtype=dtype)
    want = (values.str.strip() == "").fillna(False).to_numpy(bool)
    got = pd.Series(blank_text(values)).fillna(False).to_numpy(bool)
    assert got.tolist() == want.tolist()
    assert want.sum() > 100 and (~want).sum() > 100
