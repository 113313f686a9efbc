"""hotspots.analysis.temporal on real timed extracts (Houston, NYC, DC) and police.uk data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep_test

from hotspots.analysis.temporal import (
    aoristic_weights,
    compare_periods,
    hour_weekday,
    monthly_series,
    peak_windows,
)
from hotspots.analysis.temporal.peaks import window_label
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.ingest import LoadResult, concat_results
from hotspots.data.schema import COLUMNS, WGS84, WORKING_CRS
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products.peak_times import CLUSTER_NOTE, Focus, focus_mask, peak_times
from hotspots.space.areas import assign_areas, read_boundaries

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _frame(
    start: pd.Series,
    end: pd.Series | None,
    precision: str,
    *,
    month: pd.Series | None = None,
    **extra: pd.Series,
) -> gpd.GeoDataFrame:
    """A canonical incidents frame (no locations needed for temporal work)."""
    n = len(start)
    end = pd.Series(pd.NaT, index=start.index, dtype=start.dtype) if end is None else end
    month = start.dt.to_period("M").dt.to_timestamp() if month is None else month
    data = {c: pd.Series([None] * n, dtype=object) for c in COLUMNS if c != "geometry"}
    data.update(
        incident_id=pd.Series(np.arange(n).astype(str)),
        month=month.reset_index(drop=True),
        occurred_from=start.reset_index(drop=True),
        occurred_to=end.reset_index(drop=True),
        time_precision=precision,
        sensitive=pd.Series(np.zeros(n, dtype=bool)),  # unknown would count as sensitive
        x=np.zeros(n),
        y=np.zeros(n),
    )
    data.update({k: v.reset_index(drop=True) for k, v in extra.items()})
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(np.zeros(n), np.zeros(n)), crs=WGS84)
    gdf.attrs[WORKING_CRS] = "EPSG:27700"
    return gdf


def _minutes_frame(start: list[str], end: list[str | None] | None = None) -> gpd.GeoDataFrame:
    s = pd.Series(pd.to_datetime(start))
    e = None if end is None else pd.Series(pd.to_datetime(end))
    return _frame(s, e, "minute")


@pytest.fixture(scope="session")
def houston(houston_load: LoadResult) -> gpd.GeoDataFrame:
    return houston_load.incidents


@pytest.fixture(scope="session")
def houston_raw(houston: gpd.GeoDataFrame) -> pd.DataFrame:
    """The raw CSV rows that ingest kept (it quarantines the 5 without coordinates)."""
    raw = pd.read_csv(datasets.timed_path("houston"), parse_dates=["datetime_local"])
    raw = raw[raw["lon"].notna() & raw["lat"].notna()].reset_index(drop=True)
    assert len(raw) == len(houston)
    return raw


@pytest.fixture(scope="session")
def nyc(nyc_load: LoadResult) -> gpd.GeoDataFrame:
    return nyc_load.incidents


@pytest.fixture(scope="session")
def dc(dc_load: LoadResult) -> gpd.GeoDataFrame:
    return dc_load.incidents


@pytest.fixture(scope="session")
def herts(herts_load: LoadResult) -> gpd.GeoDataFrame:
    return herts_load.incidents


# --- aoristic weights ---------------------------------------------------------------------------


def test_window_1030_to_1230_splits_quarter_half_quarter() -> None:
    # 2024-01-03 is a Wednesday: bins Wed 10, 11, 12.
    w = aoristic_weights(
        pd.Series(pd.to_datetime(["2024-01-03 10:30"])),
        pd.Series(pd.to_datetime(["2024-01-03 12:30"])),
    ).toarray()[0]
    wed = 2 * 24
    assert w[wed + 10 : wed + 13].tolist() == [0.25, 0.5, 0.25]
    assert w.sum() == pytest.approx(1.0)
    assert np.count_nonzero(w) == 3


def test_window_wraps_from_sunday_night_to_monday() -> None:
    w = aoristic_weights(
        pd.Series(pd.to_datetime(["2024-01-07 23:00"])),  # a Sunday
        pd.Series(pd.to_datetime(["2024-01-08 01:00"])),
    ).toarray()[0]
    assert w[167] == pytest.approx(0.5)
    assert w[0] == pytest.approx(0.5)


def test_missing_or_empty_window_puts_whole_weight_on_start_hour() -> None:
    w = aoristic_weights(
        pd.Series(pd.to_datetime(["2024-01-05 22:10", "2024-01-05 22:10"])),  # Friday
        pd.Series(pd.to_datetime([None, "2024-01-05 22:10"])),
    ).toarray()
    fri22 = 4 * 24 + 22
    assert w[:, fri22].tolist() == [1.0, 1.0]
    assert w.sum() == 2.0


def test_end_before_start_is_an_error_naming_the_fix() -> None:
    with pytest.raises(ValueError, match="end before they start"):
        aoristic_weights(
            pd.Series(pd.to_datetime(["2024-01-05 22:10"])),
            pd.Series(pd.to_datetime(["2024-01-05 21:00"])),
        )


def test_weights_sum_to_one_per_incident_on_real_nyc_and_dc(
    nyc: gpd.GeoDataFrame, dc: gpd.GeoDataFrame
) -> None:
    for incidents in (nyc, dc):
        start, end = incidents["occurred_from"], incidents["occurred_to"]
        assert (end > start).sum() > 0.9 * len(incidents)  # real windows
        w = aoristic_weights(start, end)
        assert w.shape == (len(start), 168)
        np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
        assert (w.data >= 0).all()


def test_long_nyc_windows_spread_whole_weeks_evenly(nyc: gpd.GeoDataFrame) -> None:
    start, end = nyc["occurred_from"], nyc["occurred_to"]
    i = int(np.flatnonzero((end - start == pd.Timedelta(days=14)).to_numpy())[0])
    w = aoristic_weights(start.iloc[[i]], end.iloc[[i]])
    np.testing.assert_allclose(w.toarray()[0], 1 / 168)


def _plain(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The incidents marked not sensitive: the reference checks of the arithmetic below count
    every incident (their crime types are unknown, so sensitive, and an hour × weekday split
    counts no sensitive incident; that rule is checked in test_differencing)."""
    return incidents.assign(sensitive=False)


