"""The CSP headline measures: violent crime, ASB, domestic abuse and all crime excluding ASB,
in the current period against the previous one and the same period last year."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hotspots.core import disclosure
from hotspots.data.coverage import POLICEUK_SOURCE, Coverage
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
    withheld,
)

HEADLINE_MEASURES: dict[str, str] = {
    "Violent crime": "category 'Violence and sexual offences'",
    "Anti-social behaviour": "category 'Anti-social behaviour'",
    "Domestic abuse (flagged)": "crime type mentions domestic abuse (domestic, DV, DA, "
    "coercive or controlling behaviour); counts under 5 suppressed",
    "All crime (excluding ASB)": "every category except 'Anti-social behaviour'",
}
"""The CSP headline measures of :func:`headline_measures` and how each is counted."""

SENSITIVE_MEASURE = "Domestic abuse (flagged)"

NOT_FLAGGED = "n/a"
"""What the domestic-abuse measure shows when no source of the data can flag domestic abuse."""

NOT_SELECTED = "not in selection"
"""What a measure shows when the selection holds none of its incidents in any month (a crime
group filter left it out): 0 would read as none happened."""

NOT_FLAGGED_NOTE = (
    "Domestic abuse (flagged): n/a, because police.uk data do not flag domestic abuse (only a "
    "local source with a domestic-abuse flag or crime type can count it)"
)

_DOMESTIC = re.compile(r"domestic|\bdv\b|\bda\b|\bdom\b|coercive|controlling", re.IGNORECASE)


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
    domestic-abuse-flagged incidents and all crime excluding ASB. Every count goes through the
    disclosure gate (:func:`hotspots.core.disclosure.gate`): a measure's count is withheld when
    it holds a group of fewer than 5 sensitive incidents (of one type, ward and month), and so
    is every change computed from it; it shows as ``"<5"`` or ``"withheld"``.

    Parameters
    ----------
    incidents
        Canonical incidents (the selection).
    current, previous, last_year, alpha, coverage
        As in :func:`~hotspots.products.measures.ward_table`; q-values are over the four
        measures of one comparison.

    Returns
    -------
    DataFrame
        Index ``measure`` in :data:`HEADLINE_MEASURES` order: ``definition``, ``current``,
        ``previous``, ``last_year`` (counts; NaN when suppressed or not in the data), their
        display strings ``current_shown``, ``previous_shown``, ``last_year_shown``, and per
        comparison (``vs_previous``, ``vs_last_year``) ``change_…``, ``pct_…``, ``p_…``,
        ``q_…``, ``significant_…`` and the marker ``…``. ``attrs``: periods, ``test``,
        ``notes`` and ``not_selected_note`` (the one of them on the measures reading
        :data:`NOT_SELECTED`, or ``None``).

    Examples
    --------
    >>> headline_measures(incidents, current=("2022-01", "2022-01"))  # doctest: +SKIP
    """
    check_incidents(incidents)
    periods = periods_for(current, previous, coverage)
    # a measure of which the selection holds no incident at all (a crime group filter), the
    # sensitive incidents of small groups as if absent (else a total would say they exist)
    counted = incidents.loc[~disclosure.small_groups(incidents)]
    unselected = [
        name for name, mask in _measure_masks(counted).items()
        if name != SENSITIVE_MEASURE and not mask.any()
    ]  # fmt: skip
    incidents, period_note = counted_in(incidents, periods, coverage)
    # Totals that mix sensitive and other incidents count sensitive ones in whole groups of 5
    # or more only (a ward's month of one offence type; :func:`disclosure.countable`), so a
    # small group anywhere in the district does not blank "All crime": any two shown figures
    # then differ by whole groups of 0 or 5+. The sensitive-only measure is gated as before.
    small = disclosure.small_groups(incidents)
    masks = _measure_masks(incidents)
    rows = np.concatenate([np.flatnonzero(m) for m in masks.values()])
    labels = np.repeat(list(masks), [int(m.sum()) for m in masks.values()])
    columns = ["month", "occurred_from", "time_precision", "sensitive", *disclosure.GROUP_KEYS]
    long = pd.DataFrame(
        {c: incidents[c].to_numpy()[rows] for c in dict.fromkeys(columns) if c in incidents}
    )
    long["measure"] = labels
    # rows of small sensitive groups stay (the data's months are read from them) in no measure
    left_out = small[rows] & (labels != SENSITIVE_MEASURE)
    long["measure"] = long["measure"].where(~left_out, None)
    compared = compare_all(
        long, periods, by="measure", last_year=last_year, alpha=alpha, coverage=coverage
    )
    names = list(HEADLINE_MEASURES)
    out = pd.DataFrame({"definition": list(HEADLINE_MEASURES.values())}, index=names)
    out.index.name = "measure"
    out["current"] = compared["previous"]["current"].reindex(names, fill_value=0).astype(float)
    notes = [
        *periods.notes,
        *period_note,
        # said always: said only when some are left out, it would say that some exist
        "totals leave out sensitive offences (domestic abuse, sexual offences, stalking) "
        f"where a ward holds fewer than {disclosure.MIN_COUNT} of one type in a month, so "
        "no victim can be found by subtracting one figure from another",
    ]
    for name, suffix in COMPARISONS.items():
        table = made(compared, name)
        if table is None:
            notes.append(f"no {COMPARED_WITH[name]}: {compared['notes'].get(name, 'not asked')}")
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
        out[suffix] = markers(got["direction"].fillna("").to_numpy(dtype=object))
    names_in = ["current", *(n for n in COMPARISONS if compared.get(n) is not None)]
    hidden = withheld(long, periods, long["measure"], names_in)
    if disclosure.PERIOD_NOTE in period_note:  # sensitive ones left out: domestic abuse "n/a"
        for name in names_in:
            hidden[name] = hidden[name].reindex(names, fill_value=False)
            hidden[name].loc[SENSITIVE_MEASURE] = True
            out.loc[SENSITIVE_MEASURE, name] = np.nan
    _withhold(out, hidden)
    if not can_flag_domestic(incidents):
        _not_counted(out, SENSITIVE_MEASURE, NOT_FLAGGED)
        notes.append(NOT_FLAGGED_NOTE)
    for name in unselected:
        _not_counted(out, name, NOT_SELECTED)
    not_selected_note = (
        f"{', '.join(unselected)}: {NOT_SELECTED}, as the data chosen hold none of its "
        "incidents (a crime group left out, or a source that does not record it)"
        if unselected
        else None
    )
    if not_selected_note:
        notes.append(not_selected_note)
    out.attrs.update(
        not_selected_note=not_selected_note,
        current_period=periods.label(),
        previous_period=periods.label("previous"),
        last_year_period=periods.label("last_year") if last_year else None,
        test=compared["previous"].attrs["test"] + "; q-values over the four measures",
        alpha=alpha,
        notes=notes,
    )
    return out


