"""CCTV layers of the maps: what each camera sees, outlined by status, with escaped tooltips.

Examples
--------
>>> camera_views_layer(store.list_cameras(engine)).add_to(m)  # doctest: +SKIP
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from hotspots.products.cctv import camera_views
from hotspots.views import maps

VIEW_COLOURS: dict[str, str] = {"active": "#1b9e77", "faulty": "#d95f02", "proposed": "#7570b3"}
"""Outline colour of a camera's view by status (any other status: grey)."""
_OTHER_STATUS = "#7f7f7f"


def camera_views_layer(
    cameras: pd.DataFrame, *, name: str = "Camera views", show: bool = True
) -> folium.FeatureGroup:
    """What each camera sees: a circle (PTZ) or a sector (bearing, field of view, range).

    Drawn from :func:`hotspots.products.cctv.camera_views` (metres in the working CRS, then WGS84,
    coordinates rounded to 5 decimals); outlined green when active, orange when faulty, purple
    when proposed (a siting plan), grey otherwise; the tooltip names the camera (escaped), its
    type, range and status.

    Parameters
    ----------
    cameras
        Camera table (:func:`hotspots.store.list_cameras`).
    name, show
        Layer name in a ``folium.LayerControl`` and whether it is on at first.

    Examples
    --------
    >>> camera_views_layer(store.list_cameras(engine)).add_to(m)  # doctest: +SKIP
    """
    views = camera_views(cameras)
    colour = views["status"].map(VIEW_COLOURS).fillna(_OTHER_STATUS).to_numpy()
    label = (
        views["name"].where(views["name"] != "", views["camera_id"]).astype(str)
        + " ("
        + views["camera_id"].astype(str)
        + "): "
        + views["type"]
        + ", "
        + views["range_m"].round().astype(int).astype(str)
        + " m, "
        + views["status"]
    )
    shown = gpd.GeoDataFrame(
        {"label": label.to_numpy(), "colour": colour},
        geometry=views.geometry.to_numpy(),
        crs=views.crs,
    )
    return maps.outline_layer(shown, tooltip_col="label", colour_col="colour", name=name, show=show)
