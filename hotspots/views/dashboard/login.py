"""The dashboard's login, roles and audit: who is using this session, and what they may do.

The rules (roles, permissions, password hashes, the config file) live in
:mod:`hotspots.core.access`; this module applies them to Streamlit:

- :func:`login_gate` (top of ``app.py``) identifies the user: the password form when the config
  names users, the proxy's header in header mode, or nobody (the open demo, as ``admin``, with
  a warning on screen). Logins and failed logins are audited.
- :func:`allowed` decides which pages ``app.py`` registers, so a page the role may not use has
  no URL at all; :func:`require` checks again at the top of each page.
- :func:`download_button` draws a download only for roles that may download, and audits each
  file handed out.
- :func:`error_boundary` keeps tracebacks and server paths in the server log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import streamlit as st

from hotspots.core.access import (
    OPEN_ADMIN,
    PERMISSIONS,
    ROLES,
    AuthConfig,
    User,
    authenticate,
    can,
    config_path,
    header_user,
    load_auth_config,
)

if TYPE_CHECKING:  # the store (SQLAlchemy, pandas) is imported when a row is written, so the
    # first page is not kept waiting for it
    from sqlalchemy import Engine

log = logging.getLogger("hotspots.dashboard")

USER_KEY = "hotspots_user"
"""Session-state key of the signed-in :class:`~hotspots.core.access.User` (password mode)."""
OPEN_WARNING = "Running without login: anyone who can reach this address can edit."
ERROR_MESSAGE = (
    "Something went wrong on this page. The details are in the server's log; "
    "try again, or tell whoever runs this dashboard."
)
_FAILURE_DELAY_S = 1.0


def _config() -> AuthConfig:
    """The login configuration; a broken config stops the app (it never runs open by mistake)."""
    try:
        return load_auth_config()
    except (OSError, ValueError):
        log.exception("cannot read the login configuration %s", config_path())
        st.error(
            "The login configuration cannot be read, so nobody can sign in. The server's log "
            "says why."
        )
        st.stop()


def _engine() -> Engine | None:
    """The store's engine for audit rows, or ``None`` (logged) when it cannot be opened."""
    from hotspots.views.dashboard.store import store_engine

    try:
        return store_engine()
    except (RuntimeError, OSError):
        log.exception("audit: the store cannot be opened")
        return None


def audit(action: str, target: str = "", detail: str = "", *, user: User | None = None) -> None:
    """Write one audit row for this session's user (or ``user``); failures go to the log."""
    engine = _engine()
    if engine is None:
        return
    from hotspots import store

    try:
        store.record_event(engine, user or current_user(), action, target, detail)
    except Exception:  # an audit row that cannot be written must not break the page
        log.exception("audit: cannot record %s %s", action, target)


def audit_upload(file: Any, detail: str) -> None:
    """Audit one uploaded file (``upload``: who, when, the file's name, ``detail`` such as how
    many rows were read) once: Streamlit reruns the page while the file stays in its uploader,
    and a rerun is not another upload."""
    key = str(getattr(file, "file_id", "") or f"{file.name}:{len(file.getvalue())}")
    seen: set[str] = st.session_state.setdefault("_audited_uploads", set())
    if key in seen:
        return
    seen.add(key)
    audit("upload", str(file.name)[:300], detail)


def current_user() -> User:
    """Who this session is (after :func:`login_gate`); :data:`OPEN_ADMIN` with no login."""
    config = _config()
    if config.mode == "none":
        return OPEN_ADMIN
    if config.mode == "header":
        user = header_user(config, dict(st.context.headers))
        return user if user is not None else User("", "")
    signed_in: User | None = st.session_state.get(USER_KEY)
    if signed_in is None:
        return User("", "")
    configured = config.users.get(signed_in.name)
    # a user removed from the config, or given another role, takes effect at once
    return User(configured.name, configured.role) if configured else User("", "")


