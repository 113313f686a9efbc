"""Emerging hot spots: Mann–Kendall vs pymannkendall/scipy, category rules, space-time Gi*."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pymannkendall
import pytest
import scipy.sparse as sp
from scipy import stats

from hotspots.analysis.stats import (
    EMERGING_CATEGORIES,
    classify_emerging,
    emerging_hotspots,
    gistar_by_period,
    mann_kendall,
)
from hotspots.space.grid import grid_counts, neighbours


@pytest.fixture(scope="module")
def dacorum_monthly(dacorum_load, dacorum_wards) -> gpd.GeoDataFrame:
    """Dacorum police.uk counts per H3 res-9 cell of its wards and month (13 months)."""
    return grid_counts(dacorum_load.incidents, 9, study_area=dacorum_wards, by="month")


FIXED_SERIES = [
    [1, 2, 2, 4, 5],
    [5, 5, 5, 3, 3, 1, 1, 2],
    [0, 0, 0, 0, 1],
    [3.2, 1.1, 4.0, 1.1, 5.9, 2.6, 5.3, 5.9, 7.9, 3.0, 5.5, 8.1, 6.2],
    [2, 2, 2, 2, 2, 2],
]


@pytest.mark.parametrize("series", FIXED_SERIES)
def test_mann_kendall_equals_pymannkendall_fixed_series(series):
    ours = mann_kendall(np.array(series, dtype=float)).iloc[0]
    ref = pymannkendall.original_test(np.array(series, dtype=float))
    assert ours["s"] == ref.s
    assert ours["var_s"] == pytest.approx(ref.var_s, rel=1e-12)
    assert ours["z"] == pytest.approx(ref.z, rel=1e-12, abs=1e-15)
    assert ours["p"] == pytest.approx(ref.p, rel=1e-12)
    assert ours["tau"] == pytest.approx(ref.Tau, rel=1e-12)


def test_mann_kendall_vectorised_over_many_tied_series():
    x = np.random.default_rng(0).integers(0, 4, size=(300, 13)).astype(float)  # many ties
    ours = mann_kendall(x)
    ref = pd.DataFrame(
        [pymannkendall.original_test(row)[2:7] for row in x], columns=["p", "z", "tau", "s", "v"]
    )
    np.testing.assert_allclose(ours[["p", "z", "tau", "s", "var_s"]], ref, rtol=1e-12, atol=1e-15)


def test_mann_kendall_tau_equals_scipy_kendalltau_without_ties():
    x = np.random.default_rng(1).normal(size=(50, 20)).cumsum(axis=1)
    ours = mann_kendall(x)["tau"].to_numpy()
    ref = [stats.kendalltau(np.arange(20), row).statistic for row in x]
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


# Hand-made histories, T = 10 (oldest first): H hot, C cold, . not significant.
CASES = [
    ("New Hot Spot", ".........H", 0),
    ("New Hot Spot", "CC.......H", 0),  # a first hot spot after cold ones is new
    ("Consecutive Hot Spot", ".......HHH", 0),
    ("Consecutive Hot Spot", "C.HHHHHHHH", 0),  # 8 of 10 hot: below 90 %
    ("Intensifying Hot Spot", "HHHHHHHHHH", +1),
    ("Intensifying Hot Spot", "H.HHHHHHHH", +1),  # 9 of 10 = 90 %
    ("Persistent Hot Spot", "HHHHHHHHHH", 0),
    ("Diminishing Hot Spot", "HHHH.HHHHH", -1),
    ("Sporadic Hot Spot", "..H..H...H", 0),
    ("Sporadic Hot Spot", "H..HH.HHHH", 0),
    ("Oscillating Hot Spot", "C...H.C..H", 0),
    ("Historical Hot Spot", "HHHHHHHHH.", 0),
    ("No Pattern Detected", "....HHH...", 0),
    ("No Pattern Detected", "..........", 0),
    ("New Cold Spot", "HHHHHHHHHC", 0),  # the final period wins over Historical Hot
]


def _mirror(history: str) -> str:
    return history.translate(str.maketrans("HC", "CH"))


@pytest.mark.parametrize(("expected", "history", "trend"), CASES)
def test_category_rules_on_hand_made_histories(expected, history, trend):
    cold_expected = (
        expected.replace("Hot", "@").replace("Cold", "Hot").replace("@", "Cold")
        if expected != "No Pattern Detected"
        else expected
    )
    for label, hist, sign in (
        (expected, history, trend),
        (cold_expected, _mirror(history), -trend),
    ):
        hot = np.array([[c == "H" for c in hist]])
        cold = np.array([[c == "C" for c in hist]])
        trend_z = np.array([3.0 * sign])
        trend_p = np.array([0.001 if sign else 0.6])
        got = classify_emerging(hot, cold, trend_z, trend_p, alpha=0.05)
        assert got.tolist() == [label], hist


def test_every_category_is_reachable():
    labels = {case[0] for case in CASES}
    hot_labels = {c for c in EMERGING_CATEGORIES if "Hot" in c}
    assert hot_labels <= labels
    assert len(EMERGING_CATEGORIES) == 17


def test_space_time_z_equals_esda_on_kronecker_weights(dacorum_monthly):
    """Gi* over the cube with a 1-period time window is esda's Gi* on the same weights."""
    # a compact patch of 150 cells keeps esda's weights fast
    cells = pd.unique(dacorum_monthly["cell"])[:150]
    small = dacorum_monthly[dacorum_monthly["cell"].isin(cells)]
    out = gistar_by_period(small, time_window=1)
    space = neighbours(cells, k=1)
    band = sp.csr_array(np.eye(13) + np.eye(13, k=-1))
    w = sp.kron(band, space, format="csr")  # rows: period-major, cells in first-seen order
    w.setdiag(0)
    w.eliminate_zeros()
    neigh = {i: w.indices[w.indptr[i] : w.indptr[i + 1]].tolist() for i in range(w.shape[0])}
    cube = small.pivot(index="month", columns="cell", values="count")[cells].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(
            cube.ravel().astype(float),
            libpysal.weights.W(neigh, silence_warnings=True),
            transform="B",
            star=True,
            permutations=0,
        )
    ours = small.assign(z=out["gi_z"]).pivot(index="month", columns="cell", values="z")[cells]
    np.testing.assert_allclose(ours.to_numpy().ravel(), ref.Zs, atol=1e-9)
    assert out.attrs["params"]["time_window"] == 1


