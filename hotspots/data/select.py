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


def has_time_of_day(incidents: pd.DataFrame, *, sources: Sequence[str] = ()) -> bool:
    """True when any incident (of ``sources``; empty: every source) carries a time of day
    (``time_precision`` hour or minute)."""
    timed = incidents["time_precision"].isin(["hour", "minute"])
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
