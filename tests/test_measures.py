"""hotspots.products.measures on the real Dacorum demo, against independent computations.

Counts are checked with pandas groupby, rates by hand, p-values with scipy.stats.binomtest
called directly, q-values with scipy.stats.false_discovery_control, survey intervals and tests
with statsmodels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from hotspots.core.disclosure import MIN_COUNT, PERIOD_NOTE
from hotspots.data import datasets
from hotspots.data.ingest import concat_results
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products import measures
from hotspots.space.areas import assign_areas, load_population, read_boundaries, ward_population


@pytest.fixture(scope="module")
def wards():
    return read_boundaries(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="module")
def population(wards):
    lsoas = read_boundaries(datasets.lsoas_path(datasets.DACORUM))
    return ward_population(wards, lsoas, load_population())


@pytest.fixture(scope="module")
def demo(wards):
    """Real police.uk (month-only) + the synthetic timed council log, wards joined."""
    return assign_areas(concat_results([load_demo_policeuk(), load_demo_log()]).incidents, wards)


@pytest.fixture(scope="module")
def timed(demo):
    return demo[demo["time_precision"] == "minute"]


def _in_days(incidents, first, last):
    """Rows whose occurred_from lies on days first..last inclusive."""
    day = incidents["occurred_from"].dt.normalize()
    return incidents[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))]


def _withheld(incidents, month, by):
    """Independent gate: cells of ``by`` holding 1..4 sensitive incidents of one source, type
    and ward in ``month``."""
    rows = _in_month(incidents, month)
    rows = rows[rows["sensitive"]]
    size = rows.groupby(["source", "crime_type", "ward_code"], dropna=False)["month"].transform(
        "size"
    )
    small = rows[size < MIN_COUNT]
    if isinstance(by, str):
        return pd.Series(True, index=pd.Index(small[by].unique()))
    return pd.Series(True, index=pd.MultiIndex.from_frame(small[list(by)]).unique())


def _in_month(incidents, month):
    return incidents[incidents["month"] == pd.Timestamp(month)]


# --------------------------------------------------------------------------- periods


def test_default_periods_month_only_data_use_the_latest_month(demo):
    policeuk = demo[demo["source"] == "police.uk"]
    latest = policeuk["month"].max()
    for data in (policeuk, demo):  # mixed data: the police.uk rows decide
        p = measures.default_periods(data)
        assert p.current == (pd.Period(latest, "M"),) * 2 == (pd.Period("2022-01", "M"),) * 2
        assert p.previous == (pd.Period("2021-12", "M"),) * 2
        assert p.last_year == (pd.Period("2021-01", "M"),) * 2
        assert "month only" in p.reason
    assert p.label() == "Jan 2022"


def test_default_periods_timed_data_use_the_last_28_days(timed):
    latest = timed["occurred_from"].max().normalize()
    p = measures.default_periods(timed)
    first = latest - pd.Timedelta(days=27)
    assert (p.current[0].start_time, p.current[1].start_time) == (first, latest)
    assert p.current[1].start_time == pd.Timestamp("2022-01-31")
    assert (p.previous[0].start_time, p.previous[1].start_time) == (
        first - pd.Timedelta(days=28),
        first - pd.Timedelta(days=1),
    )
    assert p.last_year[0].start_time == first - pd.DateOffset(years=1)
    assert p.label() == "4 Jan 2022–31 Jan 2022"
    assert measures.default_periods(timed, days=7).current[0] == p.current[1] - 6


def test_periods_reject_bad_input(demo):
    with pytest.raises(ValueError, match="no incidents"):
        measures.default_periods(demo.iloc[:0])
    with pytest.raises(ValueError, match="pair"):
        measures.comparison_periods("2022-01")
    with pytest.raises(ValueError, match="same resolution"):
        measures.comparison_periods(("2022-01", "2022-01-15"))
    with pytest.raises(ValueError, match="ends before"):
        measures.comparison_periods(("2022-01", "2021-12"))


# --------------------------------------------------------------------------- ward table


def test_ward_table_counts_rates_and_tests_on_real_data(demo, wards, population):
    table = measures.ward_table(demo, wards, population, current=("2022-01", "2022-01"))
    codes = wards["area_code"].astype(str)
    assert table["area_code"].tolist() == codes.tolist()
    expected = {
        m: _in_month(demo, m).groupby("ward_code").size().reindex(codes, fill_value=0).to_numpy()
        for m in ("2022-01-01", "2021-12-01", "2021-01-01")
    }
    hidden = {
        m: _withheld(demo, m, "ward_code").reindex(codes, fill_value=False).to_numpy(bool)
        for m in expected
    }
    assert hidden["2022-01-01"].any()  # the demo's 40 domestic abuse incidents: small groups
    for col, m in (
        ("count", "2022-01-01"),
        ("previous", "2021-12-01"),
        ("last_year", "2021-01-01"),
    ):
        np.testing.assert_array_equal(table[col], np.where(hidden[m], np.nan, expected[m]))
    assert table["suppressed"].tolist() == list(np.logical_or.reduce(list(hidden.values())))
    shown_total = table["count"].sum() + expected["2022-01-01"][hidden["2022-01-01"]].sum()
    assert shown_total == len(_in_month(demo, "2022-01-01"))  # every row in a ward

    residents = population.set_index("area_code").loc[codes, "residents"].to_numpy()
    np.testing.assert_allclose(
        table["rate_per_1000"],
        np.where(hidden["2022-01-01"], np.nan, expected["2022-01-01"] / residents * 1000),
    )
    assert "overlapping area" in table.attrs["population_method"]

    for before, suffix in (("2021-12-01", "vs_previous"), ("2021-01-01", "vs_last_year")):
        cur, prev = expected["2022-01-01"], expected[before]
        gone = hidden["2022-01-01"] | hidden[before]
        # 31-day months on both sides: under "no change" the current count is Binomial(n, 1/2)
        p = [stats.binomtest(int(c), int(c + b), 0.5).pvalue if c + b else 1.0
             for c, b in zip(cur, prev, strict=True)]  # fmt: skip
        q = stats.false_discovery_control(p)
        np.testing.assert_allclose(table[f"p_{suffix}"], np.where(gone, np.nan, p), rtol=1e-10)
        np.testing.assert_allclose(table[f"q_{suffix}"], np.where(gone, np.nan, q))
        sig = np.asarray(q) < 0.05
        marker = np.where(sig & (cur > prev), "▲", np.where(sig & (cur < prev), "▼", ""))
        np.testing.assert_array_equal(table[suffix], np.where(gone, "", marker))
        np.testing.assert_array_equal(table[f"change_{suffix}"], np.where(gone, np.nan, cur - prev))
    assert (table["vs_last_year"] != "").any() or (table["q_vs_last_year"].dropna() >= 0.05).all()


def test_ward_table_keeps_zero_wards_and_days(timed, wards, population):
    drugs = timed[timed["category"] == "Drugs"]
    table = measures.ward_table(
        drugs, wards, population, current=("2022-01-04", "2022-01-31"), last_year=False
    )
    got = _in_days(drugs, "2022-01-04", "2022-01-31").groupby("ward_code").size()
    expected = got.reindex(wards["area_code"], fill_value=0).to_numpy()
    assert len(table) == len(wards) and (expected == 0).sum() > 0
    np.testing.assert_array_equal(table["count"], expected)
    prev = _in_days(drugs, "2021-12-07", "2022-01-03").groupby("ward_code").size()
    np.testing.assert_array_equal(
        table["previous"], prev.reindex(wards["area_code"], fill_value=0).to_numpy()
    )
    assert table["last_year"].isna().all() and table.attrs["last_year_period"] is None


def test_ward_table_says_when_a_period_is_outside_the_data(demo, wards, population):
    with pytest.raises(ValueError, match=r"previous period.*outside the data"):
        measures.ward_table(demo, wards, population, current=("2021-01", "2021-01"))
    table = measures.ward_table(demo, wards, population, current=("2021-06", "2021-06"))
    assert table["last_year"].isna().all() and (table["vs_last_year"] == "").all()
    assert "Jun 2020 is outside the data" in table.attrs["notes"][0]
    no_pop = measures.ward_table(demo, wards, None, current=("2021-06", "2021-06"))
    assert no_pop["rate_per_1000"].isna().all() and no_pop["count"].sum() > 0


def test_ward_table_of_sensitive_incidents_hides_small_counts(demo, wards, population):
    abuse = demo[demo["crime_type"] == "Domestic abuse"]
    assert abuse["sensitive"].all() and len(abuse) == 40
    table = measures.ward_table(abuse, wards, population, current=("2022-01", "2022-01"))
    months = {"count": "2022-01-01", "previous": "2021-12-01", "last_year": "2021-01-01"}
    raw = {
        col: _in_month(abuse, m)
        .groupby("ward_code")
        .size()
        .reindex(wards["area_code"], fill_value=0)
        for col, m in months.items()
    }
    for col, counts in raw.items():
        shown = table[col].to_numpy()
        visible = ~np.isnan(shown)
        assert set(shown[visible]) <= {0} | set(range(MIN_COUNT, 10_000))
        np.testing.assert_array_equal(shown[visible], counts.to_numpy()[visible])
        hidden_nonzero = (~visible & (counts.to_numpy() > 0)).sum()
        # a single hidden cell could be recovered from the total, unless that is under 5 too
        assert hidden_nonzero != 1 or counts.sum() < MIN_COUNT
    assert table["suppressed"].any()
    assert table.loc[table["count"].isna(), "change_vs_previous"].isna().all()
    assert table.loc[table["count"].isna(), "rate_per_1000"].isna().all()


def test_a_comparison_whose_every_earlier_count_is_withheld_is_still_made(demo, wards, population):
    # one domestic abuse incident in every ward in Dec: each ward's Dec count is withheld, but
    # the comparison was made (and says "withheld"), not "compared with nothing"
    from hotspots.views.cli import _ward_words

    abuse = demo[demo["crime_type"] == "Domestic abuse"]
    one = abuse.iloc[[0] * len(wards)].copy()
    one["ward_code"] = wards["area_code"].to_numpy()
    one["month"] = pd.Timestamp("2021-12-01")
    one["occurred_from"] = pd.Timestamp("2021-12-10 12:00")
    now = abuse.iloc[[0] * MIN_COUNT].copy()
    now["month"], now["occurred_from"] = pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-10")
    frame = pd.concat([one, now, abuse[abuse["month"] < "2021-12-01"]])
    table = measures.ward_table(frame, wards, population, current=("2022-01", "2022-01"))
    assert table["previous"].isna().all()  # every ward's Dec count withheld
    assert table.attrs["compared"] == {"previous": True, "last_year": True}
    words = _ward_words(table, table.attrs["compared"])
    column = next(c for c in words.columns if "Dec 2021" in c)
    assert set(words[column]) == {"withheld"}


# --------------------------------------------------------------------------- headline measures


def test_headline_measures_against_pandas_counts(demo):
    head = measures.headline_measures(demo, current=("2022-01", "2022-01"))
    assert list(head.index) == list(measures.HEADLINE_MEASURES)
    for col, month in (("current", "2022-01-01"), ("previous", "2021-12-01"),
                       ("last_year", "2021-01-01")):  # fmt: skip
        rows = _in_month(demo, month)
        expected = {
            "Violent crime": (rows["category"] == "Violence and sexual offences").sum(),
            "Anti-social behaviour": (rows["category"] == "Anti-social behaviour").sum(),
            "All crime (excluding ASB)": (rows["category"] != "Anti-social behaviour").sum(),
        }
        masks = {
            "Violent crime": rows["category"] == "Violence and sexual offences",
            "Anti-social behaviour": rows["category"] == "Anti-social behaviour",
            "All crime (excluding ASB)": rows["category"] != "Anti-social behaviour",
        }
        # independently: sensitive incidents in groups (source, type, ward) of 1..4 this month
        sens = rows[rows["sensitive"]]
        size = sens.groupby(["source", "crime_type", "ward_code"], dropna=False)["month"].transform(
            "size"
        )
        small = rows.index.isin(sens.index[size < MIN_COUNT])
        for name, count in expected.items():
            # totals count sensitive incidents in whole groups of 5+ only, never go blank
            left_out = int((masks[name].to_numpy(bool) & small).sum())
            assert head.at[name, col] == count - left_out, (name, col)
            assert head.at[name, f"{col}_shown"] == str(count - left_out)
    assert small.any()  # the demo log has small sensitive groups: the rule had work to do
    assert any("leave out sensitive offences" in n for n in head.attrs["notes"])
    assert head.at["Anti-social behaviour", "current_shown"] != "withheld"
    plain = ["Anti-social behaviour"]
    cur, prev = head.loc[plain, "current"].astype(int), head.loc[plain, "previous"].astype(int)
    p = [stats.binomtest(c, c + b, 0.5).pvalue for c, b in zip(cur, prev, strict=True)]
    assert head.loc[plain, "p_vs_previous"].tolist() == pytest.approx(p, rel=1e-10)


def test_domestic_abuse_measure_is_suppressed_below_five(demo):
    abuse = demo[demo["crime_type"].str.contains("domestic", case=False)]
    per_month = abuse.groupby("month").size()
    head = measures.headline_measures(demo, current=("2022-01", "2022-01"))
    row = head.loc[measures.SENSITIVE_MEASURE]
    for col, month in (("current", "2022-01-01"), ("previous", "2021-12-01"),
                       ("last_year", "2021-01-01")):  # fmt: skip
        count = int(per_month.get(pd.Timestamp(month), 0))
        if 0 < count < MIN_COUNT:
            assert row[f"{col}_shown"] == "<5" and np.isnan(row[col])
        elif len(_withheld(abuse, month, "ward_code")):  # 5 or more, but a ward holds 1..4
            assert row[f"{col}_shown"] == "withheld" and np.isnan(row[col])
        else:
            assert row[f"{col}_shown"] == str(count) and row[col] == count
    small = per_month[(per_month > 0) & (per_month < MIN_COUNT)]
    assert len(small)  # the demo has months with 1-4 flagged incidents
    month = pd.Period(small.index[-1], "M")
    low = measures.headline_measures(demo, current=(month, month)).loc[measures.SENSITIVE_MEASURE]
    assert low["current_shown"] == "<5" and np.isnan(low["current"])
    assert np.isnan(low["change_vs_previous"]) and not low["significant_vs_previous"]
    assert low["vs_previous"] == ""


def test_domestic_abuse_measure_is_na_for_policeuk_data_alone(demo):
    # police.uk never flags domestic abuse: its data alone show "n/a", never a false 0
    policeuk = demo[demo["source"] == "police.uk"]
    assert len(policeuk) and not policeuk["crime_type"].str.contains("domestic", case=False).any()
    head = measures.headline_measures(policeuk, current=("2022-01", "2022-01"))
    row = head.loc[measures.SENSITIVE_MEASURE]
    for col in ("current", "previous", "last_year"):
        assert row[f"{col}_shown"] == measures.NOT_FLAGGED and np.isnan(row[col])
    assert np.isnan(row["pct_vs_previous"]) and row["vs_previous"] == ""
    assert any("police.uk data do not flag domestic abuse" in n for n in head.attrs["notes"])
    assert head.at["Violent crime", "current_shown"] not in ("n/a", "0")
    # with a local source that can flag it (the council log), it is counted
    assert measures.can_flag_domestic(demo) and not measures.can_flag_domestic(policeuk)
    both = measures.headline_measures(demo, current=("2022-01", "2022-01"))
    assert both.at[measures.SENSITIVE_MEASURE, "current_shown"] != measures.NOT_FLAGGED


# --------------------------------------------------------------------------- what changed


def test_what_changed_ranks_significant_changes_first(demo, wards):
    periods = measures.default_periods(demo)
    changes = measures.what_changed(demo, wards=wards, top=8)
    assert set(changes["compared_with"]) == {"previous period", "same period last year"}
    names = dict(zip(wards["area_code"], wards["area_name"], strict=True))
    groups = demo.groupby(["category", "ward_code"]).size().index  # every group in the data
    cur = _in_month(demo, "2022-01-01").groupby(["category", "ward_code"]).size()
    cur = cur.reindex(groups, fill_value=0)
    for (_, rows), month in zip(
        changes.groupby("compared_with", sort=False), ("2021-12-01", "2021-01-01"), strict=True
    ):
        # independent ranking: binomtest per group (31-day months: p = 1/2), BH over all groups,
        # non-zero changes, significant first, then the largest change, then the group name
        before = _in_month(demo, month).groupby(["category", "ward_code"]).size()
        before = before.reindex(groups, fill_value=0)
        p = [stats.binomtest(int(c), int(c + b), 0.5).pvalue if c + b else 1.0
             for c, b in zip(cur, before, strict=True)]  # fmt: skip
        expected = pd.DataFrame(
            {"current": cur, "before": before, "change": cur - before,
             "significant": stats.false_discovery_control(p) < 0.05}, index=groups
        ).reset_index()  # fmt: skip
        hidden = pd.concat(
            [_withheld(demo, m, ["category", "ward_code"]) for m in ("2022-01-01", month)]
        )
        expected = expected[~expected.set_index(["category", "ward_code"]).index.isin(hidden.index)]
        expected = expected[expected["change"] != 0].assign(size=lambda t: -t["change"].abs())
        expected = expected.sort_values(
            ["significant", "size", "category", "ward_code"], ascending=[False, True, True, True]
        ).head(8)
        assert rows["rank"].tolist() == list(range(1, 9))
        for col in ("category", "ward_code", "current", "before", "change", "significant"):
            assert rows[col].tolist() == expected[col].tolist(), col
        for row in rows.itertuples():
            assert f"({row.before} → {row.current})" in row.text
            assert names[row.ward_code] in row.text
    top = changes.iloc[0]
    word = "up" if top["change"] > 0 else "down"
    assert top["text"].startswith(
        f"{'ASB' if top['category'] == 'Anti-social behaviour' else top['category']} in "
        f"{names[top['ward_code']]} {word} {abs(top['pct_change']):.0f} %"
    )
    assert top["text"].endswith("significant") and periods.label("previous") in top["text"]
    assert changes.attrs["groups"] == demo.groupby(["category", "ward_code"]).ngroups


def test_what_changed_lists_no_incidents_outside_the_wards_as_a_place(demo, wards):
    # a multi-district area's incidents beyond its wards are no place a JAG can act in
    top = measures.what_changed(demo, wards=wards, top=3)
    moved = demo.copy()
    moved.loc[moved["ward_code"] == top.iloc[0]["ward_code"], "ward_code"] = pd.NA
    changes = measures.what_changed(moved, wards=wards, top=3)
    assert not changes["text"].str.contains("outside the wards").any()
    assert changes["ward_code"].notna().all() and "(none)" not in set(changes["ward_code"])
    assert measures.changes.UNPLACED_NOTE in changes.attrs["notes"]
    assert measures.changes.UNPLACED_NOTE not in top.attrs["notes"]
    kept = top[top["ward_code"] != top.iloc[0]["ward_code"]]  # the others' rows as before
    assert set(kept["text"]) <= set(changes["text"])


def test_what_changed_q_values_match_scipy(timed):
    periods = measures.default_periods(timed)
    changes = measures.what_changed(timed, by=("category",), periods=periods, top=20)
    prev = changes[changes["compared_with"] == "previous period"]
    # periods of days that are not whole months count no sensitive incident (and say so)
    assert PERIOD_NOTE in changes.attrs["notes"] and timed["sensitive"].any()
    plain = timed[~timed["sensitive"].astype(bool)]
    cur = _in_days(plain, "2022-01-04", "2022-01-31")["category"].value_counts()
    before = _in_days(plain, "2021-12-07", "2022-01-03")["category"].value_counts()
    both = pd.concat([cur, before], axis=1).fillna(0).astype(int)
    p = pd.Series(
        [stats.binomtest(c, c + b, 0.5).pvalue for c, b in both.to_numpy()], index=both.index
    )
    q = pd.Series(stats.false_discovery_control(p.to_numpy()), index=both.index)
    for row in prev.itertuples():
        assert row.p_value == pytest.approx(p[row.category], rel=1e-10)
        assert row.q_value == pytest.approx(q[row.category], rel=1e-10)
    assert "in " not in prev["text"].iloc[0].split(" up ")[0].split(" down ")[0]


def test_what_changed_leaves_out_small_sensitive_groups(demo, wards):
    abuse = demo[demo["crime_type"] == "Domestic abuse"]
    month = measures.comparison_periods(("2022-01", "2022-01"))
    changes = measures.what_changed(
        abuse, by=("crime_type", "ward_code"), wards=wards, periods=month
    )
    assert changes.attrs["suppressed"] > 0 and PERIOD_NOTE not in changes.attrs["notes"]
    shown = changes[["current", "before"]].to_numpy()
    assert not ((shown > 0) & (shown < MIN_COUNT)).any()
    # by default whole months, which count them; a period of days that is not whole months
    # counts none of them
    assert measures.default_periods(abuse).current[0].freqstr.startswith("M")
    end = pd.Period(abuse["occurred_from"].max(), freq="D")
    days = measures.comparison_periods((end - 27, end))
    with pytest.raises(ValueError, match="choose whole months"):
        measures.what_changed(abuse, by=("crime_type", "ward_code"), periods=days)


# --------------------------------------------------------------------------- When page helpers


def test_monthly_with_last_year_against_groupby(demo):
    asb = demo[demo["category"] == "Anti-social behaviour"]
    out = measures.monthly_with_last_year(asb, start="2021-06")
    counts = asb.groupby("month").size()
    assert out.index[0] == pd.Timestamp("2021-06-01") and out.index[-1] == counts.index.max()
    np.testing.assert_array_equal(out["incidents"], counts.loc["2021-06-01":].to_numpy())
    assert out["a_year_earlier"].iloc[:-1].isna().all()  # the data start in Jan 2021
    assert out["a_year_earlier"].iloc[-1] == counts[pd.Timestamp("2021-01-01")]
    narrow = asb[asb["month"] >= "2021-03-01"]
    wide = measures.monthly_with_last_year(narrow, coverage=("2021-01", "2022-01"))
    assert wide["incidents"].iloc[:2].tolist() == [0, 0]  # true zeros inside the coverage
    with pytest.raises(ValueError, match="outside coverage"):
        measures.monthly_with_last_year(asb, coverage=("2021-06", "2022-01"))


def test_time_of_day_coverage(demo, timed):
    got = measures.time_of_day_coverage(demo)
    assert got["n"] == len(demo) and got["with_time"] == len(timed) == 7167
    assert got["share_with_time"] == pytest.approx(len(timed) / len(demo))
    windows = (timed["occurred_to"] > timed["occurred_from"]).sum()
    assert got["with_window"] == windows
    nyc_like = timed.assign(occurred_to=timed["occurred_from"] + pd.Timedelta(hours=2))
    assert measures.time_of_day_coverage(nyc_like)["share_with_window"] == 1.0


# --------------------------------------------------------------------------- survey


def _survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Ward_Name": ["Boxmoor", "Boxmoor", "Boxmoor", "Highfield", "Highfield"],
            "Quarter": ["2021-Q3", "2021-Q1", "2021-Q2", "2021 Q2", "2021 Q1"],
            "% Feeling Safe": [81.0, 64.0, 70.0, 40.0, 41.5],
            "Respondents": [220, 200, 210, 35, 40],
        }
    )


def test_perception_of_safety_against_statsmodels():
    out = measures.perception_of_safety(_survey())
    assert out["area"].tolist() == ["Boxmoor"] * 3 + ["Highfield"] * 2
    assert out["period"].tolist() == ["2021-Q1", "2021-Q2", "2021-Q3", "2021 Q1", "2021 Q2"]
    n_safe = np.round(out["pct_safe"] / 100 * out["respondents"]).astype(int)
    low, high = proportion_confint(
        out["pct_safe"] / 100 * out["respondents"], out["respondents"], method="wilson"
    )
    np.testing.assert_allclose(out["ci_low"], 100 * low)
    np.testing.assert_allclose(out["ci_high"], 100 * high)
    for i in (1, 2, 4):
        _, p = proportions_ztest(
            [n_safe[i], n_safe[i - 1]], [out["respondents"][i], out["respondents"][i - 1]]
        )
        assert out["p_value"][i] == pytest.approx(p, rel=1e-9)
    assert np.isnan(out["p_value"][[0, 3]]).all()
    assert out["change_pts"].tolist()[1:3] == [6.0, 11.0]
    assert out["change"][2] == "▲" and out["change"][4] == ""
    assert out["caution"][3] == "fewer than 50 respondents"
    assert out.attrs["columns"]["pct_safe"] == "% Feeling Safe"


def test_perception_of_safety_explains_bad_tables():
    with pytest.raises(ValueError, match=r"no column for \['respondents'\].*Expected columns"):
        measures.perception_of_safety(_survey().drop(columns="Respondents"))
    bad = _survey()
    bad.loc[2, "% Feeling Safe"] = 120
    with pytest.raises(ValueError, match=r"0 to 100, e\.g\. file lines \[4\]"):
        measures.perception_of_safety(bad)
    bad = _survey().astype({"Respondents": float})
    bad.loc[0, "Respondents"] = 2.5
    with pytest.raises(ValueError, match="whole number"):
        measures.perception_of_safety(bad)
    dup = _survey()
    dup.loc[1, "Quarter"] = "2021-Q3"
    with pytest.raises(ValueError, match="two rows for period"):
        measures.perception_of_safety(dup)


@pytest.mark.parametrize(
    ("current", "by"),
    [
        (("2022-01", "2022-01"), "ward_code"),
        (("2021-10", "2021-12"), "category"),
        (("2021-12-04", "2021-12-31"), "ward_code"),  # days: timed rows counted by their date
    ],
)
def test_comparisons_equal_those_of_every_row(demo, current, by):
    """compare_all counts only the rows its periods can count (plus a row of each group and
    of the first and last month): its tables equal compare_periods of the whole selection,
    q-values included, also with groups found only outside the periods."""
    from hotspots.analysis.temporal import compare_periods
    from hotspots.products.measures.periods import compare_all, comparison_periods

    days = len(current[0]) > 7
    frame = (demo[demo["time_precision"] == "minute"] if days else demo).copy()
    early = frame.index[frame["month"] == frame["month"].min()][:3]
    frame.loc[early, by] = ["only early"] * len(early)  # a group outside every period
    frame.loc[frame.index[5], by] = None  # and rows of no group
    periods = comparison_periods(current)
    got = compare_all(frame, periods, by=by, last_year=True, alpha=0.05)
    made = [name for name in ("previous", "last_year") if name in got]
    assert made[0] == "previous"
    for name in made:
        want = compare_periods(
            frame, current=periods.current, previous=getattr(periods, name), by=by, alpha=0.05
        )
        assert "only early" in want.index
        pd.testing.assert_frame_equal(got[name], want, check_exact=True)
        assert got[name].attrs == want.attrs


def test_month_only_rows_read_from_every_spelling():
    from hotspots.products.measures.periods import _month_only

    frame = pd.DataFrame(
        {
            "time_precision": pd.array(["month", "Month", "day", None, "MONTH", "minute"]),
            "occurred_from": pd.to_datetime(["2022-01-03", None, "2022-01-04", "2022-01-05",
                                             "2022-01-06", "2022-01-07"]),
        }
    )  # fmt: skip
    assert _month_only(frame).tolist() == [True, True, False, True, True, False]


# --------------------------------------------------------------------------- sources


def test_a_month_police_uk_has_not_published_counts_like_with_like(demo, wards, population):
    # police.uk publishes Jan 2022 weeks after the council log covers it: Jan's figures
    # without police.uk, against Dec's with it, would read as a fall of all its crime
    from hotspots.data.coverage import Coverage

    lagging = demo[~((demo["source"] == "police.uk") & (demo["month"] == "2022-01-01"))]
    coverage = Coverage.of(lagging)
    assert str(coverage.latest_complete()) == "2021-12"  # the default month: both sources
    current = ("2022-01", "2022-01")
    log_only = lagging[lagging["source"] != "police.uk"]
    head = measures.headline_measures(lagging, current=current, coverage=coverage)
    alone = measures.headline_measures(log_only, current=current, coverage=Coverage.of(log_only))
    columns = ["current", "previous", "last_year"]
    pd.testing.assert_frame_equal(head[columns], alone[columns])  # the log's, in every period
    assert any("police.uk has no data for Jan 2022" in n for n in head.attrs["notes"])
    # the log flags domestic abuse: its figure is shown (or withheld), never "n/a"
    assert head.loc["Domestic abuse (flagged)", "current_shown"] != "n/a"
    table = measures.ward_table(lagging, wards, population, current=current, coverage=coverage)
    by_itself = measures.ward_table(
        log_only, wards, population, current=current, coverage=Coverage.of(log_only)
    )
    for column in ("count", "previous"):
        pd.testing.assert_series_equal(table[column], by_itself[column])
    changes = measures.what_changed(
        lagging, by=("category",), periods=measures.comparison_periods(current), coverage=coverage
    )
    assert set(changes["category"]) <= set(log_only["category"])  # no police.uk-only group
    # a month both cover counts both
    both = measures.headline_measures(lagging, current=("2021-12", "2021-12"), coverage=coverage)
    total = "All crime (excluding ASB)"
    assert both.loc[total, "current"] > alone.loc[total, "previous"]


def test_a_source_that_joined_this_month_leaves_the_comparisons_to_the_others(
    demo, wards, population
):
    # police.uk added for Jan 2022 alone, beside a log of many months: comparing Jan's figures
    # of both with Dec's of the log would read as a rise; comparing nothing loses what changed
    from hotspots.data.coverage import Coverage

    joined = demo[(demo["source"] != "police.uk") | (demo["month"] == "2022-01-01")]
    coverage = Coverage.of(joined)
    current = ("2022-01", "2022-01")
    log_only = joined[joined["source"] != "police.uk"]
    head = measures.headline_measures(joined, current=current, coverage=coverage)
    alone = measures.headline_measures(log_only, current=current, coverage=Coverage.of(log_only))
    columns = ["current", "previous", "last_year", "pct_vs_previous", "pct_vs_last_year"]
    assert alone["previous"].notna().any() and alone["last_year"].notna().any()
    pd.testing.assert_frame_equal(head[columns], alone[columns])  # the log's, in every period
    assert any("police.uk has no data for Dec 2021" in n for n in head.attrs["notes"])
    table = measures.ward_table(joined, wards, population, current=current, coverage=coverage)
    by_itself = measures.ward_table(
        log_only, wards, population, current=current, coverage=Coverage.of(log_only)
    )
    for column in ("count", "previous", "last_year"):
        pd.testing.assert_series_equal(table[column], by_itself[column])
    changes = measures.what_changed(
        joined, by=("category",), periods=measures.comparison_periods(current), coverage=coverage
    )
    assert len(changes) and set(changes["category"]) <= set(log_only["category"])
    # a source that joined with nothing else to compare: its own month, no comparison
    first = measures.headline_measures(
        joined[joined["source"] == "police.uk"], current=current,
        coverage=Coverage.of(joined[joined["source"] == "police.uk"]),
    )  # fmt: skip
    assert first["previous"].isna().all()


def test_a_period_one_source_lacks_is_not_called_a_period_without_data():
    # police.uk covers Dec 2024, the council log starts in Jan 2025: "no data for Dec 2024"
    # would be false; the note names the source that lacks it
    from hotspots.data.coverage import Coverage

    police = [str(m) for m in pd.period_range("2023-12", "2025-12", freq="M")]
    log = [str(m) for m in pd.period_range("2025-01", "2025-12", freq="M")]
    coverage = Coverage({"police.uk": police, "Council ASB log": log})
    bounds, note = coverage.comparable(("2025-12", "2025-12"), kind="last_year")
    assert bounds is None  # never Jan 2025, a month of the same year
    assert (
        note == "no Council ASB log data for Dec 2024, so Dec 2025 is not compared with last year"
    )
    gap = Coverage({"police.uk": ["2021-05", "2021-07"]})  # a month no source covers
    assert gap.comparable(("2021-07", "2021-07"), kind="previous")[1] == (
        "no data for Jun 2021: compared with May 2021"
    )


def test_a_measure_the_filters_leave_out_reads_not_in_selection_not_zero(demo):
    """Acquisitive crime chosen: violent crime and ASB are not 0 (none happened) but not in
    the selection; the measure the selection holds is counted."""
    acquisitive = demo[demo["category"] == "Acquisitive"]
    head = measures.headline_measures(acquisitive, current=("2022-01", "2022-01"))
    for name in ("Violent crime", "Anti-social behaviour"):
        row = head.loc[name]
        assert (row["current_shown"], row["last_year_shown"]) == (measures.NOT_SELECTED,) * 2
        assert np.isnan(row["current"]) and row["vs_previous"] == ""
    counted = int((acquisitive["month"] == "2022-01").sum())
    assert head.loc["All crime (excluding ASB)", "current"] == counted
    note = head.attrs["not_selected_note"]
    assert note in head.attrs["notes"] and note.startswith("Violent crime, Anti-social")
