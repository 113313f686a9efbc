"""Versioned schema migrations of the operational store.

The ``schema_version`` table records each migration applied (version, description, when).
:data:`MIGRATIONS` lists them in order; each is a function of a connection that changes the
schema from the previous version, written in SQLAlchemy Core with its own frozen table
definitions (never the ORM models, which describe only the latest version). :func:`migrate`
applies the pending ones in one transaction, under a lock, so two processes opening the store
at once cannot both migrate it.

Versions
--------
1. Initial schema: walkabouts, feedback, actions, cameras, taskings.
2. Cameras gain ``status`` (active / faulty / decommissioned; existing cameras become
   ``active``); actions gain a status history, ``action_updates`` (each existing action gets its
   current status as its first entry).
3. Action history in commit order: ``action_updates`` gains ``seq`` (1, 2, … per action, unique
   with ``action_id``); existing entries are numbered by their time, then id.
4. Audit log: ``audit_log`` (id, at, user, role, action, target, detail), one row per login,
   upload, export, edit and delete (:mod:`hotspots.store.audit`).

Examples
--------
>>> migrate(engine)  # doctest: +SKIP
[1, 2, 3, 4]
>>> current_version(engine)  # doctest: +SKIP
4
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Date,
    DateTime,
    Double,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
)

from hotspots.store.db import write_connection
from hotspots.store.models import one_of
from hotspots.store.records import new_id, now_local

_ADVISORY_LOCK_KEY = 4_751_202_105  # any constant: serialises migrations on PostgreSQL

_VERSION_TABLE = Table(
    "schema_version",
    MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(300), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)


def _v1_tables(metadata: MetaData) -> None:
    """The version-1 tables, frozen as they were first released."""
    reasons = (
        "poor_lighting",
        "isolated",
        "overgrown",
        "no_cctv",
        "groups_loitering",
        "harassment_experienced",
        "other",
    )
    statuses = ("open", "in_progress", "done", "cancelled")
    Table(
        "walkabouts",
        metadata,
        Column("walkabout_id", String(64), primary_key=True),
        Column("date", Date, nullable=False),
        Column("start_time", String(5)),
        Column("end_time", String(5)),
        Column("area", String(200), nullable=False),
        Column("organiser", String(200), nullable=False),
        Column("agencies", Text, nullable=False),
        Column("participants", Integer, nullable=False),
        CheckConstraint("participants >= 0", name="ck_walkabouts_participants"),
    )
    Table(
        "feedback",
        metadata,
        Column("feedback_id", String(64), primary_key=True),
        Column("walkabout_id", String(64), ForeignKey("walkabouts.walkabout_id")),
        Column("lon", Double, nullable=False),
        Column("lat", Double, nullable=False),
        Column("reason", String(32), nullable=False),
        Column("comment", Text, nullable=False),
        Column("time_of_concern", String(16), nullable=False),
        Column("severity", Integer, nullable=False),
        Column("created_at", DateTime, nullable=False),
        CheckConstraint(one_of("reason", reasons), name="ck_feedback_reason"),
        CheckConstraint(
            one_of("time_of_concern", ("day", "evening", "night", "all")), name="ck_feedback_time"
        ),
        CheckConstraint("severity BETWEEN 1 AND 5", name="ck_feedback_severity"),
        Index("ix_feedback_walkabout_id", "walkabout_id"),
    )
    Table(
        "actions",
        metadata,
        Column("action_id", String(64), primary_key=True),
        Column("feedback_id", String(64), ForeignKey("feedback.feedback_id"), nullable=False),
        Column("description", Text, nullable=False),
        Column("owner_agency", String(200), nullable=False),
        Column("due_date", Date, nullable=False),
        Column("status", String(16), nullable=False),
        Column("created_at", DateTime, nullable=False),
        CheckConstraint(one_of("status", statuses), name="ck_actions_status"),
        Index("ix_actions_feedback_id", "feedback_id"),
    )
    Table(
        "cameras",
        metadata,
        Column("camera_id", String(64), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("location", String(300), nullable=False),
        Column("area_name", String(200), nullable=False),
        Column("area_code", String(50), nullable=False),
        Column("type", String(16), nullable=False),
        Column("range_m", Double, nullable=False),
        Column("bearing_deg", Double),
        Column("fov_deg", Double),
        Column("lon", Double, nullable=False),
        Column("lat", Double, nullable=False),
        CheckConstraint(one_of("type", ("fixed", "ptz", "redeployable")), name="ck_cameras_type"),
        CheckConstraint("range_m > 0", name="ck_cameras_range"),
    )
    Table(
        "taskings",
        metadata,
        Column("tasking_id", String(64), primary_key=True),
        Column("camera_id", String(64), ForeignKey("cameras.camera_id"), nullable=False),
        Column("window_start", DateTime, nullable=False),
        Column("window_end", DateTime, nullable=False),
        Column("hotspot_id", String(64), nullable=False),
        Column("reason", Text, nullable=False),
        Column("requested_by", String(200), nullable=False),
        Column("outcome", Text, nullable=False),
        Column("created_at", DateTime, nullable=False),
        CheckConstraint("window_end > window_start", name="ck_taskings_window"),
        Index("ix_taskings_camera_id", "camera_id"),
        Index("ix_taskings_window_start", "window_start"),
    )


def _migration_1(connection: Connection) -> None:
    metadata = MetaData()
    _v1_tables(metadata)
    metadata.create_all(connection)


def _migration_2(connection: Connection) -> None:
    statuses = ("active", "faulty", "decommissioned")
    connection.execute(
        text(
            "ALTER TABLE cameras ADD COLUMN status VARCHAR(16) DEFAULT 'active' NOT NULL "
            f"CONSTRAINT ck_cameras_status CHECK ({one_of('status', statuses)})"
        )
    )
    metadata = MetaData()
    actions = Table(
        "actions",
        metadata,
        Column("action_id", String(64), primary_key=True),
        Column("status", String(16)),
        Column("created_at", DateTime),
    )
    updates = Table(
        "action_updates",
        metadata,
        Column("update_id", String(64), primary_key=True),
        Column("action_id", String(64), ForeignKey("actions.action_id"), nullable=False),
        Column("at", DateTime, nullable=False),
        Column("status_from", String(16)),
        Column("status_to", String(16), nullable=False),
        Column("note", Text, nullable=False),
        Column("updated_by", String(200), nullable=False),
        CheckConstraint(
            one_of("status_to", ("open", "in_progress", "done", "cancelled")),
            name="ck_action_updates_to",
        ),
        Index("ix_action_updates_action_id", "action_id"),
    )
    updates.create(connection)
    existing = connection.execute(select(actions).order_by(actions.c.action_id)).all()
    if existing:
        connection.execute(
            insert(updates),
            [
                {
                    "update_id": new_id("UPD"),
                    "action_id": action_id,
                    "at": created_at,
                    "status_from": None,
                    "status_to": status,
                    "note": "status when the history began (schema migration 2)",
                    "updated_by": "",
                }
                for action_id, status, created_at in existing
            ],
        )


def _migration_3(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE action_updates ADD COLUMN seq INTEGER DEFAULT 0 NOT NULL"))
    updates = Table(
        "action_updates",
        MetaData(),
        Column("update_id", String(64), primary_key=True),
        Column("action_id", String(64)),
        Column("at", DateTime),
        Column("seq", Integer),
    )
    rows = connection.execute(
        select(updates.c.update_id, updates.c.action_id).order_by(
            updates.c.action_id, updates.c.at, updates.c.update_id
        )
    ).all()
    seq: dict[str, int] = {}
    numbered = []
    for update_id, action_id in rows:
        seq[action_id] = seq.get(action_id, 0) + 1
        numbered.append({"id": update_id, "seq": seq[action_id]})
    if numbered:
        connection.execute(
            updates.update()
            .where(updates.c.update_id == bindparam("id"))
            .values(seq=bindparam("seq")),
            numbered,
        )
    Index("uq_action_updates_seq", updates.c.action_id, updates.c.seq, unique=True).create(
        connection
    )


def _migration_4(connection: Connection) -> None:
    Table(
        "audit_log",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime, nullable=False),
        Column("user", String(200), nullable=False),
        Column("role", String(16), nullable=False),
        Column("action", String(32), nullable=False),
        Column("target", String(300), nullable=False),
        Column("detail", Text, nullable=False),
        Index("ix_audit_log_at", "at"),
    ).create(connection)


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "initial schema: walkabouts, feedback, actions, cameras, taskings", _migration_1),
    (2, "camera status; action status history (action_updates)", _migration_2),
    (3, "action history in commit order (action_updates.seq)", _migration_3),
    (4, "audit log (audit_log)", _migration_4),
)
"""``(version, description, function)`` in order; the last version is the models' schema."""

LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(engine: Engine) -> int:
    """The schema version of the store (0 for an empty database)."""
    with engine.connect() as connection:
        return _version(connection)


def _version(connection: Connection) -> int:
    if not inspect(connection).has_table(_VERSION_TABLE.name):
        return 0
    return int(connection.execute(select(func.max(_VERSION_TABLE.c.version))).scalar() or 0)


def migrate(engine: Engine, *, target: int | None = None) -> list[int]:
    """Bring the schema up to ``target`` (default: the latest version).

    All pending migrations run in one transaction: on any error none of them is kept. The
    version is read again under the lock, so concurrent callers migrate once.

    Parameters
    ----------
    engine
        From :func:`hotspots.store.db.open_store` (``migrate=False`` to call this yourself).
    target
        Stop at this version (tests use ``target=1`` to build the previous schema).

    Returns
    -------
    list of int
        The versions applied now (empty when the schema was already up to date).

    Raises
    ------
    RuntimeError
        When the database's schema is newer than this version of hotspots knows, or ``target``
        is not a known version.
    """
    target = LATEST_VERSION if target is None else target
    if target not in {version for version, _, _ in MIGRATIONS}:
        raise RuntimeError(f"unknown schema version {target}; versions are 1..{LATEST_VERSION}")
    with write_connection(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_KEY})"))
        _VERSION_TABLE.create(connection, checkfirst=True)
        version = _version(connection)
        if version > LATEST_VERSION:
            raise RuntimeError(
                f"the store's schema is version {version} but this hotspots knows versions "
                f"up to {LATEST_VERSION}; upgrade hotspots (pip install -U hotspots)"
            )
        applied = []
        for number, description, change in MIGRATIONS:
            if version < number <= target:
                change(connection)
                connection.execute(
                    insert(_VERSION_TABLE).values(
                        version=number, description=description, applied_at=now_local()
                    )
                )
                applied.append(number)
    return applied
