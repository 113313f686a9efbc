"""Areas & measures page: what changed, headline measures, ward table and choropleth, survey.

The numbers come from :mod:`hotspots.products.measures` through
:mod:`hotspots.products.area_view`. The sidebar's months choose the current
period (the latest month, or the last 28 days when every record has a date); the comparisons
with the previous period and the same period last year may reach before the first selected
month, so they use the selection with every filter except the months.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.core.disclosure import SMALL_GROUPS_NOTE
from hotspots.core.io import export_ready, write_csv
from hotspots.data.schema import WORKING_CRS
from hotspots.data.select import Selection
from hotspots.products import area_view, measures
from hotspots.products.area_view import AreaMeasures
from hotspots.products.captions import change_text
from hotspots.views import maps, tables
from hotspots.views.dashboard import cached, login
from hotspots.views.dashboard.offline import st_map
from hotspots.views.dashboard.sidebar import meeting_mode, sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset
from hotspots.views.dashboard.table_view import show_table
from hotspots.views.dashboard.text import markdown_text

CHOROPLETH_VALUES: dict[str, tuple[str, str]] = {
    "Count": ("count", "Incidents"),
    "Rate per 1,000 residents": ("rate_per_1000", "Per 1,000 residents"),
    "Significant change vs previous period": ("change_vs_previous", "Significant change"),
    "Significant change vs same period last year": ("change_vs_last_year", "Significant change"),
}
"""Choropleth choices: label → (ward table column, legend title)."""

_TEMPLATE = pd.DataFrame(
    {
        "area": ["Boxmoor", "Boxmoor"],
        "period": ["2021-Q3", "2021-Q4"],
        "% feeling safe": [74, 79],
        "respondents": [212, 198],
    }
)


_SURVEY_HEADINGS = {
    "pct_safe": "Feeling safe (%)",
    "ci_low": "95 % interval from (%)",
    "ci_high": "to (%)",
    "change_pts": "Change (points)",
}


def area_measures(ds: Dataset, sel: Selection, periods: measures.Periods) -> AreaMeasures:
    """Ward table, headline measures and "what changed" of ``sel`` (cached).

    ``sel`` should carry no month limits (the comparisons reach outside the selected months).
    """
    return _area_measures(ds.key, repr(sel), repr(periods), _ds=ds, _sel=sel, _periods=periods)


@st.cache_resource(max_entries=16, show_spinner="Comparing periods…")
def _area_measures(
    key: str,
    sel_key: str,
    periods_key: str,
    *,
    _ds: Dataset,
    _sel: Selection,
    _periods: measures.Periods,
) -> AreaMeasures:
    return area_view.area_measures(
        cached.selected(_ds, _sel),
        _ds.wards,
        periods=_periods,
        population=_ds.ward_population,
        coverage=_ds.coverage,
        chosen_wards=_sel.wards,
    )


def simplified_wards(ds: Dataset) -> gpd.GeoDataFrame:
    """The dataset's wards simplified by 20 m (working CRS), EPSG:4326 (cached per dataset)."""
    return _simplified_wards(ds.key, _ds=ds)


@st.cache_resource(max_entries=4, show_spinner=False)
def _simplified_wards(key: str, *, _ds: Dataset) -> gpd.GeoDataFrame:
    return area_view.simplified_wards(_ds.wards, working_crs=_ds.incidents.attrs.get(WORKING_CRS))


def comparison_selection(sel: Selection) -> Selection:
    """``sel`` without its month limits: the data the comparisons are counted in."""
    return replace(sel, start=None, end=None)


def render() -> None:
    """Draw the Areas & measures page."""
    login.require("view")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="Areas & measures")
    compared = comparison_selection(sel)
    shown = cached.selected(ds, sel)
    if len(shown) == 0:
        st.warning("No incidents match the filters: widen the months, groups or wards.")
        return
    periods = _choose_periods(shown)
    try:
        result = area_measures(ds, compared, periods)
        used = area_view.periods_used(periods, ds.coverage)
    except ValueError as err:
        st.warning(markdown_text(err))
        return
    _periods_line(
        used,
        area_view.compares_last_year(used, ds.coverage),
        area_view.sources_note(used, ds.coverage),
    )
    _what_changed(result.changes)
    _headline(result.headline)
    _ward_section(ds, result.wards, periods)
    if not meeting_mode():
        _survey()


def _choose_periods(shown: gpd.GeoDataFrame) -> measures.Periods:
    """The default periods, with a choice of month when the data are month-only."""
    periods = measures.default_periods(shown)
    if periods.current[0].freqstr.startswith("M"):
        months = area_view.month_choices(shown)
        month = st.selectbox(
            "Current period",
            months,
            index=0,
            format_func=lambda m: m.strftime("%B %Y"),
            key="a_month",
            help="Default: the latest month in the selection.",
        )
        if month != periods.current[0]:
            chosen = "The month chosen on this page"
            periods = measures.comparison_periods((month, month), reason=chosen)
    return periods


