"""Monthly series and period-on-period comparison with an exact test for two Poisson counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeAlias

import numpy as np
import pandas as pd

from hotspots.analysis.stats.fdr import fdr_bh
from hotspots.analysis.temporal._common import group_codes
from hotspots.analysis.temporal.exact import binom_two_sided
from hotspots.core import disclosure

PeriodBound: TypeAlias = str | date | datetime | pd.Timestamp | pd.Period
"""A period bound: ``"2021-03"`` (a month), ``"2021-03-15"`` (a day), a date or a Timestamp."""

_DAY = pd.Timedelta(days=1)

_TEST = (
    "exact conditional binomial test for two Poisson counts (two-sided), per day so that "
    "months of different length are allowed for, and significant only when the counts as "
    "counted also differ significantly the same way"
)
"""How :func:`compare_periods` decides that a change is significant, in words."""


def _month_numbers(incidents: pd.DataFrame) -> np.ndarray:
    """Each incident's month as months since January 1970 (the month of its local wall-clock
    date, as :meth:`pandas.Series.dt.to_period` reads it)."""
    if "month" not in incidents.columns:
        raise KeyError("incidents lack the 'month' column; load them with hotspots.data.ingest")
    month = pd.to_datetime(incidents["month"])
    if isinstance(month.dtype, pd.DatetimeTZDtype):
        month = month.dt.tz_localize(None)
    numbers = month.to_numpy().astype("datetime64[M]")
    missing = np.isnat(numbers)
    if missing.any():
        raise ValueError(
            f"{int(missing.sum())} incident(s) have no month; every canonical incident "
            "needs one (hotspots.data.ingest quarantines rows without a date)"
        )
    return numbers.astype(np.int64)


def _first_days(numbers: np.ndarray) -> pd.DatetimeIndex:
    """The first day of each month of :func:`_month_numbers`, as pandas gives a month's
    :meth:`~pandas.Period.to_timestamp`."""
    return pd.PeriodIndex.from_ordinals(numbers, freq="M").to_timestamp()


def _months(incidents: pd.DataFrame) -> pd.Series:
    """Each incident's month as the first day of it (a Timestamp)."""
    first_days = _first_days(_month_numbers(incidents))
    return pd.Series(first_days, index=incidents.index, name="month")


