"""Wards that share a name (Somerset's two Blackdowns and two Neroches, from its older
districts South Somerset and Taunton Deane) are told apart wherever they are shown or chosen:
the ward table, place names, the dashboard's filter and its links.

A Somerset workspace (E06000066, outside Hertfordshire) with police.uk street files whose
incidents lie in the two Blackdowns, many more in Taunton Deane's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import street_csv
from streamlit.testing.v1 import AppTest

from hotspots.data import boundaries
from hotspots.data.workspace import add, init
from hotspots.views.cli import main

SOUTH = "E05006819"  # Blackdown, South Somerset
TAUNTON = "E05006860"  # Blackdown, Taunton Deane
SOUTH_NAME = "Blackdown (South Somerset)"
TAUNTON_NAME = "Blackdown (Taunton Deane)"
MONTHS = ["2024-01", "2024-02", "2024-03"]


def _points_in(code: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` lon/lat points inside the pack's ward ``code`` (its LAD in Somerset)."""
    wards, _ = boundaries.stacked_wards(["E07000189", "E07000190"])
    shape = wards.set_index("area_code").geometry[code]
    minx, miny, maxx, maxy = shape.bounds
    xy = rng.uniform((minx, miny), (maxx, maxy), size=(60 * n, 2))
    return xy[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])][:n]


def _street_csv(folder: Path, month: str, seed: int) -> str:
    """A police.uk street CSV for ``month``: 2 burglaries in South Somerset's Blackdown, 20
    on one street of Taunton Deane's."""
    rng = np.random.default_rng(seed)
    south = _points_in(SOUTH, 2, rng)
    taunton = np.repeat(_points_in(TAUNTON, 1, rng), 20, axis=0)  # one map point
    return street_csv(
        folder / f"{month}-avon-and-somerset-street.csv",
        month,
        np.concatenate([south, taunton]),
        force="Avon and Somerset Constabulary",
        location=["On or near South Lane"] * 2 + ["On or near Hill Street"] * 20,
    )


@pytest.fixture(scope="module")
def somerset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("somerset")
    files = base / "files"
    files.mkdir()
    paths = [_street_csv(files, m, seed=i) for i, m in enumerate(MONTHS)]
    root = base / "ws"
    init(root, area="Somerset", title="Somerset CSP")
    add(root, paths)
    return root


def test_wards_of_one_name_are_shown_with_their_older_district() -> None:
    from hotspots.space.areas import area_wards, wards_named

    wards, population = area_wards("Somerset")
    shown = dict(zip(wards["area_code"], wards["area_name"], strict=True))
    assert wards["area_name"].is_unique and population["area_name"].is_unique
    assert shown[SOUTH] == SOUTH_NAME and shown[TAUNTON] == TAUNTON_NAME
    assert shown["E05006842"] == "Neroche (South Somerset)"
    assert shown["E05006865"] == "Neroche (Taunton Deane)"
    assert sum(name.endswith(")") for name in shown.values()) == 4  # the others as they were
    assert wards_named(shown, "Blackdown") == [SOUTH, TAUNTON]  # an older link: unclear
    assert wards_named(shown, TAUNTON_NAME) == [TAUNTON]


def test_the_ward_table_and_place_names_tell_them_apart(
    somerset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "wards.csv"
    assert main(["wards", str(somerset), "--csv", str(csv)]) == 0
    counts = pd.read_csv(csv).set_index("area_code")
    assert counts.at[SOUTH, "area_name"] == SOUTH_NAME and counts.at[SOUTH, "count"] == 2
    assert counts.at[TAUNTON, "area_name"] == TAUNTON_NAME and counts.at[TAUNTON, "count"] == 20
    printed = capsys.readouterr().out
    assert SOUTH_NAME in printed and TAUNTON_NAME in printed

    out = tmp_path / "an"
    assert main(["analyse", str(somerset), "--out", str(out)]) == 0
    places = pd.read_csv(out / "hot_spots.csv")["place"]
    assert f"Hill Street, {TAUNTON_NAME}" in places.tolist()
    assert not places.str.endswith(", Blackdown").any()


def _areas_page() -> None:
    from hotspots.views.dashboard import page_areas

    page_areas.render()


def _link(wards: str) -> AppTest:
    at = AppTest.from_function(_areas_page, default_timeout=300)
    at.query_params["wards"] = wards
    return at.run()


def test_a_link_opens_the_same_ward_or_says_it_cannot_tell_which(
    somerset: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(somerset))
    monkeypatch.setenv("HOTSPOTS_DB", str(tmp_path / "store.sqlite"))
    by_code = _link(SOUTH)  # a link with the code: that ward, written back by its shown name
    assert not by_code.exception, [e.value for e in by_code.exception]
    assert by_code.sidebar.multiselect(key="f_wards").value == [SOUTH]
    assert by_code.query_params["wards"] in (SOUTH_NAME, [SOUTH_NAME])
    again = _link(SOUTH_NAME)  # the link it made opens the same ward, not the other Blackdown
    assert again.sidebar.multiselect(key="f_wards").value == [SOUTH]
    options = again.sidebar.multiselect(key="f_wards").options
    assert SOUTH_NAME in options and TAUNTON_NAME in options
    older = _link("Blackdown")  # a link made before names were unique: which, it cannot tell
    assert older.sidebar.multiselect(key="f_wards").value == []
    (warning,) = [w.value for w in older.sidebar.warning]
    assert "Blackdown" in warning and "South Somerset" in warning and "Taunton Deane" in warning


def test_own_wards_of_one_name_are_told_apart_by_their_codes() -> None:
    import geopandas as gpd

    from hotspots.space.areas import read_boundaries

    own = gpd.GeoDataFrame(
        {"WD23CD": ["E05000001", "E05000002", "E05000003"], "WD23NM": ["Abbey", "Abbey", "Mill"]},
        geometry=[shapely.box(-1.5 + i / 100, 53.8, -1.49 + i / 100, 53.81) for i in range(3)],
        crs=4326,
    )
    names = read_boundaries(own)["area_name"].tolist()
    assert names == ["Abbey (E05000001)", "Abbey (E05000002)", "Mill"]
