"""Map layers of the operational store: walkabout feedback and CCTV cameras (their views:
:func:`hotspots.views.cctv_map.camera_views_layer`).

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

from hotspots import store
from hotspots.views import maps, tables

FEEDBACK_COLOUR = "#1d3557"
"""Navy with a white ring: stands out on the pink-to-red crime cells and Gi* hot cells."""
FEEDBACK_RADIUS_PX = 8
FEEDBACK_POPUP = {
    "feedback_id": "Feedback point",
    "reason": "Reason",
    "comment": "Comment",
    "time_of_concern": "Time of concern",
    "severity": "Severity",
}
"""Feedback columns in the marker's popup → their headings."""
CAMERA_COLOUR = "#1b9e77"


def feedback_layer(feedback: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
    """VAWG walkabout feedback points (reason, comment, time of concern, severity), escaped:
    navy markers with a white ring drawn above every cell layer, reasons as their labels.

    Parameters
    ----------
    feedback
        Points from :func:`hotspots.store.list_feedback` (EPSG:4326); ``None`` reads every
        point of the session's store.

    Examples
    --------
    >>> feedback_layer(store.list_feedback(engine, min_severity=4))  # doctest: +SKIP
    """
    if feedback is None:
        from hotspots.views.dashboard.store import session_store  # SQLAlchemy: when drawn

        feedback = store.list_feedback(session_store())
    shown = tables.with_labels(feedback).rename(columns=FEEDBACK_POPUP)
    return maps.points_layer(
        shown,
        popup_cols=list(FEEDBACK_POPUP.values()),
        tooltip_col="Reason",
        colour=FEEDBACK_COLOUR,
        radius=FEEDBACK_RADIUS_PX,
        name="Walkabout feedback",
        above_cells=True,
    )


def cameras_layer(cameras: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup:
    """CCTV camera positions (type, view range in metres, status), escaped.

    Parameters
    ----------
    cameras
        From :func:`hotspots.store.list_cameras` (EPSG:4326); ``None`` reads every camera of
        the session's store.
    """
    if cameras is None:
        from hotspots.views.dashboard.store import session_store  # SQLAlchemy: when drawn

        cameras = store.list_cameras(session_store())
    return maps.points_layer(
        cameras,
        popup_cols=["camera_id", "name", "type", "range_m", "status"],
        tooltip_col="name",
        colour=CAMERA_COLOUR,
        radius=4,
        name="CCTV cameras",
    )


def __getattr__(name: str) -> object:
    """``camera_views_layer`` at its old path, imported on use (the CCTV siting code brings
    scipy.optimize: not loaded for every map)."""
    if name == "camera_views_layer":
        from hotspots.views.cctv_map import camera_views_layer

        return camera_views_layer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
