"""The patrol plan's table as people read it: their column names, share in per cent, the peak
hours or (month-only data) peak months."""

from __future__ import annotations

import pandas as pd

from hotspots.products.patrol.harm import HARM_SCORE, harm_score_words
from hotspots.products.patrol.plan import TREND_ONLY, PatrolPlan


def month_only(plan: PatrolPlan) -> bool:
    """True when the plan's peaks are months (its data carry no time of day)."""
    return bool(plan.metadata["peaks"].get("reason"))


def trend_only(plan: PatrolPlan) -> str:
    """``"police.uk only"`` when the trend counts fewer sources than the plan's incidents (a
    source lacks part of the period or of the one before: like with like,
    :func:`~hotspots.products.patrol.plan.patrol_plan`); ``""`` when it counts them all."""
    return str(plan.metadata.get(TREND_ONLY, ""))


def trend_headings(plan: PatrolPlan) -> dict[str, str]:
    """The headings of the trend's columns (``incidents_compared``, ``previous``, ``trend``),
    naming the sources they count when the trend leaves one out: ``"Previous period
    (police.uk only)"``. Every view of the plan (table, CSV's companion, briefing, map popup)
    heads them so."""
    only = trend_only(plan)
    suffix = f" ({only})" if only else ""
    return {
        "incidents_compared": f"Incidents compared{suffix}",
        "previous": f"Previous period{suffix}",
        "trend": f"Trend{suffix}",
    }


def trend_note(plan: PatrolPlan) -> str | None:
    """What the trend's columns count when it leaves a source out (``None`` when it counts
    every source of the plan's incidents)."""
    only = trend_only(plan)
    if not only:
        return None
    left = sorted(set(plan.metadata.get("sources", [])) - set(plan.metadata["trend_sources"]))
    return (
        f"Like with like: {' and '.join(left)} {'lacks' if len(left) == 1 else 'lack'} part of "
        f"the period or of the one before, so the previous period, the change and the trend "
        f"count {only}; “Incidents compared” is this period's count of the same sources, "
        "beside the total “Incidents”."
    )


FIRST_COLUMNS = ("Rank", "Locality", "Peak days", "Peak hours", "Dosage", "Incidents")
"""What an inspector reads first, in this order (on screen without scrolling sideways)."""


def display_table(plan: PatrolPlan) -> pd.DataFrame:
    """The plan table as shown, what an inspector needs first (:data:`FIRST_COLUMNS`): Rank,
    Locality, Peak days (hour data only), Peak hours (the windows alone) or Peak months,
    Dosage (the visits, short: ``"6 visits a week (Fri 2, Sat 4)"``) and Incidents; then Share
    (%), the harm score (:data:`~hotspots.products.patrol.harm.HARM_SCORE`), Incidents
    compared (when the trend leaves a source out: the count it compares), Previous period and
    Trend ("–" when none; headed with the sources they count, :func:`trend_headings`), Crime
    mix and how many incidents have a time of day. One row per locality, best first.

    Examples
    --------
    >>> display_table(plan)[["Rank", "Locality", "Incidents", "Share (%)"]]  # doctest: +SKIP
    """
    loc = plan.localities
    months = month_only(plan)
    heading = trend_headings(plan)
    compared = (
        {heading["incidents_compared"]: pd.to_numeric(loc["incidents_compared"]).to_numpy()}
        if trend_only(plan)
        else {}
    )
    hours = loc["peak_hours"] if "peak_hours" in loc.columns else loc["windows"]
    visits = loc["visits"] if "visits" in loc.columns else loc["dosage"]
    table = pd.DataFrame(
        {
            "Rank": loc["rank"].astype(int).to_numpy(),
            "Locality": loc["name"].to_numpy(),
            "Peak days": loc["peak_days"].to_numpy(),
            "Peak months" if months else "Peak hours": hours.to_numpy(),
            "Dosage": visits.to_numpy(),
            "Incidents": loc["incidents"].astype(int).to_numpy(),
            "Share (%)": (100 * loc["share"].astype(float)).to_numpy(),
            HARM_SCORE: loc["harm"].astype(float).to_numpy(),
            **compared,
            heading["previous"]: pd.to_numeric(loc["previous"]).to_numpy(),
            heading["trend"]: loc["trend"].astype(object).fillna("–").to_numpy(),
            "Crime mix": loc["crime_mix"].to_numpy(),
        }
    )
    if "timed" in loc.columns and not months:
        table["With a time of day"] = loc["timed"].to_numpy()
    return table.drop(columns="Peak days") if months else table


def harm_note(plan: PatrolPlan) -> str | None:
    """What the table's harm score is, in plain words (:func:`harm_score_words`); ``None``
    when the plan has no harm score (a crime type without a weight)."""
    if not plan.localities["harm"].notna().any():
        return None
    return harm_score_words(plan.metadata["harm_source"]) + "."


def blank_everywhere(table: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` of a shown table is blank (empty or missing) in every row."""
    return column in table and not table[column].fillna("").astype(bool).any()


def missing_anywhere(table: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` of a shown table has a missing value (no figure) in any row."""
    return bool(table[column].isna().any())
