"""What the Areas & measures view shows, from :mod:`hotspots.products.measures`: the ward table,
headline measures and "what changed" of a selection, ward outlines for a choropleth and its
classes, the months to choose from, and a survey read from a file.

Examples
--------
>>> result = area_measures(incidents, wards, periods=default_periods(incidents))  # doctest: +SKIP
>>> outlines = simplified_wards(wards)  # doctest: +SKIP
>>> shaded = ward_choropleth(outlines, result.wards, "change_vs_previous")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.core.crs import to_crs
from hotspots.core.disclosure import MIN_COUNT
from hotspots.data.coverage import Coverage
from hotspots.data.schema import BNG, WGS84
from hotspots.products import measures
from hotspots.products.measures.periods import counted_sources, left_out_note, periods_for

DIVERGING: tuple[str, ...] = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")
"""Colours of a change map, from the largest fall (blue) to the largest rise (red)."""

SIMPLIFY_M = 20.0
"""Tolerance of the simplified ward outlines, metres."""


@dataclass(frozen=True)
class AreaMeasures:
    """The tables of one selection and period: ward table, headline measures, what changed."""

    wards: pd.DataFrame
    headline: pd.DataFrame
    changes: pd.DataFrame


@dataclass(frozen=True)
class WardChoropleth:
    """Ward outlines joined to one column of the ward table, and how to colour them.

    ``table`` holds the outlines (EPSG:4326) with every column of the ward table; ``value``
    names the column to colour by; ``options`` are keyword arguments for
    :func:`hotspots.views.maps.ward_layer` (``colormap``, ``breaks`` and ``no_data_label`` for
    a change map); ``tooltip`` lists more columns for the tooltip; ``has_values`` is False
    when the column is empty (no population figures, no comparison).
    """

    table: gpd.GeoDataFrame
    options: dict
    has_values: bool
    value: str = ""
    tooltip: tuple[str, ...] = ("count", "previous")


NOT_SIGNIFICANT_LABEL = "grey: no significant change (or no figure)"
"""What a change map's legend calls the wards it does not colour."""


def area_measures(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    periods: measures.Periods,
    population: pd.DataFrame | None = None,
    chosen_wards: Sequence[str] = (),
    coverage: Coverage | None = None,
) -> AreaMeasures:
    """Ward table, headline measures and "what changed" of ``incidents`` in ``periods``.

    Parameters
    ----------
    incidents
        The selection with every filter except the months (the comparisons reach outside
        the selected months).
    wards
        Every ward of the area (``area_code``, ``area_name``).
    periods
        Current period and its comparisons.
    population
        Residents per ward, for rates (:func:`hotspots.space.areas.ward_population`).
    chosen_wards
        Ward codes the selection is limited to: the ward table lists only these (the other
        wards' zeros say nothing); empty: every ward.
    coverage
        Months each source covers (:class:`hotspots.data.coverage.Coverage`): comparisons skip
        months without data and say so in ``attrs["notes"]``.
    """
    listed = wards[wards["area_code"].isin(list(chosen_wards))] if chosen_wards else wards
    return AreaMeasures(
        wards=measures.ward_table(
            incidents,
            listed,
            population,
            current=periods.current,
            previous=periods.previous,
            coverage=coverage,
        ),
        headline=measures.headline_measures(
            incidents, current=periods.current, previous=periods.previous, coverage=coverage
        ),
        changes=measures.what_changed(incidents, periods=periods, wards=wards, coverage=coverage),
    )


def sentence(note: str) -> str:
    """``note`` as a sentence: a capital first and one full stop at the end (a note that is
    already a sentence does not get a second one)."""
    text = f"{note[0].upper()}{note[1:]}" if note else note
    return text if text.endswith((".", "?", "!")) else f"{text}."


