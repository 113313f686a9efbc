"""Map layers of the operational store: walkabout feedback, CCTV cameras and their views.

Records come from the session's store (:mod:`hotspots.views.dashboard.store`), so a point saved on
the VAWG page or a camera imported appears on every map at the next rerun. Every text a user
typed (comments, camera names) is escaped before it reaches a tooltip or popup.

Examples
--------
>>> layers = [feedback_layer(), cameras_layer()]  # doctest: +SKIP
>>> views = camera_views_layer(store.list_cameras(engine))  # doctest: +SKIP
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from hotspots import store
from hotspots.products.cctv import camera_views
from hotspots.views import maps
from hotspots.views.dashboard.store import session_store

FEEDBACK_COLOUR = "#e7298a"
CAMERA_COLOUR = "#1b9e77"
VIEW_COLOURS: dict[str, str] = {"active": "#1b9e77", "faulty": "#d95f02", "proposed": "#7570b3"}
"""Outline colour of a camera's view by status (any other status: grey)."""
_OTHER_STATUS = "#7f7f7f"


def feedback_layer(feedback: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
    """VAWG walkabout feedback points (reason, comment, time of concern, severity), escaped.

    Parameters
    ----------
    feedback
        Points from :func:`hotspots.store.list_feedback` (EPSG:4326); ``None`` reads every
        point of the session's store.

    Examples
    --------
    >>> feedback_layer(store.list_feedback(engine, min_severity=4))  # doctest: +SKIP
    """
    points = store.list_feedback(session_store()) if feedback is None else feedback
    return maps.points_layer(
        points,
        popup_cols=["feedback_id", "reason", "comment", "time_of_concern", "severity"],
        tooltip_col="reason",
        colour=FEEDBACK_COLOUR,
        name="Walkabout feedback",
    )


def cameras_layer(cameras: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
    """CCTV camera positions (type, view range in metres, status), escaped.

    Parameters
    ----------
    cameras
        From :func:`hotspots.store.list_cameras` (EPSG:4326); ``None`` reads every camera of
        the session's store.
    """
    points = store.list_cameras(session_store()) if cameras is None else cameras
    return maps.points_layer(
        points,
        popup_cols=["camera_id", "name", "type", "range_m", "status"],
        tooltip_col="name",
        colour=CAMERA_COLOUR,
        radius=4,
        name="CCTV cameras",
    )


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
