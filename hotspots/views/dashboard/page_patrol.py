"""Patrol page: a ranked patrol plan for police — where to go, when, how often — and its limits.

Every figure comes from :func:`hotspots.products.patrol.patrol_plan` (cached per dataset, sidebar
selection and the page's choices); this page only shows it: the ranked table, the map
(:func:`hotspots.views.patrol_map.patrol_layer` over ward outlines), what the plan cannot say, and
the plan as GeoJSON, CSV, KML and a printable briefing (HTML, PDF), each built when its button
is clicked. Meeting mode shows the table and the map only, with the last choices made here.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal, cast

import folium
import pandas as pd
import streamlit as st

from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS
from hotspots.data.select import Selection
from hotspots.products.captions import counted, month_text
from hotspots.products.patrol import (
    PatrolPlan,
    to_csv,
    to_geojson,
    to_kml,
    to_notes,
)
from hotspots.products.patrol.harm import HARM_SCORE
from hotspots.products.patrol.plan import Method
from hotspots.products.patrol.request import (
    LATEST_MONTHS,
    Choices,
    Request,
    default_period,
    latest_months,
    make_request,
    plan_for,
    pool_selection,
)
from hotspots.products.patrol.table import (
    FIRST_COLUMNS,
    blank_everywhere,
    display_table,
    harm_note,
    missing_anywhere,
    month_only,
    trend_headings,
    trend_note,
)
from hotspots.views import maps, tables
from hotspots.views.dashboard import cached, login
from hotspots.views.dashboard.offline import fill_screen, fresh_copy, st_map
from hotspots.views.dashboard.sidebar import MEETING_MAP_CSS, meeting_mode, sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset
from hotspots.views.dashboard.table_view import show_table
from hotspots.views.dashboard.text import markdown_text
from hotspots.views.patrol_map import MAP_HEIGHT_PX, map_view, patrol_layer, view_bounds

FileKind = Literal["geojson", "csv", "json", "kml", "html", "pdf"]

FILES: dict[FileKind, tuple[str, str, str]] = {
    "geojson": ("GeoJSON (outlines)", "patrol_plan.geojson", "application/geo+json"),
    "csv": ("CSV (table)", "patrol_plan.csv", "text/csv"),
    "json": ("Method and backtest (JSON)", "patrol_plan.json", "application/json"),
    "kml": ("KML (Google Earth)", "patrol_plan.kml", "application/vnd.google-earth.kml+xml"),
    "html": ("Briefing (HTML, print-ready)", "patrol_briefing.html", "text/html"),
    "pdf": ("Briefing (PDF)", "patrol_briefing.pdf", "application/pdf"),
}
"""Download buttons: kind → (label, file name, MIME type)."""

METHODS: dict[Method, str] = {
    "forecast": "Forecast hot spots (next month)",
    "gistar": "Statistically significant clusters of high counts",
    "dbscan": "Clusters of nearby incidents",
}
HOT_SPOTS_FROM: dict[Method, str] = {
    "forecast": "the forecast for next month",
    "gistar": "statistically significant clusters of high counts",
    "dbscan": "clusters of nearby incidents",
}
"""How the plan's summary line names the hot spots' source ("hot spots from …")."""
RANKINGS: dict[Literal["count", "harm"], str] = {
    "count": "Incidents",
    "harm": HARM_SCORE,
}

FIRST_WIDTHS_PX = (48, 190, 100, 150, 160, 76)
"""Widths (px) of the columns an inspector reads first (:data:`~hotspots.products.patrol.
table.FIRST_COLUMNS`): 724 px, inside the page beside the sidebar at 1366 px wide (about 900
px), so they show without scrolling sideways; the rest follow."""

_CHOICES_KEY = "patrol_choices"

SPACING_AUTO = "auto"
"""The spacing box's placeholder when empty: short, so a narrow box (1280 px) shows it whole."""

NO_PREVIOUS = "–"
"""A count the plan has no previous period for, in the grid as in meeting mode's table."""

