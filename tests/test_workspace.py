"""Workspaces and time that tells the truth: init, add, the monthly CLI, gaps never zero.

Synthetic police.uk street files for Leeds (E08000035, outside Hertfordshire) are built from
the national boundary pack: points drawn inside every ward, a known number per ward and month.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.data import boundaries
from hotspots.data.coverage import Coverage
from hotspots.data.ingest import IngestError
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init, open_workspace, own_population, read_workspace
from hotspots.views.cli import main

LEEDS = "E08000035"
MONTHS = ["2018-04", "2018-05", "2018-07", "2018-08"]  # no Jun 2018: a gap month


def _points_in(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random lon/lat points inside ``polygon`` (rejection sampling)."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = []
    shapely.prepare(polygon)
    while sum(len(f) for f in found) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        found.append(xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])])
    return np.concatenate(found)[:n]


def _street_csv(folder, month: str, per_ward: dict[str, int], seed: int, tag: str = "") -> str:
    """Write ``month``'s police.uk street CSV: ``per_ward[code]`` burglaries inside each ward."""
    wards = boundaries.district(LEEDS).wards
    rng = np.random.default_rng(seed)
    rows = []
    for code, geom in zip(wards["area_code"], wards.geometry, strict=True):
        xy = _points_in(geom, per_ward[code], rng)
        for i, (lon, lat) in enumerate(xy):
            rows.append(
                {
                    "Crime ID": f"{tag}{month}-{code}-{i}",
                    "Month": month,
                    "Reported by": "West Yorkshire Police",
                    "Falls within": "West Yorkshire Police",
                    "Longitude": f"{lon:.6f}",
                    "Latitude": f"{lat:.6f}",
                    "Location": "On or near Test Street",
                    "LSOA code": "",
                    "LSOA name": "",
                    "Crime type": "Burglary",
                    "Last outcome category": "",
                    "Context": "",
                }
            )
    path = folder / f"{month}-west-yorkshire-street.csv"
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return str(path)


def _counts(month_index: int) -> dict[str, int]:
    """Known counts: ward i has 10 + i incidents in month 0, growing by (i % 3) each month."""
    codes = boundaries.district(LEEDS).wards["area_code"].tolist()
    return {c: 10 + i + month_index * (i % 3) for i, c in enumerate(codes)}


@pytest.fixture(scope="module")
def leeds(tmp_path_factory):
    """A Leeds workspace with Apr, May, Jul and Aug 2018 (no June), and the files."""
    base = tmp_path_factory.mktemp("leeds")
    files = base / "files"
    files.mkdir()
    paths = [_street_csv(files, m, _counts(i), seed=i) for i, m in enumerate(MONTHS)]
    root = base / "ws"
    assert main(["init", str(root), "--area", "Leeds", "--title", "Leeds CSP"]) == 0
    assert main(["add", str(root), *paths]) == 0
    return root, paths


def test_init_writes_readable_toml(leeds):
    root, _ = leeds
    ws = read_workspace(root)
    assert ws.area == LEEDS and ws.title == "Leeds CSP" and ws.area_name == "Leeds"
    text = (root / "hotspots.toml").read_text()
    assert 'district = "E08000035"' in text and "[map]" in text and "[population]" in text
    assert [s["name"] for s in ws.config["sources"]] == ["police.uk"]


def test_coverage_knows_the_gap(leeds):
    root, _ = leeds
    data = open_workspace(root)
    assert [str(m) for m in data.coverage.months("police.uk")] == MONTHS
    assert [str(m) for m in data.coverage.gaps()] == ["2018-06"]
    assert "no data for Jun 2018" in data.coverage.describe()


def test_same_month_twice_changes_nothing(leeds, tmp_path):
    root, paths = leeds
    manifest = (root / "data" / "manifest.json").read_text()
    before = open_workspace(root).incidents["incident_id"].sort_values().tolist()
    report = add(root, paths[:2])
    assert not report.added and not report.replaced and len(report.unchanged) == 2
    assert "unchanged" in report.summary()
    assert json.loads((root / "data" / "manifest.json").read_text()) == json.loads(manifest)
    after = open_workspace(root).incidents["incident_id"].sort_values().tolist()
    assert after == before
    out = tmp_path / "w.csv"
    assert main(["wards", str(root), "--month", "2018-08", "--csv", str(out)]) == 0
    first = pd.read_csv(out)
    add(root, paths)
    assert main(["wards", str(root), "--month", "2018-08", "--csv", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), first)


