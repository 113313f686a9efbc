"""The sidebar: filters that apply to every page, and meeting mode."""

from __future__ import annotations

import streamlit as st

from hotspots.core.disclosure import SMALL_GROUPS_NOTE, TIME_FILTER_NOTE, cuts_groups
from hotspots.data.select import WEEKDAY_NAMES, Selection
from hotspots.views.dashboard import cached, url_state
from hotspots.views.dashboard.state import Dataset
from hotspots.views.dashboard.text import markdown_text
from hotspots.views.documents.selection_words import selection_line

MEETING_CSS = """
<style>
html, body, [class*="css"], .stMarkdown, .stDataFrame { font-size: 1.25rem !important; }
h1 { font-size: 2.6rem !important; } h2 { font-size: 2.1rem !important; }
[data-testid="stMetricValue"] { font-size: 2.8rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem !important; }
[data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
[data-testid="stDecoration"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: .5rem !important; }
h1 { padding-top: 0 !important; padding-bottom: .25rem !important; }
[data-testid="stElementContainer"]:has([data-testid="stMarkdownContainer"] > style:only-child) {
    display: none !important; }
[data-testid="stHeader"] { height: 0 !important; min-height: 0 !important; }
</style>
"""

PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem !important; }
h1 { padding-top: 0 !important; padding-bottom: .25rem !important; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: 2rem !important; }
[data-testid="stElementContainer"]:has([data-testid="stMarkdownContainer"] > style:only-child) {
    display: none !important; }
</style>
"""
"""Outside meeting mode: less room above the title (the page's menu stands at the right of
it), so a laptop at 1366 × 768 sees the headline figures and the map without scrolling; a
figure's label wraps rather than being cut short ("Next month's crime in …")."""

MEETING_MAP_CSS = """
<style>
.hotspots-legend > div { font-size: 19px !important; line-height: 1.5 !important; }
.hotspots-legend { max-width: 440px !important; }
.hotspots-legend span { width: 20px !important; height: 20px !important; }
.leaflet-control-layers, .leaflet-tooltip, .leaflet-popup-content { font-size: 17px !important; }
.leaflet-control-scale-line { font-size: 15px !important; }
.hotspots-label { font-size: 18px !important; }
.hotspots-label-hot { font-size: 19px !important; }
.hotspots-rank { width: 32px !important; height: 32px !important; line-height: 28px !important;
    font-size: 18px !important; margin: -5px 0 0 -5px; }
</style>
"""
"""Meeting mode inside the map's iframe (the page's CSS cannot reach it): larger legends,
scale, place names (18–19 px: read from the back of a room at 1920 × 1080) and patrol rank
discs (32 px, centred on their place as the 22 px ones are). Where the legends go is the map's
own choice (the corner where they cover the fewest drawn features: :mod:`hotspots.views.maps`).
"""


def meeting_mode() -> bool:
    """Whether meeting mode (large type, uncluttered map) is on."""
    return bool(st.session_state.get("meeting_mode", False))


def meeting_toggle() -> bool:
    """Draw the meeting-mode switch (kept across pages and in the URL); return whether it is on.

    Pages without the filters (Data, VAWG, CCTV) call this so the mode follows the user there
    too. Meeting mode folds the sidebar away (its arrow, top left, opens it again) and hides
    the page's toolbar."""
    url_state.seed("meeting_mode", default=False)
    st.sidebar.toggle("Meeting mode", key="meeting_mode", help="Large type and an uncluttered map.")
    url_state.keep("meeting_mode")
    # Only a change of state moves the sidebar: opened in a meeting, it stays open.
    st.set_page_config(initial_sidebar_state="collapsed" if meeting_mode() else "auto")
    st.markdown(MEETING_CSS if meeting_mode() else PAGE_CSS, unsafe_allow_html=True)
    url_state.write_url()
    return meeting_mode()


