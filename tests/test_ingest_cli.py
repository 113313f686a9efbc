"""The ``hotspots ingest`` console script, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from hotspots.data import datasets, schema
from hotspots.views.cli import main

DATA = Path(__file__).parent / "data" / "ingest"
HOTSPOTS = Path(sys.executable).parent / "hotspots"


def _run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(HOTSPOTS), *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_ingest_writes_geoparquet_quarantine_and_report(tmp_path):
    columns = tmp_path / "map.json"
    columns.write_text(json.dumps({
        "incident_id": "CAD Number", "datetime": "Opened", "datetime_to": "Closed",
        "crime_type": "Incident Type", "lat": "Latitude", "lon": "Longitude"}))  # fmt: skip
    out = tmp_path / "out" / "cad.parquet"
    run = _run("ingest", DATA / "cad_export_window.csv", "--columns", columns, "--out", out)
    assert run.returncode == 0, run.stderr
    incidents = gpd.read_parquet(out)
    assert list(incidents.columns) == schema.COLUMNS
    assert incidents.crs.to_epsg() == 4326
    assert incidents.attrs[schema.WORKING_CRS] == "EPSG:27700"
    quarantine = pd.read_csv(tmp_path / "out" / "cad.quarantine.csv")
    report = json.loads((tmp_path / "out" / "cad.report.json").read_text())
    assert report["rows_read"] == len(incidents) + len(quarantine) == 10
    assert quarantine["reason"].value_counts().to_dict() == report["quarantined"]
    assert quarantine["line"].tolist() == [8, 9, 10]
    assert "rows kept             7" in run.stdout
    assert f"wrote {out}" in run.stdout


def test_policeuk_zip_with_study_area_in_process(tmp_path, capsys):
    out = tmp_path / "dacorum.parquet"
    code = main(["ingest", str(datasets.herts_policeuk_zip()), "--study-area", "E07000096",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    assert len(gpd.read_parquet(out)) == 13_184
    assert "study area            E07000096" in capsys.readouterr().out


def test_unusable_input_exits_1_with_the_message_and_no_traceback(tmp_path):
    run = _run("ingest", DATA / "empty.csv", "--out", tmp_path / "x.parquet")
    assert run.returncode == 1
    assert "hotspots ingest: error:" in run.stderr and "empty.csv: the file is empty" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_bad_column_map_and_usage_errors_in_process(tmp_path, capsys):
    bad_map = tmp_path / "map.json"
    bad_map.write_text("{lat: Latitude}")
    args = ["ingest", str(DATA / "cad_export_window.csv"), "--columns", str(bad_map), "--out"]
    assert main([*args, str(tmp_path / "x.parquet")]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["ingest"])
    assert info.value.code == 2
    assert "the following arguments are required" in capsys.readouterr().err
