"""A file given twice is read once; two different files of one police.uk force and month are
refused. Rows without a Crime ID (police.uk's anti-social behaviour) counted twice otherwise:
a South Wales month added with its browser copy ``(1)`` gave 610 incidents, not 489 (the
rows with a Crime ID were set aside as repeats, the others kept twice)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from hotspots.data.ingest import IngestError, load, read_policeuk
from hotspots.data.workspace import add, init, open_workspace
from tests.test_workspace import LEEDS, _counts, _street_csv


def _with_blank_ids(path: Path) -> Path:
    """The file with every other row's Crime ID blanked (as police.uk's ASB rows are)."""
    lines = path.read_text().splitlines()
    out = [lines[0]] + [line if i % 2 else "," + line.split(",", 1)[1] for i, line in
                        enumerate(lines[1:])]  # fmt: skip
    path.write_text("\n".join(out) + "\n")
    return path


@pytest.fixture()
def month_file(tmp_path: Path) -> Path:
    """Leeds' April 2018 (synthetic police.uk), half its rows without a Crime ID."""
    folder = tmp_path / "files"
    folder.mkdir()
    return _with_blank_ids(Path(_street_csv(folder, "2018-04", _counts(0), seed=0)))


def test_a_browser_copy_is_read_once_and_said(month_file):
    copy = month_file.with_name("2018-04-west-yorkshire-street (1).csv")
    shutil.copy(month_file, copy)
    once = load([month_file])
    both = load([month_file, copy])
    assert len(both.incidents) == len(once.incidents) == sum(_counts(0).values())
    assert both.report.rows_read == once.report.rows_read  # not read at all
    assert "the same bytes as" in both.report.files_skipped[str(copy)]
    assert len(read_policeuk([copy, month_file]).incidents) == len(once.incidents)


def test_a_zip_and_its_file_extracted_beside_it_are_read_once(month_file, tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(month_file, f"2018-04/{month_file.name}")
    result = load([archive, month_file])
    assert len(result.incidents) == sum(_counts(0).values())


def test_two_different_files_of_one_force_and_month_are_refused(month_file):
    other = month_file.with_name("2018-04-west-yorkshire-street (2).csv")
    lines = month_file.read_text().splitlines()
    other.write_text("\n".join(lines[:-1]) + "\n")  # an older download: one row fewer
    with pytest.raises(IngestError, match=r"two versions of one force.s street crime of one month"):
        load([month_file, other])


def test_a_workspace_add_of_a_month_and_its_copy_adds_the_month_once(month_file, tmp_path):
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    copy = month_file.with_name("2018-04-west-yorkshire-street (1).csv")
    shutil.copy(month_file, copy)
    report = add(root, [month_file, copy])
    assert report.added[0][3] == sum(_counts(0).values())
    assert len(open_workspace(root).incidents) == sum(_counts(0).values())
    assert not add(root, [copy]).added  # the copy is known: nothing changes


def test_a_file_named_as_another_month_is_known_by_its_rows(month_file):
    """A file named 2018-05 holding April's rows (a renamed download) beside April's own: the
    same month twice, refused; on its own, read as April, saying so."""
    renamed = month_file.with_name("2018-05-west-yorkshire-street.csv")
    lines = month_file.read_text().splitlines()
    renamed.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(IngestError, match=r"\(west-yorkshire-police, 2018-04: "):
        load([month_file, renamed])
    alone = load([renamed])
    assert alone.report.months == ["2018-04"]
    assert any(
        "named as 2018-05's file, but its rows are of 2018-04" in n for n in alone.report.notes
    )


def test_two_forces_of_one_month_are_read_together(month_file, tmp_path):
    other = tmp_path / "2018-04-north-yorkshire-street.csv"
    text = month_file.read_text().replace("West Yorkshire Police", "North Yorkshire Police")
    other.write_text(text.replace("2018-04-", "ny-2018-04-"))
    both = load([month_file, other])
    assert both.report.rows_read == 2 * load([month_file]).report.rows_read


def test_parts_of_one_month_sharing_no_incident_are_read_together(month_file, tmp_path):
    part = tmp_path / "2018-04-west-yorkshire-street-part2.csv"
    part.write_text(month_file.read_text().replace("2018-04-", "p2-2018-04-"))
    whole = load([month_file, part])
    assert whole.report.rows_read == 2 * load([month_file]).report.rows_read


def test_one_file_named_twice_is_read_once_not_left_out(month_file):
    """The same path given twice, or its folder and itself: both namings were left out as each
    other's copy, and the month was lost."""
    once = len(load([month_file]).incidents)
    assert len(load([month_file, month_file]).incidents) == once
    assert len(load([month_file.parent, month_file]).incidents) == once
    assert not load([month_file, month_file]).report.files_skipped
