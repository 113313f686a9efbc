"""A selection's filters in words, for a document's header (the meeting pack) and the
dashboard's export section (imported without the document stack: no matplotlib)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hotspots.data.select import Selection


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
        ``Wards`` and ``Time of day`` ("all" where not restricted).

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
        "Time of day": "all" if hours is None else f"{hours[0]:02d}:00–{hours[1]:02d}:59",
    }
