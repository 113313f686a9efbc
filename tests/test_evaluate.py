"""hotspots.analysis.evaluate: hand-computed measures, methods and backtests on Dacorum."""

from __future__ import annotations

import esda
import geopandas as gpd
import h3
import libpysal
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from sklearn.cluster import DBSCAN

from hotspots.analysis.evaluate import (
    METHODS,
    backtest,
    backtest_folds,
    hit_rate_pai,
    score_all_history,
    score_dbscan,
    score_gistar,
    score_kde,
    score_last_period,
    score_near_repeat,
)
from hotspots.data import datasets
from hotspots.data.ingest import LoadResult
from hotspots.data.schema import BNG, WGS84, WORKING_CRS
from hotspots.space.grid import neighbours, study_area_cells

RES = 9


@pytest.fixture(scope="session")
def dacorum(dacorum_load: LoadResult) -> gpd.GeoDataFrame:
    return dacorum_load.incidents


@pytest.fixture(scope="session")
def wards() -> gpd.GeoDataFrame:
    return gpd.read_file(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="session")
def cells(wards: gpd.GeoDataFrame) -> pd.Index:
    return pd.Index(study_area_cells(wards, RES), name="cell")


@pytest.fixture(scope="session")
def h3_of(dacorum: gpd.GeoDataFrame) -> pd.Series:
    """Independent cell assignment: h3-py, one point at a time."""
    lon, lat = dacorum.geometry.x.to_numpy(), dacorum.geometry.y.to_numpy()
    return pd.Series([h3.latlng_to_cell(b, a, RES) for a, b in zip(lon, lat, strict=True)])