def sidebar_filters(ds: Dataset, title: str | None = None) -> Selection:
    """Draw the filters in the sidebar and return the user's :class:`Selection`.

    Every choice is kept across pages and reloads and written into the page's URL
    (:mod:`hotspots.views.dashboard.url_state`), so a view can be shared as a link.

    With ``title``, the page's title is drawn and, under it, the filters that are on
    (:func:`~hotspots.views.documents.selection_words.selection_line`): in meeting mode the
    sidebar is folded away, and a figure of Friday nights must not read as every day's."""
    side = st.sidebar
    cached.freeze_loaded()
    meeting_toggle()
    side.caption(
        f"Data: **{markdown_text(ds.label)}** — {len(ds.incidents):,} incidents",
        help=SMALL_GROUPS_NOTE,  # said whatever the data hold
    )

    choices = cached.filter_choices(ds)
    months = list(choices.months)
    if not months:
        st.error("The dataset has no dated incidents; load another file on the Data page.")
        st.stop()
    labels = [m.strftime("%b %Y") for m in months]
    every_month = (labels[0], labels[-1])
    # A range slider takes its range mode from ``value``, so it is given rather than seeded.
    months_value = url_state.initial("f_months", options=labels, default=every_month)
    first, last = side.select_slider(
        "Months", options=labels, value=tuple(months_value), key="f_months"
    )
    start, end = months[labels.index(first)], months[labels.index(last)]

    sources = list(choices.sources)
    url_state.seed("f_sources", options=sources, default=sources)
    chosen_sources = side.multiselect("Sources", sources, key="f_sources")
    groups = list(choices.groups)
    url_state.seed("f_groups", options=groups)
    chosen_groups = side.multiselect(
        "Crime groups", groups, key="f_groups", placeholder="All groups"
    )
    types = cached.crime_types(ds, chosen_groups)
    url_state.seed("f_types", options=types)
    chosen_types = side.multiselect("Crime types", types, key="f_types", placeholder="All types")
    names = dict(choices.wards)
    url_state.say("f_wards", names)  # a shared link names its wards, not their codes
    url_state.seed("f_wards", options=list(names))
    chosen_wards = side.multiselect(
        "Wards",
        list(names),
        format_func=lambda code: names.get(code, code),
        key="f_wards",
        placeholder="All wards",
    )
    for text, codes in url_state.unclear("f_wards"):  # an older link's name of two wards
        if not set(codes) & set(chosen_wards):
            which = " or ".join(names.get(code, code) for code in codes)
            side.warning(
                markdown_text(
                    f'The link names ward "{text}": it could be {which}. Choose it under Wards.'
                )
            )
    for key in ("f_months", "f_sources", "f_groups", "f_types", "f_wards"):
        url_state.keep(key)

    hours, days, not_applied = _when(ds, chosen_sources)
    url_state.write_url({"meeting_mode": False, "f_months": every_month, "f_sources": sources})
    if not chosen_sources:
        st.warning("No source selected: choose at least one in the sidebar.")
        st.stop()
    sel = Selection(
        start=start,
        end=end,
        sources=tuple(chosen_sources),
        categories=tuple(chosen_groups),
        crime_types=tuple(chosen_types),
        wards=tuple(chosen_wards),
        hours=hours,
        days=days,
    )
    if title is not None:
        st.title(title)
        line = selection_line(sel, cached.first_view(ds), ward_names=names)
        if line:
            st.caption(markdown_text(line))  # names sources, wards and groups: data text
    if not_applied:  # a shared link's hours on month-only data: said where the figures are too
        st.info(not_applied)
    return sel


