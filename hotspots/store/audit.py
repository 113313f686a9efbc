"""The audit log: who did what, when — logins, uploads, exports, edits and deletes.

Every write of :mod:`hotspots.store.repo` and :mod:`hotspots.store.io` adds its audit row in
the same transaction as the change (:func:`hotspots.store.repo.run_write`), so no change is
stored without its line and no line without its change. Events that change no record (a
login, a failed login, an upload of incident files, a download) are written by
:func:`record_event`. Each write takes an ``actor`` (:class:`hotspots.core.access.User`);
scripts and the command line that give none are :data:`SYSTEM`.

Examples
--------
>>> from hotspots.core.access import User
>>> record_event(engine, User("alice", "analyst"), "download", "quarantine.csv")  # doctest: +SKIP
>>> audit_log(engine, user="alice")  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hotspots.core.access import User
from hotspots.store.db import run_in_transaction
from hotspots.store.models import AuditEntry
from hotspots.store.records import now_local

SYSTEM = User("system", "")
"""The actor of writes that name none (scripts, the command line, the demo seeding)."""

ACTIONS: tuple[str, ...] = (
    "login",
    "login_failed",
    "logout",
    "upload",
    "download",
    "export",
    "add",
    "edit",
    "status",
    "import",
    "delete",
)
"""The actions the log records (``status``: an action's status change or note)."""

COLUMNS: tuple[str, ...] = ("id", "at", "user", "role", "action", "target", "detail")
_MAX_DETAIL = 2000


def write_entry(
    session: Session,
    actor: User | None,
    action: str,
    target: str,
    detail: str = "",
    *,
    at: datetime | None = None,
) -> None:
    """Add one audit row to ``session`` (committed with the rest of its transaction).

    Parameters
    ----------
    actor
        Who; ``None`` is :data:`SYSTEM`.
    action
        One of :data:`ACTIONS`.
    target
        What it was done to: ``feedback/FB-1``, a file name (never a server path).
    detail
        Free text, kept verbatim (cut at 2,000 characters).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; choose from {ACTIONS}")
    actor = actor or SYSTEM
    session.add(
        AuditEntry(
            at=at or now_local(),
            user=actor.name[:200],
            role=actor.role[:16],
            action=action,
            target=str(target)[:300],
            detail=str(detail)[:_MAX_DETAIL],
        )
    )


def record_event(
    engine: Engine, actor: User | None, action: str, target: str = "", detail: str = ""
) -> None:
    """Write one audit row on its own (an event that changes no record: a login, a download)."""
    run_in_transaction(engine, lambda session: write_entry(session, actor, action, target, detail))


def audit_log(
    engine: Engine,
    *,
    user: str | None = None,
    actions: list[str] | None = None,
    since: datetime | None = None,
    limit: int | None = 1000,
) -> pd.DataFrame:
    """The audit log, newest first, optionally one user's, some actions, or since a time.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`; ``at`` local wall-clock time; free text verbatim.
    """
    query = select(*(AuditEntry.__table__.c[name] for name in COLUMNS))
    if user is not None:
        query = query.where(AuditEntry.user == user)
    if actions:
        query = query.where(AuditEntry.action.in_(list(actions)))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    query = query.order_by(AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"])
    return frame