def can_flag_domestic(incidents: pd.DataFrame) -> bool:
    """Whether any source of ``incidents`` can flag domestic abuse: police.uk publishes
    categories only (never a domestic-abuse flag), so data from police.uk alone cannot; a
    local source (a force or council log) can. Judged by source, never by the counts."""
    if "source" not in incidents or not len(incidents):
        return False
    sources = pd.Series(incidents["source"].astype("string").dropna().unique())
    return bool((~sources.str.fullmatch(POLICEUK_SOURCE)).any())


def _not_counted(out: pd.DataFrame, row: str, shown: str) -> None:
    """A measure's row as ``shown`` (:data:`NOT_FLAGGED`: its sources cannot flag it;
    :data:`NOT_SELECTED`: the filters leave it out), never 0, which would be false."""
    for col in ("current", "previous", "last_year"):
        out.loc[row, col] = np.nan
        out.loc[row, f"{col}_shown"] = shown
    for suffix in COMPARISONS.values():
        out.loc[row, [f"{c}_{suffix}" for c in ("change", "pct", "p", "q")]] = np.nan
        out.loc[row, f"significant_{suffix}"] = False
        out.loc[row, suffix] = ""


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


def _withhold(out: pd.DataFrame, hidden: dict[str, pd.Series]) -> None:
    """Display strings of the counts, and the gate's withheld counts blanked with every change
    computed from them (in place)."""
    names = out.index.to_numpy()
    hide = {k: v.reindex(names, fill_value=False).to_numpy(bool) for k, v in hidden.items()}
    none = np.zeros(len(out), dtype=bool)
    for col in ("current", "previous", "last_year"):
        out[f"{col}_shown"] = disclosure.shown_counts(out[col], hide.get(col, none))
    for name, suffix in COMPARISONS.items():
        blank = hide["current"] | hide.get(name, none)
        if blank.any():  # (most selections withhold nothing)
            out.loc[blank, [f"{c}_{suffix}" for c in ("change", "pct", "p", "q")]] = np.nan
            out.loc[blank, f"significant_{suffix}"] = False
            out.loc[blank, suffix] = ""
    for col, mask in hide.items():
        if mask.any():
            out.loc[mask, col] = np.nan