def periods_used(periods: measures.Periods, coverage: Coverage | None) -> measures.Periods:
    """The periods the figures of :func:`area_measures` actually compare: ``periods`` with a
    previous period whose months have no data moved to the nearest earlier covered one
    (:func:`~hotspots.products.measures.periods.periods_for`); :attr:`Periods.notes` say why.
    ``ValueError`` when the current period itself has no data."""
    return periods_for(periods.current, periods.previous, coverage, reason=periods.reason)


def sources_note(periods: measures.Periods, coverage: Coverage | None) -> str | None:
    """Which sources the figures of :func:`periods_used` ``periods`` leave out, and why (like
    with like: :func:`~hotspots.products.measures.periods.left_out_note`); ``None`` when they
    count every source."""
    return None if coverage is None else left_out_note(periods, coverage)


def compares_last_year(periods: measures.Periods, coverage: Coverage | None) -> bool:
    """Whether the figures of :func:`periods_used` ``periods`` compare with last year (False
    when the same period last year is not covered: the notes say why)."""
    if coverage is None:
        return True
    return not coverage.missing(periods.last_year, counted_sources(periods, coverage))


def simplified_wards(
    wards: gpd.GeoDataFrame, *, working_crs: str | None = None, tolerance_m: float = SIMPLIFY_M
) -> gpd.GeoDataFrame:
    """``area_code``, ``area_name`` and outlines simplified by ``tolerance_m`` metres in the
    metric ``working_crs`` (default British National Grid), in EPSG:4326."""
    outlines = wards[["area_code", "area_name", "geometry"]]
    metric = to_crs(outlines, working_crs or BNG)
    simple = metric.simplify(tolerance_m, preserve_topology=True)
    return outlines.set_geometry(to_crs(simple, WGS84).to_numpy())


def month_choices(incidents: pd.DataFrame) -> list[pd.Period]:
    """The months holding incidents, newest first (the choice of a current month)."""
    return sorted(pd.PeriodIndex(incidents["month"], freq="M").unique(), reverse=True)


