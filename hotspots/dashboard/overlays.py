"""Extra map layers: walkabout feedback and CCTV cameras (the bundled demo lists)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots import datasets, maps
from hotspots.schema import WGS84


@st.cache_resource(show_spinner=False)
def _points(name: str) -> gpd.GeoDataFrame:
    table = pd.read_csv(datasets.demo_path(name), dtype={"bearing_deg": float, "fov_deg": float})
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84
    )


def feedback_layer() -> folium.FeatureGroup:
    """VAWG walkabout feedback points (reason, comment, time of concern, severity)."""
    return maps.points_layer(
        _points("feedback"),
        popup_cols=["feedback_id", "reason", "comment", "time_of_concern", "severity"],
        tooltip_col="reason",
        colour="#e7298a",
        name="Walkabout feedback",
    )


def cameras_layer() -> folium.FeatureGroup:
    """CCTV cameras (type, view range, status)."""
    return maps.points_layer(
        _points("cameras"),
        popup_cols=["camera_id", "name", "type", "range_m", "status"],
        tooltip_col="name",
        colour="#1b9e77",
        name="CCTV cameras",
    )
