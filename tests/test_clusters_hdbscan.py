"""hotspots.analysis.clusters.hdbscan_clusters against scikit-learn's HDBSCAN, on real data."""

from __future__ import annotations

import hdbscan
import numpy as np
import pytest
from sklearn.cluster import HDBSCAN
from sklearn.metrics import adjusted_rand_score

from hotspots.analysis.clusters import hdbscan_clusters
from hotspots.analysis.clusters._points import unique_locations


@pytest.fixture(scope="module")
def dacorum_xy(dacorum_load) -> np.ndarray:
    return dacorum_load.incidents[["x", "y"]].to_numpy()


@pytest.fixture(scope="module")
def houston_distinct(houston_load) -> np.ndarray:
    """8,000 distinct Houston geocodes (no duplicates), shuffled."""
    xy = np.unique(houston_load.incidents[["x", "y"]].to_numpy(), axis=0)
    return xy[np.random.default_rng(0).permutation(xy.shape[0])[:8_000]]


@pytest.fixture(scope="module")
def dacorum_full(dacorum_xy):
    return hdbscan_clusters(dacorum_xy, min_cluster_size=50)


def test_close_to_sklearn_on_policeuk_records(dacorum_xy, dacorum_full):
    """police.uk records pile up on map points; HDBSCAN breaks those ties by input order, so
    scikit-learn agrees with itself on shuffled rows only at ARI ~0.985 (measured): ours
    must agree with scikit-learn about as well."""
    ref = HDBSCAN(min_cluster_size=50, copy=True).fit(dacorum_xy).labels_
    assert adjusted_rand_score(ref, dacorum_full.labels) > 0.95
    assert dacorum_full.params.n_clusters == pytest.approx(ref.max() + 1, rel=0.1)
    assert dacorum_full.params.noise_share == pytest.approx(np.mean(ref < 0), abs=0.03)
    assert dacorum_full.params.exact
    assert dacorum_full.params.min_samples == 50
    # Every record at one map point gets the same label.
    loc = unique_locations(dacorum_xy, np.ones(dacorum_xy.shape[0]))
    per_location = np.full(loc.n_unique, -2)
    per_location[loc.inverse] = dacorum_full.labels
    np.testing.assert_array_equal(per_location[loc.inverse], dacorum_full.labels)


def test_distinct_points_match_sklearn_and_the_package(houston_distinct):
    ours = hdbscan_clusters(houston_distinct, min_cluster_size=30, min_samples=2)
    ref = HDBSCAN(min_cluster_size=30, min_samples=2, copy=True).fit(houston_distinct).labels_
    assert adjusted_rand_score(ref, ours.labels) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_equal(ours.labels < 0, ref < 0)
    # Without duplicates the wrapper adds nothing to the package's own result.
    package = hdbscan.HDBSCAN(min_cluster_size=30, min_samples=1, approx_min_span_tree=False)
    np.testing.assert_array_equal(ours.labels, package.fit(houston_distinct).labels_)
    assert ours.params.n_unique_locations == houston_distinct.shape[0]


def test_location_weights_equal_repeated_records(dacorum_xy, dacorum_full):
    loc = unique_locations(dacorum_xy, np.ones(dacorum_xy.shape[0]))
    weighted = hdbscan_clusters(
        np.column_stack([loc.x, loc.y]), min_cluster_size=50, weights=loc.weight
    )
    np.testing.assert_array_equal(weighted.labels[loc.inverse], dacorum_full.labels)


def test_capped_copies_are_close_and_flagged(dacorum_xy, dacorum_full):
    capped = hdbscan_clusters(dacorum_xy, min_cluster_size=50, max_copies=100)
    assert not capped.params.exact
    assert capped.params.max_copies == 100
    assert "at most 100 copies" in capped.params.note
    assert adjusted_rand_score(dacorum_full.labels, capped.labels) > 0.9


def test_errors_name_the_fix(dacorum_xy):
    with pytest.raises(ValueError, match="whole-number weights"):
        hdbscan_clusters(dacorum_xy, min_cluster_size=20, weights=np.full(len(dacorum_xy), 0.5))
    with pytest.raises(ValueError, match="min_samples >= 2"):
        hdbscan_clusters(dacorum_xy, min_cluster_size=20, min_samples=1)
    with pytest.raises(ValueError, match="min_samples must be a whole number"):
        hdbscan_clusters(dacorum_xy, min_cluster_size=0)
