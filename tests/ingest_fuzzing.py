"""Seeded hostile-file generator for the ingest fuzz test and benchmark.

Each reader gets a small valid file, then one to three mutations: stray bytes (NUL, 0x1A,
0x80, 0xFF, quotes, delimiters, line breaks), deleted or repeated spans, truncation, junk
field values (NaN, inf, 1e999, very long text), byte-order marks, re-encoding (UTF-16,
cp1252), and for containers damaged gzip/zip bytes; for GeoJSON and API JSON also structural
mutations (``[NaN, NaN]`` points, null/empty/odd geometries, wrong types). A case passes when
the reader returns a result whose counts add up (read = kept + quarantined) or raises
:class:`IngestError`; anything else is a crash.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hotspots.data import datasets
from hotspots.data.ingest import (
    QUARANTINE_REASONS,
    ColumnMap,
    IngestError,
    load,
    read_incident_csv,
    read_policeuk,
    read_vector,
)

BYTES = [b"\x00", b"\x1a", b"\x80", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b'"', b",", b";",
         b"\n", b"\r", b"\r\n", b"\t", b"\xef\xbb\xbf", b"\x1f\x8b"]  # fmt: skip
JUNK = ["", "NaN", "nan", "inf", "-inf", "1e999", "-0", "0", "null", "None", "x" * 5000,
        "=1+2", "{{7*7}}", "1,5", "51.75.1", "\u202e", "😀", "-", "1/1/1", "2021-13",
        "99999999999999999999"]  # fmt: skip
COUNCIL_MAP = ColumnMap(
    incident_id="Ref", date="Date", time="Time", easting="Easting", northing="Northing",
    crime_type="Type", location="Notes",
)  # fmt: skip
READERS = ("policeuk", "council", "vector", "containers", "policeuk_api")


@dataclass
class Tally:
    """What a fuzz run found for one reader."""

    cases: int = 0
    ok: int = 0
    ingest_errors: int = 0
    crashes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _street_rows(count: int = 40) -> list[dict[str, str]]:
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as archive:
        text = archive.read("2021-03/2021-03-hertfordshire-street.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return rows[:count] + [r for r in rows if not r["Crime ID"]][:5]


def _to_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _council_rows(rng: random.Random, count: int = 30) -> list[dict[str, str]]:
    return [
        {
            "Ref": f"ASB{n:04d}",
            "Date": f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2021",
            "Time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "Easting": str(rng.randint(500_000, 510_000)),
            "Northing": str(rng.randint(200_000, 210_000)),
            "Type": rng.choice(["Noise", "Youth ASB", "Fly-tipping", "DV", "Graffiti"]),
            "Notes": rng.choice(["Café", "“Loud” music", "£50 damage", "plain"]),
        }
        for n in range(count)
    ]


def council_csv(rng: random.Random) -> bytes:
    """A council ASB log (CRLF, UTF-8, cp1252 or UTF-8 with BOM), mutated: the council case's
    file."""
    rows = _council_rows(rng)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    encoding = rng.choice(["utf-8", "cp1252", "utf-8-sig"])
    return mutate_bytes(buffer.getvalue().encode(encoding), rng)


def _api_items(rows: list[dict[str, str]]) -> list[dict]:
    from hotspots.data.ingest.policeukapi import CATEGORY_SLUGS

    slug = {v: k for k, v in CATEGORY_SLUGS.items()}
    return [
        {
            "category": slug.get(r["Crime type"], "other-crime"),
            "location": {
                "latitude": r["Latitude"],
                "longitude": r["Longitude"],
                "street": {"id": n, "name": r["Location"]},
            },
            "month": r["Month"],
            "id": n,
            "persistent_id": r["Crime ID"],
            "outcome_status": {"category": r["Last outcome category"], "date": r["Month"]},
            "context": "",
            "location_type": "Force",
        }
        for n, r in enumerate(rows)
        if r["Longitude"]
    ]


def _geojson(rng: random.Random, count: int = 20) -> dict:
    features = [
        {
            "type": "Feature",
            "properties": {
                "ref": f"V{n}",
                "date": f"0{rng.randint(1, 9)}/03/2021 10:00",
                "type": rng.choice(["Noise", "Burglary", "Rape"]),
            },
            "geometry": {
                "type": "Point",
                "coordinates": [-0.47 + rng.random() / 10, 51.75 + rng.random() / 10],
            },
        }
        for n in range(count)
    ]
    return {"type": "FeatureCollection", "features": features}


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One to three byte-level mutations."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(9)
        at = rng.randrange(len(data) + 1)
        if kind <= 2:  # insert stray bytes
            data = data[:at] + rng.choice(BYTES) * rng.randint(1, 3) + data[at:]
        elif kind == 3:  # delete a span
            data = data[:at] + data[at + rng.randint(1, 40) :]
        elif kind == 4:  # truncate
            data = data[:at]
        elif kind == 5:  # repeat a span
            span = data[at : at + rng.randint(1, 200)]
            data = data[:at] + span * rng.randint(2, 4) + data[at:]
        elif kind == 6:  # replace a field with junk
            cut = data.find(b",", at)
            end = data.find(b",", cut + 1)
            if 0 <= cut < end:
                data = data[: cut + 1] + rng.choice(JUNK).encode() + data[end:]
        elif kind == 7:  # flip a byte
            if data:
                i = rng.randrange(len(data))
                data = data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
        else:  # a byte-order mark or a re-encoding
            choice = rng.randrange(4)
            if choice == 0:
                data = b"\xef\xbb\xbf" + data
            elif choice == 1:
                data = data.decode("utf-8", "replace").encode("utf-16")
            elif choice == 2:
                data = data.decode("utf-8", "replace").encode("cp1252", "replace")
            else:
                data = (
                    rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"])
                    + data[: rng.randrange(4)]
                )
    return data


def _mutate_json(value: object, rng: random.Random) -> object:
    """Replace one node (a coordinate, geometry, property, item) with something hostile."""
    hostile = [float("nan"), float("inf"), None, [], {}, "x", [float("nan"), float("nan")],
               [1], [1, 2, 3], 1e308, -1e308, True, "51.75", {"type": "Point"},
               {"type": "Point", "coordinates": [float("nan"), float("nan")]},
               {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
               {"type": "Point", "coordinates": []}, {"type": "Nonsense"}]  # fmt: skip
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        if rng.random() < 0.4:
            value[key] = rng.choice(hostile)
        else:
            value[key] = _mutate_json(value[key], rng)
    elif isinstance(value, list) and value:
        i = rng.randrange(len(value))
        if rng.random() < 0.3:
            value[i] = rng.choice(hostile)
        else:
            value[i] = _mutate_json(value[i], rng)
    else:
        return rng.choice(hostile)
    return value


def _check(result) -> None:
    report, quarantine = result.report, result.quarantine
    assert report.rows_read == report.rows_kept + len(quarantine), "read != kept + quarantined"
    assert report.rows_kept == len(result.incidents), "kept != incidents"
    assert report.rows_quarantined == len(quarantine), "report and quarantine disagree"
    assert set(quarantine["reason"]) <= set(QUARANTINE_REASONS), "unknown reason"


class Fuzzer:
    """Seeded cases for each reader, run in ``folder``."""

    def __init__(self, folder: Path, seed: int = 0) -> None:
        self.folder = folder
        self.seed = seed
        self.street = _street_rows()
        self.street_csv = _to_csv(self.street)
        self.api = json.dumps(_api_items(self.street)).encode()

    def run(self, reader: str, cases: int) -> Tally:
        """Run ``cases`` cases of one reader (see :data:`READERS`)."""
        case: Callable[[random.Random, Path], object] = getattr(self, f"_{reader}")
        tally = Tally()
        start = time.perf_counter()
        for n in range(cases):
            rng = random.Random(f"{self.seed}-{reader}-{n}")
            work = self.folder / f"{reader}-{n}"
            work.mkdir()
            tally.cases += 1
            try:
                _check(case(rng, work))
                tally.ok += 1
            except IngestError:
                tally.ingest_errors += 1
            except Exception as exc:  # a crash is what we count
                where = traceback.extract_tb(exc.__traceback__)[-1]
                tally.crashes.append(
                    f"{reader} case {n}: {type(exc).__name__}: {str(exc)[:200]} "
                    f"({Path(where.filename).name}:{where.lineno})"
                )
            finally:
                for path in sorted(work.rglob("*"), reverse=True):
                    path.rmdir() if path.is_dir() else path.unlink()
                work.rmdir()
        tally.seconds = time.perf_counter() - start
        return tally

    def _policeuk(self, rng: random.Random, work: Path) -> object:
        path = work / "2021-03-force-street.csv"
        path.write_bytes(mutate_bytes(self.street_csv, rng))
        return read_policeuk(path)

    def _council(self, rng: random.Random, work: Path) -> object:
        path = work / "asb_log.csv"
        path.write_bytes(council_csv(rng))
        return read_incident_csv(path, COUNCIL_MAP)

    def _vector(self, rng: random.Random, work: Path) -> object:
        doc = _geojson(rng)
        if rng.random() < 0.2:  # the GEOS trap: a point GEOS reads as empty
            rng.choice(doc["features"])["geometry"]["coordinates"] = [float("nan")] * 2
        for _ in range(rng.randint(0, 3)):
            doc = _mutate_json(doc, rng)
        data = json.dumps(doc, allow_nan=True).encode()
        if rng.random() < 0.3:
            data = mutate_bytes(data, rng)
        path = work / "points.geojson"
        path.write_bytes(data)
        return read_vector(path, columns={"incident_id": "ref", "datetime": "date",
                                          "crime_type": "type"})  # fmt: skip

    def _containers(self, rng: random.Random, work: Path) -> object:
        data = self.street_csv if rng.random() < 0.7 else mutate_bytes(self.street_csv, rng)
        if rng.random() < 0.5:
            path = work / "2021-03-force-street.csv.gz"
            packed = gzip.compress(data)
        else:
            path = work / "force.zip"
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("2021-03/2021-03-force-street.csv", data)
                if rng.random() < 0.5:
                    archive.writestr("2021-03/2021-03-force-street.csv.gz", gzip.compress(data))
            packed = buffer.getvalue()
        path.write_bytes(mutate_bytes(packed, rng) if rng.random() < 0.8 else packed)
        return load(path)

    def _policeuk_api(self, rng: random.Random, work: Path) -> object:
        if rng.random() < 0.5:
            items = json.loads(self.api)
            for _ in range(rng.randint(1, 3)):
                items = _mutate_json(items, rng)
            data = json.dumps(items, allow_nan=True).encode()
        else:
            data = mutate_bytes(self.api, rng)
        path = work / "crimes.json"
        path.write_bytes(data)
        return read_policeuk(path)
