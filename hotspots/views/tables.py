"""Tables as a reader sees them: plain headings, rounded numbers with units, dates without a time.

The one home of how a table is shown on the dashboard (``st.dataframe``): every page passes its
table through :func:`readable`. Values stay numbers (so that a column still sorts) but are
rounded and put in the unit the heading names: a 0–1 share becomes a percentage, square metres
become hectares, a p-value keeps three decimals. Dates whose every time is midnight lose the
time (no ``00:00:00``); booleans read "Yes" / "No"; ``snake_case`` headings read as words;
codes read as their labels (:data:`VALUE_LABELS`: reasons, statuses).

Examples
--------
>>> t = pd.DataFrame({"n_incidents": [12], "share": [0.26371], "area_m2": [3362275.88]})
>>> readable(t).to_dict("records")
[{'Incidents': 12, 'Share (%)': 26.4, 'Area (ha)': 336.2}]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from hotspots.data.ingest.report import QUARANTINE_REASONS
from hotspots.store.records import REASON_LABELS, STATUS_LABELS, TIMES_OF_CONCERN

_Unit = tuple[str, Callable[[pd.Series], pd.Series], int]


def _same(values: pd.Series) -> pd.Series:
    return values


def _percent(values: pd.Series) -> pd.Series:
    return values * 100


def _hectares(values: pd.Series) -> pd.Series:
    return values / 1e4


UNITS: dict[str, _Unit] = {
    "area_m2": ("Area (ha)", _hectares, 1),
    "density_per_km2": ("Incidents per km²", _same, 0),
    "rate_per_1000": ("Per 1,000 residents", _same, 1),
    "lift": ("Lift (× an even spread)", _same, 1),
    "p_value": ("p-value", _same, 3),
    "q_value": ("q-value (FDR)", _same, 3),
    "lat": ("Latitude", _same, 5),
    "lon": ("Longitude", _same, 5),
    "nearest_feedback_m": ("Nearest feedback point (m)", _same, 0),
}
"""Column → (heading, conversion to that unit, decimals) where the name alone does not say
(see :func:`unit` for shares, metres and square metres)."""

NAMES: dict[str, str] = {
    "rank": "No.",
    "n_incidents": "Incidents",
    "incidents": "Incidents",
    "count": "Incidents",
    "n_locations": "Places (distinct points)",
    "top_category": "Top category",
    "crime_mix": "Crime mix",
    "top_locations": "Places",
    "first_month": "First month",
    "last_month": "Last month",
    "peak_weekday": "Peak day",
    "peak_hour": "Peak hour",
    "peak_note": "Peak based on",
    "trend_p": "Trend p-value",
    "feedback_id": "Feedback point",
    "walkabout_id": "Walkabout",
    "action_id": "Action",
    "time_of_concern": "Time of concern",
    "created_at": "Added",
    "owner_agency": "Owner agency",
    "due_date": "Due",
    "days_overdue": "Days overdue",
    "camera_id": "Camera",
    "block_hours": "Hours",
    "label": "Window",
}
"""Column → heading, where the words are not simply the column name's."""

QUARANTINE_LABELS: dict[str, str] = {
    "undecodable_text": "Unreadable text",
    "malformed_row": "Malformed row",
    "no_location": "No location",
    "invalid_coordinates": "Invalid coordinates",
    "not_a_point": "Not a point",
    "unparseable_date": "No readable date",
    "implausible_date": "Date in the future or before 1990",
    "end_before_start": "Ends before it starts",
    "outside_study_area": "Outside the study area",
    "duplicate_id": "Duplicate incident",
}
"""What each reason a row was set aside at loading reads (the codes and their meaning:
:data:`hotspots.data.ingest.report.QUARANTINE_REASONS`)."""

VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "reason": {**QUARANTINE_LABELS, **REASON_LABELS},
    "status": STATUS_LABELS,
    "status_from": STATUS_LABELS,
    "status_to": STATUS_LABELS,
    "time_of_concern": {t: t.capitalize() for t in TIMES_OF_CONCERN},
}
"""Columns of codes → what each code reads (walkabout reasons, reasons a row was set aside,
action statuses, times)."""

_REPORT_CODE = re.compile(
    r"^(\s+)(" + "|".join(map(re.escape, QUARANTINE_REASONS)) + r")(\s+)", re.M
)


def report_text(text: str) -> str:
    """A load report (:meth:`hotspots.data.ingest.LoadReport.summary`) with each reason code
    read as its label (``outside_study_area`` → "Outside the study area"), columns kept
    aligned where the label allows.

    Examples
    --------
    >>> report_text("  rows quarantined  3\n    outside_study_area  3  (the point ...)")
    '  rows quarantined  3\n    Outside the study area  3  (the point ...)'
    """

    def label(match: re.Match[str]) -> str:
        lead, code, gap = match.groups()
        words = QUARANTINE_LABELS.get(code, code)
        return lead + words + " " * max(2, len(code) + len(gap) - len(words))

    return _REPORT_CODE.sub(label, text)


_DECIMALS_OTHERWISE = 1
"""Decimals of any other non-integer number."""

COUNTS: frozenset[str] = frozenset({"incidents", "n_incidents", "count", "incidents_in_view"})
"""Columns of incidents counted: shown as whole numbers. An incident with a from–to window
counts in part in each hour of it, so a peak window may hold 11.73: a meeting reads "12"."""


