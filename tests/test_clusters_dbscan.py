"""hotspots.analysis.clusters.dbscan: labels identical to scikit-learn's DBSCAN, on real data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from hotspots.analysis.clusters import dbscan
from hotspots.analysis.clusters._points import unique_locations


def _sklearn(xy: np.ndarray, eps: float, min_samples: int, weights=None) -> DBSCAN:
    return DBSCAN(eps=eps, min_samples=min_samples).fit(xy, sample_weight=weights)


def _assert_same(ours, ref: DBSCAN) -> None:
    """Same numbering, hence same partition and same noise; same core points."""
    np.testing.assert_array_equal(ours.labels, ref.labels_)
    core = np.zeros(ref.labels_.size, dtype=bool)
    core[ref.core_sample_indices_] = True
    np.testing.assert_array_equal(ours.is_core, core)


@pytest.fixture(scope="module")
def dacorum_xy(dacorum_load) -> np.ndarray:
    return dacorum_load.incidents[["x", "y"]].to_numpy()


@pytest.fixture(scope="module")
def houston_sample(houston_load) -> np.ndarray:
    """40,000 Houston offences (block-level geocodes, UTM metres), in shuffled order."""
    xy = houston_load.incidents[["x", "y"]].to_numpy()
    rng = np.random.default_rng(2010)
    return xy[rng.choice(xy.shape[0], 40_000, replace=False)]


@pytest.mark.parametrize(("eps", "min_samples"), [(150, 10), (100, 5), (250, 40), (50, 3)])
def test_equals_sklearn_on_dacorum_policeuk(dacorum_xy, eps, min_samples):
    ref = _sklearn(dacorum_xy, eps, min_samples)
    res = dbscan(dacorum_xy, eps_m=eps, min_samples=min_samples)
    _assert_same(res, ref)
    assert res.params.n_clusters == ref.labels_.max() + 1 > 5
    assert res.params.noise_share == pytest.approx(np.mean(ref.labels_ == -1))


@pytest.mark.parametrize(("eps", "min_samples"), [(150, 10), (300, 60), (60, 4)])
def test_equals_sklearn_on_houston_sample(houston_sample, eps, min_samples):
    ref = _sklearn(houston_sample, eps, min_samples)
    res = dbscan(houston_sample, eps_m=eps, min_samples=min_samples)
    _assert_same(res, ref)
    # Border points reachable from two clusters exist here, so numbering is really tested.
    assert res.params.n_clusters > 50


def test_exact_coordinates_50k_with_many_border_points():
    """50k distinct points (a council log has exact x/y): hotspots and background."""
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 8_000, (40, 2))
    xy = np.r_[
        centres[rng.integers(0, 40, 35_000)] + rng.normal(0, 120, (35_000, 2)),
        rng.uniform(0, 8_000, (15_000, 2)),
    ]
    ref = _sklearn(xy, 60.0, 12)
    res = dbscan(xy, eps_m=60.0, min_samples=12)
    _assert_same(res, ref)
    assert res.params.n_unique_locations == 50_000
    border = (ref.labels_ >= 0) & ~res.is_core
    assert border.sum() > 1_000


def test_incidents_frame_gives_the_same_as_its_xy(dacorum_load, dacorum_xy):
    from_frame = dbscan(dacorum_load.incidents, eps_m=150, min_samples=10)
    np.testing.assert_array_equal(
        from_frame.labels, dbscan(dacorum_xy, eps_m=150, min_samples=10).labels
    )


def test_unique_locations_weighted_equal_all_points_on_policeuk(herts_load):
    """Clustering the distinct map points weighted by multiplicity = clustering every record."""
    xy = herts_load.incidents[["x", "y"]].to_numpy()
    loc = unique_locations(xy, np.ones(xy.shape[0]))
    assert loc.n_unique < xy.shape[0] / 5  # police.uk snaps records to few map points
    unique_xy = np.column_stack([loc.x, loc.y])
    weighted = dbscan(unique_xy, eps_m=100, min_samples=15, weights=loc.weight)
    ref = _sklearn(xy, 100, 15)
    assert ref.labels_.max() > 100
    np.testing.assert_array_equal(weighted.labels[loc.inverse], ref.labels_)
    # And scikit-learn itself agrees that the weighted form is equivalent.
    ref_weighted = _sklearn(unique_xy, 100, 15, loc.weight)
    np.testing.assert_array_equal(ref_weighted.labels_[loc.inverse], ref.labels_)
    assert weighted.params.n_unique_locations == loc.n_unique


def test_sample_weights_equal_sklearn(dacorum_xy):
    rng = np.random.default_rng(3)
    weights = rng.integers(0, 4, dacorum_xy.shape[0]).astype(float)
    ref = _sklearn(dacorum_xy, 120.0, 15, weights)
    _assert_same(dbscan(dacorum_xy, eps_m=120.0, min_samples=15, weights=weights), ref)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    eps=st.sampled_from([10.0, 20.0, 30.0, 45.5]),
    min_samples=st.integers(1, 25),
    on_grid=st.booleans(),
    weighted=st.booleans(),
)
def test_matches_sklearn_on_random_clustered_points(seed, n, eps, min_samples, on_grid, weighted):
    """Ties exactly at eps (points on a 10 m grid), duplicates and zero weights included."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 600, (3, 2))
    xy = centres[rng.integers(0, 3, n)] + rng.normal(0, rng.uniform(5, 60), (n, 2))
    if on_grid:
        xy = np.round(xy / 10) * 10
    weights = None
    if weighted:
        weights = rng.integers(0, 4, n).astype(float)
        weights[0] += 1  # scikit-learn refuses all-zero weights (and so do we)
    ref = _sklearn(xy, eps, min_samples, weights)
    _assert_same(dbscan(xy, eps_m=eps, min_samples=min_samples, weights=weights), ref)


