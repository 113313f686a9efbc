"""The sidebar: filters that apply to every page, and meeting mode."""

from __future__ import annotations

import streamlit as st

from hotspots.data.schema import CATEGORIES
from hotspots.data.select import (
    Selection,
    crime_types,
    has_time_of_day,
    months_present,
    values_present,
    ward_choices,
)
from hotspots.views.dashboard.state import Dataset

MEETING_CSS = """
<style>
html, body, [class*="css"], .stMarkdown, .stDataFrame { font-size: 1.25rem !important; }
h1 { font-size: 2.6rem !important; } h2 { font-size: 2.1rem !important; }
[data-testid="stMetricValue"] { font-size: 2.8rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem !important; }
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
</style>
"""

MEETING_MAP_CSS = """
<style>
.hotspots-legend > div { font-size: 19px !important; line-height: 1.5 !important; }
.hotspots-legend span { width: 20px !important; height: 20px !important; }
.leaflet-control-layers, .leaflet-tooltip, .leaflet-popup-content { font-size: 17px !important; }
.leaflet-bottom.leaflet-right { right: auto; left: 0; bottom: 26px; }
.leaflet-bottom.leaflet-right .leaflet-control { float: left; clear: both; margin: 0 0 8px 10px; }
</style>
"""
"""Meeting mode inside the map's iframe (the page's CSS cannot reach it): larger legends, moved
to the bottom left, where they cover less of a town centre on the eastern edge (Hemel)."""


def meeting_mode() -> bool:
    """Whether meeting mode (large type, uncluttered map) is on."""
    return bool(st.session_state.get("meeting_mode", False))


def sidebar_filters(ds: Dataset) -> Selection:
    """Draw the filters in the sidebar and return the user's :class:`Selection`."""
    inc = ds.incidents
    side = st.sidebar
    side.toggle("Meeting mode", key="meeting_mode", help="Large type and an uncluttered map.")
    if meeting_mode():
        st.markdown(MEETING_CSS, unsafe_allow_html=True)
    side.caption(f"Data: **{ds.label}** — {len(inc):,} incidents")

    months = months_present(inc)
    if not months:
        st.error("The dataset has no dated incidents; load another file on the Data page.")
        st.stop()
    labels = [m.strftime("%b %Y") for m in months]
    first, last = side.select_slider(
        "Months", options=labels, value=(labels[0], labels[-1]), key="f_months"
    )
    start, end = months[labels.index(first)], months[labels.index(last)]

    sources = values_present(inc, "source")
    chosen_sources = side.multiselect("Sources", sources, default=sources, key="f_sources")
    if not chosen_sources:
        st.warning("No source selected: choose at least one in the sidebar.")
        st.stop()
    groups = values_present(inc, "category", order=CATEGORIES)
    chosen_groups = side.multiselect(
        "Crime groups", groups, key="f_groups", placeholder="All groups"
    )
    chosen_types = side.multiselect(
        "Crime types",
        crime_types(inc, categories=chosen_groups),
        key="f_types",
        placeholder="All types",
    )
    names = ward_choices(ds.wards)
    chosen_wards = side.multiselect(
        "Wards",
        list(names),
        format_func=lambda code: names.get(code, code),
        key="f_wards",
        placeholder="All wards",
    )

    hours = None
    if has_time_of_day(inc, sources=chosen_sources):
        if side.checkbox("Filter by time of day", key="f_use_hours"):
            hours = side.slider("Hours (from, to)", 0, 23, (22, 3), key="f_hours")
            side.caption("A 'from' after 'to' wraps midnight. Records without a time are left out.")
    else:
        side.caption(
            "Time of day: not available — the selected records (police.uk) give the month "
            "only, so there is no hour to filter on."
        )
    return Selection(
        start=start,
        end=end,
        sources=tuple(chosen_sources),
        categories=tuple(chosen_groups),
        crime_types=tuple(chosen_types),
        wards=tuple(chosen_wards),
        hours=hours,
    )
