"""read_policeuk on the real Hertfordshire zip, checked against an independent count made
with the csv module straight from the archive."""

from __future__ import annotations

import csv
import io
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from hotspots.data import datasets, schema
from hotspots.data.ingest import QUARANTINE_REASONS, IngestError, csvscan, read_policeuk
from hotspots.data.ingest.policeuk import STREET_COLUMNS


@pytest.fixture(scope="module")
def reference() -> dict:
    """Per file: rows, blank-location rows, exact repeats (Crime ID, Month, type, place) and
    rows sharing an earlier row's (Crime ID, Month) but not its type or place, among located
    rows; ASB rows with their physical lines — counted with the csv module."""
    out: dict[str, dict] = {}
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as archive:
        for member in sorted(n for n in archive.namelist() if n.endswith("-street.csv")):
            reader = csv.DictReader(io.StringIO(archive.read(member).decode("utf-8")))
            rows, no_location, duplicates, shared, blank_id_lines = 0, [], 0, 0, []
            seen: set[tuple[str, ...]] = set()
            seen_ids: set[tuple[str, str]] = set()
            for row in reader:
                rows += 1
                if not row["Longitude"].strip():
                    no_location.append(reader.line_num)
                    continue
                if not row["Crime ID"]:
                    blank_id_lines.append(reader.line_num)
                    continue
                place = f"{float(row['Longitude']):.6f} {float(row['Latitude']):.6f}"
                key = (row["Crime ID"], row["Month"], row["Crime type"], place)
                duplicates += key in seen
                shared += key not in seen and key[:2] in seen_ids
                seen.add(key)
                seen_ids.add(key[:2])
            out[member] = {
                "rows": rows,
                "no_location": no_location,
                "duplicates": duplicates,
                "shared": shared,
                "blank_id_lines": blank_id_lines,
                "month": member[:7],
            }
    return out


def test_counts_per_month_and_reason_match_the_csv_module(herts_load, reference):
    incidents, quarantine, report = herts_load
    assert report.rows_read == sum(r["rows"] for r in reference.values()) == 108_465
    assert (
        report.rows_read == report.rows_kept + len(quarantine) == len(incidents) + len(quarantine)
    )
    expected_reasons = {
        "no_location": sum(len(r["no_location"]) for r in reference.values()),
        "duplicate_id": sum(r["duplicates"] for r in reference.values()),
    }
    assert expected_reasons["no_location"] == 1_789
    assert report.quarantined == {k: v for k, v in expected_reasons.items() if v}
    assert quarantine["reason"].value_counts().to_dict() == report.quarantined
    kept_per_month = incidents["month"].dt.strftime("%Y-%m").value_counts()
    for r in reference.values():
        expected = r["rows"] - len(r["no_location"]) - r["duplicates"]
        assert kept_per_month[r["month"]] == expected
    assert report.months == sorted(r["month"] for r in reference.values())


def test_quarantine_lines_are_physical_lines(herts_load, reference):
    quarantine = herts_load.quarantine
    for member, ref in reference.items():
        mine = quarantine[
            quarantine["file"].str.endswith(member) & (quarantine["reason"] == "no_location")
        ]
        assert sorted(mine["line"]) == ref["no_location"]
    assert list(quarantine.columns[:4]) == ["file", "line", "reason", "detail"]
    assert set(quarantine["reason"]) <= set(QUARANTINE_REASONS)
    # the original values travel with the row
    assert (
        quarantine.loc[quarantine["reason"] == "no_location", "Location"] == "No Location"
    ).all()


def test_shared_crime_ids_with_another_type_or_place_are_kept_and_noted(herts_load, reference):
    incidents, quarantine, report = herts_load
    shared = sum(r["shared"] for r in reference.values())
    assert shared >= 1  # the Hertfordshire data has one: same Crime ID, another type or place
    assert (quarantine["reason"] == "duplicate_id").sum() == sum(
        r["duplicates"] for r in reference.values()
    )
    key = incidents["incident_id"] + incidents["month"].astype(str)
    repeated = incidents[key.duplicated(keep=False) & ~incidents["incident_id"].isna()]
    assert len(repeated) == 2 * shared
    places = repeated["crime_type"] + repeated.geometry.x.round(6).astype(str)
    assert not (places + repeated.geometry.y.round(6).astype(str)).duplicated().any()
    assert any(f"{shared} row(s) share a Crime ID" in note for note in report.notes)


