"""A tiny Streamlit app showing a hotspots map through st_folium, for the offline browser test.

Run by tests/browser/test_streamlit_map.py with ``streamlit run``. The radio button swaps the
hex layer for the Gi* layer; the data layer goes through ``feature_group_to_add`` so a rerun
swaps it inside the live map (same zoom and position) instead of re-mounting the map.
"""

import folium
import streamlit as st
from frames import dacorum_cells, dacorum_gistar, dacorum_wards

from hotspots.views import maps
from hotspots.views.dashboard import offline

RES = 8

st.set_page_config(page_title="hotspots map test", layout="wide")
layer = st.radio("Layer", ["Counts", "Hot spots"], horizontal=True)
wards = dacorum_wards()
m = maps.base_map(wards)
maps.ward_layer(wards).add_to(m)
if layer == "Counts":
    data_layer = maps.hex_layer(dacorum_cells(RES), legend_title="Crimes and ASB")
else:
    data_layer = maps.gistar_layer(dacorum_gistar(RES))
offline.st_map(
    m,
    key="map",
    feature_group_to_add=data_layer,
    layer_control=folium.LayerControl(),
    height=560,
    use_container_width=True,
    returned_objects=[],
)
