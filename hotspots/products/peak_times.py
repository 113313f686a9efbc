"""When incidents happen, for a chosen focus: hour × weekday, the monthly trend with the same
months a year earlier, and the peak windows.

The focus is every selected incident, one ward, one crime group or one cluster of a hot-spot
analysis. Month-only police.uk records feed the monthly trend and peak months only (the
hour × weekday profile says why it is not available rather than drawing a false midnight peak).
Every figure counts the same incidents: sensitive ones only from groups the disclosure gate lets
through (:func:`hotspots.core.disclosure.countable`), so the count of the focus never differs
from its charts by a small group.

Examples
--------
>>> out = peak_times(shown, Focus("A ward", "E05004685", "Adeyfield East ward"),
...                  undated=all_months)  # doctest: +SKIP
>>> out.peaks[["rank", "label", "share"]]  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hotspots.analysis.temporal import HourWeekday, hour_weekday, peak_windows
from hotspots.analysis.temporal._common import WEEKDAYS
from hotspots.core.disclosure import countable, mappable
from hotspots.data.coverage import GAP, NOT_PUBLISHED, NOT_STARTED, STOPPED, Coverage
from hotspots.data.select import WEEKDAY_NAMES
from hotspots.products.measures import monthly_with_last_year, time_of_day_coverage

FOCUS_KINDS = ("All incidents", "A ward", "A crime group", "A cluster")
"""What the focus can be."""

CLUSTER_NOTE = (
    "A cluster is found among the selected months, so its last-year line covers only those months."
)

PEAK_BLOCK_HOURS = range(2, 5)
"""Lengths of the peak windows tried, hours."""

SHARED_HOURS_NOTE = (
    "An incident known only within a time window (reported as, say, between 22:00 and 02:00) "
    "is shared across the hours of its window, so an hour's count can hold parts of incidents "
    "(46.2, shown rounded: 46)."
)
"""Why the hour × day chart counts fractions of incidents (aoristic shares), in words."""


def incidents_text(value: float) -> str:
    """A count that may hold shares of incidents (:data:`SHARED_HOURS_NOTE`), rounded as
    people read it: whole from 10 up (``"46"`` for 46.2), one decimal under 10 (``"2.4"``),
    ``"0"`` for none.

    Examples
    --------
    >>> incidents_text(46.2), incidents_text(2.44), incidents_text(0.0), incidents_text(1234.5)
    ('46', '2.4', '0', '1,234')
    """
    if not np.isfinite(value) or value <= 0:
        return "0"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def hour_day_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The hour × weekday table (index ``Mon`` … ``Sun``, columns hours ``0`` … ``23``) as one
    row per square of the chart: ``weekday``, ``hour`` and ``incidents`` (what is drawn), and
    the words its tooltip shows: ``Day`` (``"Friday"``), ``Hour`` (``"22:00–23:00"``) and
    ``Incidents`` (:func:`incidents_text`)."""
    long = table.stack().rename("incidents").reset_index()
    long.columns = ["weekday", "hour", "incidents"]
    days = dict(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))
    long["Day"] = long["weekday"].astype(str).map(lambda d: days.get(d, d))
    hour = long["hour"].astype(int)
    long["Hour"] = [f"{h:02d}:00–{(h + 1) % 24:02d}:00" for h in hour]
    long["Incidents"] = long["incidents"].astype(float).map(incidents_text)
    return long


@dataclass(frozen=True)
class Focus:
    """What the charts follow: ``kind`` (one of :data:`FOCUS_KINDS`) and its ``value`` (a ward
    code, a crime group, a cluster label), and a ``label`` for people."""

    kind: str = FOCUS_KINDS[0]
    value: str | int | None = None
    label: str = "the selection"


