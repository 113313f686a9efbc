"""Recommended patrol dosage per locality: short visits at varied times in the peak windows.

The rule, in words (it is printed with every plan):

- **Minutes per visit**: about 15 (10 to 16). Koper (1995, "Just enough police presence",
  Justice Quarterly 12(4)) found in Minneapolis that a police stop at a hot spot deters for
  longest after 10 to 16 minutes; longer stops add little (the "Koper curve").
- **When**: inside the locality's peak windows, found in its own incidents
  (:func:`hotspots.analysis.temporal.peak_windows`).
- **How often**: one visit per ``revisit_hours`` (default 2) of peak window, at a random minute,
  so each window of ``h`` hours gets ``ceil(h / revisit_hours)`` visits, as in the hot spot
  experiments that rotated 15-minute stops every couple of hours (Sacramento, Telep et al.
  2014). ``visits_per_day`` is the largest number of visits falling on one day (by the weekday
  each window starts). Times vary week to week so the visits are unpredictable.
- **Month-only data** (police.uk): there is no time of day to find windows in, so the plan
  lists the busiest months and recommends ``untimed_visits_per_day`` (default 3) visits at
  random times across the day, saying that the number is a default, not a finding.
- **Too few times**: a locality with fewer than
  :data:`~hotspots.analysis.temporal.MIN_TIMED_INCIDENTS` incidents with a time of day has no
  peak windows (its timing is unknown, "2 of 35 incidents have a time of day"); beside each
  locality's windows, how many of its incidents have a time. In a plan whose other localities
  have windows it gets as many visits a week as the median of theirs, at random times (the
  month-only default of 3 a day would give it three times the visits of the plan's busiest,
  timed locality); in a plan with none timed, the month-only dosage.
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS

KOPER_MINUTES: tuple[int, int] = (10, 16)
"""Visit lengths (minutes) with the longest residual deterrence (Koper 1995)."""

REVISIT_HOURS = 2.0
"""Hours of peak window per visit (default)."""

UNTIMED_VISITS_PER_DAY = 3
"""Visits a day recommended when the data have no time of day (a default, not a finding)."""

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

RULE = (
    "Visits of {minutes} minutes (stops of 10 to 16 minutes keep crime down longest after the "
    "officer leaves; longer ones add little: Koper, 1995). Timed data: one "
    "visit per {revisit:g} hours of each peak window found in the locality's own incidents, at "
    "a random minute, varied week to week; visits per day = the most visits falling on one "
    "day. Month-only data, or a locality with fewer than "
    + str(MIN_TIMED_INCIDENTS)
    + " incidents with a time of day: no time of day is known, so {untimed} visits a day at "
    "random times (a default, not a finding); in a plan whose other localities have peak "
    "windows, as many visits a week as the median of theirs, at random times."
)
"""The dosage rule as printed with a plan."""


def check_visit_minutes(minutes: float) -> float:
    """``minutes`` when inside the Koper range 10–16, else a ``ValueError`` saying why."""
    low, high = KOPER_MINUTES
    if not low <= minutes <= high:
        raise ValueError(
            f"visit_minutes={minutes!r}: hot spot visits of {low} to {high} minutes deter longest "
            "(Koper 1995); longer visits add little and shorter ones too little. Choose a value "
            f"from {low} to {high} (15 is usual)"
        )
    return float(minutes)


def recommend_dosage(
    peaks: pd.DataFrame,
    localities: pd.Index,
    *,
    group: str = "locality",
    visit_minutes: float = 15,
    revisit_hours: float = REVISIT_HOURS,
    untimed_visits_per_day: int = UNTIMED_VISITS_PER_DAY,
) -> pd.DataFrame:
    """Visits per day and minutes per visit for each locality, from its peak windows.

    Parameters
    ----------
    peaks
        :func:`hotspots.analysis.temporal.peak_windows` of the localities' incidents with
        ``by=group``
        (hour windows, or months for month-only data), one block length.
    localities
        Every locality to recommend for (a locality with no windows gets the untimed rule:
        month-only data, or too few of its incidents with a time of day,
        ``peaks.attrs["with_time"]``).
    group
        The column of ``peaks`` naming the locality.
    visit_minutes
        Minutes per visit, 10 to 16 (see :data:`KOPER_MINUTES`).
    revisit_hours
        Hours of peak window per visit.
    untimed_visits_per_day
        Visits a day when no window is known (month-only data).

    Returns
    -------
    DataFrame indexed like ``localities`` with ``minutes_per_visit``, ``visits_per_window``,
    ``visits_per_day``, ``visits_per_week`` (``<NA>`` when untimed), ``windows`` (the window
    labels of ``peaks``, best first, ``"; "``-separated, then how many of the locality's
    incidents have a time of day; or why its timing is unknown), ``dosage`` (one sentence),
    and for a table a person scans: ``peak_hours`` (the window labels alone, or ``"timing
    unknown"``), ``timed`` (``"71 of 159"``: its incidents with a time of day, of all) and
    ``visits`` (``"6 visits a week (Fri 2, Sat 4)"``).

    Examples
    --------
    >>> peaks = peak_windows(members, by="locality", top=3, block_hours=3)  # doctest: +SKIP
    >>> recommend_dosage(peaks, pd.Index([1, 2]))  # doctest: +SKIP
    """
    minutes = check_visit_minutes(visit_minutes)
    if revisit_hours <= 0 or untimed_visits_per_day < 1:
        raise ValueError(
            f"revisit_hours must be > 0 and untimed_visits_per_day >= 1, got {revisit_hours} "
            f"and {untimed_visits_per_day}"
        )
    hourly = peaks[peaks["resolution"] == "hour"] if len(peaks) else peaks
    with_time = peaks.attrs.get("with_time", {})
    rows = []
    for key in localities:
        mine = hourly[hourly[group].astype(str) == str(key)] if len(hourly) else hourly
        timed = with_time.get(str(key))
        rows.append(_one(mine, minutes, revisit_hours, untimed_visits_per_day, timed))
    weeks = [r["visits_per_week"] for r in rows if isinstance(r["visits_per_week"], int)]
    if weeks:  # some localities timed: the untimed ones like them, not 3 a day (21 a week)
        per_week = math.ceil(statistics.median(weeks))
        rows = [r if r["visits_per_window"] is not None else _like_timed(r, per_week) for r in rows]
    out = pd.DataFrame(rows, index=localities, columns=list(_COLUMNS))
    for column in ("visits_per_window", "visits_per_week"):
        out[column] = out[column].astype("Int64")
    return out


_COLUMNS = (
    "minutes_per_visit",
    "visits_per_window",
    "visits_per_day",
    "visits_per_week",
    "windows",
    "dosage",
    "peak_hours",
    "timed",
    "visits",
)


def _like_timed(row: dict[str, object], per_week: int) -> dict[str, object]:
    """An untimed locality's dosage in a plan with timed ones: ``per_week`` visits a week (the
    timed localities' median), at random times."""
    minutes, few = row["minutes_per_visit"], row["windows"]
    return {
        **row,
        "visits_per_day": math.ceil(per_week / 7),
        "visits_per_week": per_week,
        "dosage": (
            f"{per_week} visits of {minutes:g} min a week at random times "
            f"({few or 'no time of day in the data'}: as many as the plan's timed localities' "
            "median; check CAD or ASB logs for the hours)"
        ),
        "visits": f"{per_week} visits a week, at random times",
    }


def _one(
    windows: pd.DataFrame,
    minutes: float,
    revisit: float,
    untimed: int,
    timed: list[int] | None,
) -> dict[str, object]:
    """The dosage of one locality from its hour windows; ``timed``: how many of its incidents
    have a time of day and all its incidents (``None``: the data have no time of day)."""
    if len(windows) == 0:
        few = ""  # why the timing is unknown, when the data have times but too few here
        if timed is not None and timed[0] < MIN_TIMED_INCIDENTS:
            few = (
                f"timing unknown: {timed[0]} of {timed[1]} incidents have a time of day, "
                f"fewer than {MIN_TIMED_INCIDENTS}"
            )
        return {
            "minutes_per_visit": minutes,
            "visits_per_window": None,
            "visits_per_day": untimed,
            "visits_per_week": None,
            "windows": few,
            "dosage": (
                f"{untimed} visits of {minutes:g} min a day at random times "
                f"({few or 'no time of day in the data'}: check CAD or ASB logs for the hours)"
            ),
            "peak_hours": "timing unknown (too few with a time of day)" if few else "",
            "timed": f"{timed[0]} of {timed[1]}" if timed is not None else "",
            "visits": f"{untimed} visits a day, at random times",
        }
    windows = windows.sort_values("rank")
    visits = [math.ceil(h / revisit) for h in windows["block_hours"]]
    per_day: dict[str, int] = {}
    for day, n in zip(windows["weekday"], visits, strict=True):
        per_day[day] = per_day.get(day, 0) + n
    days = ", ".join(f"{d} {per_day[d]}" for d in WEEKDAYS if d in per_day)
    return {
        "minutes_per_visit": minutes,
        "visits_per_window": max(visits),
        "visits_per_day": max(per_day.values()),
        "visits_per_week": sum(visits),
        "windows": "; ".join(windows["label"])
        + (f" ({timed[0]} of {timed[1]} incidents have a time of day)" if timed else ""),
        "dosage": (
            f"{sum(visits)} visits of {minutes:g} min a week, {max(visits)} in each peak window "
            f"(visits per day: {days}), each at a random minute, varied week to week"
        ),
        "peak_hours": "; ".join(windows["label"]),
        "timed": f"{timed[0]} of {timed[1]}" if timed else "",
        "visits": f"{sum(visits)} visits a week ({days})",
    }
