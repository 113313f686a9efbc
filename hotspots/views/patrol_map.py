"""The patrol-locality layer of the dashboard maps: outlines, rank labels and escaped popups.

Built from :mod:`hotspots.views.maps` builders, so it loads nothing from a CDN and escapes every
text:
the outlines (:func:`hotspots.views.maps.cluster_layer`) and their centres
(:func:`hotspots.views.maps.points_layer`) carry the same popup (locality, incidents, share, trend,
peak days, windows, dosage); the centre (a dot) has a tooltip naming the locality, and a red
disc over it shows the rank (moved aside, with a line back, where two discs would overlap).
Only locality aggregates are drawn, never an incident.

Examples
--------
>>> from hotspots.views import maps
>>> m = maps.base_map(plan.wards)  # doctest: +SKIP
>>> patrol_layer(plan).add_to(m)  # doctest: +SKIP
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from hotspots.core.crs import to_crs
from hotspots.products.patrol.plan import TREND_ONLY, PatrolPlan
from hotspots.views import maps

COLOUR = "#e31a1c"
"""Outline and marker colour of the localities (the briefing's red)."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "rank",
    "name",
    "centre_lon",
    "centre_lat",
    "incidents",
    "share",
    "windows",
    "dosage",
)
"""Columns :func:`patrol_layer` needs (``PatrolPlan.localities`` has them all)."""

_LABEL_PX = 22  # side of the rank label, screen pixels

MAP_WIDTH_PX, MAP_HEIGHT_PX = 800, 560
"""Map size assumed when fitting the view to the localities (the dashboard's map is 560 px
high and at least about 800 px wide on a laptop)."""


def patrol_layer(
    plan_or_localities: PatrolPlan | gpd.GeoDataFrame,
    *,
    name: str = "Patrol localities",
    colour: str = COLOUR,
    show: bool = True,
) -> folium.FeatureGroup:
    """The localities of a patrol plan as one map layer, best first.

    One outline and one centre marker per locality, both with a popup table (locality, incidents,
    share of the area's incidents, trend, peak days, peak hour windows — or months for
    month-only data — and the dosage), the centre's tooltip ``"1. Bridge Street, Hemel Hempstead
    Town"`` and the rank written at the centre. All text is HTML-escaped.

    Parameters
    ----------
    plan_or_localities
        A :class:`~hotspots.products.patrol.PatrolPlan`, or its ``localities`` GeoDataFrame (any
        CRS;
        drawn in EPSG:4326) with the columns of :data:`REQUIRED_COLUMNS`.
    name
        Layer name in a ``folium.LayerControl``.
    colour
        Outline, fill and marker colour.
    show
        Whether the layer is on at first.

    Returns
    -------
    folium.FeatureGroup
        Holds the outlines, the centres and the rank labels; an empty plan gives an empty group.

    Raises
    ------
    ValueError
        When given incidents rather than localities (rows flagged ``sensitive`` are refused:
        they are never drawn as points), or a frame missing the columns above.

    Examples
    --------
    >>> plan = patrol_plan(incidents, study_area="E07000096")  # doctest: +SKIP
    >>> m = maps.base_map(plan.wards)  # doctest: +SKIP
    >>> patrol_layer(plan).add_to(m)  # doctest: +SKIP
    """
    localities = _localities(plan_or_localities)
    colour = to_hex(colour)
    table = _popup_frame(localities)
    popup_cols = [c for c in table.columns if c not in ("tooltip", "geometry")]
    outlines = maps.cluster_layer(
        table,
        label_col="",
        popup_cols=popup_cols,
        colour=colour,
        name=name,
        legend="patrol localities (about 15-minute visits)",
    )
    centres = gpd.GeoDataFrame(
        table.drop(columns="geometry"),
        geometry=gpd.points_from_xy(localities["centre_lon"], localities["centre_lat"]),
        crs="EPSG:4326",
    )
    markers = maps.points_layer(
        centres, popup_cols=popup_cols, tooltip_col="tooltip", colour=colour, radius=5
    )
    group = maps.layer_group(name, show=show)
    for part in (outlines, markers):
        part.control = False  # one entry in the layer control: the whole group
        group.add_child(part)
    for rank, lon, lat in zip(
        localities["rank"], localities["centre_lon"], localities["centre_lat"], strict=True
    ):
        _rank_label(int(rank), float(lat), float(lon), colour).add_to(group)
    return group