NO_PREVIOUS_WORDS = "no previous period in the data (none as long just before this one)"

_TOO_FEW_TIMED = (
    f"fewer than {MIN_TIMED_INCIDENTS} of its incidents have a time of day (police.uk records "
    "give the month only)"
)
PEAK_DAYS_HELP = (
    "The two busiest days of the week of the locality's incidents with a time of day; blank "
    f"when {_TOO_FEW_TIMED}"
)


def render() -> None:
    """Draw the Patrol page."""
    login.require("view")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="Patrol plan")
    pool = cached.selected(ds, pool_selection(sel))
    if len(pool) == 0:
        st.warning("No incidents match the filters: widen the sources, groups or types.")
        return
    if meeting_mode():
        choices = st.session_state.get(_CHOICES_KEY, Choices())
    else:
        choices = _controls(ds, sel, pool)
        st.session_state[_CHOICES_KEY] = choices
    request = make_request(sel, pool, choices)
    # What the plan depends on, hashed by the caches (the objects themselves are not).
    key = (ds.key, repr(pool_selection(sel)), repr(request))
    try:
        plan = _plan(key, _ds=ds, _sel=sel, _request=request)
    except ValueError as err:
        st.warning(str(err))
        return

    _summary(plan, ds, request)
    if meeting_mode():  # a projector: the map first, above the fold, then the table
        _map(ds, plan, key)
        _table(plan)
        return
    _table(plan)
    _map(ds, plan, key)
    _limits(plan)
    _downloads(plan, key)


def plan_file(plan: PatrolPlan, kind: FileKind) -> bytes:
    """The plan as a file's bytes: GeoJSON, CSV, method notes (JSON), KML 2.2, briefing HTML
    or PDF.

    Examples
    --------
    >>> plan_file(plan, "kml")[:38]  # doctest: +SKIP
    b"<?xml version='1.0' encoding='UTF-8'?>"
    """
    # the briefing's module (matplotlib) is imported when a briefing is built, not per page view
    from hotspots.views.documents.briefing import briefing_html, write_briefing_pdf

    if kind == "html":
        return briefing_html(plan).encode("utf-8")
    writers = {
        "geojson": to_geojson,
        "csv": to_csv,
        "json": to_notes,
        "kml": to_kml,
        "pdf": write_briefing_pdf,
    }
    if kind not in writers:
        raise ValueError(f"kind must be one of {list(FILES)}, got {kind!r}")
    return writers[kind](plan)


def patrol_layer_for(ds: Dataset, sel: Selection) -> folium.FeatureGroup:
    """The patrol localities of the sidebar's selection, as on this page (its last choices,
    else the defaults), for the Map page's layer slot. Raises ``ValueError`` as ``patrol_plan``.
    """
    pool = cached.selected(ds, pool_selection(sel))
    choices = st.session_state.get(_CHOICES_KEY, Choices())
    request = make_request(sel, pool, choices)
    key = (ds.key, repr(pool_selection(sel)), repr(request))
    return _patrol_layer(key, _plan=_plan(key, _ds=ds, _sel=sel, _request=request))


def plan_ahead(ds: Dataset, sel: Selection) -> None:
    """Build and cache the plan a new session's Patrol page shows for ``sel`` (the default
    choices), for the background analyses (:func:`hotspots.views.dashboard.cached.warm_groups`):
    it takes the forecast the analysis of ``sel`` made. Raises ``ValueError`` as
    ``patrol_plan``."""
    pool = cached.selected(ds, pool_selection(sel))
    if len(pool) == 0:
        return
    request = make_request(sel, pool, Choices())
    key = (ds.key, repr(pool_selection(sel)), repr(request))
    _plan(key, _ds=ds, _sel=sel, _request=request)


# --------------------------------------------------------------------------- cached


