"""Selecting incidents by date range, crime group and type, ward, time of day and day of week.

The dashboard's sidebar filters are a :class:`Selection`; :func:`select` applies one to a
canonical incidents GeoDataFrame. Pure and vectorised, so notebooks use the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.core import disclosure
from hotspots.core.localtime import to_local


@dataclass(frozen=True)
class Selection:
    """Which incidents to keep. ``None`` / empty means "no restriction" for that field.

    Attributes
    ----------
    start, end
        First and last month included (any day in the month; compared by month).
    sources, categories, crime_types, wards
        Keep rows whose ``source`` / ``category`` / ``crime_type`` / ``ward_code`` is listed.
    hours
        ``(first, last)`` hour of day, inclusive, wrapping midnight when first > last
        (e.g. ``(22, 3)`` is 22:00–03:59). Applies only to rows with a time of day
        (``time_precision`` hour or minute); month- and day-only rows are kept only
        when ``hours`` is ``None``.
    days
        Days of the week kept, 0 = Monday … 6 = Sunday (empty: every day). With ``hours`` that
        wrap midnight a night belongs to the day it starts on: Friday with ``(22, 3)`` is
        Friday 22:00 to Saturday 03:59. Without ``hours`` it applies to rows with a date
        (``time_precision`` day, hour or minute).

    An incident known only to have happened within a window (``occurred_from`` to
    ``occurred_to``) is kept when its window overlaps the chosen hours and days (aoristic
    rule: it may have happened then).

    With ``hours`` or ``days`` no sensitive incident is kept: a time filter cuts the groups the
    disclosure gate counts in (:func:`hotspots.core.disclosure.time_split`).
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    sources: Sequence[str] = field(default_factory=tuple)
    categories: Sequence[str] = field(default_factory=tuple)
    crime_types: Sequence[str] = field(default_factory=tuple)
    wards: Sequence[str] = field(default_factory=tuple)
    hours: tuple[int, int] | None = None
    days: Sequence[int] = field(default_factory=tuple)


WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
"""Day names by ``Selection.days`` number (0 = Monday)."""

_HOURS_PER_WEEK = 168
_DATED = ("day", "hour", "minute")
_TIMED = ("hour", "minute")


def has_time_of_day(
    incidents: pd.DataFrame, *, sources: Sequence[str] = (), dates: bool = False
) -> bool:
    """True when any incident (of ``sources``; empty: every source) carries a time of day
    (``time_precision`` hour or minute), or with ``dates`` at least a date (day too)."""
    timed = incidents["time_precision"].isin(list(_DATED if dates else _TIMED))
    if sources:
        timed &= incidents["source"].isin(list(sources))
    return bool(timed.any())


def months_present(incidents: pd.DataFrame) -> list[pd.Timestamp]:
    """The months (first day) holding at least one incident, oldest first.

    Examples
    --------
    >>> months_present(incidents)[:2]  # doctest: +SKIP
    [Timestamp('2021-02-01 00:00:00'), Timestamp('2021-03-01 00:00:00')]
    """
    return sorted(pd.Series(incidents["month"].dropna().unique()))


def values_present(
    incidents: pd.DataFrame, column: str, *, order: Sequence[str] | None = None
) -> list[str]:
    """The values of ``column`` held by at least one incident: in the order of ``order`` when
    given (values not in it left out), else sorted.

    Examples
    --------
    >>> values_present(incidents, "category", order=CATEGORIES)  # doctest: +SKIP
    ['Violence and sexual offences', 'Anti-social behaviour']
    """
    present = set(incidents[column].dropna().unique())
    if order is None:
        return sorted(present)
    return [value for value in order if value in present]


def crime_types(incidents: pd.DataFrame, *, categories: Sequence[str] = ()) -> list[str]:
    """The crime types of the incidents in ``categories`` (empty: every group), sorted."""
    pool = incidents[incidents["category"].isin(list(categories))] if categories else incidents
    return values_present(pool, "crime_type")


