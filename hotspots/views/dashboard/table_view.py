"""How a table is drawn on the dashboard: the one place that chooses between the interactive
grid and, in meeting mode, a static table a projector can show whole."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hotspots.views import tables
from hotspots.views.dashboard.sidebar import meeting_mode


def show_table(
    table: pd.DataFrame, *, key: str | None = None, column_config: dict[str, Any] | None = None
) -> None:
    """Draw ``table`` (from :func:`hotspots.views.tables.readable`).

    In meeting mode, a static table whose headings and cells wrap to the page's width, so every
    column's heading and values can be read at a projector's large type
    (:func:`~hotspots.views.tables.meeting_style`); otherwise the interactive grid (sort,
    scroll, ``column_config``), as wide as the page.
    """
    if meeting_mode():
        st.table(tables.meeting_style(table))
        return
    st.dataframe(table, hide_index=True, width="stretch", key=key, column_config=column_config)
