"""Audit log page (admins): who signed in, uploaded, downloaded, edited and deleted what, when;
and who may sign in (names and roles from the config file; never the password hashes)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotspots import store
from hotspots.core.access import config_path, load_auth_config
from hotspots.store.audit import ACTIONS
from hotspots.views import tables
from hotspots.views.dashboard.login import require
from hotspots.views.dashboard.store import session_store


def render() -> None:
    """Draw the Audit log page."""
    require("audit")
    engine = session_store()
    st.title("Audit log")
    c1, c2, c3 = st.columns([2, 2, 1])
    actions = c1.multiselect("Actions", list(ACTIONS), key="audit_actions", placeholder="All")
    user = c2.text_input("User (exact name)", key="audit_user").strip() or None
    limit = int(c3.number_input("Rows", 10, 100_000, 1000, step=100, key="audit_limit"))
    log = store.audit_log(engine, user=user, actions=actions or None, limit=limit)
    st.dataframe(tables.readable(log), hide_index=True, width="stretch", key="audit_table")
    st.caption(
        "Newest first. Every change to the store writes its row in the same transaction; "
        "sign-ins (and failed ones), uploads and downloads are recorded as they happen."
    )
    st.subheader("Users")
    config = load_auth_config()
    if config.mode == "none":
        st.info(
            "No login is configured: the dashboard runs open. Add users with "
            "`hotspots user add CONFIG NAME --role analyst` and start the dashboard with "
            "HOTSPOTS_CONFIG=CONFIG."
        )
        return
    users = pd.DataFrame(
        [{"user": u.name, "role": u.role} for u in config.users.values()], columns=["user", "role"]
    )
    st.dataframe(tables.readable(users), hide_index=True, key="audit_users")
    path = config_path()
    st.caption(
        f"Login mode: {config.mode}. Users and roles live in the config file "
        f"({path.name if path else ''}); add or change one with "
        "`hotspots user add CONFIG NAME --role ROLE` on the server."
    )
