"""Map page: the forecast hot spots with their backtest, H3 counts, Gi* clusters of high counts,
density clusters and wards, with tuning for analysts."""

from __future__ import annotations

from functools import partial
from typing import Literal, TypedDict, cast

import folium
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from hotspots.analysis.analyse import Analysis
from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import (
    DBSCAN_MAX_EPS_M,
    DBSCAN_MIN_SAMPLES_FLOOR,
    GI_K,
    H3_RES,
    HOT_MIN_BIN,
)
from hotspots.core.disclosure import SMALL_GROUPS_NOTE, WITHHELD
from hotspots.data.select import Selection, wards_in
from hotspots.products.captions import (
    HOT_SPOT_METRIC,
    HOT_SPOT_PERCENTS,
    hot_spot_caption,
    hot_spot_metric,
    map_caption,
)
from hotspots.views import maps, tables
from hotspots.views.analysis_map import (
    DEFAULT_LAYERS,
    DRAWING_ORDER,
    LAYERS,
    hot_spot_bounds,
    hot_spot_labels,
)
from hotspots.views.dashboard import cached, exports, overlays, url_state
from hotspots.views.dashboard.login import allowed, require
from hotspots.views.dashboard.offline import fill_screen, fresh_copy, st_map
from hotspots.views.dashboard.sidebar import MEETING_MAP_CSS, meeting_mode, sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset
from hotspots.views.dashboard.text import markdown_text


class _Tuning(TypedDict):
    res: int
    k: int
    method: Literal["dbscan", "hdbscan"]
    eps_m: float | None
    min_samples: int | None
    coverage: float


_METHODS: tuple[Literal["dbscan", "hdbscan"], ...] = ("dbscan", "hdbscan")


