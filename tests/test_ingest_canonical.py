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


def test_each_row_is_classified_as_classify_classifies_it_alone():
    """The readers classify each distinct (crime type, exact source) pair once: every row's
    category, sensitive and vawg flags equal :func:`schema.classify` of that row on its own,
    blank types, mixed sources and control characters in a type included."""
    import pandas as pd

    from hotspots.core.disclosure import is_exact_source
    from hotspots.data import schema
    from hotspots.data.ingest.assemble import _classified

    types = ["Burglary", None, "Rape", "Rape", "Odd\x01", "\x00", "Burglary", None, "Stalking"]
    uk, council = "police.uk", "council"
    sources = [uk, council, uk, council, council, uk, council, uk, uk]
    crime_type = pd.Series(types, dtype="str")
    derived, unmapped, withheld = _classified(crime_type, pd.Series(sources, dtype="str"), None)
    exact = is_exact_source(sources)
    for i in range(len(types)):
        alone = schema.classify(crime_type.iloc[[i]], exact_coordinates=exact[[i]]).iloc[0]
        got = (derived["category"][i], derived["sensitive"][i], derived["vawg"][i])
        assert got == (alone["category"], alone["sensitive"], alone["vawg"]), (i, types[i])
    assert derived["sensitive"][4]  # an unknown type at an exact point: sensitive until mapped
    assert unmapped["(blank)"] == 2 and withheld == 1  # "Odd\x01", unknown at an exact point
