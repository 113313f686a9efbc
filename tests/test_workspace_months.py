"""A council log's months, added file by file: a file's incidents of a month stored already
are added to it (a few recorded late, dated in the month before the file's own), and replace
it only when the file is that month's re-export (:data:`~hotspots.data.workspace.COPY_SHARE`
of its incidents: by incident id, or by the rows' values for a log without ids), in whichever
order the files come. Nothing lost, nothing doubled.

Small council ASB logs written here (CSV), their points at Leeds wards' representative points
(national boundary pack).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hotspots.data import boundaries
from hotspots.data.workspace import add, init, open_workspace
from hotspots.views.cli import main

LEEDS = "E08000035"
SOURCE = "ASB log"
LOG_MAP = {"incident_id": "Ref", "datetime": "Reported", "crime_type": "Category",
           "location": "Place", "lat": "Lat", "lon": "Lon"}  # fmt: skip
NO_IDS = {k: v for k, v in LOG_MAP.items() if k != "incident_id"}


def _rows(month: int, n: int, *, first: int = 0) -> list[dict[str, str]]:
    """``n`` incidents of ``month`` 2023 (day first), refs ``R<month>-<i>``, one a ward."""
    wards = boundaries.district(LEEDS).wards.representative_point()
    return [
        {"Ref": f"R{month}-{i}", "Reported": f"{1 + i % 28:02d}/{month:02d}/2023 {i % 24:02d}:15",
         "Category": "Noise", "Place": f"{i} Test Street",
         "Lat": f"{wards.iloc[i % len(wards)].y:.6f}", "Lon": f"{wards.iloc[i % len(wards)].x:.6f}"}
        for i in range(first, first + n)
    ]  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]], *, ids: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(rows)
    (table if ids else table.drop(columns="Ref")).to_csv(path, index=False)
    return path


LATE = {**_rows(3, 1, first=40)[0], "Ref": "LATE-1", "Reported": "30/03/2023 23:15"}
"""An incident of 30 March recorded late: in April's export."""
EARLY = {**_rows(4, 1, first=50)[0], "Ref": "R3-EARLY", "Reported": "3/4/23"}
"""A row of March's export dated 3 April (a date to check)."""


def _files(folder: Path, *, ids: bool = True) -> tuple[Path, Path]:
    """March's export (20 incidents and one dated 3 April) and April's (20 incidents and one of
    30 March, recorded late)."""
    march = _write(folder / "asb_2023-03.csv", [*_rows(3, 20), EARLY], ids=ids)
    april = _write(folder / "asb_2023-04.csv", [*_rows(4, 20), LATE], ids=ids)
    return march, april


def _workspace(tmp_path: Path, name: str = "ws") -> Path:
    root = tmp_path / name
    init(root, area=LEEDS)
    return root


def _months(root: Path) -> dict[str, int]:
    incidents = open_workspace(root).incidents
    return incidents["month"].dt.strftime("%Y-%m").value_counts().sort_index().to_dict()


@pytest.mark.parametrize("ids", [True, False], ids=["ids", "no-ids"])
def test_a_late_incident_is_added_to_its_month_whichever_file_comes_first(tmp_path, ids):
    # April's export held one incident of 30 March: added after March's, it replaced March's
    # 20 incidents with that one; added before, March's export replaced it. Either order
    # lost a month's incidents; both in one add kept them all
    march, april = _files(tmp_path / "in", ids=ids)
    columns = LOG_MAP if ids else NO_IDS
    first = _workspace(tmp_path, "march-first")
    add(first, [march], source=SOURCE, columns=columns)
    late = add(first, [april], source=SOURCE)
    said = late.summary()
    assert "added 1 late incident to ASB log 2023-03 (20 → 21)" in said
    assert "dated before the file's own month (2023-04)" in said
    assert "added 20 incidents to ASB log 2023-04 (1 → 21)" in said
    assert not late.replaced and "replaced" not in said

    second = _workspace(tmp_path, "april-first")
    early = add(second, [april], source=SOURCE, columns=columns)
    assert "added ASB log 2023-03: 1 late incident, dated before" in early.summary()
    report = add(second, [march], source=SOURCE)
    assert "added 20 incidents to ASB log 2023-03 (1 → 21)" in report.summary()
    assert "added 1 incident to ASB log 2023-04 (20 → 21), dated after the file's own month " in (
        report.summary()
    )

    together = _workspace(tmp_path, "together")
    add(together, [march, april], source=SOURCE, columns=columns)
    assert _months(first) == _months(second) == _months(together) == {"2023-03": 21, "2023-04": 21}
    again = add(first, [march, april], source=SOURCE)  # the same files again: nothing doubled
    assert not again.added and not again.added_to and not again.replaced
    resaved = tmp_path / "resaved" / april.name  # April's again, other bytes: its re-export
    resaved.parent.mkdir()
    resaved.write_bytes(april.read_bytes().replace(b"\n", b"\r\n"))
    report = add(first, [resaved], source=SOURCE)
    assert not report.added and not report.added_to
    assert _months(first) == {"2023-03": 21, "2023-04": 21}


