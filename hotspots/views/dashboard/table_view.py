"""How a table is drawn on the dashboard: the one place that chooses between the interactive
grid and, in meeting mode, a static table a projector can show whole."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hotspots.views import tables
from hotspots.views.dashboard.sidebar import meeting_mode

HEADER_PX = 38
"""The height of the grid's heading row (px), added when the grid is sized to its rows."""


def show_table(
    table: pd.DataFrame,
    *,
    key: str | None = None,
    column_config: dict[str, Any] | None = None,
    lines: int = 1,
) -> None:
    """Draw ``table`` (from :func:`hotspots.views.tables.readable`).

    In meeting mode, a static table whose headings and cells wrap to the page's width, so every
    column's heading and values can be read at a projector's large type
    (:func:`~hotspots.views.tables.meeting_style`); otherwise the interactive grid (sort,
    scroll, ``column_config``), as wide as the page. With ``lines`` over 1, the grid's rows
    are that many lines of text high and a long text wraps in its cell (the grid wraps text in
    rows over 64 px): a column given a narrow ``width`` in ``column_config`` then keeps its
    text whole, and the grid is as tall as its rows (no scrolling inside it).
    """
    if meeting_mode():
        st.table(tables.meeting_style(table))
        return
    sized: dict[str, Any] = {}
    if lines > 1:
        row = max(_WRAPS_OVER_PX + 1, LINE_PX * lines + 8)
        sized = {"row_height": row, "height": HEADER_PX + row * len(table) + 2}
    st.dataframe(
        table, hide_index=True, width="stretch", key=key, column_config=column_config, **sized
    )


LINE_PX = 21
"""One line of the grid's text (px)."""

_WRAPS_OVER_PX = 64
"""Streamlit's grid wraps a cell's text only in rows higher than this (4rem)."""
