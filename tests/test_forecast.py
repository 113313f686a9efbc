"""hotspots.analysis.forecast: terms on hand-computed fixtures, no look-ahead, method choice."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from hotspots.analysis.forecast import (
    DEFAULT_METHOD,
    DENSITY_VARIANTS,
    SWITCH_MARGIN,
    SWITCH_SHARE,
    _best_column,
    build_history,
    capture,
    default_forecast,
    forecast,
    recency_density,
    terms_at,
    tie_broken,
)
from hotspots.data.schema import BNG, WGS84, incidents_from_xy
from hotspots.views.cli import main

RES = 10
CENTRE = (51.75, -0.47)  # Hemel Hempstead
A = h3.latlng_to_cell(*CENTRE, RES)
B = h3.grid_ring(A, 5)[0]
C = h3.grid_ring(A, 5)[9]
AREA = shapely.Polygon(
    [(-0.49, 51.74), (-0.45, 51.74), (-0.45, 51.76), (-0.49, 51.76)]
)  # about 2.8 x 2.2 km
TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)


def _at(cells: list[str], months: list[str], *, days: list[int] | None = None) -> gpd.GeoDataFrame:
    """Incidents at the centres of ``cells`` in ``months`` (optionally timed on ``days``)."""
    lat, lon = np.array([h3.cell_to_latlng(c) for c in cells]).T
    x, y = TO_BNG.transform(lon, lat)
    frames = []
    for i, month in enumerate(months):
        one = incidents_from_xy(np.array([[x[i], y[i]]]), "Burglary", month=f"{month}-01")
        if days is not None:
            one["occurred_from"] = pd.Timestamp(f"{month}-{days[i]:02d} 12:00")
            one["time_precision"] = "exact"
        frames.append(one)
    out = pd.concat(frames, ignore_index=True)
    out["incident_id"] = out.index.astype(str)
    out.attrs.update(frames[0].attrs)
    return out


# month 0 (2021-01): A x3, B x1; month 1: A x1, C x2; month 2: B x2
HAND = _at(
    [A, A, A, B, A, C, C, B, B],
    ["2021-01"] * 4 + ["2021-02"] * 3 + ["2021-03"] * 2,
)


@pytest.fixture(scope="module")
def hist():
    return build_history(HAND, area=AREA, res=RES)


def _value(hist, term: np.ndarray, cell: str) -> float:
    return float(term[hist.cells.get_loc(cell)])


def test_count_terms_by_hand(hist) -> None:
    assert list(map(str, hist.months)) == ["2021-01", "2021-02", "2021-03"]
    terms = terms_at(hist, 3)
    for name, expected in {
        "last_month": {A: 0, B: 2, C: 0},
        "last_3_months": {A: 4, B: 3, C: 2},
        "all_history": {A: 4, B: 3, C: 2},
        # half-life 1 month: the last month weighs 1, the one before 0.5, then 0.25
        "recent_h1": {A: 3 * 0.25 + 0.5, B: 0.25 + 2, C: 2 * 0.5},
        "recent_h3": {
            A: 3 * 0.5 ** (2 / 3) + 0.5 ** (1 / 3),
            B: 0.5 ** (2 / 3) + 2,
            C: 2 * 0.5 ** (1 / 3),
        },
    }.items():
        for cell, value in expected.items():
            assert _value(hist, terms[name], cell) == pytest.approx(value), (name, cell)
    assert terms["all_history"].sum() == 9
    assert "near_repeat" not in terms  # month-only data


def test_neighbour_parent_and_smoothed_terms_by_hand(hist) -> None:
    terms = terms_at(hist, 3)
    h6 = terms["recent_h6"]
    a = _value(hist, h6, A)
    assert a == pytest.approx(3 * 0.5 ** (2 / 6) + 0.5 ** (1 / 6))
    # a neighbour of A with all 6 neighbours in the area and no other incident near it
    n = h3.grid_ring(A, 1)[0]
    assert _value(hist, terms["ring"], n) == pytest.approx(a / 6)
    assert _value(hist, terms["ring"], A) == 0
    assert _value(hist, terms["smoothed"], A) == pytest.approx(a / 7)
    assert _value(hist, terms["smoothed"], n) == pytest.approx(a / 7)
    parent = h3.cell_to_parent(A, RES - 1)
    siblings = [c for c in h3.cell_to_children(parent, RES) if c in hist.cells]
    expected = sum(_value(hist, h6, c) for c in siblings) / 7
    assert _value(hist, terms["parent"], A) == pytest.approx(expected)


def test_kde_and_gistar_terms_by_brute_force(hist) -> None:
    terms = terms_at(hist, 3)
    edge = h3.average_hexagon_edge_length(RES, unit="m")
    xy = HAND[["x", "y"]].to_numpy()
    month = pd.to_datetime(HAND["month"]).dt.month.to_numpy() - 1
    weight = 0.5 ** ((2 - month) / 6)
    d = np.hypot(*(hist.cell_xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    bw = round(edge)
    gauss = (np.exp(-0.5 * (d / bw) ** 2) * (d <= 3 * bw) * weight).sum(axis=1)
    np.testing.assert_allclose(terms[f"kde_gauss_{bw}m"], gauss, atol=1e-9)
    bw = round(3 * edge)
    quartic = ((1 - (d / bw) ** 2) ** 2 * (d <= bw) * weight).sum(axis=1)
    np.testing.assert_allclose(terms[f"kde_quartic_{bw}m"], quartic, atol=1e-9)
    # Gi* (Getis & Ord 1992, star form) with binary 1-ring weights, self included
    x = terms["all_history"]
    w = np.array([[h3.grid_distance(a, b) <= 1 for b in hist.cells] for a in hist.cells], float)
    n, mean, s = len(x), x.mean(), x.std()
    sw, sw2 = w.sum(axis=1), (w**2).sum(axis=1)
    z = (w @ x - mean * sw) / (s * np.sqrt((n * sw2 - sw**2) / (n - 1)))
    np.testing.assert_allclose(terms["gistar"], z, atol=1e-9)


def test_near_repeat_term_by_hand() -> None:
    timed = _at([A, A, B], ["2021-01", "2021-02", "2021-02"], days=[10, 20, 27])
    hist = build_history(timed, area=AREA, res=RES)
    terms = terms_at(hist, 2)  # forecast of 2021-03, now = 2021-03-01
    # 2021-01-10 12:00 is 49.5 days before, 2021-02-20 12:00 is 8.5, 2021-02-27 12:00 is 1.5
    a = np.exp(-49.5 / 14) + np.exp(-8.5 / 14)
    assert _value(hist, terms["near_repeat"], A) == pytest.approx(a)
    assert _value(hist, terms["near_repeat"], B) == pytest.approx(np.exp(-1.5 / 14))
    n = h3.grid_ring(A, 1)[0]
    assert _value(hist, terms["near_repeat"], n) == pytest.approx(a / 6)


def test_tie_break_and_capture_by_hand() -> None:
    primary = np.array([3.0, 1.0, 1.0, 0.0, 1.0])
    tie = np.array([0.0, 0.2, 0.8, 1.0, 0.4])
    np.testing.assert_allclose(tie_broken(primary, tie), [2.0, 1.1, 1.4, 0.5, 1.2])
    future = np.array([1.0, 0, 3, 0, 0, 0, 0, 0, 0, 0])
    score = np.array([5.0, 4, 4, 1, 0, 0, 0, 0, 0, 0])
    # 20 %: cell 0 and one of the two tied at 4 (pro rata: half of 0 + 3) → 2.5 of 4
    hit, pai, pei = capture(score, future, 0.2)
    assert (hit, pai, pei) == pytest.approx((2.5 / 4, 2.5 / 4 / 0.2, 2.5 / 4))


def test_recency_density_by_hand(hist) -> None:
    recent = np.array([4.0, 2.0, 0.0, 0.0])
    near = np.array([1.0, 0.5, 0.2, 0.0])
    wide = np.array([2.0, 1.0, 1.0, 0.5])
    history = np.array([5.0, 1.0, 0.0, 0.0])
    # scaled: recent [1, .5, 0, 0], near [1, .5, .2, 0], wide [1, .5, .5, .25]
    # with history: 2 + recent + 0.05 near + 0.05 wide; without: wide alone
    score = recency_density(recent, near, wide, history=history)
    np.testing.assert_allclose(score, [2 + 1 + 0.05 + 0.05, 2 + 0.5 + 0.025 + 0.025, 0.5, 0.25])
    # in terms_at, from the same month's terms (months < 3 only)
    terms = terms_at(hist, 3)
    edge = round(h3.average_hexagon_edge_length(RES, unit="m"))
    h12, k1, k2 = terms["recent_h12"], terms[f"kde_gauss_{edge}m"], terms[f"kde_gauss_{2 * edge}m"]
    cell = C  # 2 incidents in month 1 only: h12 = 2 * 0.5 ** (1 / 12)
    expected = (
        2 + 2 * 0.5 ** (1 / 12) / h12.max() + 0.05 * _value(hist, k1, C) / k1.max()
        + 0.05 * _value(hist, k2, C) / k2.max()
    )  # fmt: skip
    assert _value(hist, terms["recency_density"], cell) == pytest.approx(expected)
    score = terms["recency_density"]
    with_history = terms["all_history"] > 0
    assert score[~with_history].max() <= 1 and score[with_history].min() >= 2


def test_recency_density_variants_by_hand(hist) -> None:
    terms = terms_at(hist, 3)
    edge = round(h3.average_hexagon_edge_length(RES, unit="m"))
    k1, k2 = terms[f"kde_gauss_{edge}m"], terms[f"kde_gauss_{2 * edge}m"]
    density = 0.05 * _value(hist, k1, C) / k1.max() + 0.05 * _value(hist, k2, C) / k2.max()
    # months 0..2: A 3 + 1 = 4 (the most), B 1 + 2 = 3, C 2 (month 1)
    assert _value(hist, terms["recency_density_all"], C) == pytest.approx(2 + 2 / 4 + density)
    # half-life 1: C 2 * 0.5; A 3 * 0.25 + 1 * 0.5 = 1.25; B 1 * 0.25 + 2 = 2.25 (the most)
    assert _value(hist, terms["recency_density_h1"], C) == pytest.approx(2 + 1 / 2.25 + density)
    assert set(DENSITY_VARIANTS) <= set(terms) and "recency_density_h12" not in terms


def test_auto_switches_only_on_paired_evidence() -> None:
    default, other = (DEFAULT_METHOD, "demote"), ("recent_h6", "demote")
    gain = 2 * SWITCH_MARGIN

    def table(deltas: list[float]) -> pd.DataFrame:
        base = np.full(len(deltas), 0.8)
        return pd.DataFrame({default: base, other: base + np.array(deltas)})

    def _chosen(pei: pd.DataFrame) -> tuple[str, str]:
        columns = list(pei.columns)
        return columns[_best_column(pei.to_numpy(float), columns)]

    # better by 2 margins on average, but in only 2 of 4 months: one lucky month carries it
    assert _chosen(table([4 * gain, 4 * gain, -gain, -gain])) == default
    # better every month, but by less than the margin
    assert _chosen(table([SWITCH_MARGIN / 2] * 4)) == default
    # better in 3 of 4 months and by more than the margin: proven
    assert _chosen(table([gain, gain, 2 * gain, -gain / 2])) == other


def test_no_look_ahead_terms(hist) -> None:
    t = 2
    before = terms_at(hist, t)
    rng = np.random.default_rng(1)
    hist.counts[:, t:] = rng.poisson(3.0, hist.counts[:, t:].shape)
    loc = hist.loc_month.tolil()
    loc[:, t:] = rng.poisson(3.0, (loc.shape[0], loc.shape[1] - t))
    hist.loc_month = loc.tocsr()
    after = terms_at(hist, t)
    for name in before:
        np.testing.assert_array_equal(before[name], after[name], err_msg=name)


def test_no_look_ahead_forecast() -> None:
    months = [f"2021-{m:02d}" for m in range(1, 9)]
    rng = np.random.default_rng(3)
    pool = [A, B, C, *h3.grid_ring(A, 2)]
    cells = [pool[i] for i in rng.integers(0, len(pool), 80)]
    incidents = _at(cells, [months[i // 10] for i in range(80)])
    later = _at([C] * 30, ["2021-07"] * 15 + ["2021-08"] * 15)
    full = forecast(incidents, study_area=AREA, through="2021-06", coverage=0.05)
    cut = forecast(incidents[incidents["month"] < "2021-07-01"], study_area=AREA, through="2021-06")
    changed = pd.concat([incidents, later], ignore_index=True)
    changed.attrs.update(incidents.attrs)
    other = forecast(changed, study_area=AREA, through="2021-06")
    assert str(full.month) == "2021-07"
    for result in (cut, other):
        pd.testing.assert_frame_equal(full.cells, result.cells)
        assert full.figures == result.figures


def test_the_default_forecast_is_the_forecast_when_its_backtest_keeps_the_default() -> None:
    """default_forecast: without a backtest, the cells forecast gives whenever it keeps the
    default method (demoted zero-history cells), bit for bit; it says no backtest ran."""
    months = [f"2021-{m:02d}" for m in range(1, 10)]
    rng = np.random.default_rng(7)
    pool = [A, B, C, *h3.grid_ring(A, 2)]
    cells = [pool[i] for i in rng.integers(0, len(pool), 180)]
    incidents = _at(cells, [months[i // 20] for i in range(180)])
    for through in ("2021-09", "2021-07"):
        made = forecast(incidents, study_area=AREA, through=through)
        assert (made.method, made.figures["zero_history"]) == (DEFAULT_METHOD, "demote")
        likely = default_forecast(incidents, study_area=AREA, through=through)
        pd.testing.assert_frame_equal(likely.cells, made.cells, check_exact=True)
        assert likely.month == made.month and likely.method == DEFAULT_METHOD
        assert likely.figures["folds"] == 0 and likely.backtest.empty
        assert likely.summary() == f"{DEFAULT_METHOD}: no backtest (too little history)"
    other = forecast(incidents, study_area=AREA, method="last_month")  # another method's cells
    assert not other.cells.equals(default_forecast(incidents, study_area=AREA).cells)


def test_zero_history_cells_never_first() -> None:
    # an empty cell E ringed by six busy cells, and one cell A with the most incidents
    e = h3.grid_ring(A, 3)[0]
    ring = list(h3.grid_ring(e, 1))
    months = [f"2021-{m:02d}" for m in range(1, 7)]
    cells, when = [], []
    for m in months:
        cells += [*ring, A, A, A, A, A, A, A]
        when += [m] * 13
    incidents = _at(cells, when)
    for method in ("ring", "smoothed", "kde_gauss_152m", "recency_density", "auto"):
        result = forecast(incidents, study_area=AREA, method=method)
        first = result.cells.sort_values("rank").iloc[0]
        assert first["history"] > 0, method
        empty = result.cells.set_index("cell").loc[e]
        assert empty["history"] == 0
        assert empty["rank"] > 7, method  # below A and the six ring cells


def test_combination_is_reproducible_and_non_negative() -> None:
    months = [f"2021-{m:02d}" for m in range(1, 9)]
    rng = np.random.default_rng(5)
    pool = [A, B, C, *h3.grid_ring(A, 1), *h3.grid_ring(B, 2)]
    cells = [pool[i] for i in rng.integers(0, len(pool), 160)]
    incidents = _at(cells, [months[i // 20] for i in range(160)])
    one = forecast(incidents, study_area=AREA, method="combination")
    two = forecast(incidents, study_area=AREA, method="combination")
    pd.testing.assert_frame_equal(one.cells, two.cells)
    assert one.figures["weights"] == two.figures["weights"]
    assert one.figures["weights"] and min(one.figures["weights"].values()) > 0
    assert one.figures["folds"] == 5  # 2021-04 .. 2021-08 (3 months of history first)


def test_auto_reports_out_of_sample_figures() -> None:
    months = [f"2021-{m:02d}" for m in range(1, 10)]
    rng = np.random.default_rng(7)
    pool = [A, B, C, *h3.grid_ring(A, 2)]
    cells = [pool[i] for i in rng.integers(0, len(pool), 180)]
    incidents = _at(cells, [months[i // 20] for i in range(180)])
    result = forecast(incidents, study_area=AREA)
    f = result.figures
    assert f["folds"] == 6 and len(f["picks"]) == 6
    # the first three test months use the default method, before the backtest can choose
    assert all(p.endswith(DEFAULT_METHOD) for p in f["picks"][:3])
    assert 0 <= f["pei"] <= 1 and f["pai"] == pytest.approx(f["hit_rate"] / 0.05, rel=0.05)
    assert "5 % of the area" in result.summary()
    assert result.summary().startswith("over the last 6 months, the 5 % of the area")
    # one test month: "over the last month", not "the last 1 months"
    one = forecast(_at(cells[:80], [months[i // 20] for i in range(80)]), study_area=AREA)
    assert one.figures["folds"] == 1
    assert one.summary().startswith("over the last month, the 5 % of the area marked here held")
    selected = result.selected
    assert list(selected["rank"]) == list(range(1, len(selected) + 1))
    with pytest.raises(ValueError, match="unknown method"):
        forecast(incidents, study_area=AREA, method="crystal_ball")


def test_cli_forecast_writes_cells_and_figures(tmp_path, capsys) -> None:
    months = [f"2021-{m:02d}" for m in range(1, 7)]
    cells = [A, B, C] * 12
    incidents = _at(cells, [months[i // 6] for i in range(36)])
    src = tmp_path / "inc.parquet"
    incidents.to_parquet(src)
    boundary = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[AREA], crs=WGS84).to_file(boundary)
    out = tmp_path / "fc.csv"
    status = main(
        ["forecast", str(src), "--study-area", str(boundary), "--through", "2021-05",
         "--res", str(RES), "--coverage", "0.05", "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["cell", "rank", "place", "score"]
    from hotspots.space.places import NO_WARD_NOTE

    assert capsys.readouterr().out.count(NO_WARD_NOTE) == 1  # a boundary without wards: once
    assert set(table["cell"].head(3)) == {A, B, C}
    import json

    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["month"] == "2021-06" and meta["figures"]["through"] == "2021-05"
    assert meta["method"] and "pei" in meta["figures"]


def test_captures_at_several_coverages_equal_capture_bit_for_bit() -> None:
    """The backtest's one-partial-sort :func:`captures` (several methods at once) against
    :func:`capture` per method and coverage, on tie-heavy scores (counts, demoted counts,
    rounded densities) and empty months."""
    from hotspots.analysis.forecast import captures

    rng = np.random.default_rng(14)
    coverages = [0.01, 0.03, 0.05, 0.10]
    for case in range(600):
        n = int(rng.integers(1, 2000))
        score = [
            rng.integers(0, 4, n).astype(float),
            rng.random(n),
            np.round(rng.random(n), 2) + 5.0 * (rng.random(n) < 0.3),
        ][case % 3]
        scores = np.stack([score, score[::-1], np.zeros(n), -score])
        future = rng.poisson(0.3, n).astype(float) * (case % 7 != 0)
        want = np.array([[capture(row, future, c) for c in coverages] for row in scores])
        got = captures(scores, future, coverages)
        assert np.array_equal(got, want, equal_nan=True), case
        assert np.array_equal(captures(score, future, coverages)[0], want[0], equal_nan=True)


def test_month_captures_equal_captures_of_demoted_and_plain_scores() -> None:
    """The backtest's month of figures (:func:`_month_captures`, measured on the cells with
    history where the others cannot be selected) against :func:`captures` of every candidate
    demoted and as it is: counts, ties at the cut, as many cells with history ahead of the
    others as the largest selection or one fewer, scores the demotion's span rounds
    together with the others', NaN, fractional futures."""
    from hotspots.analysis.forecast import _demoted, _month_captures, captures

    rng = np.random.default_rng(21)
    coverages = [0.01, 0.03, 0.05, 0.10]
    for case in range(400):
        n = int(rng.integers(20, 3000))
        most = int(np.floor(0.1 * n + 0.5))
        n_history = [most - 1, most, most + 1, int(rng.integers(0, n + 1))][case % 4]
        history = np.zeros(n)
        history[rng.choice(n, max(n_history, 0), replace=False)] = rng.integers(1, 4, n_history)
        on = history > 0
        ahead = np.flatnonzero(on)[: most - 1 + int(rng.integers(0, 3))]
        lifted = rng.random(n)
        lifted[ahead] += 1.0  # these history cells above every other cell
        with_nan = lifted.copy()
        with_nan[np.flatnonzero(on)[-1:]] = np.nan
        candidates = [
            rng.poisson(0.5, n).astype(float) * on,
            lifted,
            with_nan,
            np.round(rng.random(n), 2),
            2.0 + np.round(rng.random(n), 3) * on + 1e-16 * rng.integers(0, 4, n),
            np.where(on, rng.integers(0, 3, n), 1e17),  # the span rounds away: all tied
            np.zeros(n),
        ]
        future = rng.poisson(0.5, n).astype(float)
        if case % 3 == 0:
            future *= rng.random(n)  # no whole numbers: sums depend on their order
        with np.errstate(divide="ignore", invalid="ignore"):  # the NaN rows
            want = [
                captures(np.stack([_demoted(c, history), c]), future, coverages) for c in candidates
            ]
            got = _month_captures(candidates, history, future, coverages)
        assert np.array_equal(got, np.concatenate(want), equal_nan=True), case