@st.cache_resource(max_entries=16, show_spinner="Building the patrol plan…")
def _plan(key: tuple[str, ...], *, _ds: Dataset, _sel: Selection, _request: Request) -> PatrolPlan:
    pool = cached.selected(_ds, pool_selection(_sel))
    cached.keep_forecast_basis(_ds)  # the plan forecasts at the default resolution
    cached.keep_patrol_hexagons(_ds)  # and the hexagons of its hot areas
    with cached.forecasts_beside(_ds):  # its forecast in the worker, its localities meanwhile
        return plan_for(_request, pool, wards=_ds.wards, outline=cached.study_area(_ds))


@st.cache_data(max_entries=32, show_spinner=False)
def _file(key: tuple[str, ...], kind: FileKind, *, _plan: PatrolPlan) -> bytes:
    return plan_file(_plan, kind)


@st.cache_resource(max_entries=16, show_spinner=False)
def _patrol_layer(key: tuple[str, ...], *, _plan: PatrolPlan) -> folium.FeatureGroup:
    return patrol_layer(_plan)


# --------------------------------------------------------------------------- sections


def latest_words(latest: tuple[str, str]) -> str:
    """The "latest months" period in words, with the number of months it really covers (the
    data may hold fewer than :data:`LATEST_MONTHS`).

    Examples
    --------
    >>> latest_words(("2023-12", "2024-02"))
    'Latest 3 months of the data (Dec 2023 – Feb 2024)'
    >>> latest_words(("2024-01", "2024-02"))
    'All 2 months of the data (Jan 2024 – Feb 2024)'
    >>> latest_words(("2024-01", "2024-01"))
    'The one month of the data (Jan 2024)'
    """
    first, last = (pd.Period(m, freq="M") for m in latest)
    n = last.ordinal - first.ordinal + 1
    if n == 1:
        return f"The one month of the data ({month_text(first)})"
    span = f"({month_text(first)} – {month_text(last)})"
    if n < LATEST_MONTHS:
        return f"All {n} months of the data {span}"
    return f"Latest {n} months of the data {span}"


def _controls(ds: Dataset, sel: Selection, pool: pd.DataFrame) -> Choices:
    """The period, area and locality options, starting from the last choices made here."""
    last = st.session_state.get(_CHOICES_KEY, Choices())
    spacing_m = None if last.min_spacing_m is None else int(last.min_spacing_m)
    starts = {
        "p_period": last.period or default_period(sel, pool),
        "p_area": last.area,
        "p_top": last.top,
        "p_by": last.by,
        "p_method": last.method,
        "p_across": int(last.max_across_m),
        "p_spacing": spacing_m,
    }
    for key, value in starts.items():  # widgets hidden in meeting mode come back as they were
        if key not in st.session_state:
            st.session_state[key] = value
    periods: dict[Literal["sidebar", "latest"], str] = {
        "sidebar": f"Months chosen in the sidebar ({sel.start:%b %Y} – {sel.end:%b %Y})",
        "latest": latest_words(latest_months(pool)),
    }
    c1, c2 = st.columns(2)
    period = c1.radio("Period", list(periods), format_func=periods.get, key="p_period")
    n_wards = len(ds.wards)
    if sel.wards:
        areas: dict[Literal["chosen", "all"], str] = {
            "chosen": f"The {counted(len(sel.wards), 'ward')} chosen in the sidebar",
            "all": f"All {n_wards} wards of the data",
        }
        area = c2.radio("Area", list(areas), format_func=areas.get, key="p_area")
    else:
        area = last.area
        c2.markdown(f"**Area**: all {n_wards} wards of the data.")
        c2.caption("Choose wards in the sidebar to plan for fewer.")
    c3, c4, c5, c6, c7 = st.columns(5)
    top = c3.number_input("Localities (top N)", 1, 50, key="p_top")
    by = c4.radio("Rank by", list(RANKINGS), format_func=RANKINGS.get, key="p_by")
    method = c5.radio("Hot spots from", list(METHODS), format_func=METHODS.get, key="p_method")
    across = c6.number_input(
        "Largest size across (m)",
        100,
        500,
        step=10,
        key="p_across",
        help="One locality is one patrol stop: about 150–250 m across.",
    )
    spacing = c7.number_input(
        "Spacing between centres (m)",
        0,
        2000,
        step=10,
        key="p_spacing",
        placeholder=SPACING_AUTO,
        help=(
            "Smallest distance between two localities' centres. Left empty "
            f"(“{SPACING_AUTO}”): the same as the largest size across."
        ),
    )
    return Choices(
        period=period,
        area=area,
        top=int(top),
        by=by,
        method=method,
        max_across_m=float(across),
        min_spacing_m=None if spacing is None else float(spacing),
    )