@dataclass(frozen=True)
class PeakTimes:
    """The timing of the incidents in one focus.

    Attributes
    ----------
    n
        Incidents in the focus (selected months) that the charts count: sensitive ones only
        from groups of 5 or more (:func:`hotspots.core.disclosure.countable`).
    sensitive_left_out
        Whether sensitive incidents of the focus were left out by the gate (not how many).
    coverage
        :func:`~hotspots.products.measures.time_of_day_coverage` of them.
    profile
        Hour × weekday (:func:`~hotspots.analysis.temporal.hour_weekday`).
    monthly
        Incidents per selected month and the same month a year earlier
        (:func:`~hotspots.products.measures.monthly_with_last_year`).
    peaks
        Top 3 windows of 2–4 hours (or peak months), ``None`` when the focus is empty.
    note
        What limits the last-year line ("" when nothing does).
    months_without_last_year
        Months of ``monthly`` with no figure a year earlier (no data for that month).
    months_without_data
        Months of ``monthly`` the data do not cover ("no data": NaN in the chart, not zero).
    months_partial
        Months of ``monthly`` that a source of the selection does not cover, with those
        sources: their counts are the other sources' only. A month missing between its first
        and last, one it has not published yet (police.uk), one before it started (a council
        log's first months) or after it stopped (:meth:`Coverage.absent`).
    partial_why
        Why each source of :attr:`months_partial` lacks the month (``Coverage.absent``'s
        reasons), for the chart's labels.
    partial_notes
        The words under the chart: each run of :attr:`months_partial` (months in a row
        lacking the same sources for the same reasons), what it lacks and why
        (:func:`partial_notes`).
    """

    n: int
    sensitive_left_out: bool
    coverage: dict[str, float]
    profile: HourWeekday
    monthly: pd.DataFrame
    peaks: pd.DataFrame | None
    note: str
    months_without_last_year: int
    months_without_data: tuple[pd.Period, ...] = ()
    months_partial: dict[pd.Period, list[str]] = field(default_factory=dict)
    partial_why: dict[pd.Period, dict[str, str]] = field(default_factory=dict)
    partial_notes: tuple[str, ...] = ()

    def partial_marks(self) -> list[dict[str, object]]:
        """The monthly chart's marks at :attr:`months_partial`: ``month`` (ISO date),
        ``incidents`` (the other sources' count) and ``label`` (:func:`partial_label`:
        ``"police.uk not yet published"``, ``"log not started yet"``), one per month of
        ``monthly``.

        Examples
        --------
        >>> out.partial_marks()  # doctest: +SKIP
        [{'month': '2022-01-01T00:00:00', 'incidents': 612.0, 'label': 'police.uk not yet published'}]
        """  # noqa: E501
        counts = self.monthly["incidents"]
        return [
            {
                "month": month.start_time.isoformat(),
                "incidents": float(counts.loc[month.start_time]),
                "label": partial_label(self._why(month)),
            }
            for month in self.months_partial
            if month.start_time in counts.index
        ]

    def partial_labels(self) -> list[dict[str, object]]:
        """The marks of :meth:`partial_marks` that carry their label on the chart: the last
        month of each run of months lacking the same sources for the same reason (five
        months before a log started read once, not five times over each other)."""
        marks = self.partial_marks()
        month = [pd.Period(str(m["month"])[:7], freq="M") for m in marks]
        return [
            mark
            for i, mark in enumerate(marks)
            if i + 1 == len(marks)
            or month[i + 1] != month[i] + 1
            or marks[i + 1]["label"] != mark["label"]
        ]

    def like_for_like(self) -> pd.Series:
        """The months' counts of the sources their year-earlier figure counts, at the months
        a source is left out of that pair (``monthly.attrs["left_out"]``; NaN elsewhere): the
        line to compare the year-earlier one with there (like with like)."""
        left_out = self.monthly.attrs.get("left_out", {})
        return self.monthly["same_sources"].where(self.monthly.index.isin(list(left_out)))

    def _why(self, month: pd.Period) -> dict[str, str]:
        """Why each source lacks ``month`` (a month given without reasons: not published)."""
        return self.partial_why.get(month) or dict.fromkeys(
            self.months_partial.get(month, []), NOT_PUBLISHED
        )