def test_gistar_term_equals_gi_star_z() -> None:
    """The forecast's Gi* term (each cell's spread per unit standard deviation made once per
    history) against :func:`gi_star`'s z, NaN as 0, bit for bit; constant counts give 0."""
    from types import SimpleNamespace

    from hotspots.analysis.forecast import _gistar
    from hotspots.analysis.stats.gistar import gi_star
    from hotspots.space.grid import neighbours

    cells = pd.Index(sorted(h3.grid_disk(A, 12)))
    history = SimpleNamespace(
        cells=cells, disk=neighbours(cells, k=1, include_self=True), _cache={}
    )
    rng = np.random.default_rng(30)
    for case in range(12):
        counts = rng.poisson([0.2, 1.0, 6.0][case % 3], len(cells)).astype(float)
        want = np.nan_to_num(np.asarray(gi_star(counts, history.disk).z, dtype=float))
        assert np.array_equal(_gistar(history, counts), want), case  # type: ignore[arg-type]
    assert not _gistar(history, np.full(len(cells), 2.0)).any()  # type: ignore[arg-type]


def test_dense_rank_equals_numpy_unique_inverse() -> None:
    """The dense rank behind :func:`tie_broken` against ``np.unique``'s inverse, on counts,
    signed values, -0.0 beside 0.0, no zeros, only zeros, an empty array, counts too large
    to count ranks and halves."""
    from hotspots.analysis.forecast import _dense_rank

    rng = np.random.default_rng(3)
    cases = [
        rng.poisson(0.4, 500).astype(float),
        np.round(rng.normal(size=300), 1) * (rng.random(300) < 0.5),
        np.array([0.0, -0.0, 2.0, -1.0, 0.0]),
        rng.random(50) + 1.0,
        np.zeros(7),
        np.empty(0),
        np.r_[rng.poisson(3.0, 200), 2.0**21],  # counts past the counted ranks
        rng.poisson(0.4, 100) + 0.5,
    ]
    for x in cases:
        want = np.unique(x, return_inverse=True)[1].ravel()
        assert np.array_equal(_dense_rank(x), want), x