def _periods_line(periods: measures.Periods, last_year: bool, sources: str | None = None) -> None:
    """The periods every figure compares (after any move off a month without data), and why;
    ``sources``: which sources they leave out (like with like)."""
    days = not periods.current[0].freqstr.startswith("M")
    year = (
        f"the same period last year, **{periods.label('last_year')}**"
        if last_year
        else "no period last year (see the notes)"
    )
    moved = " ".join(
        markdown_text(area_view.sentence(n)) for n in [*periods.notes, *filter(None, [sources])]
    )
    st.caption(
        (
            f"This page compares **the last {periods_days(periods)} days** of the selection "
            "(every incident has a date), not the months chosen in the sidebar. "
            if days
            else ""
        )
        + f"Current period **{periods.label()}**, compared with **{periods.label('previous')}** "
        f"and {year}. {periods.reason}. "
        + (f"{moved} " if moved else "")
        + "The comparisons count incidents matching every filter except the months."
    )


def periods_days(periods: measures.Periods) -> int:
    """Days in the current period of day-based ``periods``."""
    first, last = periods.current
    return int((last - first).n) + 1


def _what_changed(changes: pd.DataFrame) -> None:
    st.subheader("What changed since last JAG")
    notes = list(changes.attrs.get("notes", []))
    columns = st.columns(2)
    for column, (compared_with, period, rows) in zip(
        columns, area_view.changes_by_comparison(changes), strict=False
    ):
        column.markdown(f"**Compared with the {compared_with} ({period})**")
        lines = [
            f"{row.rank}. "
            + (
                "**" + markdown_text(row.text) + "**"
                if row.significant
                else markdown_text(row.text)
            )
            for row in rows.itertuples()
        ]
        column.markdown("\n".join(lines))
    if changes.empty:
        st.info("No group changed between the periods.")
    st.caption(
        f"Groups: crime group × ward ({changes.attrs['groups']} tested); significant = "
        f"{changes.attrs['test']} below {changes.attrs['alpha']:g}. "
        + " ".join(markdown_text(area_view.sentence(n)) for n in notes)
    )


def _headline(headline: pd.DataFrame) -> None:
    st.subheader("Headline measures")
    columns = st.columns(len(headline))
    for column, (name, row) in zip(columns, headline.iterrows(), strict=True):
        change = _change_text(row, headline.attrs["previous_period"])
        significant = bool(row["significant_vs_previous"])
        column.metric(
            name,
            row["current_shown"],
            delta=change if significant else None,  # Streamlit's arrow: significant only
            delta_color="inverse",
            help=f"{row['definition']}. {headline.attrs['current_period']}.",
        )
        year = row["last_year_shown"]
        lines = [] if significant or not change else [change]
        if row["vs_last_year"] or row["vs_previous"]:
            lines.append(_markers_text(row, headline.attrs))
        elif year not in ("n/a", measures.NOT_SELECTED):
            lines.append(f"{headline.attrs['last_year_period']}: {year}")
        if lines:
            column.caption("; ".join(lines))
    said = headline.attrs.get("not_selected_note")
    if said:  # which measures the data chosen hold none of, and why not 0
        st.caption(markdown_text(said) + ".")
    st.caption(
        "Domestic abuse: incidents whose crime type mentions domestic abuse (police.uk records "
        f"carry no such flag), counted for the area only, never mapped. {SMALL_GROUPS_NOTE} "
        "Arrows (▲/▼ and the coloured change "
        f"under a figure) mark a significant rise/fall only ({headline.attrs['test']}); any "
        "other change is written plainly."
    )


def _change_text(row: pd.Series, previous: str) -> str:
    """``"+19 (+11 %) vs Nov 2025"`` (with ", no significant change" when it is not), ``"no
    change vs Nov 2025"``, or ``""`` when there is no comparison (withheld, no data)."""
    if pd.isna(row["change_vs_previous"]):
        return ""
    if row["change_vs_previous"] == 0:
        return f"no change vs {previous}"
    text = f"{change_text(row['change_vs_previous'], row['pct_vs_previous'])} vs {previous}"
    return text if row["significant_vs_previous"] else f"{text}, no significant change"


def _markers_text(row: pd.Series, attrs: dict) -> str:
    parts = []
    if row["vs_previous"]:
        parts.append(f"{row['vs_previous']} vs {attrs['previous_period']}")
    if row["vs_last_year"]:
        parts.append(
            f"{row['vs_last_year']} vs {attrs['last_year_period']} ({row['last_year_shown']})"
        )
    elif row["last_year_shown"] != "n/a":
        parts.append(f"{attrs['last_year_period']}: {row['last_year_shown']}")
    return "; ".join(parts)