def monthly_series(incidents: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Incidents per month, with months that had none filled with zero.

    Parameters
    ----------
    incidents
        Canonical incidents (uses the ``month`` column, so police.uk month-only data works).
    by
        Optional column to split by (``"category"``, ``"ward_code"``, a hotspot id column …).
        Incidents with no value form the group ``"(none)"``.

    Returns
    -------
    DataFrame
        Index ``month`` (first day of each month, every month from the first to the last in the
        data); one column per group, or a single column ``"incidents"`` when ``by`` is None.
        Sensitive incidents are counted only in groups (type, ward, month) of 5 or more
        (:func:`hotspots.core.disclosure.countable`).

    Examples
    --------
    >>> series = monthly_series(incidents, by="category")  # doctest: +SKIP
    >>> series.loc["2021-07-01", "Anti-social behaviour"]  # doctest: +SKIP
    """
    month = _month_numbers(incidents)
    # Through the disclosure gate: sensitive incidents count only in groups of 5 or more.
    counted = np.ones(len(incidents), dtype=bool)
    if "sensitive" in incidents.columns:
        counted = ~disclosure.small_groups(incidents)
    codes, labels = group_codes(incidents, by, rows=counted)
    columns = pd.Index(["incidents"]) if by is None else labels
    if len(incidents) == 0:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="month"), dtype=int)
    first, last = int(month.min()), int(month.max())
    index = pd.date_range(*_first_days(np.array([first, last])), freq="MS", name="month")
    row = month[counted] - first
    table = np.bincount(row * len(columns) + codes, minlength=len(index) * len(columns)).reshape(
        len(index), len(columns)
    )
    return pd.DataFrame(table, index=index, columns=columns)


def _bounds(period: Sequence[PeriodBound], name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Inclusive ``(start, end)`` at the resolution written → half-open ``[start, stop)``."""
    if isinstance(period, str | pd.Timestamp) or len(period) != 2:
        raise ValueError(f"{name} must be a (start, end) pair, e.g. ('2021-10', '2021-12')")
    first, last = (_as_period(value, name) for value in period)
    start, stop = first.start_time, (last + 1).start_time
    if stop <= start:
        raise ValueError(f"{name} ends before it starts: {period}")
    return start, stop


def _as_period(value: PeriodBound, name: str) -> pd.Period:
    if isinstance(value, pd.Period):
        return value
    if isinstance(value, str):
        try:
            return pd.Period(value)
        except ValueError as err:
            raise ValueError(f"{name}: cannot read {value!r} as a month or date") from err
    return pd.Period(pd.Timestamp(value), freq="D")


def _label(start: pd.Timestamp, stop: pd.Timestamp) -> str:
    last = stop - pd.Timedelta(1, "ns")
    if start.is_month_start and stop.is_month_start:
        first, end = start.strftime("%Y-%m"), last.strftime("%Y-%m")
    else:
        first, end = start.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")
    return first if first == end else f"{first} to {end}"


def _previous(
    start: pd.Timestamp, stop: pd.Timestamp, *, same_last_year: bool
) -> tuple[pd.Timestamp, pd.Timestamp]:
    if same_last_year:
        return start - pd.DateOffset(years=1), stop - pd.DateOffset(years=1)
    if start.is_month_start and stop.is_month_start:
        months = (stop.year - start.year) * 12 + stop.month - start.month
        return start - pd.DateOffset(months=months), start
    return start - (stop - start), start


def _in_period(
    when: pd.Series, month: pd.Series, timed: np.ndarray, start: pd.Timestamp, stop: pd.Timestamp
) -> np.ndarray:
    """Incidents inside ``[start, stop)``; raise when a month-only incident straddles a bound."""
    point_in = ((when >= start) & (when < stop)).to_numpy()
    month_end = month + pd.DateOffset(months=1)
    month_in = ((month >= start) & (month_end <= stop)).to_numpy()
    straddles = ~timed & ((month < stop) & (month_end > start)).to_numpy() & ~month_in
    if straddles.any():
        raise ValueError(
            f"{int(straddles.sum())} incident(s) are dated to the month only and the period "
            f"{_label(start, stop)} cuts their month; use whole months, e.g. ('2021-10', '2021-12')"
        )
    return np.where(timed, point_in, month_in)


def compare_periods(
    incidents: pd.DataFrame,
    *,
    current: Sequence[PeriodBound],
    previous: Sequence[PeriodBound] | None = None,
    same_last_year: bool = True,
    by: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Compare counts in two periods and test whether the change is more than chance.

    The test is the exact conditional test for two Poisson rates (Przyborowski & Wilenski 1940):
    given ``n = current + previous``, under "no change in the rate" ``current`` is
    Binomial(n, p) with ``p = T_current / (T_current + T_previous)``, ``T`` the period lengths
    in days; the two-sided p-value is :func:`scipy.stats.binomtest`'s (vectorised:
    :func:`hotspots.analysis.temporal.exact.binom_two_sided`). With ``by``, many groups
    are tested at once, so ``significant`` uses Benjamini–Hochberg q-values
    (:func:`hotspots.analysis.stats.fdr.fdr_bh`): a partnership does not chase noise.

    Testing per-day rates allows for periods of different length (a 31-day March against a
    28-day February), but the counts and ``pct_change`` a JAG reads are as counted: 1,373 in
    February and 1,387 in March is 9 % fewer a day. So a change is called significant
    (``significant``, ``direction``) only when it is significant both per day and as counted
    (the same test with ``p = 1/2``, q-values likewise), the counts moving the way the
    per-day rates do: the ▲/▼ and "significant rise/fall" never contradict the counts and
    ``pct_change`` shown, and a change that only the different lengths explain is no
    significant change. For periods of equal length the two tests are one. ``p_value`` and
    ``q_value`` are the per-day test's.

    Parameters
    ----------
    incidents
        Canonical incidents. Timed incidents count at ``occurred_from``; month-only incidents
        count in a period that contains their whole month.
    current
        ``(start, end)``, both inclusive at the resolution written: ``("2021-10", "2021-12")`` is
        1 Oct to 31 Dec; ``("2021-10-04", "2021-10-10")`` is one week.
    previous
        The period to compare with. ``None``: the same dates a year earlier
        (``same_last_year=True``) or the period of equal length just before ``current``.
    same_last_year
        See ``previous``.
    by
        Optional column to compare group by group (``"ward_code"``, ``"category"`` …).
    alpha
        Significance level for the q-value (p-value when ``by`` is None).

    Returns
    -------
    DataFrame
        One row per group (``by`` as the index, or a single row ``"all"``) with ``current``,
        ``previous``, ``change``, ``pct_change`` (NaN when previous is 0), ``rate_ratio``
        (per-day rates, current / previous), ``p_value``, ``q_value``, ``significant`` and
        ``direction`` ("rise", "fall" or "no significant change"). ``attrs`` records the periods,
        their lengths in days, the binomial ``p`` and the test.

    Raises
    ------
    ValueError
        When a period lies outside the months covered by the data, the periods overlap, or a
        period cuts a month that month-only incidents are dated to.

    Examples
    --------
    >>> compare_periods(incidents, current=("2022-01", "2022-01"))  # doctest: +SKIP
    >>> compare_periods(incidents, current=("2021-10", "2021-12"), same_last_year=False,
    ...                 by="ward_code")  # doctest: +SKIP
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    cur = _bounds(current, "current")
    prev = (
        _previous(*cur, same_last_year=same_last_year)
        if previous is None
        else _bounds(previous, "previous")
    )
    if prev[0] < cur[1] and cur[0] < prev[1]:
        raise ValueError(f"the periods overlap: {_label(*prev)} and {_label(*cur)}")
    month = _months(incidents)
    if len(month) == 0:
        raise ValueError("there are no incidents to compare")
    covered = (month.min(), month.max() + pd.DateOffset(months=1))
    for name, (start, stop) in (("current", cur), ("previous", prev)):
        if start < covered[0] or stop > covered[1]:
            raise ValueError(
                f"the {name} period {_label(start, stop)} is outside the data, which covers "
                f"{_label(*covered)}; choose periods inside it (or pass previous=…, "
                "same_last_year=False)"
            )
    timed = (incidents["time_precision"].astype(str) != "month").to_numpy() & incidents[
        "occurred_from"
    ].notna().to_numpy()
    when = incidents["occurred_from"]
    codes, labels = group_codes(incidents, by)
    counts = {
        name: np.bincount(codes[_in_period(when, month, timed, *bounds)], minlength=len(labels))
        for name, bounds in (("current", cur), ("previous", prev))
    }
    days = {"current": (cur[1] - cur[0]) / _DAY, "previous": (prev[1] - prev[0]) / _DAY}
    share = days["current"] / (days["current"] + days["previous"])
    c, p = counts["current"], counts["previous"]
    p_value = binom_two_sided(c, c + p, share)
    # as counted: the same test with equal exposure (the per-day test when the lengths are equal)
    p_counted = p_value if share == 0.5 else binom_two_sided(c, c + p, 0.5)
    q_value, q_counted = (
        (fdr_bh(p_value), fdr_bh(p_counted)) if by is not None else (p_value, p_counted)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_ratio = np.where(p > 0, (c / days["current"]) / (p / days["previous"]), np.nan)
        pct_change = np.where(p > 0, 100 * (c - p) / p, np.nan)
    rising = c / days["current"] > p / days["previous"]
    counted_same_way = np.where(rising, c > p, c < p)
    significant = (q_value < alpha) & (q_counted < alpha) & counted_same_way
    result = pd.DataFrame(
        {
            "current": c,
            "previous": p,
            "change": c - p,
            "pct_change": pct_change,
            "rate_ratio": rate_ratio,
            "p_value": p_value,
            "q_value": q_value,
            "significant": significant,
            "direction": np.where(
                significant, np.where(rising, "rise", "fall"), "no significant change"
            ),
        },
        index=labels if by is not None else pd.Index(["all"], name="group"),
    )
    result.attrs.update(
        current_period=_label(*cur),
        previous_period=_label(*prev),
        current_days=days["current"],
        previous_days=days["previous"],
        binomial_p=share,
        alpha=alpha,
        test=_TEST + ("; significance on Benjamini-Hochberg q-values" if by is not None else ""),
    )
    return result


def count_period(
    incidents: pd.DataFrame,
    *,
    current: Sequence[PeriodBound],
    by: str | None = None,
    why: str = "no period to compare with",
) -> pd.DataFrame:
    """Counts in one period, shaped like :func:`compare_periods` with no comparison made.

    For a period whose comparison cannot be made (no data to compare with): ``current`` counts
    per group; ``previous``, ``change``, ``pct_change``, ``rate_ratio``, ``p_value`` and
    ``q_value`` are NaN, ``significant`` False, ``direction`` empty. ``attrs``: ``skipped``
    True, ``test`` = ``why``.

    Examples
    --------
    >>> count_period(incidents, current=("2018-04", "2018-04"), by="ward_code")  # doctest: +SKIP
    """
    start, stop = _bounds(current, "current")
    month = _months(incidents)
    timed = (incidents["time_precision"].astype(str) != "month").to_numpy() & incidents[
        "occurred_from"
    ].notna().to_numpy()
    codes, labels = group_codes(incidents, by)
    inside = _in_period(incidents["occurred_from"], month, timed, start, stop)
    counts = np.bincount(codes[inside], minlength=len(labels))
    nan = np.full(len(labels), np.nan)
    result = pd.DataFrame(
        {
            "current": counts,
            "previous": nan,
            "change": nan,
            "pct_change": nan,
            "rate_ratio": nan,
            "p_value": nan,
            "q_value": nan,
            "significant": False,
            "direction": "",
        },
        index=labels if by is not None else pd.Index(["all"], name="group"),
    )
    result.attrs.update(current_period=_label(start, stop), skipped=True, test=why)
    return result
