"""When page: hour × weekday, monthly trend with last year, peak windows — for a chosen focus.

The focus is every selected incident, one ward, one crime group or one DBSCAN cluster of the
Map page (its default parameters). Month-only police.uk records feed the monthly trend and
peak months only: the page says why there is no hour chart rather than drawing a false
midnight peak.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS, HourWeekday
from hotspots.core.disclosure import TIME_FILTER_NOTE
from hotspots.data.schema import CATEGORIES
from hotspots.data.select import Selection, values_present, ward_choices
from hotspots.products.peak_times import (
    FOCUS_KINDS,
    SHARED_HOURS_NOTE,
    Focus,
    PeakTimes,
    hour_day_rows,
    peak_times,
)
from hotspots.views import tables
from hotspots.views.dashboard import cached
from hotspots.views.dashboard.login import require
from hotspots.views.dashboard.sidebar import meeting_mode, sidebar_filters
from hotspots.views.dashboard.state import Dataset, current_dataset
from hotspots.views.dashboard.table_view import show_table
from hotspots.views.dashboard.text import markdown_text

MAP_DEFAULTS: dict = cached.DEFAULT_ANALYSIS
"""The Map page's default analysis parameters, whose clusters the focus offers."""


def when_products(ds: Dataset, sel: Selection, focus: Focus) -> PeakTimes:
    """:func:`~hotspots.products.peak_times.peak_times` of the incidents of ``sel`` in
    ``focus`` (cached), with the months the selected sources cover: a month they do not cover
    is "no data" in the monthly trend, never zero."""
    return _when_products(ds.key, repr(sel), repr(focus), _ds=ds, _sel=sel, _focus=focus)


@st.cache_resource(max_entries=32, show_spinner="Profiling times…")
def _when_products(
    key: str, sel_key: str, focus_key: str, *, _ds: Dataset, _sel: Selection, _focus: Focus
) -> PeakTimes:
    shown = cached.selected(_ds, _sel)
    coverage = _ds.coverage
    if coverage is not None and _sel.sources:
        coverage = coverage.only(_sel.sources)
    if coverage is not None and len(coverage.months()) == 0:
        coverage = None  # sources it does not know: the months of the data
    if _focus.kind == "A cluster":
        labels = cached.analysis(_ds, _sel, **MAP_DEFAULTS).clusters.labels
        return peak_times(shown, _focus, cluster_labels=labels, coverage=coverage)
    undated = cached.selected(_ds, replace(_sel, start=None, end=None))
    return peak_times(shown, _focus, undated=undated, coverage=coverage)


def render() -> None:
    """Draw the When page."""
    require("view")
    ds = current_dataset()
    sel = sidebar_filters(ds, title="When: peaks in time")
    shown = cached.selected(ds, sel)
    if len(shown) == 0:
        st.warning("No incidents match the filters: widen the months, groups or wards.")
        return
    focus = _choose_focus(ds, sel, shown)
    if focus is None:
        return
    out = when_products(ds, sel, focus)
    if out.n == 0:
        st.warning(f"No selected incidents in {markdown_text(focus.label)}.")
        return
    c = out.coverage
    st.caption(
        f"{out.n:,} incidents in {markdown_text(focus.label)}: {c['share_with_time']:.0%} have "
        f"a time of day ({c['with_time']:,}), {c['share_with_window']:.0%} a from–to window "
        f"({c['with_window']:,}), counted in part in each hour it may have happened in."
    )
    _heatmap(out.profile)
    _monthly(out)
    _peaks(out.peaks)


def _choose_focus(ds: Dataset, sel: Selection, shown: gpd.GeoDataFrame) -> Focus | None:
    c1, c2 = st.columns([2, 3])
    kind = c1.radio("Focus", FOCUS_KINDS, horizontal=True, key="w_focus")
    if kind == "A ward":
        names = ward_choices(ds.wards, incidents=shown)
        present = list(names)
        if not present:
            st.warning("No selected incident lies in a ward.")
            return None
        code = str(c2.selectbox("Ward", present, format_func=lambda c: names[c], key="w_ward"))
        return Focus(kind, code, f"{names[code]} ward")
    if kind == "A crime group":
        groups = values_present(shown, "category", order=CATEGORIES)
        group = c2.selectbox("Crime group", groups, key="w_group")
        return Focus(kind, group, f"the group {group}")
    if kind == "A cluster":
        try:
            profiles = cached.analysis(ds, sel, **MAP_DEFAULTS).profiles
        except ValueError as err:
            st.warning(str(err))
            return None
        if len(profiles) == 0:
            st.info("The Map page's default DBSCAN finds no cluster in this selection.")
            return None
        profiles = profiles.sort_values("rank")  # the Map page's numbering
        ranks = dict(zip(profiles["cluster"], profiles["rank"], strict=True))
        labels = {
            int(row.cluster): f"Cluster {int(row.rank)}: {int(row.n_incidents):,} incidents, "
            f"mostly {row.top_category}"
            for row in profiles.itertuples()
        }
        cluster = c2.selectbox("Cluster (Map page)", list(labels), format_func=labels.__getitem__,
                               key="w_cluster")  # fmt: skip
        return Focus(kind, cluster, f"cluster {int(ranks[cluster])}")
    return Focus()