def test_top_cells_are_the_largest_values() -> None:
    """:func:`_top` picks ``k`` distinct cells holding the ``k`` largest values, on tie-heavy
    counts, continuous scores, constant and tiny arrays (its cut from a sample may miss)."""
    from hotspots.analysis.forecast import _top

    rng = np.random.default_rng(5)
    cases = [rng.poisson(0.2, 5000).astype(float), rng.random(3000), np.ones(100), rng.random(3)]
    cases += [np.sort(rng.random(4000)), np.r_[np.zeros(900), rng.random(100) + 1]]
    for score in cases:
        for k in {1, 2, max(1, score.size // 10), score.size}:
            top = _top(score, k)
            assert np.unique(top).size == k
            assert np.array_equal(np.sort(score[top]), np.sort(score)[-k:]), (score.size, k)


def test_fit_rows_prefixes_equal_the_stacked_months() -> None:
    """The combination's fit rows: the first ``m`` months of the growing buffer are the months'
    chosen rows stacked, whatever the buffer grew through."""
    from hotspots.analysis.forecast import _FitRows

    rng = np.random.default_rng(8)
    months = [(rng.random((int(n), 4)), rng.random(int(n))) for n in rng.integers(0, 900, 9)]
    chosen = [rng.random(len(y)) < 0.6 for _, y in months]
    rows = _FitRows(4)
    for m, ((x, y), keep) in enumerate(zip(months, chosen, strict=True), start=1):
        rows.add(x, y, keep)
        got_x, got_y = rows.first(m)
        pairs = list(zip(months[:m], chosen[:m], strict=True))
        assert np.array_equal(got_x, np.vstack([a[k] for (a, _), k in pairs]))
        assert np.array_equal(got_y, np.concatenate([b[k] for (_, b), k in pairs]))


def test_history_by_distinct_places_equals_per_incident_counts() -> None:
    """The history counts each distinct place's cell once: the same counts and locations as
    a per-incident computation (h3 per incident, np.unique of the coordinates)."""
    rng = np.random.default_rng(2)
    cells = [h3.grid_ring(A, 1 + i % 6)[i % 6] for i in range(60)]
    months = [f"2021-{1 + i % 5:02d}" for i in range(60)]
    incidents = _at([cells[i] for i in rng.integers(0, 60, 300)], months * 5)
    hist = build_history(incidents, area=AREA, res=RES)
    lon, lat = incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    own = [h3.latlng_to_cell(b, a, RES) for a, b in zip(lon, lat, strict=True)]
    month = pd.to_datetime(incidents["month"]).dt.month.to_numpy() - 1
    want = np.zeros((len(hist.cells), len(hist.months)))
    np.add.at(want, (hist.cells.get_indexer(own), month), 1.0)
    assert np.array_equal(hist.counts, want)
    loc_xy, loc_of = np.unique(incidents[["x", "y"]].to_numpy(), axis=0, return_inverse=True)
    assert np.array_equal(hist.loc_xy, loc_xy)
    assert np.array_equal(hist.loc_month.toarray(), np.bincount(
        loc_of.ravel() * 5 + month, minlength=len(loc_xy) * 5).reshape(-1, 5))  # fmt: skip


def test_counts_before_a_month_equal_the_sums_of_its_months_bit_for_bit() -> None:
    """:meth:`History.before` (running sums of the counts) against the sums of the months it
    stands for, on a history of hundreds of incidents in some months and none in others."""
    rng = np.random.default_rng(9)
    cells = [h3.grid_ring(A, 1 + i % 6)[i % 6] for i in range(60)]
    months = [f"2021-{1 + i % 9:02d}" for i in rng.integers(0, 9, 900) if i % 9 != 4]
    hist = build_history(
        _at([cells[i % 60] for i in range(len(months))], months), area=AREA, res=RES
    )
    n = len(hist.months)
    for t in range(n + 1):
        assert np.array_equal(hist.before(t), hist.counts[:, :t].sum(axis=1))
        for last in (1, 3, 12):
            assert np.array_equal(
                hist.before(t, last), hist.counts[:, max(t - last, 0) : t].sum(axis=1)
            )


def test_operators_are_kept_per_history_not_shared_between_selections() -> None:
    """Kernels and Gi* weights are kept on the history they were built for: a second
    selection in a row gets its own, equal to a fresh build, and its own forecast."""
    first = build_history(HAND, area=AREA, res=RES)
    fewer = HAND.iloc[[0, 1, 2, 4, 5, 6]].copy()  # no incident at B
    fewer.attrs.update(HAND.attrs)
    second = build_history(fewer, area=AREA, res=RES)
    bw = round(h3.average_hexagon_edge_length(RES, unit="m"))
    k1, k2 = first.kernel(bw, "gauss"), second.kernel(bw, "gauss")
    assert first.kernel(bw, "gauss") is k1 and k1.shape[1] != k2.shape[1]
    fresh = build_history(fewer, area=AREA, res=RES).kernel(bw, "gauss")
    assert (k2 != fresh).nnz == 0
    terms = [terms_at(h, 2) for h in (first, second)]
    assert not np.array_equal(terms[0]["gistar"], terms[1]["gistar"])
    again = terms_at(build_history(fewer, area=AREA, res=RES), 2)
    for name, values in terms[1].items():
        assert np.array_equal(values, again[name]), name


def test_history_times_only_the_incidents_not_month_precise() -> None:
    """A history keeps the time of every incident whose ``time_precision`` is anything but
    ``"month"`` (missing included), whatever the column's dtype: text (with NaN or NA),
    objects, categories."""
    timed = _at([A, B, C, A], ["2021-01"] * 4, days=[3, 4, 5, 6])
    precision = ["month", "exact", None, "day"]
    for dtype in ("str", "string", object, "category"):
        incidents = timed.copy()
        incidents["time_precision"] = pd.Series(precision, dtype=dtype)
        hist = build_history(incidents, area=AREA, res=RES)
        assert np.isnat(hist.times).tolist() == [True, False, False, False], dtype
    for dtype in (object, "category"):  # read as text: a month in bytes is a month
        incidents = timed.copy()
        incidents["time_precision"] = pd.Series([b"month", b"exact", None, "day"], dtype=dtype)
        hist = build_history(incidents, area=AREA, res=RES)
        assert np.isnat(hist.times).tolist() == [True, False, False, False], dtype


def test_study_area_cells_kept_per_area_equal_fresh_ones() -> None:
    """The study area's cells, H3 indexes and centres kept between forecasts (keyed by area,
    resolution and CRS): equal to a fresh computation, read-only, and another area gets its
    own; a history's indexes are its cells' and ascend as its ids do."""
    from hotspots.analysis.evaluate.methods import _cell_centres_xy
    from hotspots.analysis.forecast import _area_cells_xy, area_cells
    from hotspots.space.grid import cells_to_ints

    crs = str(HAND.attrs["working_crs"])
    smaller = shapely.box(-0.48, 51.745, -0.46, 51.755)
    for area in (AREA, smaller, AREA):
        cells, ids, xy = _area_cells_xy(shapely.to_wkb(area), RES, crs)
        fresh = area_cells(area, RES)
        assert np.array_equal(cells, fresh)
        assert np.array_equal(ids, cells_to_ints(fresh))
        assert np.array_equal(xy, _cell_centres_xy(pd.Index(fresh), crs))
        assert not cells.flags.writeable and not ids.flags.writeable and not xy.flags.writeable
        hist = build_history(HAND, area=area, res=RES)
        assert set(fresh) <= set(hist.cells)
        assert hist.cells.is_monotonic_increasing and (np.diff(hist.ids) > 0).all()
        assert np.array_equal(hist.ids, cells_to_ints(hist.cells))
        assert np.array_equal(hist.cell_xy, _cell_centres_xy(hist.cells, crs))
    assert len(area_cells(smaller, RES)) < len(area_cells(AREA, RES))


def test_forecast_runs_its_linear_algebra_on_one_blas_thread() -> None:
    """The wrapper limits BLAS to one thread for the call and restores it after."""
    from threadpoolctl import threadpool_info

    from hotspots.analysis.forecast import _one_blas_thread

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    assert before, "numpy has a BLAS library"
    assert _one_blas_thread(blas_threads)() == [1] * len(before)
    assert blas_threads() == before
    assert forecast.__wrapped__ is not None  # type: ignore[attr-defined]


def _choose_by_pivot_table(folds: pd.DataFrame, *, method: str, coverage: float):
    """The method choice as it was written before (a pandas pivot table and DataFrame means):
    the reference :func:`_choose` must equal, figure for figure."""
    from hotspots.analysis.forecast import MIN_FOLDS_TO_SWITCH

    at = folds[folds["coverage"] == coverage]
    table = at.pivot_table(
        index="test_month", columns=["method", "zero_history"], values=["hit_rate", "pai", "pei"]
    )
    pei, hit, pai = table["pei"], table["hit_rate"], table["pai"]
    months = list(pei.index)
    if method == "auto" and len(months) < MIN_FOLDS_TO_SWITCH:
        best = (DEFAULT_METHOD, "demote")
        picks = [best] * len(months)
    elif method != "auto":
        cols = [c for c in pei.columns if c[0] == method]
        best = max(cols, key=lambda c: (pei[c].mean(), c[1] == "demote"))
        picks = [best] * len(months)
    else:
        picks = []
        for i in range(len(months)):
            before = pei.iloc[:i].dropna(axis=1, how="any")
            ok = i >= MIN_FOLDS_TO_SWITCH and not before.empty
            picks.append(_best_by_frame(before) if ok else (DEFAULT_METHOD, "demote"))
        best = _best_by_frame(pei.dropna(axis=1, how="any"))

    def mean(table: pd.DataFrame) -> float:
        return float(np.mean([table.loc[m, p] for m, p in zip(months, picks, strict=True)]))

    picked = [f"{m}:{p[0]}" for m, p in zip(months, picks, strict=True)]
    return best, (len(months), mean(hit), mean(pai), mean(pei), picked)


def _best_by_frame(pei: pd.DataFrame) -> tuple[str, str]:
    default = (DEFAULT_METHOD, "demote")
    if default not in pei.columns:
        means = pei.mean()
        return max(means.index, key=lambda c: (round(means[c], 12), c[1] == "demote"))
    gain = pei.sub(pei[default], axis=0)
    mean, share = gain.mean(), (gain > 0).mean()
    proven = mean[(mean >= SWITCH_MARGIN) & (share >= SWITCH_SHARE)]
    if proven.empty:
        return default
    return max(proven.index, key=lambda c: (round(proven[c], 12), c[1] == "demote"))


def test_choose_equals_the_pivot_table_it_replaces() -> None:
    """The backtest's choice of method and its figures from numpy tables equal those of a
    pandas pivot table (means summed alike, bit for bit), on random backtests where one method
    sometimes beats the default (and the combination starts late), by margins of every size."""
    from hotspots.analysis.forecast import _choose, _column_means, _folds

    rng = np.random.default_rng(4)
    periods = pd.period_range("2021-01", periods=14, freq="M")
    names = [DEFAULT_METHOD, "recent_h6", "all_history", "combination", "kde_gauss_76m"]
    switched = 0
    for _ in range(150):
        months, coverages = [], [0.01, 0.05, 0.1]
        for t in range(1, int(rng.integers(2, 14))):
            candidates = [n for n in names if n != "combination" or t > 2]
            base = rng.random() * 0.8
            scale = 10.0 ** rng.integers(-7, 0, size=(2 * len(candidates), 1, 1))
            figures = base + rng.standard_normal((2 * len(candidates), len(coverages), 3)) * scale
            months.append((t, candidates, figures))
        folds = _folds(months, periods, coverages)
        for method in ("auto", "recent_h6"):
            best, figures = _choose_by_pivot_table(folds, method=method, coverage=0.05)
            chosen, rule, got = _choose(folds, method=method, coverage=0.05)
            assert (chosen, rule) == best
            want = dict(zip(["folds", "hit_rate", "pai", "pei", "picks"], figures, strict=True))
            assert {k: got[k] for k in want} == want
            switched += method == "auto" and chosen != DEFAULT_METHOD
        pei = folds.pivot_table(index="test_month", columns=["method", "zero_history"],
                                values="pei")  # fmt: skip
        assert np.array_equal(pei.mean().to_numpy(), _column_means(pei.to_numpy()))
    assert switched  # some backtests did move off the default


def test_choose_drops_a_month_without_figures_as_the_pivot_table_did() -> None:
    """A test month whose figures are all missing is no fold, as in the pivot table the numpy
    tables replace (not a fold of missing figures, which made ``auto`` fail)."""
    from hotspots.analysis.forecast import _FOLD_COLUMNS, _choose

    rng = np.random.default_rng(0)
    rows = []
    for i, month in enumerate(pd.period_range("2021-01", periods=8, freq="M")):
        for method in (DEFAULT_METHOD, "kde_gauss_174m"):
            for rule in ("demote", "allow"):
                v = np.nan if i == 3 else rng.uniform(0.2, 0.8)
                rows.append((month, method, rule, 0.05, v, v, v))
    folds = pd.DataFrame(rows, columns=_FOLD_COLUMNS)
    for method in ("auto", DEFAULT_METHOD):
        best, figures = _choose_by_pivot_table(folds, method=method, coverage=0.05)
        chosen, rule, got = _choose(folds, method=method, coverage=0.05)
        assert (chosen, rule) == best
        assert got["folds"] == figures[0] == 7
        assert got["pei"] == figures[3]
