"""Benjamini–Hochberg FDR against statsmodels and esda, on real Gi* p-values."""

from __future__ import annotations

import esda
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from hotspots.analysis.stats import fdr_bh, fdr_threshold, gi_star, significance_bins
from hotspots.space.grid import grid_counts, neighbours


@pytest.fixture(scope="module")
def dacorum_p(dacorum_load, dacorum_wards) -> np.ndarray:
    """Two-sided Gi* p-values of Dacorum police.uk counts on H3 res-9 cells (k=1)."""
    grid = grid_counts(dacorum_load.incidents, 9, study_area=dacorum_wards)
    w = neighbours(grid["cell"].to_numpy(), k=1)
    return gi_star(grid["count"].to_numpy(float), w).p


def test_adjusted_p_equals_statsmodels_on_real_p(dacorum_p):
    reject, adjusted, _, _ = multipletests(dacorum_p, alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(fdr_bh(dacorum_p), adjusted, rtol=1e-12)
    assert ((fdr_bh(dacorum_p) <= 0.05) == reject).all()
    assert 0 < reject.sum() < (dacorum_p <= 0.05).sum()  # FDR is stricter than raw p here


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.10])
def test_threshold_agrees_with_esda_fdr(dacorum_p, alpha):
    significant = dacorum_p <= fdr_threshold(dacorum_p, alpha=alpha)
    assert significant.any()
    assert (significant == (dacorum_p < esda.fdr(dacorum_p, alpha))).all()
    assert (significant == (fdr_bh(dacorum_p) <= alpha)).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.001, 0.01, 0.05, 1.0])),
        min_size=1,
        max_size=60,
    )
)
@example(p=[0.0, 0.0, 0.05])  # k * alpha / n and p * n / k round apart at the boundary
def test_adjusted_p_equals_statsmodels_with_ties(p):
    p = np.array(p)
    # subnormal p-values (below 2.2e-308) carry too few digits for a relative comparison
    np.testing.assert_allclose(
        fdr_bh(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12, atol=1e-300
    )
    cutoff = fdr_threshold(p, alpha=0.05)
    assert ((p <= cutoff) == (fdr_bh(p) <= 0.05)).all()


def test_no_discovery_gives_zero_threshold():
    p = np.array([0.2, 0.5, 0.9])
    assert fdr_threshold(p, alpha=0.05) == 0.0
    assert (fdr_bh(p) > 0.05).all()


def test_significance_bins_levels_are_inclusive():
    z = np.array([4.0, 2.6, 2.0, 1.7, 0.3, -1.7, -2.0, -2.6, -4.0])
    p = np.array([0.0, 0.01, 0.05, 0.10, 0.5, 0.10, 0.05, 0.01, 1e-9])
    assert significance_bins(z, p).tolist() == [3, 3, 2, 1, 0, -1, -2, -3, -3]
    assert significance_bins(np.array([2.0]), np.array([0.1000001])).tolist() == [0]


def test_bad_p_values_are_rejected_with_the_reason():
    with pytest.raises(ValueError, match="outside \\[0, 1\\]"):
        fdr_bh(np.array([0.1, 1.2]))
    with pytest.raises(ValueError, match="NaN"):
        fdr_bh(np.array([0.1, np.nan]))
    with pytest.raises(ValueError, match="1-D"):
        fdr_bh(np.ones((2, 2)) / 2)
    with pytest.raises(ValueError, match="alpha must be"):
        fdr_threshold(np.array([0.1]), alpha=5)
    with pytest.raises(ValueError, match="same shape"):
        significance_bins(np.ones(3), np.ones(2) / 2)
