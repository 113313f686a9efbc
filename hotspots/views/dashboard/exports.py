"""Exports of the Map page: the map as standalone HTML and as PNG, and the meeting pack.

Every file is built only when its button is clicked (``st.download_button`` with a callable,
run by Streamlit on its own thread after the click), so the page stays as fast as without the
buttons; the bytes are cached per dataset, selection and analysis parameters, so a second
click, or another user with the same filters, gets them at once. The builders are the pure
functions of :mod:`hotspots.views.documents.meeting_pack`, :mod:`hotspots.views.analysis_map` and
:mod:`hotspots.views.maps`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

import streamlit as st

from hotspots.analysis.analyse import Analysis
from hotspots.data.select import Selection
from hotspots.views import maps
from hotspots.views.analysis_map import COUNTS, DEFAULT_LAYERS, GISTAR, HOT_SPOTS, analysis_map
from hotspots.views.dashboard import cached, login
from hotspots.views.dashboard.state import Dataset

if TYPE_CHECKING:  # the pack's module (matplotlib) is imported when a file is built, so the
    # page's map is not kept waiting for it
    from hotspots.views.documents import meeting_pack as report


def _static_layer(show: Sequence[str]) -> report.MapLayer:
    """What the PNG and the pack shade: the hot spots when that layer is on, else Gi*, else
    counts (the hot spots when none of the three is on)."""
    for name, layer in ((HOT_SPOTS, "forecast"), (GISTAR, "gistar"), (COUNTS, "counts")):
        if name in show:
            return cast("report.MapLayer", layer)
    return "forecast"


def render_exports(
    ds: Dataset, sel: Selection, result: Analysis, *, show: Sequence[str] = DEFAULT_LAYERS
) -> None:
    """Draw the export section: four download buttons and the pack's title.

    Parameters
    ----------
    ds, sel
        The dataset and the sidebar's selection (named in the pack's header).
    result
        The analysis the map shows (from :func:`hotspots.views.dashboard.cached.analysis`).
    show
        Layers switched on in the map; the PNG shades the forecast hot spots when that layer
        is on, else Gi* classes, else counts (:func:`_static_layer`), and the standalone map
        opens with the same layers on.

    Nothing is drawn for a role that may not download; each file handed out is audited.
    """
    if not login.allowed("download"):
        return
    st.subheader("Export for the meeting")
    from hotspots.views.documents.selection_words import describe_selection

    words = describe_selection(sel, ward_names=dict(cached.filter_choices(ds).wards))
    period = words.pop("Period")
    title = st.text_input(
        "Title of the map and the meeting pack",
        value=f"{ds.label}: hotspots, {period}",
        key="x_title",
    )
    layer = _static_layer(show)
    # What the files depend on, hashed by the caches (the objects themselves are not).
    key = (ds.key, repr(sel), json.dumps(result.params, sort_keys=True))
    shown = tuple(show)

    def map_html() -> str:
        return _map_html(key, shown, _ds=ds, _result=result)

    def map_png() -> bytes:
        return _map_png(key, title, period, layer, _ds=ds, _result=result)

    def pack_html() -> str:
        return cast(
            str, _pack(key, "html", title, period, words, layer, _ds=ds, _sel=sel, _result=result)
        )

    def pack_pdf() -> bytes:
        return cast(
            bytes, _pack(key, "pdf", title, period, words, layer, _ds=ds, _sel=sel, _result=result)
        )

    buttons: list[tuple[str, Callable[[], str | bytes], str, str]] = [
        ("Map (HTML, works offline)", map_html, "hotspot_map.html", "text/html"),
        ("Map (PNG)", map_png, "hotspot_map.png", "image/png"),
        ("Meeting pack (HTML)", pack_html, "meeting_pack.html", "text/html"),
        ("Meeting pack (PDF)", pack_pdf, "meeting_pack.pdf", "application/pdf"),
    ]
    for column, (label, build, file_name, mime) in zip(
        st.columns(len(buttons)), buttons, strict=True
    ):
        login.download_button(
            column,
            label,
            build,
            file_name=file_name,
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"x_{file_name}",
        )
    st.caption(
        "Files are built when you click (a few seconds for the pack). The pack holds the map "
        "with the hot spots and how well they were tested, the top clusters, peak times, what "
        "changed since the previous period and the headline measures; sensitive incidents are "
        "never mapped."
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _map_html(
    key: tuple[str, ...], show: tuple[str, ...], *, _ds: Dataset, _result: Analysis
) -> str:
    return maps.map_html(analysis_map(_result, wards=_ds.wards, show=show))


@st.cache_data(max_entries=8, show_spinner=False)
def _map_png(
    key: tuple[str, ...],
    title: str,
    period: str,
    layer: report.MapLayer,
    *,
    _ds: Dataset,
    _result: Analysis,
) -> bytes:
    from hotspots.views.documents import meeting_pack as report

    return report.static_map_png(_result, _ds.wards, title=title, subtitle=period, layer=layer)


@st.cache_data(max_entries=8, show_spinner=False)
def _pack(
    key: tuple[str, ...],
    kind: str,
    title: str,
    period: str,
    filters: dict[str, str],
    layer: report.MapLayer,
    *,
    _ds: Dataset,
    _sel: Selection,
    _result: Analysis,
) -> str | bytes:
    from hotspots.products import measures
    from hotspots.views.documents import meeting_pack as report

    incidents = cached.selected(_ds, _sel)
    periods = measures.default_periods(incidents)
    headline = measures.headline_measures(
        incidents, current=periods.current, previous=periods.previous, coverage=_ds.coverage
    )
    options = {
        "title": title,
        "period": period,
        "filters": {
            **filters,
            **report.data_lines(_ds.coverage, headline.attrs["notes"], _sel.sources),
        },
        # a month the data do not cover is "no data": comparisons move to a covered one
        "changes": measures.what_changed(
            incidents, wards=_ds.wards, periods=periods, coverage=_ds.coverage
        ),
        "measures": headline,
        "layer": layer,
    }
    if kind == "pdf":
        return report.meeting_pack_pdf(_result, _ds.wards, **options)
    png = _map_png(key, title, period, layer, _ds=_ds, _result=_result)
    return report.meeting_pack_html(_result, _ds.wards, map_png=png, **options)
