"""The ingest's fast paths give what the plain pandas / one-call way gives, exactly."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hotspots.core import crs
from hotspots.data.ingest import assemble, coords, dates, ids, load, read_policeuk
from hotspots.data.ingest.report import LoadResult

DATA = Path(__file__).parent / "data" / "ingest"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def _chunked_text(values: list[str | None], cuts: list[int]) -> pd.Series:
    """A ``str`` Series whose Arrow array is split at ``cuts`` (as a stack of files gives)."""
    array = pa.array(values, type=pa.large_string())
    bounds = [0, *cuts, len(values)]
    chunks = [array.slice(a, b - a) for a, b in pairwise(bounds)]
    dtype = pd.Series([""], dtype="str").dtype
    return pd.Series(type(pd.array([""], dtype=dtype))(pa.chunked_array(chunks), dtype=dtype))


@pytest.mark.parametrize("seed", range(5))
def test_kept_frame_is_pandas_boolean_take(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    words = np.array(["a", "bb", "", " c ", "é"], dtype=object)
    text = words[rng.integers(0, words.size, n)].tolist()
    text = [None if rng.random() < 0.1 else v for v in text]
    frame = pd.DataFrame(
        {
            "text": _chunked_text(text, sorted(rng.choice(n, 3, replace=False).tolist())),
            "number": rng.integers(0, 9, n),
            "other": _chunked_text(text[::-1], [50]),
        }
    )
    for kept in (rng.random(n) < 0.3, np.zeros(n, bool), np.ones(n, bool)):
        fast = assemble.kept_frame(frame, kept)
        slow = frame[kept].reset_index(drop=True)
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
        for column in ("text", "other"):
            a, b = fast[column].array._pa_array, slow[column].array._pa_array
            assert [len(c) for c in a.chunks] == [len(c) for c in b.chunks]


def test_a_background_reprojection_gives_the_one_call_values() -> None:
    rng = np.random.default_rng(3)
    n = 300_011
    lon, lat = rng.uniform(-5, 1.5, n), rng.uniform(50, 55.5, n)
    rows = rng.random(n) < 0.9
    started = coords.Reprojection("EPSG:4326", "EPSG:27700", lon[rows], lat[rows], rows=rows)
    kept = rows & (rng.random(n) < 0.9)
    x, y = started.of(kept)
    ex, ey = crs.transform("EPSG:4326", "EPSG:27700", lon[kept], lat[kept])
    assert x.tobytes() == ex.tobytes() and y.tobytes() == ey.tobytes()
    whole = coords.Reprojection("EPSG:4326", "EPSG:27700", lon, lat)
    assert (
        whole.result()[0].tobytes()
        == crs.transform("EPSG:4326", "EPSG:27700", lon, lat)[0].tobytes()
    )


def test_a_failed_reprojection_raises_in_the_caller() -> None:
    started = coords.Reprojection("EPSG:4326", "not a crs", np.array([0.1]), np.array([51.0]))
    with pytest.raises(Exception):  # noqa: B017 - whatever pyproj raises, it reaches us
        started.result()


def _street_csv(rows: list[tuple[str, float, float, str]]) -> str:
    lines = [
        f"{cid},2021-06,Test,Test,{lon},{lat},On or near X,E01000001,Test 001A,{kind},,\n"
        for cid, lon, lat, kind in rows
    ]
    return HEADER + "".join(lines)


def test_duplicates_that_move_the_working_crs_are_reprojected_again(tmp_path) -> None:
    """Three copies of one record in France (two are duplicates) and two records in
    Hertfordshire: the rows read lie mostly in France (UTM 31N), the rows kept mostly in
    Britain (British National Grid); x/y must be those of the kept rows' CRS."""
    france = [("dup", 2.35, 48.85, "Burglary")] * 3
    herts = [("h1", -0.45, 51.75, "Burglary"), ("h2", -0.40, 51.70, "Drugs")]
    path = tmp_path / "2021-06-test-street.csv"
    path.write_text(_street_csv(france + herts))
    result = read_policeuk(path)
    incidents = result.incidents
    assert result.report.quarantined == {"duplicate_id": 2}
    assert incidents.attrs["working_crs"] == "EPSG:27700"
    x, y = crs.transform(
        "EPSG:4326", "EPSG:27700", incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    )
    assert incidents["x"].to_numpy().tobytes() == x.tobytes()
    assert incidents["y"].to_numpy().tobytes() == y.tobytes()


def test_only_ids_that_repeat_are_keyed_and_repeats_found(tmp_path) -> None:
    rows = [
        ("a", -0.45, 51.75, "Burglary"),
        ("b", -0.45, 51.75, "Burglary"),
        ("a", -0.45, 51.75, "Burglary"),  # a repeat of line 2
        ("a", -0.46, 51.75, "Burglary"),  # same id, another place: another record
        ("c", -0.45, 51.75, "Drugs"),
    ]
    path = tmp_path / "2021-06-test-street.csv"
    path.write_text(_street_csv(rows))
    result = read_policeuk(path)
    quarantine = result.quarantine
    assert quarantine["line"].tolist() == [4]
    assert quarantine["detail"].iloc[0].endswith("line 2")
    assert any("1 row(s) share a Crime ID" in note for note in result.report.notes)
    assert result.incidents["incident_id"].tolist() == ["a", "b", "a", "c"]


