"""Helpers shared by the temporal modules: weekday labels, group codes, datetime conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hotspots.core.localtime import to_local

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekday labels, Monday first (ISO order, as in :attr:`pandas.Timestamp.dayofweek`)."""

HOURS_PER_WEEK = 168
NO_GROUP = "(none)"
"""Label for incidents whose ``by`` column is empty (e.g. no ward: outside every ward)."""

TIMED_PRECISIONS = frozenset({"hour", "minute"})
"""``time_precision`` values that carry a time of day."""

# 1970-01-05 was a Monday: seconds since then, floor-divided by 3600 and taken modulo 168,
# give the hour of the week with Monday 00:00-00:59 as bin 0.
_MONDAY_EPOCH_S = 4 * 86_400


def week_seconds(times: pd.Series) -> np.ndarray:
    """Seconds since Monday 1970-01-05 00:00 (local wall-clock) as int64; NaT → minimum int64.

    Time-zone-aware values are converted to UK local time first (:mod:`hotspots.core.localtime`).
    """
    if not pd.api.types.is_datetime64_any_dtype(times):
        raise TypeError(
            f"column {times.name!r} holds {times.dtype}, expected datetimes; load incidents with "
            "hotspots.data.ingest, or convert it with pandas.to_datetime"
        )
    times = to_local(times)
    seconds = times.to_numpy().astype("datetime64[s]").astype(np.int64)
    return np.where(times.isna().to_numpy(), np.iinfo(np.int64).min, seconds - _MONDAY_EPOCH_S)


def group_codes(
    incidents: pd.DataFrame, by: str | None, rows: np.ndarray | None = None
) -> tuple[np.ndarray, pd.Index]:
    """Integer group code per incident and the sorted group labels.

    With ``by=None`` every incident is in one group labelled ``"all"``. Empty values of
    ``by`` form their own group, :data:`NO_GROUP`, so that no incident is silently dropped.
    ``rows`` (a boolean mask): only those incidents are grouped, and the labels are theirs.
    """
    if by is None:
        n = len(incidents) if rows is None else int(np.count_nonzero(rows))
        return np.zeros(n, dtype=np.int64), pd.Index(["all"])
    if by not in incidents.columns:
        raise KeyError(
            f"by={by!r} is not a column of the incidents; choose one of {list(incidents.columns)}"
        )
    column = incidents[by] if rows is None else incidents[by][rows]
    # Factorise the column first and turn only its distinct values into text (a million
    # rows of text converted one by one took seconds); values equal as text share a group.
    raw, uniques = pd.factorize(column, use_na_sentinel=True)
    names = np.array([str(u) for u in uniques] + [NO_GROUP], dtype=object)
    raw = np.where(raw < 0, len(uniques), raw)
    to_label, labels = pd.factorize(names, sort=True)
    codes = to_label[raw]
    used = np.bincount(codes, minlength=len(labels)) > 0  # drop NO_GROUP when nothing is empty
    renumbered = np.cumsum(used) - 1
    return renumbered[codes].astype(np.int64), pd.Index(labels[used], name=by)


def incident_weights(incidents: pd.DataFrame, weights: str | ArrayLike | None) -> np.ndarray:
    """Per-incident weights as float64: ones, a named column, or an array of matching length."""
    if weights is None:
        return np.ones(len(incidents))
    if isinstance(weights, str):
        if weights not in incidents.columns:
            raise KeyError(f"weights={weights!r} is not a column of the incidents")
        values = incidents[weights].to_numpy(dtype=float)
    else:
        values = np.asarray(weights, dtype=float)
    if values.shape != (len(incidents),):
        raise ValueError(
            f"weights has shape {values.shape}, expected one weight per incident ({len(incidents)})"
        )
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("weights must be finite and non-negative (one per incident)")
    return values