def test_suggested_eps_is_recorded(dacorum_xy):
    res = dbscan(dacorum_xy, eps_m=None, min_samples=20)
    assert res.params.eps_source == "suggested (k-distance knee)"
    assert res.eps_suggestion is not None
    assert res.params.eps_m == res.eps_suggestion.eps_m
    _assert_same(res, _sklearn(dacorum_xy, res.params.eps_m, 20))
    user = dbscan(dacorum_xy, eps_m=150, min_samples=20)
    assert user.params.eps_source == "user"
    assert user.eps_suggestion is None


def test_params_record_the_run(dacorum_xy):
    params = dbscan(dacorum_xy, eps_m=150, min_samples=10).params.as_dict()
    assert params["method"] == "dbscan"
    assert params["eps_m"] == 150
    assert params["min_samples"] == 10
    assert params["n_points"] == dacorum_xy.shape[0]
    assert params["n_unique_locations"] == np.unique(dacorum_xy, axis=0).shape[0]
    assert params["exact"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps_m": 0.0, "min_samples": 5}, "eps_m must be a positive distance"),
        ({"eps_m": float("nan"), "min_samples": 5}, "eps_m must be a positive distance"),
        ({"eps_m": 50.0, "min_samples": 0}, "min_samples must be a whole number"),
        ({"eps_m": 50.0, "min_samples": 2.5}, "min_samples must be a whole number"),
        ({"eps_m": 50.0, "min_samples": 5, "weights": -np.ones(3)}, "non-negative"),
        ({"eps_m": 50.0, "min_samples": 5, "weights": np.ones(2)}, "one value per point"),
        ({"eps_m": 50.0, "min_samples": 5, "weights": np.zeros(3)}, "all zero"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match=message):
        dbscan(xy, **kwargs)


def test_bad_points_are_named():
    with pytest.raises(ValueError, match=r"missing or infinite x/y \(first rows \[1\]\)"):
        dbscan(np.array([[0.0, 0.0], [np.nan, 1.0]]), eps_m=10, min_samples=2)
    with pytest.raises(ValueError, match=r"\(n, 2\) array"):
        dbscan(np.zeros((4, 3)), eps_m=10, min_samples=2)
    with pytest.raises(ValueError, match="lack column"):
        import pandas as pd

        dbscan(pd.DataFrame({"lon": [0.0], "lat": [0.0]}), eps_m=10, min_samples=2)
    with pytest.raises(ValueError, match="empty"):
        dbscan(np.zeros((0, 2)), eps_m=10, min_samples=2)