def _summary(plan: PatrolPlan, ds: Dataset, request: Request) -> None:
    """One sentence: the period, the area and how much of it the localities hold."""
    summary = plan.metadata["summary"]
    names = dict(cached.filter_choices(ds).wards)  # once per data load
    area = (
        ", ".join(names.get(code, code) for code in request.wards)
        if request.wards
        else f"all {len(names)} wards"
    )
    st.markdown(
        f"**{month_text(request.period[0])} – {month_text(request.period[1])}**, "
        f"{markdown_text(area)}: "
        f"{summary['in_localities']:,} of {summary['incidents']:,} incidents "
        f"({summary['share_in_localities']:.1%}) in the top {len(plan.localities)} "
        f"localities, ranked by {RANKINGS[request.by].lower()}, hot spots from "
        f"{HOT_SPOTS_FROM[request.method]}."
    )
    forecast = (plan.metadata.get("backtest") or {}).get("forecast")
    if forecast:  # the hot spots behind the localities and how well they predicted
        st.caption(
            markdown_text(
                f"{forecast['hot_spots']} (forecast for {month_text(forecast['month'])}). "
                f"{forecast['backtest']}"
            )
        )


def _table(plan: PatrolPlan) -> None:
    """The ranked plan table, the timing note and the dosage rule."""
    if len(plan.localities) == 0:
        st.info(
            "No patrol locality: the method found no significant hot spot in this area and "
            "period, so patrols cannot be targeted from these data. Try another period, a "
            "larger area, or DBSCAN clusters."
        )
        return
    heading = trend_headings(plan)
    widths = dict(zip(FIRST_COLUMNS, FIRST_WIDTHS_PX, strict=True))
    shown, compared, dashed = _no_previous_dashed(tables.readable(display_table(plan)), heading)
    show_table(
        shown,
        column_config={
            **{name: st.column_config.Column(width=px) for name, px in widths.items()},
            "Peak days": st.column_config.Column(width=widths["Peak days"], help=PEAK_DAYS_HELP),
            "Peak months": st.column_config.Column(width=widths["Peak hours"]),
            "Incidents": st.column_config.NumberColumn(width=widths["Incidents"]),
            "Share (%)": st.column_config.NumberColumn(format="%.1f %%"),
            HARM_SCORE: st.column_config.NumberColumn(format="%,.0f"),
            **compared,
        },
        lines=3,  # a locality's name, its three peak windows, its visits: wrapped, whole
    )
    if dashed:
        st.caption(f"{NO_PREVIOUS} under “{heading['previous']}”: {NO_PREVIOUS_WORDS}.")
    if blank_everywhere(shown, "Peak days"):
        st.caption(f"No peak days: in every locality {_TOO_FEW_TIMED}.")
    like = trend_note(plan)
    if like:  # the trend counts fewer sources than "Incidents": said under the table
        st.caption(markdown_text(like))
    peaks = plan.metadata["peaks"]
    if month_only(plan):
        st.info(
            f"Peak **months**, not hours: {markdown_text(peaks['reason'])}. Visit at varied times; "
            "CAD or ASB logs with times would give the hour windows."
        )
    elif peaks.get("n_without_time"):
        st.caption(
            f"Peak hours from the {peaks['n_used']:,} incidents in the localities with a time "
            f"of day; {peaks['n_without_time']:,} have none (police.uk records give the month "
            "only)."
        )
    st.caption(markdown_text(plan.metadata["dosage_rule"]))
    harm = harm_note(plan)
    if harm:
        st.caption(markdown_text(harm))


