"""Streamlit entry point: the login and the page registry. Pages live in hotspots/dashboard/.

Only the pages the user's role may use are registered (hotspots.core.access), so the others
have no URL; each page checks the role again. A page's module is imported when the page is
first opened (not all at start: the first map is not kept waiting for the PDF and CCTV code).
"""

from collections.abc import Callable
from importlib import import_module

import streamlit as st

from hotspots.views.dashboard import login, url_state


def lazy(module: str) -> Callable[[], None]:
    """The ``render`` of ``hotspots.views.dashboard.<module>``, imported when first called."""

    def render() -> None:
        import_module(f"hotspots.views.dashboard.{module}").render()

    render.__name__ = module
    return render


st.set_page_config(page_title="hotspots — JAG dashboard", page_icon="🗺️", layout="wide")
with login.error_boundary():
    login.login_gate()
    map_page = st.Page(lazy("page_map"), title="Map", url_path="map")
    pages = [
        # "/" opens the Map page at "/map", so every page has a URL of its own to share.
        (
            "view",
            st.Page(
                url_state.redirect_to(map_page), url_path="home", default=True, visibility="hidden"
            ),
        ),
        ("view", map_page),
        ("view", st.Page(lazy("page_when"), title="When", url_path="when")),
        ("view", st.Page(lazy("page_areas"), title="Areas & measures", url_path="areas")),
        ("upload", st.Page(lazy("page_data"), title="Data", url_path="data")),
        ("edit", st.Page(lazy("page_vawg"), title="VAWG", url_path="vawg")),
        ("edit", st.Page(lazy("page_cctv"), title="CCTV", url_path="cctv")),
        ("view", st.Page(lazy("page_patrol"), title="Patrol", url_path="patrol")),
        ("audit", st.Page(lazy("page_audit"), title="Audit log", url_path="audit")),
    ]
    st.navigation([page for need, page in pages if login.allowed(need)]).run()
