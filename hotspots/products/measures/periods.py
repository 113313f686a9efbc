"""Periods a JAG compares (current, previous, same period last year) and the comparison of
two periods' counts that every measure shares (:func:`hotspots.analysis.temporal.compare_periods`,
the exact conditional test for two Poisson counts with Benjamini–Hochberg q-values).

Periods are ``(first, last)`` pairs, both inclusive, at the resolution written: months
(``("2022-01", "2022-01")``) or days (``("2022-01-04", "2022-01-31")``). police.uk records are
dated to the month only, so comparisons of data that include them use whole months;
:func:`default_periods` decides from ``time_precision``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeAlias

import numpy as np
import pandas as pd

from hotspots.analysis.temporal import compare_periods
from hotspots.analysis.temporal.series import count_period
from hotspots.core import disclosure
from hotspots.data.coverage import Coverage, year_before

PeriodBound: TypeAlias = str | date | datetime | pd.Timestamp | pd.Period
Bounds = tuple[pd.Period, pd.Period]

RISE, FALL = "▲", "▼"
"""Markers of a significant rise and fall (blank: no significant change)."""

SIGNIFICANCE_WORDS: dict[str, str] = {
    "rise": f"{RISE} Significantly higher",
    "fall": f"{FALL} Significantly lower",
    "same": "○ No significant change",
    "few": "· Too few to test",
    "withheld": "Withheld (small sensitive count)",
    "none": "No comparison",
}
"""What a comparison's significance reads in a table: marker and words, never blank."""

COMPARISONS = {"previous": "vs_previous", "last_year": "vs_last_year"}
COMPARED_WITH = {"previous": "previous period", "last_year": "same period last year"}


@dataclass(frozen=True)
class Periods:
    """The current period and the two it is compared with.

    Attributes
    ----------
    current, previous, last_year
        ``(first, last)`` :class:`pandas.Period` pairs, both inclusive (months or days).
        ``previous`` is the period of equal length just before ``current``; ``last_year`` the
        same dates a year earlier.
    reason
        Why these periods (shown to the user).
    """

    current: Bounds
    previous: Bounds
    last_year: Bounds
    reason: str
    notes: tuple[str, ...] = ()
    """Words for comparisons that fell back to another covered period, or cannot be made."""
    sources: tuple[str, ...] | None = None
    """The sources every figure counts (like with like); ``None``: those covering
    ``current``. Fewer when a source of ``current`` lacks the previous period (a gap, or it
    joined since: :func:`periods_for`)."""

    def label(self, which: str = "current") -> str:
        """``"Jan 2022"``, ``"Oct–Dec 2021"`` or ``"4 Jan 2022–31 Jan 2022"``."""
        return period_label(getattr(self, which))


def period_label(bounds: Bounds) -> str:
    """Readable label of ``(first, last)`` periods, e.g. ``"Jan 2022"``.

    Examples
    --------
    >>> period_label((pd.Period("2021-10"), pd.Period("2021-12")))
    'Oct–Dec 2021'
    """
    first, last = bounds
    if first.freqstr.startswith("M"):
        if first == last:
            return first.strftime("%b %Y")
        same_year = first.year == last.year
        return f"{first.strftime('%b' if same_year else '%b %Y')}–{last.strftime('%b %Y')}"
    day = "{0.day} {1}"
    start = day.format(first, first.strftime("%b %Y"))
    return start if first == last else f"{start}–{day.format(last, last.strftime('%b %Y'))}"


def comparison_periods(current: Sequence[PeriodBound], *, reason: str = "chosen") -> Periods:
    """``current`` with the period just before it and the same period a year earlier.

    Parameters
    ----------
    current
        ``(first, last)``, both inclusive: months ``("2022-01", "2022-01")`` or days
        ``("2022-01-04", "2022-01-31")``, strings, dates or :class:`pandas.Period`.
    reason
        Stored in :attr:`Periods.reason`.

    Returns
    -------
    Periods

    Examples
    --------
    >>> p = comparison_periods(("2022-01", "2022-01"))
    >>> p.label("previous"), p.label("last_year")
    ('Dec 2021', 'Jan 2021')
    """
    first, last = _pair(current, "current")
    n = last.ordinal - first.ordinal + 1
    return Periods(
        current=(first, last),
        previous=(first - n, last - n),
        last_year=(year_before(first), year_before(last)),
        reason=reason,
    )


