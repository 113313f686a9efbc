"""Taking a wrong file's months out of a workspace (``hotspots remove``): the months go, with
their parts, folders and rows set aside; the rest is unchanged; a mistake removes nothing.

Synthetic police.uk street files for Leeds (E08000035, outside Hertfordshire): the helpers
of tests/test_workspace.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hotspots.data.workspace import add, init, open_workspace, remove
from hotspots.views.cli import main
from tests.test_workspace import LEEDS, _counts, _street_csv

MONTHS = ("2018-04", "2018-05", "2018-06")


@pytest.fixture()
def three_months(tmp_path: Path) -> tuple[Path, list[str]]:
    """A Leeds workspace of three months, each file with one row set aside (no usable date)."""
    files = tmp_path / "files"
    files.mkdir()
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    paths = []
    for i, month in enumerate(MONTHS):
        path = Path(_street_csv(files, month, _counts(i), seed=i))
        with path.open("a") as f:
            f.write(f"bad-{month},not a month,,,-1.5,53.8,On or near X,,,Burglary,,\n")
        paths.append(str(path))
        add(root, [path])  # one add per file: each its own rows set aside
    return root, paths


def _ids(root: Path) -> dict[str, set[str]]:
    incidents = open_workspace(root).incidents
    months = incidents["month"].dt.strftime("%Y-%m")
    return {m: set(incidents.loc[months == m, "incident_id"]) for m in sorted(set(months))}


def test_a_removed_month_is_gone_and_the_others_are_as_they_were(three_months, capsys):
    root, paths = three_months
    before = _ids(root)
    assert main(["remove", str(root), "police.uk", "--month", "2018-05"]) == 0
    out = capsys.readouterr().out
    assert (
        f"removed police.uk 2018-05 (West Yorkshire): {sum(_counts(1).values()):,} incidents" in out
    )
    assert "2018-05-west-yorkshire-street.csv" in out
    assert "no data for May 2018" in out  # what the workspace holds now
    after = _ids(root)
    assert after == {m: before[m] for m in ("2018-04", "2018-06")}
    data = open_workspace(root)
    assert [str(m) for m in data.coverage.gaps()] == ["2018-05"]  # no data, not zero
    assert len(data.quarantine) == 2  # the removed file's row set aside went with it
    assert not (root / "data" / "police-uk" / "2018-05").exists()  # its folder too
    # the file can be added again: it is not "already in the workspace"
    report = add(root, [paths[1]])
    assert report.added and _ids(root) == before


def test_every_month_of_a_source_can_go_and_nothing_of_it_is_left(three_months):
    root, _ = three_months
    report = remove(root, "Police.UK", None)  # the source's name as the user types it
    assert [r[1] for r in report.removed] == list(MONTHS)
    manifest = json.loads((root / "data" / "manifest.json").read_text())
    assert manifest["partitions"] == {} and manifest["set_aside"] == {}
    assert not list((root / "data").rglob("*.parquet"))
    assert not (root / "data" / "police-uk").exists()
    with pytest.raises(ValueError, match="holds no data yet: run 'hotspots add"):
        open_workspace(root)


@pytest.mark.parametrize(
    ("source", "months", "says"),
    [
        ("Council ASB log", ["2018-04"], "no source 'Council ASB log' added; it holds 'police"),
        ("police.uk", ["2018-07"], "holds no police.uk data for 2018-07: nothing removed"),
        ("police.uk", ["2018-04", "May 2018"], "'May 2018' is not a month written YYYY-MM"),
        ("police.uk", ["2018-13"], "'2018-13' is not a month written YYYY-MM"),
    ],
)
def test_a_mistake_removes_nothing_and_says_why(three_months, source, months, says):
    root, _ = three_months
    manifest = (root / "data" / "manifest.json").read_bytes()
    stored = sorted(p.relative_to(root) for p in (root / "data").rglob("*"))
    with pytest.raises(ValueError, match=re.escape(says)):
        remove(root, source, months)
    assert (root / "data" / "manifest.json").read_bytes() == manifest
    assert sorted(p.relative_to(root) for p in (root / "data").rglob("*")) == stored


def test_the_command_wants_the_months_named(three_months, capsys):
    root, _ = three_months
    with pytest.raises(SystemExit):
        main(["remove", str(root), "police.uk"])
    assert "--month" in capsys.readouterr().err
    assert main(["remove", str(root), "police.uk", "--month", "2018-09"]) == 1
    assert "holds no police.uk data for 2018-09" in capsys.readouterr().err


@pytest.fixture()
def signed_in(three_months, tmp_path, monkeypatch):
    """The three months' workspace opened by a dashboard with an analyst and an admin."""
    from hotspots import store
    from hotspots.core import access

    root, _ = three_months
    config = tmp_path / "auth.toml"
    config.write_text('[workspace]\ntitle = "Leeds"\n', encoding="utf-8")
    access.set_user(config, "ann", "analyst", "ann's long enough password")
    access.set_user(config, "ada", "admin", "ada's long enough password")
    monkeypatch.setenv(access.CONFIG_ENV, str(config))
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.setenv("HOTSPOTS_SEED_DEMO", "0")
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    return root


