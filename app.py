"""Streamlit entry point: the page registry only. Pages live in hotspots/dashboard/."""

import streamlit as st

from hotspots.views.dashboard import (
    page_areas,
    page_cctv,
    page_data,
    page_map,
    page_patrol,
    page_vawg,
    page_when,
    url_state,
)

st.set_page_config(page_title="hotspots — JAG dashboard", page_icon="🗺️", layout="wide")
map_page = st.Page(page_map.render, title="Map", url_path="map")
st.navigation(
    [
        # "/" opens the Map page at "/map", so every page has a URL of its own to share.
        st.Page(
            url_state.redirect_to(map_page), url_path="home", default=True, visibility="hidden"
        ),
        map_page,
        st.Page(page_when.render, title="When", url_path="when"),
        st.Page(page_areas.render, title="Areas & measures", url_path="areas"),
        st.Page(page_data.render, title="Data", url_path="data"),
        st.Page(page_vawg.render, title="VAWG", url_path="vawg"),
        st.Page(page_cctv.render, title="CCTV", url_path="cctv"),
        st.Page(page_patrol.render, title="Patrol", url_path="patrol"),
    ]
).run()
