"""SQLAlchemy 2 ORM models of the operational store (the latest schema version).

The tables are created and changed only by :mod:`hotspots.store.migrations`; these models
describe the result and ``tests/test_store.py`` checks that the two agree. Column names are the
field names of :data:`hotspots.store.records.RECORD_FIELDS`; times are naive local wall-clock
(Europe/London); locations are WGS84 longitude/latitude degrees.

Examples
--------
>>> Feedback.__table__.c.severity.nullable
False
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from hotspots.store.records import (
    ACTION_STATUSES,
    CAMERA_STATUSES,
    CAMERA_TYPES,
    REASONS,
    TIMES_OF_CONCERN,
)


def one_of(column: str, options: tuple[str, ...]) -> str:
    """SQL ``CHECK`` text: ``column`` is one of ``options`` (constants, never user input)."""
    quoted = ", ".join(f"'{option}'" for option in options)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base of the store's models."""


class Walkabout(Base):
    """A VAWG walkabout: when, where, who organised it and how many took part (no names)."""

    __tablename__ = "walkabouts"
    __table_args__ = (CheckConstraint("participants >= 0", name="ck_walkabouts_participants"),)

    walkabout_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    area: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    agencies: Mapped[str] = mapped_column(Text)
    participants: Mapped[int] = mapped_column(Integer)


class Feedback(Base):
    """A point marked on a walkabout (or added later): where, why, when and how serious."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(one_of("reason", REASONS), name="ck_feedback_reason"),
        CheckConstraint(one_of("time_of_concern", TIMES_OF_CONCERN), name="ck_feedback_time"),
        CheckConstraint("severity BETWEEN 1 AND 5", name="ck_feedback_severity"),
    )

    feedback_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    walkabout_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("walkabouts.walkabout_id"), index=True
    )
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text)
    time_of_concern: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Action(Base):
    """What the partnership will do about a feedback point, by whom and by when."""

    __tablename__ = "actions"
    __table_args__ = (CheckConstraint(one_of("status", ACTION_STATUSES), name="ck_actions_status"),)

    action_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    feedback_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("feedback.feedback_id"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_agency: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ActionUpdate(Base):
    """One entry of an action's history: a status change (or a note) and when it was made.

    ``seq`` numbers an action's entries 1, 2, … in the order their transactions wrote them
    (assigned at flush, :func:`_number_history`; unique per action), so the history reads in
    commit order whatever the clocks of the writers said.
    """

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint(one_of("status_to", ACTION_STATUSES), name="ck_action_updates_to"),
        Index("uq_action_updates_seq", "action_id", "seq", unique=True),
    )

    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action_id: Mapped[str] = mapped_column(String(64), ForeignKey("actions.action_id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer)


@event.listens_for(Session, "before_flush")
def _number_history(session: Session, _context: object, _instances: object) -> None:
    """Give each new history entry the next ``seq`` of its action (one query per action).

    Entries written in one flush (an import) are numbered in the order of their ``at``; an
    entry racing another writer of the same action fails the unique index and its transaction
    is retried (:func:`hotspots.store.db.run_in_transaction`).
    """
    new = [row for row in session.new if isinstance(row, ActionUpdate) and row.seq is None]
    for action_id in sorted({row.action_id for row in new}):
        last = session.execute(
            select(func.max(ActionUpdate.seq)).where(ActionUpdate.action_id == action_id)
        ).scalar()
        mine = sorted(
            (r for r in new if r.action_id == action_id), key=lambda r: (r.at, r.update_id)
        )
        for offset, row in enumerate(mine, start=1):
            row.seq = int(last or 0) + offset


class Camera(Base):
    """A CCTV camera: where, what type, how far it sees, which way it points, its status."""

    __tablename__ = "cameras"
    __table_args__ = (
        CheckConstraint(one_of("type", CAMERA_TYPES), name="ck_cameras_type"),
        CheckConstraint("range_m > 0", name="ck_cameras_range"),
    )

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300))
    area_name: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str] = mapped_column(String(50))
    type: Mapped[str] = mapped_column(String(16))
    range_m: Mapped[float] = mapped_column(Double)
    bearing_deg: Mapped[float | None] = mapped_column(Double)
    fov_deg: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    status: Mapped[str] = mapped_column(
        String(16),
        CheckConstraint(one_of("status", CAMERA_STATUSES), name="ck_cameras_status"),
    )


class Tasking(Base):
    """A request to the CCTV team: watch this camera in this window, for this hotspot."""

    __tablename__ = "taskings"
    __table_args__ = (CheckConstraint("window_end > window_start", name="ck_taskings_window"),)

    tasking_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64), ForeignKey("cameras.camera_id"), index=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    window_end: Mapped[datetime] = mapped_column(DateTime)
    hotspot_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One line of the audit log: who (user and role), when, did what to which record.

    Written by :mod:`hotspots.store.audit`, in the same transaction as the change it records;
    not a record type (it is never imported, exported or edited).
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)


MODELS: dict[str, type[Base]] = {
    "walkabouts": Walkabout,
    "feedback": Feedback,
    "actions": Action,
    "action_updates": ActionUpdate,
    "cameras": Camera,
    "taskings": Tasking,
}
"""The model of each record type (keys of :data:`hotspots.store.records.RECORD_FIELDS`)."""