def unit(column: str) -> _Unit | None:
    """The heading, conversion and decimals of ``column`` when it carries a unit.

    :data:`UNITS` first; then by name: a ``share`` (0–1) becomes a percentage, ``…_m2``
    hectares, ``…_m`` metres, ``…_km`` kilometres.

    Examples
    --------
    >>> unit("share_covered")[0], unit("view_m")[0]
    ('Share covered (%)', 'View (m)')
    """
    if column in UNITS:
        return UNITS[column]
    words = _words(column)
    if column == "share" or column.startswith("share_") or column.endswith("_share"):
        return f"{words} (%)", _percent, 1
    if column.endswith("_m2"):
        return f"{_words(column.removesuffix('_m2'))} (ha)", _hectares, 1
    if column.endswith("_m"):
        return f"{_words(column.removesuffix('_m'))} (m)", _same, 0
    if column.endswith("_km"):
        return f"{_words(column.removesuffix('_km'))} (km)", _same, 1
    return None


def _words(column: str) -> str:
    words = str(column).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def with_labels(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the codes of :data:`VALUE_LABELS` columns replaced by their labels
    (``poor_lighting`` → "Poor lighting"); an unknown code stays as it is.

    Examples
    --------
    >>> with_labels(pd.DataFrame({"reason": ["no_cctv"], "status": ["in_progress"]}))
    ... # doctest: +NORMALIZE_WHITESPACE
        reason       status
    0  No CCTV  In progress
    """
    present = [c for c in VALUE_LABELS if c in table.columns]
    if not present:
        return table
    out = table.copy()
    for column in present:
        labels = VALUE_LABELS[column]
        out[column] = out[column].map(lambda v, d=labels: d.get(v, v) if pd.notna(v) else v)
    return out


def heading(column: str) -> str:
    """The heading of ``column``: :data:`UNITS`, :data:`NAMES`, else its words capitalised.

    Examples
    --------
    >>> heading("sensitive_within"), heading("area_m2"), heading("vs last year")
    ('Sensitive within', 'Area (ha)', 'vs last year')
    """
    if column in NAMES:
        return NAMES[column]
    if not (column.isidentifier() and column == column.lower()):
        return column  # already words
    found = unit(column)
    return found[0] if found else _words(column)


def readable(table: pd.DataFrame, *, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``table`` as shown: plain headings, numbers rounded in their unit, dates without time.

    Parameters
    ----------
    table
        Any table (its index is dropped; geometry columns are left out).
    names
        Headings that override :func:`heading` for this table (column → heading).

    Returns
    -------
    DataFrame
        Same rows and column order; a whole-number float column becomes integers (missing
        values kept), other floats are rounded (:data:`UNITS`, else 1 decimal).
    """
    names = dict(names or {})
    table = with_labels(table)
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        values = table[column].reset_index(drop=True)
        if getattr(values.dtype, "name", "") == "geometry":
            continue
        key = str(column)
        title = names.get(key) or heading(key)
        if title in out:  # two columns read alike: keep both, the second by its own words
            title = _words(key)
        out[title] = _values(key, values)
    return pd.DataFrame(out)


def _values(column: str, values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "Yes", False: "No"})
    if pd.api.types.is_datetime64_any_dtype(values):
        return _dates(values)
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.astype(str)
    if not pd.api.types.is_numeric_dtype(values):
        return values
    found = unit(column)
    if found is None and pd.api.types.is_integer_dtype(values):
        return values
    if column in COUNTS:
        return values.astype(float).round().astype("Int64")
    _, convert, decimals = found or ("", _same, _DECIMALS_OTHERWISE)
    number = convert(values.astype(float))
    if found:
        return number.round(decimals)
    finite = number[np.isfinite(number)]
    if len(finite) and (finite == finite.round()).all():
        return number.round().astype("Int64")
    return number.round(decimals)


def _dates(values: pd.Series) -> pd.Series:
    """Dates alone when every time is midnight, else date and time to the minute."""
    known = values.dropna()
    if (known == known.dt.normalize()).all():
        return values.dt.date
    return values.dt.strftime("%Y-%m-%d %H:%M")


def meeting_style(table: pd.DataFrame) -> Styler:
    """``table`` (from :func:`readable`) as a static table shows it: every number with thousands
    separated and its own decimals (at most 3), a missing value as "–", no index.

    Examples
    --------
    >>> t = pd.DataFrame({"Incidents": [1200, None], "Share (%)": [3.5, 12.25],
    ...                   "Per 1,000": [23.7, "withheld"]})
    >>> print(meeting_style(t).to_string(delimiter=" | "))  # doctest: +NORMALIZE_WHITESPACE
    Incidents | Share (%) | Per 1,000
    1,200 | 3.50 | 23.7
    – | 12.25 | withheld
    """
    formats: dict[str, Any] = {}
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            formats[column] = f"{{:,.{_decimals_shown(values)}f}}"
        elif values.dtype == object:  # numbers beside words ("withheld"): the numbers alike
            numbers = values[values.map(_is_number)]
            if len(numbers):
                formats[column] = _number_or_text(_decimals_shown(numbers.astype(float)))
    return table.style.format(formats, na_rep="–").hide(axis="index")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _number_or_text(decimals: int) -> Callable[[object], str]:
    """A cell formatter: a number with ``decimals`` and thousands separated, text as it is."""

    def shown(value: object) -> str:
        return f"{value:,.{decimals}f}" if _is_number(value) else str(value)

    return shown


def _decimals_shown(values: pd.Series) -> int:
    """The fewest decimals (0 to 3) that show every finite value of ``values`` as it is."""
    finite = values.dropna().to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    for decimals in range(3):
        scaled = finite * 10**decimals
        if np.abs(scaled - np.round(scaled)).max(initial=0) < 1e-9:
            return decimals
    return 3
