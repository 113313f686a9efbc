"""Perception-of-safety surveys: % feeling safe by area and period, with intervals and tests."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.special import ndtr  # not scipy.stats: 1 s of imports for norm.sf

from hotspots.products.measures.periods import FALL, RISE

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
    p = 2 * ndtr(-np.abs(z))  # the normal's upper tail, as scipy.stats.norm.sf
    return np.where(np.isnan(n2), np.nan, np.where(se > 0, p, 1.0))
