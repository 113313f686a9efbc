"""clusters.profile's crime mix and top locations counted on integer codes equal the pandas
groupby they replaced (kept here as the reference): the demo's and Hertfordshire's clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspots.analysis.clusters import dbscan
from hotspots.analysis.clusters import profile as prof
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.space.places import naming_rows


def _mix(frame: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The groupby implementation (session 5), unchanged."""
    counts = frame.groupby("cluster")["category"].value_counts(dropna=False)
    shares = (counts / counts.groupby(level=0).transform("sum")).rename("share").reset_index()
    shares = shares.sort_values(["cluster", "share", "category"], ascending=[True, False, True])
    top = shares.groupby("cluster").head(top_n)
    text = top["category"].astype(str) + " " + (100 * top["share"]).round().astype(int).astype(str)
    first = shares.groupby("cluster").head(1).set_index("cluster")
    return pd.DataFrame(
        {
            "top_category": first["category"],
            "top_category_share": first["share"],
            "crime_mix": (text + "%").groupby(top["cluster"]).agg("; ".join),
        }
    )


def _places(frame: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The groupby implementation (session 5), of the rows that may name a place."""
    shown = frame[frame["named"] & frame["location"].notna()]
    counts = shown.groupby("cluster")["location"].value_counts().rename("n").reset_index()
    counts = counts.sort_values(["cluster", "n", "location"], ascending=[True, False, True])
    top = counts.groupby("cluster").head(top_n)
    text = top["location"].astype(str) + " (" + top["n"].astype(str) + ")"
    return text.groupby(top["cluster"]).agg("; ".join).rename("top_locations").to_frame()


def _frame(incidents, labels) -> pd.DataFrame:
    member = labels >= 0
    return pd.DataFrame(
        {
            "cluster": labels[member],
            "sensitive": incidents["sensitive"].to_numpy(bool)[member],
            "named": naming_rows(incidents)[member],
            "category": incidents["category"].to_numpy()[member],
            # the place as a place name reads it: "On or near" dropped, police.uk's "Queen'S"
            "location": incidents["location"]
            .str.replace(r"^On or near ", "", regex=True)
            .str.replace(r"'S\b", "'s", regex=True)
            .to_numpy()[member],
        }
    )


@pytest.fixture(scope="module")
def herts():
    return mappable(read_policeuk(datasets.herts_policeuk_zip()).incidents)


@pytest.mark.parametrize("eps_m,min_samples", [(100.0, 10), (150.0, 40), (60.0, 5)])
def test_mix_and_places_by_codes_equal_the_groupby(herts, eps_m, min_samples) -> None:
    part = herts.iloc[::2].copy()
    part.attrs.update(herts.attrs)
    labels = dbscan(part, eps_m=eps_m, min_samples=min_samples).labels
    frame = _frame(part, labels)
    frame.loc[frame.index[::9], "sensitive"] = True  # some places unnamed, a cluster or two
    frame["named"] = ~frame["sensitive"]  # police.uk's map points: every text but sensitive
    assert frame["cluster"].nunique() > 20
    for top_n in (1, 3, 5):
        pd.testing.assert_frame_equal(prof._mix(frame, top_n), _mix(frame, top_n), check_exact=True)
        pd.testing.assert_frame_equal(
            prof._places(frame, top_n), _places(frame, top_n), check_exact=True
        )


def test_cluster_profiles_unchanged_on_the_demo() -> None:
    """The whole table: the demo's clusters through cluster_profiles, the mix and places
    columns equal to the reference's."""
    from hotspots.demo.load import load_demo_policeuk

    incidents = mappable(load_demo_policeuk().incidents)
    labels = dbscan(incidents, eps_m=100.0, min_samples=10).labels
    profiles = prof.cluster_profiles(incidents, labels).set_index("cluster")
    frame = _frame(incidents, labels)
    want = _mix(frame, 3).join(_places(frame, 3))
    got = profiles[want.columns]
    got.index = got.index.astype(want.index.dtype)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_names=False)
    assert np.isfinite(profiles["top_category_share"]).all()


def _mode(groups: pd.Series, values: pd.Series) -> pd.Series:
    """The groupby implementation (session 5), unchanged."""
    counts = values.groupby(groups.to_numpy()).value_counts().rename("n").reset_index()
    counts.columns = ["cluster", "value", "n"]
    counts = counts.sort_values(["cluster", "n", "value"], ascending=[True, False, True])
    return counts.groupby("cluster").head(1).set_index("cluster")["value"]


def test_peak_weekday_and_hour_by_table_equal_the_groupby() -> None:
    """The demo's timed incident log: each cluster's most frequent weekday and hour."""
    from hotspots.demo.load import load_demo_log

    incidents = mappable(load_demo_log().incidents)
    when = pd.to_datetime(incidents["occurred_from"])
    rng = np.random.default_rng(5)
    for groups in (rng.integers(0, 40, len(incidents)), rng.integers(0, 400, len(incidents))):
        cluster = pd.Series(groups)
        for values in (when.dt.day_of_week, when.dt.hour):
            values = values.reset_index(drop=True)
            known = values.notna().to_numpy()
            got = prof._mode(cluster[known], values[known])
            want = _mode(cluster[known], values[known])
            pd.testing.assert_series_equal(got, want, check_exact=True)