def test_dc_aoristic_profile_matches_minute_by_minute_count(dc: gpd.GeoDataFrame) -> None:
    """Independent reference: expand every window minute by minute and count the minutes."""
    profile = hour_weekday(_plain(dc))
    expected = np.zeros(168)
    for start, end in zip(dc["occurred_from"], dc["occurred_to"], strict=True):
        if pd.isna(end) or end == start:
            expected[start.day_of_week * 24 + start.hour] += 1
            continue
        if end - start > pd.Timedelta(hours=168):
            continue
        minutes = pd.date_range(start, end, freq="min", inclusive="left")
        bins = minutes.day_of_week * 24 + minutes.hour
        expected += np.bincount(bins, minlength=168) / len(minutes)
    np.testing.assert_allclose(profile.table.to_numpy().ravel(), expected, atol=1e-9)
    assert profile.table.to_numpy().sum() == pytest.approx(profile.n_used)


# --- hour_weekday -------------------------------------------------------------------------------


def test_houston_hour_weekday_matches_pandas_crosstab(
    houston: gpd.GeoDataFrame, houston_raw: pd.DataFrame
) -> None:
    profile = hour_weekday(_plain(houston))
    names = dict(zip(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                      "Sunday"], WEEKDAYS, strict=True))  # fmt: skip
    expected = pd.crosstab(houston_raw["day_of_week"].map(names), houston_raw["hour"]).reindex(
        index=WEEKDAYS, columns=range(24), fill_value=0
    )
    assert profile.available and profile.reason == ""
    np.testing.assert_array_equal(profile.table.to_numpy(), expected.to_numpy())
    assert profile.n_used == len(houston_raw)
    assert profile.by_hour.sum() == len(houston_raw)
    assert profile.by_weekday.idxmax() == expected.sum(axis=1).idxmax()


