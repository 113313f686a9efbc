"""Every dashboard page (AppTest, demo data): tables a JAG can read, and nothing of the server.

Each page is drawn as the app draws it; then every table it shows is checked (headings in
words, not ``snake_case``; numbers rounded; no ``00:00:00`` dates) and every text on it is
checked for connection strings and server paths (issue 13, items 5 and 8).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # every page on the demo data: about a minute

PAGES = ("map", "when", "areas", "data", "vawg", "cctv", "patrol", "audit")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
REPO = Path(__file__).resolve().parents[1]
SERVER_TEXT = re.compile(
    r"sqlite:|postgres(ql)?(\+\w+)?://|://[^ ]*@|(?<![\w.])/(home|work|srv|tmp|usr|var|opt|root)/"
    r"|\.sqlite\b|[A-Z]:\\\\"
)
"""What must never reach the screen: a database URL, a server path, a database file."""
DECIMALS = {"Latitude": 5, "Longitude": 5}
"""Columns allowed more than :data:`MAX_DECIMALS` decimals (a position needs them)."""
MAX_DECIMALS = 3


def _page(name: str) -> None:
    import importlib

    import streamlit as st

    from hotspots.views.dashboard.state import current_dataset

    st.session_state["dataset"] = current_dataset()
    importlib.import_module(f"hotspots.views.dashboard.page_{name}").render()


@pytest.fixture(scope="module", params=PAGES)
def page(request, db) -> AppTest:
    at = AppTest.from_function(_page, args=(request.param,), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    if request.param == "cctv":  # the siting table is drawn on demand
        at.toggle(key="cctv_plan").set_value(True).run()
    if request.param == "vawg":  # a logged action, so the tracker's tables show too
        at.selectbox(key="vawg_action_feedback").set_value("FB-001").run()
        next(b for b in at.button if b.label == "Create action").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """Every text the page shows, tables included."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "code", "text", "exception"):  # fmt: skip
        texts += [str(e.value) for e in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        shown = frame.value
        texts += [" ".join(map(str, shown.columns)), shown.astype(str).to_string()]
    return texts


def test_no_connection_string_or_server_path_on_the_page(page: AppTest) -> None:
    for text in _texts(page):
        assert not SERVER_TEXT.search(text), text
        assert str(REPO) not in text, text


def test_every_table_has_word_headings_rounded_numbers_and_plain_dates(page: AppTest) -> None:
    for frame in page.dataframe:
        shown = frame.value
        if hasattr(shown, "data"):  # a Styler
            shown = shown.data
        snake = [c for c in shown.columns if SNAKE.match(str(c))]
        assert not snake, f"snake_case headings {snake} in {list(shown.columns)}"
        assert "00:00:00" not in shown.astype(str).to_string()
        for column in shown.columns:
            values = (
                pd.to_numeric(shown[column], errors="coerce")
                if shown[column].dtype.kind == "f"
                else None
            )
            if values is None:
                continue
            places = DECIMALS.get(str(column), MAX_DECIMALS)
            finite = values[np.isfinite(values)]
            assert np.allclose(finite, finite.round(places)), (column, finite.head().tolist())


def test_the_pages_tables_were_seen(page: AppTest) -> None:
    """The checks above looked at something: every page but the audit log shows a table."""
    assert len(page.dataframe) >= 1 or page.title[0].value.startswith("Audit")


def test_the_map_and_when_pages_count_the_same_incidents(db) -> None:
    """One selection, one total: the Map page's "Incidents" is the When page's count (the
    sensitive incidents of small groups left out of both, so no difference reveals them)."""
    shown = {}
    for name in ("map", "when"):
        at = AppTest.from_function(_page, args=(name,), default_timeout=300).run()
        assert not at.exception, [e.value for e in at.exception]
        shown[name] = at
    [incidents] = [m.value for m in shown["map"].metric if m.label == "Incidents"]
    said = next(c.value for c in shown["when"].caption if " incidents in " in c.value)
    assert said.startswith(f"{incidents} incidents in "), (incidents, said)
