"""A selection of fewer incidents than clusters need (1–9): counts, Gi* and the forecast as
usual, the clusters skipped with a plain note (API, command line, Map page), also when a
given ``--min-samples`` is larger than the data (saying so).

A Leeds workspace (outside Hertfordshire) of 8 burglaries over two months.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import leeds_street_csv
from streamlit.testing.v1 import AppTest

from hotspots.analysis.analyse import analyse
from hotspots.data.workspace import add, init, open_workspace
from hotspots.products.captions import map_caption
from hotspots.views.cli import main

LEEDS = "E08000035"
TOO_FEW = "too few incidents to find clusters: at least 10 are needed"


@pytest.fixture(scope="module")
def few(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A Leeds workspace of 8 incidents (4 a month) and its files."""
    base = tmp_path_factory.mktemp("too_few")
    files = base / "files"
    files.mkdir()
    paths = [leeds_street_csv(files, m, 4, seed=i) for i, m in enumerate(["2024-09", "2024-10"])]
    root = base / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, paths)
    return root, paths


def test_the_api_skips_the_clusters_and_keeps_counts_gistar_and_forecast(
    few: tuple[Path, list[str]],
) -> None:
    data = open_workspace(few[0])
    assert len(data.incidents) == 8
    result = analyse(data.incidents, study_area=LEEDS, coverage=data.coverage)
    assert int(result.cells["count"].sum()) == 8
    assert "gi_bin" in result.cells and result.forecast is not None
    clusters = result.params["clusters"]
    assert clusters["skipped"] == TOO_FEW and clusters["n_clusters"] == 0
    assert (result.clusters.labels == -1).all() and len(result.profiles) == 0
    plain, technical = map_caption(result.params, n_hot_cells=0, clustered_share=0.0)
    assert f"Clusters: none, {TOO_FEW}." in plain and TOO_FEW in technical


def test_the_command_says_why_there_are_no_clusters(
    few: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "an"
    assert main(["analyse", *few[1], "--study-area", "Leeds", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"no clusters of nearby incidents ({TOO_FEW})" in printed
    params = json.loads((out / "params.json").read_text())
    assert params["clusters"]["skipped"] == TOO_FEW
    assert (out / "cells.geojson").is_file() and (out / "hot_spots.csv").is_file()
    assert pd.read_csv(out / "ward_rates.csv")["count"].sum() == 8
    patrol = ["patrol-plan", *few[1], "--study-area", "Leeds", "--method", "dbscan"]
    assert main([*patrol, "--out", str(tmp_path / "patrol")]) == 0  # no locality, no error


def test_a_given_min_samples_larger_than_the_data_skips_clusters_saying_so(
    few: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["analyse", *few[1], "--study-area", "Leeds", "--min-samples", "20"]
    assert main([*args, "--out", str(tmp_path / "an")]) == 0
    said = "8 incidents, fewer than the min_samples given (20)"
    assert f"no clusters of nearby incidents ({said})" in capsys.readouterr().out


def _map_page() -> None:
    from hotspots.views.dashboard.page_map import render

    render()


def test_the_map_page_draws_and_says_why_there_are_no_clusters(
    few: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(few[0]))
    monkeypatch.setenv("HOTSPOTS_DB", str(tmp_path / "map.sqlite"))
    at = AppTest.from_function(_map_page, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents"] == "8" and metrics["Clusters"] == "0"
    assert not at.warning, [w.value for w in at.warning]
    words = " ".join(c.value for c in at.caption)
    assert f"Clusters: none, {TOO_FEW}." in words
