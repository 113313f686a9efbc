"""A canonical incidents file (what `hotspots ingest` writes) loads back as it was."""

import numpy as np

from hotspots.data import datasets
from hotspots.data.ingest import load
from hotspots.data.schema import COLUMNS
from hotspots.views.cli import main


def test_geoparquet_round_trip_keeps_every_field(dacorum_load, tmp_path):
    original = dacorum_load.incidents.reset_index(drop=True)
    original.to_parquet(tmp_path / "inc.parquet")
    back = load(tmp_path / "inc.parquet")
    assert back.report.rows_read == back.report.rows_kept == len(original)
    got = back.incidents.reset_index(drop=True)
    assert got.attrs["working_crs"] == original.attrs["working_crs"]
    for column in COLUMNS[:-1]:
        if column in ("x", "y"):  # recomputed from the lon/lat geometry: within a centimetre
            np.testing.assert_allclose(got[column], original[column], atol=0.01)
        elif column != "ward_code":
            assert got[column].astype(str).equals(original[column].astype(str)), column


def test_canonical_rows_with_a_bad_location_are_quarantined(dacorum_load, tmp_path):
    broken = dacorum_load.incidents.head(5).copy()
    broken.loc[broken.index[0], "geometry"] = None
    broken.to_parquet(tmp_path / "broken.parquet")
    back = load(tmp_path / "broken.parquet")
    assert back.report.rows_kept == 4
    assert back.quarantine["reason"].tolist() == ["no_location"]


def test_ingest_then_analyse_from_the_command_line(tmp_path):
    parquet = tmp_path / "dacorum.parquet"
    zip_path = str(datasets.demo_path("policeuk"))
    assert main(["ingest", zip_path, "--out", str(parquet)]) == 0
    out = tmp_path / "analysis"
    assert main(["analyse", str(parquet), "--study-area", "E07000096", "--out", str(out)]) == 0
    assert (out / "cells.geojson").exists() and (out / "params.json").exists()
