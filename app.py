"""Streamlit entry point: the login and the page registry. Pages live in hotspots/dashboard/.

Only the pages the user's role may use are registered (hotspots.core.access), so the others
have no URL; each page checks the role again.
"""

import streamlit as st

from hotspots.views.dashboard import (
    login,
    page_areas,
    page_audit,
    page_cctv,
    page_data,
    page_map,
    page_patrol,
    page_vawg,
    page_when,
    url_state,
)

st.set_page_config(page_title="hotspots — JAG dashboard", page_icon="🗺️", layout="wide")
with login.error_boundary():
    login.login_gate()
    map_page = st.Page(page_map.render, title="Map", url_path="map")
    pages = [
        # "/" opens the Map page at "/map", so every page has a URL of its own to share.
        (
            "view",
            st.Page(
                url_state.redirect_to(map_page), url_path="home", default=True, visibility="hidden"
            ),
        ),
        ("view", map_page),
        ("view", st.Page(page_when.render, title="When", url_path="when")),
        ("view", st.Page(page_areas.render, title="Areas & measures", url_path="areas")),
        ("upload", st.Page(page_data.render, title="Data", url_path="data")),
        ("edit", st.Page(page_vawg.render, title="VAWG", url_path="vawg")),
        ("edit", st.Page(page_cctv.render, title="CCTV", url_path="cctv")),
        ("view", st.Page(page_patrol.render, title="Patrol", url_path="patrol")),
        ("audit", st.Page(page_audit.render, title="Audit log", url_path="audit")),
    ]
    st.navigation([page for need, page in pages if login.allowed(need)]).run()
