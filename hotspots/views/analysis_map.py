"""The hotspot map of an :class:`~hotspots.analysis.analyse.Analysis`, one for every view.

The dashboard, the ``hotspots analyse`` command's standalone HTML and the meeting pack all
draw this map, so they show the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import geopandas as gpd
import numpy as np
import shapely

from hotspots.analysis.analyse import GISTAR_LABEL, Analysis
from hotspots.core.crs import WGS84, to_crs
from hotspots.products.captions import counts_title, hot_spot_backtest, hot_spot_title
from hotspots.views import maps

HOT_SPOTS = "Hot spots: where next month's crime is most likely"
"""The forecast's layer (:attr:`Analysis.forecast`): the hot spots a patrol should visit."""

GISTAR = f"{GISTAR_LABEL.capitalize()} (Gi*)"
"""The Gi* layer: "Statistically significant clusters of high counts (Gi*)", never the hot
spots (high counts nearby are not next month's crime)."""

COUNTS, CLUSTERS, WARDS = "Counts (H3)", "Clusters", "Wards"

LAYERS: tuple[str, ...] = (HOT_SPOTS, COUNTS, GISTAR, CLUSTERS, WARDS)
"""Layer names the user can toggle, in the order they are offered."""

DRAWING_ORDER: tuple[str, ...] = (WARDS, COUNTS, GISTAR, HOT_SPOTS, CLUSTERS)
"""The order :func:`analysis_layers` returns (and the map stacks) the layers, bottom first."""

DEFAULT_LAYERS: tuple[str, ...] = (HOT_SPOTS, CLUSTERS, WARDS)
"""Layers on at first: the forecast hot spots, not Gi* (its own optional layer)."""

PROFILE_POPUP = (
    "rank",
    "place",
    "n_incidents",
    "share",
    "top_category",
    "crime_mix",
    "top_locations",
    "first_month",
    "last_month",
    "trend",
    "peak_weekday",
    "peak_hour",
    "peak_note",
)


def analysis_layers(
    analysis: Analysis,
    *,
    wards: gpd.GeoDataFrame | None = None,
    ward_value: str | None = None,
    show: Iterable[str] = DEFAULT_LAYERS,
    only: Iterable[str] | None = None,
) -> list[folium.FeatureGroup]:
    """The data layers of the map: wards, H3 counts, Gi* clusters of high counts, the
    forecast hot spots (when the analysis has a forecast) and density clusters.

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    wards
        Ward polygons (``area_code``, ``area_name``; any CRS); ``ward_value`` names a column of
        it to shade (counts, rates), else outlines only.
    show
        Names from :data:`LAYERS` switched on at first (the others stay in the layer control).
    only
        Names from :data:`LAYERS` to build (``None``: all): a map that will never show a
        layer need not pay for it (the dashboard builds the layers switched on).
    """
    shown = set(show)
    built = set(LAYERS if only is None else only)
    cells = analysis.cells
    layers = []
    if wards is not None and WARDS in built:
        layers.append(
            maps.ward_layer(
                wards, value=ward_value, name_col="area_name", name=WARDS, show=WARDS in shown
            )
        )
    res = analysis.params["grid"]["res"]
    if COUNTS in built:
        layers.append(
            maps.hex_layer(
                cells[cells["count"] > 0],
                legend_title=counts_title(res),
                name=COUNTS,
                show=COUNTS in shown,
            )
        )
    if GISTAR in built:
        layers.append(
            maps.gistar_layer(
                cells, name=GISTAR, show=GISTAR in shown, legend_title=GISTAR_LABEL.capitalize()
            )
        )
    fc = analysis.forecast
    if fc is not None and "hot_spot" in cells.columns and HOT_SPOTS in built:
        layers.append(
            maps.hot_spot_layer(
                cells,
                legend_title=hot_spot_title(fc.coverage),
                note=hot_spot_backtest(fc),
                name=HOT_SPOTS,
                show=HOT_SPOTS in shown,
            )
        )
    clusters = clusters_layer(analysis, show=CLUSTERS in shown) if CLUSTERS in built else None
    if clusters is not None:
        layers.append(clusters)
    return layers