def changes_by_comparison(changes: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """The rows of :func:`~hotspots.products.measures.what_changed` per comparison, in its
    order: ``(compared_with, period label, rows)``."""
    return [
        (str(compared_with), str(rows["period"].iloc[0]), rows)
        for compared_with, rows in changes.groupby("compared_with", sort=False)
    ]


def change_classes(values: pd.Series) -> tuple[list[float], list[str]]:
    """Class upper bounds centred on zero for a change map, and their colours (blue = fall).

    The classes are ≤ −h, (−h, −1], (−1, 0], (0, h] and (h, m] where m is the largest absolute
    change (at least 2) and h = ⌈m / 2⌉ (at least 1); a bound equal to the one before it is
    dropped with its colour.
    """
    largest = max(float(values.abs().max()), 2.0)
    half = float(max(1, math.ceil(largest / 2)))
    bounds = {-half: DIVERGING[0]}
    bounds.setdefault(-1.0, DIVERGING[1])
    bounds.setdefault(0.0, DIVERGING[2])
    bounds.setdefault(half, DIVERGING[3])
    bounds.setdefault(largest, DIVERGING[4])
    return list(bounds), list(bounds.values())


def ward_choropleth(outlines: gpd.GeoDataFrame, table: pd.DataFrame, column: str) -> WardChoropleth:
    """The ward table's ``column`` on the ward outlines, classed for a map.

    A change column (``change_vs_…``) colours only the wards whose change is significant
    (▲/▼ of the ward table), on :func:`change_classes`, in the column ``significant_change_…``;
    every other ward is grey and the legend says so (:data:`NOT_SIGNIFICANT_LABEL`): a raw
    difference is never coloured as if it meant something. Any other column is on a
    yellow-to-red scale.
    """
    joined = outlines.merge(table.drop(columns=["area_name"]), on="area_code", how="left")
    values = pd.to_numeric(joined[column], errors="coerce")
    has_values = bool(values.notna().any())
    if not column.startswith("change_"):
        scale = {"colormap": "YlOrRd", "no_data_label": WITHHELD_OR_NONE_LABEL}
        return WardChoropleth(joined, scale, has_values, value=column)
    suffix = column.removeprefix("change_")
    significant = joined[suffix].isin([measures.RISE, measures.FALL])
    shown = f"significant_{column}"
    joined[shown] = values.where(significant)
    options: dict = {"colormap": "YlOrRd", "no_data_label": NOT_SIGNIFICANT_LABEL}
    if significant.any():
        breaks, colours = change_classes(joined[shown].dropna())
        options.update(breaks=breaks, colormap=colours)
    before = "previous" if suffix == "vs_previous" else "last_year"
    tooltip = ("count", before, column, f"significance_{suffix}")
    return WardChoropleth(joined, options, has_values, value=shown, tooltip=tooltip)


WITHHELD_CELL = "withheld"
"""What a ward table's cell reads when the disclosure gate withheld its count."""

WITHHELD_OR_NONE_LABEL = "withheld (a small sensitive count) or no figure"
"""The ward map's legend for a ward without a shown value (never "no data", which means no
source covers the month)."""


def ward_counts_shown(table: pd.DataFrame) -> dict[str, pd.Series]:
    """The ward table's ``count``, ``previous`` and ``last_year`` as shown: a count the
    disclosure gate withheld reads :data:`WITHHELD_CELL` (not a blank that reads as none)."""
    withheld = table["suppressed"].to_numpy(bool)
    out = {}
    for column in ("count", "previous", "last_year"):
        values = table[column].to_numpy(dtype=float)
        shown = [
            WITHHELD_CELL if gated and np.isnan(v) else (None if np.isnan(v) else int(v))
            for v, gated in zip(values, withheld, strict=True)
        ]
        out[column] = pd.Series(shown, index=table.index, dtype=object)
    return out


def mark_withheld(shown: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``shown`` (the ward table as displayed, row for row) with every blank cell of a ward
    the disclosure gate withheld reading :data:`WITHHELD_CELL`: its rate and changes as well
    as its counts, in the grid and the meeting-mode table alike (a blank reads as none, and
    "None" as zero)."""
    withheld = table["suppressed"].to_numpy(bool)
    out = shown.copy()
    for column in out.columns:
        values = out[column].astype(object)
        blank = values.isna().to_numpy(bool) & withheld
        if blank.any():
            values = values.where(~blank, WITHHELD_CELL)
        if (values == WITHHELD_CELL).any():  # a column of text: numbers and "withheld" mixed
            # would not convert to a table for the browser (Arrow: one type per column)
            out[column] = values.where(values.isna(), values.astype(str))
    return out


def ward_notes(table: pd.DataFrame) -> list[str]:
    """What a reader of the ward table must know: the rate's method, the test, the notes of
    :func:`~hotspots.products.measures.ward_table`, incidents outside the wards, suppression."""
    attrs = table.attrs
    notes = [
        f"Rate per 1,000 residents: {attrs['population_method']}"
        + (f" ({attrs['vintage']})." if attrs.get("vintage") else "."),
        f"▲/▼: significant rise/fall ({attrs['test']}, q < {attrs['alpha']:g}).",
        *map(sentence, attrs["notes"]),
    ]
    if attrs["outside_wards"]:
        notes.append(f"{attrs['outside_wards']} incident(s) in the period lie outside the wards.")
    if table["suppressed"].any():
        notes.append(
            f"A ward holding 1 to {MIN_COUNT - 1} sensitive incidents (domestic abuse, sexual "
            "offences, stalking) of one source, type and month has its count, and everything "
            f"computed from it, shown as {WITHHELD_CELL!r}, whatever else it holds: no small "
            "number can be read or worked out from the others."
        )
    return notes


def read_survey(file: str | IO) -> pd.DataFrame:
    """:func:`~hotspots.products.measures.perception_of_safety` of a survey CSV (a path or an
    open file). Raises ``ValueError``, ``pandas.errors.ParserError`` or ``UnicodeDecodeError``
    for a file it cannot read."""
    return measures.perception_of_safety(pd.read_csv(file))