def test_a_newer_file_replaces_its_month_and_says_so(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(files, "2018-04", _counts(0), seed=0)])
    newer = {k: v + 1 for k, v in _counts(0).items()}
    report = add(root, [_street_csv(files, "2018-04", newer, seed=1, tag="n")])
    assert report.replaced and report.replaced[0][:2] == ("police.uk", "2018-04")
    old_rows, new_rows = report.replaced[0][3:]
    assert new_rows - old_rows == len(newer)
    assert "replaced police.uk 2018-04 (West Yorkshire): a newer file" in report.summary()
    assert len(open_workspace(root).incidents) == sum(newer.values())


def test_wards_rates_for_every_ward_and_gap_comparison(leeds, tmp_path, capsys):
    root, _ = leeds
    out = tmp_path / "wards.csv"
    assert main(["wards", str(root), "--month", "2018-07", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "no data for Jun 2018: compared with May 2018" in text
    table = pd.read_csv(out)
    wards = boundaries.district(LEEDS).wards
    assert len(table) == len(wards) == 33
    assert table["rate_per_1000"].notna().all() and (table["residents"] > 0).all()
    # July (month 2) against May (month 1), never against an empty June.
    expected_now = pd.Series(_counts(2))
    expected_before = pd.Series(_counts(1))
    got = table.set_index("area_code")
    assert (got["count"] == expected_now.reindex(got.index)).all()
    assert (got["previous"] == expected_before.reindex(got.index)).all()
    assert set(got["compared_with_previous"]) == {"May 2018"}
    rate = got["count"] / got["residents"] * 1000
    np.testing.assert_allclose(got["rate_per_1000"], rate, rtol=1e-9)
    assert "2013 electoral wards" in got["boundaries"].iloc[0]
    # Printed for people: headers in words, every change with its significance in words, and
    # the comparison that cannot be made (July 2017) left out rather than a blank column.
    lines = text.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("Ward"))
    for words in ("Incidents Jul 2018", "Per 1,000 residents", "Incidents May 2018",
                  "Change vs May 2018"):  # fmt: skip
        assert words in header
    assert "_" not in header and "2017" not in header
    rows = lines[lines.index(header) + 1 : lines.index(f"wrote {out}")]
    assert len(rows) == 33
    for name, now, before in zip(got["area_name"], got["count"], got["previous"], strict=True):
        row = next(r for r in rows if r.strip().startswith(name + " "))
        change = now - before
        assert ("no change" if change == 0 else f"{change:+d} (") in row
        assert "significant" in row or change == 0


def test_add_says_what_the_workspace_holds_and_csv_folders_are_made(leeds, tmp_path, capsys):
    root, paths = leeds
    assert main(["add", str(root), paths[0]]) == 0
    text = capsys.readouterr().out
    assert "unchanged (already in the workspace, same content): police.uk 2018-04" in text
    holds = "the workspace now holds police.uk: Apr–Aug 2018 (4 months; no data for Jun 2018)"
    assert holds in text
    out = tmp_path / "new" / "folder" / "changes.csv"  # not there yet: made, as an analyst expects
    assert main(["changes", str(root), "--month", "2018-08", "--csv", str(out)]) == 0
    assert out.is_file()


def test_a_month_without_data_is_refused_in_words(leeds, tmp_path, capsys):
    root, _ = leeds
    assert main(["patrol-plan", str(root), "--from", "2018-06", "--to", "2018-06", "--no-pdf",
                 "--out", str(tmp_path / "plan")]) == 1  # fmt: skip
    assert main(["pack", str(root), "--month", "2018-06", "--out", str(tmp_path / "pack")]) == 1
    errors = capsys.readouterr().err
    assert "patrol-plan: error: no data for Jun 2018: choose a period the data cover" in errors
    assert "pack: error: no data for Jun 2018; the data cover police.uk" in errors


def test_changes_skip_the_gap_in_words_and_numbers(leeds, tmp_path, capsys):
    root, _ = leeds
    out = tmp_path / "changes.csv"
    assert main(["changes", str(root), "--month", "2018-07", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "no data for Jun 2018: compared with May 2018" in text
    assert "up from 0" not in text
    table = pd.read_csv(out)
    assert set(table["period"]) == {"May 2018"}
    wards = boundaries.district(LEEDS).wards
    code_of = dict(zip(wards["area_name"], wards["area_code"], strict=True))
    assert len(table)
    for _, row in table.iterrows():
        assert row["before"] == _counts(1)[code_of[row["ward_name"]]]
        assert row["current"] == _counts(2)[code_of[row["ward_name"]]]
        assert f"({row['before']} → {row['current']}) vs May 2018" in row["text"]


def test_a_comparison_that_cannot_be_made_says_why(leeds, tmp_path, capsys):
    root, _ = leeds
    assert main(["changes", str(root), "--month", "2018-04"]) == 0
    text = capsys.readouterr().out
    assert "no previous period: no data for Mar 2018 (the data start in Apr 2018)" in text
    assert "no same period last year: no data for Apr 2017 (the data start in Apr 2018)" in text
    # The ward table of the first month: counts and rates, the comparisons empty, and why.
    out = tmp_path / "w.csv"
    assert main(["wards", str(root), "--month", "2018-04", "--csv", str(out)]) == 0
    assert "no previous period: no data for Mar 2018" in capsys.readouterr().out
    table = pd.read_csv(out).set_index("area_code")
    assert (table["count"] == pd.Series(_counts(0)).reindex(table.index)).all()
    assert table["previous"].isna().all() and table["rate_per_1000"].notna().all()
    assert main(["changes", str(root), "--month", "2018-06"]) == 1  # refused, as by pack
    assert "changes: error: cannot show Jun 2018: no data for Jun 2018" in capsys.readouterr().err


def test_analyse_pack_and_patrol_plan_on_the_workspace(leeds, tmp_path, capsys):
    root, _ = leeds
    out = tmp_path / "analysis"
    assert (
        main(["analyse", str(root), "--from", "2018-05", "--to", "2018-08", "--out", str(out)]) == 0
    )
    said = capsys.readouterr().out
    assert "note: no data for Jun 2018: the counts are of the 3 months with data" in said
    monthly = pd.read_csv(out / "monthly.csv")
    assert monthly["month"].tolist() == ["2018-05", "2018-06", "2018-07", "2018-08"]
    june = monthly.set_index("month").loc["2018-06"]
    assert pd.isna(june["Acquisitive"]) and not june["covered"]  # no data, never zero
    lines = (out / "monthly.csv").read_text().splitlines()
    assert lines[2] == "2018-06,,False," and ".0," not in "\n".join(lines)  # no source: blank
    rates = pd.read_csv(out / "ward_rates.csv")
    assert len(rates) == 33 and rates["rate"].notna().all()
    pack = tmp_path / "pack"
    assert main(["pack", str(root), "--month", "2018-07", "--out", str(pack)]) == 0
    html = (pack / "pack.html").read_text()
    assert "no data for Jun 2018: compared with May 2018" in html
    assert (pack / "pack.pdf").read_bytes().startswith(b"%PDF")
    plan = tmp_path / "plan"
    # July's month before (June) has no data: the plan still works and says what it used.
    args = ["patrol-plan", str(root), "--from", "2018-07", "--to", "2018-07", "--no-pdf"]
    assert main([*args, "--out", str(plan)]) == 0
    limits = (plan / "briefing.html").read_text()
    assert "no data for Jun 2018: compared with May 2018" in limits


def test_coverage_fallback_words():
    cov = Coverage({"police.uk": ["2017-07", "2018-05", "2018-07"]})
    assert cov.comparable(("2018-07", "2018-07"), kind="previous") == (
        (pd.Period("2018-05"), pd.Period("2018-05")),
        "no data for Jun 2018: compared with May 2018",
    )
    bounds, note = cov.comparable(("2018-07", "2018-07"), kind="last_year")
    assert bounds == (pd.Period("2017-07"), pd.Period("2017-07")) and note is None
    bounds, note = cov.comparable(("2018-05", "2018-05"), kind="last_year")
    assert bounds is None  # not Jul 2017: another season
    assert note == "no data for May 2017 (the data start in Jul 2017)"
    bounds, note = cov.comparable(("2018-05", "2018-05"), kind="previous")
    assert bounds == (pd.Period("2017-07"), pd.Period("2017-07"))
    bounds, note = Coverage({"a": ["2018-05"]}).comparable(("2018-05", "2018-05"), kind="previous")
    assert bounds is None and note == "no data for Apr 2018 (the data start in May 2018)"
    # a gap longer than the look-back, inside the data: no comparison, and why
    recent = [str(m) for m in pd.period_range("2018-01", "2018-05")]
    long_gap = Coverage({"a": ["2015-01", *recent]})
    bounds, note = long_gap.comparable(("2018-01", "2018-01"), kind="previous")
    assert bounds is None and note == (
        "no data for Dec 2017 nor a comparable covered period near it, so Jan 2018 is not "
        "compared with the previous period"
    )


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("hotspots 0.")


def test_demo_is_a_workspace():
    from hotspots.data import datasets

    data = open_workspace(datasets.data_dir() / "demo" / "workspace")
    assert data.workspace.area == "E07000096"
    assert set(data.coverage.sources) == {"police.uk", "Dacorum incident log (SYNTHETIC demo)"}
    assert len(data.coverage.months("police.uk")) == 13
    assert not list((datasets.data_dir() / "demo" / "workspace").glob("*.zip"))


def _data_page() -> None:
    from hotspots.views.dashboard.page_data import render

    render()


def test_upload_on_the_data_page_survives_a_reload(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    files = tmp_path / "files"
    files.mkdir()
    root = tmp_path / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, [_street_csv(files, "2018-04", _counts(0), seed=0)])
    upload = _street_csv(files, "2018-05", _counts(1), seed=1)
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))

    page = AppTest.from_function(_data_page, default_timeout=180).run()
    assert not page.exception
    assert page.metric[1].value == f"{sum(_counts(0).values()):,}"
    content = Path(upload).read_bytes()
    page.file_uploader(key="upload_files").set_value(
        ("2018-05-west-yorkshire-street.csv", content, "text/csv")
    ).run()
    assert not [s for s in page.selectbox if s.key == "upload_district"]  # the workspace's
    assert not [c for c in page.checkbox if c.key == "upload_clip"]  # own district decides
    page.button(key="upload_add").click().run()
    assert not page.exception
    both = sum(_counts(0).values()) + sum(_counts(1).values())
    assert page.metric[1].value == f"{both:,}"
    assert any("added police.uk 2018-05" in c.value for c in page.code)

    reloaded = AppTest.from_function(_data_page, default_timeout=180).run()  # a new session
    assert not reloaded.exception
    assert reloaded.metric[1].value == f"{both:,}"
    assert [str(m) for m in open_workspace(root).coverage.months()] == ["2018-04", "2018-05"]


def test_backtest_skips_a_month_without_data(leeds):
    from hotspots.analysis.evaluate import backtest_folds

    data = open_workspace(leeds[0])
    area = boundaries.district(LEEDS).wards
    folds = backtest_folds(data.incidents, study_area=area, train_months=1, methods=["last_month"])
    assert folds.attrs["months_without_data"] == ["2018-06"]
    # 2018-07's one training month is the month without data: that fold would measure nothing
    assert folds.attrs["skipped_months"]["2018-07"] == "no incidents in the training window"
    assert sorted(set(folds["test_month"])) == ["2018-05", "2018-08"]
    longer = backtest_folds(data.incidents, study_area=area, train_months=2, methods=["last_month"])
    assert longer.attrs["months_without_data"] == ["2018-06"]
    assert sorted(set(longer["test_month"])) == ["2018-07", "2018-08"]


def test_cluster_trend_and_peak_lift_skip_a_month_without_data():
    from hotspots.analysis.clusters.profile import _trend
    from hotspots.analysis.temporal.peaks import _month_peaks

    months = pd.to_datetime(["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06",
                             "2021-08"])  # fmt: skip
    per_month = [1, 2, 3, 4, 5, 6, 8]  # no July: a gap, not a zero
    month = pd.Series(np.repeat(months, per_month))
    frame = pd.DataFrame({"cluster": 1, "month": month})
    trend = _trend(frame, month)
    assert trend.loc[1, "recent"] == 5 + 6 + 8  # May, Jun, Aug: the latest 3 months with data
    assert trend.loc[1, "previous"] == 2 + 3 + 4  # Feb, Mar, Apr
    peaks = _month_peaks(pd.DataFrame({"month": month}), top=1, by=None)
    assert peaks["label"].tolist() == ["2021-08"]
    assert peaks["lift"].iloc[0] == pytest.approx(8 / sum(per_month) * 7)  # 7 months with data


def test_patrol_plan_over_a_gap_says_which_months_it_counts(leeds, tmp_path):
    root, _ = leeds
    plan = tmp_path / "plan"
    args = ["patrol-plan", str(root), "--from", "2018-05", "--to", "2018-07", "--no-pdf"]
    assert main([*args, "--out", str(plan)]) == 0
    briefing = (plan / "briefing.html").read_text()
    assert "no data for Jun 2018: the plan counts the 2 months of 2018-05 to 2018-07" in briefing


def test_council_log_column_map_and_category_overrides_are_saved(tmp_path, capsys):
    from hotspots.data import datasets
    from hotspots.demo.load import DEMO_LOG_COLUMNS

    log = datasets.demo_path("incident_log")
    root = tmp_path / "ws"
    init(root, area="Dacorum", categories={"Fly-tipping": "Criminal damage and arson"})
    columns = tmp_path / "map.json"
    columns.write_text(json.dumps(DEMO_LOG_COLUMNS))
    args = ["add", str(root), str(log), "--source", "Council log", "--crs", "EPSG:27700"]
    assert main([*args, "--columns", str(columns)]) == 0
    ws = read_workspace(root)
    saved = ws.source("Council log")
    assert saved["columns"] == DEMO_LOG_COLUMNS and saved["crs"] == "EPSG:27700"
    assert ws.config["categories"] == {"Fly-tipping": "Criminal damage and arson"}
    capsys.readouterr()
    # The next add of that source needs no column map: the saved one is used.
    assert main(["add", str(root), str(log), "--source", "Council log"]) == 0
    assert "added" not in capsys.readouterr().out
    data = open_workspace(root)
    assert set(data.coverage.sources) == {"Council log"}
    tipping = data.incidents["crime_type"].astype(str) == "Fly-tipping"
    assert (data.incidents.loc[tipping, "category"] == "Criminal damage and arson").all()
    assert tipping.sum() == 500


def test_emerging_hot_spots_periods_leave_out_a_month_without_data(leeds):
    from hotspots.space.grid import grid_counts

    data = open_workspace(leeds[0])
    area = boundaries.district(LEEDS).wards
    grid = grid_counts(data.incidents, 7, study_area=area, by="month")
    months = sorted(pd.to_datetime(grid["month"]).dt.strftime("%Y-%m").unique())
    assert months == MONTHS  # June is not a period of zeros: emerging_hotspots never sees it


def test_folders_added_are_recorded_file_by_file_and_keep_their_rows_set_aside(tmp_path):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    kept = []
    for i, month in enumerate(("2018-04", "2018-05")):
        folder = tmp_path / f"folder-{month}"
        folder.mkdir()
        path = Path(_street_csv(folder, month, _counts(i), seed=i))
        with path.open("a") as f:  # one row with no usable date: set aside with its reason
            f.write(f"bad-{month},not a month,,,-1.5,53.8,On or near X,,,Burglary,,\n")
        report = add(root, [folder])
        assert report.added
        kept.append(sorted((root / "data" / "quarantine").glob("*.parquet")))
    assert len(kept[0]) == 1 and len(kept[1]) == 2  # the second folder's did not overwrite
    manifest = json.loads((root / "data" / "manifest.json").read_text())
    assert all(len(p["files"]) == 1 for p in manifest["partitions"].values())
    again = add(root, [tmp_path / "folder-2018-04"])
    assert not again.added and not again.replaced and again.unchanged


def test_a_workspace_reads_as_many_rows_as_it_keeps_and_sets_aside(tmp_path):
    # the Data page said "Rows read 22,797 / Incidents kept 22,797 / Rows set aside 2,003":
    # the stored months were counted as rows read, the rows set aside when added were not
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    path = Path(_street_csv(tmp_path, "2018-04", _counts(0), seed=0))
    with path.open("a") as f:
        for i in range(3):  # three rows with no usable date: set aside with their reason
            f.write(f"bad-{i},not a month,,,-1.5,53.8,On or near X,,,Burglary,,\n")
    add(root, [path])
    data = open_workspace(root)
    report = data.load.report
    assert report.rows_kept == len(data.incidents) == sum(_counts(0).values())
    assert len(data.quarantine) == 3
    assert report.rows_read == report.rows_kept + len(data.quarantine)
    assert report.quarantined == {"unparseable_date": 3}


def test_a_population_source_that_is_not_a_residents_csv_says_which_setting(tmp_path):
    # source = "../../../../etc/passwd" failed with pandas' "Error tokenizing data ... line 24",
    # naming neither the file nor the setting; a shared file outside the workspace may be fine
    root = tmp_path / "ws"
    init(root, area="E07000096")
    shared = tmp_path / "shared"
    shared.mkdir()
    passwd = "root:x:0:0\ndaemon:x:1\ngnats:x:41:41:Gnats (admin),,,:/var/lib/gnats\n"
    (shared / "passwd").write_text(passwd)  # as /etc/passwd: a comma in a line far down
    (shared / "wards.csv").write_text("ward,people\nE05004677,9000\n")
    config = root / "hotspots.toml"
    text = config.read_text()
    problems = {
        "passwd": r"cannot read .*passwd \(ParserError",
        "wards.csv": r".*wards\.csv has columns \['ward', 'people'\]",
    }
    for name, problem in problems.items():
        config.write_text(text.replace('source = "pack"', f'source = "../shared/{name}"'))
        match = (
            rf"hotspots\.toml \[population\] source = '\.\./shared/{name}': {problem}.*"
            r"expected a CSV with columns area_code \(ward code\) and residents"
        )
        with pytest.raises(IngestError, match=match):
            own_population(read_workspace(root))
    (shared / "wards.csv").write_text("area_code,residents\nE05004677,9000\n")
    assert own_population(read_workspace(root))["residents"].tolist() == [9000]


def test_a_council_logs_rows_outside_the_district_are_kept_to_mend(tmp_path):
    """A council log's point outside the district is likely geocoded wrong: its row is kept
    in the workspace's rows set aside (its line, reason and values), to find and mend; a
    police.uk file's are only counted (a force's file clipped to one district)."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    log = tmp_path / "asb.csv"
    log.write_text(
        "ref,when,type,lat,lon\n"
        "A1,2018-04-03 21:00,Noise,53.7997,-1.5492\n"  # Leeds
        "A2,2018-04-04 22:00,Noise,53.4808,-2.2426\n"  # Manchester: a wrong geocode
    )
    columns = {"incident_id": "ref", "datetime": "when", "crime_type": "type", "lat": "lat",
               "lon": "lon"}  # fmt: skip
    add(root, [log], source="Council ASB", columns=columns)
    street = Path(_street_csv(tmp_path, "2018-04", _counts(0), seed=0))
    with street.open("a") as f:  # a police.uk row in Manchester: not the district's to mend
        f.write("far,2018-04,,,-2.2426,53.4808,On or near X,,,Burglary,,\n")
    add(root, [street])
    q = open_workspace(root).quarantine
    outside = q[q["reason"] == "outside_study_area"]
    assert outside["line"].astype(int).tolist() == [3]
    assert outside["file"].astype(str).str.endswith("asb.csv").all()


def test_rows_set_aside_by_a_file_whose_month_was_replaced_are_not_counted(tmp_path):
    """A month added with 3 broken rows, then its corrected file: the broken rows were the
    first file's, not the workspace's any more ("rows read" counted them still)."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    path = Path(_street_csv(tmp_path, "2018-04", _counts(0), seed=0))
    good = path.read_text()
    with path.open("a") as f:
        for i in range(3):
            f.write(f"bad-{i},not a month,,,-1.5,53.8,On or near X,,,Burglary,,\n")
    add(root, [path])
    assert len(open_workspace(root).quarantine) == 3
    fixed = "".join(f"bad-{i},2018-04,,,-1.5,53.8,On or near X,,,Burglary,,\n" for i in range(3))
    path.write_text(good + fixed)  # the corrected download of the same month
    assert add(root, [path]).replaced
    data = open_workspace(root)
    assert len(data.quarantine) == 0
    assert data.load.report.rows_read == data.load.report.rows_kept == len(data.incidents)
    assert not list((root / "data" / "quarantine").glob("*.parquet"))  # and not kept on disk