def default_periods(incidents: pd.DataFrame, *, days: int = 28) -> Periods:
    """The periods a JAG compares by default, decided from ``time_precision``.

    When any incident is dated to the month only (police.uk), the current period is the
    latest month those incidents cover (police.uk publishes whole months). When every incident
    has a date, it is the last ``days`` days up to and including the latest date of an incident
    that is not sensitive: a period of days counts no sensitive incident (:func:`counted_in`),
    and its last day must not be a victim's date. When every incident is sensitive, it is the
    latest month (whole months count them).

    Parameters
    ----------
    incidents
        Canonical incidents (the selection shown).
    days
        Length of the current period for dated data.

    Returns
    -------
    Periods
        With the reason for the choice, for the page to show.

    Examples
    --------
    >>> default_periods(policeuk_incidents).label()  # doctest: +SKIP
    'Jan 2022'
    """
    require(incidents, ("month", "occurred_from", "time_precision"))
    if len(incidents) == 0:
        raise ValueError("there are no incidents to compare: widen the selection")
    if days < 1:
        raise ValueError(f"days must be a positive number of days, got {days}")
    month_only = _month_only(incidents)
    if month_only.any():
        month = pd.Period(incidents.loc[month_only, "month"].max(), freq="M")
        return comparison_periods(
            (month, month),
            reason=f"{int(month_only.sum()):,} incidents are dated to the month only "
            "(police.uk), so the current period is the latest month they cover",
        )
    dated = incidents.loc[~disclosure.time_split_rows(incidents)]
    if len(dated) == 0:
        month = pd.Period(incidents["month"].max(), freq="M")
        return comparison_periods(
            (month, month),
            reason="the incidents are sensitive offences, counted in whole months only, so the "
            "current period is the latest month they cover",
        )
    end = pd.Period(dated["occurred_from"].max(), freq="D")
    return comparison_periods(
        (end - (days - 1), end),
        reason=f"every incident has a date, so the current period is the last {days} days "
        "up to the latest date in the data",
    )


def periods_for(
    current: Sequence[PeriodBound],
    previous: Sequence[PeriodBound] | None,
    coverage: Coverage | None = None,
    *,
    reason: str = "chosen",
) -> Periods:
    """:func:`comparison_periods` of ``current``, with ``previous`` instead when given.

    With ``coverage`` (months each source covers), a previous period with no data moves to the
    nearest earlier covered one and :attr:`Periods.notes` says so: a month with no data is not
    a zero; the same period last year is those months a year earlier or no comparison (the
    notes of :func:`compare_all` say why). When some sources of ``current`` cover the
    previous period and others do not (a council log with a month missing, or that started
    since), the figures count those that cover both, over the previous period itself
    (:attr:`Periods.sources`; :meth:`Coverage.covering_both`; :func:`counted_in` names the
    ones left out): police.uk's
    Jan 2024 against its Dec 2023, not every source moved to Nov 2023. When no earlier period
    is covered by every source of ``current`` because one joined in it (a council log added
    this month to police.uk's years), the figures count the sources with earlier months
    rather than compare nothing.
    """
    periods = comparison_periods(current, reason=reason)
    if previous is not None:
        periods = replace(periods, previous=_pair(previous, "previous"))
    if coverage is None:
        return periods
    notes = []
    prev, note = coverage.comparable(periods.current, kind="previous", wanted=periods.previous)
    if prev is None and coverage.missing(periods.current):
        raise ValueError(f"cannot show {periods.label()}: {note}")
    sources = None
    # like with like over the usual previous period: the sources covering both it and the
    # current one (a log with no data for Dec 2023 left out of Jan 2024 against Dec 2023),
    # rather than every source moved to a period all of them cover
    both = coverage.covering_both(periods.current, periods.previous) if note else None
    earlier = coverage.earlier_sources(periods.current)
    if both is not None:
        prev, note, sources = periods.previous, None, tuple(both)
    elif prev is None and earlier and len(earlier) < len(coverage.sources_of(periods.current)):
        found = coverage.comparable(
            periods.current, kind="previous", wanted=periods.previous, sources=earlier
        )
        if found[0] is not None:
            (prev, note), sources = found, tuple(earlier)
    notes += [note] if note and prev is not None else []  # else compare_all says why
    year, note = coverage.comparable(periods.current, kind="last_year", sources=sources)
    notes += [note] if note and year is not None else []  # else compare_all says why
    return replace(
        periods, previous=prev or periods.previous, last_year=year or periods.last_year,
        notes=tuple(notes), sources=sources,
    )  # fmt: skip


