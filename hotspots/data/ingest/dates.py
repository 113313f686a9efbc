"""Dates and times: guess the format once, parse whole columns, decide the time precision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

_ISO_DATES = ["%Y-%m-%d", "%Y/%m/%d"]
_DAY_FIRST = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
_MONTH_FIRST = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"]
_NAMED_MONTHS = ["%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %B %Y"]
_TIMES = ["", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f",
          "T%H:%M:%SZ", "T%H:%M:%S.%fZ", " %I:%M %p", " %I:%M:%S %p"]  # fmt: skip
_TIME_ONLY = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%H%M", "%H.%M", "%I:%M %p", "%I:%M:%S %p"]
_SAMPLE = 200
_ROUNDS = 3
_UNIT = "datetime64[us]"
"""Microseconds: any year a file may hold (nanoseconds end in 2262: a later date, converted,
wraps round to a plausible one and escapes the implausible-date check)."""


@dataclass(frozen=True)
class Parsed:
    """Timestamps of every row.

    Attributes
    ----------
    values
        ``datetime64[us]`` wall-clock times (NaT where ``reason`` is set).
    has_time
        Whether the row has a time of day (``False``: a date only).
    reason, detail
        ``"unparseable_date"`` (or ``""``) and human text, per row.
    formats
        The formats chosen from the values (for the report), e.g. ``"%d/%m/%Y %H:%M"``.
    notes
        Anything the analyst should know (e.g. every time was 00:00, so dates only).
    """

    values: np.ndarray
    has_time: np.ndarray
    reason: np.ndarray
    detail: np.ndarray
    formats: str
    notes: tuple[str, ...] = ()


def parse_month(values: pd.Series, *, name: str = "Month") -> tuple[np.ndarray, np.ndarray]:
    """Parse police.uk ``YYYY-MM`` months to the first day of the month.

    Returns the ``datetime64[us]`` months (NaT where unparseable) and a detail array
    (``""`` where fine).

    Examples
    --------
    >>> month, detail = parse_month(pd.Series(["2021-03", "March"]))
    >>> str(month[0])[:10], detail[1]
    ('2021-03-01', "Month 'March' is not a YYYY-MM month")
    """
    # a few distinct months: each distinct value stripped and parsed once
    codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=False)
    text = pd.Series(uniques, dtype="str").str.strip()
    month = pd.to_datetime(text, format="%Y-%m", errors="coerce").to_numpy(_UNIT)
    month = month[codes]
    detail = np.full(month.size, "", dtype=object)
    bad = np.isnat(month)
    if bad.any():
        shown = pd.Series(text.fillna("").to_numpy(object)[codes[bad]], dtype="str")
        detail[bad] = (f"{name} '" + shown + "' is not a YYYY-MM month").to_numpy(object)
    return month, detail


def parse_datetimes(
    *,
    datetime_col: pd.Series | None = None,
    date: pd.Series | None = None,
    time: pd.Series | None = None,
    dayfirst: bool = True,
    names: tuple[str, ...] = ("datetime",),
) -> Parsed:
    """Parse one datetime column, or a date column plus an optional time column.

    The format is guessed from a sample of the values (ISO first, then day-first or
    month-first as ``dayfirst`` says) and applied to the whole column at once; values it
    does not fit get the next best format (up to three formats per column); what none fits
    is ``unparseable_date`` (never reinterpreted by a guessing parser). A blank time keeps
    the date with ``has_time`` False. When every time in the column is exactly midnight,
    the times are treated as absent (dates exported as date-times), so no fake midnight
    peak appears.

    Examples
    --------
    >>> p = parse_datetimes(date=pd.Series(["03/02/2021"]), time=pd.Series(["14:30"]))
    >>> str(p.values[0]), p.formats
    ('2021-02-03T14:30:00.000000', 'date %d/%m/%Y, time %H:%M')
    """
    if datetime_col is not None:
        values, has_time, bad, fmt = _parse_column(datetime_col, dayfirst=dayfirst)
        formats = fmt
        shown = datetime_col
    else:
        if date is None:
            raise ValueError("parse_datetimes needs datetime_col or date")
        values, has_time, bad, fmt = _parse_column(date, dayfirst=dayfirst)
        formats = f"date {fmt}"
        shown = date
        if time is not None:
            values = values.astype("datetime64[D]").astype(_UNIT)
            offset, has_time, time_bad, time_fmt = _parse_time(time)
            values = values + offset
            bad |= time_bad & ~bad
            shown = date.astype("str") + " " + time.astype("str")
            formats += f", time {time_fmt}"
    values[bad] = np.datetime64("NaT")
    notes: tuple[str, ...] = ()
    timed = has_time & ~bad
    if timed.any() and not _time_of_day(values[timed]).any():
        has_time = np.zeros_like(has_time)
        notes = (f"every time in {'/'.join(names)} is 00:00: treated as dates without a time",)
    reason = np.where(bad, "unparseable_date", "").astype(object)
    detail = np.full(bad.size, "", dtype=object)
    label = "/".join(names)
    detail[bad] = (f"{label} '" + shown[bad].astype("str").fillna("") + "' is not a date").to_numpy(
        object
    )
    return Parsed(values, has_time & ~bad, reason, detail, formats, notes)


def precision(has_time: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``"day"`` without a time; ``"hour"`` when every time of the column is on the hour,
    else ``"minute"``."""
    out = np.full(has_time.size, "day", dtype=object)
    if has_time.any():
        on_hour = (_time_of_day(values[has_time]) % np.timedelta64(1, "h")) == np.timedelta64(0)
        out[has_time] = "hour" if on_hour.all() else "minute"
    return out


