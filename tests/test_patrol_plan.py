"""Tests for hotspots.products.patrol.plan on real Dacorum police.uk data and the timed demo log.

Counts, shares, trends, windows, wards and backtest figures are recomputed independently
(pandas, geopandas sjoin, peak_windows and backtest called directly) and compared with the plan.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from hotspots.analysis.evaluate import backtest
from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS, hour_weekday, peak_windows
from hotspots.data import datasets
from hotspots.data.ingest import LoadResult, resolve_study_area
from hotspots.data.schema import BNG
from hotspots.data.select import Selection, select
from hotspots.demo.load import load_demo_log
from hotspots.products.patrol import PatrolPlan, harm_of, load_harm_weights, patrol_plan
from hotspots.products.patrol.harm import HARM_SCORE
from hotspots.products.patrol.plan import _months_text
from hotspots.products.patrol.request import (
    Choices,
    default_period,
    latest_months,
    make_request,
    plan_for,
    pool_selection,
)
from hotspots.products.patrol.table import FIRST_COLUMNS, display_table, month_only
from hotspots.space.areas import read_boundaries

PERIOD = ("2021-10", "2021-12")


@pytest.fixture(scope="module")
def dacorum(dacorum_load: LoadResult) -> gpd.GeoDataFrame:
    return dacorum_load.incidents


@pytest.fixture(scope="module")
def plan(dacorum: gpd.GeoDataFrame) -> PatrolPlan:
    return patrol_plan(dacorum, study_area=datasets.DACORUM, period=PERIOD, top=10)


@pytest.fixture(scope="module")
def log() -> gpd.GeoDataFrame:
    return load_demo_log().incidents


@pytest.fixture(scope="module")
def log_plan(log: gpd.GeoDataFrame) -> PatrolPlan:
    return patrol_plan(log, study_area=datasets.DACORUM, period=PERIOD, top=5, by="harm")


def in_months(incidents: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    month = incidents["month"].dt.strftime("%Y-%m")
    return incidents[((month >= first) & (month <= last)).to_numpy()]


def test_counts_and_shares_add_up(plan: PatrolPlan, dacorum: gpd.GeoDataFrame) -> None:
    expected = in_months(dacorum, *PERIOD)
    expected = expected[~expected["sensitive"].to_numpy(bool)]
    summary = plan.metadata["summary"]
    assert summary["incidents"] == len(expected) == len(plan.assignment)
    assert plan.assignment["incident_id"].is_unique
    assert set(plan.assignment["incident_id"]) == set(expected["incident_id"])
    per_locality = plan.assignment["locality"].value_counts().sort_index()
    assert per_locality.index.tolist() == plan.localities["rank"].tolist()
    assert per_locality.tolist() == plan.localities["incidents"].tolist()
    assert summary["in_localities"] + summary["elsewhere"] == summary["incidents"]
    assert plan.localities["incidents"].sum() == summary["in_localities"]
    np.testing.assert_allclose(
        plan.localities["share"], plan.localities["incidents"] / summary["incidents"]
    )
    assert plan.localities["share"].sum() == pytest.approx(summary["share_in_localities"])


def test_ranked_by_count_spaced_and_patrol_sized(plan: PatrolPlan) -> None:
    table = plan.localities
    assert table["rank"].tolist() == list(range(1, 11))
    assert table["incidents"].is_monotonic_decreasing
    xy = table.to_crs(BNG).geometry.centroid
    centres = gpd.GeoSeries(
        gpd.points_from_xy(table["centre_lon"], table["centre_lat"]), crs=4326
    ).to_crs(BNG)
    gaps = [centres.iloc[i].distance(centres.iloc[j]) for i in range(10) for j in range(i)]
    assert min(gaps) >= 200
    assert (table["across_m"] <= 200 + 1e-6).all()
    assert (table["area_m2"] <= math.pi * 100**2).all()
    assert (xy.distance(centres) < 100).all()


def test_crime_mix_counts_match_the_assignment(plan: PatrolPlan) -> None:
    assigned = plan.assignment.dropna(subset=["locality"])
    for rank, mix in zip(plan.localities["rank"], plan.localities["crime_mix"], strict=True):
        counts = assigned.loc[assigned["locality"] == rank, "category"].value_counts()
        parsed = {name: int(n) for name, n in (part.rsplit(" ", 1) for part in mix.split(", "))}
        assert parsed == counts.to_dict()


def test_trend_counts_the_same_outlines_in_the_previous_period(
    plan: PatrolPlan, dacorum: gpd.GeoDataFrame
) -> None:
    before = in_months(dacorum, "2021-07", "2021-09")
    before = before[~before["sensitive"].to_numpy(bool)]
    joined = gpd.sjoin(
        before.to_crs(BNG)[["geometry"]],
        plan.localities.to_crs(BNG)[["rank", "geometry"]],
        predicate="intersects",
    )
    first = joined.groupby(level=0)["rank"].min()  # an incident counts once, for the best rank
    expected = first.value_counts().reindex(plan.localities["rank"], fill_value=0)
    assert plan.localities["previous"].astype(int).tolist() == expected.tolist()
    change = plan.localities["incidents"] - plan.localities["previous"]
    assert plan.localities["change"].astype(int).tolist() == change.astype(int).tolist()
    assert set(plan.localities["trend"]) <= {"rise", "fall", "no significant change"}


def test_month_only_data_give_months_and_say_why(plan: PatrolPlan) -> None:
    assert set(plan.localities["peak_basis"]) == {"month"}
    assert (plan.localities["peak_days"] == "").all()
    assert (plan.localities["windows"] == plan.localities["peak_hours"]).all()
    assert (plan.localities["visits_per_day"] == 3).all()
    assert (plan.localities["minutes_per_visit"] == 15).all()
    text = " ".join(plan.limits)
    assert "record the month only" in text and "police.uk moves every location" in text
    assert "Oct 2021 – Dec 2021" in text


def test_peak_months_are_named_and_only_months_busier_than_the_average(
    plan: PatrolPlan, dacorum: gpd.GeoDataFrame
) -> None:
    """A peak month by the rule of hour windows: one of the 3 busiest, above an even spread
    (the locality's average month); named "Nov 2021", never "2021-11"."""
    assigned = plan.assignment.dropna(subset=["locality"])
    month = dacorum.set_index("incident_id")["month"].dt.to_period("M")
    months = pd.period_range(*PERIOD, freq="M")
    listed = 0
    for rank, windows in zip(plan.localities["rank"], plan.localities["windows"], strict=True):
        ids = assigned.loc[assigned["locality"] == rank, "incident_id"]
        counts = month.loc[ids].value_counts().reindex(months, fill_value=0)
        busiest = sorted(months, key=lambda m: (-counts[m], m))[:3]
        want = [f"{m:%b %Y} ({counts[m]})" for m in busiest if counts[m] > counts.mean()]
        assert windows == "; ".join(want), rank
        listed += len(want)
    assert 0 < listed < 3 * len(plan.localities)  # some months are no peak
    assert _months_text([], 9) == "no peak month (fewer than 10 incidents)"
    assert _months_text([], 10) == "no peak month (none above its average)"


def test_names_use_streets_and_the_ward_holding_the_centre(plan: PatrolPlan) -> None:
    wards = gpd.read_file(datasets.wards_path())
    centres = gpd.GeoDataFrame(
        {"rank": plan.localities["rank"]},
        geometry=gpd.points_from_xy(plan.localities["centre_lon"], plan.localities["centre_lat"]),
        crs=4326,
    )
    joined = gpd.sjoin(centres, wards[["WD13NM", "geometry"]], predicate="within")
    assert joined.sort_values("rank")["WD13NM"].tolist() == plan.localities["ward"].tolist()
    for name, ward in zip(plan.localities["name"], plan.localities["ward"], strict=True):
        assert ward in name
    assert plan.localities["name"].is_unique


def test_the_default_localities_lie_in_the_forecast_hot_spots_with_its_backtest(
    plan: PatrolPlan, dacorum: gpd.GeoDataFrame
) -> None:
    """The plan's hot areas are the forecast's cells for the month after the period, scored
    from the area's mapped incidents up to the period's end; its backtest goes with the plan."""
    import h3

    from hotspots.analysis.forecast import forecast

    area = resolve_study_area(datasets.DACORUM)
    mapped = dacorum[~dacorum["sensitive"].to_numpy(bool)]
    direct = forecast(mapped, study_area=area, res=9, through=PERIOD[1], coverage=0.05)
    assert plan.metadata["method"] == "forecast"
    figures = plan.metadata["backtest"]["forecast"]
    assert figures["month"] == "2022-01" == str(direct.month)
    assert figures["method"] == direct.method and figures["folds"] == direct.figures["folds"]
    assert figures["hit_rate"] == pytest.approx(direct.figures["hit_rate"])
    assert figures["pei"] == pytest.approx(direct.figures["pei"])
    hot = set(direct.selected["cell"])
    for lon, lat in plan.localities[["centre_lon", "centre_lat"]].to_numpy():
        assert h3.latlng_to_cell(lat, lon, 9) in hot
    said = f"held {100 * direct.figures['hit_rate']:.0f} % of the next month's crime"
    assert said in " ".join(plan.limits)


def test_backtest_figures_are_those_of_the_evaluation_module(dacorum: gpd.GeoDataFrame) -> None:
    plan = patrol_plan(dacorum, study_area=datasets.DACORUM, period=PERIOD, method="gistar")
    reported = plan.metadata["backtest"]
    assert reported["method"] == "gistar" and reported["train_months"] == 3
    direct = backtest(
        dacorum[~dacorum["sensitive"].to_numpy(bool)],
        study_area=resolve_study_area(datasets.DACORUM),
        methods=["gistar"],
        train_months=3,
    )
    got = pd.DataFrame(reported["results"])
    np.testing.assert_allclose(got["hit_rate"], direct["hit_rate"])
    np.testing.assert_allclose(got["pai"], direct["pai"])
    assert f"PAI {direct['pai'].iloc[0]:.1f}" in " ".join(plan.limits)


def test_timed_log_windows_are_peak_windows_of_each_locality(
    log_plan: PatrolPlan, log: gpd.GeoDataFrame
) -> None:
    assert set(log_plan.localities["peak_basis"]) == {"hour"}
    by_id = log.set_index("incident_id")
    assigned = log_plan.assignment.dropna(subset=["locality"])
    for row in log_plan.localities.itertuples():
        ids = assigned.loc[assigned["locality"] == row.rank, "incident_id"]
        members = by_id.loc[ids].reset_index()
        independent = peak_windows(members, top=3, block_hours=3)
        timed, n = independent.attrs["with_time"]["all"]  # beside the windows
        assert n == len(members)
        if timed < MIN_TIMED_INCIDENTS:  # too few times: no window, no peak day
            assert row.windows.startswith(f"timing unknown: {timed} of {n} incidents")
            assert row.peak_days == "" and len(independent) == 0
            # as many visits a week as the plan's timed localities' median, not 3 a day
            timed_weeks = log_plan.localities["visits_per_week"][
                log_plan.localities["visits_per_window"].notna()
            ]
            assert row.visits_per_week == math.ceil(timed_weeks.median())
            assert row.visits_per_day == math.ceil(row.visits_per_week / 7)
            assert row.visits == f"{row.visits_per_week} visits a week, at random times"
            continue
        assert row.windows == "; ".join(independent["label"]) + (
            f" ({timed} of {n} incidents have a time of day)"
        )
        per_day = independent.groupby("weekday").size() * 2  # ceil(3 h / 2 h) visits each
        assert row.visits_per_day == per_day.max()
        assert row.visits_per_week == 2 * len(independent)
        assert row.visits_per_window == 2
        # peak days: the weekday totals of the locality's own aoristic hour x weekday profile
        week = hour_weekday(members).by_weekday
        top = (week / week.sum()).sort_values(ascending=False, kind="stable").head(2)
        assert row.peak_days == ", ".join(f"{d} {100 * v:.0f}%" for d, v in top.items())


def test_timed_log_ranked_by_harm_and_sensitive_left_out(
    log_plan: PatrolPlan, log: gpd.GeoDataFrame
) -> None:
    table = log_plan.localities
    assert table["harm"].is_monotonic_decreasing
    assigned = log_plan.assignment.dropna(subset=["locality"])
    members = log.set_index("incident_id").loc[assigned["incident_id"]]
    harm = harm_of(members["crime_type"], load_harm_weights())
    totals = pd.Series(harm).groupby(assigned["locality"].to_numpy()).sum()
    np.testing.assert_allclose(totals.to_numpy(), table["harm"].to_numpy())
    period = in_months(log, *PERIOD)
    sensitive = period[period["sensitive"].to_numpy(bool)]
    assert len(sensitive) > 0
    assert "sensitive_left_out" not in log_plan.metadata["summary"]  # said, never counted
    assert not set(sensitive["incident_id"]) & set(log_plan.assignment["incident_id"])


def test_a_council_type_without_its_own_harm_weight_takes_its_groups(
    log: gpd.GeoDataFrame,
) -> None:
    """A council log's own types ("Noise nuisance", grouped as anti-social behaviour under
    [categories]) are weighed as their group, said in the plan's limits, rather than leaving
    every locality without a harm score."""
    renamed = log.copy()
    asb = renamed["category"] == "Anti-social behaviour"
    assert asb.any()
    renamed.loc[asb, "crime_type"] = "Noise nuisance"
    plan = patrol_plan(renamed, study_area=datasets.DACORUM, period=PERIOD, top=5,
                       run_backtest=False)  # fmt: skip
    assert plan.localities["harm"].notna().all()
    weights = load_harm_weights()
    assigned = plan.assignment.dropna(subset=["locality"])
    members = renamed.set_index("incident_id").loc[assigned["incident_id"]]
    harm = harm_of(members["crime_type"], weights, members["category"])
    assert (harm[members["crime_type"].to_numpy() == "Noise nuisance"] == 1.0).all()
    totals = pd.Series(harm).groupby(assigned["locality"].to_numpy()).sum()
    np.testing.assert_allclose(totals.to_numpy(), plan.localities["harm"].to_numpy())
    said = " ".join(plan.limits)
    assert "Noise nuisance (Anti-social behaviour)" in said
    with pytest.raises(ValueError, match="Noise nuisance"):
        harm_of(members["crime_type"], weights)  # without the groups: not weighed


def test_dbscan_localities_lie_in_scikit_learn_clusters(dacorum: gpd.GeoDataFrame) -> None:
    dbscan_plan = patrol_plan(
        dacorum, study_area=datasets.DACORUM, period=PERIOD, top=5, method="dbscan",
        eps_m=100, min_samples=15, run_backtest=False,
    )  # fmt: skip
    period = in_months(dacorum, *PERIOD)
    period = period[~period["sensitive"].to_numpy(bool)]
    labels = DBSCAN(eps=100, min_samples=15).fit(period[["x", "y"]].to_numpy()).labels_
    label = pd.Series(labels, index=period["incident_id"].to_numpy())
    assigned = dbscan_plan.assignment.dropna(subset=["locality"])
    assert len(dbscan_plan.localities) == 5
    assert (label.loc[assigned["incident_id"]] >= 0).all()
    assert dbscan_plan.metadata["localities_params"]["hot_areas"].startswith("density clusters")


def test_bad_requests_are_explained(dacorum: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="outside the data"):
        patrol_plan(dacorum, study_area=datasets.DACORUM, period=("2019-01", "2019-03"))
    with pytest.raises(ValueError, match="Koper"):
        patrol_plan(dacorum, study_area=datasets.DACORUM, visit_minutes=30, run_backtest=False)
    with pytest.raises(ValueError, match="'count' or 'harm'"):
        patrol_plan(dacorum, study_area=datasets.DACORUM, by="severity")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ends before it starts"):
        patrol_plan(dacorum, study_area=datasets.DACORUM, period=("2021-12", "2021-10"))


def test_first_months_have_no_trend_and_say_so(dacorum: gpd.GeoDataFrame) -> None:
    early = patrol_plan(
        dacorum, study_area=datasets.DACORUM, period=("2021-01", "2021-02"), top=3,
        run_backtest=False,
    )  # fmt: skip
    assert early.localities["previous"].isna().all()
    assert any("no trend" in text for text in early.limits)
    # the forecast always says how well it was tested: two months cannot test it
    assert early.metadata["backtest"]["forecast"]["folds"] == 0
    assert any("Not yet tested" in text for text in early.limits)
    gistar = patrol_plan(
        dacorum, study_area=datasets.DACORUM, period=("2021-01", "2021-02"), top=3,
        run_backtest=False, method="gistar",
    )  # fmt: skip
    assert any("Backtest not run" in text for text in gistar.limits)


# --------------------------------------------------------------------------- the page's request


def test_latest_months_and_default_period_on_the_demo(dacorum: gpd.GeoDataFrame) -> None:
    months = sorted(set(dacorum["month"].dt.strftime("%Y-%m")))
    assert latest_months(dacorum) == (months[-3], months[-1]) == ("2021-11", "2022-01")
    assert latest_months(dacorum, 1) == (months[-1], months[-1])
    assert latest_months(in_months(dacorum, "2021-01", "2021-02")) == ("2021-01", "2021-02")
    first, last = dacorum["month"].min(), dacorum["month"].max()
    assert default_period(Selection(start=first, end=last), dacorum) == "latest"
    assert default_period(Selection(), dacorum) == "latest"
    assert default_period(Selection(start=first, end=pd.Timestamp("2021-06")), dacorum) == (
        "sidebar"
    )


def test_make_request_follows_the_choices(dacorum: gpd.GeoDataFrame) -> None:
    sel = Selection(start=pd.Timestamp("2021-06"), end=pd.Timestamp("2021-08"), wards=("W1", "W2"))
    pool = select(dacorum, pool_selection(sel))
    assert pool_selection(sel) == Selection()  # no months, no wards: the plan chooses them
    auto = make_request(sel, pool, Choices())
    assert auto.period == ("2021-06", "2021-08") and auto.wards == ("W1", "W2")
    latest = make_request(sel, pool, Choices(period="latest", area="all", top=4, by="harm"))
    assert latest.period == ("2021-11", "2022-01") and latest.wards == ()
    assert (latest.top, latest.by, latest.min_spacing_m) == (4, "harm", None)
    whole = make_request(Selection(), pool, Choices(period="sidebar", min_spacing_m=300))
    assert whole.period == ("2021-11", "2022-01")  # no months chosen: the latest
    assert whole.min_spacing_m == 300.0


def test_plan_for_a_request_is_the_plan_of_its_wards(dacorum: gpd.GeoDataFrame) -> None:
    wards = read_boundaries(datasets.wards_path(datasets.DACORUM))
    chosen = tuple(wards.loc[wards["area_name"] == "Hemel Hempstead Town", "area_code"])
    request = make_request(Selection(wards=chosen), dacorum, Choices(period="latest", top=3))
    plan = plan_for(request, dacorum, wards=wards)
    direct = patrol_plan(
        dacorum,
        study_area=wards[wards["area_code"].isin(chosen)],
        period=request.period,
        top=3,
        wards=wards,
    )
    assert plan.localities["name"].tolist() == direct.localities["name"].tolist()
    assert set(plan.localities["ward"]) == {"Hemel Hempstead Town"}
    everywhere = plan_for(replace(request, wards=()), dacorum, wards=wards)
    in_period = in_months(dacorum, *request.period)
    expected = int((~in_period["sensitive"].to_numpy(bool)).sum())
    assert everywhere.metadata["summary"]["incidents"] == expected


def test_display_table_is_the_plan_in_peoples_words(plan: PatrolPlan, log_plan) -> None:
    shown = display_table(plan)
    loc = plan.localities
    assert month_only(plan) and not month_only(log_plan)
    assert list(shown.columns) == [  # what an inspector needs first, then the rest
        "Rank", "Locality", "Peak months", "Dosage", "Incidents", "Share (%)", HARM_SCORE,
        "Previous period", "Trend", "Crime mix",
    ]  # fmt: skip
    assert shown["Locality"].tolist() == loc["name"].tolist()
    np.testing.assert_allclose(shown["Share (%)"], 100 * loc["incidents"] / len(plan.assignment))
    assert shown["Trend"].tolist() == [t if isinstance(t, str) else "–" for t in loc["trend"]]
    timed = display_table(log_plan)
    assert {"Peak days", "Peak hours"} <= set(timed.columns)
    assert "Peak months" not in timed.columns
    assert list(timed.columns[:6]) == list(FIRST_COLUMNS)
    found = log_plan.localities["visits_per_window"].notna()
    for hours, windows, timed_words in zip(
        timed["Peak hours"][found], log_plan.localities["windows"][found],
        timed["With a time of day"][found], strict=True,
    ):  # fmt: skip
        # the windows alone; how many incidents have a time of day in a later column
        assert windows == f"{hours} ({timed_words} incidents have a time of day)"
    for visits, per_week in zip(
        timed["Dosage"][found], log_plan.localities["visits_per_week"][found], strict=True
    ):
        assert visits.startswith(f"{per_week:.0f} visits a week (")  # short: the rule below


def test_crime_mix_lists_categories_by_count_ties_by_name() -> None:
    from hotspots.products.patrol.plan import _crime_mix

    rng = np.random.default_rng(3)
    names = np.array(["Drugs", "Acquisitive", "Public order", "Anti-social behaviour"], object)
    member = rng.integers(1, 6, 300)
    category = names[rng.integers(0, 4, 300)]
    category[:4] = None  # no category: counted in none
    ranks = pd.Index(np.arange(1, 7))  # locality 6 holds nothing
    got = _crime_mix(member, category, ranks)
    for rank, text in zip(ranks, got, strict=True):
        counts = pd.Series(category[member == rank]).value_counts()
        want = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        assert text == ", ".join(f"{name} {n}" for name, n in want)
    assert got[-1] == ""


def test_a_trend_over_a_month_police_uk_has_not_published_counts_like_with_like():
    # police.uk lags the council log by a month: the trend counts the log alone, in both
    # periods, and says so (not every locality "falling" because police.uk's month is missing)
    from hotspots.data.coverage import Coverage
    from hotspots.data.ingest import concat_results
    from hotspots.demo.load import load_demo_policeuk

    both = concat_results([load_demo_policeuk(), load_demo_log()]).incidents
    lagging = both[~((both["source"] == "police.uk") & (both["month"] == "2022-01-01"))]
    plan = patrol_plan(
        lagging, study_area=datasets.DACORUM, period=("2021-12", "2022-01"), top=8,
        coverage=Coverage.of(lagging),
    )  # fmt: skip
    said = " ".join(plan.limits)
    assert "police.uk has no data for part of 2021-12 to 2022-01" in said
    log = lagging[lagging["source"] != "police.uk"]
    before = log[log["month"].isin(pd.to_datetime(["2021-10-01", "2021-11-01"]))]
    assert 0 < plan.localities["previous"].sum() <= len(before)


def test_the_left_out_line_says_only_what_left_some_out(plan: PatrolPlan, log_plan) -> None:
    """Not "Left out: 0 without a location, 0 outside the study area": each reason with its
    count when it left some out, "none" when neither did; the sensitive ones always said,
    through the gate (a plan without them reads as one whose few are withheld but for "0")."""
    for each in (plan, log_plan):
        summary = each.metadata["summary"]
        line = next(limit for limit in each.limits if limit.startswith("Left out:"))
        before, sensitive = line.split("; ")
        assert not re.search(r"(?<![\d,<])0 ", before), line
        unlocated, outside = summary["unlocated"], summary["outside_area"]
        assert (f"{unlocated:,} without a location" in before) == bool(unlocated), line
        assert (f"{outside:,} outside the study area" in before) == bool(outside), line
        if not (summary["unlocated"] or summary["outside_area"]):
            assert before == "Left out: none without a location or outside the study area"
        assert sensitive == (
            "sensitive incidents (domestic abuse, sexual offences, stalking) are never used to "
            "draw places, nor counted here."
        )


def test_a_study_area_drawn_around_a_sensitive_incident_reads_as_one_around_none(
    log: gpd.GeoDataFrame,
) -> None:
    """A reviewer placed a domestic abuse victim to within 30 m: a small disc drawn on it
    beside a decoy said "<5 sensitive" and one incident fewer outside; the disc moved 80 m
    said "0" (and the period came from the area's sensitive months too)."""
    sensitive = log[log["sensitive"].to_numpy(bool)]
    others = log[~log["sensitive"].to_numpy(bool)]
    victim = sensitive.geometry.iloc[0]
    decoy = others.geometry.iloc[0].buffer(0.004)  # ~300 m: some incidents that may be mapped
    on = shapely.union(decoy, victim.buffer(0.0003))  # ~30 m on the victim
    off = shapely.union(decoy, shapely.affinity.translate(victim, 0.002, 0).buffer(0.0003))
    plans = [patrol_plan(log, study_area=area, top=3, run_backtest=False) for area in (on, off)]
    first, second = (p.metadata["summary"] for p in plans)
    assert first["outside_area"] - second["outside_area"] == _mapped_between(log, on, off)
    assert plans[0].metadata["period"] == plans[1].metadata["period"]  # the decoy's months
    assert first["incidents"] == second["incidents"]
    left = [next(x for x in p.limits if x.startswith("Left out:")) for p in plans]
    assert left[0].split("; ")[1] == left[1].split("; ")[1]


def _mapped_between(log: gpd.GeoDataFrame, on: shapely.Geometry, off: shapely.Geometry) -> int:
    """Incidents that may be mapped inside ``off`` but not ``on``, less the reverse: the
    difference the outside counts may show (no sensitive one among them)."""
    mapped = log[~log["sensitive"].to_numpy(bool)]
    points = mapped.geometry.to_numpy()
    in_on = shapely.contains(on, points).sum()
    in_off = shapely.contains(off, points).sum()
    return int(in_off - in_on)
