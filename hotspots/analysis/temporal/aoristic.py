"""Hour × weekday profiles with aoristic apportioning of uncertain incident times.

An incident known only to have happened between ``occurred_from`` and ``occurred_to``
(a burglary discovered on return from holiday, a car stolen overnight) is spread over the
hours of its window in proportion to the minutes it overlaps each hour (Ratcliffe 2002,
"Aoristic signatures and the spatio-temporal analysis of high volume crime patterns",
J. Quant. Criminol. 18(1)). The 168 bins of the week run Mon 00:00 … Sun 23:59.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hotspots.analysis.temporal._common import (
    HOURS_PER_WEEK,
    TIMED_PRECISIONS,
    WEEKDAYS,
    incident_weights,
    week_seconds,
)
from hotspots.core import disclosure

if TYPE_CHECKING:
    from scipy import sparse

_HOUR_S = 3600
_WEEK_S = HOURS_PER_WEEK * _HOUR_S

MONTH_ONLY_REASON = (
    "police.uk data is month-only: it records the month of each incident but no day or time, "
    "so an hour × weekday profile cannot be drawn (it would show a false peak at midnight)"
)


@dataclass(frozen=True)
class HourWeekday:
    """An hour × weekday profile, or the reason why there is none.

    Attributes
    ----------
    available
        ``False`` when no incident has a usable time of day; then ``table`` is ``None``.
    reason
        Why the profile is absent (empty when ``available``).
    table
        7 × 24 weighted incident counts: index ``Mon`` … ``Sun``, columns hours ``0`` … ``23``.
    n_used
        Incidents that contribute to ``table``.
    n_without_time
        Incidents left out because they have no time of day (``time_precision`` "month" or
        "day", or no ``occurred_from``).
    n_long_windows
        Incidents whose window (``occurred_to - occurred_from``) exceeds ``max_window_hours``;
        left out unless ``include_long_windows``.
    sensitive_left_out
        Whether sensitive incidents were left out (not how many: that number would be a count
        of them). An hour × weekday split counts no sensitive incident
        (:func:`hotspots.core.disclosure.time_split`).
    aoristic, max_window_hours, include_long_windows
        The options used.
    """

    available: bool
    reason: str
    table: pd.DataFrame | None
    n_used: int
    n_without_time: int
    n_long_windows: int
    sensitive_left_out: bool
    aoristic: bool
    max_window_hours: float
    include_long_windows: bool

    @property
    def by_hour(self) -> pd.Series:
        """Weighted incidents per hour of day (0 … 23), all weekdays together."""
        return self._require().sum(axis=0)

    @property
    def by_weekday(self) -> pd.Series:
        """Weighted incidents per weekday (Mon … Sun)."""
        return self._require().sum(axis=1)

    def _require(self) -> pd.DataFrame:
        if self.table is None:
            raise ValueError(f"no hour × weekday profile: {self.reason}")
        return self.table


def aoristic_weights(
    occurred_from: pd.Series, occurred_to: pd.Series | None = None
) -> sparse.csr_array:
    """Split each incident's unit weight over the 168 hours of the week.

    Each incident's window ``[occurred_from, occurred_to)`` is cut at hour boundaries and every
    hour bin receives the share of the window's minutes that fall in it; the bins are hours of
    the week (``weekday * 24 + hour``, Monday 00:00 = bin 0). A missing or zero-length window puts
    the whole weight on the start hour. Whole weeks of a long window add an equal share to every
    bin, so any window length costs at most 169 entries per incident. Vectorised: the hour spans
    are expanded with :func:`numpy.repeat`, with no loop over incidents.

    Parameters
    ----------
    occurred_from
        Start of each incident's window (datetimes, UK local wall-clock time; aware ones are
        converted to it).
    occurred_to
        End of each window (datetimes, NaT for none); ``None`` when there are no windows.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n_incidents, 168)``; each row sums to 1, or is empty when ``occurred_from`` is
        NaT.

    Raises
    ------
    ValueError
        When an ``occurred_to`` is earlier than its ``occurred_from``.

    Examples
    --------
    >>> import pandas as pd
    >>> start = pd.Series(pd.to_datetime(["2024-01-01 10:30"]))  # a Monday
    >>> end = pd.Series(pd.to_datetime(["2024-01-01 12:30"]))
    >>> aoristic_weights(start, end).toarray()[0, 10:13].tolist()
    [0.25, 0.5, 0.25]
    """
    from scipy import sparse  # lazy: ~0.3 s to import, loaded with the first matrix

    n = len(occurred_from)
    start = week_seconds(occurred_from)
    has_start = occurred_from.notna().to_numpy()
    if occurred_to is None:
        end = start.copy()
    else:
        if len(occurred_to) != n:
            raise ValueError("occurred_from and occurred_to must have the same length")
        end = np.where(occurred_to.notna().to_numpy(), week_seconds(occurred_to), start)
    rows = np.flatnonzero(has_start)
    start, end = start[rows], end[rows]
    duration = end - start
    if (duration < 0).any():
        bad = occurred_from.index[rows[duration < 0]]
        raise ValueError(
            f"{len(bad)} incident(s) end before they start (occurred_to < occurred_from), e.g. "
            f"index {list(bad[:5])}; fix or swap those times before an aoristic analysis"
        )
    full_weeks = duration // _WEEK_S
    rest_end = end - full_weeks * _WEEK_S
    windowed = duration > 0
    first_hour = start // _HOUR_S
    last_hour = np.where(windowed, (rest_end - 1) // _HOUR_S, first_hour)
    n_hours = np.where(windowed & (rest_end == start), 0, last_hour - first_hour + 1)

    # One entry per (incident, hour its window's remainder touches).
    span_rows = np.repeat(np.arange(len(rows)), n_hours)
    offset = np.arange(n_hours.sum()) - np.repeat(np.cumsum(n_hours) - n_hours, n_hours)
    hour = first_hour[span_rows] + offset
    overlap = np.minimum(rest_end[span_rows], (hour + 1) * _HOUR_S) - np.maximum(
        start[span_rows], hour * _HOUR_S
    )
    safe_duration = np.where(windowed, duration, 1)
    value = np.where(windowed[span_rows], overlap / safe_duration[span_rows], 1.0)

    # Whole weeks: every bin gets 3600 s per week of the window.
    long_rows = np.flatnonzero(full_weeks > 0)
    week_value = np.repeat(full_weeks[long_rows] * _HOUR_S / duration[long_rows], HOURS_PER_WEEK)
    week_bins = np.tile(np.arange(HOURS_PER_WEEK), len(long_rows))

    out_rows = np.concatenate([rows[span_rows], np.repeat(rows[long_rows], HOURS_PER_WEEK)])
    out_bins = np.concatenate([hour % HOURS_PER_WEEK, week_bins])
    out_vals = np.concatenate([value, week_value])
    return sparse.coo_array((out_vals, (out_rows, out_bins)), shape=(n, HOURS_PER_WEEK)).tocsr()


def week_profiles(
    incidents: pd.DataFrame,
    codes: np.ndarray,
    n_groups: int,
    *,
    weights: str | ArrayLike | None = None,
    aoristic: bool = True,
    max_window_hours: float = 168,
    include_long_windows: bool = False,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Weighted 168-hour profiles per group and the counts of incidents used and left out.

    Parameters
    ----------
    incidents
        Canonical incidents (``occurred_from``, ``occurred_to``, ``time_precision``).
    codes
        Group code (0 … ``n_groups - 1``) of each incident.
    n_groups
        Number of groups.
    weights, aoristic, max_window_hours, include_long_windows
        As in :func:`hour_weekday`.

    Returns
    -------
    (profiles, counts)
        ``profiles`` has shape ``(n_groups, 168)``; ``counts`` has ``n_used``,
        ``n_without_time``, ``n_long_windows`` and ``sensitive_left_out`` (whether sensitive
        incidents were left out: an hour × weekday split counts none,
        :func:`hotspots.core.disclosure.time_split`).
    """
    from scipy import sparse  # lazy: ~0.3 s to import, loaded with the first matrix

    if max_window_hours <= 0:
        raise ValueError(f"max_window_hours must be positive, got {max_window_hours}")
    value = incident_weights(incidents, weights)
    start, end = incidents["occurred_from"], incidents["occurred_to"]
    precision = incidents["time_precision"].astype(str).str.lower()
    timed = (precision.isin(TIMED_PRECISIONS) & start.notna()).to_numpy()
    # An hour × weekday split cuts the disclosure gate's groups: no sensitive incident counts.
    gated = disclosure.time_split_rows(incidents)
    if not timed.any():  # month-only data (police.uk): no window to weigh or spread over hours
        untimed: dict[str, Any] = {
            "n_used": 0,
            "n_without_time": len(incidents),
            "n_long_windows": 0,
            "sensitive_left_out": bool(gated.any()),
        }
        return np.zeros((n_groups, HOURS_PER_WEEK)), untimed
    window_h = ((end - start).dt.total_seconds() / _HOUR_S).fillna(0).to_numpy()
    long = timed & (window_h > max_window_hours)
    use = timed & (~long | include_long_windows) & ~gated
    times = start.where(use)
    ends = end.where(use) if aoristic else None
    hours = aoristic_weights(times, ends)
    membership = sparse.csr_array(
        (value * use, (codes, np.arange(len(codes)))), shape=(n_groups, len(codes))
    )
    counts: dict[str, Any] = {
        "n_used": int(use.sum()),
        "n_without_time": int((~timed).sum()),
        "n_long_windows": int(long.sum()),
        "sensitive_left_out": bool(gated.any()),
    }
    return (membership @ hours).toarray(), counts