def allowed(permission: str) -> bool:
    """Whether this session's user has ``permission`` (see ``core.access.PERMISSIONS``)."""
    return can(current_user().role, permission)


def require(permission: str) -> User:
    """Stop the page unless the user has ``permission``; return the user.

    Every page calls this first: a page not registered for the role cannot be reached by URL,
    and this check holds even if it were.
    """
    user = current_user()
    if not can(user.role, permission):
        least = PERMISSIONS[permission]
        st.error(
            f"This page needs the {least} role; you are signed in as "
            f"{user.role or 'nobody'}. Ask an admin if you need it."
        )
        st.stop()
    return user


def _login_form(config: AuthConfig) -> None:
    st.title("Sign in")
    st.caption("hotspots — JAG dashboard")
    with st.form("login_form"):
        name = st.text_input("User name", key="login_name")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    user = authenticate(config, name.strip(), password)
    if user is None:
        time.sleep(_FAILURE_DELAY_S)
        audit("login_failed", name.strip()[:200], user=User(name.strip()[:200], ""))
        st.error("That user name and password do not match.")
        return
    st.session_state[USER_KEY] = User(user.name, user.role)
    st.session_state.pop("login_password", None)
    audit("login", user.name, user=user)
    st.rerun()


def _logout() -> None:
    user = st.session_state.pop(USER_KEY, None)
    if user is not None:
        audit("logout", user.name, user=user)


def login_gate() -> User:
    """Identify the user, or draw the login form and stop; show who is signed in.

    With no config (``$HOTSPOTS_CONFIG`` unset) the dashboard runs open, as ``admin``, and says
    so in the sidebar.
    """
    config = _config()
    user = current_user()
    if config.mode == "none":
        st.sidebar.warning(OPEN_WARNING, icon=":material/lock_open:")
        return user
    if user.role not in ROLES:
        if config.mode == "header":
            st.error(
                "You are not signed in: this dashboard expects its proxy to sign you in, and "
                "your account has no role here. Ask an admin."
            )
        else:
            _login_form(config)
        st.stop()
    st.sidebar.caption(f"Signed in as **{user.name}** ({user.role})")
    if config.mode == "password":
        st.sidebar.button("Sign out", on_click=_logout, key="logout")
    return user


def audited(
    build: Callable[[], str | bytes] | str | bytes,
    *,
    file_name: str,
    user: User,
    engine: Engine | Callable[[], Engine | None] | None,
    action: str = "download",
) -> Callable[[], str | bytes]:
    """``build`` (a file's bytes, or the function that builds them) as a function that also
    writes an audit row (``user`` downloaded ``file_name``) each time it hands the file out.

    The user is taken when the button is drawn: Streamlit builds deferred files on another
    thread, outside the session. ``engine``: the store's engine, or the function that opens it
    when the file is handed out (the store and SQLAlchemy are not loaded to draw a button).
    """

    def run() -> str | bytes:
        data = build() if callable(build) else build
        writer = engine() if callable(engine) else engine
        if writer is not None:
            from hotspots import store

            try:
                store.record_event(writer, user, action, file_name)
            except Exception:
                log.exception("audit: cannot record the download of %s", file_name)
        return data

    return run


def download_button(
    where: Any,
    label: str,
    data: Callable[[], str | bytes] | str | bytes,
    *,
    file_name: str,
    **options: Any,
) -> None:
    """``where.download_button(...)`` for roles that may download; nothing for the others.

    The file is built when clicked (no file is registered for a role that may not have it) and
    each download is audited.
    """
    if not allowed("download"):
        return
    options.setdefault("on_click", "ignore")
    where.download_button(
        label,
        data=audited(data, file_name=file_name, user=current_user(), engine=_engine),
        file_name=file_name,
        **options,
    )


@contextmanager
def error_boundary() -> Iterator[None]:
    """Run the page; an error is logged with its traceback and shown as a plain message."""
    try:
        yield
    except Exception:
        log.exception("dashboard page failed")
        st.error(ERROR_MESSAGE)
