"""space.places._main_streets counted on integer codes equals the pandas groupby it replaced
(kept here as the reference), on Hertfordshire's police.uk year: cells, clusters, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.space.grid import assign_cells
from hotspots.space.places import POLICEUK_LANDMARKS, _main_streets, place_text


def _reference(place: pd.Series, locality: np.ndarray) -> pd.DataFrame:
    """The groupby implementation (session 5), unchanged."""
    frame = pd.DataFrame({"locality": locality, "place": place.to_numpy(object)}).dropna()
    counts = frame.groupby(["locality", "place"]).size().rename("n").reset_index()
    counts["landmark"] = counts["place"].str.lower().isin(POLICEUK_LANDMARKS).to_numpy(bool)
    counts = counts.sort_values(["locality", "n", "place"], ascending=[True, False, True])
    streets = counts[~counts["landmark"]].drop_duplicates("locality").set_index("locality")
    marks = counts[counts["landmark"]].drop_duplicates("locality").set_index("locality")
    index = pd.Index(pd.unique(frame["locality"]), name="locality").sort_values()
    out = pd.DataFrame(index=index)
    out["street"] = streets["place"].reindex(index)
    outnumbers = marks["n"].reindex(index).fillna(0) > streets["n"].reindex(index).fillna(0)
    out["landmark"] = marks["place"].reindex(index).where(outnumbers)
    return out.astype("string")


@pytest.fixture(scope="module")
def herts():
    return read_policeuk(datasets.herts_policeuk_zip()).incidents


def _cases(incidents):
    points = incidents.geometry.to_numpy()
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    located = np.isfinite(lon) & np.isfinite(lat)
    cells = np.full(len(incidents), None, dtype=object)
    cells[located] = assign_cells(lon[located], lat[located], 9)
    rng = np.random.default_rng(7)
    yield "cells", cells
    coarse = cells.copy()
    coarse[located] = assign_cells(lon[located], lat[located], 7)
    yield "coarse cells (many places each)", coarse
    yield "cluster labels", rng.integers(0, 300, len(incidents))
    yield "few localities (ties)", rng.integers(0, 5, len(incidents)).astype(float)


def test_main_streets_by_codes_equal_the_groupby(herts) -> None:
    places = place_text(herts)
    some = np.random.default_rng(3).random(len(herts)) < 0.3
    for label, locality in _cases(herts):
        for keep in (np.ones(len(herts), dtype=bool), some):
            got = _main_streets(places[keep], locality[keep])
            want = _reference(places[keep], locality[keep])
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=label)
    # every landmark and street case occurs: a landmark kept and one dropped
    got = _main_streets(places, _cases(herts).__next__()[1])
    assert got["landmark"].notna().any() and got["street"].notna().any()
    assert (got["street"].isna() & got["landmark"].notna()).any()


def test_main_streets_of_nothing() -> None:
    for place, locality in (
        (pd.Series([], dtype="string"), np.array([], dtype=object)),
        (pd.Series([pd.NA, pd.NA], dtype="string"), np.array(["a", "b"], dtype=object)),
        (pd.Series(["Marlowes", "Parking Area"], dtype="string"), np.array([None, 2.0])),
    ):
        pd.testing.assert_frame_equal(
            _main_streets(place, locality), _reference(place, locality), check_exact=True
        )


def test_rules_by_distinct_value_equal_the_rules_per_row(herts) -> None:
    """places.by_value: a rule worked out once per distinct value equals it row by row, missing
    values, other sources and landmarks included."""
    from hotspots.core.disclosure import is_exact_source
    from hotspots.space.places import _is_landmark, by_value

    places = place_text(herts)
    blanks = places.copy()
    blanks.iloc[::13] = pd.NA
    for values in (places, blanks):
        assert np.array_equal(by_value(values, _is_landmark), _is_landmark(values))
    assert _is_landmark(places).any()
    source = herts["source"].astype(object).copy()
    source.iloc[::5] = "council CAD log"
    source.iloc[::7] = None
    source.iloc[::11] = " Police.UK "
    for values in (herts["source"], source, source.astype("string")):
        assert np.array_equal(by_value(values, is_exact_source), is_exact_source(values))
    assert by_value(source, is_exact_source).any() and not by_value(source, is_exact_source).all()


def test_place_text_by_distinct_location_equals_it_row_by_row(herts) -> None:
    from hotspots.space.places import _place, _place_each

    locations = herts["location"].iloc[::3]
    mixed = locations.astype(object).copy()
    mixed.iloc[::7] = None
    mixed.iloc[::9] = "  On or near  "
    mixed.iloc[::17] = ""
    for values in (locations, mixed, mixed.astype("string"), locations.iloc[:1]):
        pd.testing.assert_series_equal(_place(values), _place_each(values), check_exact=True)
    assert _place(mixed).isna().any()
