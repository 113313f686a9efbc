"""What a JAG reads each month, one module per job: the ward table (:mod:`.wards`), the CSP
headline measures (:mod:`.headline`), what changed (:mod:`.changes`), the When page's series
(:mod:`.trends`) and perception-of-safety surveys (:mod:`.survey`), on the periods of
:mod:`.periods`.

Pure functions over canonical incidents (no Streamlit). Every comparison of two periods is
:func:`hotspots.analysis.temporal.compare_periods` (exact conditional test for two Poisson
counts, Benjamini–Hochberg q-values), and every count goes through the disclosure gate
(:func:`hotspots.core.disclosure.gate`).
"""

from hotspots.products.measures.changes import what_changed
from hotspots.products.measures.headline import (
    HEADLINE_MEASURES,
    NOT_FLAGGED,
    NOT_SELECTED,
    SENSITIVE_MEASURE,
    can_flag_domestic,
    headline_measures,
)
from hotspots.products.measures.periods import (
    FALL,
    RISE,
    SIGNIFICANCE_WORDS,
    Bounds,
    PeriodBound,
    Periods,
    comparison_periods,
    default_periods,
    period_label,
    significance_words,
)
from hotspots.products.measures.survey import SURVEY_COLUMNS, perception_of_safety
from hotspots.products.measures.trends import monthly_with_last_year, time_of_day_coverage
from hotspots.products.measures.wards import POPULATION_METHODS, ward_table

__all__ = [
    "FALL",
    "HEADLINE_MEASURES",
    "NOT_FLAGGED",
    "NOT_SELECTED",
    "POPULATION_METHODS",
    "RISE",
    "SENSITIVE_MEASURE",
    "SIGNIFICANCE_WORDS",
    "SURVEY_COLUMNS",
    "Bounds",
    "PeriodBound",
    "Periods",
    "can_flag_domestic",
    "comparison_periods",
    "default_periods",
    "headline_measures",
    "monthly_with_last_year",
    "perception_of_safety",
    "period_label",
    "significance_words",
    "time_of_day_coverage",
    "ward_table",
    "what_changed",
]