def _when(
    ds: Dataset, sources: list[str]
) -> tuple[tuple[int, int] | None, tuple[int, ...], str | None]:
    """The time-of-day and day-of-week filters: ``(hours or None, days, not applied)``, the
    last saying which filters asked for (a shared link's, or chosen on another page) the
    selected records cannot take (:func:`not_applied_words`; ``None``: none).

    Two hour pickers (a range slider cannot cross midnight: it would sort 22 → 3 into
    03:00–22:00); "from" after "to" wraps midnight and the small hours count with the night
    before (Friday 22:00–03:00 runs into Saturday morning)."""
    side = st.sidebar
    hours: tuple[int, int] | None = None
    days: tuple[int, ...] = ()
    asked_hours: tuple[int, int] | None = None
    asked_days: tuple[int, ...] = ()
    dated = cached.has_time_of_day(ds, sources, dates=True)
    if dated:
        url_state.seed("f_days", options=range(7))
        days = tuple(
            side.multiselect(
                "Days of the week",
                list(range(7)),
                format_func=WEEKDAY_NAMES.__getitem__,
                key="f_days",
                placeholder="Every day",
            )
        )
        url_state.keep("f_days")
    else:
        asked_days = tuple(url_state.initial("f_days", options=range(7), default=[]))
    if cached.has_time_of_day(ds, sources):
        url_state.seed("f_use_hours", default=False)
        use = side.checkbox("Filter by time of day", key="f_use_hours")
        url_state.keep("f_use_hours")
        if use:
            hour_labels = [f"{h:02d}:00" for h in range(24)]
            c1, c2 = side.columns(2)
            url_state.seed("f_hour_from", options=range(24), default=22)
            url_state.seed("f_hour_to", options=range(24), default=3)
            first = c1.selectbox(
                "From", range(24), format_func=hour_labels.__getitem__, key="f_hour_from"
            )
            last = c2.selectbox(
                "To (until :59)", range(24), format_func=hour_labels.__getitem__, key="f_hour_to"
            )
            url_state.keep("f_hour_from")
            url_state.keep("f_hour_to")
            hours = (int(first), int(last))
            side.caption(_hours_caption(hours, days))
        else:
            url_state.forget("f_hour_from")
            url_state.forget("f_hour_to")
    else:
        if url_state.initial("f_use_hours", default=False):
            asked_hours = (
                int(url_state.initial("f_hour_from", options=range(24), default=22)),
                int(url_state.initial("f_hour_to", options=range(24), default=3)),
            )
        why = _untimed_words(dated)
        side.caption(f"Time of day: not available — {why}, so there is no hour to filter on.")
    if cuts_groups(hours=hours, days=days):
        side.warning(TIME_FILTER_NOTE)
    return hours, days, not_applied_words(asked_hours, asked_days, dated=dated)


def not_applied_words(
    hours: tuple[int, int] | None, days: tuple[int, ...], *, dated: bool = False
) -> str | None:
    """What a time-of-day or day-of-week filter asked for on records without that detail
    does not do (``None``: nothing asked); ``dated``: the records give the day, not the time.

    Examples
    --------
    >>> not_applied_words((22, 3), (4, 5))[:90]
    'The time of day (22:00–03:59) and days of the week (Friday and Saturday) asked for are not'
    >>> not_applied_words((22, 3), (), dated=True)[56:]
    'the selected records give the date but no time, so every incident of the chosen days counts.'
    >>> not_applied_words(None, ())
    """
    asked = []
    if hours is not None:
        asked.append(f"time of day ({hours[0]:02d}:00–{hours[1]:02d}:59)")
    if days:
        asked.append(f"days of the week ({_days_words(days)})")
    if not asked:
        return None
    verb = "are" if len(asked) > 1 else "is"
    why = _untimed_words(dated) + ("" if dated else ", with no day or hour to filter on")
    counted = "days" if dated else "months"
    return (
        f"The {' and '.join(asked)} asked for {verb} not applied: {why}, so every incident of "
        f"the chosen {counted} counts."
    )


def _untimed_words(dated: bool) -> str:
    """Why there is no hour (``dated``: the day is known) or no day either to filter on."""
    if dated:
        return "the selected records give the date but no time"
    return "the selected records give the month only (as police.uk's do)"


def _days_words(days: tuple[int, ...]) -> str:
    """``"Friday and Saturday"``, ``"Monday, Tuesday and Sunday"``."""
    names = [WEEKDAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _hours_caption(hours: tuple[int, int], days: tuple[int, ...]) -> str:
    """``"22:00–03:59, overnight: Friday and Saturday nights. Records without a time …"``."""
    first, last = hours
    text = f"{first:02d}:00–{last:02d}:59"
    if first > last:
        text += ", overnight (past midnight counts with the night before)"
    if days:
        text += f": {_days_words(days)}" + (" nights" if first > last else "")
    return (
        text + ". Records without a time are left out; a record known only within a window "
        "counts when the window overlaps these hours."
    )
