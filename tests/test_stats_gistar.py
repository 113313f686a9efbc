"""Gi* against esda and exact permutation moments, on real Dacorum police.uk counts."""

from __future__ import annotations

import itertools
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats

from hotspots.analysis.stats import GI_CLASSES, gi_star, hotspots_gistar
from hotspots.space.grid import grid_counts, neighbours


@pytest.fixture(scope="module")
def dacorum_grid(dacorum_load, dacorum_wards) -> gpd.GeoDataFrame:
    """Dacorum police.uk 2021-01..2022-01 counted on every H3 res-9 cell of its wards."""
    grid = grid_counts(dacorum_load.incidents, 9, study_area=dacorum_wards)
    assert grid["count"].sum() == len(dacorum_load.incidents) > 13_000
    return grid


def _esda_gistar(y: np.ndarray, w: sp.csr_matrix, **kwargs) -> esda.G_Local:
    """esda's Gi* on libpysal weights built from the same neighbour lists (self excluded)."""
    off = sp.csr_matrix(w, copy=True)
    off.setdiag(0)
    off.eliminate_zeros()
    neigh = {i: off.indices[off.indptr[i] : off.indptr[i + 1]].tolist() for i in range(len(y))}
    lw = libpysal.weights.W(neigh, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return esda.G_Local(y, lw, transform="B", star=True, **kwargs)


@pytest.mark.parametrize("k", [1, 2])
def test_z_equals_esda_on_dacorum(dacorum_grid, k):
    y = dacorum_grid["count"].to_numpy(float)
    assert (y == 0).sum() > 1_000  # the zero-count cells of the study area are in
    w = neighbours(dacorum_grid["cell"].to_numpy(), k=k)
    ours = gi_star(y, w)
    ref = _esda_gistar(y, w, permutations=0)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.gi, ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours.p, 2 * ref.p_norm, rtol=1e-9, atol=1e-15)


def test_textbook_moments_hold_for_weighted_neighbours():
    """z equals (x - E) / sd with the exact mean and variance over all n! permutations.

    This is the Ord & Getis (1995) Gi* with general weights; esda's formula matches it only
    for binary weights, so the reference here is full enumeration.
    """
    rng = np.random.default_rng(7)
    y = rng.integers(0, 9, size=8).astype(float)
    dense = np.triu(rng.random((8, 8)) * (rng.random((8, 8)) < 0.5), 1)
    dense = dense + dense.T + np.diag(rng.random(8) + 0.5)
    ours = gi_star(y, sp.csr_array(dense))
    perms = np.array(list(itertools.permutations(y)))  # 40,320 x 8
    lags = perms @ dense.T
    expected = (dense @ y - lags.mean(axis=0)) / lags.std(axis=0)
    np.testing.assert_allclose(ours.z, expected, rtol=1e-9)
    # and scaling all weights leaves z unchanged (it would not with esda's binary variance)
    np.testing.assert_allclose(gi_star(y, sp.csr_array(3.0 * dense)).z, ours.z, rtol=1e-12)


def test_permutation_p_matches_esda_distribution_and_is_seeded(dacorum_grid):
    y = dacorum_grid["count"].to_numpy(float)
    w = neighbours(dacorum_grid["cell"].to_numpy(), k=1)
    ours = gi_star(y, w, permutations=499, seed=42)
    assert np.array_equal(ours.p_sim, gi_star(y, w, permutations=499, seed=42).p_sim)
    assert not np.array_equal(ours.p_sim, gi_star(y, w, permutations=499, seed=43).p_sim)
    # esda's conditional randomisation draws, read with the same two-sided rule
    ref = _esda_gistar(y, w, permutations=499, seed=42, keep_simulations=True)
    sims, lag = ref.rGs * y.sum(), w @ y
    n_ge = (sims >= lag[:, None] - 1e-9).sum(axis=1)
    n_le = (sims <= lag[:, None] + 1e-9).sum(axis=1)
    p_esda = np.minimum(1, 2 * (np.minimum(n_ge, n_le) + 1) / 500)
    # draws are shared by all cells (as in esda), so the noise is correlated: loose bounds
    assert np.abs(ours.p_sim - p_esda).mean() < 0.05
    assert np.corrcoef(ours.p_sim, p_esda)[0, 1] > 0.98
    # the permutation and analytical p-values rank the cells alike on real data
    assert stats.spearmanr(ours.p_sim, ours.p).statistic > 0.8


def test_permutation_p_converges_to_exact_conditional_p():
    """With many permutations p_sim approaches the exact p over all neighbour draws."""
    rng = np.random.default_rng(11)
    n = 10
    y = rng.poisson(3, size=n).astype(float)
    dense = np.triu((rng.random((n, n)) < 0.3).astype(float), 1)
    dense = dense + dense.T + np.eye(n)
    ours = gi_star(y, sp.csr_array(dense), permutations=20_000, seed=5)
    for i in range(n):
        others = np.delete(y, i)
        c = int(dense[i].sum()) - 1
        draws = np.array([sum(comb) for comb in itertools.combinations(others, c)]) + y[i]
        observed = dense[i] @ y
        exact = min(1.0, 2 * min((draws >= observed).mean(), (draws <= observed).mean()))
        assert abs(ours.p_sim[i] - exact) < 0.03, (i, ours.p_sim[i], exact)


