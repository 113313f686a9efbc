"""What ``hotspots add`` keeps: each force's part of a month, the categories of hotspots.toml
applied to months already added, a council formed since 2019 as a workspace's area, the
files each month came from, and a council log's date order (day or month first).

Small police.uk street CSVs and a council log, their points at wards' representative points
from the national boundary pack.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from hotspots.data import boundaries
from hotspots.data.ingest import IngestError
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init, open_workspace, read_workspace, write_config
from hotspots.views.cli import main

LEEDS = "E08000035"


def _points(district: str, n: int) -> list[tuple[float, float]]:
    """``n`` lon/lat points inside ``district``'s wards (one per ward, in turn)."""
    wards = boundaries.district(district).wards.representative_point()
    return [(wards.iloc[i % len(wards)].x, wards.iloc[i % len(wards)].y) for i in range(n)]


def _street_csv(folder: Path, month: str, force: str, n: int, district: str = LEEDS) -> Path:
    """``month``'s police.uk street CSV of ``force`` (file-name form): ``n`` burglaries."""
    name = force.replace("-", " ").title() + " Police"
    rows = [
        {"Crime ID": f"{force}-{month}-{i}", "Month": month, "Reported by": name,
         "Falls within": name, "Longitude": f"{lon:.6f}", "Latitude": f"{lat:.6f}",
         "Location": "On or near Test Street", "LSOA code": "", "LSOA name": "",
         "Crime type": "Burglary", "Last outcome category": "", "Context": ""}
        for i, (lon, lat) in enumerate(_points(district, n))
    ]  # fmt: skip
    path = folder / f"{month}-{force}-street.csv"
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return path


def _manifest(root: Path) -> dict:
    return json.loads((root / "data" / "manifest.json").read_text())["partitions"]


def test_files_of_two_forces_for_one_month_add_up(tmp_path):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    west = _street_csv(tmp_path, "2018-04", "west-yorkshire", 3)
    north = _street_csv(tmp_path, "2018-04", "north-yorkshire", 2)
    add(root, [west])
    report = add(root, [north])
    assert report.added == [("police.uk", "2018-04", "North Yorkshire", 2)] and not report.replaced
    assert len(open_workspace(root).incidents) == 5
    again = add(root, [west])  # unchanged: nothing replaced, nothing lost
    assert not again.added and not again.replaced and again.unchanged
    assert len(open_workspace(root).incidents) == 5
    newer = tmp_path / "newer"
    newer.mkdir()
    report = add(root, [_street_csv(newer, "2018-04", "west-yorkshire", 4)])
    assert report.replaced == [("police.uk", "2018-04", "West Yorkshire", 3, 4)]
    assert "replaced police.uk 2018-04 (West Yorkshire): a newer file (3 → 4" in report.summary()
    incidents = open_workspace(root).incidents
    assert len(incidents) == 6 and incidents["incident_id"].str.startswith("north-").sum() == 2


