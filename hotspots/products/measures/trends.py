"""The When page's series: incidents per month against a year earlier, and how many incidents
carry a time of day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.analysis.temporal import monthly_series
from hotspots.data.coverage import Coverage, source_names
from hotspots.products.measures.periods import PeriodBound, period_label, require


def monthly_with_last_year(
    incidents: pd.DataFrame,
    *,
    start: PeriodBound | None = None,
    end: PeriodBound | None = None,
    coverage: tuple[PeriodBound, PeriodBound] | Coverage | None = None,
) -> pd.DataFrame:
    """Incidents per month from ``start`` to ``end``, with the same months a year earlier.

    Parameters
    ----------
    incidents
        Canonical incidents (month-only police.uk records work: only ``month`` is used).
    start, end
        First and last month shown; default the months the data cover.
    coverage
        The months the data cover: a :class:`~hotspots.data.coverage.Coverage` (a month it does
        not cover is "no data", NaN, never zero, even between covered months), or the first
        and last month (every month between is covered). A covered month with no incident is
        a true zero; a month outside the coverage is unknown. Default: the months of
        ``incidents``. Pass the whole selection's coverage when ``incidents`` is a small part
        of it.

    Returns
    -------
    DataFrame
        Index ``month``; ``incidents`` (every source), ``a_year_earlier`` (NaN when that month
        is not covered: "no data") and ``same_sources``: the month's count of the sources
        ``a_year_earlier`` counts. Like with like: with a :class:`Coverage`, each month and
        the month a year earlier count only the sources covering both (a council log that
        started since is left out of both; NaN when no source covers both), so compare
        ``same_sources`` with ``a_year_earlier``; ``attrs["left_out"]`` names, per month
        (Timestamp), the sources left out of that pair. Through the disclosure gate: sensitive
        incidents are counted only in groups of 5 or more of one type, ward and month.

    Examples
    --------
    >>> monthly_with_last_year(incidents, start="2021-07").tail(1)  # doctest: +SKIP
    """
    require(incidents, ("month",))
    covered = None
    sources = coverage if isinstance(coverage, Coverage) else None
    if isinstance(coverage, Coverage):
        covered = coverage.months()
        if len(covered) == 0:
            raise ValueError("the coverage holds no month: there are no data to chart")
        coverage = (covered.min().start_time, covered.max().start_time)
    if coverage is None:
        if len(incidents) == 0:
            raise ValueError("there are no incidents: pass coverage=(first, last) months")
        coverage = (incidents["month"].min(), incidents["month"].max())
    first, last = (pd.Period(pd.Timestamp(v), freq="M") for v in coverage)
    months = pd.period_range(first, last, freq="M").to_timestamp()
    series = pd.Series(0.0, index=months)
    if len(incidents):
        counted = monthly_series(incidents)["incidents"]
        outside = counted[(counted.index < months[0]) | (counted.index > months[-1])].sum()
        if outside:
            raise ValueError(
                f"{int(outside)} incident(s) fall outside coverage {period_label((first, last))}; "
                "widen coverage to the months of the data"
            )
        series = counted.reindex(months, fill_value=0).astype(float)
    if covered is not None:  # a month no source covers is "no data", not zero
        gap = ~months.to_period("M").isin(covered)
        if series[gap].sum():
            raise ValueError(
                f"{int(series[gap].sum())} incident(s) fall in months the coverage does not "
                "hold; pass the coverage of the incidents' sources"
            )
        series[gap] = np.nan
    lo = pd.Period(pd.Timestamp(start), freq="M") if start is not None else first
    hi = pd.Period(pd.Timestamp(end), freq="M") if end is not None else last
    shown = pd.period_range(lo, hi, freq="M").to_timestamp()
    earlier = shown - pd.DateOffset(years=1)
    out = pd.DataFrame(
        {
            "incidents": series.reindex(shown).to_numpy(dtype=float),
            "a_year_earlier": series.reindex(earlier).to_numpy(dtype=float),
        },
        index=pd.DatetimeIndex(shown, name="month"),
    )
    out["same_sources"] = out["incidents"].where(out["a_year_earlier"].notna())
    out.attrs["left_out"] = {}
    if sources is not None and len(sources.sources) > 1 and "source" in incidents.columns:
        _like_with_like(out, incidents, sources)
    return out


def _like_with_like(out: pd.DataFrame, incidents: pd.DataFrame, coverage: Coverage) -> None:
    """Each month of ``out`` and the month a year earlier counted over the sources covering
    both (in place): ``a_year_earlier`` and ``same_sources``, and ``attrs["left_out"]``."""
    named = incidents.assign(_source=source_names(incidents["source"]).to_numpy())
    per_source = monthly_series(named, by="_source") if len(named) else pd.DataFrame()
    have = {name: set(coverage.months(name)) for name in coverage.sources}
    for month in out.index:
        now, then = (pd.Period(m, freq="M") for m in (month, month - pd.DateOffset(years=1)))
        present = {s for s, months in have.items() if now in months or then in months}
        both = sorted(s for s in present if now in have[s] and then in have[s])
        if set(both) == present or out.loc[month, ["incidents", "a_year_earlier"]].isna().any():
            continue  # every source of the pair covers both months, or one has no data
        out.at[month, "a_year_earlier"] = _count(per_source, both, then.start_time)
        out.at[month, "same_sources"] = _count(per_source, both, now.start_time)
        out.attrs["left_out"][month] = sorted(present - set(both))


def _count(per_source: pd.DataFrame, sources: list[str], month: pd.Timestamp) -> float:
    """The incidents of ``sources`` in ``month`` (a covered month: 0 when none; NaN without
    ``sources``: no source to count)."""
    if not sources:
        return np.nan
    if month not in per_source.index:
        return 0.0
    return float(per_source.loc[month].reindex(sources, fill_value=0).sum())


def time_of_day_coverage(incidents: pd.DataFrame) -> dict[str, float]:
    """How many incidents carry a time of day, and how many a window (``occurred_to``).

    Returns
    -------
    dict
        ``n``, ``with_time`` (``time_precision`` hour or minute with ``occurred_from``),
        ``with_window`` (of those, ``occurred_to`` after ``occurred_from``: spread over the
        window's hours by the aoristic method), ``share_with_time``, ``share_with_window``
        (0..1; 0 when there are no incidents).

    Examples
    --------
    >>> time_of_day_coverage(policeuk_incidents)["share_with_time"]  # doctest: +SKIP
    0.0
    """
    require(incidents, ("time_precision", "occurred_from", "occurred_to"))
    precision = incidents["time_precision"].astype("string").str.lower()
    timed = (precision.isin(["hour", "minute"]) & incidents["occurred_from"].notna()).to_numpy()
    window = (incidents["occurred_to"] > incidents["occurred_from"]).fillna(False).to_numpy(bool)
    n = len(incidents)
    with_time, with_window = int(timed.sum()), int((timed & window).sum())
    return {
        "n": n,
        "with_time": with_time,
        "with_window": with_window,
        "share_with_time": with_time / n if n else 0.0,
        "share_with_window": with_window / n if n else 0.0,
    }