def _data_page(name: str, role: str):
    from streamlit.testing.v1 import AppTest

    from hotspots.core.access import User
    from hotspots.views.dashboard import login

    def script() -> None:
        from hotspots.views.dashboard.page_data import render

        render()

    page = AppTest.from_function(script, default_timeout=180)
    page.session_state[login.USER_KEY] = User(name, role)
    return page.run()


def test_an_admin_removes_a_month_on_the_data_page_and_it_is_audited(signed_in):
    from hotspots import store

    root = signed_in
    page = _data_page("ada", "admin")
    assert not page.exception
    every = sum(sum(_counts(i).values()) for i in range(3))
    assert page.metric[1].value == f"{every:,}"
    assert page.selectbox(key="remove_source").value == "police.uk"
    months = page.multiselect(key="remove_months")
    assert [months.format_func(m) for m in months.options] == ["Apr 2018", "May 2018", "Jun 2018"]
    months.set_value(["2018-05"]).run()
    go = next(b for b in page.button if b.label == "Remove from the workspace")
    assert go.disabled  # not before the tick that says it is for good
    page.checkbox(key="remove_sure").check().run()
    next(b for b in page.button if b.label == "Remove from the workspace").click().run()
    assert not page.exception
    assert any("removed police.uk 2018-05 (West Yorkshire)" in c.value for c in page.code)
    assert page.metric[1].value == f"{every - sum(_counts(1).values()):,}"
    assert [str(m) for m in open_workspace(root).coverage.months()] == ["2018-04", "2018-06"]
    log = store.audit_log(store.open_store())
    assert ("ada", "delete", "police.uk 2018-05") in set(
        log[["user", "action", "target"]].itertuples(index=False, name=None)
    )


def test_an_analyst_cannot_remove_months(signed_in):
    page = _data_page("ann", "analyst")
    assert not page.exception
    assert page.file_uploader  # the page is theirs: uploads, not removals
    assert not [s for s in page.selectbox if s.key == "remove_source"]


def test_a_source_read_from_listed_files_is_not_removed_and_says_how(tmp_path):
    from hotspots.data import datasets

    demo = tmp_path / "demo"  # the demo's settings: its sources list the demo's files
    demo.mkdir()
    toml = (datasets.data_dir() / "demo" / "workspace" / "hotspots.toml").read_text()
    (demo / "hotspots.toml").write_text(toml)
    with pytest.raises(ValueError, match=r"police\.uk is read from files hotspots\.toml lists"):
        remove(demo, "police.uk", None)


def test_a_month_removed_comes_back_with_its_file_added_again(tmp_path):
    """A zip of three months added, one removed: the zip added again brings that month back
    (it said 'unchanged': its other months still listed the zip as theirs)."""
    import zipfile

    files = tmp_path / "files"
    files.mkdir()
    archive = tmp_path / "quarter.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for i, month in enumerate(MONTHS):
            path = Path(_street_csv(files, month, _counts(i), seed=i))
            z.write(path, f"{month}/{path.name}")
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [archive])
    before = _ids(root)
    remove(root, "police.uk", ["2018-05"])
    report = add(root, [archive])
    assert [r[1] for r in report.added] == ["2018-05"] and len(report.unchanged) == 2
    assert _ids(root) == before
    assert add(root, [archive]).unchanged  # and known again from then on
