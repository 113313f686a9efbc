"""Dates and times: guess the format once, parse whole columns, convert times given with an
offset from UTC to UK local time, decide the time precision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from hotspots.core.localtime import utc_to_local
from hotspots.data.ingest.errors import IngestError

_ISO_DATES = ["%Y-%m-%d", "%Y/%m/%d"]
_DAY_FIRST = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
_MONTH_FIRST = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"]
_NAMED_MONTHS = ["%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %B %Y"]
_CLOCK = [" %H:%M", " %H:%M:%S", " %H:%M:%S.%f", "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f"]
_TIMES = ["", *_CLOCK, *(t + "%z" for t in _CLOCK), " %I:%M %p", " %I:%M:%S %p"]
"""Times after a date; ``%z`` reads an offset from UTC: ``Z``, ``+01:00``, ``+0100``."""
_TIME_ONLY = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%H:%M%z", "%H:%M:%S%z", "%H%M", "%H.%M",
              "%I:%M %p", "%I:%M:%S %p"]  # fmt: skip
_OFFSET = r"(Z|[+-][0-9:]+)$"
"""The offset at the end of a value a ``%z`` format read …"""
_OFFSET_CHARS = len("+01:00")
"""… in its last characters at most (``Z``, ``+0100``, ``+01:00``)."""
_NO_OFFSET = np.timedelta64("NaT", "us")
_SAMPLE = 200
_ROUNDS = 3
_UNIT = "datetime64[us]"
"""Microseconds: any year a file may hold (nanoseconds end in 2262: a later date, converted,
wraps round to a plausible one and escapes the implausible-date check)."""


DAY_FIRST, MONTH_FIRST = "day first", "month first"
"""The two orders of dates such as ``01/02/2024``, in words (UK and US)."""


def order_name(dayfirst: bool) -> str:
    """:data:`DAY_FIRST` or :data:`MONTH_FIRST`."""
    return DAY_FIRST if dayfirst else MONTH_FIRST


def order_words(dayfirst: bool) -> str:
    """A date order in words, with what it makes of ``01/02/2024``.

    Examples
    --------
    >>> order_words(False)
    'month first (US: 01/02/2024 is 2 January)'
    """
    example = "UK: 01/02/2024 is 1 February" if dayfirst else "US: 01/02/2024 is 2 January"
    return f"{order_name(dayfirst)} ({example})"


class DateOrderError(IngestError):
    """A file's dates read the other way round from the order they are read in: as many of
    them or more read only the other way (``12/25/2024`` read day first) as only this way,
    so the rest would be read with day and month swapped. ``problem`` says so without the advice
    (which the caller may give in its own words: a workspace's source saves its order)."""

    def __init__(self, problem: str, *, dayfirst: bool) -> None:
        how = (
            '--month-first; on the Data page, "2 January (US)"'
            if dayfirst
            else 'without --month-first; on the Data page, "1 February (UK)"'
        )
        super().__init__(
            f"{problem}. If its dates are {order_name(not dayfirst)}, read them so ({how})"
        )
        self.problem = problem
        self.dayfirst = dayfirst


@dataclass(frozen=True)
class Parsed:
    """Timestamps of every row.

    Attributes
    ----------
    values
        ``datetime64[us]`` UK local wall-clock times (NaT where ``reason`` is set): a time
        given with an offset from UTC (``Z``, ``+01:00``) converted, one without kept as it is.
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
    file: str = "",
) -> Parsed:
    """Parse one datetime column, or a date column plus an optional time column.

    The format is guessed from a sample of the values (ISO, the date order ``dayfirst``
    says, named months) and applied to the whole column at once; values it does not fit
    get the next best format (up to three formats per column); what none fits is
    ``unparseable_date`` (never reinterpreted by a guessing parser). Dates such as
    ``01/02/2024`` are read in the order ``dayfirst`` says and no other: a value that reads
    only the other way round (``12/25/2024`` read day first) is ``unparseable_date``,
    saying so, and a column as many of whose values read only the other way as only this
    way, or more, is refused (:class:`DateOrderError`, naming ``file``), as its other dates would be
    read with day and month swapped. A blank time keeps the date with ``has_time`` False.
    A time given with an offset from UTC (``2024-07-15T22:30:00Z``, ``…+01:00``; in the time
    column, ``22:30Z``) is converted to UK local time (23:30 BST), saying how many from which
    offsets in ``notes``; a time without one is UK local time already.
    When every time in the column is exactly midnight, the times are treated as absent
    (dates exported as date-times), so no fake midnight peak appears.

    Examples
    --------
    >>> p = parse_datetimes(date=pd.Series(["03/02/2021"]), time=pd.Series(["14:30"]))
    >>> str(p.values[0]), p.formats
    ('2021-02-03T14:30:00.000000', 'date %d/%m/%Y, time %H:%M')
    """
    label = "/".join(names)
    dated = datetime_col if datetime_col is not None else date
    if dated is None:
        raise ValueError("parse_datetimes needs datetime_col or date")
    values, offsets, has_time, bad, formats, reversed_ = _parse_column(dated, dayfirst=dayfirst)
    notes = _order_notes(dated, reversed_, dayfirst=dayfirst, label=label, file=file)
    shown = dated
    if datetime_col is None:
        formats = f"date {formats}"
        if time is not None:
            values = values.astype("datetime64[D]").astype(_UNIT)
            of_day, offsets, has_time, time_bad, time_fmt = _parse_time(time)
            values = values + of_day
            bad |= time_bad & ~bad
            shown = dated.astype("str") + " " + time.astype("str")
            formats += f", time {time_fmt}"
    values[bad] = np.datetime64("NaT")
    offsets[bad] = _NO_OFFSET
    timed = has_time & ~bad
    if not _all_midnight(values, timed):  # as written: dates exported as date-times stay so
        values, converted = _to_local(values, offsets, timed, label)
        notes += converted
    if _all_midnight(values, timed):
        has_time = np.zeros_like(has_time)
        notes += (f"every time in {label} is 00:00: treated as dates without a time",)
    reason = np.where(bad, "unparseable_date", "").astype(object)
    detail = np.full(bad.size, "", dtype=object)
    detail[bad] = (f"{label} '" + shown[bad].astype("str").fillna("") + "' is not a date").to_numpy(
        object
    )
    if reversed_.any():
        detail[reversed_] = detail[reversed_] + (
            f" read {order_name(dayfirst)}: it reads only {order_name(not dayfirst)}"
        )
    return Parsed(values, has_time & ~bad, reason, detail, formats, notes)


def _all_midnight(values: np.ndarray, timed: np.ndarray) -> bool:
    """Whether there are times (``timed``) and every one is exactly 00:00."""
    return bool(timed.any()) and not _time_of_day(values[timed]).any()


def _to_local(
    values: np.ndarray, offsets: np.ndarray, timed: np.ndarray, label: str
) -> tuple[np.ndarray, tuple[str, ...]]:
    """``values`` with those given an offset from UTC (``offsets``, NaT: none) converted to UK
    local time (:mod:`hotspots.core.localtime`), and a note of how many from which offsets."""
    zoned = ~np.isnat(offsets)
    if not zoned.any():
        return values, ()
    local = values.copy()
    local[zoned] = utc_to_local(values[zoned] - offsets[zoned])
    offset, counts = np.unique(offsets[zoned], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    given = ", ".join(f"{counts[i]:,} {_offset_words(offset[i])}" for i in order)
    naive = int((timed & ~zoned).sum())
    rest = f"; {naive:,} without one read as UK local time already" if naive else ""
    return local, (
        f"{label}: {int(zoned.sum()):,} times given with a time zone converted to UK local time "
        f"(Europe/London, BST in summer): {given}{rest}",
    )


def _offset_words(offset: np.timedelta64) -> str:
    """``"in UTC"``, ``"at UTC+01:00"``, ``"at UTC-05:30"``."""
    minutes = int(offset // np.timedelta64(1, "m"))
    if minutes == 0:
        return "in UTC"
    sign = "+" if minutes > 0 else "-"
    return f"at UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _order_notes(
    dated: pd.Series, reversed_: np.ndarray, *, dayfirst: bool, label: str, file: str
) -> tuple[str, ...]:
    """Refuse a column whose dates read the other way round (:class:`DateOrderError`): as
    many values read only the other way (``reversed_``) as only the order in use, or more;
    else a note of the values set aside for it (none: no note)."""
    if not reversed_.any():
        return ()
    text = dated.astype("str").str.strip().to_numpy(object)
    other = int(reversed_.sum())
    this = int(_only_this_order(dated, dayfirst=dayfirst).sum())
    example = text[reversed_][0]
    mine, theirs = order_name(dayfirst), order_name(not dayfirst)
    counts = f"{other:,} read only {theirs} (such as '{example}'), {this:,} only {mine}"
    if other >= this:
        where = f"{file}: " if file else ""
        raise DateOrderError(
            f"{where}the dates in {label} are not {mine}, the order they are read in: "
            f"{counts}; read {order_words(dayfirst)}, its other dates would have day and "
            "month swapped, so the file was not read",
            dayfirst=dayfirst,
        )
    return (
        f"dates in {label}: {counts}; read {mine}, the {other:,} set aside as not dates "
        "(unparseable_date): check them",
    )


def _only_this_order(dated: pd.Series, *, dayfirst: bool) -> np.ndarray:
    """Which values read as dates in the order ``dayfirst`` says but not the other way round
    (``25/12/2024`` day first): the values that show a file is in that order."""
    text = dated.astype("str").str.strip()
    given = (text.notna() & (text != "")).to_numpy(bool)
    this = _read_rounds(text.where(given), given, _order_formats(dayfirst))[0]
    that = _read_rounds(text.where(given), given, _order_formats(not dayfirst))[0]
    return ~np.isnat(this) & np.isnat(that)


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
    """The date(-time) formats of one date order: ISO, that order's, named months."""
    ordered = _DAY_FIRST if dayfirst else _MONTH_FIRST
    return [d + t for d in _ISO_DATES + ordered + _NAMED_MONTHS for t in _TIMES]


def _order_formats(dayfirst: bool) -> list[str]:
    """The formats whose dates are read in one order only (``%d/%m/%Y``: day first)."""
    return [d + t for d in (_DAY_FIRST if dayfirst else _MONTH_FIRST) for t in _TIMES]


def _guess_format(text: pd.Series, candidates: list[str]) -> str | None:
    """The candidate format that parses most of a sample of the distinct values."""
    sample = pd.Series(text.dropna().unique()[:_SAMPLE], dtype="str")
    if sample.empty:
        return None
    first = str(sample.iloc[0])
    fits = [f for f in candidates if _parses(first, f)] or candidates
    counts = [(~np.isnat(_read(sample, f)[0])).sum() for f in fits]
    best = int(np.argmax(counts))
    return fits[best] if counts[best] > 0 else None


def _read(text: pd.Series, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """``text`` read in ``fmt``: the times as written (``datetime64[us]``, NaT where it does not
    fit) and their offsets from UTC (``timedelta64[us]``, NaT where none is given)."""
    offsets = np.full(len(text), _NO_OFFSET)
    if not fmt.endswith("%z"):
        return pd.to_datetime(text, format=fmt, errors="coerce").to_numpy(_UNIT), offsets
    utc = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    read = utc.notna().to_numpy(bool)
    # the offset is in the last characters: each distinct ending looked at once (a regular
    # expression over a million values took a second)
    codes, endings = pd.factorize(text[read].str.slice(-_OFFSET_CHARS))
    found = [re.search(_OFFSET, ending) for ending in endings]
    said = {m.group(1): _offset(m.group(1)) for m in found if m}
    table = [said[m.group(1)] if m else _NO_OFFSET for m in found]
    offsets[read] = np.array([*table, _NO_OFFSET], dtype="timedelta64[us]")[codes]
    return utc.dt.tz_localize(None).to_numpy(_UNIT) + offsets, offsets


def _offset(suffix: str) -> np.timedelta64:
    """The offset from UTC a ``%z`` suffix (``Z``, ``+01:00``) says, as pandas reads it."""
    utc = pd.to_datetime(f"2000-01-01 00:00{suffix}", format="%Y-%m-%d %H:%M%z", utc=True)
    return (pd.Timestamp("2000-01-01") - utc.tz_localize(None)).to_timedelta64()


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _parse_column(
    column: pd.Series, *, dayfirst: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, np.ndarray]:
    """Parse with the format of the date order ``dayfirst`` says that fits most values, then
    the values left with the next best (a few rounds, for files that mix formats); return
    values as written, their offsets from UTC, has_time, bad, formats, and which bad values
    read only the other way round. Only explicit formats are tried: a value none fits is
    unparseable, never reinterpreted (nor read in the other order)."""
    text = column.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(bool)
    text = text.where(~blank)
    values, has_time, used, offsets = _read_rounds(text, ~blank, _datetime_formats(dayfirst))
    bad = np.isnat(values)
    reversed_ = np.zeros(text.size, dtype=bool)
    if (bad & ~blank).any():  # only then: a file without bad dates costs nothing more
        other = _read_rounds(text, bad & ~blank, _order_formats(not dayfirst))[0]
        reversed_ = ~np.isnat(other)
    return values, offsets, has_time, bad, " | ".join(used) or "none fits", reversed_


def _read_rounds(
    text: pd.Series, todo: np.ndarray, candidates: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The values of ``text`` where ``todo``, read with the candidate that fits most, then
    those left with the next best (:data:`_ROUNDS` at most); values as written, has_time,
    formats used, offsets from UTC (:func:`_read`)."""
    values = np.full(text.size, np.datetime64("NaT"), dtype=_UNIT)
    offsets = np.full(text.size, _NO_OFFSET)
    has_time = np.zeros(text.size, dtype=bool)
    used: list[str] = []
    todo = todo.copy()
    for _ in range(_ROUNDS):
        if not todo.any():
            break
        fmt = _guess_format(text[todo], candidates)
        if fmt is None:
            break
        used.append(fmt)
        values[todo], offsets[todo] = _read(text[todo], fmt)
        has_time[todo] = "%H" in fmt or "%I" in fmt
        todo &= np.isnat(values)
    return values, has_time, used, offsets


def _parse_time(
    column: pd.Series,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """Time-of-day offsets from midnight (timedelta64[us]) as written, offsets from UTC
    (:func:`_read`), has_time, bad, format; blank = no time."""
    text = column.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(bool)
    text = text.where(~blank)
    # a time column holding date-times: only the time is kept, the date read either way
    fmt = _guess_format(text, _TIME_ONLY + _datetime_formats(True) + _order_formats(False))
    if fmt is None:
        values = np.full(text.size, np.datetime64("NaT"), dtype=_UNIT)
        offsets = np.full(text.size, _NO_OFFSET)
    else:
        values, offsets = _read(text, fmt)
    bad = np.isnat(values) & ~blank
    of_day = np.where(np.isnat(values), np.timedelta64(0, "us"), _time_of_day(values))
    return of_day, offsets, ~blank & ~bad, bad, fmt or "none fits"
