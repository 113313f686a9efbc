"""What changed since the last JAG: the biggest changes by group, significant ones first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hotspots.data.coverage import Coverage
from hotspots.data.schema import check_incidents
from hotspots.products.measures.periods import (
    COMPARED_WITH,
    COMPARISONS,
    Periods,
    compare_all,
    counted_in,
    default_periods,
    made,
    periods_for,
    require,
    withheld,
)

_NONE = "(none)"
UNPLACED_NOTE = "changes among incidents outside the wards are not listed (no ward to act in)"
"""Said when a ranking by ward left out incidents in no ward."""
_SEP = "\x1f"
_SHORT_NAMES = {"Anti-social behaviour": "ASB"}


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
    q-values over the groups of one comparison). Groups with no change are left out; groups
    whose count in either period the disclosure gate withholds
    (:func:`hotspots.core.disclosure.gate`: a group of fewer than 5 sensitive incidents of one
    type, ward and month) are left out too and counted in ``attrs["suppressed"]``.

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
        As in :func:`~hotspots.products.measures.ward_table`.

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
    require(incidents, (*by, "sensitive"))
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    periods = periods or default_periods(incidents)
    if coverage is not None:
        periods = periods_for(periods.current, None, coverage, reason=periods.reason)
    incidents, period_note = counted_in(incidents, periods, coverage)
    parts = [incidents[c].astype("string").fillna(_NONE) for c in by]
    key = parts[0].str.cat(parts[1:], sep=_SEP) if len(parts) > 1 else parts[0]
    frame = pd.DataFrame(
        {
            "month": incidents["month"].to_numpy(),
            "occurred_from": incidents["occurred_from"].to_numpy(),
            "time_precision": incidents["time_precision"].to_numpy(),
            "group": key.to_numpy(dtype=object),
        }
    )
    compared = compare_all(
        frame, periods, by="group", last_year=True, alpha=alpha, coverage=coverage
    )
    asked = ["current", *(n for n in COMPARISONS if compared.get(n) is not None)]
    hidden = withheld(incidents, periods, key.to_numpy(dtype=object), asked)
    names = {} if wards is None else dict(zip(wards["area_code"], wards["area_name"], strict=True))
    tables, suppressed, unplaced = [], 0, False
    for name in COMPARISONS:
        table = made(compared, name)
        if table is None:
            continue
        table = table[table["change"] != 0]
        if "ward_code" in by:  # incidents in no ward are no place a JAG can act on
            ward = [str(k).split(_SEP)[by.index("ward_code")] for k in table.index]
            placed = np.asarray(ward, dtype=object) != _NONE
            unplaced |= not placed.all()
            table = table[placed]
        groups = table.index.to_numpy(dtype=object)
        hide = hidden["current"].reindex(groups, fill_value=False).to_numpy(bool) | hidden[
            name
        ].reindex(groups, fill_value=False).to_numpy(bool)
        suppressed += int(hide.sum())
        table = table[~hide]
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
            *period_note,
            *(f"no {COMPARED_WITH[k]}: {v}" for k, v in compared["notes"].items()),
            *([UNPLACED_NOTE] if unplaced else []),
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
        amount = (
            "up from 0" if before == 0 else f"{'up' if now > before else 'down'} {abs(pct):.0f} %"
        )
        texts.append(f"{what or 'Incidents'}{place} {amount} ({before} → {now}) vs {period}")
    significant = table["significant"].to_numpy(dtype=bool)
    out.insert(0, "period", period)
    out.insert(0, "compared_with", COMPARED_WITH[compared_with])
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