def test_a_month_stored_before_force_parts_is_kept_and_added_to(tmp_path):
    """A workspace written before parts were kept per force: ``police-uk/<month>`` holding one
    force (whose file its manifest names), or two forces added at once."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    west = _street_csv(tmp_path, "2018-04", "west-yorkshire", 3)
    north = _street_csv(tmp_path, "2018-04", "north-yorkshire", 2)
    add(root, [west])
    partitions = _manifest(root)
    ((key, entry),) = partitions.items()
    (root / "data" / f"{key}.parquet").rename(root / "data" / "police-uk" / "2018-04.parquet")
    for gone in ("forces", "categories"):
        del entry[gone]
    entry["files"][str(tmp_path / "2018-05-north-yorkshire-street.csv")] = "another month's"
    manifest = {"partitions": {"police-uk/2018-04": entry}}
    (root / "data" / "manifest.json").write_text(json.dumps(manifest))
    assert len(open_workspace(root).incidents) == 3
    assert add(root, [north]).added and len(open_workspace(root).incidents) == 5
    assert add(root, [west]).unchanged and len(open_workspace(root).incidents) == 5
    # two forces stored as one part: adding one of them alone would lose the other's rows
    both = tmp_path / "both"
    init(both, area=LEEDS)
    add(both, [west])
    ((key, entry),) = _manifest(both).items()
    del entry["forces"]
    entry["files"][str(north)] = "the other force's file, added at once"
    (both / "data" / "manifest.json").write_text(json.dumps({"partitions": {key: entry}}))
    with pytest.raises(
        ValueError, match="add the files of North Yorkshire, West Yorkshire for 2018-04 together"
    ):
        add(both, [west])


def test_categories_apply_to_months_already_added(tmp_path, capsys):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    log = tmp_path / "asb.csv"
    rows = [
        {"Ref": f"ASB{i}", "Reported": f"0{1 + i % 2}/05/2018 10:00", "Category": kind,
         "Lat": f"{lat:.6f}", "Lon": f"{lon:.6f}"}
        for i, (kind, (lon, lat)) in enumerate(
            zip(["Noise nuisance"] * 6 + ["Rowdy behaviour"] * 5, _points(LEEDS, 11), strict=True)
        )
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(log, index=False)
    columns = tmp_path / "map.json"
    mapping = {"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category"}
    columns.write_text(json.dumps({**mapping, "lat": "Lat", "lon": "Lon"}))
    assert main(["add", str(root), str(log), "--source", "ASB log", "--columns", str(columns)]) == 0
    said = capsys.readouterr().out
    assert (
        "unmapped crime types ('Noise nuisance', 'Rowdy behaviour') are counted as 'Other'" in said
    )
    assert "treated as sensitive until mapped" in said
    assert (
        f'under [categories] in {root / "hotspots.toml"}, e.g. "Noise nuisance" = "GROUP"' in said
    )
    noise = open_workspace(root).incidents.query("crime_type == 'Noise nuisance'")
    assert set(noise["category"]) == {"Other"} and noise["sensitive"].all()
    ws = read_workspace(root)
    write_config(root, {**ws.config, "categories": {"Noise nuisance": "Anti-social behaviour"}})
    assert main(["add", str(root), str(log), "--source", "ASB log"]) == 0
    incidents = open_workspace(root).incidents
    noise = incidents.query("crime_type == 'Noise nuisance'")
    assert len(noise) == 6 and set(noise["category"]) == {"Anti-social behaviour"}
    assert not noise["sensitive"].any()
    assert set(incidents.query("crime_type == 'Rowdy behaviour'")["category"]) == {"Other"}


def test_a_council_formed_since_is_a_workspace(tmp_path, capsys):
    root = tmp_path / "nn"
    assert main(["init", str(root), "--area", "North Northamptonshire"]) == 0
    ws = read_workspace(root)
    assert ws.area_name == "North Northamptonshire"
    assert ws.districts == ["E07000150", "E07000152", "E07000153", "E07000156"]
    files = tmp_path / "files"
    files.mkdir()
    for month in ("2023-01", "2023-02"):
        add(root, [_street_csv(files, month, "northamptonshire", 4, district="E07000156")])
    capsys.readouterr()
    out = tmp_path / "wards.csv"
    assert main(["wards", str(root), "--month", "2023-02", "--csv", str(out)]) == 0
    table = pd.read_csv(out)
    expected = sum(len(boundaries.district(c).wards) for c in ws.districts)
    assert len(table) == expected and table["count"].sum() == 4
    assert main(["changes", str(root), "--month", "2023-02"]) == 0
    # a boundary file is not a workspace's area: said so, naming options that exist
    wards = tmp_path / "wards.geojson"
    boundaries.district("Corby").wards.to_file(wards)
    assert main(["init", str(tmp_path / "file"), "--area", str(wards)]) == 1
    err = capsys.readouterr().err
    assert "a boundary file is not supported yet" in err and "--study-area FILE" in err
    assert main(["init", str(tmp_path / "x"), "--area", "Nowhere Shire"]) == 1
    assert "commands with --study-area also take a boundary file" in capsys.readouterr().err


def test_each_month_lists_its_own_files(tmp_path):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    folder = tmp_path / "west"
    folder.mkdir()
    paths = [_street_csv(folder, m, "west-yorkshire", 2) for m in ("2018-04", "2018-05", "2018-06")]
    add(root, [folder])
    for entry in _manifest(root).values():
        assert list(entry["files"]) == [str(folder / f"{entry['month']}-west-yorkshire-street.csv")]
    assert add(root, [paths[1]]).unchanged  # one of the folder's files again: nothing to do


def test_a_force_part_is_named_safely_whatever_the_file_is_called(tmp_path):
    # the force comes from a file's name: any text there stays inside the workspace's folder
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    files = tmp_path / "files"
    files.mkdir()
    odd = ["..", "a b;$(x)", "x" * 200]
    for n, force in enumerate(odd):
        path = _street_csv(files, "2018-05", f"force{n}", 3)
        path.rename(files / f"2018-05-{force}-street.csv")
        add(root, [files / f"2018-05-{force}-street.csv"])
        for old in files.iterdir():
            old.unlink()
        parts = sorted((root / "data").rglob("*.parquet"))
        assert all(root / "data" in p.parents for p in parts)
        assert all(len(p.name) <= 110 and p.name.replace(".parquet", "").strip(".") for p in parts)
        assert len(open_workspace(root).incidents) == 3 * (n + 1)


def test_force_names_filed_under_one_part_name_are_one_force(tmp_path):
    # "hertfordshire." and "hertfordshire" name one part's file: the newer replaces, said so
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(tmp_path, "2018-04", "hertfordshire", 3)])
    dotted = tmp_path / "dotted"
    dotted.mkdir()
    path = _street_csv(dotted, "2018-04", "herts", 2)
    path = path.rename(dotted / "2018-04-hertfordshire.-street.csv")
    report = add(root, [path])
    assert report.replaced == [("police.uk", "2018-04", "Hertfordshire", 3, 2)]
    assert not report.added and len(open_workspace(root).incidents) == 2
    assert [p.name for p in (root / "data").rglob("*.parquet")] == ["hertfordshire.parquet"]


def test_a_source_is_not_filed_in_the_workspaces_own_folders(tmp_path, capsys):
    # data/quarantine/ holds the rows each add set aside: a source there would be read as those
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    log = tmp_path / "quarantine.csv"
    rows = [
        {"Ref": f"Q{i}", "Reported": "01/05/2018 10:00", "Category": "Noise nuisance",
         "Lat": f"{lat:.6f}", "Lon": f"{lon:.6f}"}
        for i, (lon, lat) in enumerate(_points(LEEDS, 4))
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(log, index=False)
    columns = tmp_path / "map.json"
    columns.write_text(
        json.dumps({"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category",
                    "lat": "Lat", "lon": "Lon"})
    )  # fmt: skip
    assert main(["add", str(root), str(log), "--columns", str(columns)]) == 1
    assert "source 'quarantine' would be filed in data/quarantine" in capsys.readouterr().err
    assert not (root / "data" / "quarantine").exists()
    # a workspace that filed one there before: its months are incidents, not rows set aside
    add(root, [log], source="Q log", columns=json.loads(columns.read_text()))
    (root / "data" / "q-log").rename(root / "data" / "quarantine")
    partitions = {
        key.replace("q-log/", "quarantine/"): {**entry, "source": "quarantine"}
        for key, entry in _manifest(root).items()
    }
    (root / "data" / "manifest.json").write_text(json.dumps({"partitions": partitions}))
    opened = open_workspace(root)
    assert len(opened.incidents) == 4 and opened.quarantine.empty


def test_a_renamed_copy_of_a_stored_file_replaces_its_part(tmp_path):
    # the same incidents (by Crime ID) in a file named otherwise are a newer copy, not more data
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    first = _street_csv(tmp_path, "2018-04", "west-yorkshire", 4)
    rows = pd.read_csv(first, dtype=str, keep_default_na=False)
    rows.loc[0, ["Crime ID", "Crime type"]] = ["", "Anti-social behaviour"]  # an id made up
    rows.to_csv(first, index=False)
    add(root, [first])
    copies = tmp_path / "copies"
    copies.mkdir()
    browser = copies / "2018-04-west-yorkshire-street (1).csv"  # newer: one crime withdrawn
    rows.drop(index=3).to_csv(browser, index=False)
    report = add(root, [browser])
    # the browser's " (1)" is no part of the force's name
    assert report.replaced == [("police.uk", "2018-04", "West Yorkshire", 4, 3)]
    assert not report.added and len(open_workspace(root).incidents) == 3
    renamed = copies / "2018-04-west-yorkshire (1)-street.csv"  # read as a force of its own
    rows.to_csv(renamed, index=False)  # newer: the crime withdrawn is back
    report = add(root, [renamed])
    assert report.replaced and len(open_workspace(root).incidents) == 4
    assert "as stored from 2018-04-west-yorkshire-street (1).csv: a newer copy" in report.summary()
    assert len(_manifest(root)) == 1
    # a month stored from a zip before parts were kept per force: its manifest names no force
    old = tmp_path / "old"
    init(old, area=LEEDS)
    with zipfile.ZipFile(tmp_path / "download.zip", "w") as zf:
        zf.write(first, f"2018-04/{first.name}")
    add(old, [tmp_path / "download.zip"])
    ((key, entry),) = _manifest(old).items()
    (old / "data" / f"{key}.parquet").rename(old / "data" / "police-uk" / "2018-04.parquet")
    del entry["forces"]
    manifest = {"partitions": {"police-uk/2018-04": entry}}
    (old / "data" / "manifest.json").write_text(json.dumps(manifest))
    report = add(old, [first])
    assert report.unchanged and not report.added and len(open_workspace(old).incidents) == 4


def test_another_forces_file_of_no_known_force_never_replaces_a_month(tmp_path):
    # a browser's " (1)" keeps the force; a name without one adds beside, unless it holds the
    # same incidents (then it is a newer copy)
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    files = tmp_path / "files"
    files.mkdir()
    herts = _street_csv(files, "2018-05", "west-yorkshire", 7)
    beds = _street_csv(files, "2018-05", "north-yorkshire", 4)
    herts = herts.rename(files / "2018-05-west-yorkshire-street (1).csv")
    beds = beds.rename(files / "2018-05-north-yorkshire-street (1).csv")
    add(root, [herts])
    report = add(root, [beds])
    assert [a[2] for a in report.added] == ["North Yorkshire"] and not report.replaced
    assert len(open_workspace(root).incidents) == 11
    odd = files / "may-extract.csv"  # a third force's file named nothing police.uk would
    _street_csv(files, "2018-05", "humberside", 5).rename(odd)
    add(root, [odd])
    assert len(open_workspace(root).incidents) == 16
    again = files / "may-extract-newer.csv"  # the same incidents again: replaces, not adds
    odd.rename(again)
    add(root, [again])
    assert len(open_workspace(root).incidents) == 16


LOG_MAP = {"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category",
           "lat": "Lat", "lon": "Lon"}  # fmt: skip


def _log(path: Path, dates: list[str]) -> Path:
    """A council ASB log with one incident per date (text as given), inside Leeds."""
    rows = [
        {"Ref": f"{path.stem}-{i}", "Reported": when, "Category": "Anti-social behaviour",
         "Lat": f"{lat:.6f}", "Lon": f"{lon:.6f}"}
        for i, (when, (lon, lat)) in enumerate(zip(dates, _points(LEEDS, len(dates)), strict=True))
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _read(root: Path, source: str) -> list[str]:
    """The source's incidents' times as text, in time order."""
    incidents = open_workspace(root).incidents
    times = incidents.loc[incidents["source"] == source, "occurred_from"].sort_values()
    return [f"{t:%Y-%m-%d %H:%M}" for t in times]


def test_a_council_logs_date_order_is_saved_and_used_for_its_next_files(tmp_path, capsys):
    # January's US log was added with --month-first; February's, without it, was read day
    # first: 02/03/2024 became 2 March, with no error
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    columns = tmp_path / "map.json"
    columns.write_text(json.dumps(LOG_MAP))
    january = _log(tmp_path / "asb_jan.csv", ["01/05/2024 10:00", "01/20/2024 22:30"])
    args = ["add", str(root), str(january), "--source", "ASB log", "--columns", str(columns)]
    assert main([*args, "--month-first"]) == 0
    first = capsys.readouterr().out
    february = _log(tmp_path / "asb_feb.csv", ["02/03/2024 09:15", "02/11/2024 18:00"])
    assert main(["add", str(root), str(february), "--source", "ASB log"]) == 0
    assert _read(root, "ASB log") == [
        "2024-01-05 10:00", "2024-01-20 22:30", "2024-02-03 09:15", "2024-02-11 18:00"]  # fmt: skip
    assert read_workspace(root).source("ASB log")["date_order"] == "month first"
    assert 'date_order = "month first"' in (root / "hotspots.toml").read_text()
    us = "dates of ASB log: read month first (US: 01/02/2024 is 2 January)"
    assert f"{us}, saved for its next files" in first
    assert f"{us}, as saved for this source" in capsys.readouterr().out


def test_the_other_date_order_for_a_source_whose_order_is_saved_is_refused(tmp_path, capsys):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    january = _log(tmp_path / "asb_jan.csv", ["01/05/2024 10:00", "01/20/2024 22:30"])
    add(root, [january], source="ASB log", columns=LOG_MAP, dayfirst=False)
    capsys.readouterr()
    february = _log(tmp_path / "asb_feb.csv", ["03/02/2024 09:15", "11/02/2024 18:00"])
    assert main(["add", str(root), str(february), "--source", "ASB log", "--day-first"]) == 1
    said = capsys.readouterr().err
    assert "the source 'ASB log' reads its dates month first (US: 01/02/2024 is 2 January)" in said
    assert 'date_order = "month first"' in said and str(root / "hotspots.toml") in said
    assert 'change its date_order to "day first" in hotspots.toml' in said
    assert "as a source of their own (--source)" in said
    assert _read(root, "ASB log") == ["2024-01-05 10:00", "2024-01-20 22:30"]  # nothing added
    # the same order given again is no contradiction
    assert main(["add", str(root), str(february), "--source", "ASB log", "--month-first"]) == 0
    assert _read(root, "ASB log")[2:] == ["2024-03-02 09:15", "2024-11-02 18:00"]


def test_a_file_whose_dates_contradict_the_sources_order_is_refused_naming_it(tmp_path):
    # a day-first source's file written month first: its one telling date turned the whole
    # file month first before, with no word of it
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_log(tmp_path / "asb_jan.csv", ["13/01/2024 10:00"])], source="ASB log",
        columns=LOG_MAP)  # fmt: skip
    us = _log(
        tmp_path / "asb_feb.csv", ["02/03/2024 09:15", "02/04/2024 12:00", "02/14/2024 18:00"]
    )
    with pytest.raises(IngestError) as refused:
        add(root, [us], source="ASB log")
    said = str(refused.value)
    assert "asb_feb.csv: the dates in Reported are not day first" in said
    assert "1 read only month first (such as '02/14/2024 18:00'), 0 only day first" in said
    assert "The source 'ASB log' reads its dates day first, as saved in" in said
    assert 'change its date_order to "month first"' in said
    assert _read(root, "ASB log") == ["2024-01-13 10:00"]


def test_a_source_added_before_its_date_order_was_saved_saves_the_order_of_its_next_add(
    tmp_path,
):
    root = tmp_path / "ws"
    source = {"name": "ASB log", "kind": "log", "columns": LOG_MAP}  # as saved before
    init(root, area=LEEDS, sources=[{"name": "police.uk", "kind": "policeuk"}, source])
    assert "date_order" not in read_workspace(root).source("ASB log")
    march = _log(tmp_path / "asb_mar.csv", ["03/02/2024 09:15", "03/20/2024 18:00"])
    report = add(root, [march], source="ASB log", dayfirst=False)
    april = _log(tmp_path / "asb_apr.csv", ["04/01/2024 08:00", "04/07/2024 20:00"])
    add(root, [april], source="ASB log")
    assert _read(root, "ASB log")[2:] == ["2024-04-01 08:00", "2024-04-07 20:00"]
    assert read_workspace(root).source("ASB log")["date_order"] == "month first"
    assert "read month first (US: 01/02/2024 is 2 January), saved for its" in report.summary()
    assert read_workspace(root).source("ASB log")["columns"] == LOG_MAP  # kept as it was


def test_files_a_source_lists_are_read_in_its_saved_date_order(tmp_path):
    # hotspots.toml's [[sources]] files are read again on every open: day first, whatever
    # the source's order
    log = _log(tmp_path / "asb.csv", ["01/05/2024 10:00", "02/03/2024 22:30"])
    root = tmp_path / "ws"
    source = {"name": "ASB log", "kind": "log", "files": [str(log)], "columns": LOG_MAP,
              "date_order": "month first"}  # fmt: skip
    init(root, area=LEEDS, sources=[source])
    assert _read(root, "ASB log") == ["2024-01-05 10:00", "2024-02-03 22:30"]


def test_a_log_added_without_a_source_name_reuses_its_settings_by_file_name(tmp_path):
    # a source named after its file (no --source): the next file of that name was read with
    # the column map guessed and the dates day first, the saved ones unused
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_log(tmp_path / "asb.csv", ["01/05/2024 10:00"])], columns=LOG_MAP, dayfirst=False)
    (tmp_path / "feb").mkdir()
    add(root, [_log(tmp_path / "feb" / "asb.csv", ["02/03/2024 09:15", "02/04/2024 12:00"])])
    assert _read(root, "asb") == ["2024-01-05 10:00", "2024-02-03 09:15", "2024-02-04 12:00"]


def test_a_police_uk_file_holding_under_half_a_stored_month_is_refused(tmp_path, capsys):
    """A download cut short (40 of a month's 100 incidents) would replace the whole month:
    refused, nothing written, saying how to add it if it is right."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(tmp_path, "2018-04", "west-yorkshire", 100)])
    cut = tmp_path / "cut"
    cut.mkdir()
    short = _street_csv(cut, "2018-04", "west-yorkshire", 40)
    with pytest.raises(ValueError, match=r"2018-04 \(West Yorkshire\): 100 stored, 40 in the file"):
        add(root, [short])
    assert len(open_workspace(root).incidents) == 100
    assert main(["add", str(root), str(short)]) != 0
    assert "--replace-smaller" in capsys.readouterr().err
    assert len(open_workspace(root).incidents) == 100
    assert main(["add", str(root), str(short), "--replace-smaller"]) == 0
    assert "replaced police.uk 2018-04 (West Yorkshire): a newer file (100 → 40" in (
        capsys.readouterr().out
    )
    assert len(open_workspace(root).incidents) == 40


def test_an_add_that_keeps_no_row_writes_nothing_and_fails(tmp_path, capsys):
    """A police.uk file whose every Month is written 2024/10: nothing kept, so nothing saved
    (it was filed as a council log named after the file, its date order saved) and the command
    fails, so that a monthly script does not go on as if the month were added."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    settings = (root / "hotspots.toml").read_bytes()
    files = tmp_path / "files"
    files.mkdir()
    good = _street_csv(files, "2018-04", "west-yorkshire", 50)
    bad = files / "2018-04-west-yorkshire-street-slashes.csv"  # not named as police.uk's
    bad.write_text(good.read_text().replace(",2018-04,", ",2018/04,"))
    assert main(["add", str(root), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "nothing added: none of the" in out and "unparseable_date" in out
    assert "dates of" not in out  # read as police.uk's (its header): months, no date order
    assert (root / "hotspots.toml").read_bytes() == settings
    assert main(["add", str(root), str(good)]) == 0


def test_a_reopened_workspace_reports_its_files_area_and_unmapped_types(tmp_path):
    """After a reload the Data page's report said 'files read 0', 'unmapped crime types none'
    and 'study area none (no clipping)' for a workspace clipped to its district."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    path = _street_csv(tmp_path, "2018-04", "west-yorkshire", 20)
    lines = path.read_text().splitlines()
    odd = [line.replace(",Burglary,", ",Scrap metal offences,") for line in lines[1:6]]
    path.write_text("\n".join([*lines, *(o.replace("-2018-04-", "-x-") for o in odd)]) + "\n")
    added = add(root, [path]).load
    assert added is not None and added.report.unmapped_crime_types == {"Scrap metal offences": 5}
    report = open_workspace(root).load.report
    assert report.files_read == [path.name]
    assert report.study_area is not None and LEEDS in report.study_area
    assert report.unmapped_crime_types == {"Scrap metal offences": 5}
    assert report.months == ["2018-04"] and report.rows_kept == 25
    assert any("outside the workspace's area were counted when" in n for n in report.notes)


def test_a_police_uk_file_given_a_council_logs_source_is_refused(tmp_path, capsys):
    """``add WS <street file> <log> --source "Leeds ASB log"`` filed police.uk's rows as the
    log's, saying nothing: refused, the reason and the fix said, nothing written."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    settings = (root / "hotspots.toml").read_bytes()
    street = _street_csv(tmp_path, "2018-04", "west-yorkshire", 5)
    renamed = tmp_path / "april.csv"  # known by its header, whatever its name
    renamed.write_bytes(street.read_bytes())
    log = _log(tmp_path / "asb.csv", ["01/04/2018 10:00"])
    for files in ([street, log], [renamed]):
        with pytest.raises(ValueError, match=r"a police\.uk street-level crime file") as err:
            add(root, files, source="Leeds ASB log", columns=LOG_MAP)
        assert "without --source" in str(err.value) and Path(files[0]).name in str(err.value)
    assert not (root / "data" / "manifest.json").exists()
    assert (root / "hotspots.toml").read_bytes() == settings
    assert main(["add", str(root), str(street), "--source", "Leeds ASB log"]) == 1
    assert "police.uk street-level crime file" in capsys.readouterr().err
    assert add(root, [street], source="police.uk").added  # police.uk's own name: filed as it is


def test_a_month_far_smaller_than_its_neighbours_is_said(tmp_path, capsys):
    """A month cut short (a stray quote, a download stopped) added beside whole ones: the add
    report warns, on the command line and on the Data page (which shows its summary)."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    for month in ("2018-01", "2018-02", "2018-03"):
        add(root, [_street_csv(tmp_path, month, "west-yorkshire", 40)])
    assert main(["add", str(root), str(_street_csv(tmp_path, "2018-04", "west-yorkshire", 7))]) == 0
    out = capsys.readouterr().out
    assert (
        "warning: police.uk 2018-04 (West Yorkshire) holds 7 incidents, under 25% of the 40 "
        "its other months hold (the median)"
    ) in out
    report = add(root, [_street_csv(tmp_path, "2018-05", "west-yorkshire", 30)])
    assert "warning" not in report.summary()
