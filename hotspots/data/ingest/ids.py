"""Incident ids: generate deterministic ones where a source has none, find duplicates."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.data import schema

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_FNV_PRIME = np.uint64(1099511628211)


def with_generated_ids(
    given: pd.Series, blank: np.ndarray, stems: np.ndarray, lines: np.ndarray, rows: pd.DataFrame
) -> pd.Series:
    """``given`` ids (text) with the ``blank`` ones replaced by
    :func:`generated_ids` of their ``stems``, ``lines`` and ``rows`` (the blank rows').

    Examples
    --------
    >>> given = pd.Series(["A1", ""], dtype="str")
    >>> rows = pd.DataFrame({"Crime type": ["Anti-social behaviour"]}, dtype="str")
    >>> filled = with_generated_ids(given, np.array([False, True]), np.array(["f"]),
    ...                             np.array([3]), rows)
    >>> filled[0], filled[1][:5]
    ('A1', 'f-L3-')
    """
    return filled(given, blank, generated_ids(stems, lines, rows))


def filled(given: pd.Series, blank: np.ndarray, made: pa.Array) -> pd.Series:
    """``given`` ids (text) with the ``blank`` ones replaced, in order, by ``made``.

    Arrow text is filled by pyarrow, no Python string per row (chunked as ``given``); other
    dtypes as pandas sets items. Both give the same values.
    """
    if schema.is_arrow_text(given):
        array = pa.array(given.array)  # chunks kept, as pandas keeps them
        array = pc.replace_with_mask(array, pa.array(blank), made.cast(array.type))
        return pd.Series(
            type(given.array)(array, dtype=given.dtype), index=given.index, name=given.name
        )
    out = given.copy()
    out[blank] = made.to_numpy(zero_copy_only=False).astype(object)
    return out


def generated_ids(stems: np.ndarray, lines: np.ndarray, rows: pd.DataFrame) -> pa.Array:
    """Readable, deterministic ids ``<file stem>-L<line>-<8 hex digits of the row's content>``
    (Arrow strings).

    Stable across reloads of the same file; unique within a file (the line number is in it);
    and a re-issued file whose rows moved gets new ids rather than ids of other incidents.

    Examples
    --------
    >>> rows = pd.DataFrame({"Crime type": ["Anti-social behaviour"]}, dtype="str")
    >>> generated_ids(np.array(["2021-01-herts-street"]), np.array([7]), rows)[0].as_py()[:24]
    '2021-01-herts-street-L7-'
    """
    columns = [pa.array(rows[c], type=pa.large_string(), from_pandas=True) for c in rows.columns]
    digest = row_hashes(value_hashes(columns), len(rows))
    return ids_of(stems, lines, digest)


_GENERATED = re.compile(r"-L\d+-[0-9a-f]{8}$")
"""The end of an id :func:`generated_ids` made: ``-L<line>-<8 hex digits>``."""


def is_generated(values: pd.Series) -> np.ndarray:
    """Whether each id is one :func:`generated_ids` made for a row without one (it names its
    file, so a renamed copy's differ), not the source's own (a police.uk Crime ID).

    Examples
    --------
    >>> is_generated(pd.Series(["f-L3-0badcafe", "a1b2c3", None])).tolist()
    [True, False, False]
    """
    found = values.astype("string").str.contains(_GENERATED)
    return found.fillna(False).to_numpy(bool)


def ids_of(stems: np.ndarray, lines: np.ndarray, digest: np.ndarray) -> pa.Array:
    """:func:`generated_ids` of rows whose content hashes (:func:`row_hashes`) are ``digest``."""
    return pc.binary_join_element_wise(
        pa.array(stems, type=pa.string()),
        "-L",
        pa.array(np.asarray(lines, dtype=np.int64)).cast(pa.string()),
        "-",
        _hex8(digest >> np.uint64(32)),
        "",
    )


def row_hashes(columns: Sequence[np.ndarray | np.uint64], size: int) -> np.ndarray:
    """A 64-bit hash of each of ``size`` rows from its values' :func:`value_hashes`, one array
    per column in the columns' order (or one hash for all rows: :data:`NULL_HASH` for a
    column they lack), combined FNV-style.

    Examples
    --------
    >>> digest = row_hashes(value_hashes([pa.array(["x", "y"]), pa.array(["z", "z"])]), 2)
    >>> bool(digest[0] != digest[1])
    True
    """
    digest = np.zeros(size, dtype=np.uint64)
    for hashed in columns:
        digest *= _FNV_PRIME
        digest ^= hashed
    return digest


def value_hashes(columns: Sequence[pa.Array | pa.ChunkedArray]) -> list[np.ndarray]:
    """A 64-bit hash of each value of each column (Arrow text; nulls hash alike, as
    :data:`NULL_HASH`): each column's distinct values hashed once, all columns' at once."""
    encoded = [
        pc.dictionary_encode(
            c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c, null_encoding="encode"
        )
        for c in columns
    ]
    distinct = [e.dictionary.cast(pa.large_string()) for e in encoded]
    hashed = _hash_strings(pa.concat_arrays(distinct)) if distinct else np.zeros(0, np.uint64)
    first = np.cumsum([0] + [len(d) for d in distinct])[:-1]  # each column's in ``hashed``
    return [
        hashed[start + e.indices.to_numpy(zero_copy_only=False)]
        for start, e in zip(first, encoded, strict=True)
    ]


def _hash_strings(strings: pa.Array) -> np.ndarray:
    """A polynomial hash (mod 2**64) of each string's UTF-8 bytes, computed with numpy on the
    Arrow buffers; null hashes like ``""`` plus one."""
    offsets, data = schema.text_buffers(strings)
    data = data[offsets[0] : offsets[-1]].astype(np.uint64)
    starts = offsets[:-1] - offsets[0]
    lengths = np.diff(offsets)
    position = np.arange(data.size) - np.repeat(starts, lengths)
    powers = np.cumprod(np.full(max(int(lengths.max(initial=0)), 1), _FNV_PRIME))
    weighted = np.append(data * powers[position], np.uint64(0))
    sums = np.add.reduceat(weighted, starts)
    sums = np.where(lengths > 0, sums, np.uint64(0)) + lengths.astype(np.uint64)
    return sums + strings.is_null().to_numpy(zero_copy_only=False).astype(np.uint64)


NULL_HASH = _hash_strings(pa.array([None], type=pa.large_string()))[0]
""":func:`value_hashes` of a missing value (a column a file does not have)."""


def _hex8(values: np.ndarray) -> pa.Array:
    """The low 32 bits of each value as 8 lower-case hex digits."""
    shifts = np.arange(28, -4, -4, dtype=np.uint64)
    nibbles = ((values[:, None] >> shifts) & np.uint64(0xF)).astype(np.uint8)
    data = _HEX_DIGITS[nibbles].tobytes()
    offsets = np.arange(0, 8 * values.size + 1, 8, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), values.size, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


_KEY_MULTIPLIERS = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0x27D4EB2F165667C5),
)
_ALL_BITS = np.uint64(2**64 - 1)


def text_keys(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit key of each string (Arrow ``string`` or ``large_string``) from its length, its
    first 8 bytes and its last 16 (where a generated id holds its line number and content
    hash), read in place from the Arrow buffers: equal strings get equal keys (different
    strings rarely do, so rows whose key is unique have a unique string); a null gets the key
    of ``""``.

    Examples
    --------
    >>> keys = text_keys(pa.array(["a" * 64, "b", "a" * 64, None, ""]))
    >>> bool(keys[0] == keys[2]), bool(keys[0] == keys[1]), bool(keys[3] == keys[4])
    (True, False, True)
    """
    if isinstance(strings, pa.ChunkedArray):
        parts = [text_keys(chunk) for chunk in strings.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    if len(strings) == 0:
        return np.zeros(0, np.uint64)
    offsets, data = schema.text_buffers(strings)
    if data.size < 16:  # too short for the 8-byte windows: a padded copy (a few bytes)
        data = np.concatenate([data, np.zeros(16, np.uint8)])
    # every 8-byte window of the data as a little-endian integer (a strided view, no copy)
    windows = np.ndarray((data.size - 7,), dtype="<u8", buffer=data, strides=(1,))
    start, end = offsets[:-1], offsets[1:]
    length = end - start
    last_window = data.size - 8
    if (length >= 16).all():  # every window lies inside its string
        head, tail, before = windows[start], windows[end - 8], windows[end - 16]
    else:  # a short string's head: its bytes alone (the window shifted and masked)
        base = np.minimum(start, last_window)
        short = np.minimum(length, 7).astype(np.uint64) * np.uint64(8)
        head_mask = np.where(length >= 8, _ALL_BITS, (np.uint64(1) << short) - np.uint64(1))
        head = (windows[base] >> ((start - base).astype(np.uint64) * np.uint64(8))) & head_mask
        tail = np.where(length >= 8, windows[np.clip(end - 8, 0, last_window)], np.uint64(0))
        before = np.where(length >= 16, windows[np.clip(end - 16, 0, last_window)], np.uint64(0))
    m = _KEY_MULTIPLIERS
    key = head * m[0]
    key ^= (key >> np.uint64(29)) ^ tail * m[1]
    key ^= (key >> np.uint64(31)) ^ before * m[2]
    key ^= (key >> np.uint64(27)) ^ length.astype(np.uint64) * m[3]
    return key


def first_occurrence(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For rows whose key repeats an earlier row's: a mask, and the position of that first
    row (-1 for rows that are not repeats).

    Examples
    --------
    >>> dup, first = first_occurrence(pd.DataFrame({"id": ["a", "b", "a"]}))
    >>> dup.tolist(), first.tolist()
    ([False, False, True], [-1, -1, 0])
    """
    key = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        key = key * max(len(uniques), 1) + codes
    _, first_index, inverse = np.unique(key, return_index=True, return_inverse=True)
    first = first_index[inverse]
    dup = first != np.arange(len(keys))
    return dup, np.where(dup, first, -1)