def _localities(plan_or_localities: PatrolPlan | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The localities frame, checked: localities only, with the columns the layer shows."""
    if isinstance(plan_or_localities, PatrolPlan):
        localities = plan_or_localities.localities
    elif isinstance(plan_or_localities, gpd.GeoDataFrame):
        localities = plan_or_localities
    else:
        raise TypeError(
            "patrol_layer takes a PatrolPlan or its localities GeoDataFrame (from "
            f"hotspots.products.patrol.patrol_plan), got {type(plan_or_localities).__name__}"
        )
    if "sensitive" in localities.columns:
        raise ValueError(
            "patrol_layer draws patrol localities, not incidents: this frame has a 'sensitive' "
            "column, and incidents (domestic abuse, sexual offences, stalking above all) are "
            "never drawn as points; pass patrol_plan(...).localities"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in localities.columns]
    if missing:
        raise ValueError(
            f"patrol_layer: the localities lack column(s) {missing}; build them with "
            "hotspots.products.patrol.patrol_plan"
        )
    centres = localities[["centre_lon", "centre_lat"]].to_numpy(dtype=float)
    if not np.isfinite(centres).all():
        raise ValueError("patrol_layer: some localities have no centre (centre_lon/centre_lat)")
    return localities.sort_values("rank", kind="stable")


def _popup_frame(localities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """What the popups show, as columns named for people (values escaped by hotspots.views.maps)."""
    label = localities["rank"].astype(int).astype(str) + ". " + localities["name"].astype(str)
    shown: dict[str, object] = {
        "tooltip": label.to_numpy(),
        "Locality": label.to_numpy(),
        "Incidents": localities["incidents"].astype(int).to_numpy(),
        "Share of the area's incidents": [
            f"{100 * s:.1f} %" for s in localities["share"].astype(float)
        ],
    }
    if "trend" in localities.columns:
        shown["Trend"] = localities["trend"].fillna("no trend").astype(str).to_numpy()
    only = localities.attrs.get(TREND_ONLY)
    if only and "trend" in localities.columns:
        # like with like: the trend counts fewer sources than "Incidents"; the two counts it
        # compares, headed with the sources they count
        shown.pop("Trend")
        shown[f"Trend ({only})"] = [
            f"{trend} ({now:.0f} against {before:.0f} in the previous period)"
            if pd.notna(trend) and pd.notna(now) and pd.notna(before)
            else "no trend"
            for trend, now, before in zip(
                localities["trend"], localities["incidents_compared"], localities["previous"],
                strict=True,
            )
        ]  # fmt: skip
    if "peak_days" in localities.columns and (localities["peak_days"].fillna("") != "").any():
        shown["Peak days"] = localities["peak_days"].to_numpy()
    month_only = "peak_basis" in localities.columns and set(localities["peak_basis"]) == {"month"}
    shown["Peak months" if month_only else "Peak windows"] = localities["windows"].to_numpy()
    shown["Dosage"] = localities["dosage"].to_numpy()
    frame = pd.DataFrame(shown, index=localities.index)
    return gpd.GeoDataFrame(frame, geometry=localities.geometry.to_numpy(), crs=localities.crs)


def _rank_label(rank: int, lat: float, lon: float, colour: str = COLOUR) -> folium.Marker:
    """The rank written in a red, white-edged disc over the centre (a dot); where two discs
    would overlap the map moves the later rank aside, with a line back to its centre
    (:mod:`hotspots.views.maps`). Clicks pass to the outline and the dot below."""
    style = (
        f"width:{_LABEL_PX}px;height:{_LABEL_PX}px;line-height:{_LABEL_PX - 4}px;"
        f"box-sizing:border-box;border:2px solid #fff;border-radius:50%;background:{colour};"
        "box-shadow:0 1px 3px rgba(0,0,0,.45);text-align:center;font:bold 13px sans-serif;"
        "color:#fff;pointer-events:none"
    )
    icon = folium.DivIcon(
        html=f'<div class="hotspots-rank" style="{style}">{rank}</div>',
        icon_size=(_LABEL_PX, _LABEL_PX),
        icon_anchor=(_LABEL_PX // 2, _LABEL_PX // 2),
        class_name="hotspots-rank-label",
    )
    return folium.Marker([lat, lon], icon=icon, interactive=False, keyboard=False)


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
    west, south, east, north = to_crs(plan.localities, "EPSG:4326").total_bounds
    y_south, y_north = (np.log(np.tan(np.pi / 4 + np.radians(v) / 2)) for v in (south, north))
    fit = min(
        np.log2(width_px * 360 / (256 * max(east - west, 1e-6))),
        np.log2(height_px * 2 * np.pi / (256 * max(y_north - y_south, 1e-8))),
    )
    zoom = int(np.clip(np.floor(fit - 0.25), 10, 17))
    return [round(float(south + north) / 2, 6), round(float(west + east) / 2, 6)], zoom


CONTEXT_SHARE, CONTEXT_MIN_M = 0.3, 500.0
"""Room around the localities in the patrol map's view: this share of their extent on each
side, at least this many metres (the streets and ward names around them, for context)."""


def view_bounds(plan: PatrolPlan) -> tuple[float, float, float, float] | None:
    """West, south, east, north (lon/lat) the patrol map fits (:func:`~hotspots.views.maps.
    fit_layer`): every locality, with :data:`CONTEXT_SHARE` of their extent (at least
    :data:`CONTEXT_MIN_M`) around them, so the numbered discs read at any screen size and the
    district around them shows; ``None`` for a plan without localities.

    Examples
    --------
    >>> view_bounds(plan)  # doctest: +SKIP
    (-0.5061, 51.7282, -0.4143, 51.7761)
    """
    if len(plan.localities) == 0:
        return None
    west, south, east, north = to_crs(plan.localities, "EPSG:4326").total_bounds
    metres_per_degree = 111_320.0
    across = max(east - west, 1e-9) * metres_per_degree * np.cos(np.radians((south + north) / 2))
    tall = max(north - south, 1e-9) * metres_per_degree
    pad_x = max(CONTEXT_SHARE * across, CONTEXT_MIN_M) / across * (east - west or 1e-9)
    pad_y = max(CONTEXT_SHARE * tall, CONTEXT_MIN_M) / tall * (north - south or 1e-9)
    return (
        round(float(west - pad_x), 6),
        round(float(south - pad_y), 6),
        round(float(east + pad_x), 6),
        round(float(north + pad_y), 6),
    )
