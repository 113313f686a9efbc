"""A selection's filters in words, for a document's header (the meeting pack) and the
dashboard's export section (imported without the document stack: no matplotlib)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hotspots.core.disclosure import cuts_groups
from hotspots.data.select import WEEKDAY_NAMES, Selection


def describe_selection(
    selection: Selection, *, ward_names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The filters of a :class:`~hotspots.data.select.Selection` in words, for a pack's header.

    Parameters
    ----------
    selection
        The sidebar's selection.
    ward_names
        Ward code → name, so wards are listed by name.

    Returns
    -------
    dict
        ``Period`` ("Jan 2021 – Jan 2022"), ``Sources``, ``Crime groups``, ``Crime types``,
        ``Wards``, ``Days`` and ``Time of day`` ("all" where not restricted).

    Examples
    --------
    >>> describe_selection(Selection(categories=("Drugs",)))["Crime groups"]
    'Drugs'
    """
    names = ward_names or {}

    def listed(values: Any) -> str:
        return ", ".join(str(v) for v in values) if values else "all"

    start = pd.Timestamp(selection.start).strftime("%b %Y") if selection.start else "first"
    end = pd.Timestamp(selection.end).strftime("%b %Y") if selection.end else "latest"
    hours = selection.hours
    return {
        "Period": start if start == end else f"{start} – {end}",
        "Sources": listed(selection.sources),
        "Crime groups": listed(selection.categories),
        "Crime types": listed(selection.crime_types),
        "Wards": listed([names.get(code, code) for code in selection.wards]),
        "Days": listed([WEEKDAY_NAMES[d] for d in selection.days]),
        "Time of day": "all" if hours is None else f"{hours[0]:02d}:00–{hours[1]:02d}:59",
    }


TIME_FILTER_LEAVES_OUT = (
    "records without a time of day or date (police.uk records give the month only) and sensitive "
    "offences (domestic abuse, sexual offences, stalking) are left out"
)
"""What a day or hour filter leaves out, said beside the selection."""


_LINE_NAMES = {"Period": "months", "Time of day": "hours"}


def selection_line(
    selection: Selection, everything: Selection, *, ward_names: Mapping[str, str] | None = None
) -> str:
    """The filters of ``selection`` that are not ``everything``, in one line (``""`` when it
    is everything): what a page says under its title, where a projector's audience sees it.

    Examples
    --------
    >>> every = Selection(sources=("police.uk",))
    >>> selection_line(Selection(sources=("police.uk",), categories=("Drugs",)), every)
    'Showing only: crime groups Drugs.'
    >>> selection_line(Selection(sources=("police.uk",), days=(4,)), every)  # doctest: +ELLIPSIS
    'Showing only: days Friday. With a day or hour filter, records without a time of day or ...'
    """
    words = describe_selection(_in_order(selection), ward_names=ward_names)
    every = describe_selection(_in_order(everything), ward_names=ward_names)
    parts = [
        f"{_LINE_NAMES.get(name, name.lower())} {value}"
        for name, value in words.items()
        if value != every[name] and value != "all"
    ]
    if not parts:
        return ""
    line = "Showing only: " + "; ".join(parts) + "."
    if cuts_groups(hours=selection.hours, days=selection.days):
        line += f" With a day or hour filter, {TIME_FILTER_LEAVES_OUT}."
    return line


def _in_order(selection: Selection) -> Selection:
    """``selection`` with its lists sorted: the sources picked in another order are the same
    filter (never "Showing only" every source)."""
    return dataclasses.replace(
        selection,
        **{f: tuple(sorted(getattr(selection, f))) for f in _LISTS},
    )


_LISTS = ("sources", "categories", "crime_types", "wards", "days")
"""The fields of a :class:`Selection` that list values."""
