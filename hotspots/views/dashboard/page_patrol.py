"""Patrol page: a ranked patrol plan for police — where to go, when, how often — and its limits.

Every figure comes from :func:`hotspots.products.patrol.patrol_plan` (cached per dataset, sidebar
selection and the page's choices); this page only shows it: the ranked table, the map
(:func:`hotspots.views.patrol_map.patrol_layer` over ward outlines), what the plan cannot say, and
the plan as GeoJSON, CSV, KML and a printable briefing (HTML, PDF), each built when its button
is clicked. Meeting mode shows the table and the map only, with the last choices made here.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Literal, cast

import folium
import numpy as np
import pandas as pd
import streamlit as st

from hotspots.data.select import Selection
from hotspots.products.patrol import (
    PatrolPlan,
    briefing_html,
    patrol_plan,
    to_csv,
    to_geojson,
    to_kml,
    write_briefing_pdf,
)
from hotspots.views import maps
from hotspots.views.dashboard import cached
from hotspots.views.dashboard.offline import st_map
from hotspots.views.dashboard.sidebar import MEETING_MAP_CSS, meeting_mode, sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset
from hotspots.views.patrol_map import patrol_layer

FileKind = Literal["geojson", "csv", "kml", "html", "pdf"]

FILES: dict[FileKind, tuple[str, str, str]] = {
    "geojson": ("GeoJSON (outlines)", "patrol_plan.geojson", "application/geo+json"),
    "csv": ("CSV (table)", "patrol_plan.csv", "text/csv"),
    "kml": ("KML (Google Earth)", "patrol_plan.kml", "application/vnd.google-earth.kml+xml"),
    "html": ("Briefing (HTML, print-ready)", "patrol_briefing.html", "text/html"),
    "pdf": ("Briefing (PDF)", "patrol_briefing.pdf", "application/pdf"),
}
"""Download buttons: kind → (label, file name, MIME type)."""

LATEST_MONTHS = 3
"""Length of the "latest months" period, months."""

MAP_WIDTH_PX, MAP_HEIGHT_PX = 800, 560
"""Map size assumed when fitting the view to the localities (the map is 560 px high and at
least about 800 px wide on a laptop)."""

METHODS: dict[Literal["gistar", "dbscan"], str] = {
    "gistar": "Gi* hot cells (H3)",
    "dbscan": "DBSCAN clusters",
}
RANKINGS: dict[Literal["count", "harm"], str] = {
    "count": "Incidents",
    "harm": "Harm (crime severity weights)",
}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
_CHOICES_KEY = "patrol_choices"


@dataclass(frozen=True)
class Choices:
    """What the user chose on the page (kept for meeting mode, which hides the controls).

    ``period`` is ``"sidebar"`` (the sidebar's months) or ``"latest"`` (the latest
    :data:`LATEST_MONTHS` months); ``area`` is ``"chosen"`` (the sidebar's wards) or ``"all"``;
    sizes in metres (``min_spacing_m`` ``None``: the same as ``max_across_m``).
    """

    period: Literal["sidebar", "latest"] | None = None
    area: Literal["chosen", "all"] = "chosen"
    top: int = 10
    by: Literal["count", "harm"] = "count"
    method: Literal["gistar", "dbscan"] = "gistar"
    max_across_m: float = 200.0
    min_spacing_m: float | None = None


@dataclass(frozen=True)
class Request:
    """One plan: the months (``"YYYY-MM"``), the wards of the area (empty: all) and options."""

    period: tuple[str, str]
    wards: tuple[str, ...]
    top: int
    by: Literal["count", "harm"]
    method: Literal["gistar", "dbscan"]
    max_across_m: float
    min_spacing_m: float | None


def render() -> None:
    """Draw the Patrol page."""
    ds = current_dataset()
    sel = sidebar_filters(ds)
    st.title("Patrol plan")
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
    _table(plan)
    _map(ds, plan, key)
    if meeting_mode():
        return
    _limits(plan)
    _downloads(plan, key)


def pool_selection(sel: Selection) -> Selection:
    """The sidebar's selection without its months and wards: the plan chooses its own period
    (and needs the months before it for the trend) and its own area."""
    return replace(sel, start=None, end=None, wards=())


def make_request(sel: Selection, pool: pd.DataFrame, choices: Choices) -> Request:
    """The plan's months and wards from the page's choices and the sidebar's selection.

    ``choices.period`` ``None`` picks the sidebar's months when they were narrowed, else the
    latest :data:`LATEST_MONTHS` months of ``pool`` (the selected incidents, all months).
    """
    period = choices.period or default_period(sel, pool)
    if period == "sidebar" and sel.start is not None and sel.end is not None:
        months = (f"{sel.start:%Y-%m}", f"{sel.end:%Y-%m}")
    else:
        months = _latest(pool)
    wards = tuple(sel.wards) if choices.area == "chosen" else ()
    return Request(
        period=months,
        wards=wards,
        top=int(choices.top),
        by=choices.by,
        method=choices.method,
        max_across_m=float(choices.max_across_m),
        min_spacing_m=None if choices.min_spacing_m is None else float(choices.min_spacing_m),
    )


def default_period(sel: Selection, pool: pd.DataFrame) -> Literal["sidebar", "latest"]:
    """``"sidebar"`` when the sidebar's months are narrower than the data, else ``"latest"``."""
    first, last = pool["month"].min(), pool["month"].max()
    narrowed = (sel.start is not None and sel.start > first) or (
        sel.end is not None and sel.end < last
    )
    return "sidebar" if narrowed else "latest"


def plan_display(plan: PatrolPlan) -> pd.DataFrame:
    """The plan table as shown: people's column names, share in per cent, months or hours.

    Examples
    --------
    >>> plan_display(plan)[["Rank", "Locality", "Incidents", "Share (%)"]]  # doctest: +SKIP
    """
    loc = plan.localities
    month_only = _month_only(plan)
    table = pd.DataFrame(
        {
            "Rank": loc["rank"].astype(int).to_numpy(),
            "Locality": loc["name"].to_numpy(),
            "Incidents": loc["incidents"].astype(int).to_numpy(),
            "Share (%)": (100 * loc["share"].astype(float)).to_numpy(),
            "Harm": loc["harm"].astype(float).to_numpy(),
            "Previous period": pd.to_numeric(loc["previous"]).to_numpy(),
            "Trend": loc["trend"].astype(object).fillna("–").to_numpy(),
            "Peak days": loc["peak_days"].to_numpy(),
            "Peak months" if month_only else "Peak hours": loc["windows"].to_numpy(),
            "Dosage": loc["dosage"].to_numpy(),
            "Crime mix": loc["crime_mix"].to_numpy(),
        }
    )
    return table.drop(columns="Peak days") if month_only else table


def map_view(
    plan: PatrolPlan, *, width_px: int = MAP_WIDTH_PX, height_px: int = MAP_HEIGHT_PX
) -> tuple[list[float] | None, int | None]:
    """Centre ``[lat, lon]`` and Leaflet zoom (10–17) showing every locality of the plan.

    The zoom is the largest at which the localities' bounds fit ``width_px`` × ``height_px``
    screen pixels (Web Mercator, 256-pixel tiles), less a margin; ``(None, None)`` (the base
    map's view) for a plan without localities.

    Examples
    --------
    >>> map_view(plan)  # doctest: +SKIP
    ([51.7497, -0.4722], 15)
    """
    if len(plan.localities) == 0:
        return None, None
    west, south, east, north = plan.localities.to_crs("EPSG:4326").total_bounds
    y_south, y_north = (np.log(np.tan(np.pi / 4 + np.radians(v) / 2)) for v in (south, north))
    fit = min(
        np.log2(width_px * 360 / (256 * max(east - west, 1e-6))),
        np.log2(height_px * 2 * np.pi / (256 * max(y_north - y_south, 1e-8))),
    )
    zoom = int(np.clip(np.floor(fit - 0.25), 10, 17))
    return [round(float(south + north) / 2, 6), round(float(west + east) / 2, 6)], zoom


def plan_file(plan: PatrolPlan, kind: FileKind) -> bytes:
    """The plan as a file's bytes: GeoJSON, CSV, KML 2.2, briefing HTML or PDF.

    Examples
    --------
    >>> plan_file(plan, "kml")[:38]  # doctest: +SKIP
    b"<?xml version='1.0' encoding='UTF-8'?>"
    """
    if kind == "html":
        return briefing_html(plan).encode("utf-8")
    writers = {"geojson": to_geojson, "csv": to_csv, "kml": to_kml, "pdf": write_briefing_pdf}
    if kind not in writers:
        raise ValueError(f"kind must be one of {list(FILES)}, got {kind!r}")
    with tempfile.TemporaryDirectory() as folder:
        return writers[kind](plan, Path(folder) / FILES[kind][1]).read_bytes()


def patrol_layer_for(ds: Dataset, sel: Selection) -> folium.FeatureGroup:
    """The patrol localities of the sidebar's selection, as on this page (its last choices,
    else the defaults), for the Map page's layer slot. Raises ``ValueError`` as ``patrol_plan``.
    """
    pool = cached.selected(ds, pool_selection(sel))
    choices = st.session_state.get(_CHOICES_KEY, Choices())
    request = make_request(sel, pool, choices)
    key = (ds.key, repr(pool_selection(sel)), repr(request))
    return _patrol_layer(key, _plan=_plan(key, _ds=ds, _sel=sel, _request=request))


# --------------------------------------------------------------------------- cached


@st.cache_resource(max_entries=16, show_spinner="Building the patrol plan…")
def _plan(key: tuple[str, ...], *, _ds: Dataset, _sel: Selection, _request: Request) -> PatrolPlan:
    wards = _ds.wards
    area = wards[wards["area_code"].isin(_request.wards)] if _request.wards else wards
    return patrol_plan(
        cached.selected(_ds, pool_selection(_sel)),
        study_area=area,
        period=_request.period,
        top=_request.top,
        by=_request.by,
        method=_request.method,
        max_across_m=_request.max_across_m,
        min_spacing_m=_request.min_spacing_m,
        wards=wards,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _file(key: tuple[str, ...], kind: FileKind, *, _plan: PatrolPlan) -> bytes:
    return plan_file(_plan, kind)


@st.cache_resource(max_entries=4, show_spinner=False)
def _wards_layer(key: str, *, _ds: Dataset) -> folium.FeatureGroup:
    return maps.ward_layer(_ds.wards, name_col="area_name", name="Wards")


@st.cache_resource(max_entries=16, show_spinner=False)
def _patrol_layer(key: tuple[str, ...], *, _plan: PatrolPlan) -> folium.FeatureGroup:
    return patrol_layer(_plan)


# --------------------------------------------------------------------------- sections


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
    latest = _latest(pool)
    periods: dict[Literal["sidebar", "latest"], str] = {
        "sidebar": f"Months chosen in the sidebar ({sel.start:%b %Y} – {sel.end:%b %Y})",
        "latest": f"Latest {LATEST_MONTHS} months of the data ({_month(latest[0])} – "
        f"{_month(latest[1])})",
    }
    c1, c2 = st.columns(2)
    period = c1.radio("Period", list(periods), format_func=periods.get, key="p_period")
    n_wards = len(ds.wards)
    if sel.wards:
        areas: dict[Literal["chosen", "all"], str] = {
            "chosen": f"The {len(sel.wards)} ward(s) chosen in the sidebar",
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
        placeholder="same as the size",
        help="Smallest distance between two localities' centres; empty: the largest size.",
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
    names = ds.wards.set_index("area_code")["area_name"]
    area = (
        ", ".join(names.get(code, code) for code in request.wards)
        if request.wards
        else f"all {len(names)} wards"
    )
    st.markdown(
        f"**{_month(request.period[0])} – {_month(request.period[1])}**, {_md(area)}: "
        f"{summary['in_localities']:,} of {summary['incidents']:,} incidents "
        f"({summary['share_in_localities']:.1%}) in the top {len(plan.localities)} "
        f"localities, ranked by {RANKINGS[request.by].lower()}, hot spots from "
        f"{METHODS[request.method]}."
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
    st.dataframe(
        plan_display(plan),
        hide_index=True,
        width="stretch",
        column_config={
            "Share (%)": st.column_config.NumberColumn(format="%.1f %%"),
            "Harm": st.column_config.NumberColumn(format="%.0f"),
            "Previous period": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    peaks = plan.metadata["peaks"]
    if _month_only(plan):
        st.info(
            f"Peak **months**, not hours: {_md(peaks['reason'])}. Visit at varied times; "
            "CAD or ASB logs with times would give the hour windows."
        )
    elif peaks.get("n_without_time"):
        st.caption(
            f"Peak hours from the {peaks['n_used']:,} incidents in the localities with a time "
            f"of day; {peaks['n_without_time']:,} have none (police.uk records give the month "
            "only)."
        )
    st.caption(_md(plan.metadata["dosage_rule"]))


def _map(ds: Dataset, plan: PatrolPlan, key: tuple[str, ...]) -> None:
    """The localities over the ward outlines; the base map stays put across reruns."""
    base = maps.base_map(ds.wards)
    if meeting_mode():
        cast(folium.Figure, base.get_root()).header.add_child(folium.Element(MEETING_MAP_CSS))
    centre, zoom = map_view(plan)
    st_map(
        base,
        key="patrol_map_meeting" if meeting_mode() else "patrol_map",
        feature_group_to_add=[_wards_layer(ds.key, _ds=ds), _patrol_layer(key, _plan=plan)],
        center=centre,
        zoom=zoom,
        layer_control=folium.LayerControl(collapsed=meeting_mode()),
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
    st.markdown("\n".join(f"- {_md(text)}" for text in plan.limits))
    params = plan.metadata["localities_params"]
    st.caption(
        f"Localities at most {params['max_across_m']:.0f} m across (discs of "
        f"{params['disc_radius_m']:.0f} m radius), centres at least "
        f"{params['min_spacing_m']:.0f} m apart; {params['n_units']:,} candidate units in "
        f"{params.get('n_hot_areas', params.get('n_clusters', 0)):,} hot areas "
        f"({_md(params['hot_areas'])}), {params['n_dropped']:,} dropped as too close to a "
        "better one."
    )


def _downloads(plan: PatrolPlan, key: tuple[str, ...]) -> None:
    """Five download buttons; each file is built (and cached) when its button is clicked."""
    st.subheader("Take it with you")
    for column, (kind, (label, file_name, mime)) in zip(
        st.columns(len(FILES)), FILES.items(), strict=True
    ):
        column.download_button(
            label,
            data=partial(_file, key, kind, _plan=plan),
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


# --------------------------------------------------------------------------- helpers


def _latest(pool: pd.DataFrame) -> tuple[str, str]:
    """The latest :data:`LATEST_MONTHS` months of the data, as ``("YYYY-MM", "YYYY-MM")``."""
    month = pool["month"].dt.to_period("M")
    last = month.max()
    return str(max(month.min(), last - (LATEST_MONTHS - 1))), str(last)


def _month_only(plan: PatrolPlan) -> bool:
    return bool(plan.metadata["peaks"].get("reason"))


def _month(period: str) -> str:
    return f"{pd.Period(period, 'M'):%b %Y}"


def _md(text: str) -> str:
    """Escape Markdown in text that comes from data (names, sources, reasons)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