def _tuning() -> _Tuning:
    """Analyst controls; defaults (and meeting mode) let the analysis choose."""
    with st.expander("Tuning (analysts)", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        levels = [7, 8, 9, 10, 11]
        res = c1.select_slider("H3 resolution", options=levels, value=H3_RES, key="t_res")
        k = c2.select_slider("Gi* neighbours (k-ring)", options=[1, 2, 3], value=GI_K, key="t_k")
        method = c3.radio("Clusters", _METHODS, horizontal=True, key="t_method")
        auto = c4.checkbox("Choose eps and min_samples for me", value=True, key="t_auto")
        eps_m = min_samples = None
        if not auto:
            c5, c6 = st.columns(2)
            eps = int(DBSCAN_MAX_EPS_M)
            eps_m = float(c5.number_input("eps (metres)", 10, 2000, eps, step=10, key="t_eps"))
            floor = DBSCAN_MIN_SAMPLES_FLOOR
            min_samples = int(c6.number_input("min_samples", 2, 5000, floor, key="t_ms"))
    return {
        "res": res,
        "k": k,
        "method": method,
        "eps_m": eps_m,
        "min_samples": min_samples,
        "coverage": cached.DEFAULT_ANALYSIS["coverage"],
    }


def _coverage(where: DeltaGenerator) -> float:
    """The share of the area marked as hot spots (1/3/5/10 %), picked in ``where``; meeting
    mode keeps the last."""
    default = cached.DEFAULT_HOT_SPOT_PERCENT
    if meeting_mode():
        return int(url_state.initial("m_cover", options=HOT_SPOT_PERCENTS, default=default)) / 100
    url_state.seed("m_cover", options=HOT_SPOT_PERCENTS, default=default)
    pct = where.selectbox(
        "Hot spot area",
        options=HOT_SPOT_PERCENTS,
        format_func=lambda p: f"{p} %",
        key="m_cover",
        help="The forecast marks this share of the area where next month's crime is most "
        "likely; the caption says how much of the next month's crime such a share held when "
        "tested on the past months.",
    )
    url_state.keep("m_cover")
    url_state.write_url({"m_cover": default})
    return int(pct) / 100


OVERLAYS = {
    "m_feedback": "Walkabout feedback",
    "m_cameras": "CCTV cameras",
    "m_patrol": "Patrol localities",
}
"""Store and patrol layers the user can add: widget key → label."""

_POINT_OVERLAYS = ("m_feedback", "m_cameras")
"""Overlays of points (feedback, cameras): offered only to roles that may see points."""


def _offered() -> dict[str, str]:
    """The overlays this user's role may add."""
    return {k: v for k, v in OVERLAYS.items() if k not in _POINT_OVERLAYS or allowed("points")}


def _layer_choices(
    where: DeltaGenerator, more: DeltaGenerator
) -> tuple[list[str], dict[str, bool]]:
    """The analysis layers shown (picked in ``where``) and the overlays wanted (ticked in a
    small "More layers" box in ``more``, beside the pickers: one row of controls above the
    map). Meeting mode hides the pickers but keeps what was chosen (kept across pages and in
    the URL)."""
    default = list(DEFAULT_LAYERS)
    if meeting_mode():
        show = list(url_state.initial("m_layers", options=LAYERS, default=default))
        return show, {key: bool(url_state.initial(key, default=False)) for key in _offered()}
    url_state.seed("m_layers", options=LAYERS, default=default)
    show = where.multiselect("Layers on the map", LAYERS, key="m_layers")
    wanted = {}
    offered = _offered()
    for key in offered:
        url_state.seed(key, default=False)
    on = sum(bool(st.session_state.get(key)) for key in offered)
    box = more.popover(
        f"More layers ({on} on)" if on else "More layers",
        icon=":material/layers:",
        use_container_width=True,
        help=", ".join(offered.values()),
    )
    for key, label in offered.items():
        wanted[key] = box.checkbox(label, key=key)
    for key in ("m_layers", *offered):
        url_state.keep(key)
    url_state.write_url({"m_layers": default})
    return show, wanted


MAP_HEIGHT_PX, MEETING_MAP_HEIGHT_PX = 560, 480
"""Map heights: a laptop leaves room for the pickers; in meeting mode the map comes first and
fills the screen below the title (:func:`~hotspots.views.dashboard.offline.fill_screen`), at
least this high."""


def _overlays(
    ds: Dataset,
    sel: Selection,
    wanted: dict[str, bool],
    layers: list[folium.FeatureGroup],
    notes: DeltaGenerator,
) -> None:
    """Add the store and patrol layers the user wants (of those :func:`_offered`)."""
    if wanted.get("m_feedback"):
        layers.append(overlays.feedback_layer())
    if wanted.get("m_cameras"):
        layers.append(overlays.cameras_layer())
    if wanted.get("m_patrol"):
        # imported here: the patrol planner (scipy.spatial) is not loaded for every map
        from hotspots.views.dashboard import page_patrol

        try:
            layers.append(page_patrol.patrol_layer_for(ds, sel))
        except ValueError as err:
            notes.caption(f"Patrol localities: {markdown_text(err)}")


CLUSTER_COLUMNS = (
    "rank", "top_locations", "n_incidents", "share", "top_category", "crime_mix", "trend",
    "first_month", "last_month", "peak_weekday", "peak_hour", "area_m2", "density_per_km2",
)  # fmt: skip
"""The cluster profile columns the Map page lists, in order (the internal label left out)."""


def cluster_table(profiles: pd.DataFrame) -> pd.DataFrame:
    """The clusters as listed: numbered by rank (as on the map), readable headings and units."""
    shown = profiles.sort_values("rank")[[c for c in CLUSTER_COLUMNS if c in profiles.columns]]
    return tables.readable(shown)


def render() -> None:
    """Draw the Map page."""
    require("view")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="Where: hotspots")
    # Top down, so a laptop (1366 × 768) sees the headline figures and the map at once: the
    # figures (under the map in meeting mode), one row of pickers, the map, its notes; the
    # analysts' tuning under them (rarely changed, it need not push the map down).
    head = st.container()
    layers_at, share_at, more_at = st.columns([4, 1, 1.2], vertical_alignment="bottom")
    map_at, below, notes = st.container(), st.container(), st.container()
    params = cast(_Tuning, dict(cached.DEFAULT_ANALYSIS))
    if not meeting_mode() and allowed("tune"):
        with st.container():
            params = _tuning()
    params["coverage"] = _coverage(share_at)
    inc = cached.selected(ds, sel)
    if len(inc) == 0:
        st.warning("No incidents match the filters: widen the months, groups or wards.")
        return
    key = cached.analysis_key(ds, sel, params)
    try:
        # the clusters' layer, labels and table made while the forecast is worked out beside
        meanwhile = partial(_from_clusters, ds, sel, params, key)
        result = cached.analysis(ds, sel, **params, meanwhile=meanwhile)
    except ValueError as err:
        st.warning(str(err))
        return

    show, wanted = _layer_choices(layers_at, more_at)
    # st_folium draws every layer it is given (whatever its ``show``), so layers left out are
    # swapped for empty groups (st_map draws a fresh copy of each cached layer every time).
    # Only the layers shown are built (and cached), so a layer switched off costs nothing.
    built = {
        layer.layer_name: layer for layer in cached.analysis_layers_for(ds, sel, show, **params)
    }
    layers = [built.get(name, folium.FeatureGroup(control=False)) for name in DRAWING_ORDER]
    _overlays(ds, sel, wanted, layers, notes)
    # the streets of the largest clusters, so the map says where they are without a basemap
    layers.append(_labels(key, _result=result))
    # The map opens on the chosen wards, else on the most likely hot spots of every incident
    # (the first view's analysis, cached): a change of group, type, month or hour keeps the
    # same base map (the data layers are swapped inside it), so the map keeps its position and
    # zoom and does not reload; returned_objects=[] means panning never reruns.
    hot = None if sel.wards else _opening_bounds(ds, result, params)
    # Meeting mode: large legends (CSS in the map's own page; a new key redraws the map with
    # it) and the map filling the screen below the title.
    base = maps.base_map(wards_in(ds.wards, sel.wards) if hot is None else hot)
    fresh_copy(cached.ward_names_layer(ds)).add_to(base)
    if meeting_mode():
        cast(folium.Figure, base.get_root()).header.add_child(folium.Element(MEETING_MAP_CSS))
        fill_screen(base, min_height_px=MEETING_MAP_HEIGHT_PX)
    with map_at:
        _draw_map(base, layers)
    cached.warm_groups(ds, sel, show, **params)  # the next filter change, analysed ahead
    _figures(below if meeting_mode() else head, inc, result)
    _notes(notes, result)
    if not meeting_mode() and len(result.profiles):
        st.subheader("Clusters")
        st.dataframe(
            _cluster_table(key, _result=result), hide_index=True, width="stretch", key="m_clusters"
        )
        st.caption("No.: the cluster's number on the map, in exports and briefings.")
    exports.render_exports(ds, sel, result, show=show)


