"""What a JAG reads each month: ward table, CSP headline measures, and what changed.

Pure functions over canonical incidents (no Streamlit). Every comparison of two periods is
:func:`hotspots.analysis.temporal.compare_periods` — the exact conditional test for two Poisson
counts,
with Benjamini–Hochberg q-values when many groups are tested at once — so a rise is called
significant only when it is more than chance. Counts of sensitive incidents (domestic abuse,
sexual offences, stalking) go through :func:`hotspots.core.disclosure.suppress_small`.

Periods are ``(first, last)`` pairs, both inclusive, at the resolution written: months
(``("2022-01", "2022-01")``) or days (``("2022-01-04", "2022-01-31")``). police.uk records are
dated to the month only, so comparisons of data that include them use whole months;
:func:`default_periods` decides from ``time_precision``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from hotspots.analysis.temporal import compare_periods, monthly_series
from hotspots.analysis.temporal.series import count_period
from hotspots.core.disclosure import MIN_COUNT, suppress_small
from hotspots.data.coverage import Coverage
from hotspots.data.schema import check_incidents
from hotspots.space.areas import area_rates

PeriodBound = str | date | datetime | pd.Timestamp | pd.Period
Bounds = tuple[pd.Period, pd.Period]

RISE, FALL = "▲", "▼"
"""Markers of a significant rise and fall (blank: no significant change)."""

HEADLINE_MEASURES: dict[str, str] = {
    "Violent crime": "category 'Violence and sexual offences'",
    "Anti-social behaviour": "category 'Anti-social behaviour'",
    "Domestic abuse (flagged)": "crime type mentions 'domestic'; counts under 5 suppressed",
    "All crime (excluding ASB)": "every category except 'Anti-social behaviour'",
}
"""The CSP headline measures of :func:`headline_measures` and how each is counted."""

SENSITIVE_MEASURE = "Domestic abuse (flagged)"

POPULATION_METHODS: dict[str, str] = {
    "area_weighted": "2011 Census residents of each LSOA shared among the wards it overlaps, "
    "in proportion to the overlapping area",
    "centroid": "2011 Census residents of each LSOA given whole to the ward holding its centroid",
}

SURVEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("area", "ward", "ward name", "area name", "ward code", "area code"),
    "period": ("period", "quarter", "month", "year", "wave", "date"),
    "pct_safe": (
        "pct safe",
        "% feeling safe",
        "% safe",
        "percent safe",
        "pct feeling safe",
        "percent feeling safe",
        "feeling safe %",
    ),
    "respondents": ("respondents", "n", "base", "sample size", "responses"),
}
"""Columns a perception-of-safety survey table needs, and the headers accepted for each
(case, spaces and underscores ignored)."""

_NONE = "(none)"
_SEP = "\x1f"
_DOMESTIC = re.compile(r"domestic", re.IGNORECASE)
_SHORT_NAMES = {"Anti-social behaviour": "ASB"}
_COMPARISONS = {"previous": "vs_previous", "last_year": "vs_last_year"}
_COMPARED_WITH = {"previous": "previous period", "last_year": "same period last year"}
_DERIVED = ("change", "pct", "p", "q")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Periods:
    """The current period and the two it is compared with.

    Attributes
    ----------
    current, previous, last_year
        ``(first, last)`` :class:`pandas.Period` pairs, both inclusive (months or days).
        ``previous`` is the period of equal length just before ``current``; ``last_year`` the
        same dates a year earlier.
    reason
        Why these periods (shown to the user).
    """

    current: Bounds
    previous: Bounds
    last_year: Bounds
    reason: str
    notes: tuple[str, ...] = ()
    """Words for comparisons that fell back to another covered period, or cannot be made."""

    def label(self, which: str = "current") -> str:
        """``"Jan 2022"``, ``"Oct–Dec 2021"`` or ``"4 Jan 2022–31 Jan 2022"``."""
        return period_label(getattr(self, which))


def period_label(bounds: Bounds) -> str:
    """Readable label of ``(first, last)`` periods, e.g. ``"Jan 2022"``.

    Examples
    --------
    >>> period_label((pd.Period("2021-10"), pd.Period("2021-12")))
    'Oct–Dec 2021'
    """
    first, last = bounds
    if first.freqstr.startswith("M"):
        if first == last:
            return first.strftime("%b %Y")
        same_year = first.year == last.year
        return f"{first.strftime('%b' if same_year else '%b %Y')}–{last.strftime('%b %Y')}"
    day = "{0.day} {1}"
    start = day.format(first, first.strftime("%b %Y"))
    return start if first == last else f"{start}–{day.format(last, last.strftime('%b %Y'))}"


def comparison_periods(current: Sequence[PeriodBound], *, reason: str = "chosen") -> Periods:
    """``current`` with the period just before it and the same period a year earlier.

    Parameters
    ----------
    current
        ``(first, last)``, both inclusive: months ``("2022-01", "2022-01")`` or days
        ``("2022-01-04", "2022-01-31")``, strings, dates or :class:`pandas.Period`.
    reason
        Stored in :attr:`Periods.reason`.

    Returns
    -------
    Periods

    Examples
    --------
    >>> p = comparison_periods(("2022-01", "2022-01"))
    >>> p.label("previous"), p.label("last_year")
    ('Dec 2021', 'Jan 2021')
    """
    first, last = _pair(current, "current")
    n = last.ordinal - first.ordinal + 1
    return Periods(
        current=(first, last),
        previous=(first - n, last - n),
        last_year=(_year_before(first), _year_before(last)),
        reason=reason,
    )


def default_periods(incidents: pd.DataFrame, *, days: int = 28) -> Periods:
    """The periods a JAG compares by default, decided from ``time_precision``.

    When any incident is dated to the month only (police.uk), the current period is the
    latest month those incidents cover (police.uk publishes whole months). When every incident
    has a date, it is the last ``days`` days up to and including the latest date in the data.

    Parameters
    ----------
    incidents
        Canonical incidents (the selection shown).
    days
        Length of the current period for dated data.

    Returns
    -------
    Periods
        With the reason for the choice, for the page to show.

    Examples
    --------
    >>> default_periods(policeuk_incidents).label()  # doctest: +SKIP
    'Jan 2022'
    """
    _require(incidents, ("month", "occurred_from", "time_precision"))
    if len(incidents) == 0:
        raise ValueError("there are no incidents to compare: widen the selection")
    if days < 1:
        raise ValueError(f"days must be a positive number of days, got {days}")
    month_only = _month_only(incidents)
    if month_only.any():
        month = pd.Period(incidents.loc[month_only, "month"].max(), freq="M")
        return comparison_periods(
            (month, month),
            reason=f"{int(month_only.sum()):,} incidents are dated to the month only "
            "(police.uk), so the current period is the latest month they cover",
        )
    end = pd.Period(incidents["occurred_from"].max(), freq="D")
    return comparison_periods(
        (end - (days - 1), end),
        reason=f"every incident has a date, so the current period is the last {days} days "
        "up to the latest date in the data",
    )


# --------------------------------------------------------------------------- ward table


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
        Months each source covers (:class:`hotspots.data.coverage.Coverage`): a comparison
        whose period has no data moves to the nearest covered one and ``attrs["notes"]`` says
        so ("no data for Jun 2018: compared with May 2018"). ``None``: the data's first to last
        month count as covered.

    Returns
    -------
    DataFrame
        One row per ward in ``wards`` order: ``area_code``, ``area_name``, ``count``,
        ``residents``, ``rate_per_1000``; for each comparison (suffix ``vs_previous``,
        ``vs_last_year``): the earlier count (``previous``, ``last_year``),
        ``change_…``, ``pct_…`` (NaN when the earlier count is 0), ``p_…``, ``q_…`` and the
        marker ``…`` (▲ significant rise, ▼ significant fall, blank); ``suppressed`` (True
        when counts of a selection of sensitive incidents only were hidden: under 5, plus
        one more when a single one would be recoverable from the total). ``attrs``:
        periods, ``population_method``, ``vintage`` (of boundaries and residents, when known),
        ``outside_wards``, ``alpha``, ``test`` and ``notes``.

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
    _require(wards, ("area_code", "area_name"), "wards", "hotspots.space.areas.read_boundaries")
    periods = _periods(current, previous, coverage)
    compared = _compare_all(
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
    notes = list(periods.notes)
    for name, suffix in _COMPARISONS.items():
        table = _made(compared, name)
        if table is None:
            notes.append(f"no {_COMPARED_WITH[name]}: {compared['notes'].get(name, 'not asked')}")
        _comparison_columns(out, table, codes, before=name, suffix=suffix)
    out["suppressed"] = False
    if len(incidents) and incidents["sensitive"].fillna(True).all():
        _suppress_wards(out)
    outside = first["current"].drop(codes, errors="ignore").sum()
    out.attrs.update(
        current_period=periods.label(),
        previous_period=periods.label("previous"),
        last_year_period=periods.label("last_year") if last_year else None,
        population_method=method,
        vintage=None if population is None else population.attrs.get("vintage"),
        per=1000,
        outside_wards=int(outside),
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
    out[suffix] = _markers(got["direction"].fillna("").to_numpy(dtype=object))


def _suppress_wards(out: pd.DataFrame) -> None:
    """Hide small counts of a sensitive-only selection (in place), with what derives from them.

    Primary: counts 1..4. Secondary: when a column has exactly one primary cell, the smallest
    other non-zero count is hidden too, so the hidden one cannot be recovered from a total.
    """
    derived = {
        "count": ["rate_per_1000", *(f"{k}_{s}" for s in _COMPARISONS.values() for k in _DERIVED)],
        "previous": [f"{k}_vs_previous" for k in _DERIVED],
        "last_year": [f"{k}_vs_last_year" for k in _DERIVED],
    }
    hidden = np.zeros(len(out), dtype=bool)
    for column, dependents in derived.items():
        values = out[column].to_numpy(dtype=float)
        small = (values > 0) & (values < MIN_COUNT)
        if small.sum() == 1:
            others = np.where(~small & (values > 0), values, np.inf)
            if np.isfinite(others.min()):
                small[np.argmin(others)] = True
        out[column] = np.where(small, np.nan, values)
        out.loc[small, dependents] = np.nan
        hidden |= small
    for suffix in _COMPARISONS.values():
        out.loc[out[f"change_{suffix}"].isna(), suffix] = ""
    out["suppressed"] = hidden


# --------------------------------------------------------------------------- headline measures


def headline_measures(
    incidents: pd.DataFrame,
    *,
    current: Sequence[PeriodBound],
    previous: Sequence[PeriodBound] | None = None,
    last_year: bool = True,
    alpha: float = 0.05,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """The CSP headline measures in the current period, against the previous and last year.

    Measures (:data:`HEADLINE_MEASURES`): violent crime, anti-social behaviour,
    domestic-abuse-flagged incidents and all crime excluding ASB. The domestic-abuse measure is
    an aggregate only; its counts under 5 are suppressed
    (:func:`hotspots.core.disclosure.suppress_small`)
    and so is every change computed from a suppressed count.

    Parameters
    ----------
    incidents
        Canonical incidents (the selection).
    current, previous, last_year, alpha, coverage
        As in :func:`ward_table`; q-values are over the four measures of one comparison.

    Returns
    -------
    DataFrame
        Index ``measure`` in :data:`HEADLINE_MEASURES` order: ``definition``, ``current``,
        ``previous``, ``last_year`` (counts; NaN when suppressed or not in the data), their
        display strings ``current_shown``, ``previous_shown``, ``last_year_shown``, and per
        comparison (``vs_previous``, ``vs_last_year``) ``change_…``, ``pct_…``, ``p_…``,
        ``q_…``, ``significant_…`` and the marker ``…``. ``attrs``: periods, ``test`` and
        ``notes``.

    Examples
    --------
    >>> headline_measures(incidents, current=("2022-01", "2022-01"))  # doctest: +SKIP
    """
    check_incidents(incidents)
    periods = _periods(current, previous, coverage)
    masks = _measure_masks(incidents)
    rows = np.concatenate([np.flatnonzero(m) for m in masks.values()])
    labels = np.repeat(list(masks), [int(m.sum()) for m in masks.values()])
    long = pd.DataFrame(
        {
            "month": incidents["month"].to_numpy()[rows],
            "occurred_from": incidents["occurred_from"].to_numpy()[rows],
            "time_precision": incidents["time_precision"].to_numpy()[rows],
            "measure": labels,
        }
    )
    compared = _compare_all(
        long, periods, by="measure", last_year=last_year, alpha=alpha, coverage=coverage
    )
    names = list(HEADLINE_MEASURES)
    out = pd.DataFrame({"definition": list(HEADLINE_MEASURES.values())}, index=names)
    out.index.name = "measure"
    out["current"] = compared["previous"]["current"].reindex(names, fill_value=0).astype(float)
    notes = list(periods.notes)
    for name, suffix in _COMPARISONS.items():
        table = _made(compared, name)
        if table is None:
            notes.append(f"no {_COMPARED_WITH[name]}: {compared['notes'].get(name, 'not asked')}")
            out[name] = np.nan
            for col in ("change", "pct", "p", "q"):
                out[f"{col}_{suffix}"] = np.nan
            out[f"significant_{suffix}"] = False
            out[suffix] = ""
            continue
        got = table.reindex(names)
        out[name] = got["previous"].fillna(0).to_numpy(dtype=float)
        out[f"change_{suffix}"] = out["current"] - out[name]
        out[f"pct_{suffix}"] = got["pct_change"].to_numpy(dtype=float)
        out[f"p_{suffix}"] = got["p_value"].fillna(1.0).to_numpy(dtype=float)
        out[f"q_{suffix}"] = got["q_value"].fillna(1.0).to_numpy(dtype=float)
        out[f"significant_{suffix}"] = got["significant"].fillna(False).to_numpy(dtype=bool)
        out[suffix] = _markers(got["direction"].fillna("").to_numpy(dtype=object))
    for col in ("current", "previous", "last_year"):
        shown = out[col].round().astype("Int64").astype("string")
        shown[SENSITIVE_MEASURE] = suppress_small(out.loc[[SENSITIVE_MEASURE], col]).iloc[0]
        out[f"{col}_shown"] = shown.fillna("n/a")
    _suppress_measure(out, SENSITIVE_MEASURE)
    out.attrs.update(
        current_period=periods.label(),
        previous_period=periods.label("previous"),
        last_year_period=periods.label("last_year") if last_year else None,
        test=compared["previous"].attrs["test"] + "; q-values over the four measures",
        alpha=alpha,
        notes=notes,
    )
    return out


def _measure_masks(incidents: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which incidents count towards each headline measure."""
    category = incidents["category"].astype("string")
    is_asb = (category == "Anti-social behaviour").fillna(False).to_numpy(bool)
    domestic = incidents["crime_type"].astype("string").str.contains(_DOMESTIC)
    masks = {
        "Violent crime": (category == "Violence and sexual offences").fillna(False).to_numpy(bool),
        "Anti-social behaviour": is_asb,
        SENSITIVE_MEASURE: domestic.fillna(False).to_numpy(bool),
        "All crime (excluding ASB)": ~is_asb,
    }
    return {name: masks[name] for name in HEADLINE_MEASURES}


