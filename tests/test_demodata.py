"""The bundled demo data (data/demo/) and its generator, hotspots.demo.generate.

The generator is run once (through its command line) into a temporary folder; every file must
come out byte for byte as bundled. The real Dacorum clip is checked against an independent
point-in-polygon count (csv module + geopandas); the synthetic files against the structure
the README promises.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import zipfile
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from scipy import stats

from hotspots.data import datasets
from hotspots.data.schema import classify, unmapped_types
from hotspots.demo import generate as demodata
from hotspots.demo.load import demo_files, load_demo_log, load_demo_policeuk
from hotspots.store import records

DEMO = datasets.data_dir() / "demo"
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
# Waterhouse Street / The Marlowes, Hemel Hempstead town centre (lon, lat).
HEMEL_CENTRE = TO_BNG.transform(-0.4735, 51.7510)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name.endswith(".csv")}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run the command line (``python -m hotspots.demo.generate --out ...``) in process."""
    out = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert demodata.main(["--out", str(out)]) == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def dacorum_union() -> gpd.GeoSeries:
    wards = gpd.read_file(datasets.wards_path())
    return gpd.GeoSeries([wards.union_all()], crs=wards.crs)


@pytest.fixture(scope="module")
def herts_rows() -> dict[str, tuple[str, list[str]]]:
    """member → (header line, data lines) of the bundled Hertfordshire zip, read with csv."""
    out = {}
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                lines = zf.read(name).decode("utf-8").splitlines(keepends=True)
                out[name] = (lines[0], lines[1:])
    return out


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return pd.read_csv(DEMO / demodata.INCIDENT_LOG, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def clip_points() -> pd.DataFrame:
    """Snap points of the bundled clip: label, lon/lat text, BNG x/y."""
    rows = [
        r
        for data in _members(DEMO / demodata.POLICEUK_ZIP).values()
        for r in list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    ]
    frame = pd.DataFrame(rows)[["Longitude", "Latitude", "Location"]].drop_duplicates()
    x, y = TO_BNG.transform(frame["Longitude"].astype(float), frame["Latitude"].astype(float))
    return frame.assign(label=frame["Location"].str.removeprefix("On or near "), x=x, y=y)


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("name", demodata.DEMO_FILES)
def test_regeneration_is_byte_identical(regenerated: tuple[Path, str], name: str) -> None:
    out, _ = regenerated
    assert (DEMO / name).exists(), f"{name} is not bundled in data/demo"
    assert _sha256(out / name) == _sha256(DEMO / name)


def test_cli_reports_the_bad_rows_it_wrote(regenerated: tuple[Path, str], log: pd.DataFrame):
    _, stdout = regenerated
    rows = sum(d.count(b"\n") - 1 for d in _members(DEMO / demodata.POLICEUK_ZIP).values())
    assert f"{rows} inside the Dacorum wards" in stdout
    assert f"incident log: {len(log)} rows" in stdout
    dup = log["ref"][log["ref"].duplicated()].iloc[0]
    blank = log.loc[log["easting"] == "", "ref"].iloc[0]
    assert f"duplicated_ref: {dup}" in stdout
    assert f"missing_easting: {blank}" in stdout


def test_zip_is_deterministic_and_keeps_the_policeuk_layout() -> None:
    with zipfile.ZipFile(DEMO / demodata.POLICEUK_ZIP) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(2022, 2, 1, 0, 0, 0)}
    csvs = [n for n in names if n.endswith(".csv")]
    months = [f"{y}-{m:02d}" for y, m in [(2021, m) for m in range(1, 13)] + [(2022, 1)]]
    assert csvs == [f"{m}/{m}-hertfordshire-street.csv" for m in months]
    assert [n for n in names if n.endswith("/")] == [f"{m}/" for m in months]


# --------------------------------------------------------------------------- the real clip