def clusters_layer(analysis: Analysis, *, show: bool = True) -> folium.FeatureGroup | None:
    """The density clusters' layer of :func:`analysis_layers` (outlines numbered by rank, each
    profile in its popup), or ``None`` without clusters: it reads the clusters alone."""
    profiles = analysis.profiles
    if not len(profiles):
        return None
    popup = [c for c in PROFILE_POPUP if c in profiles.columns]
    return maps.cluster_layer(
        profiles, label_col="rank", popup_cols=popup, name=CLUSTERS, show=show
    )


def hot_spot_labels(
    analysis: Analysis, *, top_n: int = 10, name: str = "Hot spot streets"
) -> folium.FeatureGroup:
    """The streets of the ``top_n`` largest clusters written on the map (their ``place``,
    "Street, Ward", shortened to the street), so a map without its basemap still says where
    the hot spots are. Add it after :func:`analysis_layers`, beside the ward names."""
    profiles = analysis.profiles
    drawn = profiles[~(profiles.geometry.isna() | profiles.geometry.is_empty)]
    if maps.PLACE_COL not in drawn.columns:
        return folium.FeatureGroup(name=name, control=False)
    top = drawn.sort_values(["n_incidents", "cluster"], ascending=[False, True]).head(top_n)
    streets = top.assign(street=top[maps.PLACE_COL].astype(str).str.rsplit(", ", n=1).str[0])
    hot = streets[["street", "geometry"]]
    return maps.label_layer(hot, text_col="street", name=name, css_class="hotspots-label-hot")


def hot_spot_bounds(analysis: Analysis, *, pad_m: float = 250.0) -> tuple[float, ...] | None:
    """Where the map opens: ``(west, south, east, north)`` in degrees around the most likely
    hot spots (the darker fifth of :func:`hotspots.views.maps.hot_spot_layer`), an outlying
    one (beyond the 5th–95th percentiles of their centres) left to a zoom out; ``None``
    without a forecast.

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    pad_m
        Margin round the hot spots, metres (at least 1 km across in all).
    """
    cells = analysis.cells
    if analysis.forecast is None or "hot_spot" not in cells.columns:
        return None
    chosen = cells[cells["hot_spot"].fillna(False).to_numpy(dtype=bool)]
    if len(chosen) == 0:
        return None
    top = chosen.sort_values("forecast_rank").head(max(1, len(chosen) // 5))
    centres = shapely.centroid(to_crs(top, WGS84).geometry.to_numpy())
    lon, lat = shapely.get_x(centres), shapely.get_y(centres)
    low, high = (5, 95) if len(top) >= 10 else (0, 100)
    west, east = np.percentile(lon, [low, high])
    south, north = np.percentile(lat, [low, high])
    mid = np.radians((south + north) / 2)
    dlat = max(pad_m, (1000 - (north - south) * 111_320) / 2) / 111_320
    dlon = max(pad_m, (1000 - (east - west) * 111_320 * np.cos(mid)) / 2) / (111_320 * np.cos(mid))
    return (
        float(west - dlon),
        float(south - dlat),
        float(east + dlon),
        float(north + dlat),
    )


def analysis_map(
    analysis: Analysis,
    *,
    wards: gpd.GeoDataFrame | None = None,
    ward_value: str | None = None,
    show: Iterable[str] = DEFAULT_LAYERS,
    extra: Iterable[folium.FeatureGroup] = (),
    tiles: bool = True,
) -> folium.Map:
    """The whole map (for export): :func:`analysis_layers` and ``extra`` layers on a base map.

    ``extra`` takes more layers (walkabout feedback, cameras, patrol localities), drawn on top;
    ``tiles``: the street basemap (:func:`hotspots.views.maps.basemap_source`; where its tiles
    cannot be reached the map says so and the names still orient the reader).
    """
    m = maps.base_map(wards if wards is not None else analysis.cells, tiles=tiles)
    names = [maps.label_layer(wards, name="Ward names")] if wards is not None else []
    for layer in [
        *analysis_layers(analysis, wards=wards, ward_value=ward_value, show=show),
        *extra,
        *names,
        hot_spot_labels(analysis),
    ]:
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