def _ward_section(ds: Dataset, table: pd.DataFrame, periods: measures.Periods) -> None:
    st.subheader(f"Wards — {periods.label()}")
    choice = st.radio(
        "Colour wards by", list(CHOROPLETH_VALUES), horizontal=True, key="a_choropleth"
    )
    column, title = CHOROPLETH_VALUES[choice]
    outlines = simplified_wards(ds)
    shaded = area_view.ward_choropleth(outlines, table, column)
    if shaded.has_values:
        # the base map (outlines' extent, ward names) is the same for every selection: a
        # filter change swaps the choropleth inside the drawn map instead of reloading it
        m = maps.base_map(outlines)
        maps.label_layer(outlines, name="Ward names").add_to(m)
        shading = maps.ward_layer(
            shaded.table,
            value=shaded.value,
            name_col="area_name",
            tooltip_cols=list(shaded.tooltip),
            legend_title=f"{title} ({periods.label()})",
            simplify_m=0,
            **shaded.options,
        )
        st_map(
            m,
            key="ward_map",
            feature_group_to_add=[shading],
            height=480,
            use_container_width=True,
            returned_objects=[],
        )
    else:
        st.info(f"No values to map for “{choice}” (no population figures or no comparison).")
    if column.startswith("change_"):
        st.caption(
            "Only wards whose change is statistically significant are coloured (red: rise, "
            "blue: fall); grey wards show no significant change, too few incidents to test, "
            "or a withheld figure."
        )
    show_table(_ward_display(table), key="a_ward_table")
    notes = area_view.ward_notes(table)
    st.caption(" ".join(map(markdown_text, notes)))  # notes name sources: data text
    login.download_button(
        st,
        "Download the ward table (CSV, for the minutes)",
        lambda: ward_csv(table),
        file_name=f"ward_table_{periods.label().replace(' ', '_')}.csv",
        mime="text/csv",
        key="a_download",
    )


def _ward_display(table: pd.DataFrame) -> pd.DataFrame:
    """The ward table as shown: readable headings, period names in them."""
    a = table.attrs
    counts = area_view.ward_counts_shown(table)  # "withheld", not a blank
    shown = pd.DataFrame(
        {
            "Ward": table["area_name"],
            f"Incidents {a['current_period']}": counts["count"],
            "rate_per_1000": table["rate_per_1000"],  # tables.readable: heading and rounding
            f"{a['previous_period']}": counts["previous"],
            "Change": table["change_vs_previous"],
            "vs previous": table["significance_vs_previous"],
            f"{a['last_year_period']} (last year)": counts["last_year"],
            "Change vs last year": table["change_vs_last_year"],
            "vs last year": table["significance_vs_last_year"],
        }
    )
    shown = area_view.mark_withheld(tables.readable(shown), table)  # "withheld", not "None"
    if not a.get("compared", {}).get("last_year", True):  # no such comparison: no columns
        shown = shown.drop(
            columns=[
                f"{a['last_year_period']} (last year)",
                "Change vs last year",
                "vs last year",
            ],
            errors="ignore",
        )
    return shown


def ward_csv(table: pd.DataFrame) -> bytes:
    """The ward table as CSV (UTF-8 with BOM for Excel), with its periods and method."""
    a = table.attrs
    out = table.assign(
        current_period=a["current_period"],
        previous_period=a["previous_period"],
        last_year_period=a["last_year_period"],
        rate_method=a["population_method"],
    )
    return write_csv(export_ready(out), bom=True)


def _survey() -> None:
    st.subheader("Perception of safety")
    if not login.allowed("upload"):
        st.caption("Survey tables are uploaded by analysts.")
        return
    st.caption(
        "Upload a survey table (CSV): one row per area and period with the columns "
        + "; ".join(
            f"**{role}** ({', '.join(names[:3])} …)"
            for role, names in measures.SURVEY_COLUMNS.items()
        )
        + ". % feeling safe is 0–100; respondents a whole number."
    )
    upload = st.file_uploader("Survey table", type=["csv"], key="a_survey")
    login.download_button(
        st,
        "Download a template",
        lambda: write_csv(_TEMPLATE),
        file_name="perception_of_safety_template.csv",
        mime="text/csv",
        key="a_template",
    )
    if upload is None:
        return
    try:
        survey = area_view.read_survey(upload)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
        login.audit_upload(upload, f"survey refused: {err}")
        st.error(f"Could not read the survey: {markdown_text(err)}")
        return
    login.audit_upload(upload, f"survey: {len(survey)} rows read")
    columns = ["area", "period", "pct_safe", "ci_low", "ci_high", "respondents", "change_pts",
               "change", "caution"]  # fmt: skip
    st.dataframe(
        tables.readable(survey[columns], names=_SURVEY_HEADINGS),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    st.caption(
        "95 % Wilson interval; ▲/▼: significant change from the area's previous period "
        "(two-proportion z-test, p < 0.05)."
    )