def test_true_repeats_are_quarantined_and_same_id_other_records_kept(tmp_path):
    header = ",".join(STREET_COLUMNS) + "\n"
    base = "X1,2021-01,F,F,{lon},51.75,On or near A,E01023700,Dacorum 001A,{type},,\n"
    rows = [
        base.format(lon="-0.47", type="Burglary"),
        base.format(lon="-0.47", type="Burglary"),  # a true repeat
        base.format(lon="-0.47", type="Robbery"),  # another type
        base.format(lon="-0.48", type="Burglary"),  # another place
    ]
    path = tmp_path / "2021-01-force-street.csv"
    path.write_text(header + "".join(rows))
    result = read_policeuk(path)
    assert result.quarantine["reason"].tolist() == ["duplicate_id"]
    assert result.quarantine["line"].tolist() == [3]
    assert "(same crime type, place) from" in result.quarantine["detail"].iloc[0]
    assert result.report.rows_kept == 3
    assert result.incidents["crime_type"].tolist() == ["Burglary", "Robbery", "Burglary"]
    assert "2 row(s) share a Crime ID" in " ".join(result.report.notes)


@pytest.mark.parametrize("fast", [True, False], ids=["arrow", "scanner"])
def test_months_beyond_the_years_of_nanoseconds_are_set_aside_with_their_year(
    tmp_path, monkeypatch, fast
):
    # in nanoseconds 2606-01 wrapped round to a time in 2021 (not even a month start), kept
    if not fast:
        monkeypatch.setattr(csvscan, "plain_csv", lambda text: None)
    row = ",{month},F,F,-0.47,51.75,On or near A,E01023700,Dacorum 001A,Burglary,,\n"
    months = ["2021-01", "2606-01", "2599-12", "9999-12", "0000-01"]
    path = tmp_path / "2021-01-force-street.csv"
    path.write_text(",".join(STREET_COLUMNS) + "\n" + "".join(row.format(month=m) for m in months))
    result = read_policeuk(path)
    assert result.incidents["month"].tolist() == [pd.Timestamp("2021-01-01")]
    assert result.quarantine["line"].tolist() == [3, 4, 5, 6]
    assert set(result.quarantine["reason"]) == {"implausible_date"}
    detail = result.quarantine["detail"].str.extract(r"^dated (\w+ \d+): (\w+)")
    assert detail.values.tolist() == [["Jan 2606", "after"], ["Dec 2599", "after"],
                                      ["Dec 9999", "after"], ["Jan 0000", "before"]]  # fmt: skip


def test_asb_rows_get_unique_deterministic_ids_naming_file_and_line(herts_load, reference):
    incidents = herts_load.incidents
    asb = incidents[incidents["crime_type"] == "Anti-social behaviour"]
    assert asb["incident_id"].is_unique
    assert len(asb) == sum(len(r["blank_id_lines"]) for r in reference.values())
    parsed = asb["incident_id"].str.extract(r"^(?P<stem>.+)-L(?P<line>\d+)-(?P<hash>[0-9a-f]{8})$")
    assert parsed.notna().all().all()
    for member, ref in reference.items():
        stem = member.split("/")[-1].removesuffix(".csv")
        lines = parsed.loc[parsed["stem"] == stem, "line"].astype(int)
        assert sorted(lines) == ref["blank_id_lines"]
    again = read_policeuk(datasets.herts_policeuk_zip())
    assert again.incidents["incident_id"].equals(incidents["incident_id"])


def test_output_is_canonical(herts_load):
    incidents = herts_load.incidents
    template = schema.empty_incidents()
    assert list(incidents.columns) == schema.COLUMNS
    assert incidents.dtypes.astype(str).to_dict() == template.dtypes.astype(str).to_dict()
    assert incidents.crs.to_epsg() == 4326
    assert incidents.attrs[schema.WORKING_CRS] == "EPSG:27700"
    schema.check_incidents(incidents)
    assert (incidents["source"] == "police.uk").all()
    assert (incidents["time_precision"] == "month").all()
    assert incidents["occurred_from"].isna().all() and incidents["occurred_to"].isna().all()
    assert (incidents["month"].dt.day == 1).all()
    assert incidents["ward_code"].isna().all()
    assert incidents["lsoa_code"].str.match(r"^[EW]0\d{7}$").all()
    # x/y against an independent projection of the points
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(
        incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    )
    np.testing.assert_allclose(incidents["x"], x, atol=1e-6)
    np.testing.assert_allclose(incidents["y"], y, atol=1e-6)
    # categories and sensitivity from the taxonomy, row by row against classify
    flags = schema.classify(incidents["crime_type"])
    assert (incidents["category"].to_numpy() == flags["category"].to_numpy()).all()
    assert herts_load.report.unmapped_crime_types == {}