def not_published(sources: list[str]) -> str:
    """What the monthly chart writes at a month ``sources`` do not cover yet.

    Examples
    --------
    >>> not_published(["police.uk"])
    'police.uk not yet published'
    """
    return f"{' and '.join(sources)} not yet published"


_LABELS = {
    GAP: "no {} data",
    NOT_STARTED: "{} not started yet",
    STOPPED: "{} stopped",
}


def partial_label(why: dict[str, str]) -> str:
    """What the monthly chart writes at a month lacking sources, ``why`` naming each one's
    reason (:meth:`Coverage.absent`).

    Examples
    --------
    >>> partial_label({"police.uk": "not published"})
    'police.uk not yet published'
    >>> partial_label({"log": "not started", "CAD": "gap"})
    'log not started yet; no CAD data'
    """
    by_reason: dict[str, list[str]] = {}
    for source, reason in why.items():
        by_reason.setdefault(reason, []).append(source)
    return "; ".join(
        not_published(names) if r == NOT_PUBLISHED else _LABELS[r].format(" and ".join(names))
        for r, names in by_reason.items()
    )


def partial_notes(
    why: dict[pd.Period, dict[str, str]], coverage: Coverage | None = None
) -> tuple[str, ...]:
    """A sentence per run of months in a row lacking the same sources for the same reasons
    (``why``: month → source → reason, :meth:`Coverage.absent`), for under the chart.

    Examples
    --------
    >>> cov = Coverage({"police.uk": ["2023-04", "2023-05", "2023-06"], "log": ["2023-06"]})
    >>> partial_notes(cov.absent(), cov)[0]  # doctest: +NORMALIZE_WHITESPACE
    "Apr 2023 to May 2023 hold no log data: log starts in Jun 2023, so their counts are the
    other sources' only (the step when it starts is not a change in incidents)."
    """
    notes = []
    for run in _runs(why):
        first, last = run[0], run[-1]
        one = first == last
        lacking = why[first]
        reasons = [_reason(source, reason, coverage, one) for source, reason in lacking.items()]
        steps = {NOT_STARTED: "it starts", STOPPED: "it stops"}
        step = [steps[r] for r in dict.fromkeys(lacking.values()) if r in steps]
        notes.append(
            f"{first:%b %Y}{'' if one else f' to {last:%b %Y}'} {'holds' if one else 'hold'} "
            f"no {' or '.join(lacking)} data: {'; '.join(reasons)}, so "
            f"{'its count is' if one else 'their counts are'} the other sources' only"
            + (f" (the step when {' or '.join(step)} is not a change in incidents)" if step else "")
            + "."
        )
    return tuple(notes)


def _reason(source: str, reason: str, coverage: Coverage | None, one: bool) -> str:
    have = coverage.months(source) if coverage is not None else pd.PeriodIndex([], freq="M")
    if reason == NOT_STARTED and len(have):
        return f"{source} starts in {have.min():%b %Y}"
    if reason == STOPPED and len(have):
        return f"{source} ends in {have.max():%b %Y}"
    if reason == GAP:
        return f"{'a month' if one else 'months'} missing from {source}"
    if reason == NOT_PUBLISHED:
        return f"{source} not published yet, or not loaded"
    return f"{source} {reason}"