def _no_previous_dashed(
    table: pd.DataFrame, heading: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, Any], bool]:
    """``table`` with the trend's counts (incidents compared, previous period) as text and
    ``"–"`` where the plan has no previous period (the grid shows a missing number as
    "None"), their column settings (whole numbers; the previous period's help says what a dash
    means) and whether any dash is shown."""
    columns = [heading[k] for k in ("incidents_compared", "previous") if heading[k] in table]
    help_text = (
        f"Incidents in the same place in the period before, as long; {NO_PREVIOUS}: "
        f"{NO_PREVIOUS_WORDS}"
    )
    dashed = missing_anywhere(table, heading["previous"])
    out = table.copy()
    config: dict[str, Any] = {}
    for column in columns:
        said = help_text if column == heading["previous"] else None
        if dashed:
            out[column] = [NO_PREVIOUS if pd.isna(n) else f"{n:,.0f}" for n in table[column]]
            config[column] = st.column_config.TextColumn(help=said, alignment="right")
        else:
            config[column] = st.column_config.NumberColumn(format="%.0f", help=said)
    return out, config, dashed


def _map(ds: Dataset, plan: PatrolPlan, key: tuple[str, ...]) -> None:
    """The localities over the ward outlines; the base map stays put across reruns."""
    base = maps.base_map(ds.wards)
    fresh_copy(cached.ward_names_layer(ds)).add_to(base)
    if meeting_mode():
        cast(folium.Figure, base.get_root()).header.add_child(folium.Element(MEETING_MAP_CSS))
        fill_screen(base, min_height_px=MAP_HEIGHT_PX)  # never smaller than outside a meeting
    centre, zoom = map_view(plan)
    layers = [cached.wards_layer(ds), _patrol_layer(key, _plan=plan)]
    bounds = view_bounds(plan)
    if bounds is not None:  # fitted in the browser, to the frame's size there
        layers.append(maps.fit_layer(bounds))
    st_map(
        base,
        key="patrol_map_meeting" if meeting_mode() else "patrol_map",
        feature_group_to_add=layers,
        center=centre,
        zoom=zoom,
        layer_control=maps.layer_control(),
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption(
        "Red: patrol localities, numbered by rank (click one for its details). Sensitive "
        "incidents (domestic abuse, sexual offences, stalking) never draw a place."
    )


def _limits(plan: PatrolPlan) -> None:
    """What the plan cannot say, and the parameters used."""
    st.subheader("What this plan cannot say")
    st.markdown("\n".join(f"- {markdown_text(text)}" for text in plan.limits))
    params = plan.metadata["localities_params"]
    st.caption(
        f"Localities at most {params['max_across_m']:.0f} m across (discs of "
        f"{params['disc_radius_m']:.0f} m radius), centres at least "
        f"{params['min_spacing_m']:.0f} m apart; {params['n_units']:,} candidate units in "
        f"{params.get('n_hot_areas', params.get('n_clusters', 0)):,} hot areas "
        f"({markdown_text(params['hot_areas'])}), {params['n_dropped']:,} dropped as too close "
        "to a better one."
    )


def _downloads(plan: PatrolPlan, key: tuple[str, ...]) -> None:
    """Six download buttons; each file is built (and cached) when its button is clicked."""
    if not login.allowed("download"):
        return
    st.subheader("Take it with you")
    for column, (kind, (label, file_name, mime)) in zip(
        st.columns(len(FILES)), FILES.items(), strict=True
    ):
        login.download_button(
            column,
            label,
            partial(_file, key, kind, _plan=plan),
            file_name=file_name,
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"p_{file_name}",
        )
    st.caption(
        "Files are built when you click (the briefing takes a few seconds: a map per "
        "locality). Only locality outlines and counts leave, never an incident's point."
    )
