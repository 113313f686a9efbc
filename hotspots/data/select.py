"""Selecting incidents by date range, crime group and type, ward and time of day.

The dashboard's sidebar filters are a :class:`Selection`; :func:`select` applies one to a
canonical incidents GeoDataFrame. Pure and vectorised, so notebooks use the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd


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
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    sources: Sequence[str] = field(default_factory=tuple)
    categories: Sequence[str] = field(default_factory=tuple)
    crime_types: Sequence[str] = field(default_factory=tuple)
    wards: Sequence[str] = field(default_factory=tuple)
    hours: tuple[int, int] | None = None


def has_time_of_day(incidents: pd.DataFrame) -> bool:
    """True when any incident carries a time of day (``time_precision`` hour or minute)."""
    return bool(incidents["time_precision"].isin(["hour", "minute"]).any())


def hour_mask(hour: np.ndarray, first: int, last: int) -> np.ndarray:
    """Boolean mask of hours in ``first..last`` inclusive, wrapping midnight if first > last."""
    if not (0 <= first <= 23 and 0 <= last <= 23):
        raise ValueError(f"hours must be 0..23, got ({first}, {last})")
    if first <= last:
        return (hour >= first) & (hour <= last)
    return (hour >= first) | (hour <= last)


def select(incidents: gpd.GeoDataFrame, selection: Selection) -> gpd.GeoDataFrame:
    """Rows of ``incidents`` matching ``selection`` (a filtered copy; attrs kept).

    Examples
    --------
    >>> sel = Selection(categories=["Anti-social behaviour"], hours=(15, 18))
    >>> asb_after_school = select(incidents, sel)  # doctest: +SKIP
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
    if selection.hours is not None:
        timed = incidents["time_precision"].isin(["hour", "minute"]).to_numpy(bool)
        hour = incidents["occurred_from"].dt.hour.to_numpy(dtype=float, na_value=np.nan)
        in_hours = np.zeros(len(incidents), dtype=bool)
        ok = timed & np.isfinite(hour)
        in_hours[ok] = hour_mask(hour[ok].astype(int), *selection.hours)
        keep &= in_hours
    out = incidents.loc[keep].copy()
    out.attrs = dict(incidents.attrs)
    return out