def test_clip_is_exactly_the_rows_inside_the_ward_union(
    herts_rows: dict[str, tuple[str, list[str]]], dacorum_union: gpd.GeoSeries
) -> None:
    clip = _members(DEMO / demodata.POLICEUK_ZIP)
    assert sorted(clip) == sorted(herts_rows)
    union = dacorum_union.iloc[0]
    total = 0
    for name, (header, lines) in herts_rows.items():
        rows = list(csv.reader(lines))
        lon = pd.to_numeric(pd.Series([r[4] for r in rows]), errors="coerce")
        lat = pd.to_numeric(pd.Series([r[5] for r in rows]), errors="coerce")
        points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        inside = (points.intersects(union) & lon.notna()).to_numpy()
        expected = Counter(line for line, keep in zip(lines, inside, strict=True) if keep)
        got_lines = clip[name].decode("utf-8").splitlines(keepends=True)
        assert got_lines[0] == header  # the original header, unmodified
        assert Counter(got_lines[1:]) == expected  # the original lines, unmodified, all of them
        total += len(got_lines) - 1
    assert 12_000 < total < 14_000


def test_clip_rows_are_dacorum_by_lsoa_name_and_the_rest_sit_on_the_boundary(
    herts_rows: dict[str, tuple[str, list[str]]], dacorum_union: gpd.GeoSeries
) -> None:
    clip_lines = {
        line
        for data in _members(DEMO / demodata.POLICEUK_ZIP).values()
        for line in data.decode("utf-8").splitlines()[1:]
    }
    rows = [r for _, lines in herts_rows.values() for r in csv.reader(lines)]
    in_clip = np.array([",".join(r) in clip_lines for r in rows])
    dacorum_name = np.array([r[8].startswith("Dacorum") for r in rows])
    assert in_clip.sum() > 0
    assert dacorum_name[in_clip].all()  # the ward union and the LSOA names agree...
    missed = [r for r, keep in zip(rows, dacorum_name & ~in_clip, strict=True) if keep]
    assert len(missed) < 20  # ...but for a few points just outside the generalised boundary
    points = gpd.GeoSeries(
        gpd.points_from_xy([float(r[4]) for r in missed], [float(r[5]) for r in missed]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    boundary = dacorum_union.to_crs("EPSG:27700").iloc[0]
    assert (points.distance(boundary) < 50).all()


# --------------------------------------------------------------------------- the synthetic log


def _reported(log: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(
        log["reported_date"] + " " + log["reported_time"], format="%d/%m/%Y %H:%M", errors="coerce"
    )


def test_log_columns_size_and_types(log: pd.DataFrame) -> None:
    assert tuple(log.columns) == demodata.LOG_COLUMNS
    assert 6_000 <= len(log) <= 10_000
    assert unmapped_types(log["incident_type"]) == []
    flags = classify(log["incident_type"])
    sensitive = log.loc[flags["sensitive"], "incident_type"]
    assert set(sensitive) == {"Domestic abuse"}
    assert 0 < len(sensitive) < 0.02 * len(log)
    reported = _reported(log).dropna()
    assert reported.min() >= pd.Timestamp("2021-01-01")
    assert reported.max() < pd.Timestamp("2022-02-01")


def test_night_time_violence_peaks_on_friday_and_saturday_nights_in_hemel(
    log: pd.DataFrame,
) -> None:
    nte = log[log["incident_type"] == "Night-time economy violence"]
    e = pd.to_numeric(nte["easting"], errors="coerce")
    n = pd.to_numeric(nte["northing"], errors="coerce")
    centre = np.hypot(e - HEMEL_CENTRE[0], n - HEMEL_CENTRE[1]) < 600
    when = _reported(nte)[centre].dropna()
    wd, hour = when.dt.day_of_week, when.dt.hour
    weekend_night = ((wd.isin([4, 5])) & (hour >= 22)) | ((wd.isin([5, 6])) & (hour < 3))
    hours_in_window = 2 * 5  # Friday and Saturday nights, 22:00-03:00
    k, total = int(weekend_night.sum()), len(when)
    assert total > 300
    assert k / total > 0.6
    rate_in = k / hours_in_window
    rate_out = (total - k) / (168 - hours_in_window)
    assert rate_in > 20 * rate_out
    assert stats.binomtest(k, total, hours_in_window / 168, alternative="greater").pvalue < 1e-12


def test_summer_is_busier_than_january(log: pd.DataFrame) -> None:
    per_month = _reported(log).dropna().dt.to_period("M").value_counts()
    summer = per_month[[pd.Period(f"2021-{m:02d}", "M") for m in (6, 7, 8)]].mean()
    assert summer > 1.5 * per_month[pd.Period("2021-01", "M")]
    assert summer > 1.5 * per_month[pd.Period("2022-01", "M")]


def test_youth_asb_follows_the_school_day_in_term_time(log: pd.DataFrame) -> None:
    youth = _reported(log[log["incident_type"] == "Youth ASB"]).dropna()
    autumn_term = (
        (youth >= "2021-09-06")
        & (youth < "2021-12-17")
        & ~youth.between("2021-10-23", "2021-11-01")
    )
    term_weekdays = youth[autumn_term & (youth.dt.day_of_week < 5)]
    assert len(term_weekdays) > 100
    assert term_weekdays.dt.hour.between(15, 18).mean() > 0.8
    summer_holiday = youth[(youth >= "2021-07-26") & (youth < "2021-08-28")]
    assert summer_holiday.dt.hour.between(15, 18).mean() < 0.6


def test_time_windows_come_before_the_report(log: pd.DataFrame) -> None:
    reported = _reported(log)
    start = pd.to_datetime(log["from_datetime"], format="%d/%m/%Y %H:%M", errors="coerce")
    end = pd.to_datetime(log["to_datetime"], format="%d/%m/%Y %H:%M", errors="coerce")
    assert (start.notna() == (log["from_datetime"] != "")).all()  # every given time parses
    assert (end.notna() == (log["to_datetime"] != "")).all()
    assert start[end.notna()].notna().all()  # a window has a start
    assert (start[end.notna()] < end[end.notna()]).all()
    ok = reported.notna() & start.notna()
    assert (start[ok] <= reported[ok]).all()
    ok = reported.notna() & end.notna()
    assert (end[ok] <= reported[ok]).all()
    window, from_only = end.notna().mean(), (start.notna() & end.isna()).mean()
    assert window > 0.02 and from_only > 0.02 and window + from_only < 0.3  # most have neither


def test_the_deliberately_bad_rows_are_there_and_documented(
    log: pd.DataFrame, dacorum_union: gpd.GeoSeries
) -> None:
    readme = (datasets.data_dir() / "README.md").read_text(encoding="utf-8")
    blank = log.loc[log["easting"] == "", "ref"]
    unparseable = log.loc[_reported(log).isna(), "ref"]
    duplicated = log.loc[log["ref"].duplicated(keep=False)]
    assert len(blank) == 1 and len(unparseable) == 1
    assert len(duplicated) == 2 and duplicated.iloc[0].equals(duplicated.iloc[1])
    e = pd.to_numeric(log["easting"], errors="coerce")
    n = pd.to_numeric(log["northing"], errors="coerce")
    located = e.notna() & n.notna()
    points = gpd.GeoSeries(gpd.points_from_xy(e[located], n[located]), crs="EPSG:27700")
    distance = points.distance(dacorum_union.to_crs("EPSG:27700").iloc[0]).to_numpy()
    far = log.loc[located[located].index[distance > 10_000], "ref"]
    assert len(far) == 1
    # every other point is inside Dacorum (to within the 2 m between PROJ's BNG transformations)
    assert (distance[distance <= 10_000] < 5).all()
    for ref in (*blank, *unparseable, duplicated["ref"].iloc[0], *far):
        assert ref in readme, f"bad row {ref} is not documented in data/README.md"


def test_log_wards_match_a_spatial_join(log: pd.DataFrame) -> None:
    wards = gpd.read_file(datasets.wards_path()).to_crs("EPSG:27700")
    e = pd.to_numeric(log["easting"], errors="coerce")
    n = pd.to_numeric(log["northing"], errors="coerce")
    ok = e.notna() & n.notna()
    points = gpd.GeoDataFrame(
        {"ward": log.loc[ok, "ward"]}, geometry=gpd.points_from_xy(e[ok], n[ok]), crs=27700
    )
    joined = gpd.sjoin(points, wards[["WD13NM", "geometry"]], predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    assert len(joined) > 0.99 * ok.sum()
    # Points within ~2 m of a ward edge may switch ward with the BNG transformation PROJ picks
    # (Helmert here, OSTN15 where its grid is installed); nearly all must agree.
    assert (joined["ward"] == joined["WD13NM"]).mean() > 0.99


def test_log_points_are_real_snap_points_moved_at_most_40_m(
    log: pd.DataFrame, clip_points: pd.DataFrame
) -> None:
    e = pd.to_numeric(log["easting"], errors="coerce")
    n = pd.to_numeric(log["northing"], errors="coerce")
    rows = log.assign(e=e, n=n, row=np.arange(len(log)))[e.notna() & n.notna()]
    pairs = rows.merge(clip_points, left_on="location", right_on="label")
    nearest = np.hypot(pairs["e"] - pairs["x"], pairs["n"] - pairs["y"]).groupby(pairs["row"]).min()
    assert set(rows["row"]) == set(nearest.index)  # every location is a real snap-point label
    assert (nearest.drop(rows.loc[rows["e"] < 300_000, "row"]) <= 45).all()


# --------------------------------------------------------------------------- cameras, walkabout


def test_cameras(clip_points: pd.DataFrame, dacorum_union: gpd.GeoSeries) -> None:
    cams = pd.read_csv(DEMO / demodata.CAMERAS, dtype=str, keep_default_na=False)
    assert 25 <= len(cams) <= 40
    assert cams["camera_id"].is_unique
    assert set(cams["type"]) <= set(records.CAMERA_TYPES)
    assert set(cams["status"]) <= set(records.CAMERA_STATUSES)
    assert {"faulty", "decommissioned"} <= set(cams["status"])
    rng = cams["range_m"].astype(int)
    assert rng.between(20, 200).all()
    ptz = cams["type"] == "ptz"
    assert ((cams["bearing_deg"] == "") == ptz).all() and ((cams["fov_deg"] == "") == ptz).all()
    assert cams.loc[~ptz, "bearing_deg"].astype(int).between(0, 359).all()
    assert cams.loc[~ptz, "fov_deg"].astype(int).between(1, 360).all()
    snap = set(zip(clip_points["Longitude"], clip_points["Latitude"], strict=True))
    assert all(p in snap for p in zip(cams["lon"], cams["lat"], strict=True))
    points = gpd.GeoSeries(gpd.points_from_xy(cams["lon"].astype(float), cams["lat"].astype(float)))
    assert points.within(dacorum_union.iloc[0]).all()
    towns = cams["location"].str.rsplit(", ", n=1).str[1]
    assert set(towns) == {"Hemel Hempstead", "Berkhamsted", "Tring"}


def test_walkabout_and_feedback() -> None:
    walks = pd.read_csv(DEMO / demodata.WALKABOUTS, dtype=str, keep_default_na=False)
    feedback = pd.read_csv(DEMO / demodata.FEEDBACK, dtype=str, keep_default_na=False)
    assert len(walks) == 1 and walks.loc[0, "area"] == "Hemel Hempstead town centre"
    assert int(walks.loc[0, "participants"]) > 0
    assert 20 <= len(feedback) <= 30 and feedback["feedback_id"].is_unique
    assert set(feedback["walkabout_id"]) == set(walks["walkabout_id"])
    assert set(feedback["reason"]) == set(records.REASONS)
    assert set(feedback["time_of_concern"]) <= set(records.TIMES_OF_CONCERN)
    assert feedback["severity"].astype(int).between(1, 5).all()
    tricky = feedback["comment"].str.contains('<b>HTML</b> & "quotes"', regex=False)
    assert tricky.sum() == 1
    x, y = TO_BNG.transform(feedback["lon"].astype(float), feedback["lat"].astype(float))
    assert (np.hypot(x - HEMEL_CENTRE[0], y - HEMEL_CENTRE[1]) < 700).all()


# --------------------------------------------------------------------------- bad input


def test_clip_rejects_a_zip_without_street_files(tmp_path: Path) -> None:
    bad = tmp_path / "other.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("2021-01/2021-01-hertfordshire-outcomes.csv", "Crime ID,Month\n")
    with pytest.raises(ValueError, match=r"no '\*-street.csv' file"):
        demodata.clip_policeuk(bad, demodata.ward_union(datasets.wards_path()), tmp_path / "o.zip")


def test_clip_rejects_a_file_without_coordinates(tmp_path: Path) -> None:
    bad = tmp_path / "nocoords.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("2021-01/2021-01-x-street.csv", "Crime ID,Month\nabc,2021-01\n")
    with pytest.raises(ValueError, match="no Longitude / Latitude columns"):
        demodata.clip_policeuk(bad, demodata.ward_union(datasets.wards_path()), tmp_path / "o.zip")


def test_dataset_paths_name_the_generated_files() -> None:
    kinds = ("policeuk", "incident_log", "cameras", "walkabouts", "feedback")
    paths = [datasets.demo_path(kind) for kind in kinds]
    assert [p.name for p in paths] == list(demodata.DEMO_FILES)
    assert demo_files() == dict(zip(kinds, paths, strict=True))
    assert all(p.parent == DEMO and p.is_file() for p in paths)
    with pytest.raises(ValueError, match="unknown demo file 'log'; choose one of"):
        datasets.demo_path("log")


# --------------------------------------------------------------------------- loaders


def test_load_demo_policeuk_reads_every_clipped_row(dacorum_union: gpd.GeoSeries) -> None:
    incidents, quarantine, report = load_demo_policeuk()
    rows = sum(d.count(b"\n") - 1 for d in _members(DEMO / demodata.POLICEUK_ZIP).values())
    assert report.rows_read == rows
    assert report.rows_kept + len(quarantine) == rows
    assert len(quarantine) == 0  # every clipped row has a location inside Dacorum
    assert set(incidents["time_precision"]) == {"month"}
    months = incidents["month"].dt.strftime("%Y-%m")
    assert months.min() == "2021-01" and months.max() == "2022-01"
    assert incidents.geometry.intersects(dacorum_union.iloc[0]).all()


def test_load_demo_log_quarantines_exactly_the_bad_rows(log: pd.DataFrame) -> None:
    incidents, quarantine, report = load_demo_log()
    assert report.rows_read == len(log)
    reason = dict(zip(quarantine["ref"], quarantine["reason"], strict=True))
    dup = log.loc[log["ref"].duplicated(), "ref"].iloc[0]
    bad_date = log.loc[_reported(log).isna(), "ref"].iloc[0]
    blank = log.loc[log["easting"] == "", "ref"].iloc[0]
    far = log.loc[pd.to_numeric(log["easting"], errors="coerce") < 300_000, "ref"].iloc[0]
    assert len(quarantine) == 4 and set(reason) == {dup, bad_date, blank, far}
    assert reason[dup] == "duplicate_id"
    assert reason[bad_date] == "unparseable_date"
    assert reason[far] == "outside_study_area"
    assert reason[blank] in {"no_location", "invalid_coordinates"}
    assert set(incidents["time_precision"]) == {"minute"}
    assert incidents["sensitive"].sum() == (log["incident_type"] == "Domestic abuse").sum()
    kept = log.drop_duplicates("ref").set_index("ref").loc[incidents["incident_id"]]
    assert incidents.attrs["working_crs"] == "EPSG:27700"
    assert np.array_equal(incidents["x"].to_numpy(), kept["easting"].astype(float).to_numpy())
    assert np.array_equal(incidents["y"].to_numpy(), kept["northing"].astype(float).to_numpy())
    reported = _reported(kept.reset_index())
    window_from = pd.to_datetime(kept["from_datetime"], format="%d/%m/%Y %H:%M").reset_index(
        drop=True
    )
    window_to = pd.to_datetime(kept["to_datetime"], format="%d/%m/%Y %H:%M").reset_index(drop=True)
    # The window where the log has one (aoristic), else the time it was reported.
    expected_from = window_from.fillna(reported)
    assert window_from.notna().sum() > 500
    assert np.array_equal(incidents["occurred_from"].to_numpy(), expected_from.to_numpy())
    expected_to = window_to.fillna(expected_from)
    assert np.array_equal(incidents["occurred_to"].to_numpy(), expected_to.to_numpy())