def test_the_add_command_says_the_late_incident_added_in_words(tmp_path, capsys):
    march, april = _files(tmp_path / "in")
    root = _workspace(tmp_path)
    columns = tmp_path / "map.json"
    columns.write_text(json.dumps(LOG_MAP))
    assert main(["add", str(root), str(march), "--source", SOURCE, "--columns", str(columns)]) == 0
    said = capsys.readouterr().out
    assert "added ASB log 2023-04: 1 incident, dated after the file's own month (2023-03)" in said
    assert "1 incidents" not in said
    assert main(["add", str(root), str(april), "--source", SOURCE]) == 0
    said = capsys.readouterr().out
    assert "added 1 late incident to ASB log 2023-03 (20 → 21)" in said
    assert "ASB log: Mar–Apr 2023 (2 months)" in said


@pytest.mark.parametrize("ids", [True, False], ids=["ids", "no-ids"])
def test_a_corrected_reexport_replaces_its_month_and_keeps_the_late_incident(tmp_path, ids):
    # March exported again, two incidents' types corrected and one withdrawn: the newer file
    # replaces March's export, and the incident April's file added to March stays
    march, april = _files(tmp_path / "in", ids=ids)
    root = _workspace(tmp_path)
    add(root, [march], source=SOURCE, columns=LOG_MAP if ids else NO_IDS)
    add(root, [april], source=SOURCE)
    rows = [*_rows(3, 20), EARLY]
    rows[3], rows[4] = {**rows[3], "Category": "Fly tipping"}, {**rows[4], "Category": "Drugs"}
    newer = _write(tmp_path / "again" / "asb_2023-03.csv", rows[1:], ids=ids)  # R3-0 withdrawn
    report = add(root, [newer], source=SOURCE)
    assert report.replaced[0] == (SOURCE, "2023-03", "", 20, 19)  # (and April's row of 3 April)
    said = report.summary()
    assert "a newer export of the incidents stored from asb_2023-03.csv" in said
    assert "1 incident from asb_2023-04.csv, which it does not re-export, is kept (21 → 20" in said
    assert _months(root) == {"2023-03": 20, "2023-04": 21}
    incidents = open_workspace(root).incidents
    march_rows = incidents[incidents["month"] == pd.Timestamp("2023-03-01")]
    assert sorted(march_rows["crime_type"].value_counts().items()) == [
        ("Drugs", 1), ("Fly tipping", 1), ("Noise", 18)]  # fmt: skip
    assert (march_rows["occurred_from"] == pd.Timestamp("2023-03-30 23:15")).sum() == 1


@pytest.mark.parametrize("ids", [True, False], ids=["ids", "no-ids"])
def test_an_incident_stored_already_is_set_aside_once(tmp_path, ids):
    # April's export holds again one of March's incidents (the same id; with no ids, the same
    # type, time, place and point) beside one recorded late: the one is set aside as a
    # duplicate, counted once, the other added
    march, _ = _files(tmp_path / "in", ids=ids)
    again = _rows(3, 1, first=7)[0]
    april = _write(tmp_path / "in" / "asb_april.csv", [*_rows(4, 20), LATE, again], ids=ids)
    root = _workspace(tmp_path)
    add(root, [march], source=SOURCE, columns=LOG_MAP if ids else NO_IDS)
    report = add(root, [april], source=SOURCE)
    assert "added 1 late incident to ASB log 2023-03 (20 → 21)" in report.summary()
    what = "the same incident id" if ids else "no incident id: the same type, time, place and point"
    assert (
        f"ASB log 2023-03: 1 incident of asb_april.csv is stored already ({what}), from "
        "asb_2023-03.csv: set aside as duplicate (data/quarantine), counted once; asb_april.csv "
        "is no re-export of the month, so its other 1 incident is added to it"
    ) in report.summary()
    data = open_workspace(root)
    assert _months(root) == {"2023-03": 21, "2023-04": 21}
    aside = data.quarantine[data.quarantine["reason"] == "duplicate_id"]
    assert len(aside) == 1 and aside["file"].str.contains("asb_april.csv").all()
    assert aside["detail"].str.contains(what).all()


def test_an_add_to_a_month_is_still_all_or_nothing(tmp_path):
    # March's late incident is written beside March's part, in March's folder: when it cannot
    # be (a file in its way), nothing of the add is written
    march, april = _files(tmp_path / "in")
    root = _workspace(tmp_path)
    add(root, [march], source=SOURCE, columns=LOG_MAP)
    in_the_way = root / "data" / "asb-log" / "2023-03"
    in_the_way.write_text("in the way")
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    with pytest.raises(OSError):
        add(root, [april], source=SOURCE)
    assert {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()} == before
    in_the_way.unlink()
    assert _months(root) == {"2023-03": 20, "2023-04": 1}
    add(root, [april], source=SOURCE)
    assert _months(root) == {"2023-03": 21, "2023-04": 21}


