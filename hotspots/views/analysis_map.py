"""The hotspot map of an :class:`~hotspots.analysis.analyse.Analysis`, one for every view.

The dashboard, the ``hotspots analyse`` command's standalone HTML and the meeting pack all
draw this map, so they show the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import geopandas as gpd

from hotspots.analysis.analyse import Analysis
from hotspots.views import maps

LAYERS: tuple[str, ...] = ("Counts (H3)", "Hot and cold spots (Gi*)", "Clusters", "Wards")
"""Layer names the user can toggle, in drawing order."""

PROFILE_POPUP = (
    "rank",
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
    show: Iterable[str] = LAYERS,
) -> list[folium.FeatureGroup]:
    """The data layers of the map: wards, H3 counts, Gi* hot/cold spots, clusters.

    Parameters
    ----------
    analysis
        From :func:`hotspots.analysis.analyse.analyse`.
    wards
        Ward polygons (``area_code``, ``area_name``; any CRS); ``ward_value`` names a column of
        it to shade (counts, rates), else outlines only.
    show
        Names from :data:`LAYERS` switched on at first (the others stay in the layer control).
    """
    shown = set(show)
    cells = analysis.cells
    layers = []
    if wards is not None:
        layers.append(
            maps.ward_layer(
                wards, value=ward_value, name_col="area_name", name="Wards", show="Wards" in shown
            )
        )
    res = analysis.params["grid"]["res"]
    layers.append(
        maps.hex_layer(
            cells[cells["count"] > 0],
            legend_title=f"Incidents per H3 cell (res {res})",
            name="Counts (H3)",
            show="Counts (H3)" in shown,
        )
    )
    layers.append(
        maps.gistar_layer(
            cells, name="Hot and cold spots (Gi*)", show="Hot and cold spots (Gi*)" in shown
        )
    )
    profiles = analysis.profiles
    if len(profiles):
        popup = [c for c in PROFILE_POPUP if c in profiles.columns]
        layers.append(
            maps.cluster_layer(
                profiles,
                label_col="rank",
                popup_cols=popup,
                name="Clusters",
                show="Clusters" in shown,
            )
        )
    return layers


def analysis_map(
    analysis: Analysis,
    *,
    wards: gpd.GeoDataFrame | None = None,
    ward_value: str | None = None,
    show: Iterable[str] = LAYERS,
    extra: Iterable[folium.FeatureGroup] = (),
    tiles: bool = False,
) -> folium.Map:
    """The whole map (for export): :func:`analysis_layers` and ``extra`` layers on a base map.

    ``extra`` takes more layers (walkabout feedback, cameras, patrol localities), drawn on top;
    ``tiles`` offers OpenStreetMap tiles (off by default: the data draw on a plain background).
    """
    m = maps.base_map(wards if wards is not None else analysis.cells, tiles=tiles)
    for layer in [
        *analysis_layers(analysis, wards=wards, ward_value=ward_value, show=show),
        *extra,
    ]:
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
