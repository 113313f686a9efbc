"""Choices that follow the user: kept across pages and reloads, and written into the URL.

Streamlit forgets a widget's value when a page that does not draw it runs, and a reload starts a
new session. Every widget listed in :data:`PARAMS` is therefore seeded, before it is drawn, from
the value this session last kept (another page) or else from the URL's query parameters (a
reload, or a link someone shared), and its value is written back to both after it is drawn.
Only values that differ from the defaults go into the URL, as words a person can read:
``/areas?groups=Anti-social+behaviour&wards=Adeyfield+East&days=fri&days=sat&use_hours=1&from=22
&to=3&meeting=1`` (a ward by its name, :func:`say`; a link with its code still opens).

A value the data do not offer (a ward of another district in a shared link) is dropped, never an
error; a ward's name that several wards had before names were made unique (an older link's
``wards=Blackdown``) is dropped and said (:func:`unclear`).

Examples
--------
>>> seed("f_groups", options=groups)  # doctest: +SKIP
>>> st.sidebar.multiselect("Crime groups", groups, key="f_groups")  # doctest: +SKIP
>>> keep("f_groups")  # doctest: +SKIP
>>> write_url()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from hotspots.space.areas import wards_named

_KEPT = "_kept_choices"

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""How days of the week are written in the URL (0 = Monday)."""


@dataclass(frozen=True)
class Param:
    """One kept widget: its URL name, whether it holds a list, and how a value is written."""

    name: str
    many: bool = False
    encode: Callable[[Any], str] = str
    decode: Callable[[str], Any] = str


def _flag(text: str) -> bool:
    return text in ("1", "true", "yes", "on")


def _hour(text: str) -> int:
    hour = int(text)
    if not 0 <= hour <= 23:
        raise ValueError(text)
    return hour


def _months(text: str) -> tuple[str, str]:
    first, _, last = text.partition("..")
    return first, last or first


PARAMS: dict[str, Param] = {
    "meeting_mode": Param("meeting", encode=lambda v: "1" if v else "0", decode=_flag),
    "f_months": Param("months", encode=lambda v: f"{v[0]}..{v[1]}", decode=_months),
    "f_sources": Param("sources", many=True),
    "f_groups": Param("groups", many=True),
    "f_types": Param("types", many=True),
    "f_wards": Param("wards", many=True),
    "f_use_hours": Param("use_hours", encode=lambda v: "1" if v else "0", decode=_flag),
    "f_hour_from": Param("from", decode=_hour),
    "f_hour_to": Param("to", decode=_hour),
    "f_days": Param(
        "days", many=True, encode=lambda d: DAY_CODES[d], decode=lambda t: DAY_CODES.index(t)
    ),
    "m_layers": Param("layers", many=True),
    "m_cover": Param("cover", decode=int),
    "m_feedback": Param("feedback", encode=lambda v: "1" if v else "0", decode=_flag),
    "m_cameras": Param("cameras", encode=lambda v: "1" if v else "0", decode=_flag),
    "m_patrol": Param("patrol", encode=lambda v: "1" if v else "0", decode=_flag),
}
"""Session-state key of each kept widget → how it appears in the URL."""


def _kept() -> dict[str, Any]:
    """This session's kept values; a new session (a reload, a shared link) starts from the
    URL's query parameters."""
    if _KEPT not in st.session_state:
        from_url = {key: _from_url(param) for key, param in PARAMS.items()}
        st.session_state[_KEPT] = {k: v for k, v in from_url.items() if v is not None}
    return st.session_state[_KEPT]


def _from_url(param: Param) -> Any:
    """The URL's value for ``param`` (``None``: absent or unreadable)."""
    try:
        if param.many:
            if param.name not in st.query_params:
                return None
            return [param.decode(text) for text in st.query_params.get_all(param.name) if text]
        text = st.query_params.get(param.name)
        return None if text is None else param.decode(text)
    except (ValueError, IndexError):
        return None


_SAID = "_url_names"


def say(key: str, names: Mapping[Any, str]) -> None:
    """Write the values of widget ``key`` into the URL by their names (a ward's code → its
    name: ``wards=Adeyfield+East``, not ``wards=E05004691``), and read a name in the URL back
    as its value; a value the URL gives that is no name (a code, in an older link) is read as
    it is. Call before :func:`seed` or :func:`initial`."""
    st.session_state[_SAID] = {**st.session_state.get(_SAID, {}), key: dict(names)}


def _names(key: str) -> dict[Any, str]:
    return dict(st.session_state.get(_SAID, {}).get(key, {}))


_UNCLEAR = "_url_unclear"