def test_ledger_keeps_the_first_reason_and_knows_the_rows_left() -> None:
    ledger = assemble.Ledger(4)
    ledger.take(np.array(["", "no_location", "", ""], dtype=object), np.full(4, "x", object))
    ledger.flag(np.array([True, True, False, False]), "unparseable_date", "bad")
    ledger.flag(np.array([False, False, True, False]), "", "nothing")  # no reason: no flag
    assert ledger.reason.tolist() == ["unparseable_date", "no_location", "", ""]
    assert ledger.ok.tolist() == [False, False, True, True]
    ok = ledger.ok
    ok[:] = False  # a copy: the ledger is not changed through it
    assert ledger.ok.tolist() == [False, False, True, True]


def test_several_files_keep_their_order(tmp_path) -> None:
    for month in ("2021-01", "2021-02", "2021-03"):
        folder = tmp_path / month
        folder.mkdir()
        text = (DATA / "2021-06-test-street.csv").read_text(encoding="utf-8")
        # each month's own file (a byte-for-byte copy of another would be read once)
        (folder / f"{month}-test-street.csv").write_text(text.replace(",2021-06,", f",{month},"))
    result = load(tmp_path)
    assert isinstance(result, LoadResult)
    assert [f.split("/")[-2] for f in result.report.files_read] == ["2021-01", "2021-02", "2021-03"]


@pytest.mark.parametrize("seed", range(3))
def test_text_keys_equal_for_equal_strings_in_any_chunk(seed: int) -> None:
    """Equal strings get equal keys whatever their chunk, slice or offsets width (short,
    long, multi-byte and null values mixed; a chunk of only long strings takes a shortcut)."""
    rng = np.random.default_rng(seed)
    words = ["", "a", "abcdefg", "abcdefgh", "x" * 15, "x" * 16, "x" * 17, "é" * 9, "q" * 64, None]
    values = [words[i] for i in rng.integers(0, len(words), 2000)]
    long_only = [w for w in values if w is not None and len(w.encode()) >= 16]
    arrays = [
        pa.array(values, pa.large_string()),
        pa.array(values, pa.string()),
        pa.array(["zz"] * 5 + values, pa.large_string()).slice(5),
        pa.chunked_array([pa.array(long_only), pa.array(values)]),
    ]
    for array in arrays:
        flat = array.to_pylist()
        keys = ids.text_keys(array)
        seen: dict[str, set[int]] = {}
        for value, key in zip(flat, keys, strict=True):
            seen.setdefault(value or "", set()).add(int(key))
        assert all(len(k) == 1 for k in seen.values())
        assert len({next(iter(k)) for k in seen.values()}) == len(seen)  # no collision here


def test_text_keys_tell_generated_ids_of_alike_rows_apart() -> None:
    """Rows alike but for their line (the same place, type and month: common among police.uk's
    anti-social behaviour) get ids that differ only in the line number: keys differ too."""
    stems = np.full(3_000, "2021-01-metropolitan-street", dtype=object)
    rows = pd.DataFrame({"Crime type": ["Anti-social behaviour"] * 3_000}, dtype="str")
    made = ids.generated_ids(stems, np.arange(2, 3_002), rows)
    assert np.unique(ids.text_keys(made)).size == 3_000


def test_repeated_finds_exactly_the_values_held_twice() -> None:
    rng = np.random.default_rng(5)
    words = np.array(["a" * 64, "b" * 64, "c", "", "d" * 20], dtype=object)
    values = pd.Series(words[rng.integers(0, words.size, 500)], dtype="str")
    values[rng.random(500) < 0.05] = None
    rows = np.flatnonzero(rng.random(500) < 0.5)
    expected = values.iloc[rows].duplicated(keep=False).to_numpy(bool)
    assert (assemble._repeated(values, rows) == expected).all()


@pytest.mark.parametrize(
    "values",
    [
        [" -0.45", "51.7 ", "", None, "  ", "1e3", "-0"],
        ["1", "x", "", None],  # a non-number: pyarrow refuses, pandas parses value by value
        ["", "", None],
    ],
)
def test_arrow_numbers_are_parsed_as_pandas_parses_them(values) -> None:
    arrow = pd.Series(values, dtype="str")
    objects = pd.Series(values, dtype=object)
    fast, fast_blank = coords.parse_numbers(arrow)
    slow, slow_blank = coords.parse_numbers(objects)
    assert fast.tobytes() == slow.tobytes()
    assert (fast_blank == slow_blank).all()


@pytest.mark.parametrize(
    "values",
    [
        ["A1", "b2", "", None, "x"],
        ["A1", " b2"],
        ["A1", "b2\t"],
        ["A1", "\u00a0b2"],  # a no-break space: not ASCII, so stripped
        ["A1", "b2\u3000"],
        ["A1", "é"],  # not ASCII at an edge: stripped (nothing to strip)
    ],
)
def test_stripped_is_pandas_strip(values) -> None:
    series = _chunked_text(values, [1])
    fast = assemble.stripped(series)
    slow = series.str.strip()
    pd.testing.assert_series_equal(fast, slow, check_exact=True)
    assert fast.array._pa_array.equals(slow.array._pa_array)
    assert [len(c) for c in fast.array._pa_array.chunks] == [
        len(c) for c in slow.array._pa_array.chunks
    ]


def test_months_parsed_once_per_distinct_value_as_row_by_row() -> None:
    values = pd.Series(
        ["2021-03", " 2021-03", "March", None, "", "2021-13 ", "2021-03"], dtype="str"
    )
    month, detail = dates.parse_month(values)
    text = values.str.strip()
    expected = pd.to_datetime(text, format="%Y-%m", errors="coerce").to_numpy("datetime64[us]")
    assert month.tobytes() == expected.tobytes()
    shown = text.fillna("")
    for i in range(len(values)):
        wanted = "" if not np.isnat(expected[i]) else f"Month '{shown[i]}' is not a YYYY-MM month"
        assert detail[i] == wanted
