"""hotspots.analysis.clusters.cluster_profiles on police.uk (months) and Houston (hours)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import binomtest

from hotspots.analysis.clusters import cluster_profiles, dbscan


@pytest.fixture(scope="module")
def dacorum(dacorum_load):
    incidents = dacorum_load.incidents
    result = dbscan(incidents, eps_m=150, min_samples=30)
    return incidents, result, cluster_profiles(incidents, result)


@pytest.fixture(scope="module")
def houston(houston_load):
    incidents = houston_load.incidents
    result = dbscan(incidents, eps_m=250, min_samples=40)
    return incidents, result, cluster_profiles(incidents, result.labels)


def test_counts_and_shares_add_up(dacorum):
    incidents, result, profiles = dacorum
    labels = result.labels
    clustered = labels >= 0
    assert len(profiles) == result.params.n_clusters > 10
    np.testing.assert_array_equal(profiles["cluster"], np.arange(len(profiles)))
    np.testing.assert_array_equal(profiles["n_incidents"], np.bincount(labels[clustered]))
    assert profiles["n_incidents"].sum() == clustered.sum()
    assert profiles["share"].sum() == pytest.approx(1 - result.params.noise_share)
    distinct = pd.DataFrame({"c": labels, "x": incidents["x"], "y": incidents["y"]})
    distinct = distinct[clustered].drop_duplicates().groupby("c").size()
    np.testing.assert_array_equal(profiles["n_locations"], distinct.to_numpy())


def test_outline_contains_members_and_area_is_its_area(dacorum):
    incidents, result, profiles = dacorum
    assert profiles.crs.to_epsg() == 4326
    crs = profiles.attrs["working_crs"]
    assert crs == incidents.attrs["working_crs"]
    outlines = profiles.to_crs(crs).geometry.to_numpy()
    clustered = np.flatnonzero(result.labels >= 0)
    x, y = incidents["x"].to_numpy(), incidents["y"].to_numpy()
    inside = shapely.contains_xy(outlines[result.labels[clustered]], x[clustered], y[clustered])
    assert inside.all()
    np.testing.assert_allclose(profiles["area_m2"], shapely.area(outlines), rtol=1e-6)
    assert (profiles["area_m2"] >= np.pi * 25**2 * 0.98).all()  # at least a buffered point
    density = profiles["n_incidents"] / (profiles["area_m2"] / 1e6)
    np.testing.assert_allclose(profiles["density_per_km2"], density)


def test_crime_mix_matches_a_crosstab(dacorum):
    incidents, result, profiles = dacorum
    clustered = result.labels >= 0
    table = pd.crosstab(result.labels[clustered], incidents["category"].to_numpy()[clustered])
    shares = table.div(table.sum(axis=1), axis=0)
    np.testing.assert_allclose(profiles["top_category_share"], shares.max(axis=1).to_numpy())
    for row in profiles.itertuples():
        listed = [part.rsplit(" ", 1) for part in row.crime_mix.split("; ")]
        assert listed[0][0] == row.top_category
        percents = [int(p.rstrip("%")) for _, p in listed]
        assert percents == sorted(percents, reverse=True)
        assert round(100 * shares.loc[row.cluster, listed[0][0]]) == percents[0]


def test_trend_is_an_exact_binomial_test(dacorum):
    incidents, result, profiles = dacorum
    months = incidents["month"].to_numpy()
    # Bundled police.uk: 2021-01..2022-01; latest 3 months Nov-Jan, the 3 before Aug-Oct.
    recent = months >= np.datetime64("2021-11-01")
    previous = (months >= np.datetime64("2021-08-01")) & ~recent
    for row in profiles.itertuples():
        members = result.labels == row.cluster
        assert row.recent == (members & recent).sum()
        assert row.previous == (members & previous).sum()
        n = row.recent + row.previous
        expected = binomtest(row.recent, n, 0.5).pvalue if n else 1.0
        assert row.trend_p == pytest.approx(expected, rel=1e-9)
        if expected < 0.05:
            assert row.trend == ("rising" if row.recent > row.previous else "falling")
        else:
            assert row.trend == "no clear change"
    assert set(profiles["trend"]) >= {"no clear change"}
    assert (profiles["first_month"] <= profiles["last_month"]).all()


def test_month_only_data_has_no_peak_hour(dacorum):
    _, _, profiles = dacorum
    assert profiles["peak_hour"].isna().all()
    assert profiles["peak_weekday"].isna().all()
    assert (profiles["peak_note"] == "month-only data: no weekday or hour").all()


def test_peak_hour_and_weekday_from_timed_data(houston):
    incidents, result, profiles = houston
    when = incidents["occurred_from"]
    for row in profiles.head(25).itertuples():
        members = result.labels == row.cluster
        hours = Counter(when[members].dt.hour)
        top = max(hours.values())
        assert row.peak_hour == min(h for h, n in hours.items() if n == top)
        days = Counter(when[members].dt.day_name())
        assert days[row.peak_weekday] == max(days.values())
        assert row.peak_note == f"hour from {members.sum()} timed incidents"


def test_sensitive_incidents_never_shape_outline_or_places(houston):
    incidents, result, profiles = houston
    sensitive = incidents["sensitive"].to_numpy()
    labels = result.labels
    mixed = np.unique(labels[sensitive & (labels >= 0)])
    assert mixed.size > 5  # Houston has 378 sensitive offences; many sit in clusters
    crs = incidents.attrs["working_crs"]
    outlines = profiles.set_index("cluster").to_crs(crs).geometry
    for c in mixed[:10]:
        shown = (labels == c) & ~sensitive
        hull = shapely.MultiPoint(incidents.loc[shown, ["x", "y"]].to_numpy()).convex_hull
        expected = shapely.buffer(hull, 25)  # quad_segs 8, as the profiles
        assert outlines[c].symmetric_difference(expected).area < 1e-3 * expected.area
        places = profiles.set_index("cluster").loc[c, "top_locations"]
        allowed = set(incidents.loc[shown, "location"].dropna())
        assert all(part.rsplit(" (", 1)[0] in allowed for part in places.split("; "))
    # Every count still includes them.
    assert profiles["n_incidents"].sum() == (labels >= 0).sum()


def test_cluster_of_only_sensitive_incidents_has_no_outline(houston_load):
    incidents = houston_load.incidents
    only = incidents[incidents["sensitive"]].reset_index(drop=True)
    labels = dbscan(only, eps_m=800, min_samples=5).labels
    profiles = cluster_profiles(only, labels)
    assert len(profiles) > 0
    assert profiles.geometry.isna().all()
    assert profiles["area_m2"].isna().all()
    assert profiles["top_locations"].isna().all()
    assert (profiles["outline"] == "withheld: only sensitive incidents").all()
    assert profiles["n_incidents"].sum() == (labels >= 0).sum()


def test_all_noise_gives_no_rows(dacorum_load):
    incidents = dacorum_load.incidents
    profiles = cluster_profiles(incidents, np.full(len(incidents), -1))
    assert len(profiles) == 0
    assert "n_incidents" in profiles.columns


def test_bad_labels_are_named(dacorum_load):
    incidents = dacorum_load.incidents
    with pytest.raises(ValueError, match="one cluster label per incident"):
        cluster_profiles(incidents, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="must be integers"):
        cluster_profiles(incidents, np.zeros(len(incidents)))
    with pytest.raises(ValueError, match="not an incidents table"):
        cluster_profiles(incidents[["x", "y", "geometry"]], np.zeros(len(incidents), dtype=int))
    with pytest.raises(ValueError, match="buffer_m"):
        cluster_profiles(incidents, np.zeros(len(incidents), dtype=int), buffer_m=-1)


def test_text_columns_of_any_kind_give_the_same_profiles(dacorum):
    """Arrow text (what the readers give), plain objects and Categoricals in another order
    give the same profiles: ties among categories and places are broken alphabetically, not
    by a Categorical's own order."""
    inc, labels, profiles = dacorum
    arrow = profiles.drop(columns="geometry")
    plain = inc.copy()
    for column in ("category", "location", "time_precision"):
        plain[column] = plain[column].astype(object)
    reordered = inc.copy()
    reordered["category"] = pd.Categorical(
        reordered["category"], categories=sorted(reordered["category"].dropna().unique())[::-1]
    )
    reordered["location"] = reordered["location"].astype("category")
    for other in (plain, reordered):
        got = cluster_profiles(other, labels).drop(columns="geometry")
        pd.testing.assert_frame_equal(got.astype(str), arrow.astype(str))