def _heatmap(profile: HourWeekday) -> None:
    st.subheader("Hour of the day × day of the week")
    if not profile.available or profile.table is None:
        st.info(f"No hour × weekday chart: {profile.reason}.")
        return
    long = hour_day_rows(profile.table)
    big = meeting_mode()
    # Every weekday and hour keeps its label in both modes: no label is dropped for overlap,
    # the rows are tall enough for the meeting type size (which is larger).
    axis = {
        "labelOverlap": False,
        "labelFontSize": 17 if big else 12,
        "titleFontSize": 17 if big else 12,
    }
    spec = {
        "mark": "rect",
        "height": len(profile.table.index) * (40 if big else 30),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "usermeta": {"embedOptions": {"renderer": "svg"}},  # labels are text a test can read
        "encoding": {
            "x": {"field": "hour", "type": "ordinal", "title": "Hour of the day",
                  "axis": {**axis, "labelAngle": 0}},
            "y": {"field": "weekday", "type": "ordinal", "sort": list(profile.table.index),
                  "title": None, "axis": axis},
            "color": {"field": "incidents", "type": "quantitative", "title": "Incidents",
                      "scale": {"scheme": "orangered"},
                      "legend": {"labelFontSize": 15 if big else 11,
                                 "titleFontSize": 15 if big else 11}},
            "tooltip": [{"field": "Day"}, {"field": "Hour"}, {"field": "Incidents"}],
        },
    }  # fmt: skip
    st.vega_lite_chart(long, spec, width="stretch")
    left_out = profile.n_without_time + profile.n_long_windows
    st.caption(
        f"{profile.n_used:,} incidents with a time of day"
        + (f"; {left_out:,} without one (or with a window over "
           f"{profile.max_window_hours:g} h) are left out" if left_out else "")
        + f". {SHARED_HOURS_NOTE} "
        + TIME_FILTER_NOTE
    )  # fmt: skip


SAME_SOURCES = "Selected months, same sources as a year earlier"
"""The monthly chart's line of the months counted over the sources a year earlier counts
(where a source is left out of that comparison: like with like)."""


def year_earlier_note(left_out: dict[pd.Timestamp, list[str]]) -> str:
    """What the chart says when a year-earlier figure leaves a source out (``left_out``:
    month → sources left out of it and its month a year earlier)."""
    sources = sorted({s for names in left_out.values() for s in names})
    months = [m.strftime("%b %Y") for m in sorted(left_out)]
    when = (
        ", ".join(months[:-1]) + f" and {months[-1]}" if 1 < len(months) <= 3
        else months[0] if len(months) == 1
        else f"{len(months)} months from {months[0]} to {months[-1]}"
    )  # fmt: skip
    return (
        f"Like with like: in {when} the year-earlier line counts only the sources covering "
        f"both months, leaving out {' and '.join(sources)} (no data in one of them); compare "
        f"it with the dotted line “{SAME_SOURCES}”, not with the whole count."
    )