def unavailable_reason(incidents: pd.DataFrame, counts: dict[str, Any]) -> str:
    """Why no hour profile can be drawn ('' when one can)."""
    if counts["n_used"] > 0:
        return ""
    if len(incidents) == 0:
        return "there are no incidents"
    if counts.get("sensitive_left_out") and counts["n_without_time"] < len(incidents):
        return (
            "the timed incidents are sensitive, and sensitive offences are not shown by hour "
            "or day of the week"
        )
    distinct = incidents["time_precision"].drop_duplicates().to_numpy(object)
    precision = {str(p).lower() for p in distinct}
    if precision == {"month"}:
        return MONTH_ONLY_REASON
    if counts["n_without_time"] == len(incidents):
        return (
            f"no incident has a time of day (time_precision {sorted(precision)}); "
            "hour × weekday needs times to the hour or minute"
        )
    return (
        f"every timed incident has a window longer than the maximum ({counts['n_long_windows']} "
        "long windows); raise max_window_hours or pass include_long_windows=True"
    )


def hour_weekday(
    incidents: pd.DataFrame,
    *,
    weights: str | ArrayLike | None = None,
    aoristic: bool = True,
    max_window_hours: float = 168,
    include_long_windows: bool = False,
) -> HourWeekday:
    """Incidents per hour of the day and day of the week (7 × 24 bins).

    Only incidents with a time of day (``time_precision`` "hour" or "minute") are counted;
    month- or day-only records are counted in ``n_without_time`` and never placed at midnight.
    With ``aoristic=True`` an incident with a window is split over the hours of its window
    (see :func:`aoristic_weights`); with ``aoristic=False`` it counts whole at its start hour.
    Windows longer than ``max_window_hours`` say little about the time of day: they are counted
    in ``n_long_windows`` and left out unless ``include_long_windows=True``.

    Parameters
    ----------
    incidents
        Canonical incidents (see :mod:`hotspots.data.schema`).
    weights
        ``None`` (each incident counts 1), a column name, or one non-negative weight per incident.
    aoristic
        Apportion windows over their hours (default) or count each incident at its start hour.
    max_window_hours
        Longest window (hours) treated as informative; default one week.
    include_long_windows
        Keep the longer windows too (their whole weeks spread evenly over all 168 bins).

    Returns
    -------
    HourWeekday
        ``available=False`` with a ``reason`` when no incident has a usable time of day
        (police.uk data is month-only).

    Examples
    --------
    >>> from hotspots.data.ingest import read_incident_csv  # doctest: +SKIP
    >>> profile = hour_weekday(incidents)  # doctest: +SKIP
    >>> profile.table.loc["Fri", 22]  # doctest: +SKIP
    """
    profiles, counts = week_profiles(
        incidents,
        np.zeros(len(incidents), dtype=np.int64),
        1,
        weights=weights,
        aoristic=aoristic,
        max_window_hours=max_window_hours,
        include_long_windows=include_long_windows,
    )
    reason = unavailable_reason(incidents, counts)
    table = None
    if not reason:
        table = pd.DataFrame(
            profiles.reshape(7, 24),
            index=pd.Index(WEEKDAYS, name="weekday"),
            columns=pd.Index(range(24), name="hour"),
        )
    return HourWeekday(
        available=not reason,
        reason=reason,
        table=table,
        aoristic=aoristic,
        max_window_hours=float(max_window_hours),
        include_long_windows=include_long_windows,
        **counts,
    )