def _from_names(key: str, value: Any) -> Any:
    """A value read from the URL with its names turned back into values (:func:`say`; a
    ward's name as :func:`hotspots.space.areas.wards_named` reads it). A name that several
    values had (a link made before ward names were made unique: "Blackdown") is dropped and
    kept for :func:`unclear` to say."""
    names = _names(key)
    if not names or value is None:
        return value
    read: list[Any] = []
    unclear: list[tuple[str, list[str]]] = []
    for text in value if isinstance(value, list) else [value]:
        found = wards_named(names, text)
        if len(found) > 1:
            unclear.append((text, found))
        else:
            read.extend(found or [text])  # no name: as it is (dropped when not an option)
    st.session_state[_UNCLEAR] = {**st.session_state.get(_UNCLEAR, {}), key: unclear}
    if isinstance(value, list):
        return read
    return read[0] if read else None


def unclear(key: str) -> list[tuple[str, list[str]]]:
    """The names a link gave widget ``key`` that several of its values have, each with those
    values (``[("Blackdown", ["E05006819", "E05006860"])]``): the page says it cannot tell
    which was meant."""
    return list(st.session_state.get(_UNCLEAR, {}).get(key, []))


def initial(key: str, *, options: Sequence[Any] | None = None, default: Any = None) -> Any:
    """The value widget ``key`` should start from: its own, else the one kept in this session
    (another page), else the URL's, else ``default``.

    With ``options``, values not among them are dropped (a list keeps the rest; a single value
    or a range falls back to ``default``).
    """
    if key in st.session_state:
        return st.session_state[key]
    value = _from_names(key, _kept().get(key))
    if value is not None and options is not None:
        allowed = list(options)
        if PARAMS[key].many:
            value = [v for v in value if v in allowed]
        elif isinstance(value, tuple):
            value = value if all(v in allowed for v in value) else None
        elif value not in allowed:
            value = None
    return default if value is None else value


def seed(key: str, *, options: Sequence[Any] | None = None, default: Any = None) -> None:
    """Give widget ``key`` its value before it is drawn (widgets drawn without a
    ``value``/``default`` argument).

    A widget's own value is assigned to itself: on a page change Streamlit would otherwise drop
    it with the widget of the old page (its documented way to keep a widget across pages).
    Else :func:`initial`'s value.
    """
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
        return
    value = initial(key, options=options, default=default)
    if value is not None:
        st.session_state[key] = value


def keep(key: str) -> None:
    """Keep widget ``key``'s current value for the other pages and the URL."""
    if key in st.session_state:
        _kept()[key] = st.session_state[key]


def forget(key: str) -> None:
    """Drop a kept value (a widget no longer shown, e.g. hours when the filter is off)."""
    _kept().pop(key, None)


_DEFAULTS = "_kept_defaults"


def write_url(defaults: dict[str, Any] | None = None) -> None:
    """Write the kept values that differ from their defaults into the URL (others removed).

    ``defaults`` adds to the defaults given before in this session (the sidebar's months and
    sources, the Map page's layers)."""
    defaults = st.session_state.setdefault(_DEFAULTS, {}) | (defaults or {})
    st.session_state[_DEFAULTS] = defaults
    wanted: dict[str, str | list[str]] = {}
    for key, value in _kept().items():
        param = PARAMS[key]
        if value is None or _same(value, defaults.get(key)):
            continue
        names = _names(key)
        if param.many:
            wanted[param.name] = [param.encode(names.get(v, v)) for v in value]
        else:
            wanted[param.name] = param.encode(names.get(value, value))
    ours = {param.name for param in PARAMS.values()}
    current = {
        name: st.query_params.get_all(name)
        if isinstance(wanted.get(name), list)
        else st.query_params.get(name)
        for name in st.query_params
        if name in ours
    }
    if current != wanted:
        for name in set(current) - set(wanted):
            del st.query_params[name]
        for name, value in wanted.items():
            st.query_params[name] = value


def _same(value: Any, default: Any) -> bool:
    if default is None:
        return value in (False, [], ())
    if isinstance(value, list | tuple) and isinstance(default, list | tuple):
        return list(value) == list(default)
    return value == default


def redirect_to(page: Any) -> Callable[[], None]:
    """A page body that opens ``page`` with the same query parameters.

    The default page of ``st.navigation`` answers at ``/`` only; registering it as a hidden
    default that redirects here lets ``/map`` (and a shared ``/map?...`` link) open the Map page
    by its own URL.

    Examples
    --------
    >>> home = st.Page(redirect_to(map_page), url_path="home", default=True,
    ...                visibility="hidden")  # doctest: +SKIP
    """

    def home() -> None:
        params = {name: st.query_params.get_all(name) for name in st.query_params}
        st.switch_page(page, query_params=params)

    return home