def crime_types_by_group(incidents: pd.DataFrame) -> dict[str | None, list[str]]:
    """Crime group → its crime types (sorted); ``None`` → every crime type: the table from
    which :func:`types_of_groups` answers :func:`crime_types` for any choice of groups
    without a scan of every incident."""
    pairs = incidents[["category", "crime_type"]].dropna().drop_duplicates()
    out: dict[str | None, list[str]] = {
        str(g): sorted(map(str, part["crime_type"])) for g, part in pairs.groupby("category")
    }
    out[None] = values_present(incidents, "crime_type")
    return out


def types_of_groups(by_group: dict[str | None, list[str]], groups: Sequence[str]) -> list[str]:
    """:func:`crime_types` of the incidents ``by_group`` (:func:`crime_types_by_group`) was
    made from, in crime ``groups`` (empty: every group), sorted."""
    if not groups:
        return list(by_group[None])
    return sorted(set().union(*(by_group.get(g, ()) for g in groups)))


def ward_choices(
    wards: pd.DataFrame,
    *,
    incidents: pd.DataFrame | None = None,
    code: str = "area_code",
    name: str = "area_name",
) -> dict[str, str]:
    """Ward code → name, in the order of the names; with ``incidents``, only the wards holding
    at least one of them (by ``ward_code``).

    Examples
    --------
    >>> ward_choices(wards)["E05004685"]  # doctest: +SKIP
    'Adeyfield East'
    """
    names = pd.Series(wards[name].to_numpy(), index=wards[code].to_numpy()).sort_values(
        kind="stable"
    )
    if incidents is not None:
        names = names[names.index.isin(incidents["ward_code"].dropna().unique())]
    return {str(k): str(v) for k, v in names.items()}


def wards_in(
    wards: gpd.GeoDataFrame, codes: Sequence[str], *, code: str = "area_code"
) -> gpd.GeoDataFrame:
    """The wards whose ``code`` is in ``codes`` (every ward when ``codes`` is empty or matches
    none): what a map zooms to."""
    chosen = wards[wards[code].isin(list(codes))] if codes else wards
    return chosen if len(chosen) else wards


def hour_mask(hour: np.ndarray, first: int, last: int) -> np.ndarray:
    """Boolean mask of hours in ``first..last`` inclusive, wrapping midnight if first > last."""
    if not (0 <= first <= 23 and 0 <= last <= 23):
        raise ValueError(f"hours must be 0..23, got ({first}, {last})")
    if first <= last:
        return (hour >= first) & (hour <= last)
    return (hour >= first) | (hour <= last)


def week_hours(*, hours: tuple[int, int] | None = None, days: Sequence[int] = ()) -> np.ndarray:
    """Which of the 168 hours of the week (Mon 00:00 = 0) ``hours`` and ``days`` keep.

    A range wrapping midnight runs on into the next day: Friday (4) with ``(22, 3)`` keeps
    Friday 22:00–23:59 and Saturday 00:00–03:59.

    Examples
    --------
    >>> np.flatnonzero(week_hours(hours=(22, 3), days=[4]))
    array([118, 119, 120, 121, 122, 123])
    """
    first, last = (0, 23) if hours is None else hours
    in_day = hour_mask(np.arange(24), first, last)
    wanted = sorted({int(d) for d in days}) if days else range(7)
    if any(not 0 <= d <= 6 for d in wanted):
        raise ValueError(f"days must be 0 (Monday) .. 6 (Sunday), got {list(days)}")
    week = np.zeros(_HOURS_PER_WEEK, dtype=bool)
    evening = np.arange(24) >= first if first > last else np.ones(24, dtype=bool)
    for day in wanted:
        start = day * 24
        week[start : start + 24] |= in_day & evening  # the day's own hours
        if first > last:  # the small hours after midnight belong to the night before
            after = (start + 24 + np.arange(last + 1)) % _HOURS_PER_WEEK
            week[after] = True
    return week


