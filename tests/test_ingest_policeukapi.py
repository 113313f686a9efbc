"""police.uk API crime JSON: the same crimes as the street CSV give the same incidents."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hotspots.data import datasets
from hotspots.data.ingest import IngestError, load, read_policeuk
from hotspots.data.ingest.policeukapi import CATEGORY_SLUGS

MONTHS = ("2021-03", "2021-04")
SLUG_OF = {crime_type: slug for slug, crime_type in CATEGORY_SLUGS.items()}


def _csv_rows(month: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as archive:
        text = archive.read(f"{month}/{month}-hertfordshire-street.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _as_api(rows: list[dict[str, str]]) -> list[dict]:
    """Rows of a street CSV as the API returns them (located crimes only, as the API does)."""
    out = []
    for n, row in enumerate(rows):
        if not row["Longitude"]:
            continue
        outcome = row["Last outcome category"]
        out.append(
            {
                "category": SLUG_OF[row["Crime type"]],
                "location_type": "Force",
                "location": {
                    "latitude": row["Latitude"],
                    "street": {"id": 1_000_000 + n, "name": row["Location"]},
                    "longitude": row["Longitude"],
                },
                "context": row["Context"],
                "outcome_status": {"category": outcome, "date": row["Month"]} if outcome else None,
                "persistent_id": row["Crime ID"],
                "id": 90_000_000 + n,
                "location_subtype": "",
                "month": row["Month"],
            }
        )
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("policeuk")
    csv_dir, api_dir = folder / "csv", folder / "api"
    for month in MONTHS:
        rows = _csv_rows(month)
        (csv_dir / month).mkdir(parents=True)
        with (csv_dir / month / f"{month}-hertfordshire-street.csv").open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        api_dir.mkdir(exist_ok=True)
        (api_dir / f"crimes-{month}.json").write_text(json.dumps(_as_api(rows)))
    return read_policeuk(csv_dir), read_policeuk(api_dir), api_dir


def test_api_json_and_street_csv_give_the_same_incidents(both):
    from_csv, from_api, _ = both
    a, b = from_csv.incidents, from_api.incidents
    assert len(a) == len(b) > 15_000
    has_id = a["incident_id"].str.len() == 64  # ASB has no Crime ID: ids are generated
    assert a["incident_id"][has_id].equals(b["incident_id"][has_id])
    assert b["incident_id"][~has_id].str.match(r"^crimes-2021-0[34]-L\d+-[0-9a-f]{8}$").all()
    same = [c for c in a.columns if c not in ("incident_id", "lsoa_code")]
    pd.testing.assert_frame_equal(a[same], b[same])
    assert b["lsoa_code"].isna().all()  # the API gives no LSOA
    assert from_api.report.unmapped_crime_types == {}
    assert from_api.report.months == list(MONTHS)
    assert from_api.report.rows_read == from_api.report.rows_kept + len(from_api.quarantine)
    # the CSV's blank-location rows are the only difference in what was read
    no_location = from_csv.report.quarantined["no_location"]
    assert from_csv.report.rows_read - no_location == from_api.report.rows_read


def test_every_api_slug_maps_to_a_taxonomy_crime_type():
    from hotspots.data import schema

    mapped = pd.Series(list(CATEGORY_SLUGS.values()), dtype="str")
    assert schema.unmapped_types(mapped, None) == []


def test_load_dispatches_api_json_and_a_single_file(both):
    _, from_api, api_dir = both
    one = load(api_dir / "crimes-2021-03.json")
    assert one.report.months == ["2021-03"]
    assert one.report.rows_kept == int((from_api.incidents["month"] == "2021-03-01").sum())


def test_bad_crimes_are_quarantined_with_their_line_and_broken_json_names_the_line(tmp_path):
    crime = {"category": "burglary", "location": {"latitude": "51.75", "longitude": "-0.47",
             "street": {"name": "On or near A"}}, "month": "2021-03", "id": 1,
             "persistent_id": "p1", "outcome_status": None}  # fmt: skip
    nan = {"latitude": float("nan"), "longitude": float("nan")}
    items = [
        crime,
        {**crime, "persistent_id": "p2", "location": nan},
        "not a crime",
        {**crime, "persistent_id": "p3", "month": "March"},
        {**crime, "persistent_id": "p4", "category": "new-slug"},
    ]
    path = tmp_path / "crimes.json"
    path.write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n")
    result = read_policeuk(path)
    q = result.quarantine
    assert q[["line", "reason"]].values.tolist() == [
        [3, "invalid_coordinates"], [4, "malformed_row"], [5, "unparseable_date"]]  # fmt: skip
    assert result.incidents["crime_type"].tolist() == ["Burglary", "new-slug"]
    assert result.report.unmapped_crime_types == {"new-slug": 1}
    path.write_text("[\n" + json.dumps(crime) + ',\n{"category": \n')
    with pytest.raises(
        IngestError, match=r"crimes\.json: broken JSON at line 4, column 1 \(Expecting value\)"
    ):
        read_policeuk(path)


def test_a_bad_byte_sets_aside_one_crime(tmp_path):
    crimes = _as_api(_csv_rows("2021-03")[:50])
    text = "[\n" + ",\n".join(json.dumps(c) for c in crimes) + "\n]"
    data = text.replace("On or near", "On or\x00near", 1).encode()
    path = tmp_path / "crimes.json"
    path.write_bytes(data)
    result = read_policeuk(Path(path))
    assert result.quarantine["reason"].tolist() == ["undecodable_text"]
    assert result.quarantine["line"].tolist() == [2]
    assert result.report.rows_read == len(crimes) == result.report.rows_kept + 1
    kept = result.incidents["incident_id"]
    assert crimes[0]["persistent_id"] not in set(kept)
    assert np.isin([c["persistent_id"] for c in crimes[1:] if c["persistent_id"]], kept).all()


def test_one_line_api_json_with_a_nul_sets_aside_one_crime(tmp_path):
    crimes = _as_api(_csv_rows("2021-03")[:20])
    data = json.dumps(crimes).replace("On or near", "On or\x00near", 1).encode()
    path = tmp_path / "crimes.json"
    path.write_bytes(data)  # the API's own layout: all on one line
    result = read_policeuk(path)
    assert result.quarantine["reason"].tolist() == ["undecodable_text"]
    assert result.quarantine["line"].tolist() == [1]  # the crime's position in the list
    assert result.report.rows_kept == len(crimes) - 1
    assert "position in the list" in " ".join(result.report.notes)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(IngestError, match=r"crimes\.json: broken JSON at line 1, column 2"):
        read_policeuk(path)


def test_police_uk_categories_before_may_2013_have_their_groups():
    # police.uk's files before May 2013 say "Violent crime" and "Public disorder and weapons"
    from hotspots.data import schema

    old = pd.Series(["Violent crime", "Public disorder and weapons"], dtype="str")
    assert schema.unmapped_types(old, None) == []
    assert schema.classify(old)["category"].tolist() == [
        "Violence and sexual offences", "Public order"
    ]  # fmt: skip
    assert CATEGORY_SLUGS["public-disorder-weapons"] == "Public disorder and weapons"
