"""The duplicate-id check's key codes: equal exactly where pandas' factorize says equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hotspots.data.ingest.assemble import _equal_codes
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