def _in_week_hours(
    incidents: pd.DataFrame, week: np.ndarray, precisions: Sequence[str]
) -> np.ndarray:
    """Rows of ``precisions`` whose window (``occurred_from`` … ``occurred_to``; a day-only
    row covers its whole day) overlaps an hour of ``week``."""
    usable = incidents["time_precision"].isin(list(precisions)).to_numpy(bool)
    start = to_local(pd.to_datetime(incidents["occurred_from"]))
    end = to_local(pd.to_datetime(incidents["occurred_to"]))
    day_only = (incidents["time_precision"] == "day").to_numpy(bool)
    start = start.where(~day_only, start.dt.floor("D"))
    end = end.where(~day_only, end.dt.floor("D") + pd.Timedelta(hours=23))
    end = end.where(end.notna() & (end > start), start)
    # An end on the hour closes the window before that hour (22:00–23:00 is the 22:00 hour).
    last = end.where(end == start, end - pd.Timedelta(seconds=1))
    ok = usable & start.notna().to_numpy(bool)
    out = np.zeros(len(incidents), dtype=bool)
    if not ok.any():
        return out
    first_hour = start[ok].dt.floor("h")
    s = (first_hour.dt.day_of_week * 24 + first_hour.dt.hour).to_numpy(np.int64)
    span = ((last[ok] - first_hour) // pd.Timedelta(hours=1)).to_numpy(np.int64)
    span = np.clip(span, 0, _HOURS_PER_WEEK - 1)
    counts = np.concatenate([[0], np.cumsum(np.tile(week, 2))])
    out[ok] = counts[s + span + 1] - counts[s] > 0
    return out


def select(incidents: gpd.GeoDataFrame, selection: Selection) -> gpd.GeoDataFrame:
    """Rows of ``incidents`` matching ``selection`` (a filtered copy; attrs kept).

    Examples
    --------
    >>> sel = Selection(categories=["Anti-social behaviour"], hours=(15, 18))
    >>> asb_after_school = select(incidents, sel)  # doctest: +SKIP
    >>> weekend_nights = select(incidents, Selection(days=(4, 5), hours=(22, 3)))  # doctest: +SKIP
    """
    keep = np.ones(len(incidents), dtype=bool)
    month = incidents["month"]
    if selection.start is not None:
        keep &= (month >= pd.Timestamp(selection.start).to_period("M").to_timestamp()).to_numpy()
    if selection.end is not None:
        keep &= (month <= pd.Timestamp(selection.end).to_period("M").to_timestamp()).to_numpy()
    for column, wanted in (
        ("source", selection.sources),
        ("category", selection.categories),
        ("crime_type", selection.crime_types),
        ("ward_code", selection.wards),
    ):
        if wanted:
            keep &= incidents[column].isin(list(wanted)).fillna(False).to_numpy(bool)
    if selection.hours is not None or selection.days:
        week = week_hours(hours=selection.hours, days=selection.days)
        precisions = _TIMED if selection.hours is not None else _DATED
        keep &= _in_week_hours(incidents, week, precisions)
    out = incidents.loc[keep]  # new arrays (a take; copy-on-write): no copy of them needed
    out.attrs = dict(incidents.attrs)
    if disclosure.cuts_groups(hours=selection.hours, days=selection.days):
        return disclosure.time_split(out)
    return out


@dataclass(frozen=True)
class MonthsHeld:
    """The first and last month of a data load's incidents (``None``: none has a month) and
    whether some incident has no month."""

    first: pd.Timestamp | None
    last: pd.Timestamp | None
    undated: bool


def months_held(incidents: pd.DataFrame) -> MonthsHeld:
    """:class:`MonthsHeld` of ``incidents`` (their ``month`` column)."""
    month = incidents["month"]
    if month.notna().sum() == 0:
        return MonthsHeld(None, None, bool(len(month)))
    return MonthsHeld(month.min(), month.max(), bool(month.isna().any()))


def keeps_every_month(held: MonthsHeld, start: object, end: object) -> bool:
    """Whether months ``start`` … ``end`` (any day in them; ``None``: open) keep every
    incident of ``held``'s data, as :func:`hotspots.data.select.select` compares them: the
    selection is then that of the same filters without months. False when some incident has
    no month (the months leave it out) or the months carry a time zone."""
    if held.undated or held.first is None or held.last is None:
        return False
    try:
        after = start is None or pd.Timestamp(start).to_period("M").to_timestamp() <= held.first
        before = end is None or pd.Timestamp(end).to_period("M").to_timestamp() >= held.last
    except TypeError:  # months with a time zone: select each way
        return False
    return bool(after and before)