def test_dacorum_clip_lies_inside_the_ward_union(dacorum_load, dacorum_wards, herts_load):
    incidents, quarantine, report = dacorum_load
    inside = gpd.sjoin(incidents[["geometry"]], dacorum_wards, predicate="within", how="left")
    assert inside["WD13CD"].notna().all()
    union = shapely.union_all(dacorum_wards.geometry.to_numpy())
    # no repeated Crime ID straddles the Dacorum boundary in this data, so the clip keeps
    # exactly the unclipped incidents that lie inside the ward union
    assert report.rows_kept == int(herts_load.incidents.geometry.within(union).sum())
    assert report.rows_read == 108_465
    assert report.rows_read == report.rows_kept + len(quarantine)
    assert set(report.quarantined) <= {"no_location", "outside_study_area", "duplicate_id"}
    assert report.quarantined["no_location"] == 1_789
    assert report.study_area == datasets.DACORUM
    # almost all kept rows are in Dacorum LSOAs (generalised boundaries disagree at the edge)
    dacorum_lsoas = set(gpd.read_file(datasets.lsoas_path())["LSOA11CD"])
    assert incidents["lsoa_code"].isin(dacorum_lsoas).mean() > 0.99


def test_single_file_folder_and_zip_agree(tmp_path, herts_load):
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as archive:
        archive.extract("2021-03/2021-03-hertfordshire-street.csv", tmp_path)
        archive.extract("2021-04/2021-04-hertfordshire-street.csv", tmp_path)
    (tmp_path / "2021-03" / "2021-03-hertfordshire-outcomes.csv").write_text("Crime ID\n")
    one = read_policeuk(tmp_path / "2021-03" / "2021-03-hertfordshire-street.csv")
    folder = read_policeuk(tmp_path)
    assert folder.report.files_skipped == {
        str(tmp_path / "2021-03" / "2021-03-hertfordshire-outcomes.csv"): (
            "a police.uk outcomes file, not street-level crime"
        )
    }
    months = herts_load.incidents["month"].dt.strftime("%Y-%m")
    assert len(one.incidents) == (months == "2021-03").sum()
    assert len(folder.incidents) == months.isin(["2021-03", "2021-04"]).sum()
    from_zip = herts_load.incidents[months == "2021-03"].reset_index(drop=True)
    assert one.incidents["incident_id"].equals(from_zip["incident_id"])


def test_a_file_that_is_not_street_level_crime_is_refused(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("Ref,Date,Latitude,Longitude\nA,01/02/2021,51.7,-0.4\n")
    with pytest.raises(IngestError, match=r"log\.csv.*missing column\(s\) \['Crime ID', 'Month'"):
        read_policeuk(path)
    outcomes = tmp_path / "outcomes"
    outcomes.mkdir()
    (outcomes / "2021-01-hertfordshire-outcomes.csv").write_text("Crime ID,Month\n")
    with pytest.raises(IngestError, match=r"no police\.uk street-level crime files"):
        read_policeuk(outcomes)


def test_a_council_file_named_like_police_uks_says_to_rename_it(tmp_path):
    log = tmp_path / "asb-high-street.csv"
    log.write_text("ref,date,type,easting,northing\nr1,01/12/2021,Noise,505000,207000\n")
    with pytest.raises(IngestError, match=r"rename it \(e.g. without -street\)"):
        read_policeuk(log)


def test_the_quarantine_keeps_a_bounded_prefix_of_each_value_and_says_so(tmp_path):
    # a 300 MB line was written back whole: a 300 MB quarantine file
    long = "A" * 5_000
    row = ",{month},F,F,-0.47,51.75,{place},E01023700,Dacorum 001A,Burglary,,\n"
    path = tmp_path / "2021-01-force-street.csv"
    path.write_text(
        ",".join(STREET_COLUMNS) + "\n"
        + row.format(month="2021-01", place="On or near A")
        + row.format(month="March", place=long)  # a bad month: set aside, Location kept
        + "," * 50 + long + "\n"  # a malformed row: its detail quotes the line
    )  # fmt: skip
    quarantine = read_policeuk(path).quarantine.set_index("line")
    assert quarantine["reason"].to_dict() == {3: "unparseable_date", 4: "malformed_row"}
    cut = "A" * 1_000 + "… (5,000 characters, cut)"
    assert quarantine.loc[3, "Location"] == cut
    assert quarantine.loc[4, "detail"].endswith("AAA… (5,093 characters, cut)")
    assert quarantine.map(lambda v: len(str(v))).max().max() < 1_100
