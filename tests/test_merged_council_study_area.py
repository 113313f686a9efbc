"""A council formed since 2016 from several of the pack's districts (Buckinghamshire) as the
study area of the file-based commands: the union of its former districts, as ``init`` takes it."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from hotspots.data import boundaries
from hotspots.data.ingest import resolve_study_area
from hotspots.national.generate import FORCES, generate_national
from hotspots.views.cli import main

BUCKS = ["E07000004", "E07000005", "E07000006", "E07000007"]


@pytest.fixture(scope="module")
def thames_valley(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Two months of synthetic police.uk files of Thames Valley."""
    root = tmp_path_factory.mktemp("tv")
    force = [f for f in FORCES if f.slug == "thames-valley"]
    files = generate_national(root, rows=4_000, months=["2024-01", "2024-02"], forces=force)
    return [str(f) for f in files]


def _wards_of_bucks() -> int:
    return int(boundaries.districts().set_index("lad_code").loc[BUCKS, "n_wards"].sum())


def test_the_council_by_name_or_code_is_its_former_districts_united() -> None:
    from hotspots.space.areas import area_wards

    united = boundaries.districts_outline(BUCKS)
    for given in ("Buckinghamshire", "E06000060", "buckinghamshire"):
        assert resolve_study_area(given).equals(united)
    wards, population = area_wards("E06000060")
    assert len(wards) == _wards_of_bucks()
    assert population.attrs["district"] == "Buckinghamshire (E06000060)"


def test_file_commands_take_the_council_as_init_does(
    thames_valley: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parquet = tmp_path / "bucks.parquet"
    assert main(["ingest", *thames_valley, "--study-area", "Buckinghamshire",
                 "--out", str(parquet)]) == 0  # fmt: skip
    kept = gpd.read_parquet(parquet)
    assert len(kept) > 100
    codes = boundaries.districts_at(kept.geometry.x.to_numpy(), kept.geometry.y.to_numpy())
    assert set(codes) <= set(BUCKS) | {None} and len(set(codes) & set(BUCKS)) == 4

    out = tmp_path / "analysis"
    assert main(["analyse", str(parquet), "--study-area", "E06000060", "--out", str(out)]) == 0
    rates = pd.read_csv(out / "ward_rates.csv")
    assert len(rates) == _wards_of_bucks()
    assert 0.95 * len(kept) <= rates["count"].sum() <= len(kept)
    params = json.loads((out / "params.json").read_text())
    assert "Buckinghamshire (E06000060)" in json.dumps(params)

    assert main(["forecast", str(parquet), "--study-area", "Buckinghamshire",
                 "--out", str(tmp_path / "next.csv")]) == 0  # fmt: skip
    assert main(["patrol-plan", str(parquet), "--study-area", "Buckinghamshire",
                 "--out", str(tmp_path / "patrol")]) == 0  # fmt: skip
    assert (tmp_path / "patrol" / "plan.csv").is_file()
    capsys.readouterr()
    assert main(["backtest", str(parquet), "--study-area", "E06000060",
                 "--train-months", "1"]) == 0  # fmt: skip
    assert "became one council" not in capsys.readouterr().err