def _draw_map(base: folium.Map, layers: list[folium.FeatureGroup]) -> None:
    """The map with its layers: the layer list folded on a narrow map (a laptop) and in
    meeting mode, so it never covers the hot spots at first sight."""
    st_map(
        base,
        key="hotspot_map_meeting" if meeting_mode() else "hotspot_map",
        feature_group_to_add=layers,
        layer_control=maps.layer_control(),
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
    )


def _figures(where: DeltaGenerator, inc: pd.DataFrame, result: Analysis) -> None:
    """The five headline figures in one row, the hot spots' share widest (its label whole)."""
    fc = result.forecast
    clusters = result.params["clusters"]
    cols = where.columns([1, 1.7, 1, 0.8, 1])
    cols[0].metric("Incidents", f"{len(inc):,}", help=SMALL_GROUPS_NOTE)
    caught, caught_help = hot_spot_metric(fc)
    cols[1].metric(HOT_SPOT_METRIC, caught, help=caught_help)
    cols[2].metric(
        "High-count cells",
        result.n_hot_cells,
        help="Statistically significant clusters of high counts (Gi*, "
        f"{GI_CONFIDENCE[HOT_MIN_BIN]} confidence or more): not a forecast.",
    )
    cols[3].metric("Clusters", clusters["n_clusters"])
    cols[4].metric("Clustered share", f"{result.clustered_share:.0%}")


def _notes(notes: DeltaGenerator, result: Analysis) -> None:
    """What the map shows in plain words, under it; how it was made one click away."""
    p = result.params
    fc = result.forecast
    left = p.get("sensitive_left_out_of_map_layers", 0)
    plain, technical = map_caption(
        p, n_hot_cells=result.n_hot_cells, clustered_share=result.clustered_share
    )
    if fc is not None:  # the hot spots and their tested accuracy, first and on their own
        hot_plain, hot_technical = hot_spot_caption(fc)
        technical = f"{hot_technical}\n\n{technical}"
    else:
        hot_plain = f"No hot spot forecast: {p.get('forecast', {}).get('skipped', 'none')}."
    notes.caption(hot_plain)
    said = [plain]
    if left:
        shown = p.get("sensitive_left_out_shown", left)  # a number, "<5" or "withheld"
        said.append(
            f"{'Some' if shown == WITHHELD else shown} sensitive incidents (domestic abuse, "
            "sexual offences, stalking) are not mapped; they are counted by ward on the Areas "
            "page."
        )
    notes.caption(" ".join(said))
    with notes.expander("How this map was made"):
        st.caption(technical)


def _opening_bounds(ds: Dataset, shown: Analysis, params: _Tuning) -> tuple[float, ...] | None:
    """Where the map opens: the most likely hot spots of every incident (the first view's
    analysis), else (too few incidents) of ``shown``; once per dataset and settings."""
    try:
        first = cached.analysis(ds, cached.first_view(ds), **params)
    except ValueError:
        return hot_spot_bounds(shown)
    return _bounds((ds.key, tuple(sorted(params.items()))), _first=first)


# Per selection and settings (``key``: dataset, selection, analysis parameters), what each
# rerun drew from the same analysis again: a filter change back to a selection seen, a layer
# switched, meeting mode, reads them (st_map draws a fresh copy of a cached layer).


def _from_clusters(
    ds: Dataset, sel: Selection, params: _Tuning, key: tuple[object, ...], result: Analysis
) -> None:
    """What the page draws from the clusters of ``result`` alone (their layer, labels and
    table), made and kept for the analysis (:func:`cached.analysis`'s ``meanwhile``)."""
    cached.clusters_layer(ds, sel, params, result)
    _labels(key, _result=result)
    if not meeting_mode() and len(result.profiles):
        _cluster_table(key, _result=result)


@st.cache_resource(max_entries=16, show_spinner=False)
def _labels(key: tuple[object, ...], *, _result: Analysis) -> folium.FeatureGroup:
    return hot_spot_labels(_result, name="Streets of the largest clusters")


@st.cache_resource(max_entries=16, show_spinner=False)
def _cluster_table(key: tuple[object, ...], *, _result: Analysis) -> pd.DataFrame:
    return cluster_table(_result.profiles)


@st.cache_resource(max_entries=4, show_spinner=False)
def _bounds(key: tuple[object, ...], *, _first: Analysis) -> tuple[float, ...] | None:
    return hot_spot_bounds(_first)