def _runs(why: dict[pd.Period, dict[str, str]]) -> list[list[pd.Period]]:
    """The months of ``why`` in runs of consecutive months with the same reasons."""
    runs: list[list[pd.Period]] = []
    for month in sorted(why):
        if runs and runs[-1][-1] + 1 == month and why[runs[-1][-1]] == why[month]:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def focus_mask(incidents: pd.DataFrame, focus: Focus) -> np.ndarray:
    """Which incidents are in a ward or crime-group focus (every one for "All incidents")."""
    if focus.kind == "A ward":
        return (incidents["ward_code"] == focus.value).fillna(False).to_numpy(bool)
    if focus.kind == "A crime group":
        return (incidents["category"] == focus.value).fillna(False).to_numpy(bool)
    if focus.kind == "A cluster":
        raise ValueError("a cluster focus needs the cluster labels: see peak_times")
    return np.ones(len(incidents), dtype=bool)


def peak_times(
    shown: pd.DataFrame,
    focus: Focus,
    *,
    undated: pd.DataFrame | None = None,
    cluster_labels: np.ndarray | None = None,
    coverage: Coverage | None = None,
) -> PeakTimes:
    """The timing of the incidents of ``shown`` in ``focus``.

    Parameters
    ----------
    shown
        The selected incidents (selected months).
    focus
        What to follow.
    undated
        The same selection without its month limits: a year earlier is counted in it (default
        ``shown``: no figure outside the selected months). Not used for a cluster.
    cluster_labels
        For a cluster focus: one label per mappable incident of ``shown``, in the order of
        :func:`hotspots.core.disclosure.mappable` (``Analysis.clusters.labels``).
    coverage
        The months the selection's sources cover (:class:`~hotspots.data.coverage.Coverage`,
        e.g. a workspace's, :meth:`~hotspots.data.coverage.Coverage.only` the selected
        sources): a month it does not cover is "no data" in the monthly trend, never zero.
        Default: every month from the first to the last of the data is covered.
    """
    first, last = shown["month"].min(), shown["month"].max()
    note = ""
    covered: tuple[pd.Timestamp, pd.Timestamp] | Coverage
    if focus.kind == "A cluster":
        if cluster_labels is None:
            raise ValueError("a cluster focus needs cluster_labels (Analysis.clusters.labels)")
        in_focus = mappable(shown).loc[np.asarray(cluster_labels) == focus.value]
        history, covered = in_focus, (first, last)
        if coverage is not None:  # the cluster is found in the selected months only
            covered = coverage.between(first, last)
        note = CLUSTER_NOTE
    else:
        undated = shown if undated is None else undated
        history = undated.loc[focus_mask(undated, focus)]
        in_focus = shown.loc[focus_mask(shown, focus)]
        span = (undated["month"].min(), undated["month"].max())
        covered = span if coverage is None else coverage
    monthly = monthly_with_last_year(history, start=first, end=last, coverage=covered)
    gaps = monthly.index[monthly["incidents"].isna()].to_period("M")
    why = _absent(coverage, monthly.index.to_period("M"))
    # The charts gate sensitive incidents themselves; the count and the time-of-day coverage
    # shown with them count the same incidents.
    counted = countable(in_focus) if "sensitive" in in_focus.columns else in_focus
    peaks = peak_windows(in_focus, top=3, block_hours=PEAK_BLOCK_HOURS) if len(counted) else None
    return PeakTimes(
        n=len(counted),
        sensitive_left_out=len(counted) < len(in_focus),
        coverage=time_of_day_coverage(counted),
        profile=hour_weekday(in_focus),
        monthly=monthly,
        peaks=peaks,
        note=note,
        months_without_last_year=int(monthly["a_year_earlier"].isna().sum()),
        months_without_data=tuple(gaps),
        months_partial={m: list(sources) for m, sources in why.items()},
        partial_why=why,
        partial_notes=partial_notes(why, coverage),
    )


def _absent(coverage: Coverage | None, months: pd.PeriodIndex) -> dict[pd.Period, dict[str, str]]:
    """:meth:`Coverage.absent` of ``months`` (none without a coverage): every month a source
    of the selection lacks, whether it had not started, had a gap, had not published or had
    stopped."""
    absent = coverage.absent() if coverage is not None else {}
    return {m: absent[m] for m in months if m in absent}