def test_nyc_long_windows_excluded_and_counted(nyc: gpd.GeoDataFrame) -> None:
    nyc_raw = pd.read_csv(datasets.timed_path("nyc"), parse_dates=["date_start", "date_end"])
    assert len(nyc_raw) == len(nyc)
    long = int((nyc_raw["date_end"] - nyc_raw["date_start"] > pd.Timedelta(hours=168)).sum())
    assert long > 0
    profile = hour_weekday(_plain(nyc))
    assert profile.n_long_windows == long
    assert profile.n_used == len(nyc) - long
    assert profile.table.to_numpy().sum() == pytest.approx(len(nyc) - long)
    # an hour × weekday split counts no sensitive incident (the disclosure gate)
    mixed = nyc.assign(sensitive=np.arange(len(nyc)) % 3 == 0)
    kept = hour_weekday(mixed, include_long_windows=True)
    assert kept.sensitive_left_out
    assert kept.n_long_windows == long and kept.n_used == int((~mixed["sensitive"]).sum())
    assert kept.table.to_numpy().sum() == pytest.approx(kept.n_used)
    assert not hour_weekday(nyc).available  # every NYC type is unknown, so sensitive
    short = hour_weekday(_plain(nyc), max_window_hours=24)
    assert short.n_long_windows == int(
        (nyc_raw["date_end"] - nyc_raw["date_start"] > pd.Timedelta(hours=24)).sum()
    )


def test_non_aoristic_counts_whole_incident_at_start_hour(dc: gpd.GeoDataFrame) -> None:
    profile = hour_weekday(_plain(dc), aoristic=False)
    dc_raw = pd.read_csv(datasets.timed_path("dc"), parse_dates=["start_datetime", "end_datetime"])
    short = ~(dc_raw["end_datetime"] - dc_raw["start_datetime"] > pd.Timedelta(hours=168))
    start = dc_raw.loc[short, "start_datetime"]
    expected = np.bincount(start.dt.day_of_week * 24 + start.dt.hour, minlength=168)
    np.testing.assert_array_equal(profile.table.to_numpy().ravel(), expected)


def test_weights_column_scales_the_profile(houston: gpd.GeoDataFrame) -> None:
    weighted = _plain(houston).assign(harm=2.5)
    assert hour_weekday(weighted, weights="harm").table.to_numpy().sum() == pytest.approx(
        2.5 * len(houston)
    )
    with pytest.raises(ValueError, match="non-negative"):
        hour_weekday(_plain(houston), weights=-np.ones(len(houston)))


def test_month_only_police_uk_has_no_hour_profile_and_says_why(herts: gpd.GeoDataFrame) -> None:
    profile = hour_weekday(herts)
    assert not profile.available
    assert profile.table is None
    assert "police.uk data is month-only" in profile.reason
    assert profile.n_without_time == len(herts) > 100_000
    with pytest.raises(ValueError, match="month-only"):
        _ = profile.by_hour


def test_day_precision_is_not_put_at_midnight() -> None:
    frame = _frame(pd.Series(pd.to_datetime(["2024-01-05", "2024-01-06"])), None, "day")
    profile = hour_weekday(frame)
    assert not profile.available and "no incident has a time of day" in profile.reason


def test_mixed_precision_uses_only_timed_rows() -> None:
    timed = _minutes_frame(["2024-01-05 22:10"])
    untimed = _frame(pd.Series(pd.to_datetime(["2024-01-06"])), None, "day")
    profile = hour_weekday(pd.concat([timed, untimed], ignore_index=True))
    assert profile.n_used == 1 and profile.n_without_time == 1
    assert profile.table.loc["Fri", 22] == 1.0


# --- monthly series and period comparison ------------------------------------------------------


def test_monthly_series_zero_fills_gaps() -> None:
    frame = _minutes_frame(["2021-01-05 10:00", "2021-01-09 11:00", "2021-04-01 00:00"])
    frame["category"] = ["Drugs", "Drugs", "Other"]
    series = monthly_series(frame, by="category")
    assert list(series.index.strftime("%Y-%m")) == ["2021-01", "2021-02", "2021-03", "2021-04"]
    assert series["Drugs"].tolist() == [2, 0, 0, 0]
    assert series["Other"].tolist() == [0, 0, 0, 1]
    assert monthly_series(frame)["incidents"].tolist() == [2, 0, 0, 1]