def compare_all(
    frame: pd.DataFrame,
    periods: Periods,
    *,
    by: str,
    last_year: bool,
    alpha: float,
    coverage: Coverage | None = None,
) -> dict:
    """compare_periods against the previous period (required) and last year (when in the data).

    Returns ``{"previous": table, "last_year": table or absent, "notes": {name: why absent}}``.
    """
    covered = _coverage(frame)
    out: dict = {"notes": {}}
    wanted = {
        "previous": periods.previous,
        **({"last_year": periods.last_year} if last_year else {}),
    }
    # the rows the comparisons can count (plus what keeps every group and the data's months)
    rows = _counted_rows(frame, [periods.current, *wanted.values()], by)
    counted = None if coverage is None else counted_sources(periods, coverage)
    for name, bounds in wanted.items():
        if coverage is not None and coverage.missing(bounds, counted):
            why = coverage.comparable(periods.current, kind=name, wanted=bounds, sources=counted)[1]
            out["notes"][name] = why
            if name == "previous":  # counts of the current period, no comparison
                out[name] = count_period(rows, current=periods.current, by=by, why=why or "")
            continue
        if covered is not None and not _inside(bounds, covered):
            why = f"{period_label(bounds)} is outside the data, which cover {period_label(covered)}"
            if name == "previous":
                raise ValueError(
                    f"cannot compare {periods.label()} with the previous period: {why}; choose "
                    "a later current period or widen the selection"
                )
            out["notes"][name] = why
            continue
        out[name] = compare_periods(
            rows, current=periods.current, previous=bounds, by=by, alpha=alpha
        )
    return out


_DATED = ("month", "occurred_from", "time_precision")
"""The columns :func:`~hotspots.analysis.temporal.compare_periods` reads besides ``by``."""


def _counted_rows(frame: pd.DataFrame, bounds: Sequence[Bounds], by: str) -> pd.DataFrame:
    """The rows of ``frame`` (its dates and ``by`` only) that ``compare_periods`` gives the same
    table from as from all of them, for periods ``bounds``.

    Kept: every row whose month touches a calendar month of the periods or whose
    ``occurred_from`` lies in one (all that can be counted, or cut a month), a row of each
    value of ``by`` (the groups tested, hence the q-values), a row of the first and of the
    last month (the months the data cover) and rows without a month (refused as before).
    A selection's year of incidents shrinks to the few months compared.
    """
    columns = list(dict.fromkeys([*_DATED, by]))
    if not set(columns) <= set(frame.columns) or len(frame) == 0:
        return frame
    month = frame["month"].to_numpy()
    when = frame["occurred_from"].to_numpy()
    if month.dtype.kind != "M" or when.dtype.kind != "M":  # dates with a time zone: every row
        return frame
    keep = np.isnat(month)
    for first, last in bounds:
        start = first.start_time.to_period("M").start_time.to_datetime64()
        stop = ((last + 1).start_time - pd.Timedelta(1, "ns")).to_period("M")
        end = (stop + 1).start_time.to_datetime64()  # whole calendar months around the period
        keep |= (month >= start) & (month < end)
        keep |= (when >= start) & (when < end)
    _, first_of_group = np.unique(pd.factorize(frame[by])[0], return_index=True)
    keep[first_of_group] = True
    if not keep.all():
        dated = ~np.isnat(month)
        if dated.any():
            keep[np.flatnonzero(dated)[[month[dated].argmin(), month[dated].argmax()]]] = True
    return pd.DataFrame(frame[columns]).iloc[np.flatnonzero(keep)]


