"""hotspots.analysis.clusters.eps: the k-distance curve and its knee, on real police.uk data."""

from __future__ import annotations

import numpy as np
import pytest
from kneed import KneeLocator
from sklearn.neighbors import NearestNeighbors

from hotspots.analysis.clusters import suggest_eps


@pytest.fixture(scope="module")
def herts_xy(herts_load) -> np.ndarray:
    return herts_load.incidents[["x", "y"]].to_numpy()


@pytest.fixture(scope="module")
def dacorum_xy(dacorum_load) -> np.ndarray:
    return dacorum_load.incidents[["x", "y"]].to_numpy()


def test_curve_equals_sklearn_k_distances(dacorum_xy):
    """The curve over incidents equals the sorted distance to each record's k-th neighbour
    (itself first), computed by scikit-learn on every record, duplicates included."""
    k = 12
    s = suggest_eps(dacorum_xy, min_samples=k)
    kth = NearestNeighbors(n_neighbors=k).fit(dacorum_xy).kneighbors(dacorum_xy)[0][:, -1]
    ranked = np.sort(kth)
    n = ranked.size
    at = np.searchsorted(np.arange(1, n + 1) / n, s.curve_share)
    np.testing.assert_allclose(s.curve_eps_m, ranked[np.minimum(at, n - 1)], rtol=0, atol=1e-6)
    assert s.n_points == n
    assert s.n_unique_locations == np.unique(dacorum_xy, axis=0).shape[0]


@pytest.mark.parametrize("min_samples", [5, 10, 20, 40])
def test_knee_is_kneedles_difference_maximum(herts_xy, min_samples):
    """Our knee is where kneed's Kneedle difference curve peaks (positive, trimmed part)."""
    s = suggest_eps(herts_xy, min_samples=min_samples)
    keep = (s.curve_share <= 1 - s.ignore_top_share) & (s.curve_eps_m > 0)
    share, dist = s.curve_share[keep], s.curve_eps_m[keep]
    kl = KneeLocator(share, dist, curve="convex", direction="increasing")
    # kneed flips convex increasing curves: its index j is our index n - 1 - j.
    ours = share.size - 1 - int(np.argmax(kl.y_difference))
    assert s.knee_share == share[ours]
    assert s.eps_m == dist[ours]
    assert dist.min() <= s.eps_m <= dist.max()
    assert 0 < s.eps_m < 1_000


def test_suggestion_is_stable(dacorum_xy):
    s = suggest_eps(dacorum_xy, min_samples=10)
    rng = np.random.default_rng(11)
    shuffled = suggest_eps(dacorum_xy[rng.permutation(dacorum_xy.shape[0])], min_samples=10)
    assert shuffled.eps_m == s.eps_m
    # Doubling every weight and min_samples is the same curve.
    doubled = suggest_eps(dacorum_xy, min_samples=20, weights=np.full(dacorum_xy.shape[0], 2.0))
    assert doubled.eps_m == s.eps_m
    # 90 % subsamples move the knee a little (sparser data), not wildly.
    subs = [
        suggest_eps(dacorum_xy[rng.random(dacorum_xy.shape[0]) < 0.9], min_samples=10).eps_m
        for _ in range(5)
    ]
    assert np.median(subs) == pytest.approx(s.eps_m, rel=0.2)


def test_weights_equal_repeated_points(dacorum_xy):
    """A location of weight w is the same as w records there."""
    uniq, counts = np.unique(dacorum_xy, axis=0, return_counts=True)
    weighted = suggest_eps(uniq, min_samples=15, weights=counts)
    raw = suggest_eps(dacorum_xy, min_samples=15)
    np.testing.assert_array_equal(weighted.curve_eps_m, raw.curve_eps_m)
    assert weighted.eps_m == raw.eps_m


def test_errors_name_the_fix():
    one_spot = np.zeros((50, 2))
    with pytest.raises(ValueError, match="core at any eps"):
        suggest_eps(one_spot, min_samples=5)
    with pytest.raises(ValueError, match="below min_samples"):
        suggest_eps(np.array([[0.0, 0.0], [10.0, 0.0]]), min_samples=5)
    with pytest.raises(ValueError, match="ignore_top_share"):
        suggest_eps(np.array([[0.0, 0.0], [10.0, 0.0]]), min_samples=1, ignore_top_share=0.7)


def test_sampled_curve_is_close_to_the_exact_one(houston_load):
    """Beyond sample_size locations the curve comes from a weighted sample of incidents: by
    the DKW inequality 5,000 draws keep it within 3 percentage points of the exact
    k-distance distribution (scikit-learn, every record) except with probability < 3e-4."""
    xy = houston_load.incidents[["x", "y"]].to_numpy()
    k = 10
    sampled = suggest_eps(xy, min_samples=k, sample_size=5_000, seed=1)
    assert sampled.sample_size == 5_000
    assert sampled.n_unique_locations > 5_000
    kth = np.sort(NearestNeighbors(n_neighbors=k).fit(xy).kneighbors(xy)[0][:, -1])
    below = np.searchsorted(kth, sampled.curve_eps_m, side="left") / kth.size
    upto = np.searchsorted(kth, sampled.curve_eps_m, side="right") / kth.size
    assert (below <= sampled.curve_share + 0.03).all()
    assert (upto >= sampled.curve_share - 0.03).all()
    exact = suggest_eps(xy, min_samples=k)
    assert exact.sample_size is None
    assert sampled.eps_m == pytest.approx(exact.eps_m, rel=0.1)