def test_monthly_series_on_police_uk_matches_crosstab(herts: gpd.GeoDataFrame) -> None:
    series = monthly_series(herts, by="crime_type")
    assert len(series) == 13
    expected = pd.crosstab(herts["month"], herts["crime_type"])
    np.testing.assert_array_equal(series[expected.columns].to_numpy(), expected.to_numpy())
    assert series.to_numpy().sum() == len(herts)


def test_compare_same_month_last_year_matches_statsmodels_exact_test(
    herts: gpd.GeoDataFrame,
) -> None:
    result = compare_periods(herts, current=("2022-01", "2022-01"), by="crime_type")
    counts = pd.crosstab(herts["crime_type"], herts["month"].dt.strftime("%Y-%m"))
    assert result.attrs["previous_period"] == "2021-01"
    assert result.attrs["current_days"] == result.attrs["previous_days"] == 31
    np.testing.assert_array_equal(result.loc[counts.index, "current"], counts["2022-01"])
    np.testing.assert_array_equal(result.loc[counts.index, "previous"], counts["2021-01"])
    for crime, row in result.iterrows():
        ref = poisson_2indep_test(
            row["current"], 31, row["previous"], 31, method="exact-cond"
        ).pvalue
        assert row["p_value"] == pytest.approx(ref, rel=1e-9), crime
    bh = multipletests(result["p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(result["q_value"], bh)
    assert (result["significant"] == (result["q_value"] < 0.05)).all()
    rises = result[result["direction"] == "rise"]
    assert (rises["current"] > rises["previous"]).all()


def test_compare_unequal_periods_uses_exposure_ratio(herts: gpd.GeoDataFrame) -> None:
    # Q4 2021 (92 days) against the quarter before (Q3, 92 days) and against Feb 2021 (28 days).
    quarter = compare_periods(herts, current=("2021-10", "2021-12"), same_last_year=False)
    assert quarter.attrs["previous_period"] == "2021-07 to 2021-09"
    row = compare_periods(herts, current=("2021-03", "2021-03"), previous=("2021-02", "2021-02"))
    c, p = int(row["current"].iloc[0]), int(row["previous"].iloc[0])
    ref = poisson_2indep_test(c, 31, p, 28, method="exact-cond").pvalue
    assert row["p_value"].iloc[0] == pytest.approx(ref, rel=1e-9)
    assert row["rate_ratio"].iloc[0] == pytest.approx((c / 31) / (p / 28))
    assert row["pct_change"].iloc[0] == pytest.approx(100 * (c - p) / p)


def test_compare_timed_days_counts_by_occurred_from(houston: gpd.GeoDataFrame, houston_raw):
    result = compare_periods(houston, current=("2010-03-08", "2010-03-14"), same_last_year=False)
    day = houston_raw["datetime_local"].dt.normalize()
    assert result.attrs["previous_period"] == "2010-03-01 to 2010-03-07"
    assert result["current"].iloc[0] == day.between("2010-03-08", "2010-03-14").sum()
    assert result["previous"].iloc[0] == day.between("2010-03-01", "2010-03-07").sum()


def test_compare_refuses_periods_outside_data_or_cutting_months(herts: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="outside the data"):
        compare_periods(herts, current=("2021-06", "2021-06"))  # 2020-06 is not in the data
    with pytest.raises(ValueError, match="cuts their month"):
        compare_periods(herts, current=("2021-06-10", "2021-06-20"), same_last_year=False)
    with pytest.raises(ValueError, match="overlap"):
        compare_periods(herts, current=("2021-06", "2021-08"), previous=("2021-05", "2021-06"))


# --- peak windows -------------------------------------------------------------------------------


def _brute_force_peaks(table: np.ndarray, hours: int, top: int) -> list[tuple[int, float]]:
    """Greedy non-overlapping top blocks by explicit loops over every start."""
    sums = [(sum(table[(s + k) % 168] for k in range(hours)), s) for s in range(168)]
    order = sorted(sums, key=lambda t: (-t[0], t[1]))
    chosen: list[tuple[int, float]] = []
    for value, start in order:
        if len(chosen) == top or value <= 0:
            break
        clash = any(min((start - c) % 168, (c - start) % 168) < hours for c, _ in chosen)
        if not clash:
            chosen.append((start, value))
    return chosen


def test_planted_friday_night_peak_is_found_across_midnight() -> None:
    rng = np.random.default_rng(7)
    base = pd.Timestamp("2024-01-01")  # Monday
    background = base + pd.to_timedelta(rng.integers(0, 4 * 168 * 60, 500), unit="min")
    friday_night = pd.Timestamp("2024-01-05 22:00") + pd.to_timedelta(
        rng.integers(0, 240, 300), unit="min"
    )
    frame = _frame(pd.Series(background.append(friday_night)), None, "minute")
    peaks = peak_windows(frame, top=2, block_hours=4)
    assert peaks.loc[0, "label"] == "Fri 22:00–Sat 02:00"
    assert peaks.loc[0, "weekday"] == "Fri" and peaks.loc[0, "start_hour"] == 22
    assert peaks.loc[0, "lift"] > 5
    assert peaks.loc[0, "share"] == pytest.approx(peaks.loc[0, "incidents"] / 800)
    assert peaks.attrs["reason"] == ""


def test_peak_wrapping_round_the_end_of_the_week() -> None:
    frame = _minutes_frame(["2024-01-07 23:15", "2024-01-08 00:20", "2024-01-08 01:40"] * 5)
    peaks = peak_windows(frame, top=1, block_hours=3)
    assert peaks.loc[0, "label"] == "Sun 23:00–Mon 02:00"
    assert peaks.loc[0, "share"] == pytest.approx(1.0)


def test_houston_peaks_equal_brute_force_search(
    houston: gpd.GeoDataFrame, houston_raw: pd.DataFrame
) -> None:
    peaks = peak_windows(houston, top=3, block_hours=range(2, 5), by="crime_type")
    assert set(peaks["block_hours"]) == {2, 3, 4}
    for offense in ("burglary", "robbery", "theft"):
        rows = houston_raw[houston_raw["offense"] == offense]
        dt = rows["datetime_local"]
        table = np.bincount(dt.dt.day_of_week * 24 + dt.dt.hour, minlength=168).astype(float)
        for hours in (2, 3, 4):
            got = peaks[(peaks["crime_type"] == offense) & (peaks["block_hours"] == hours)]
            expected = _brute_force_peaks(table, hours, 3)
            assert got["label"].tolist() == [window_label(s, hours) for s, _ in expected]
            np.testing.assert_allclose(got["incidents"], [v for _, v in expected])
            np.testing.assert_allclose(got["share"], [v / len(rows) for _, v in expected])


def test_month_only_peaks_fall_back_to_months_and_say_so(herts: gpd.GeoDataFrame) -> None:
    peaks = peak_windows(herts, top=2)
    assert "month-only" in peaks.attrs["reason"]
    assert set(peaks["resolution"]) == {"month"}
    counts = herts["month"].dt.strftime("%Y-%m").value_counts()
    assert peaks["label"].tolist() == counts.index[:2].tolist()
    assert peaks["share"].iloc[0] == pytest.approx(counts.iloc[0] / len(herts))
    by = peak_windows(herts, top=1, by="crime_type")
    assert len(by) == herts["crime_type"].nunique() == 14


def test_peak_windows_rejects_bad_options(houston: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="block lengths"):
        peak_windows(houston, block_hours=0)
    with pytest.raises(KeyError, match="not a column"):
        peak_windows(houston, by="no_such_column")


# --------------------------------------------------------------------------- peak times


@pytest.fixture(scope="module")
def demo_wards() -> gpd.GeoDataFrame:
    return read_boundaries(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="module")
def demo(demo_wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The dashboard's demo: police.uk (month only) + the timed council log, wards joined."""
    loaded = concat_results([load_demo_policeuk(), load_demo_log()])
    return assign_areas(loaded.incidents, demo_wards)


def test_peak_times_of_a_ward_against_pandas(demo: gpd.GeoDataFrame) -> None:
    shown = demo[(demo["month"] >= "2021-07-01") & (demo["month"] <= "2021-12-01")]
    ward = demo["ward_code"].value_counts().index[0]
    out = peak_times(shown, Focus("A ward", ward, "the busiest ward"), undated=demo)
    focus = shown[shown["ward_code"] == ward]
    assert out.n == len(focus) > 0
    per_month = focus.groupby("month").size()
    np.testing.assert_array_equal(out.monthly["incidents"], per_month.to_numpy())
    history = demo[demo["ward_code"] == ward].groupby("month").size()
    year_before = [history.get(m - pd.DateOffset(years=1), np.nan) for m in per_month.index]
    np.testing.assert_array_equal(out.monthly["a_year_earlier"], year_before)
    assert out.months_without_last_year == 6  # the data start in January 2021
    timed = int(focus["time_precision"].isin(["hour", "minute"]).sum())
    assert out.coverage["with_time"] == timed and out.profile.n_used <= timed
    reference = peak_windows(focus, top=3, block_hours=range(2, 5))
    pd.testing.assert_frame_equal(out.peaks, reference)
    assert out.note == ""


def test_peak_times_of_a_crime_group_and_of_everything(demo: gpd.GeoDataFrame) -> None:
    asb = peak_times(demo, Focus("A crime group", "Anti-social behaviour", "ASB"))
    assert asb.n == int((demo["category"] == "Anti-social behaviour").sum())
    assert not asb.sensitive_left_out
    everything = peak_times(demo, Focus())
    # Charts of time count sensitive incidents only from groups (source, type, ward, month) of
    # 5 or more; the count shown with them counts the same incidents, so the two never differ
    # by a small group (which the ward table withholds).
    sensitive = demo[demo["sensitive"].astype(bool)]
    keys = ["source", "crime_type", "ward_code", "month"]
    size = sensitive.groupby(keys, dropna=False)["incident_id"].transform("size")
    counted = len(demo) - int((size < 5).sum())
    assert counted < len(demo) and everything.sensitive_left_out
    assert everything.n == counted
    assert everything.monthly["incidents"].sum() == counted
    assert everything.coverage["n"] == counted
    assert everything.months_without_last_year == 12  # Jan 2022 only has a year before
    nobody = peak_times(demo, Focus("A ward", "E99999999", "nowhere"))
    assert nobody.n == 0 and nobody.peaks is None


def test_peak_times_of_a_cluster_use_its_labels(demo: gpd.GeoDataFrame) -> None:
    spatial = mappable(demo)
    labels = np.where(spatial["ward_code"].to_numpy() == spatial["ward_code"].iloc[0], 7, -1)
    out = peak_times(demo, Focus("A cluster", 7, "cluster 7"), cluster_labels=labels)
    assert out.n == int((labels == 7).sum()) > 0
    assert out.note == CLUSTER_NOTE
    in_cluster = spatial[labels == 7]
    np.testing.assert_array_equal(
        out.monthly["incidents"], in_cluster.groupby("month").size().to_numpy()
    )
    with pytest.raises(ValueError, match="cluster_labels"):
        peak_times(demo, Focus("A cluster", 7, "cluster 7"))
    with pytest.raises(ValueError, match="cluster labels"):
        focus_mask(demo, Focus("A cluster", 7, "cluster 7"))
    code = spatial["ward_code"].iloc[0]
    ward = focus_mask(demo, Focus("A ward", code))
    assert ward.dtype == bool and ward.sum() == (demo["ward_code"] == code).sum()


@pytest.mark.filterwarnings("ignore:Converting to PeriodArray")  # the reference drops the zone
def test_months_read_as_pandas_periods_read_them():
    from hotspots.analysis.temporal.series import _month_numbers, _months

    stamps = pd.Series(pd.to_datetime(["1969-12-31 23:30", "1970-01-01 00:00", "2021-03-31 23:59",
                                       "2021-04-01 00:00", "1900-02-28 12:00"]))  # fmt: skip
    for month in (stamps, stamps.dt.tz_localize("Europe/London"), stamps.astype("datetime64[s]"),
                  stamps.dt.strftime("%Y-%m")):  # fmt: skip
        frame = pd.DataFrame({"month": month})
        periods = pd.to_datetime(month).dt.to_period("M")
        assert _month_numbers(frame).tolist() == periods.array.asi8.tolist()
        pd.testing.assert_series_equal(_months(frame), periods.dt.to_timestamp().rename("month"))
    with pytest.raises(ValueError, match="1 incident"):
        _month_numbers(pd.DataFrame({"month": [pd.NaT, pd.Timestamp("2021-01-01")]}))