def _suppress_measure(out: pd.DataFrame, measure: str) -> None:
    """Blank a measure's counts under 5 and every change computed from one (in place)."""
    small = {col: bool(0 < out.at[measure, col] < MIN_COUNT) for col in ("current", *_COMPARISONS)}
    for name, suffix in _COMPARISONS.items():
        if small["current"] or small[name]:
            for col in ("change", "pct", "p", "q"):
                out.at[measure, f"{col}_{suffix}"] = np.nan
            out.at[measure, f"significant_{suffix}"] = False
            out.at[measure, suffix] = ""
    for col, hide in small.items():
        if hide:
            out.at[measure, col] = np.nan


# --------------------------------------------------------------------------- what changed


def what_changed(
    incidents: pd.DataFrame,
    *,
    by: Sequence[str] = ("category", "ward_code"),
    periods: Periods | None = None,
    wards: pd.DataFrame | None = None,
    top: int = 5,
    alpha: float = 0.05,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """ "What changed since last JAG": the biggest changes, significant ones first.

    Each group (every combination of the ``by`` columns seen in the data) is compared between
    the current period and the previous one, and between the current period and the same
    period last year (:func:`hotspots.analysis.temporal.compare_periods`, Benjamini–Hochberg
    q-values
    over the groups of one comparison). Groups with no change are left out; groups made only
    of sensitive incidents with a count under 5 are left out too and counted in
    ``attrs["suppressed"]``.

    Parameters
    ----------
    incidents
        Canonical incidents (the selection).
    by
        Columns to group by (``category``, ``ward_code``, ``crime_type`` …).
    periods
        The periods to compare; ``None``: :func:`default_periods` (the last 28 days, or the
        latest month for month-only police.uk data).
    wards
        Ward names (``area_code``, ``area_name``) for the wording; codes are used without.
    top
        Rows kept per comparison.
    alpha
        Significance level of the q-values.
    coverage
        As in :func:`ward_table`.

    Returns
    -------
    DataFrame
        Ranked rows: ``compared_with`` ("previous period" / "same period last year"),
        ``period`` (its label), the ``by`` columns (and ``ward_name``), ``current``,
        ``before``, ``change``, ``pct_change``, ``p_value``, ``q_value``, ``significant``,
        ``rank`` and ``text`` ("ASB in Adeyfield East up 45 % (31 → 45) vs Dec 2021,
        significant"). Sorted by comparison, then significant first, then by the size of the
        change. ``attrs``: ``current_period``, ``reason``, ``groups`` (tested),
        ``suppressed``, ``notes``, ``test``.

    Examples
    --------
    >>> what_changed(incidents, wards=wards, top=5)["text"].tolist()  # doctest: +SKIP
    """
    check_incidents(incidents)
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ValueError("by needs at least one column, e.g. ('category', 'ward_code')")
    _require(incidents, (*by, "sensitive"))
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    periods = periods or default_periods(incidents)
    if coverage is not None:
        periods = _periods(periods.current, None, coverage, reason=periods.reason)
    parts = [incidents[c].astype("string").fillna(_NONE) for c in by]
    key = parts[0].str.cat(parts[1:], sep=_SEP) if len(parts) > 1 else parts[0]
    frame = pd.DataFrame(
        {
            "month": incidents["month"].to_numpy(),
            "occurred_from": incidents["occurred_from"].to_numpy(),
            "time_precision": incidents["time_precision"].to_numpy(),
            "group": key.to_numpy(dtype=object),
            "sensitive": incidents["sensitive"].fillna(True).to_numpy(bool),
        }
    )
    compared = _compare_all(
        frame, periods, by="group", last_year=True, alpha=alpha, coverage=coverage
    )
    sensitive_only = frame.groupby("group")["sensitive"].all()
    names = {} if wards is None else dict(zip(wards["area_code"], wards["area_name"], strict=True))
    tables, suppressed = [], 0
    for name in _COMPARISONS:
        table = _made(compared, name)
        if table is None:
            continue
        table = table[table["change"] != 0]
        small = (table[["current", "previous"]] > 0) & (table[["current", "previous"]] < MIN_COUNT)
        hide = small.any(axis=1) & sensitive_only.reindex(table.index).to_numpy()
        suppressed += int(hide.sum())
        table = table[~hide.to_numpy()]
        order = np.lexsort(
            (table.index.to_numpy(dtype=str), -table["change"].abs(), ~table["significant"])
        )
        table = table.iloc[order[:top]]
        if len(table):
            tables.append(_changes(table, by, names, compared_with=name, periods=periods))
    columns = [
        "compared_with", "period", *by, *(["ward_name"] if "ward_code" in by else []),
        "current", "before", "change", "pct_change", "p_value", "q_value", "significant",
        "rank", "text",
    ]  # fmt: skip
    out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    out = out[columns]
    out.attrs.update(
        current_period=periods.label(),
        reason=periods.reason,
        groups=len(compared["previous"]),
        suppressed=suppressed,
        notes=[
            *periods.notes,
            *(f"no {_COMPARED_WITH[k]}: {v}" for k, v in compared["notes"].items()),
        ],
        test=compared["previous"].attrs["test"],
        alpha=alpha,
    )
    return out


def _changes(
    table: pd.DataFrame,
    by: list[str],
    names: Mapping[str, str],
    *,
    compared_with: str,
    periods: Periods,
) -> pd.DataFrame:
    """One comparison's kept rows (at most ``top``), with their group columns and wording."""
    period = periods.label(compared_with)
    keys = [str(key).split(_SEP) for key in table.index]
    out = pd.DataFrame(keys, columns=by)
    if "ward_code" in by:
        out["ward_name"] = [names.get(code, code) for code in out["ward_code"]]
    rows = zip(keys, table["previous"], table["current"], table["pct_change"], strict=True)
    texts = []
    for values, before, now, pct in rows:
        labels = dict(zip(by, values, strict=True))
        what = ", ".join(
            "unrecorded" if v == _NONE else _SHORT_NAMES.get(v, v)
            for c, v in labels.items()
            if c != "ward_code"
        )
        ward = labels.get("ward_code")
        place = "" if ward is None else " in " + names.get(ward, ward)
        if ward == _NONE:
            place = " outside the wards"
        amount = (
            "up from 0" if before == 0 else f"{'up' if now > before else 'down'} {abs(pct):.0f} %"
        )
        texts.append(f"{what or 'Incidents'}{place} {amount} ({before} → {now}) vs {period}")
    significant = table["significant"].to_numpy(dtype=bool)
    out.insert(0, "period", period)
    out.insert(0, "compared_with", _COMPARED_WITH[compared_with])
    out["current"] = table["current"].to_numpy()
    out["before"] = table["previous"].to_numpy()
    out["change"] = table["change"].to_numpy()
    out["pct_change"] = table["pct_change"].to_numpy()
    out["p_value"] = table["p_value"].to_numpy()
    out["q_value"] = table["q_value"].to_numpy()
    out["significant"] = significant
    out["rank"] = np.arange(1, len(table) + 1)
    out["text"] = [
        t + (", significant" if sig else ", not significant")
        for t, sig in zip(texts, significant, strict=True)
    ]
    return out


# --------------------------------------------------------------------------- comparisons


def _periods(
    current: Sequence[PeriodBound],
    previous: Sequence[PeriodBound] | None,
    coverage: Coverage | None = None,
    *,
    reason: str = "chosen",
) -> Periods:
    periods = comparison_periods(current, reason=reason)
    if previous is not None:
        periods = replace(periods, previous=_pair(previous, "previous"))
    if coverage is None:
        return periods
    # A month with no data is not a zero: compare with the nearest covered period and say so.
    notes = []
    prev, note = coverage.comparable(periods.current, kind="previous", wanted=periods.previous)
    if prev is None and coverage.missing(periods.current):
        raise ValueError(f"cannot show {periods.label()}: {note}")
    notes += [note] if note and prev is not None else []  # else _compare_all says why
    year, note = coverage.comparable(periods.current, kind="last_year")
    notes += [note] if note and year is not None else []  # else _compare_all says why
    return replace(
        periods, previous=prev or periods.previous, last_year=year or periods.last_year,
        notes=tuple(notes),
    )  # fmt: skip


def _compare_all(
    frame: pd.DataFrame,
    periods: Periods,
    *,
    by: str,
    last_year: bool,
    alpha: float,
    coverage: Coverage | None = None,
) -> dict:
    """compare_periods against the previous period (required) and last year (when in the data).

    Returns ``{"previous": table, "last_year": table or absent, "notes": {name: why absent}}``.
    """
    covered = _coverage(frame)
    out: dict = {"notes": {}}
    wanted = {
        "previous": periods.previous,
        **({"last_year": periods.last_year} if last_year else {}),
    }
    for name, bounds in wanted.items():
        if coverage is not None and coverage.missing(bounds, coverage.sources_of(periods.current)):
            why = coverage.comparable(periods.current, kind=name, wanted=bounds)[1]
            out["notes"][name] = why
            if name == "previous":  # counts of the current period, no comparison
                out[name] = count_period(frame, current=periods.current, by=by, why=why or "")
            continue
        if covered is not None and not _inside(bounds, covered):
            why = f"{period_label(bounds)} is outside the data, which cover {period_label(covered)}"
            if name == "previous":
                raise ValueError(
                    f"cannot compare {periods.label()} with the previous period: {why}; choose "
                    "a later current period or widen the selection"
                )
            out["notes"][name] = why
            continue
        out[name] = compare_periods(
            frame, current=periods.current, previous=bounds, by=by, alpha=alpha
        )
    return out


def _made(compared: dict, name: str) -> pd.DataFrame | None:
    """The comparison table ``name``, or ``None`` when it was not made (its note says why)."""
    table = compared.get(name)
    return None if table is None or table.attrs.get("skipped") else table


def _coverage(frame: pd.DataFrame) -> Bounds | None:
    """First and last month of the data (as compare_periods sees them)."""
    if len(frame) == 0:
        return None
    month = pd.to_datetime(frame["month"])
    return pd.Period(month.min(), freq="M"), pd.Period(month.max(), freq="M")


def _inside(bounds: Bounds, covered: Bounds) -> bool:
    start, stop = bounds[0].start_time, (bounds[1] + 1).start_time
    return covered[0].start_time <= start and stop <= (covered[1] + 1).start_time


def _markers(direction: np.ndarray) -> np.ndarray:
    return np.where(direction == "rise", RISE, np.where(direction == "fall", FALL, ""))


def _month_only(incidents: pd.DataFrame) -> np.ndarray:
    precision = incidents["time_precision"].astype("string").str.lower()
    return ((precision == "month").fillna(True) | incidents["occurred_from"].isna()).to_numpy(bool)


def _pair(period: Sequence[PeriodBound], name: str) -> Bounds:
    if isinstance(period, str | pd.Timestamp | pd.Period | date) or len(period) != 2:
        raise ValueError(f"{name} must be a (first, last) pair, e.g. ('2022-01', '2022-01')")
    first, last = (_as_period(value, name) for value in period)
    if first.freqstr != last.freqstr:
        raise ValueError(
            f"{name}: give both ends at the same resolution (two months or two days), "
            f"got {first} and {last}"
        )
    if last < first:
        raise ValueError(f"{name} ends before it starts: {first} to {last}")
    return first, last


def _as_period(value: PeriodBound, name: str) -> pd.Period:
    if isinstance(value, pd.Period):
        if not value.freqstr.startswith(("M", "D")):
            raise ValueError(f"{name}: use monthly or daily periods, got {value.freqstr}")
        return value
    if isinstance(value, str):
        try:
            period = pd.Period(value)
        except ValueError as err:
            raise ValueError(f"{name}: cannot read {value!r} as a month or a date") from err
        return period if period.freqstr.startswith(("M", "D")) else pd.Period(value, freq="D")
    return pd.Period(pd.Timestamp(value), freq="D")


def _year_before(period: pd.Period) -> pd.Period:
    return pd.Period(period.start_time - pd.DateOffset(years=1), freq=period.freq)


def _require(
    table: pd.DataFrame,
    columns: Sequence[str],
    what: str = "incidents",
    fix: str = "load them with hotspots.data.ingest",
) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lack column(s) {missing}; {fix}")


# --------------------------------------------------------------------------- the When page


def monthly_with_last_year(
    incidents: pd.DataFrame,
    *,
    start: PeriodBound | None = None,
    end: PeriodBound | None = None,
    coverage: tuple[PeriodBound, PeriodBound] | None = None,
) -> pd.DataFrame:
    """Incidents per month from ``start`` to ``end``, with the same months a year earlier.

    Parameters
    ----------
    incidents
        Canonical incidents (month-only police.uk records work: only ``month`` is used).
    start, end
        First and last month shown; default the months the data cover.
    coverage
        First and last month the data cover (a month inside it with no incident is a true
        zero; a month outside it is unknown). Default: the months of ``incidents``. Pass the
        whole selection's months when ``incidents`` is a small part of it.

    Returns
    -------
    DataFrame
        Index ``month``; ``incidents`` and ``a_year_earlier`` (NaN when that month lies outside
        ``coverage``).

    Examples
    --------
    >>> monthly_with_last_year(incidents, start="2021-07").tail(1)  # doctest: +SKIP
    """
    _require(incidents, ("month",))
    if coverage is None:
        if len(incidents) == 0:
            raise ValueError("there are no incidents: pass coverage=(first, last) months")
        coverage = (incidents["month"].min(), incidents["month"].max())
    first, last = (pd.Period(pd.Timestamp(v), freq="M") for v in coverage)
    months = pd.period_range(first, last, freq="M").to_timestamp()
    series = pd.Series(0, index=months, dtype=np.int64)
    if len(incidents):
        counted = monthly_series(incidents)["incidents"]
        outside = counted[(counted.index < months[0]) | (counted.index > months[-1])].sum()
        if outside:
            raise ValueError(
                f"{int(outside)} incident(s) fall outside coverage {period_label((first, last))}; "
                "widen coverage to the months of the data"
            )
        series = counted.reindex(months, fill_value=0)
    lo = pd.Period(pd.Timestamp(start), freq="M") if start is not None else first
    hi = pd.Period(pd.Timestamp(end), freq="M") if end is not None else last
    shown = pd.period_range(lo, hi, freq="M").to_timestamp()
    earlier = shown - pd.DateOffset(years=1)
    out = pd.DataFrame(
        {
            "incidents": series.reindex(shown).to_numpy(dtype=float),
            "a_year_earlier": series.reindex(earlier).to_numpy(dtype=float),
        },
        index=pd.DatetimeIndex(shown, name="month"),
    )
    return out


def time_of_day_coverage(incidents: pd.DataFrame) -> dict[str, float]:
    """How many incidents carry a time of day, and how many a window (``occurred_to``).

    Returns
    -------
    dict
        ``n``, ``with_time`` (``time_precision`` hour or minute with ``occurred_from``),
        ``with_window`` (of those, ``occurred_to`` after ``occurred_from``: spread over the
        window's hours by the aoristic method), ``share_with_time``, ``share_with_window``
        (0..1; 0 when there are no incidents).

    Examples
    --------
    >>> time_of_day_coverage(policeuk_incidents)["share_with_time"]  # doctest: +SKIP
    0.0
    """
    _require(incidents, ("time_precision", "occurred_from", "occurred_to"))
    precision = incidents["time_precision"].astype("string").str.lower()
    timed = (precision.isin(["hour", "minute"]) & incidents["occurred_from"].notna()).to_numpy()
    window = (incidents["occurred_to"] > incidents["occurred_from"]).fillna(False).to_numpy(bool)
    n = len(incidents)
    with_time, with_window = int(timed.sum()), int((timed & window).sum())
    return {
        "n": n,
        "with_time": with_time,
        "with_window": with_window,
        "share_with_time": with_time / n if n else 0.0,
        "share_with_window": with_window / n if n else 0.0,
    }


# --------------------------------------------------------------------------- survey


def perception_of_safety(survey: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Check and summarise a perception-of-safety survey table (% feeling safe by area).

    Parameters
    ----------
    survey
        One row per area and survey period with the columns of :data:`SURVEY_COLUMNS`:
        area (or ward), period (``2021-Q3``, ``2021-09``, a wave name …), % feeling safe
        (0–100) and respondents (a positive whole number). Header case, spaces and underscores
        are ignored.
    alpha
        Significance level for the change from the area's previous period.

    Returns
    -------
    DataFrame
        ``area``, ``period``, ``pct_safe``, ``respondents``, ``ci_low``, ``ci_high`` (95 %
        Wilson interval, %), ``previous_pct`` (the area's previous period), ``change_pts``,
        ``p_value`` (two-sided two-proportion z-test, pooled), ``significant``, marker
        ``change`` (▲ ▼ or blank) and ``caution`` (fewer than 50 respondents). Sorted by area
        and period (periods read as dates or quarters when they parse, else as written).
        ``attrs["columns"]`` records which input column filled each role.

    Raises
    ------
    ValueError
        Naming the expected columns when one is missing, and the rows with bad values.

    Examples
    --------
    >>> survey = pd.DataFrame({"Ward": ["Boxmoor", "Boxmoor"], "Period": ["2021-Q1", "2021-Q2"],
    ...                        "% feeling safe": [72, 80], "Respondents": [200, 210]})
    >>> perception_of_safety(survey)["change_pts"].tolist()
    [nan, 8.0]
    """
    if not isinstance(survey, pd.DataFrame):
        raise ValueError("survey must be a table (DataFrame), e.g. read with pandas.read_csv")
    roles = _survey_columns(survey)
    table = pd.DataFrame({role: survey[col].to_numpy() for role, col in roles.items()})
    table["area"] = table["area"].astype("string").str.strip()
    table["period"] = table["period"].astype("string").str.strip()
    pct = pd.to_numeric(table["pct_safe"], errors="coerce")
    n = pd.to_numeric(table["respondents"], errors="coerce")
    problems = {
        "area or period is empty": table["area"].isna() | table["period"].isna()
        | (table["area"] == "") | (table["period"] == ""),
        "% feeling safe is not a number from 0 to 100": ~pct.between(0, 100),
        "respondents is not a whole number above 0": ~((n > 0) & (n == n.round())),
    }  # fmt: skip
    for what, bad in problems.items():
        bad = bad.fillna(True).to_numpy(bool)
        if bad.any():
            rows = (np.flatnonzero(bad)[:5] + 2).tolist()  # +2: header line, 1-based
            raise ValueError(
                f"survey: {int(bad.sum())} row(s) where {what}, e.g. file lines {rows}; "
                f"expected columns {_expected_columns()}"
            )
    if table.duplicated(["area", "period"]).any():
        dup = table.loc[table.duplicated(["area", "period"]), ["area", "period"]].iloc[0]
        raise ValueError(
            f"survey: area {dup['area']!r} has two rows for period {dup['period']!r}; "
            "give one row per area and period"
        )
    table["pct_safe"] = pct.astype(float)
    table["respondents"] = n.astype(np.int64)
    table["_order"] = _period_order(table["period"])
    table = table.sort_values(["area", "_order"], kind="stable").reset_index(drop=True)
    share, size = table["pct_safe"].to_numpy() / 100, table["respondents"].to_numpy(dtype=float)
    low, high = _wilson(share, size)
    table["ci_low"], table["ci_high"] = 100 * low, 100 * high
    same_area = (table["area"] == table["area"].shift()).fillna(False).to_numpy(bool)
    prev_share = np.where(same_area, table["pct_safe"].shift().to_numpy(dtype=float) / 100, np.nan)
    prev_size = np.where(same_area, table["respondents"].shift().to_numpy(dtype=float), np.nan)
    table["previous_pct"] = 100 * prev_share
    table["change_pts"] = table["pct_safe"] - table["previous_pct"]
    table["p_value"] = _two_proportion_p(share, size, prev_share, prev_size)
    table["significant"] = (table["p_value"] < alpha).to_numpy()
    rising = (table["change_pts"] > 0).to_numpy()
    table["change"] = np.where(table["significant"], np.where(rising, RISE, FALL), "")
    table["caution"] = np.where(table["respondents"] < 50, "fewer than 50 respondents", "")
    table = table.drop(columns="_order")
    table.attrs["columns"] = roles
    return table


def _norm(name: object) -> str:
    return re.sub(r"[\s_]+", " ", str(name).strip().lower())


def _expected_columns() -> str:
    return "; ".join(f"{role}: one of {list(names)}" for role, names in SURVEY_COLUMNS.items())


def _survey_columns(survey: pd.DataFrame) -> dict[str, str]:
    """The input column for each role, or an error naming what is expected."""
    by_norm = {_norm(c): c for c in survey.columns}
    roles, missing = {}, []
    for role, names in SURVEY_COLUMNS.items():
        found = next((by_norm[n] for n in names if n in by_norm), None)
        if found is None:
            missing.append(role)
        else:
            roles[role] = found
    if missing:
        raise ValueError(
            f"survey table: no column for {missing}; found {list(survey.columns)}. Expected "
            f"columns {_expected_columns()}"
        )
    return roles


def _period_order(periods: pd.Series) -> np.ndarray:
    """Sort key of survey periods: as dates/quarters when every one parses, else as written."""
    unique = periods.drop_duplicates()
    try:
        starts = {p: pd.Period(p.replace(" ", "")).start_time for p in unique}
    except (ValueError, TypeError):
        ranks = {p: i for i, p in enumerate(sorted(unique))}
    else:
        ranks = {p: i for i, p in enumerate(sorted(unique, key=starts.__getitem__))}
    return periods.map(ranks).to_numpy(dtype=np.int64)


def _wilson(share: np.ndarray, n: np.ndarray, z: float = 1.959963984540054) -> tuple:
    """95 % Wilson score interval of a proportion (arrays)."""
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def _two_proportion_p(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p of the pooled two-proportion z-test on counts (NaN where n2 is NaN)."""
    x1, x2 = np.round(p1 * n1), np.round(p2 * n2)
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x1 / n1 - x2 / n2) / se
    p = 2 * stats.norm.sf(np.abs(z))
    return np.where(np.isnan(n2), np.nan, np.where(se > 0, p, 1.0))
