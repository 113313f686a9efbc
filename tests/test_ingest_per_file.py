"""The ingest's shortcuts give what the plain way gives: police.uk files checked one by one in
their reading threads give what checking the stacked rows at once gives (coordinates and
generated ids), a filter what a take gives, a lone reader's result what concat_results gives."""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from geopandas.testing import assert_geodataframe_equal

from hotspots.data.ingest import assemble, coords, csvscan, ids, load, read_policeuk
from hotspots.data.ingest.files import expand
from hotspots.data.ingest.load import concat_results
from hotspots.data.schema import WGS84

COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
DATA = Path(__file__).parent / "data" / "ingest"
_P = 1099511628211
_MASK = 2**64 - 1


def _reference_hash(value: str | None) -> int:
    """The content hash of one value, byte by byte: sum of byte * P**(i + 1), plus the
    length, plus one for a missing value (mod 2**64)."""
    if value is None:
        return 1
    data = value.encode("utf-8")
    return (sum(b * pow(_P, i + 1, 2**64) for i, b in enumerate(data)) + len(data)) & _MASK


def _reference_row_hash(values: list[str | None]) -> int:
    digest = 0
    for value in values:
        digest = ((digest * _P) & _MASK) ^ _reference_hash(value)
    return digest


@pytest.mark.parametrize("seed", range(4))
def test_row_hashes_are_the_byte_by_byte_formula(seed: int) -> None:
    rng = np.random.default_rng(seed)
    words = np.array(["", "a", " a ", "é ü", "x" * 300, "\x00", "On or near Park", None], object)
    columns = [words[rng.integers(0, words.size, 400)].tolist() for _ in range(5)]
    arrays = [pa.chunked_array([c[:150], c[150:]], pa.large_string()) for c in columns]
    got = ids.row_hashes(ids.value_hashes(arrays), 400)
    want = [_reference_row_hash([c[i] for c in columns]) for i in range(400)]
    assert got.tolist() == want
    assert _reference_hash(None) == ids.NULL_HASH


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _rows(rng: np.random.Generator, n: int, file: int) -> list[dict[str, str]]:
    """Rows that are all kept (valid places and months, ids unique), half without an id."""
    out = []
    for i in range(n):
        asb = rng.random() < 0.5
        out.append(
            {
                "Crime ID": "" if asb else f"{file}-{i}",
                "Month": rng.choice(["2021-05", "2021-06"]),
                "Reported by": "Test Constabulary",
                "Falls within": rng.choice(["Test Constabulary", ""]),
                "Longitude": rng.choice(["-0.45", "-0.451", " -0.46 "]),
                "Latitude": rng.choice(["51.75", "51.751", " 51.7"]),
                "Location": rng.choice(["On or near Park", "On or near Road", "", "é"]),
                "LSOA code": "E01023430",
                "LSOA name": f"Dacorum {i % 3:03d}A",
                "Crime type": "Anti-social behaviour" if asb else "Burglary",
                "Last outcome category": "",
                "Context": "",
                "Extra": "x",
            }
        )
    return out


@pytest.mark.parametrize("seed", range(3))
def test_files_with_other_columns_get_the_ids_of_their_stacked_rows(tmp_path, seed) -> None:
    """Generated ids hash every column of all the files (missing where a file lacks it):
    files checked apart get the ids the stack of their rows gives."""
    rng = np.random.default_rng(seed)
    layouts = [
        COLUMNS,
        [c for c in COLUMNS if c != "LSOA name"],  # one from the middle missing
        COLUMNS[::-1],  # another order
        [*COLUMNS, "Extra"],  # one more
        COLUMNS,  # a file without rows
    ]
    for k, columns in enumerate(layouts):
        _write(tmp_path / f"2021-0{k + 1}-test-street.csv", columns, _rows(rng, 60 * (k < 4), k))
    got = read_policeuk(tmp_path).incidents["incident_id"]

    files = expand(tmp_path)
    tables = [csvscan.read_table(f) for f in files]
    raw, _, line = csvscan.stack(tables)
    stems = np.repeat(np.array([f.stem for f in files], object), [len(t.lines) for t in tables])
    blank = (raw["Crime ID"] == "").to_numpy(bool)
    want = ids.with_generated_ids(raw["Crime ID"], blank, stems[blank], line[blank], raw[blank])
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("seed", range(4))
def test_coordinates_parsed_in_parts_then_located_are_the_rows_located_at_once(seed: int) -> None:
    """Parsing is row by row; the CRS and the swapped lat/lon are decided from every row: a
    part of mostly 0,0 placeholders and foreign points beside British ones, and a swapped
    row among them, is located as the whole is."""
    rng = np.random.default_rng(seed)
    values = np.array(["-0.45", "51.75", "", " 1.5 ", "abc", "0", "200", "-95.4", "nan"], object)
    british = np.array([["-0.45", "51.75"], ["-0.31", "51.62"], ["51.70", "-0.40"]], object)
    foreign = np.array([["0", "0"], ["0", "0"], ["12.5", "41.9"]], object)
    pairs = np.concatenate(
        [
            foreign[rng.integers(0, 3, 40)],
            british[rng.integers(0, 3, 200)],
            np.column_stack([values[rng.integers(0, 9, 60)], values[rng.integers(0, 9, 60)]]),
        ]
    )
    lon, lat = (pd.Series(pairs[:, j], dtype="str") for j in (0, 1))
    names = ("Longitude", "Latitude")

    def located(parsed: coords.ParsedCoordinates) -> coords.Located:
        return coords.locate_parsed(parsed, kind="lonlat", crs=WGS84, names=names)

    whole = coords.locate(lon, lat, kind="lonlat", crs=WGS84, names=names)
    assert whole.swapped > 0  # the rule is at work
    for cuts in ([0, 45, 45, 120, 300], [0, 40, 300], [0, 300]):
        parts = [
            coords.parse_coordinates(lon[a:b], lat[a:b], names=names) for a, b in pairwise(cuts)
        ]
        joined = located(coords.concat_parsed(parts))
        for name in ("lon", "lat", "x", "y", "reason", "detail"):
            np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name))
        assert (joined.crs, joined.how, joined.swapped) == (whole.crs, whole.how, whole.swapped)


