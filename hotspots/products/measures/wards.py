"""The ward table "for the minutes": count, rate per 1,000 residents and changes per ward.

Every count goes through the disclosure gate (:func:`hotspots.core.disclosure.gate`): a ward's
count in a period is withheld when it holds a group of fewer than 5 sensitive incidents, with
everything computed from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.data.coverage import Coverage
from hotspots.data.schema import check_incidents
from hotspots.products.measures.periods import (
    COMPARED_WITH,
    COMPARISONS,
    PeriodBound,
    compare_all,
    counted_in,
    made,
    markers,
    periods_for,
    require,
    significance_words,
    withheld,
)
from hotspots.space.areas import area_rates

POPULATION_METHODS: dict[str, str] = {
    "area_weighted": "2011 Census residents of each LSOA shared among the wards it overlaps, "
    "in proportion to the overlapping area",
    "centroid": "2011 Census residents of each LSOA given whole to the ward holding its centroid",
}

_DERIVED = ("change", "pct", "p", "q")
_OUTSIDE = "\x00outside"


def ward_table(
    incidents: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    population: pd.DataFrame | None,
    *,
    current: Sequence[PeriodBound],
    previous: Sequence[PeriodBound] | None = None,
    last_year: bool = True,
    alpha: float = 0.05,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """Per ward: count in the current period, rate per 1,000 residents, and changes.

    Parameters
    ----------
    incidents
        Canonical incidents with ``ward_code`` filled (:func:`hotspots.space.areas.assign_areas`).
    wards
        Ward boundaries (``area_code``, ``area_name``); every ward gets a row, zero counts
        included.
    population
        From :func:`hotspots.space.areas.ward_population` (``area_code``, ``residents``); ``None``
        leaves the rate empty.
    current
        ``(first, last)`` inclusive, months or days (see :func:`comparison_periods`).
    previous
        The period to compare with; ``None``: the period of equal length just before.
    last_year
        Also compare with the same dates a year earlier (empty columns, with a note in
        ``attrs``, when the data do not reach back that far).
    alpha
        Significance level of the Benjamini–Hochberg q-values over the wards.

    coverage
        Months each source covers (:class:`hotspots.data.coverage.Coverage`): a previous
        period with no data moves to the nearest earlier covered one and ``attrs["notes"]``
        says so ("no data for Jun 2018: compared with May 2018"); last year without data is not
        compared, saying why. ``None``: the data's first to last
        month count as covered.

    Returns
    -------
    DataFrame
        One row per ward in ``wards`` order: ``area_code``, ``area_name``, ``count``,
        ``residents``, ``rate_per_1000``; for each comparison (suffix ``vs_previous``,
        ``vs_last_year``): the earlier count (``previous``, ``last_year``),
        ``change_…``, ``pct_…`` (NaN when the earlier count is 0), ``p_…``, ``q_…`` and the
        marker ``…`` (▲ significant rise, ▼ significant fall, blank) and the same in words,
        never blank, ``significance_…`` (``SIGNIFICANCE_WORDS``: "▲ Significantly
        higher", "○ No significant change", "· Too few to test", ...); ``suppressed`` (True
        when the disclosure gate withheld a count of the ward: it holds a group of fewer than
        5 sensitive incidents, :func:`hotspots.core.disclosure.gate`; the count and all
        computed from it are NaN). ``attrs``: periods, ``population_method``, ``vintage`` (of
        boundaries and residents, when known), ``outside_wards`` (None when withheld),
        ``compared`` (each comparison's name: whether it was made, even with every earlier
        count withheld), ``alpha``, ``test`` and ``notes``.

    Raises
    ------
    ValueError
        When the current or previous period lies outside the data.

    Examples
    --------
    >>> table = ward_table(incidents, wards, pop, current=("2022-01", "2022-01"))  # doctest: +SKIP
    >>> table.loc[table["vs_previous"] == "▲", "area_name"]  # doctest: +SKIP
    """
    check_incidents(incidents)
    require(wards, ("area_code", "area_name"), "wards", "hotspots.space.areas.read_boundaries")
    periods = periods_for(current, previous, coverage)
    incidents, period_note = counted_in(incidents, periods, coverage)
    compared = compare_all(
        incidents, periods, by="ward_code", last_year=last_year, alpha=alpha, coverage=coverage
    )
    codes = wards["area_code"].astype(str).to_numpy()
    out = pd.DataFrame({"area_code": codes, "area_name": wards["area_name"].to_numpy()})
    first = compared["previous"]
    out["count"] = first["current"].reindex(codes, fill_value=0).to_numpy()
    if population is None:
        out["residents"] = np.nan
        out["rate_per_1000"] = np.nan
        method = "no population figures"
    else:
        rates = area_rates(out[["area_code", "count"]], population, per=1000)
        out["residents"] = rates["residents"].to_numpy()
        out["rate_per_1000"] = rates["rate"].to_numpy()
        key = population.attrs.get("method")
        if key is None and "method" in population.columns and len(population):
            key = population["method"].iloc[0]
        method = POPULATION_METHODS.get(str(key), str(key))
    notes = [*periods.notes, *period_note]
    was_made = {}
    for name, suffix in COMPARISONS.items():
        table = made(compared, name)
        was_made[name] = table is not None
        if table is None:
            notes.append(f"no {COMPARED_WITH[name]}: {compared['notes'].get(name, 'not asked')}")
        _comparison_columns(out, table, codes, before=name, suffix=suffix)
    hidden = withheld(
        incidents,
        periods,
        incidents["ward_code"].astype("string").fillna(_OUTSIDE),
        ["current", *(n for n in COMPARISONS if compared.get(n) is not None)],
    )
    _withhold(out, hidden)
    _significance(out, was_made, alpha=alpha)
    outside = first["current"].drop(codes, errors="ignore").sum()
    if hidden["current"].get(_OUTSIDE, False):
        outside = np.nan
    out.attrs.update(
        current_period=periods.label(),
        previous_period=periods.label("previous"),
        last_year_period=periods.label("last_year") if last_year else None,
        population_method=method,
        vintage=None if population is None else population.attrs.get("vintage"),
        per=1000,
        outside_wards=None if np.isnan(outside) else int(outside),
        compared=was_made,
        alpha=alpha,
        test=first.attrs["test"],
        notes=notes,
    )
    return out


def _comparison_columns(
    out: pd.DataFrame, table: pd.DataFrame | None, codes: np.ndarray, *, before: str, suffix: str
) -> None:
    """Add the earlier count, change, % change, p, q and marker of one comparison to ``out``."""
    if table is None:
        for col in (before, f"change_{suffix}", f"pct_{suffix}", f"p_{suffix}", f"q_{suffix}"):
            out[col] = np.nan
        out[suffix] = ""
        return
    got = table.reindex(codes)
    earlier = got["previous"].fillna(0).to_numpy(dtype=np.int64)
    now = out["count"].to_numpy(dtype=np.int64)
    out[before] = earlier
    out[f"change_{suffix}"] = now - earlier
    out[f"pct_{suffix}"] = got["pct_change"].to_numpy(dtype=float)
    # A ward with no incident in either period was not tested: p = q = 1.
    out[f"p_{suffix}"] = got["p_value"].fillna(1.0).to_numpy(dtype=float)
    out[f"q_{suffix}"] = got["q_value"].fillna(1.0).to_numpy(dtype=float)
    out[suffix] = markers(got["direction"].fillna("").to_numpy(dtype=object))


def _withhold(out: pd.DataFrame, hidden: dict[str, pd.Series]) -> None:
    """Blank the counts the gate withheld, with what derives from them (in place)."""
    derived = {
        "current": (
            "count",
            ["rate_per_1000", *(f"{k}_{s}" for s in COMPARISONS.values() for k in _DERIVED)],
        ),
        "previous": ("previous", [f"{k}_vs_previous" for k in _DERIVED]),
        "last_year": ("last_year", [f"{k}_vs_last_year" for k in _DERIVED]),
    }
    codes = out["area_code"].astype(str).to_numpy()
    any_hidden = np.zeros(len(out), dtype=bool)
    for name, gate in hidden.items():
        column, dependents = derived[name]
        hide = gate.reindex(codes, fill_value=False).to_numpy(bool)
        if not hide.any():
            continue
        out[column] = np.where(hide, np.nan, out[column].to_numpy(dtype=float))
        out.loc[hide, dependents] = np.nan
        any_hidden |= hide
    for suffix in COMPARISONS.values():
        out.loc[out[f"change_{suffix}"].isna(), suffix] = ""
    out["suppressed"] = any_hidden


def _significance(out: pd.DataFrame, compared: dict[str, bool], *, alpha: float) -> None:
    """Add ``significance_vs_…``: the comparison's marker in words, never blank (in place)."""
    for before, suffix in COMPARISONS.items():
        out[f"significance_{suffix}"] = significance_words(
            out[suffix].to_numpy(),
            out["count"].to_numpy(dtype=float),
            out[before].to_numpy(dtype=float),
            alpha=alpha,
            compared=compared[before],
        )