def counted_in(
    incidents: pd.DataFrame, periods: Periods, coverage: Coverage | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The incidents a comparison of ``periods`` may count, and the notes to show.

    Like with like: with ``coverage``, only the sources covering the current period are
    counted, in every period (a month police.uk has not published yet, compared with one it
    has, would show a fall of all its crime); a note names the sources left out.

    Periods of days that are not whole months cut the disclosure gate's groups (source, type,
    ward, calendar month), so they count no sensitive incident and the note
    (:data:`hotspots.core.disclosure.PERIOD_NOTE`) says so — always, whether or not the data
    hold any (a note shown only then would itself say that some exist). Whole months: the
    incidents as they are. ``ValueError`` (with the note) when every incident is
    sensitive and the periods are days.
    """
    notes = []
    if coverage is not None and "source" in incidents.columns:
        keep, counted, left = coverage.same_sources(
            incidents["source"], periods.current, among=counted_sources(periods, coverage)
        )
        if keep is not None:
            notes.append(_left_out_note(periods, coverage, counted, left))
            incidents = incidents[keep]
    bounds = (periods.current, periods.previous, periods.last_year)
    if all(disclosure.whole_months(*b) for b in bounds):
        return incidents, notes
    counted_rows = disclosure.time_split(incidents)
    if len(incidents) and not len(counted_rows):
        raise ValueError(f"there are no incidents to compare: {disclosure.PERIOD_NOTE}")
    return counted_rows, [*notes, disclosure.PERIOD_NOTE]


def left_out_note(periods: Periods, coverage: Coverage) -> str | None:
    """The note :func:`counted_in` adds when the figures of ``periods`` leave a source of the
    coverage out (``None`` when they count every one): which sources lack which period, and
    which the figures count."""
    counted = counted_sources(periods, coverage)
    left = sorted(set(coverage.sources) - set(counted))
    if not counted or not left:
        return None
    return _left_out_note(periods, coverage, counted, left)


def _left_out_note(
    periods: Periods, coverage: Coverage, counted: Sequence[str], left: Sequence[str]
) -> str:
    joined = [s for s in left if not coverage.missing(periods.current, [s])]
    lacking = [
        f"{' and '.join(names)} {'has' if len(names) == 1 else 'have'} no data for "
        f"{periods.label(which)}"
        for names, which in (([s for s in left if s not in joined], "current"),
                             (joined, "previous"))
        if names
    ]  # fmt: skip
    return (
        f"{'; '.join(lacking)}: every figure counts {' and '.join(counted)} only, in each "
        "period compared"
    )


def counted_sources(periods: Periods, coverage: Coverage) -> list[str]:
    """The sources the figures of ``periods`` count: :attr:`Periods.sources`, else those
    covering the current period."""
    if periods.sources is not None:
        return list(periods.sources)
    return coverage.sources_of(periods.current)


def made(compared: dict, name: str) -> pd.DataFrame | None:
    """The comparison table ``name``, or ``None`` when it was not made (its note says why)."""
    table = compared.get(name)
    return None if table is None or table.attrs.get("skipped") else table


def withheld(
    incidents: pd.DataFrame, periods: Periods, cells: pd.Series | np.ndarray, names: Sequence[str]
) -> dict[str, pd.Series]:
    """The disclosure gate (:func:`hotspots.core.disclosure.gate`) per period.

    Returns ``{period name: Series of bool by cell}`` for each of ``names`` ("current",
    "previous", "last_year"): True where that period's count of the cell must be withheld.
    """
    cells = np.asarray(cells, dtype=object)
    counted = pd.notna(cells)
    month = pd.to_datetime(incidents["month"]).reset_index(drop=True)
    when = month.where(pd.Series(_month_only(incidents)), incidents["occurred_from"].values)
    dates = when.to_numpy()
    out = {}
    for name in names:
        first, last = getattr(periods, name)
        if dates.dtype.kind == "M":  # naive dates: compared as numbers
            start, stop = first.start_time.to_datetime64(), (last + 1).start_time.to_datetime64()
            inside = (dates >= start) & (dates < stop)
        else:
            inside = ((when >= first.start_time) & (when < (last + 1).start_time)).to_numpy(bool)
        # the gate of the period's counted rows alone: what it gives for every row with the
        # others' cells blank, without handing it the whole selection each time
        rows = np.flatnonzero(inside & counted)
        out[name] = disclosure.gate(incidents.iloc[rows], cells[rows])
    return out


def _coverage(frame: pd.DataFrame) -> Bounds | None:
    """First and last month of the data (as compare_periods sees them)."""
    if len(frame) == 0:
        return None
    month = pd.to_datetime(frame["month"])
    return pd.Period(month.min(), freq="M"), pd.Period(month.max(), freq="M")


def _inside(bounds: Bounds, covered: Bounds) -> bool:
    start, stop = bounds[0].start_time, (bounds[1] + 1).start_time
    return covered[0].start_time <= start and stop <= (covered[1] + 1).start_time


def markers(direction: np.ndarray) -> np.ndarray:
    """▲ / ▼ / blank for compare_periods' ``direction`` ("rise", "fall", other)."""
    return np.where(direction == "rise", RISE, np.where(direction == "fall", FALL, ""))


