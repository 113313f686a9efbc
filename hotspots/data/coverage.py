"""Which months each source covers: a month with no data is "no data", never zero.

A :class:`Coverage` maps each source (``police.uk``, a council log …) to the months it covers:
the months its incidents fall in, plus months a workspace manifest says were loaded (a month
loaded with no incident in the area is still covered). Comparisons ask it for the nearest
comparable previous period, or the same period last year (:meth:`Coverage.comparable`), and
say so in words::

    >>> cov = Coverage({"police.uk": ["2018-05", "2018-07"]})
    >>> cov.comparable(("2018-07", "2018-07"), kind="previous")[1]
    'no data for Jun 2018: compared with May 2018'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Bounds = tuple[pd.Period, pd.Period]

_POLICEUK_FILE = r"^\d{4}-\d{2}-.+-street$"
"""police.uk readers name the source after the monthly file; coverage counts them as one."""

POLICEUK_SOURCE = rf"police\.uk|{_POLICEUK_FILE[1:-1]}"
"""A police.uk source (``police.uk`` or a monthly file's name), for ``str.fullmatch``."""

PREVIOUS_LOOKBACK = 24
"""How many periods back the previous-period comparison may fall back (months or days)."""

PUBLICATION_LAG = 3
"""Months a source may trail the latest month and still count as publishing (police.uk
publishes a month six to eight weeks after it ends): :meth:`Coverage.latest_complete`."""


GAP, NOT_PUBLISHED, NOT_STARTED, STOPPED = "gap", "not published", "not started", "stopped"
"""Why a source lacks a covered month (:meth:`Coverage.absent`): a month missing between its
first and last, a month after its last it may not have published yet
(:data:`PUBLICATION_LAG`), a month before its first, a month after it stopped."""


@dataclass(frozen=True)
class Coverage:
    """The months each source covers.

    Parameters
    ----------
    sources
        Source name → months (``"2021-01"``, :class:`pandas.Period` or Timestamps).
    """

    sources: Mapping[str, Iterable[object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean = {
            str(name): tuple(sorted({_month(m) for m in months}))
            for name, months in self.sources.items()
        }
        object.__setattr__(self, "sources", clean)

    # ------------------------------------------------------------------ building
    @classmethod
    def of(
        cls,
        incidents: pd.DataFrame,
        *,
        declared: Mapping[str, Iterable[object]] | None = None,
    ) -> Coverage:
        """Coverage from the incidents' ``source`` and ``month``, plus months ``declared``
        loaded per source (a workspace manifest).

        Examples
        --------
        >>> Coverage.of(incidents).describe()  # doctest: +SKIP
        'police.uk: Jan 2021–Jan 2022 (13 months)'
        """
        months: dict[str, set[pd.Period]] = {}
        if len(incidents):
            ordinal = _month_ordinals(incidents["month"])
            if "source" in incidents.columns:
                code, distinct = pd.factorize(incidents["source"].astype("string"))
                names = [*distinct.astype(str), "(unknown)"]  # code -1: no source
            else:
                code, names = np.zeros(len(incidents), dtype=np.intp), ["(all)"]
            # distinct (source, month) pairs as integers: no text or Period per incident
            dated = ordinal != pd.NaT.value
            first = int(ordinal[dated].min()) if dated.any() else 0
            span = int(ordinal[dated].max()) - first + 1 if dated.any() else 1
            pairs = np.flatnonzero(
                np.bincount((code[dated] % len(names)) * span + (ordinal[dated] - first))
            )
            by_name: dict[str, list[int]] = {}
            for c, m in zip((pairs // span).tolist(), (pairs % span + first).tolist(), strict=True):
                by_name.setdefault(re.sub(_POLICEUK_FILE, "police.uk", names[c]), []).append(m)
            for name in sorted(by_name):  # in the names' order, as a groupby lists them
                months[name] = {pd.Period(ordinal=m, freq="M") for m in by_name[name]}
        for name, extra in (declared or {}).items():
            months.setdefault(str(name), set()).update(_month(m) for m in extra)
        return cls(months)

    def only(self, sources: Iterable[str]) -> Coverage:
        """The coverage of ``sources`` alone (names as in the incidents' ``source``; police.uk
        file names count as ``police.uk``). Sources it does not know cover nothing.

        Examples
        --------
        >>> Coverage({"police.uk": ["2021-01"], "log": ["2021-02"]}).only(["log"]).describe()
        'log: Feb 2021 (1 month)'
        """
        wanted = {re.sub(_POLICEUK_FILE, "police.uk", str(s)) for s in sources}
        return Coverage({name: months for name, months in self.sources.items() if name in wanted})

    def between(self, first: object, last: object) -> Coverage:
        """The months from ``first`` to ``last`` (inclusive) that are covered."""
        lo, hi = _month(first), _month(last)
        return Coverage(
            {name: [m for m in months if lo <= m <= hi] for name, months in self.sources.items()}
        )

    # ------------------------------------------------------------------ questions
    def months(self, source: str | None = None) -> pd.PeriodIndex:
        """Months covered by ``source`` (``None``: by any source), sorted."""
        if source is not None:
            return pd.PeriodIndex(self.sources.get(source, ()), freq="M")
        union = sorted({m for months in self.sources.values() for m in months}, key=str)
        return pd.PeriodIndex(union, freq="M")

    def gaps(self, source: str | None = None) -> pd.PeriodIndex:
        """Months between the first and last covered month that are not covered."""
        have = self.months(source)
        if len(have) == 0:
            return have
        every = pd.period_range(have.min(), have.max(), freq="M")
        return every.difference(have)

    def covered(self, month: object, sources: Sequence[str] | None = None) -> bool:
        """Whether ``month`` is covered by every one of ``sources`` (``None``: by any)."""
        m = _month(month)
        if sources is None:
            return any(m in months for months in self.sources.values())
        return all(m in self.sources.get(s, ()) for s in sources)

    def partial(self, lag: int = PUBLICATION_LAG) -> dict[pd.Period, list[str]]:
        """The covered months some source does not cover although it was publishing then (a
        gap between its first and last month, or up to ``lag`` months after its last: not
        published yet), with those sources: their counts hold the other sources' incidents
        only. Months before a source's first one are not partial: it did not exist yet.

        Examples
        --------
        >>> cov = Coverage({"police.uk": ["2021-11", "2021-12"], "log": ["2021-12", "2022-01"]})
        >>> {str(m): s for m, s in cov.partial().items()}
        {'2022-01': ['police.uk']}
        >>> year = [f"2021-{m:02d}" for m in range(1, 13)]  # a log from Oct, without Nov
        >>> late = Coverage({"police.uk": year, "log": ["2021-10", "2021-12"]})
        >>> {str(m): s for m, s in late.partial().items()}
        {'2021-11': ['log']}
        """
        publishing = (GAP, NOT_PUBLISHED)
        return {
            month: names
            for month, why in self.absent(lag).items()
            if (names := sorted(s for s, reason in why.items() if reason in publishing))
        }

    def absent(self, lag: int = PUBLICATION_LAG) -> dict[pd.Period, dict[str, str]]:
        """Every covered month some source does not cover, with those sources and why: a
        :data:`GAP` between its first and last month, :data:`NOT_PUBLISHED` up to ``lag``
        months after its last (as :meth:`partial`), :data:`NOT_STARTED` before its first
        month, :data:`STOPPED` later. Each such month's count holds the other sources'
        incidents only: a chart marks them all, so a log's first month does not read as a
        rise (nor its last as a fall).

        Examples
        --------
        >>> cov = Coverage({"police.uk": ["2023-04", "2023-05", "2023-06", "2023-07"],
        ...                 "log": ["2023-05", "2023-07"]})
        >>> {str(m): s for m, s in cov.absent().items()}
        {'2023-04': {'log': 'not started'}, '2023-06': {'log': 'gap'}}
        """
        spans = {name: self.months(name) for name in self.sources}
        out = {}
        for month in self.months():
            why = {}
            for name, have in spans.items():
                if len(have) == 0 or month in have:
                    continue
                if month < have.min():
                    why[name] = NOT_STARTED
                elif month < have.max():
                    why[name] = GAP
                else:
                    why[name] = NOT_PUBLISHED if month <= have.max() + lag else STOPPED
            if why:
                out[month] = dict(sorted(why.items()))
        return out

    def latest_complete(self, lag: int = PUBLICATION_LAG) -> pd.Period:
        """The latest covered month that is not :meth:`partial`: a month a council log covers
        but police.uk has not published yet is not a month's whole count, so not the default
        one.

        Examples
        --------
        >>> cov = Coverage({"police.uk": ["2021-11", "2021-12"], "log": ["2021-12", "2022-01"]})
        >>> str(cov.latest_complete()), str(Coverage({"log": ["2022-01"]}).latest_complete())
        ('2021-12', '2022-01')
        """
        covered = self.months()
        if len(covered) == 0:
            raise ValueError("the data cover no month")
        partial = self.partial(lag)
        return next((m for m in covered[::-1] if m not in partial), covered.max())

    def same_sources(
        self, source: pd.Series, bounds: Bounds, among: Sequence[str] | None = None
    ) -> tuple[np.ndarray | None, list[str], list[str]]:
        """Like with like over ``bounds``: which rows (their ``source``) to count, the sources
        counted (``among``, else those covering every month of ``bounds``), and the others.
        ``None`` for the rows when every row may count (no source is left out, or none covers
        the whole period)."""
        counted = list(among) if among is not None else self.sources_of(bounds)
        left = sorted(set(self.sources) - set(counted))
        if not counted or not left:
            return None, counted, left
        keep = from_sources(source, counted)
        return (None if keep.all() else keep), counted, left

    def sources_of(self, bounds: Bounds) -> list[str]:
        """The sources covering every month of ``bounds``."""
        months = _months_of(bounds)
        return [s for s, have in self.sources.items() if all(m in have for m in months)]

    def covering_both(self, current: Bounds, other: Bounds) -> list[str] | None:
        """Like with like without moving a period: when some sources of ``current`` lack a
        month of ``other`` and others cover it, those others (a comparison of the two counts
        them alone, over ``other`` itself, and says which it left out). ``None`` when every
        source of ``current`` covers ``other`` (nothing to leave out) or none does (no source
        to compare: :meth:`comparable` looks for another period).

        Examples
        --------
        >>> year = [f"2023-{m:02d}" for m in range(1, 13)]  # a log from Jun, without Dec
        >>> cov = Coverage({"police.uk": [*year, "2024-01"],
        ...                 "log": [*year[5:11], "2024-01"]})
        >>> cov.covering_both(("2024-01", "2024-01"), ("2023-12", "2023-12"))
        ['police.uk']
        >>> cov.covering_both(("2024-01", "2024-01"), ("2023-11", "2023-11")) is None
        True
        """
        everyone = self.sources_of(current)
        both = [s for s in everyone if not self.missing(other, [s])]
        return both if both and len(both) < len(everyone) else None

    def earlier_sources(self, current: Bounds) -> list[str]:
        """The sources covering every month of ``current`` that cover a month before it: a
        source that joined in ``current`` (its first month) has nothing to compare with, so a
        comparison counts the others (:func:`hotspots.products.measures.periods_for`)."""
        first = _months_of(current)[0]
        return [s for s in self.sources_of(current) if self.months(s).min() < first]

    def missing(self, bounds: Bounds, sources: Sequence[str] | None = None) -> list[pd.Period]:
        """Months of ``bounds`` not covered (by every one of ``sources``; ``None``: by any)."""
        return [m for m in _months_of(bounds) if not self.covered(m, sources)]

    def comparable(
        self,
        current: Sequence[object],
        *,
        kind: str,
        wanted: Bounds | None = None,
        sources: Sequence[str] | None = None,
    ) -> tuple[Bounds | None, str | None]:
        """The period to compare ``current`` with, and the words when it is not the usual one.

        Parameters
        ----------
        current
            ``(first, last)`` months or days (:class:`pandas.Period` or strings).
        kind
            ``"previous"`` (the period of equal length just before; else the nearest earlier
            covered one, up to :data:`PREVIOUS_LOOKBACK` periods back) or ``"last_year"`` (the
            same period a year earlier and no other: a neighbouring month is another season,
            and a year's data may start after it, so "last year" would be this year).
        wanted
            The usual period (default from ``kind``).
        sources
            The sources the comparison counts, each of which must cover the period compared
            with (default: every source covering ``current``).

        Returns
        -------
        (bounds, note)
            ``bounds`` is ``None`` when no comparison can be made, and ``note`` says why;
            ``note`` is ``None`` when the usual period is covered.
        """
        first, last = (_period(v) for v in current)
        uncovered = self.missing((first, last))
        if uncovered:
            within = "" if len(uncovered) == len(_months_of((first, last))) else (
                f" (in {_label((first, last))})"
            )  # fmt: skip
            return None, (
                f"no data for {_list(uncovered)}{within}: choose a covered period "
                f"({self.describe()})"
            )
        sources = list(sources) if sources is not None else self.sources_of((first, last))
        n = last.ordinal - first.ordinal + 1
        if kind == "previous":
            usual = wanted or (first - n, last - n)
            shifts = [usual[0].ordinal - first.ordinal - k for k in range(PREVIOUS_LOOKBACK)]
        elif kind == "last_year":
            usual = wanted or (year_before(first), year_before(last))
            shifts = [usual[0].ordinal - first.ordinal]
        else:
            raise ValueError(f"kind must be 'previous' or 'last_year', got {kind!r}")
        for shift in shifts:
            candidate = (first + shift, last + shift)
            if candidate[1] >= first:  # would overlap the current period
                continue
            if not self.missing(candidate, sources):
                if candidate == usual:
                    return candidate, None
                return (
                    candidate,
                    f"{self._no_data(usual, sources)}: compared with {_label(candidate)}",
                )
        missing = self._no_data(usual, sources)
        starts = [self.months(s).min() for s in sources if len(self.months(s))]
        if starts and usual[1].asfreq("M") < min(starts):
            return None, f"{missing} (the data start in {min(starts):%b %Y})"
        if kind == "last_year":
            return None, f"{missing}, so {_label((first, last))} is not compared with last year"
        return None, (
            f"{missing} nor a comparable covered period near it, so "
            f"{_label((first, last))} is not compared with the previous period"
        )

    def _no_data(self, bounds: Bounds, sources: Sequence[str]) -> str:
        """``"no data for Dec 2024"``; ``"no council log data for Dec 2024"`` when only some of
        ``sources`` lack those months (another covers them: not a month without data)."""
        months = self.missing(bounds, sources)
        lacking = [s for s in sources if self.missing(bounds, [s])]
        if all(not self.covered(m) for m in months):
            return f"no data for {_list(months)}"
        return f"no {' or '.join(lacking)} data for {_list(months)}"

    def mask(self, series: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
        """A monthly table (index: months) with every uncovered month set to NaN ("no data").

        Examples
        --------
        >>> cov = Coverage({"police.uk": ["2021-01", "2021-03"]})
        >>> s = pd.Series([5, 0, 7], index=pd.date_range("2021-01", periods=3, freq="MS"))
        >>> cov.mask(s).tolist()
        [5.0, nan, 7.0]
        """
        index = pd.DatetimeIndex(series.index).to_period("M")
        out = series.astype(float)
        uncovered = ~index.isin(self.months())
        if isinstance(out, pd.DataFrame):
            out.loc[uncovered, :] = np.nan
        else:
            out[uncovered] = np.nan
        return out

    def describe(self) -> str:
        """Each source's months in words, with gaps: ``"police.uk: Jan 2021–Jan 2022 (13
        months; no data for Jun 2021)"``."""
        if not self.sources:
            return "no data"
        parts = []
        for name in sorted(self.sources):
            have = self.months(name)
            gaps = self.gaps(name)
            n = f"{len(have)} month" + ("s" if len(have) != 1 else "")
            text = f"{name}: {_label((have.min(), have.max()))} ({n}"
            text += f"; no data for {_list(list(gaps))})" if len(gaps) else ")"
            parts.append(text)
        return "; ".join(parts)

    def to_dict(self) -> dict[str, list[str]]:
        """Source → months as ``"YYYY-MM"`` strings (for JSON and TOML)."""
        return {name: [str(m) for m in months] for name, months in self.sources.items()}


def from_sources(source: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Per row: whether its ``source`` is one of ``names`` (the names of a :class:`Coverage`:
    police.uk file names count as ``police.uk``)."""
    return source_names(source).isin(names).to_numpy(bool)


def source_names(source: pd.Series) -> pd.Series:
    """Each row's source as a :class:`Coverage` names it (police.uk's monthly file names as
    ``police.uk``; a missing one ``(unknown)``)."""
    # the few distinct names renamed, not every row's
    codes, names = pd.factorize(source.astype("string").fillna("(unknown)"))
    renamed = pd.Index(names).str.replace(_POLICEUK_FILE, "police.uk", regex=True)
    return pd.Series(np.asarray(renamed, dtype=object)[codes], index=source.index)


def _month_ordinals(month: pd.Series) -> np.ndarray:
    """Each value's month as a monthly :class:`pandas.Period` ordinal (months since Jan 1970;
    NaT: ``pd.NaT.value``): naive dates straight from their datetime64 values (numpy floors
    to the month as ``to_period("M")`` does), without a PeriodArray."""
    values = month.to_numpy()
    if values.dtype.kind == "M":
        return values.astype("datetime64[M]").view(np.int64)
    return pd.to_datetime(month).dt.to_period("M").array.asi8


def _month(value: object) -> pd.Period:
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    return pd.Period(pd.Timestamp(value), freq="M")


def _period(value: object) -> pd.Period:
    if isinstance(value, pd.Period):
        return value
    period = pd.Period(str(value))
    return period if period.freqstr.startswith(("M", "D")) else pd.Period(str(value), freq="D")


def _months_of(bounds: Bounds) -> list[pd.Period]:
    first, last = (_period(v) for v in bounds)
    return list(pd.period_range(first.asfreq("M"), last.asfreq("M"), freq="M"))


def year_before(period: pd.Period) -> pd.Period:
    """The same month (or day) a year earlier: "the same period last year" and no other."""
    return pd.Period(period.start_time - pd.DateOffset(years=1), freq=period.freq)


def _label(bounds: Bounds) -> str:
    first, last = bounds
    if first.freqstr.startswith("M"):
        if first == last:
            return first.strftime("%b %Y")
        same = first.year == last.year
        return f"{first.strftime('%b' if same else '%b %Y')}–{last.strftime('%b %Y')}"
    return f"{first.day} {first.strftime('%b %Y')}–{last.day} {last.strftime('%b %Y')}"


def _list(months: Sequence[pd.Period]) -> str:
    """``"Jun 2018"``, ``"Jun 2018 and Jul 2018"``, ``"Jun 2018, Jul 2018 and 3 more"``."""
    names = [m.strftime("%b %Y") for m in months]
    if len(names) <= 2:
        return " and ".join(names)
    if len(names) <= 4:
        return ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more months"