def test_a_swapped_row_is_swapped_back_whichever_file_holds_it(tmp_path) -> None:
    """A file of one swapped row and two 0,0 placeholders beside a file of British rows: the
    swap is recognised from all the rows, as when they are in one file."""
    header = ",".join(COLUMNS) + "\n"

    def row(crime_id: str, lon: str, lat: str) -> str:
        values = {"Crime ID": crime_id, "Month": "2021-01", "Longitude": lon, "Latitude": lat,
                  "Crime type": "Burglary"}  # fmt: skip
        return ",".join(values.get(c, "x") for c in COLUMNS) + "\n"

    odd = [row("S1", "51.75", "-0.45"), row("Z1", "0", "0"), row("Z2", "0", "0")]
    british = [row(f"T{i}", "-0.45", "51.75") for i in range(5)]
    (tmp_path / "split").mkdir()
    (tmp_path / "split" / "2021-01-a-street.csv").write_text(header + "".join(odd))
    (tmp_path / "split" / "2021-01-b-street.csv").write_text(header + "".join(british))
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "2021-01-a-street.csv").write_text(header + "".join(odd + british))
    for folder in ("split", "one"):
        result = read_policeuk(tmp_path / folder)
        assert result.report.swapped_lat_lon == 1, folder
        s1 = result.incidents[result.incidents["incident_id"] == "S1"]
        assert s1.geometry.x.round(2).tolist() == [-0.45], folder


@pytest.mark.parametrize("seed", range(5))
def test_take_of_increasing_rows_is_pandas_take(seed: int) -> None:
    rng = np.random.default_rng(seed)
    words = np.array(["a", "bb", "", "é", None], dtype=object)
    array = pa.array(words[rng.integers(0, words.size, 500)].tolist(), type=pa.large_string())
    chunks = pa.chunked_array([array.slice(0, 100), array.slice(100, 0), array.slice(100)])
    values = pd.Series(pd.arrays.ArrowStringArray(chunks))
    for share in (0.0, 0.3, 1.0):
        rows = np.flatnonzero(rng.random(500) < share)
        got = assemble._take(values, rows)
        pd.testing.assert_series_equal(
            got, values.iloc[rows].reset_index(drop=True), check_exact=True, check_names=False
        )
        numbers = rng.integers(0, 9, 500)
        assert assemble._take(numbers, rows).tolist() == numbers[rows].tolist()


@pytest.mark.parametrize(
    "name", ["2021-06-test-street.csv", "asb_log_utf8_bom.csv", "asb_log_cp1252.csv"]
)
def test_one_reader_s_result_is_what_concat_results_makes_of_it(name: str) -> None:
    """load() returns a lone reader's result as read: what concat_results would make of it
    (the working CRS chosen again from its points, the report merged)."""
    result = load(DATA / name)
    again = concat_results([result])
    assert_geodataframe_equal(result.incidents, again.incidents, check_less_precise=False)
    assert result.incidents.attrs == again.incidents.attrs
    pd.testing.assert_frame_equal(result.quarantine, again.quarantine)
    assert result.report == again.report


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", "string[python]", "datetime64[ns]"])
@pytest.mark.parametrize("n", [0, 3])
def test_constant_is_the_pandas_series(dtype, n) -> None:
    values = [None] if dtype == "datetime64[ns]" else [None, "police.uk"]
    for value in values:
        got = assemble._constant(value, n, pd.Series([], dtype=dtype).dtype)
        want = pd.Series(value, index=range(n), dtype=dtype)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        if hasattr(want.array, "_pa_array"):  # the same Arrow chunks: the same Parquet bytes
            assert got.array._pa_array.num_chunks == want.array._pa_array.num_chunks
            assert got.array._pa_array.type == want.array._pa_array.type


def test_a_table_s_column_is_that_of_its_rows() -> None:
    table = csvscan.read_table(expand(DATA / "2021-06-test-street.csv")[0])
    for name in table.columns:
        got, want = table.column(name), table.rows[name]
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got.array._pa_array.num_chunks == want.array._pa_array.num_chunks