def month_start(values: np.ndarray) -> np.ndarray:
    """The first day of each timestamp's month (``datetime64[us]``, NaT stays NaT)."""
    return values.astype("datetime64[M]").astype(_UNIT)


def _time_of_day(values: np.ndarray) -> np.ndarray:
    return values - values.astype("datetime64[D]").astype(_UNIT)


def _datetime_formats(dayfirst: bool) -> list[str]:
    ordered = _DAY_FIRST + _MONTH_FIRST if dayfirst else _MONTH_FIRST + _DAY_FIRST
    return [d + t for d in _ISO_DATES + ordered + _NAMED_MONTHS for t in _TIMES]


def _guess_format(text: pd.Series, candidates: list[str]) -> str | None:
    """The candidate format that parses most of a sample of the distinct values."""
    sample = pd.Series(text.dropna().unique()[:_SAMPLE], dtype="str")
    if sample.empty:
        return None
    first = str(sample.iloc[0])
    fits = [f for f in candidates if _parses(first, f)] or candidates
    counts = [pd.to_datetime(sample, format=f, errors="coerce").notna().sum() for f in fits]
    best = int(np.argmax(counts))
    return fits[best] if counts[best] > 0 else None


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _parse_column(
    column: pd.Series, *, dayfirst: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Parse with the format that fits most values, then the values left with the next best
    format (a few rounds, for files that mix formats); return values, has_time, bad, formats.
    Only explicit formats are tried: a value none fits is unparseable, never reinterpreted."""
    text = column.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(bool)
    text = text.where(~blank)
    values = np.full(text.size, np.datetime64("NaT"), dtype=_UNIT)
    has_time = np.zeros(text.size, dtype=bool)
    used: list[str] = []
    todo = ~blank
    for _ in range(_ROUNDS):
        fmt = _guess_format(text[todo], _datetime_formats(dayfirst))
        if fmt is None:
            break
        used.append(fmt)
        values[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").to_numpy(_UNIT)
        has_time[todo] = "%H" in fmt or "%I" in fmt
        todo = np.isnat(values) & ~blank
        if not todo.any():
            break
    return values, has_time, np.isnat(values), " | ".join(used) or "none fits"


def _parse_time(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Time-of-day offsets (timedelta64[us]), has_time, bad, format; blank = no time."""
    text = column.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(bool)
    text = text.where(~blank)
    fmt = _guess_format(text, _TIME_ONLY + _datetime_formats(True))
    if fmt is None:
        values = np.full(text.size, np.datetime64("NaT"), dtype=_UNIT)
    else:
        values = pd.to_datetime(text, format=fmt, errors="coerce").to_numpy(_UNIT)
    bad = np.isnat(values) & ~blank
    offset = np.where(np.isnat(values), np.timedelta64(0, "us"), _time_of_day(values))
    return offset, ~blank & ~bad, bad, fmt or "none fits"