def test_a_peak_needs_ten_incidents_with_a_time():
    # "Friday, around 13:00 (hour from 1 timed incidents)" was a peak from one record
    from hotspots.analysis.clusters.profile import _peaks

    when = pd.to_datetime(["2021-03-05 13:00", "2021-03-06 02:00"] + ["2021-03-07 00:00"] * 10)
    frame = pd.DataFrame({"cluster": [0] * 12, "when": when,
                          "precision": ["minute"] * 2 + ["day"] * 10})  # fmt: skip
    row = _peaks(frame).iloc[0]
    assert pd.isna(row["peak_hour"]) and row["peak_weekday"] == "Sunday"
    assert row["peak_note"] == (
        "no hour: 2 of 12 incidents have a time, fewer than 10: timing unknown"
    )
    few = _peaks(frame.iloc[:3]).iloc[0]
    assert pd.isna(few["peak_weekday"]) and few["peak_note"].startswith("no weekday or hour: 3")


def test_street_points_of_the_analysis_give_the_same_profiles(dacorum, houston):
    """The place texts and naming rows an analysis worked out once (its ``StreetPoints``)
    give the profiles worked out from the incidents alone, value for value."""
    from hotspots.space.places import StreetPoints, place_text

    for incidents, result, profiles in (dacorum, houston):
        street_points = StreetPoints(incidents, places=place_text(incidents))
        got = cluster_profiles(incidents, result, street_points=street_points)
        pd.testing.assert_frame_equal(got, profiles, check_exact=True)