def _monthly(out: PeakTimes) -> None:
    """The monthly line, broken at months with no data (a grey band labelled "no data"), never
    drawn as zero; a month a source has not published yet is a hollow point labelled so
    (:meth:`~hotspots.products.peak_times.PeakTimes.partial_marks`)."""
    st.subheader("Monthly trend, with the same months a year earlier")
    monthly = out.monthly
    left_out = monthly.attrs.get("left_out", {})
    lines = {"incidents": "Selected months", "a_year_earlier": "A year earlier"}
    wide = monthly[list(lines)]
    if left_out:  # like with like: the months' counts of the sources a year earlier counts
        lines["same_sources"] = SAME_SOURCES
        wide = wide.assign(same_sources=out.like_for_like())
    long = (
        wide.rename(columns=lines)
        .rename_axis("month")
        .reset_index()
        .melt("month", var_name="series", value_name="incidents")
    )  # a month without data stays in, empty: the line breaks there
    long.attrs = {}  # (the months left out are said under the chart, not sent with it)
    month = {"field": "month", "type": "temporal", "timeUnit": "yearmonth"}
    series = {"domain": list(lines.values()),
              "range": ["#b2182b", "#8c8c8c", "#b2182b"][: len(lines)]}  # fmt: skip
    line = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {**month, "title": None},
            "y": {"field": "incidents", "type": "quantitative", "title": "Incidents"},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": series,
                "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2.5, "labelLimit": 400},
            },
            "strokeDash": {  # same title as color: one legend with solid and dashed lines
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": series["domain"], "range": [[1, 0], [5, 4], [1, 3]]},
            },
            "tooltip": [
                {**month, "title": "Month", "format": "%b %Y"},
                {"field": "series", "title": "Line"},
                {
                    "field": "incidents",
                    "type": "quantitative",
                    "title": "Incidents",
                    "format": ",.0f",
                },
            ],
        },
    }
    gaps = [  # a band centred on the month's point, half way to its neighbours
        {
            "month": m.start_time.isoformat(),
            "from": (m.start_time - ((m.start_time - (m - 1).start_time) / 2)).isoformat(),
            "to": (m.start_time + ((m + 1).start_time - m.start_time) / 2).isoformat(),
        }
        for m in out.months_without_data
    ]
    layers: list[dict] = [line]
    marks = out.partial_marks()
    if marks:  # a month a source has not published: a hollow point, labelled, over the line
        at = {
            "x": {"field": "month", "type": "temporal"},
            "y": {"field": "incidents", "type": "quantitative"},
        }
        layers += [
            {"data": {"values": marks},
             "mark": {"type": "point", "filled": True, "fill": "white", "stroke": "#b2182b",
                      "strokeWidth": 2.5, "size": 160, "opacity": 1},
             "encoding": {**at, "tooltip": [{"field": "label", "title": "Note"}]}},
            {"data": {"values": out.partial_labels()},  # once per run of months
             "mark": {"type": "text", "align": "right", "dx": -10, "dy": -16,
                      "fontSize": 17 if meeting_mode() else 13, "color": "#b2182b"},
             "encoding": {**at, "text": {"field": "label"}}},
        ]  # fmt: skip
    if gaps:
        layers = [
            {
                "data": {"values": gaps},
                "mark": {"type": "rect", "color": "#bdbdbd", "opacity": 0.35},
                "encoding": {"x": {"field": "from", "type": "temporal"}, "x2": {"field": "to"}},
            },
            {
                "data": {"values": gaps},
                "mark": {"type": "text", "text": "no data", "angle": 270, "baseline": "middle",
                         "color": "#525252", "fontSize": 13, "y": 12, "align": "right"},
                "encoding": {"x": {"field": "month", "type": "temporal"}},
            },
            *layers,
        ]  # fmt: skip
    spec = {"height": 280, "layer": layers, "usermeta": {"embedOptions": {"renderer": "svg"}}}
    if meeting_mode():  # readable from the back of the room, as the hour chart
        spec["config"] = {"axis": {"labelFontSize": 17, "titleFontSize": 17},
                          "legend": {"labelFontSize": 17}}  # fmt: skip
    st.vega_lite_chart(long, spec, width="stretch")
    words = []
    if gaps:
        names = ", ".join(m.strftime("%b %Y") for m in out.months_without_data)
        words.append(
            f"No data for {names}: the data loaded do not cover it, so the line breaks there "
            "(it is not a month without crime)."
        )
    words += [markdown_text(note) for note in out.partial_notes]  # source names: data text
    if out.months_without_last_year:
        words.append(
            f"{out.months_without_last_year} of {len(monthly)} months have no figure a year "
            "earlier: there are no data for those months."
        )
    if left_out:
        words.append(markdown_text(year_earlier_note(left_out)))
    if out.note:
        words.append(out.note)
    if words:
        st.caption(" ".join(words))


def _peaks(peaks: pd.DataFrame | None) -> None:
    st.subheader("Peak windows")
    timed, n = (0, 0) if peaks is None else peaks.attrs.get("with_time", {}).get("all", (0, 0))
    if peaks is not None and peaks.empty and n and timed < MIN_TIMED_INCIDENTS:
        st.info(
            f"No peak windows: the timing is unknown ({timed} of {n} incidents have a time of "
            f"day, fewer than {MIN_TIMED_INCIDENTS})."
        )
        return
    if peaks is None or peaks.empty:
        st.info("No peaks: no incident in the focus.")
        return
    if peaks.attrs.get("reason"):
        st.caption(f"Peak months instead of hours: {peaks.attrs['reason']}.")
        shown = peaks[["rank", "label", "incidents", "share", "lift"]]
        names = {"label": "Month"}
    else:
        shown = peaks[["block_hours", "rank", "label", "incidents", "share", "lift"]]
        names = {"block_hours": "Hours", "label": "Window"}
    names.update(rank="Rank")
    shown = tables.readable(shown, names=names)  # share in %, lift to 1 dp, whole incidents
    show_table(shown)
    st.caption(
        "Incidents: about this many (an incident with a from–to window counts in part in each "
        "hour of its window, so the counts are rounded to whole incidents). Share: of the "
        "focus's incidents. Lift: share ÷ the share an even spread would give (1 = no peak)."
    )
