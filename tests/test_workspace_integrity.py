"""A workspace stays whole: an ``add`` that fails changes nothing, a part's file name fits any
file system, one shared Crime ID replaces no force's month, and one force is one key.

Small police.uk street CSVs written here, their points at Leeds wards' representative points
(national boundary pack).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from hotspots.data import boundaries
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init, open_workspace

LEEDS = "E08000035"


def _street_csv(path: Path, n: int, *, ids: list[str] | None = None, prefix: str = "wy") -> Path:
    """A police.uk street CSV of April 2018 at ``path``: ``n`` burglaries, Crime IDs
    ``prefix-i`` (``ids`` first, when given)."""
    wards = boundaries.district(LEEDS).wards.representative_point()
    points = wards.iloc[[i % len(wards) for i in range(n)]]
    crime_ids = [*(ids or []), *(f"{prefix}-{i}" for i in range(n))][:n]
    rows = [
        {"Crime ID": crime_id, "Month": "2018-04", "Reported by": "West Yorkshire Police",
         "Falls within": "West Yorkshire Police", "Longitude": f"{p.x:.6f}",
         "Latitude": f"{p.y:.6f}", "Location": "On or near Test Street", "LSOA code": "",
         "LSOA name": "", "Crime type": "Burglary", "Last outcome category": "", "Context": ""}
        for crime_id, p in zip(crime_ids, points, strict=True)
    ]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return path


def _workspace(tmp_path: Path, rows: int = 100) -> Path:
    """A Leeds workspace holding West Yorkshire's April 2018: ``rows`` incidents."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(tmp_path / "wy" / "2018-04-west-yorkshire-street.csv", rows)])
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the workspace's ``data/`` folder and its bytes (but the dashboard's
    store, ``hotspots.sqlite``: no part of what ``add`` writes)."""
    data = root / "data"
    files = (p for p in data.rglob("*") if p.is_file() and "sqlite" not in p.name)
    return {str(p.relative_to(data)): p.read_bytes() for p in files}


def _parts(root: Path) -> dict:
    return json.loads((root / "data" / "manifest.json").read_text())["partitions"]


def test_an_add_that_fails_changes_nothing(tmp_path):
    # a nameless copy of the stored month (it replaces that part) and a file whose part
    # cannot be written (its month's folder is a file): the add fails, nothing has changed
    root = _workspace(tmp_path)
    copy = _street_csv(tmp_path / "in" / "copy.csv", 99)
    may = _street_csv(tmp_path / "in" / "2018-05-west-yorkshire-street.csv", 3, prefix="may")
    may.write_text(may.read_text().replace("2018-04", "2018-05"))
    (root / "data" / "police-uk" / "2018-05").write_text("in the way")
    before = _snapshot(root)
    with pytest.raises(OSError, match="2018-05"):
        add(root, [copy, may])
    assert _snapshot(root) == before  # no part removed, no temporary file left
    assert len(open_workspace(root).incidents) == 100
    (root / "data" / "police-uk" / "2018-05").unlink()
    report = add(root, [copy, may])  # the same add once it can be written
    assert [r[:2] for r in report.added] == [("police.uk", "2018-05")]
    assert len(report.replaced) == 1 and len(open_workspace(root).incidents) == 99 + 3


def test_a_part_file_name_fits_any_file_system(tmp_path):
    # a force named by 120 four-byte letters, a source named by 120 more: 480 bytes each, more
    # than a file name may hold (255); the names kept are short ASCII
    root = _workspace(tmp_path)
    member = "2018-04-" + "\U0001d400" * 120 + "-street.csv"
    with zipfile.ZipFile(tmp_path / "long.zip", "w") as zf:
        zf.write(_street_csv(tmp_path / "long" / "x.csv", 3, prefix="long"), member)
    report = add(root, [tmp_path / "long.zip"])
    assert report.added and "is not the name of a police.uk force" in report.summary()
    log = tmp_path / "asb.csv"  # a council log (a police.uk file takes no other source name)
    wards = boundaries.district(LEEDS).wards.representative_point()
    log.write_text(
        "Ref,Reported,Category,Lat,Lon\n"
        + "".join(
            f"own-{i},01/04/2018 10:00,Noise,{p.y:.6f},{p.x:.6f}\n" for i, p in enumerate(wards[:2])
        )
    )
    columns = {"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category",
               "lat": "Lat", "lon": "Lon"}  # fmt: skip
    add(root, [log], source="𝐁" * 120, columns=columns)
    names = [p.name for p in (root / "data").rglob("*")]
    assert all(name.isascii() and len(name.encode()) <= 128 for name in names), names
    assert len(open_workspace(root).incidents) == 105


def test_a_missing_part_is_named_with_how_to_repair(tmp_path):
    root = _workspace(tmp_path)
    (root / "data" / "police-uk" / "2018-04" / "west-yorkshire.parquet").unlink()
    with pytest.raises(FileNotFoundError) as err:
        open_workspace(root)
    said = str(err.value)
    assert "data/police-uk/2018-04/west-yorkshire.parquet" in said
    assert "police.uk 2018-04 (West Yorkshire)" in said and "that file is missing" in said
    assert 'delete the entry "police-uk/2018-04/west-yorkshire" from manifest.json' in said


def test_one_shared_crime_id_replaces_no_month(tmp_path):
    root = _workspace(tmp_path)
    # a file naming no force, 3 incidents, one of them a stored West Yorkshire Crime ID
    stray = _street_csv(tmp_path / "in" / "x.csv", 3, ids=["wy-0"], prefix="x")
    report = add(root, [stray])
    assert not report.replaced and report.added == [("police.uk", "2018-04", "", 2)]
    said = report.summary()
    assert "x.csv holds 1 incident(s) whose incident ids (Crime IDs) are stored already, " in said
    assert "from 2018-04-west-yorkshire-street.csv (100 incidents)" in said
    assert "set aside as duplicates" in said
    assert "If x.csv is West Yorkshire's newer file, name it as police.uk does " in said
    opened = open_workspace(root)
    assert len(opened.incidents) == 102 and opened.incidents["incident_id"].is_unique
    assert opened.quarantine.query("reason == 'duplicate_id'")["Crime ID"].tolist() == ["wy-0"]
    # another force's file holding a West Yorkshire Crime ID, or all of them, deletes nothing
    north = tmp_path / "north" / "2018-04-north-yorkshire-street.csv"
    report = add(root, [_street_csv(north, 2, ids=["wy-5"], prefix="ny")])
    assert report.added == [("police.uk", "2018-04", "North Yorkshire", 1)]
    assert "check that each file is the force its name says" in report.summary()
    every = tmp_path / "every" / "2018-04-north-yorkshire-street.csv"
    report = add(root, [_street_csv(every, 101)])  # West Yorkshire's 100 and one more
    assert report.replaced == [("police.uk", "2018-04", "North Yorkshire", 1, 1)]
    assert "west-yorkshire.parquet" in {p.name for p in (root / "data").rglob("*.parquet")}
    assert len(open_workspace(root).incidents) == 103
    # a file of no force holding 95 of the 100: a newer copy, it replaces the part
    newer = _street_csv(tmp_path / "in" / "newer.csv", 95)
    report = add(root, [newer])
    assert [r[3:] for r in report.replaced] == [(100, 95)]
    assert "2018-04-west-yorkshire-street.csv: a newer copy (90% or more" in report.summary()


def test_one_force_is_one_key(tmp_path):
    # "West_Yorkshire" is West Yorkshire: the newer file replaces its part, not beside it
    root = _workspace(tmp_path, rows=4)
    underscored = tmp_path / "u" / "2018-04-West_Yorkshire-street.csv"
    report = add(root, [_street_csv(underscored, 5)])
    assert report.replaced == [("police.uk", "2018-04", "West Yorkshire", 4, 5)]
    assert list(_parts(root)) == ["police-uk/2018-04/west-yorkshire"]
    # a Cyrillic "е" is no West Yorkshire: said so, with the letter and the nearest force
    lookalike = tmp_path / "c" / "2018-04-west-yorkshir\u0435-street.csv"
    report = add(root, [_street_csv(lookalike, 2, prefix="c")])
    said = report.summary()
    assert "'west-yorkshir\u0435' is not the name of a police.uk force" in said
    assert "CYRILLIC SMALL LETTER IE" in said and "the nearest is west-yorkshire" in said
    assert all(key.isascii() for key in _parts(root))
    # a file whose rows fall within another force than its name says: said so
    herts = tmp_path / "h" / "2018-04-hertfordshire-street.csv"
    report = add(root, [_street_csv(herts, 1, prefix="h")])
    assert "named as hertfordshire's file, but its rows fall within 'West Yorkshire Police'" in (
        report.summary()
    )


def test_parts_written_before_keep_opening_and_taking_files(tmp_path):
    # a part an earlier version named as the file did ("West_Yorkshire", kept "_"): read, and
    # replaced by the newer West Yorkshire file (its old file removed)
    root = _workspace(tmp_path, rows=4)
    ((key, entry),) = _parts(root).items()
    old = root / "data" / "police-uk" / "2018-04" / "west_yorkshire.parquet"
    (root / "data" / f"{key}.parquet").rename(old)
    entry["forces"] = ["west_yorkshire"]
    manifest = {"partitions": {"police-uk/2018-04/west_yorkshire": entry}}
    (root / "data" / "manifest.json").write_text(json.dumps(manifest))
    assert len(open_workspace(root).incidents) == 4
    newer = tmp_path / "newer" / "2018-04-west-yorkshire-street.csv"
    report = add(root, [_street_csv(newer, 6)])
    assert report.replaced == [("police.uk", "2018-04", "West Yorkshire", 4, 6)]
    assert not old.exists() and list(_parts(root)) == ["police-uk/2018-04/west-yorkshire"]
    assert len(open_workspace(root).incidents) == 6


def _data_page() -> None:
    from hotspots.views.dashboard.page_data import render

    render()


def test_the_data_page_names_no_server_folder_when_an_add_fails(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    root = _workspace(tmp_path)
    may = _street_csv(tmp_path / "in" / "2018-05-west-yorkshire-street.csv", 3, prefix="may")
    may.write_text(may.read_text().replace("2018-04", "2018-05"))
    (root / "data" / "police-uk" / "2018-05").write_text("in the way")
    before = _snapshot(root)
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    page = AppTest.from_function(_data_page, default_timeout=180).run()
    page.file_uploader(key="upload_files").set_value((may.name, may.read_bytes(), "text/csv"))
    page.run().button(key="upload_add").click().run()
    assert not page.exception
    (error,) = [e.value.replace("\\", "") for e in page.error]  # Markdown escapes left out
    assert "File exists: 'ws/data/police-uk/2018-05'" in error and str(tmp_path) not in error
    assert _snapshot(root) == before