def test_a_file_holding_no_incidents_says_nothing_was_added(tmp_path):
    march, _ = _files(tmp_path / "in")
    root = _workspace(tmp_path)
    add(root, [march], source=SOURCE, columns=LOG_MAP)
    empty = tmp_path / "in" / "asb_2023-05.csv"
    empty.write_text("Ref,Reported,Category,Place,Lat,Lon\n")
    said = add(root, [empty], source=SOURCE).summary()
    assert "nothing added: the file holds no incidents" in said
    assert 'a month whose file holds none stays "no data"' in said
    assert _months(root) == {"2023-03": 20, "2023-04": 1}


def test_a_log_without_ids_stored_before_its_own_months_were_recorded(tmp_path):
    # parts of a log without ids stored before: March's own month and its row of 3 April,
    # told apart by the months stored from the same file; April's export adds to both
    march, april = _files(tmp_path / "in", ids=False)
    root = _workspace(tmp_path)
    add(root, [march], source=SOURCE, columns=NO_IDS)
    path = root / "data" / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["partitions"].values():
        del entry["own_month"]  # as written before
    path.write_text(json.dumps(manifest))
    report = add(root, [april], source=SOURCE)
    assert "added 20 incidents to ASB log 2023-04 (1 → 21)" in report.summary()
    assert _months(root) == {"2023-03": 21, "2023-04": 21}
    newer = _write(tmp_path / "again" / "asb_2023-04.csv", [*_rows(4, 19), LATE], ids=False)
    assert add(root, [newer], source=SOURCE).replaced == [(SOURCE, "2023-04", "", 20, 19)]
    assert _months(root) == {"2023-03": 21, "2023-04": 20}


def test_a_small_file_of_a_month_without_ids_is_added_not_a_reexport(tmp_path):
    """A log without ids: a 3-row file of March (its own month) added after March's export of
    20 is no re-export (it holds none of March's rows as they were): added beside it, not
    replacing 20 with 3."""
    root = _workspace(tmp_path)
    march, _ = _files(tmp_path / "files", ids=False)
    add(root, [march], source=SOURCE, columns=NO_IDS)
    small = _write(tmp_path / "files" / "three.csv", _rows(3, 3, first=60), ids=False)
    report = add(root, [small], source=SOURCE, columns=NO_IDS)
    assert not report.replaced
    assert _months(root)["2023-03"] == 20 + 3


def test_a_sensitive_incident_set_aside_as_stored_already_keeps_no_values(tmp_path):
    """April's export repeating a domestic abuse incident stored from March's: the row set
    aside as a duplicate keeps its file and reason, never its type or address."""
    root = _workspace(tmp_path)
    victim = {**_rows(3, 1, first=70)[0], "Ref": "DA-1", "Category": "Domestic abuse",
              "Place": "14 Acacia Avenue LS6 2AB"}  # fmt: skip
    march = _write(tmp_path / "m.csv", [*_rows(3, 20), victim])
    april = _write(tmp_path / "a.csv", [*_rows(4, 20), victim])
    add(root, [march], source=SOURCE, columns=LOG_MAP)
    add(root, [april], source=SOURCE, columns=LOG_MAP)
    q = open_workspace(root).quarantine
    assert "duplicate_id" in set(q["reason"].astype(str))
    text = q.to_csv(index=False)
    assert "Acacia" not in text and "Domestic abuse" not in text


def test_two_adds_at_once_both_land(tmp_path):
    """Two processes adding to one workspace at the same moment (two analysts uploading): each
    add reads the manifest and writes it back, so one's months were lost; now an add waits for
    the other to end."""
    import subprocess
    import sys

    from hotspots.data import workspace

    root = _workspace(tmp_path)
    march, april = _files(tmp_path / "files")
    columns = ", ".join(f"{k}={v!r}" for k, v in LOG_MAP.items())
    script = (
        "import sys\nfrom hotspots.data.workspace import add\n"
        f"add(sys.argv[1], [sys.argv[2]], source={SOURCE!r}, columns=dict({columns}))\n"
    )
    add(root, [march], source=SOURCE, columns=LOG_MAP)
    with workspace._one_add_at_a_time(root):  # as an add under way holds it
        other = subprocess.Popen([sys.executable, "-c", script, str(root), str(april)])
        with pytest.raises(subprocess.TimeoutExpired):  # it waits (an add takes ~2 s here)
            other.wait(timeout=6)
    assert other.wait(timeout=120) == 0
    assert set(_months(root)) >= {"2023-03", "2023-04"}
    manifest = json.loads((root / "data" / "manifest.json").read_text())
    assert {e["month"] for e in manifest["partitions"].values()} >= {"2023-03", "2023-04"}


def test_a_file_whose_incidents_are_all_stored_already_keeps_them_set_aside(tmp_path):
    """A file holding only an incident stored already: its row is set aside as a duplicate and
    stays readable (it was written and removed in the same add)."""
    root = _workspace(tmp_path)
    march, _ = _files(tmp_path / "in")
    add(root, [march], source=SOURCE, columns=LOG_MAP)
    one = _write(tmp_path / "in" / "one.csv", [_rows(3, 1, first=7)[0]])
    add(root, [one], source=SOURCE)
    q = open_workspace(root).quarantine
    assert (q["reason"].astype(str) == "duplicate_id").sum() == 1