def test_planted_cluster_is_hot_and_background_is_not(dacorum_grid):
    cells = dacorum_grid["cell"].to_numpy()
    w = neighbours(cells, k=1)
    rng = np.random.default_rng(3)
    counts = rng.poisson(0.5, size=len(cells)).astype(float)
    centre = int(np.flatnonzero(np.asarray(w.sum(axis=1)).ravel() == 7)[len(cells) // 3])
    cluster = w[[centre]].indices
    counts[cluster] += rng.poisson(8, size=cluster.size)
    grid = pd.DataFrame({"cell": cells, "count": counts})
    hot = hotspots_gistar(grid)
    assert (hot["gi_class"].iloc[cluster] == "Hot 99%").all()
    assert hot["gi_bin"].iloc[centre] == 3
    # at 95 % (FDR) only the cluster and cells touching it (sharing its neighbourhood) are hot
    significant = np.flatnonzero(hot["gi_bin"].to_numpy() >= 2)
    touching = neighbours(cells, k=2)[[centre]].indices
    assert set(significant) <= set(touching)
    assert (hot["gi_bin"] >= 0).all()


def test_fdr_reduces_significant_cells_on_dacorum(dacorum_grid):
    fdr = hotspots_gistar(dacorum_grid)
    raw = hotspots_gistar(dacorum_grid, alpha_fdr=False)
    n_fdr, n_raw = int((fdr["gi_bin"] != 0).sum()), int((raw["gi_bin"] != 0).sum())
    assert 0 < n_fdr < n_raw
    # every FDR-significant cell is significant without FDR at the same or a higher level
    assert (np.abs(raw["gi_bin"]) >= np.abs(fdr["gi_bin"])).all()
    assert (fdr["gi_p_fdr"] >= fdr["gi_p"]).all()


def test_classes_bins_and_params_on_dacorum(dacorum_grid):
    hot = hotspots_gistar(dacorum_grid, k=2)
    assert list(hot.columns[-5:]) == ["gi_z", "gi_p", "gi_p_fdr", "gi_bin", "gi_class"]
    assert list(hot["gi_class"].cat.categories) == GI_CLASSES
    np.testing.assert_array_equal(hot["gi_class"].cat.codes - 3, hot["gi_bin"])
    p, z = hot["gi_p_fdr"].to_numpy(), hot["gi_z"].to_numpy()
    assert ((hot["gi_bin"] == 3) == ((z > 0) & (p <= 0.01))).all()
    assert ((hot["gi_bin"] == 1) == ((z > 0) & (p > 0.05) & (p <= 0.10))).all()
    assert ((hot["gi_bin"] == 0) == (p > 0.10)).all()
    params = hot.attrs["params"]
    assert params["k"] == 2 and params["fdr"] is True and params["p_used"] == "normal"
    assert params["n_cells"] == len(dacorum_grid)
    assert params["n_zero_cells"] == int((dacorum_grid["count"] == 0).sum())
    assert len(hot) == len(dacorum_grid)  # nothing dropped
    with_sim = hotspots_gistar(dacorum_grid, permutations=99, seed=1)
    assert with_sim.attrs["params"]["p_used"] == "permutation"
    assert "gi_p_sim" in with_sim.columns


def test_bad_input_errors_name_the_fix():
    w = sp.eye_array(4, format="csr") + sp.csr_array(np.eye(4, k=1) + np.eye(4, k=-1))
    y = np.array([1.0, 2.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        gi_star(np.array([1.0, np.nan, 0.0, 5.0]), w)
    with pytest.raises(ValueError, match="all 4 values equal"):
        gi_star(np.zeros(4), w)
    with pytest.raises(ValueError, match="expected \\(3, 3\\)"):
        gi_star(y[:3], w)
    with pytest.raises(ValueError, match="include_self=True"):
        gi_star(y, sp.csr_array(np.eye(4, k=1) + np.eye(4, k=-1)))
    with pytest.raises(TypeError, match=r"scipy\.sparse"):
        gi_star(y, np.eye(4))
    with pytest.raises(ValueError, match="non-negative"):
        gi_star(y, w - 2 * sp.csr_array(np.eye(4, k=1)))
    grid = pd.DataFrame({"cell": ["a", "b", "c", "d"], "count": y})
    with pytest.raises(ValueError, match="lacks column\\(s\\) \\['n'\\]"):
        hotspots_gistar(grid, value="n", weights=w)
    with pytest.raises(ValueError, match="duplicated cell"):
        hotspots_gistar(grid.assign(cell=["a", "a", "c", "d"]), weights=w)


def test_prepared_weights_give_the_same_result_bit_for_bit():
    """Weights checked and summed once (:class:`GiStarWeights`) for many calls: the same z,
    Gi and p as the raw weights, and a clear error for values of another grid."""
    from hotspots.analysis.stats.gistar import GiStarWeights

    rng = np.random.default_rng(4)
    n = 400
    w = sp.random(n, n, density=0.02, random_state=1, format="csr") + sp.eye(n, format="csr")
    prepared = GiStarWeights.of(w, n)
    for _ in range(3):
        y = rng.poisson(1.0, n).astype(float)
        raw, kept = gi_star(y, w), gi_star(y, prepared)
        for field in ("gi", "z", "p"):
            assert np.array_equal(getattr(raw, field), getattr(kept, field)), field
    with pytest.raises(ValueError, match="shape"):
        gi_star(np.ones(n - 1), prepared)