def test_planted_space_time_patterns_are_named(dacorum_monthly):
    cells = pd.unique(dacorum_monthly["cell"])
    w = neighbours(cells, k=1)
    degree = np.asarray(w.sum(axis=1)).ravel()
    interior = np.flatnonzero(degree == 7)
    centres = {"persistent": interior[100], "consecutive": interior[900], "new": interior[1500]}
    rng = np.random.default_rng(4)
    t = 12
    counts = rng.poisson(1.0, size=(t, cells.size)).astype(float)
    for name, periods in (("persistent", range(t)), ("consecutive", range(9, t)), ("new", [11])):
        ring = w[[centres[name]]].indices
        for p in periods:
            counts[p, ring] += 12
    grid_long = pd.DataFrame(
        {
            "cell": np.tile(cells, t),
            "month": np.repeat(pd.date_range("2021-01-01", periods=t, freq="MS"), cells.size),
            "count": counts.ravel(),
        }
    )
    ehs = emerging_hotspots(grid_long).set_index("cell")
    assert ehs.loc[cells[centres["persistent"]], "category"] in {
        "Persistent Hot Spot",
        "Intensifying Hot Spot",
        "Diminishing Hot Spot",
    }
    assert ehs.loc[cells[centres["consecutive"]], "category"] == "Consecutive Hot Spot"
    assert ehs.loc[cells[centres["new"]], "category"] == "New Hot Spot"
    assert ehs.loc[cells[centres["persistent"]], "n_hot"] == t


def test_real_dacorum_emerging_hot_spots(dacorum_monthly):
    ehs = emerging_hotspots(dacorum_monthly, time_window=1)
    cells = pd.unique(dacorum_monthly["cell"])
    assert isinstance(ehs, gpd.GeoDataFrame) and ehs.crs == dacorum_monthly.crs
    assert ehs["cell"].tolist() == cells.tolist()  # every cell, in order, nothing dropped
    assert set(ehs["category"].cat.categories) == set(EMERGING_CATEGORIES)
    counts = ehs["category"].value_counts()
    assert counts["Persistent Hot Spot"] > 0 and counts["No Pattern Detected"] > 0
    # n_hot agrees with the per-period Gi* it is built on
    gi = gistar_by_period(dacorum_monthly, time_window=1)
    hot = (gi["gi_z"] > 0) & (gi["gi_p_fdr"] <= 0.05)
    per_cell = hot.groupby(gi["cell"], sort=False).sum()
    np.testing.assert_array_equal(ehs["n_hot"].to_numpy(), per_cell.loc[cells].to_numpy())
    # the trend is Mann–Kendall on each cell's z-series: check a few against pymannkendall
    z = gi.pivot(index="cell", columns="month", values="gi_z").loc[cells]
    for i in np.flatnonzero(ehs["n_hot"].to_numpy() > 0)[:5]:
        ref = pymannkendall.original_test(z.iloc[i].to_numpy())
        assert ehs["trend_z"].iloc[i] == pytest.approx(ref.z, rel=1e-12, abs=1e-15)
    params = ehs.attrs["params"]
    assert params["n_periods"] == 13 and params["time_window"] == 1 and params["alpha"] == 0.05
    assert params["periods"][0] == pd.Timestamp("2021-01-01")


def test_incomplete_or_short_cubes_are_refused(dacorum_monthly):
    with pytest.raises(ValueError, match="lacks 1 \\(cell, month\\) pair"):
        emerging_hotspots(dacorum_monthly.iloc[1:])
    with pytest.raises(ValueError, match="repeated"):
        emerging_hotspots(pd.concat([dacorum_monthly, dacorum_monthly.iloc[:1]]))
    three = dacorum_monthly[dacorum_monthly["month"] < "2021-04-01"]
    with pytest.raises(ValueError, match="at least 4 periods"):
        emerging_hotspots(three)
    with pytest.raises(ValueError, match="time_window must be"):
        gistar_by_period(three, time_window=3)
    with pytest.raises(ValueError, match="lacks column"):
        emerging_hotspots(dacorum_monthly, period="period")
    with pytest.raises(ValueError, match="alpha"):
        emerging_hotspots(dacorum_monthly, alpha=1.5)
    with pytest.raises(ValueError, match="both a hot and a cold"):
        classify_emerging(np.ones((1, 5), bool), np.ones((1, 5), bool), [0], [1], alpha=0.05)
