"""Peak windows: the busiest contiguous blocks of hours in the week (or months, when untimed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.analysis.temporal._common import HOURS_PER_WEEK, WEEKDAYS, group_codes
from hotspots.analysis.temporal.aoristic import unavailable_reason, week_profiles
from hotspots.analysis.temporal.series import monthly_series
from hotspots.core import disclosure

MIN_TIMED_INCIDENTS = 10
"""Fewest incidents with a time of day a group needs before its peak windows of hours are
found: with fewer, one or two records make the busiest window ("Sat 01:00–04:00", 100 % of
the group's timed incidents, from one report), and each record moves a window's share by more
than 10 percentage points. A group with fewer gets no hour windows: its timing is unknown."""


def block_sums(profiles: np.ndarray, block_hours: int) -> np.ndarray:
    """Sum of every ``block_hours``-long run of bins, wrapping round the end of the week.

    ``out[g, s]`` is the total of bins ``s, s+1, …, s+block_hours-1`` (mod 168) of group ``g``.
    """
    wrapped = np.concatenate([profiles, profiles[:, : block_hours - 1]], axis=1)
    cumulative = np.concatenate([np.zeros((len(profiles), 1)), np.cumsum(wrapped, axis=1)], axis=1)
    return (
        cumulative[:, block_hours : block_hours + HOURS_PER_WEEK] - cumulative[:, :HOURS_PER_WEEK]
    )


def _greedy_top(sums: np.ndarray, block_hours: int, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts of the ``top`` busiest non-overlapping blocks per group (−1 when none is left).

    Greedy: the busiest block, then the busiest that does not overlap it, and so on. Ties go
    to the earliest start in the week (Mon 00:00 first) because ``argmax`` takes the first.
    """
    available = sums.copy()
    starts = np.full((len(sums), top), -1)
    values = np.zeros((len(sums), top))
    all_starts = np.arange(HOURS_PER_WEEK)
    for rank in range(top):
        best = np.argmax(available, axis=1)
        value = available[np.arange(len(sums)), best]
        found = value > 0
        starts[found, rank] = best[found]
        values[found, rank] = value[found]
        gap = (all_starts[None, :] - best[:, None]) % HOURS_PER_WEEK
        overlaps = (gap < block_hours) | (gap > HOURS_PER_WEEK - block_hours)
        available[overlaps & found[:, None]] = -np.inf
    return starts, values


def window_label(start: int, block_hours: int) -> str:
    """``"Fri 22:00–Sat 02:00"`` for a block starting at hour-of-week ``start``."""
    stop = (start + block_hours) % HOURS_PER_WEEK
    first = f"{WEEKDAYS[start // 24]} {start % 24:02d}:00"
    same_day = stop // 24 == start // 24 and stop > start
    last = f"{stop % 24:02d}:00" if same_day else f"{WEEKDAYS[stop // 24]} {stop % 24:02d}:00"
    return f"{first}–{last}"


def _hour_peaks(
    profiles: np.ndarray, labels: pd.Index, *, top: int, block_hours: list[int], by: str | None
) -> pd.DataFrame:
    totals = profiles.sum(axis=1)
    trusted = np.rint(totals) >= MIN_TIMED_INCIDENTS
    frames = []
    for hours in block_hours:
        starts, values = _greedy_top(block_sums(profiles, hours), hours, top)
        group, rank = np.nonzero((starts >= 0) & trusted[:, None])
        start = starts[group, rank]
        share = values[group, rank] / totals[group]
        frames.append(
            pd.DataFrame(
                {
                    by or "group": labels[group],
                    "resolution": "hour",
                    "block_hours": hours,
                    "rank": rank + 1,
                    "label": [window_label(int(s), hours) for s in start],
                    "weekday": np.asarray(WEEKDAYS)[start // 24],
                    "start_hour": start % 24,
                    "incidents": values[group, rank],
                    "share": share,
                    "lift": share / (hours / HOURS_PER_WEEK),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _month_peaks(incidents: pd.DataFrame, *, top: int, by: str | None) -> pd.DataFrame:
    """The ``top`` busiest months of each group (months without incidents left out), groups
    in order, then busiest first, ties to the earlier month; on the monthly table's numbers
    (a long table sorted and grouped by pandas took a few milliseconds a plan)."""
    key = by or "group"
    series = monthly_series(incidents, by=by)
    counts = series.to_numpy()  # months x groups
    groups = np.asarray(["all"] if by is None else series.columns, dtype=object)
    # each group's months by count, most first, ties to the earlier month; groups in order
    in_order = np.argsort(groups, kind="stable")
    month = np.argsort(-counts, axis=0, kind="stable").T[in_order].ravel()
    column = np.repeat(in_order, len(series))
    rank = np.tile(np.arange(1, len(series) + 1), len(groups))
    n = counts[month, column]
    share = n / counts.sum(axis=0)[column]
    keep = (rank <= top) & (n > 0)
    month, column, rank, n, share = month[keep], column[keep], rank[keep], n[keep], share[keep]
    return pd.DataFrame(
        {
            key: groups[column],
            "resolution": "month",
            "rank": rank,
            "label": np.asarray(series.index.strftime("%Y-%m"), dtype=object)[month],
            "month": series.index.to_numpy()[month],
            "incidents": n.astype(float),
            "share": share,
            # months without any incident are "no data" (a gap), not an even-spread month
            "lift": share * int((counts.sum(axis=1) > 0).sum()),
        }
    )


def peak_windows(
    incidents: pd.DataFrame,
    *,
    top: int = 3,
    block_hours: int | range = range(2, 5),
    by: str | None = None,
) -> pd.DataFrame:
    """The busiest contiguous blocks of hours in the week, per group.

    Incidents are profiled over the 168 hours of the week with aoristic apportioning
    (:func:`~hotspots.analysis.temporal.hour_weekday` defaults: windows over a week are left out).
    For
    each block length, blocks wrap round midnight and round the week (``"Sun 23:00–Mon 02:00"``).
    The busiest block is taken first, then the busiest that does not overlap it, up to ``top``;
    ties go to the earliest start in the week. A group with fewer than
    :data:`MIN_TIMED_INCIDENTS` incidents with a time of day gets no windows (its timing is
    unknown). When no incident has a time of day (police.uk month-only data) the result lists
    the peak months instead, and ``attrs["reason"]`` says why.

    Parameters
    ----------
    incidents
        Canonical incidents.
    top
        Number of blocks (or months) per group and block length.
    block_hours
        Block length in hours, or a range of lengths (default 2, 3 and 4 hours).
    by
        Optional column for one set of peaks per group (``"ward_code"``, ``"category"``, a
        hotspot id column …).

    Returns
    -------
    DataFrame
        One row per group × block length × rank: the group (column named ``by``, or ``group``),
        ``resolution`` ("hour" or "month"), ``block_hours``, ``rank``, ``label``
        (``"Fri 22:00–Sat 02:00"`` or ``"2021-07"``), ``weekday`` and ``start_hour`` (or
        ``month``), ``incidents`` (weighted), ``share`` of the group's incidents (with a time
        of day, for hour windows) and ``lift`` (share ÷ the share an even spread would give).
        ``attrs`` holds ``reason`` (why months are shown, else ""), ``n_used``,
        ``n_without_time``, ``n_long_windows``, ``sensitive_left_out`` and, for hour windows,
        ``with_time``: per group (as text), its incidents with a usable time of day and all its
        incidents (``[2, 35]``; neither counts a sensitive one, and a group of only sensitive
        ones is left out). Through the disclosure gate: windows of hours count no sensitive
        incident (:func:`hotspots.core.disclosure.time_split`), peak months count them only
        in groups of 5 or more (type, ward, month), and when the incidents include sensitive
        ones, a window (or month) with fewer than 5 incidents is not listed.

    Examples
    --------
    >>> peak_windows(incidents, top=3, block_hours=4, by="category")  # doctest: +SKIP
    """
    hours = [block_hours] if isinstance(block_hours, int) else list(block_hours)
    if top < 1 or not hours or min(hours) < 1 or max(hours) > HOURS_PER_WEEK // 2:
        raise ValueError(
            f"need top >= 1 and block lengths of 1 to {HOURS_PER_WEEK // 2} hours; "
            f"got top={top}, block_hours={block_hours}"
        )
    codes, labels = group_codes(incidents, by)
    profiles, counts = week_profiles(incidents, codes, len(labels))
    reason = unavailable_reason(incidents, counts)
    if reason:
        result = _month_peaks(incidents, top=top, by=by)
    else:
        result = _hour_peaks(profiles, labels, top=top, block_hours=hours, by=by)
        timed = np.rint(profiles.sum(axis=1)).astype(int)
        # of the incidents a split by time may count: sensitive ones change no figure
        size = np.bincount(codes[~disclosure.time_split_rows(incidents)], minlength=len(labels))
        counts["with_time"] = {
            str(g): [int(t), int(n)] for g, t, n in zip(labels, timed, size, strict=True) if n
        }
    if "sensitive" in incidents.columns and incidents["sensitive"].astype("boolean").any():
        # a window of a few incidents among sensitive ones says when a victim was attacked
        result = result[result["incidents"] >= disclosure.MIN_COUNT].reset_index(drop=True)
    result.attrs.update(reason=reason, **counts)
    return result