def fewest_testable(alpha: float) -> int:
    """The fewest incidents (both periods together) the exact test could call significant.

    With ``n`` incidents in two periods of equal length, the most extreme split (all in one)
    has two-sided p = 2 × 0.5ⁿ; below ``n`` incidents no split reaches ``alpha``.

    Examples
    --------
    >>> fewest_testable(0.05)
    6
    """
    n = 1
    while 2 * 0.5**n >= alpha:
        n += 1
    return n


def significance_words(
    marker: np.ndarray,
    now: np.ndarray,
    earlier: np.ndarray,
    *,
    alpha: float,
    compared: bool = True,
) -> np.ndarray:
    """:data:`SIGNIFICANCE_WORDS` of each row of a comparison (never blank).

    Parameters
    ----------
    marker
        :func:`markers` of the comparison (▲, ▼ or blank).
    now, earlier
        Counts in the current and the earlier period (NaN: withheld by the disclosure gate).
    alpha
        Significance level of the test.
    compared
        False when the comparison could not be made (the data do not reach back): every row
        reads "No comparison".

    Examples
    --------
    >>> words = significance_words(np.array(["▲", "", "", ""]), np.array([30, 9, 2, np.nan]),
    ...                            np.array([5, 8, 1, 3]), alpha=0.05)
    >>> words[:2].tolist()
    ['▲ Significantly higher', '○ No significant change']
    >>> words[2:].tolist()
    ['· Too few to test', 'Withheld (small sensitive count)']
    """
    now = np.asarray(now, dtype=float)
    earlier = np.asarray(earlier, dtype=float)
    words = SIGNIFICANCE_WORDS
    if not compared:
        return np.full(len(now), words["none"], dtype=object)
    return np.select(
        [
            np.isnan(now) | np.isnan(earlier),
            marker == RISE,
            marker == FALL,
            now + earlier < fewest_testable(alpha),
        ],
        [words["withheld"], words["rise"], words["fall"], words["few"]],
        default=words["same"],
    ).astype(object)


def _month_only(incidents: pd.DataFrame) -> np.ndarray:
    """Rows dated to the month only: precision "month" (any case) or missing, or no date."""
    # the few distinct precisions lower-cased, not every row's
    codes, precisions = pd.factorize(incidents["time_precision"], use_na_sentinel=True)
    month = pd.Series(precisions).astype("string").str.lower() == "month"
    is_month = np.append(month.fillna(True).to_numpy(bool), True)  # code -1: missing
    return is_month[codes] | incidents["occurred_from"].isna().to_numpy(bool)


def _pair(period: Sequence[PeriodBound], name: str) -> Bounds:
    if isinstance(period, str | pd.Timestamp | pd.Period | date) or len(period) != 2:
        raise ValueError(f"{name} must be a (first, last) pair, e.g. ('2022-01', '2022-01')")
    first, last = (_as_period(value, name) for value in period)
    if first.freqstr != last.freqstr:
        raise ValueError(
            f"{name}: give both ends at the same resolution (two months or two days), "
            f"got {first} and {last}"
        )
    if last < first:
        raise ValueError(f"{name} ends before it starts: {first} to {last}")
    return first, last


def _as_period(value: PeriodBound, name: str) -> pd.Period:
    if isinstance(value, pd.Period):
        if not value.freqstr.startswith(("M", "D")):
            raise ValueError(f"{name}: use monthly or daily periods, got {value.freqstr}")
        return value
    if isinstance(value, str):
        try:
            period = pd.Period(value)
        except ValueError as err:
            raise ValueError(f"{name}: cannot read {value!r} as a month or a date") from err
        return period if period.freqstr.startswith(("M", "D")) else pd.Period(value, freq="D")
    return pd.Period(pd.Timestamp(value), freq="D")


def require(
    table: pd.DataFrame,
    columns: Sequence[str],
    what: str = "incidents",
    fix: str = "load them with hotspots.data.ingest",
) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lack column(s) {missing}; {fix}")
