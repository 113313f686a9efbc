"""Words for a JAG: areas with units, and the Map page's caption in plain language with the
technical detail kept for the one click that asks for it.

Examples
--------
>>> area_text(3362275.8857)
'3.4 km²'
>>> area_text(105332.5)
'11 ha'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import h3
import pandas as pd

from hotspots.analysis.forecast import MIN_FOLDS_TO_SWITCH
from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import HOT_MIN_BIN

if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast


def area_text(m2: float) -> str:
    """An area for people: hectares under 1 km² (whole, or one decimal under 10 ha), else km²
    with one decimal."""
    if m2 < 1e6:
        ha = m2 / 1e4
        return f"{ha:.1f} ha" if ha < 10 else f"{ha:.0f} ha"
    return f"{m2 / 1e6:.1f} km²"


def month_text(month: Any) -> str:
    """A month as people write it: ``"Feb 2022"`` (from a Period, a timestamp or ``"2022-02"``).

    The one home of a month in words, for captions, notes and documents (tables keep sortable
    ``YYYY-MM``: :func:`hotspots.views.tables.readable`).

    Examples
    --------
    >>> month_text("2022-02"), month_text(pd.Period("2021-12", "M"))
    ('Feb 2022', 'Dec 2021')
    """
    return f"{pd.Period(month, freq='M'):%b %Y}"


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """A count with its noun, singular or plural as the count asks: ``"1 month"``, ``"3
    months"``, ``"2 groups"`` (never ``"month(s)"``); ``nouns`` for a plural not made with
    -s (``counted(2, "locality", "localities")``). Thousands are separated.

    Examples
    --------
    >>> counted(1, "month"), counted(3, "month"), counted(1200, "change")
    ('1 month', '3 months', '1,200 changes')
    """
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def change_text(change: float, pct: float | None = None) -> str:
    """A change in a count with its percentage, for people: ``"+19 (+11 %)"``, ``"-1 (under 1
    %)"`` (never ``"-1 (-0 %)"``: a change under half a per cent rounds to nothing), ``"-3"``
    without a percentage (none from a count of 0), ``"no change"`` for 0.

    Examples
    --------
    >>> change_text(19, 11.2), change_text(-1, -0.19), change_text(0, 0.0), change_text(4, None)
    ('+19 (+11 %)', '-1 (under 1 %)', 'no change', '+4')
    """
    if change == 0:
        return "no change"
    text = _signed(change)
    if pct is None or pd.isna(pct):
        return text
    return f"{text} ({percent_change_text(pct)})"


def percent_change_text(pct: float) -> str:
    """A change in per cent: ``"+11 %"``, ``"-12 %"``, ``"under 1 %"`` (never ``"-0 %"``),
    ``"no change"`` for none at all.

    Examples
    --------
    >>> percent_change_text(-11.6), percent_change_text(-0.3), percent_change_text(0.0)
    ('-12 %', 'under 1 %', 'no change')
    """
    if pct == 0:
        return "no change"
    return "under 1 %" if round(abs(pct)) == 0 else f"{_signed(pct)} %"


def _signed(value: float) -> str:
    """``+19`` / ``-3``, rounded to a whole number, thousands separated (a hyphen-minus:
    Streamlit's metric reads a fall from it)."""
    sign = "-" if value < 0 else "+"
    return f"{sign}{abs(value):,.0f}"


def study_area_words(note: object) -> str:
    """How the analysis's study area was chosen (``params["study_area"]``), for people: a
    boundary handed over as a shape (``"given: Polygon"``, or a patrol plan's
    ``"GeoDataFrame"``) is ``"the boundary given with the
    data"``; a named area (``"given: E07000096"``) stays named; the default's own
    words are kept.

    Examples
    --------
    >>> study_area_words("given: Polygon"), study_area_words("given: E07000096")
    ('the boundary given with the data', 'the area given: E07000096')
    """
    text = str(note)
    given = re.fullmatch(r"(?:given: )?(\w+)", text)
    if given is None:
        return text
    if given[1] in _SHAPE_TYPES:
        return "the boundary given with the data"
    return f"the area given: {given[1]}" if text.startswith("given: ") else text


_SHAPE_TYPES = frozenset(
    {"Polygon", "MultiPolygon", "GeoDataFrame", "GeoSeries", "GeometryCollection"}
)
"""Type names the analysis records when a study area is handed over as a shape."""


def cell_area_text(res: int) -> str:
    """The average area of an H3 cell of resolution ``res`` (``'11 ha'`` at 9)."""
    return area_text(h3.average_hexagon_area(res, unit="m^2"))


def counts_title(res: int) -> str:
    """The legend of incident counts per cell: ``"Incidents per hexagon (about 11 ha)"``."""
    return f"Incidents per hexagon (about {cell_area_text(res)})"


HOT_SPOT_PERCENTS: tuple[int, ...] = (1, 3, 5, 10)
"""Shares of the study area (%) a user may mark as hot spots (the forecast's selection)."""

_METHOD_WORDS = {
    "last_month": "incidents of the last month",
    "last_3_months": "incidents of the last 3 months",
    "all_history": "all past incidents",
    "ring": "recent incidents in the neighbouring cells",
    "parent": "recent incidents in the surrounding larger cell",
    "smoothed": "recent incidents in the cell and its neighbours",
    "gistar": "the Gi* score of all past incidents",
    "near_repeat": "incidents nearby in the last 60 days (near repeats)",
    "combination": "a weighted mix of every measure, fitted on earlier months",
    "recency_density": (
        "past incidents, recent months weighted more, plus the density of nearby incidents"
    ),
    "recency_density_all": "all past incidents, plus the density of nearby incidents",
}


def method_words(method: str) -> str:
    """The forecast method in words (``"all_history+kde"`` → ``"all past incidents, ties
    broken by the density of nearby incidents"``); unknown names are returned as they are."""
    base, _, tie = method.partition("+")
    words = _METHOD_WORDS.get(base)
    if words is None and (m := re.fullmatch(r"recent_h(\d+(?:\.\d+)?)", base)):
        words = f"past incidents, recent months weighted more (half-life {m[1]} months)"
    if words is None and (m := re.fullmatch(r"recency_density_h(\d+)", base)):
        words = (
            f"past incidents, recent months weighted more (half-life {m[1]} months), plus the "
            "density of nearby incidents"
        )
    if words is None and (m := re.fullmatch(r"kde_(gauss|quartic)_(\d+)m", base)):
        words = f"density of nearby incidents ({m[1]} kernel, {m[2]} m)"
    words = words or base
    return f"{words}, ties broken by the density of nearby incidents" if tie else words


_METHOD_NAME = re.compile(r"\b(scored by|method) ([a-z][a-z0-9_.]*(?:\+[a-z0-9_.]+)?)\b")


def selection_words(selection: object) -> str:
    """How the backtest chose its method (``figures["selection"]``), with each method's code
    name said in words (:func:`method_words`): ``"each test month scored by past incidents,
    recent months weighted more, plus the density of nearby incidents unless another method
    beat it …"``, never ``"scored by recency_density"``.

    Examples
    --------
    >>> selection_words("method last_month fixed by the user")
    'method: incidents of the last month, fixed by the user'
    """
    text = "" if selection is None else str(selection)

    def said(m: re.Match[str]) -> str:
        words = method_words(m[2])
        if words == m[2]:  # not a method's name: left as it is
            return m[0]
        return f"{m[1]} {words}," if m[1] == "scored by" else f"method: {words},"

    return _METHOD_NAME.sub(said, text)


def hot_spot_title(coverage: float) -> str:
    """The hot spot layer's heading: ``"Hot spots: the 5 % of the area where next month's
    crime is most likely"``."""
    return (
        f"Hot spots: the {100 * coverage:g} % of the area where next month's crime is most likely"
    )


BASELINE = "all_history"
"""The simple method every forecast is compared with: counting all past crime per cell."""


def baseline_hit_rate(forecast: Forecast) -> float | None:
    """The share of the next month's crime that counting all past crime (:data:`BASELINE`)
    caught on the same test months and area share, or ``None`` when not measured."""
    table = forecast.backtest
    if not len(table) or not {"method", "coverage", "hit_rate"} <= set(table.columns):
        return None
    row = table[(table["method"] == BASELINE) & (table["coverage"] == forecast.coverage)]
    return float(row["hit_rate"].iloc[0]) if len(row) else None


BEYOND_NOISE = 2
"""Percentage points of the backtest's hit rate by which the hot spots must beat (or trail)
simply counting past crime before the words call them better (or worse), over at least
:data:`~hotspots.analysis.forecast.MIN_FOLDS_TO_SWITCH` test months (the fewest on which the
backtest itself lets one method replace another). On 5 Hertfordshire districts (10 test months
each, 5 %) the month-by-month difference between the two has a spread of 0.65 points (SD;
means 0.1 to 0.7 points): a smaller difference is within the noise."""


def hot_spot_comparison(forecast: Forecast) -> str:
    """What the forecast was compared with, in words: ``"That is better than simply counting
    past crime: 41 % vs 37 %."``; "about the same as" when the hit rates differ by less than
    :data:`BEYOND_NOISE` points or were tested on too few months to tell; ``""`` when the
    baseline was not measured (or is the method shown)."""
    base = baseline_hit_rate(forecast)
    folds = forecast.figures.get("folds")
    if base is None or not folds or forecast.method == BASELINE:
        return ""
    ours = round(100 * forecast.figures["hit_rate"])
    theirs = round(100 * base)
    if folds < MIN_FOLDS_TO_SWITCH:
        return (
            f"Simply counting past crime held {theirs} %: too few test months "
            f"({counted(folds, 'month')}) to tell which does better."
        )
    if abs(ours - theirs) < BEYOND_NOISE:
        return (
            f"That is about the same as simply counting past crime: {ours} % vs {theirs} % "
            f"(a difference under {BEYOND_NOISE} points is within the noise)."
        )
    verdict = "better than" if ours > theirs else "worse than"
    return f"That is {verdict} simply counting past crime: {ours} % vs {theirs} %."


def last_months(n: int) -> str:
    """``"the last month"``, ``"the last 12 months"``: the backtest's test months in words.

    Examples
    --------
    >>> last_months(1), last_months(12)
    ('the last month', 'the last 12 months')
    """
    return "the last month" if n == 1 else f"the last {n:,} months"


def hot_spot_backtest(forecast: Forecast) -> str:
    """The forecast's backtest in one plain sentence, from its figures (never a fixed number):
    ``"Tested on the last 12 months: the 5 % of the area marked here held 41 % of the next
    month's crime. That is better than simply counting past crime: 41 % vs 37 %."``"""
    f = forecast.figures
    share = f"{100 * forecast.coverage:g} %"
    if not f.get("folds"):
        return (
            f"Not yet tested: too few months of history to check the {share} of the area "
            "marked here against a later month."
        )
    said = (
        f"Tested on {last_months(f['folds'])}: the {share} of the area marked here held "
        f"{100 * f['hit_rate']:.0f} % of the next month's crime."
    )
    compared = hot_spot_comparison(forecast)
    return f"{said} {compared}" if compared else said


def forecast_summary(forecast: Forecast) -> str:
    """The forecast in one plain sentence for a command's output or a file's notes: the month,
    the method in words and its backtest (never a method's code name)."""
    return (
        f"{hot_spot_title(forecast.coverage)} (forecast for {month_text(forecast.month)}, from "
        f"{method_words(forecast.method)}). {hot_spot_backtest(forecast)}"
        + thin_history_note(forecast)
    )


def thin_history_note(forecast: Forecast) -> str:
    """A sentence when most marked cells have had no incident ("" otherwise): the area is cut
    too fine for the data (Cornwall at resolution 11: 85,792 cells marked from 3,066
    incidents), so most are marked by nearby density alone."""
    chosen = forecast.cells[forecast.cells["selected"]]
    held = int((chosen["history"] > 0).sum())
    if 2 * held >= len(chosen):
        return ""
    return (
        f" Only {held:,} of the {len(chosen):,} marked cells have had any incident: the rest "
        "are marked by nearby density alone (a lower --res marks fewer, larger cells)."
    )


HOT_SPOT_METRIC = "Next month's crime in the marked area"
"""The label of :func:`hot_spot_metric`: what the percentage is a share of."""


def hot_spot_metric(forecast: Forecast | None) -> tuple[str, str | None]:
    """The share of the next month's crime the hot spots caught in the backtest, as a metric
    (labelled :data:`HOT_SPOT_METRIC`): ``("41 %", help text)``, or ``("not tested", None)``."""
    if forecast is None or not forecast.figures.get("folds"):
        return "not tested", None
    f = forecast.figures
    compared = hot_spot_comparison(forecast)
    return f"{100 * f['hit_rate']:.0f} %", (
        f"Share of the next month's crime that fell in the marked area ({100 * forecast.coverage:g}"
        f" % of the area), tested on {'' if f['folds'] == 1 else 'each of '}"
        f"{last_months(f['folds'])}."
        + (f" {compared}" if compared else "")
        + f" Technical: PAI {f['pai']:.1f}, PEI {f['pei']:.2f}."
    )


def hot_spot_caption(forecast: Forecast) -> tuple[str, str]:
    """The forecast hot spots in words: ``(plain sentence, method and figures)``.

    Parameters
    ----------
    forecast
        :class:`hotspots.analysis.forecast.Forecast` (``Analysis.forecast``): its ``figures``
        give every number, so the words always say what this forecast's backtest measured.
    """
    f = forecast.figures
    plain = (
        f"{hot_spot_title(forecast.coverage)} (forecast for {month_text(forecast.month)}). "
        + hot_spot_backtest(forecast)
    )
    res = f.get("res")
    cells = f"hexagons of about {cell_area_text(int(res))}" if res else "hexagons"
    technical = (
        f"Hot spots: {cells} (H3 resolution {res if res else '?'}) ranked by "
        f"{method_words(forecast.method)}, the method chosen for this area by testing each "
        f"method on earlier months of these incidents (rolling-origin backtest; "
        f"{selection_words(f.get('selection'))})."
    )
    if f.get("folds"):
        technical += (
            f" Backtest {month_text(f['first_test_month'])} to "
            f"{month_text(f['last_test_month'])} ({counted(f['folds'], 'test month')}), "
            f"top {100 * forecast.coverage:g} % of {f.get('n_cells', 0):,} cells: "
            f"hit rate {100 * f['hit_rate']:.1f} %, PAI {f['pai']:.1f} (share of crime caught "
            f"÷ share of area), PEI {f['pei']:.2f} (crime caught ÷ the most any cells of that "
            "area could have caught)."
        )
    if f.get("zero_history") == "demote":
        technical += " Cells with no past incident are ranked below every cell with one."
    if f.get("cell_set"):
        technical += f" Cells scored: {f['cell_set']}."
    return plain, technical


def hot_spot_figures(forecast: Forecast) -> dict[str, Any]:
    """The forecast's method and backtest as plain values, for files (JSON, CSV notes):
    ``hot_spots``, ``backtest``, ``method``, ``method_words``, ``coverage``, ``month``,
    ``folds``, ``hit_rate``, ``pai``, ``pei`` and the test months."""
    f = forecast.figures
    keys = ("folds", "first_test_month", "last_test_month", "hit_rate", "pai", "pei", "res")
    return {
        "hot_spots": hot_spot_title(forecast.coverage),
        "backtest": hot_spot_backtest(forecast),
        "month": str(forecast.month),
        "month_words": month_text(forecast.month),
        "method": forecast.method,
        "method_words": method_words(forecast.method),
        "coverage": float(forecast.coverage),
        **{k: (float(f[k]) if isinstance(f.get(k), float) else f.get(k)) for k in keys},
        "baseline_hit_rate": baseline_hit_rate(forecast),
        "selection": selection_words(f.get("selection")),
        "cell_set": f.get("cell_set"),
    }


def map_caption(
    params: dict[str, Any], *, n_hot_cells: int, clustered_share: float
) -> tuple[str, str]:
    """The Map page's caption: ``(plain words, technical detail)``.

    Parameters
    ----------
    params
        ``Analysis.params`` (grid, gistar, clusters).
    n_hot_cells, clustered_share
        ``Analysis.n_hot_cells`` and ``Analysis.clustered_share`` (0–1).
    """
    grid, gi, clusters = params["grid"], params["gistar"], params["clusters"]
    cell = cell_area_text(int(grid["res"]))
    skipped = clusters.get("skipped")
    found = (
        f"Clusters: none, {skipped}."
        if skipped
        else f"Clusters: {clusters['n_clusters']:,} "
        f"{'group' if clusters['n_clusters'] == 1 else 'groups'} of nearby incidents, holding "
        f"{clustered_share:.0%} of the incidents mapped."
    )
    plain = (
        f"Statistically significant clusters of high counts (not a forecast): {n_hot_cells:,} "
        f"hexagons of about {cell} each where incidents are more "
        f"concentrated than chance would give ({GI_CONFIDENCE[HOT_MIN_BIN]} confidence or more). "
        f"{found}"
    )
    how = (
        f"no {clusters['method'].upper()} clusters: {skipped}"
        if skipped
        else f"{clusters['method'].upper()} clusters, search distance {clusters['eps_m']:.0f} m "
        f"({clusters['eps_source']}), at least {clusters['min_samples']} incidents "
        f"({clusters['min_samples_source']})"
    )
    technical = (
        f"H3 resolution {grid['res']} (cells of about {cell}); Getis-Ord Gi* over each cell and "
        f"its neighbours {gi['k']} ring(s) away, "
        f"{'false-discovery-rate adjusted' if gi['fdr'] else 'unadjusted'} p-values; {how}."
    )
    return plain, technical