@pytest.fixture(scope="session")
def train(dacorum: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Six months, 2021-01 … 2021-06."""
    return dacorum[dacorum["month"] < "2021-07-01"]


def _month_counts(h3_of: pd.Series, dacorum: gpd.GeoDataFrame, month: str) -> pd.Series:
    return h3_of[(dacorum["month"] == month).to_numpy()].value_counts()


# --- measures on a table computed by hand ------------------------------------------------------

HAND_CELLS = list("abcdefghij")
HAND_SCORES = pd.Series([9, 7, 7, 7, 3, 0, 0, 0, 0, 0], index=HAND_CELLS, dtype=float)
HAND_FUTURE = pd.Series({"a": 4, "b": 2, "c": 0, "d": 1, "e": 1, "f": 2})  # 10 incidents
HAND_TRAIN = pd.Series({"a": 5, "b": 3, "c": 2})  # 10 incidents


def test_hit_rate_pai_pei_rri_on_a_hand_computed_table() -> None:
    result = hit_rate_pai(
        HAND_SCORES, HAND_FUTURE, coverage=[0.1, 0.3, 0.5, 0.7], train_counts=HAND_TRAIN
    )
    # 10 %: cell a (4 of 10) → hit 0.4, PAI 4, best 4 → PEI* 1; train hit 5/10 → RRI 0.8.
    # 30 %: a + 2 of the 3 cells tied at 7 (b, c, d: 2+0+1) → 4 + 2/3*3 = 6 → PAI 2,
    #       best 4+2+2 = 8 → PEI* 0.75; train 5 + 2/3*(3+2+0) = 25/3 → RRI 0.6/(25/30) = 0.72.
    # 50 %: a, b, c, d, e → 8 → PAI 1.6, best 10 → PEI* 0.8; train 10/10 → RRI 0.8.
    # 70 %: a..e + 2 of the 5 tied at 0 (f has 2) → 8 + 0.4*2 = 8.8 → PAI 0.88/0.7.
    expected = pd.DataFrame(
        {
            "cells": [1, 3, 5, 7],
            "captured": [4, 6, 8, 8.8],
            "hit_rate": [0.4, 0.6, 0.8, 0.88],
            "pai": [4.0, 2.0, 1.6, 0.88 / 0.7],
            "max_pai": [4.0, 0.8 / 0.3, 2.0, 1 / 0.7],
            "pei_star": [1.0, 0.75, 0.8, 0.88],
            "rri": [0.8, 0.72, 0.8, 0.88],
            "tied_cells": [1, 3, 1, 5],
            "tie_share": [1.0, 2 / 3, 1.0, 0.4],
        }
    )
    pd.testing.assert_frame_equal(result[expected.columns], expected, check_dtype=False)
    assert result.attrs["n_cells"] == 10 and result.attrs["n_future"] == 10


def test_ties_do_not_depend_on_cell_order() -> None:
    shuffled = HAND_SCORES.iloc[::-1]
    a = hit_rate_pai(HAND_SCORES, HAND_FUTURE, coverage=[0.3, 0.7])
    b = hit_rate_pai(shuffled, HAND_FUTURE, coverage=[0.3, 0.7])
    pd.testing.assert_frame_equal(a, b)


def test_measures_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="NaN or infinite"):
        hit_rate_pai(HAND_SCORES.replace(3.0, np.nan), HAND_FUTURE)
    with pytest.raises(ValueError, match="have no score"):
        hit_rate_pai(HAND_SCORES, pd.concat([HAND_FUTURE, pd.Series({"zz": 1})]))
    with pytest.raises(ValueError, match=r"coverage must be shares"):
        hit_rate_pai(HAND_SCORES, HAND_FUTURE, coverage=[0.0, 5])
    with pytest.raises(TypeError, match="Series indexed by cell"):
        hit_rate_pai(HAND_SCORES, HAND_FUTURE.to_numpy())


def test_perfect_foresight_has_pei_star_one(
    dacorum: gpd.GeoDataFrame, h3_of: pd.Series, cells: pd.Index
) -> None:
    future = _month_counts(h3_of, dacorum, "2021-09-01")
    perfect = future.reindex(cells, fill_value=0).astype(float)
    result = hit_rate_pai(perfect, future)
    np.testing.assert_allclose(result["pei_star"], 1.0)
    np.testing.assert_allclose(result["pai"], result["max_pai"])


def test_random_scores_have_pai_one_on_average(
    dacorum: gpd.GeoDataFrame, h3_of: pd.Series, cells: pd.Index
) -> None:
    future = _month_counts(h3_of, dacorum, "2021-09-01")
    rng = np.random.default_rng(20210901)
    pai = np.array(
        [
            hit_rate_pai(pd.Series(rng.random(len(cells)), index=cells), future)["pai"]
            for _ in range(300)
        ]
    )
    mean, se = pai.mean(axis=0), pai.std(axis=0, ddof=1) / np.sqrt(len(pai))
    assert (np.abs(mean - 1) < 4 * se).all(), (mean, se)
    history = hit_rate_pai(score_all_history(dacorum, cells), future)
    assert (history["pai"] > 5).all()  # real hotspots beat chance by far


# --- scoring methods against independent references --------------------------------------------


def test_count_scores_match_h3py_counts(
    dacorum: gpd.GeoDataFrame, train: gpd.GeoDataFrame, h3_of: pd.Series, cells: pd.Index
) -> None:
    in_train = (dacorum["month"] < "2021-07-01").to_numpy()
    expected = h3_of[in_train].value_counts().reindex(cells, fill_value=0)
    history = score_all_history(train, cells)
    np.testing.assert_array_equal(history.to_numpy(), expected.to_numpy())
    assert history.index.equals(cells) and history.sum() == in_train.sum()
    last = score_last_period(train, cells, months=2)
    june_may = _month_counts(h3_of, dacorum, "2021-06-01").add(
        _month_counts(h3_of, dacorum, "2021-05-01"), fill_value=0
    )
    np.testing.assert_array_equal(last.to_numpy(), june_may.reindex(cells, fill_value=0))
    assert last.attrs["params"] == {"method": "last_period", "months": 2}


def test_gistar_score_matches_esda(train: gpd.GeoDataFrame, cells: pd.Index) -> None:
    score = score_gistar(train, cells, k=1)
    counts = score_all_history(train, cells).to_numpy()
    ring = neighbours(cells, k=1, include_self=False).tocoo()
    w = libpysal.weights.WSP(ring.tocsr()).to_W(silence_warnings=True)
    reference = esda.G_Local(counts, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(score.to_numpy(), reference.Zs, rtol=1e-9, atol=1e-12)


def test_dbscan_score_matches_scikit_learn(
    dacorum: gpd.GeoDataFrame, train: gpd.GeoDataFrame, h3_of: pd.Series, cells: pd.Index
) -> None:
    score = score_dbscan(train, cells, eps_m=150, min_samples=20)
    labels = DBSCAN(eps=150, min_samples=20).fit(train[["x", "y"]].to_numpy()).labels_
    in_train = h3_of[(dacorum["month"] < "2021-07-01").to_numpy()].to_numpy()
    expected = pd.Series(in_train[labels >= 0]).value_counts().reindex(cells, fill_value=0)
    np.testing.assert_array_equal(score.to_numpy(), expected.to_numpy())
    assert score.attrs["params"]["n_clusters"] == labels.max() + 1 > 0


def _centres_bng(cells: pd.Index) -> np.ndarray:
    lat, lon = np.array([h3.cell_to_latlng(c) for c in cells]).T
    return np.column_stack(Transformer.from_crs(WGS84, BNG, always_xy=True).transform(lon, lat))


def test_kde_score_matches_brute_force_quartic(train: gpd.GeoDataFrame, cells: pd.Index) -> None:
    score = score_kde(train, cells, bandwidth_m=300)
    d2 = ((_centres_bng(cells)[:, None, :] - train[["x", "y"]].to_numpy()[None]) ** 2).sum(-1)
    h = 300.0
    kernel = np.where(d2 < h * h, 3 / (np.pi * h * h) * (1 - d2 / (h * h)) ** 2, 0).sum(1)
    np.testing.assert_allclose(score.to_numpy(), kernel * 1e6, rtol=1e-9, atol=1e-9)
    rule = score_kde(train, cells)
    assert 100 < rule.attrs["params"]["bandwidth_m"] < 5000
    assert "normal reference" in rule.attrs["params"]["bandwidth_rule"]


def test_near_repeat_matches_brute_force(train: gpd.GeoDataFrame, cells: pd.Index) -> None:
    tau, delta = 45.0, 250.0
    score = score_near_repeat(train, cells, tau_days=tau, delta_m=delta)
    month = pd.DatetimeIndex(train["month"])
    mid = month + pd.to_timedelta(month.days_in_month / 2, unit="D")
    age = (pd.Timestamp("2021-07-01") - mid) / pd.Timedelta(days=1)
    d = np.sqrt(
        ((_centres_bng(cells)[:, None, :] - train[["x", "y"]].to_numpy()[None]) ** 2).sum(-1)
    )
    contrib = np.exp(-np.asarray(age) / tau)[None, :] * np.exp(-d / delta) * (d <= 6 * delta)
    np.testing.assert_allclose(score.to_numpy(), contrib.sum(1), rtol=1e-9)
    assert score.attrs["params"] == {
        "method": "near_repeat",
        "tau_days": tau,
        "delta_m": delta,
        "now": "2021-07-01",
        "cutoff_m": 6 * delta,
    }


# --- backtests -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dacorum_folds(dacorum: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    return backtest_folds(dacorum, study_area=wards, res=RES, train_months=6)


def test_backtest_on_dacorum_covers_all_methods_and_folds(
    dacorum: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, dacorum_folds
) -> None:
    folds = dacorum_folds
    assert set(folds["method"]) == set(METHODS)
    assert len(folds) == 7 * len(METHODS) * 4  # 13 months - 6 training = 7 test months
    assert folds.attrs["n_used"] == len(dacorum) and folds.attrs["n_outside_area"] == 0
    summary = backtest(dacorum, study_area=wards, res=RES, methods=["all_history", "kde_300m"])
    assert len(summary) == 2 * 4 and (summary["folds"] == 7).all()
    assert summary.groupby("coverage")["best"].sum().ge(1).all()
    assert (summary["pai"] > 1).all()


def test_backtest_fold_equals_a_direct_evaluation(
    dacorum: gpd.GeoDataFrame, h3_of: pd.Series, cells: pd.Index, dacorum_folds
) -> None:
    folds = dacorum_folds
    fold = folds[(folds["method"] == "all_history") & (folds["test_month"] == "2021-09")]
    months = dacorum["month"]
    in_train = ((months >= "2021-03-01") & (months < "2021-09-01")).to_numpy()
    scores = h3_of[in_train].value_counts().reindex(cells, fill_value=0).astype(float)
    future = _month_counts(h3_of, dacorum, "2021-09-01")
    direct = hit_rate_pai(scores, future, train_counts=h3_of[in_train].value_counts())
    np.testing.assert_allclose(fold["pai"], direct["pai"])
    np.testing.assert_allclose(fold["rri"], direct["rri"])
    params = folds.attrs["method_params"]
    assert params["kde_rule"]["2021-09"]["bandwidth_m"] > 0
    assert params["dbscan"]["2021-09"]["eps_m"] == 150


def test_backtest_counts_incidents_it_leaves_out(
    dacorum: gpd.GeoDataFrame, herts_load: LoadResult, wards: gpd.GeoDataFrame
) -> None:
    herts = herts_load.incidents
    far = herts[herts["x"] > 530_000]  # east Hertfordshire, 20 km beyond Dacorum's edge
    others = far.head(100)
    unlocated = others.head(1).copy()
    unlocated["geometry"] = None
    both = pd.concat([dacorum, others, unlocated], ignore_index=True)
    both.attrs[WORKING_CRS] = BNG
    summary = backtest(both, study_area=wards, res=RES, methods=["all_history"], train_months=11)
    assert summary.attrs["n_outside_area"] == 100
    assert summary.attrs["n_unlocated"] == 1
    assert summary.attrs["n_used"] == len(dacorum)
    with pytest.raises(ValueError, match="needs at least 14"):
        backtest(dacorum, study_area=wards, methods=["all_history"], train_months=13)
    with pytest.raises(ValueError, match="unknown method"):
        backtest(dacorum, study_area=wards, methods=["crystal_ball"])


# --- issue 12: the cell set stated, figures equal an independent recomputation, gap months ------


def test_centre_cell_backtest_matches_an_independent_recomputation(
    dacorum: gpd.GeoDataFrame,
) -> None:
    """Like /work/shared/tools/next_month_baselines.py: h3-py, one point and polygon at a time."""

    res = 10
    folds = backtest_folds(
        dacorum,
        study_area="E07000096",
        res=res,
        methods=["last_month", "all_history"],
        train_months=3,
        coverage=[0.05],
        cell_set="centre",
        expanding=True,
    )
    assert folds.attrs["cell_set"].startswith("H3 cells whose centre lies in the study area")
    wards = gpd.read_file(datasets.wards_path()).union_all()
    cells: set[str] = set()
    for poly in getattr(wards, "geoms", [wards]):
        cells |= set(
            h3.polygon_to_cells(h3.LatLngPoly([(y, x) for x, y in poly.exterior.coords]), res)
        )
    lon, lat = dacorum.geometry.x.to_numpy(), dacorum.geometry.y.to_numpy()
    own = np.array([h3.latlng_to_cell(b, a, res) for a, b in zip(lon, lat, strict=True)])
    cells = sorted(cells | set(own))
    assert folds.attrs["n_cells"] == len(cells)
    index = {c: i for i, c in enumerate(cells)}
    at = np.array([index[c] for c in own])
    months = pd.to_datetime(dacorum["month"]).dt.strftime("%Y-%m").to_numpy()
    order = sorted(set(months))
    k = round(0.05 * len(cells))
    for t in range(3, len(order)):
        test = np.bincount(at[months == order[t]], minlength=len(cells)).astype(float)
        for name, train in (
            ("last_month", months == order[t - 1]),
            ("all_history", np.isin(months, order[:t])),
        ):
            score = np.bincount(at[train], minlength=len(cells)).astype(float)
            top = np.argsort(-score, kind="stable")
            cut = score[top[k - 1]]
            above, tied = score > cut, score == cut
            n = test[above].sum() + (k - above.sum()) / tied.sum() * test[tied].sum()
            pei = n / np.sort(test)[::-1][:k].sum()
            row = folds[(folds["method"] == name) & (folds["test_month"] == order[t])]
            assert row["pei_star"].iloc[0] == pytest.approx(pei, rel=0.01), (name, order[t])
            assert row["pai"].iloc[0] == pytest.approx(n / test.sum() / (k / len(cells)), rel=0.01)
    # the reference figures of the shared tool (random tie-break), within 1 %
    mean = folds.groupby("method")[["pai", "pei_star"]].mean()
    assert mean.loc["all_history", "pai"] == pytest.approx(17.36, rel=0.01)
    assert mean.loc["all_history", "pei_star"] == pytest.approx(0.868, rel=0.01)
    assert mean.loc["last_month", "pai"] == pytest.approx(13.90, rel=0.01)


def test_backtest_skips_months_without_data(dacorum: gpd.GeoDataFrame, wards) -> None:
    gap = dacorum[dacorum["month"] != "2021-05-01"]
    folds = backtest_folds(gap, study_area=wards, res=RES, methods=["gistar"], train_months=1)
    skipped = folds.attrs["skipped_months"]
    assert skipped == {
        "2021-05": "no incidents in the test month",
        "2021-06": "no incidents in the training window",
    }
    assert "2021-05" not in set(folds["test_month"]) and len(set(folds["test_month"])) == 10
