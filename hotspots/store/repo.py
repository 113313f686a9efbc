"""Create, read, update and delete the store's records; every write is one transaction.

Writes take plain mappings (a form's values, a CSV row) and validate them with
:func:`hotspots.store.records.clean_record` (errors raise
:class:`~hotspots.store.records.ValidationError` naming each problem and its fix); references
to other records are checked inside the same transaction. Each write returns :class:`Saved`
(the record's id and warnings that did not stop it, such as a due date already past). When a
write function returns, the record is committed: a crash afterwards cannot lose it. Every
write takes ``actor`` (who is doing it, :class:`hotspots.core.access.User`; default the
``system`` actor) and writes its line of the audit log in the same transaction
(:func:`run_write`, :mod:`hotspots.store.audit`).

Reads return DataFrames ready to show (points as GeoDataFrames in EPSG:4326). Free text comes
back verbatim: escape it where it is shown.

Examples
--------
>>> engine = open_store()  # doctest: +SKIP
>>> saved = add_feedback(engine, {"lon": -0.4712, "lat": 51.7532, "reason": "no_cctv",
...                               "severity": 4, "comment": "No cameras here"})  # doctest: +SKIP
>>> action = add_action(engine, {"feedback_id": saved.id, "description": "Survey CCTV",
...     "owner_agency": "Dacorum BC CCTV", "due_date": "2022-01-31"})  # doctest: +SKIP
>>> update_action_status(engine, action.id, "in_progress", note="survey booked")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from hotspots.core.access import User
from hotspots.data.schema import WGS84
from hotspots.store.audit import write_entry
from hotspots.store.db import run_in_transaction
from hotspots.store.models import MODELS, Action, ActionUpdate, Base, Camera, Feedback, Tasking
from hotspots.store.records import (
    ACTION_STATUSES,
    ID_FIELD,
    OPEN_STATUSES,
    RECORD_FIELDS,
    ValidationError,
    check_kind,
    clean_record,
    new_id,
    now_local,
)

REFERENCES: dict[str, tuple[str, str]] = {
    "feedback": ("walkabout_id", "walkabouts"),
    "actions": ("feedback_id", "feedback"),
    "action_updates": ("action_id", "actions"),
    "taskings": ("camera_id", "cameras"),
}
"""For each record type that refers to another: ``(field, referenced record type)``."""

T = TypeVar("T")

_DEPENDANTS: dict[str, tuple[str, str]] = {
    parent: (kind, field) for kind, (field, parent) in REFERENCES.items()
}


@dataclass(frozen=True)
class Saved:
    """What a write stored: the record type, its id and warnings that did not stop it."""

    kind: str
    id: str
    warnings: tuple[str, ...] = ()


def _model(kind: str) -> type[Base]:
    check_kind(kind)
    return MODELS[kind]


def _check_reference(session: Session, kind: str, values: Mapping[str, Any]) -> None:
    if kind not in REFERENCES:
        return
    field, parent = REFERENCES[kind]
    ref = values[field]
    if ref is not None and session.get(MODELS[parent], ref) is None:
        raise ValidationError(
            kind, [f"{field} {ref!r} is not in the store; add that {parent} record first"]
        )


def _warnings(kind: str, values: Mapping[str, Any], session: Session, today: date) -> list[str]:
    warnings = []
    if kind == "actions" and values["due_date"] < today and values["status"] in OPEN_STATUSES:
        warnings.append(
            f"due date {values['due_date']} is already past (today is {today}): the action "
            "shows as overdue"
        )
    if kind == "taskings":
        camera = session.get(Camera, values["camera_id"])
        if camera is not None and camera.status != "active":
            warnings.append(f"camera {camera.camera_id} is {camera.status}, not active")
    return warnings


def _insert(session: Session, kind: str, values: dict[str, Any]) -> None:
    model = _model(kind)
    record_id = values[ID_FIELD[kind]]
    if session.get(model, record_id) is not None:
        derived = RECORD_FIELDS[kind][0].derived
        if derived is not None and derived(values) == record_id:
            problem = (
                f"this camera (the same position to about a metre, type and name) is already "
                f"stored as {record_id!r}; update that one, or give this camera its own camera_id"
            )
        else:
            problem = (
                f"{ID_FIELD[kind]} {record_id!r} already exists; leave it blank for a new id, "
                "or update the existing record"
            )
        raise ValidationError(kind, [problem])
    _check_reference(session, kind, values)
    session.add(model(**values))
    if kind == "actions":
        session.add(
            ActionUpdate(
                update_id=new_id("UPD"),
                action_id=values["action_id"],
                at=values["created_at"],
                status_from=None,
                status_to=values["status"],
                note="action created",
                updated_by=values["owner_agency"],
            )
        )


def run_write(
    engine: Engine,
    kind: str,
    work: Callable[[Session], T],
    *,
    actor: User | None,
    action: str,
    target: str,
    detail: str | Callable[[T], str] = "",
) -> T:
    """Run ``work(session)`` as one write transaction (see
    :func:`hotspots.store.db.run_in_transaction`) with its audit row; a constraint violation
    becomes a :class:`ValidationError` about ``kind`` records.

    This is the one place store writes are audited: ``actor`` did ``action`` to ``target``
    (``detail`` may be a function of what ``work`` returned), written in the same transaction.
    """

    def audited(session: Session) -> T:
        result = work(session)
        text = detail(result) if callable(detail) else detail
        write_entry(session, actor, action, target, text)
        return result

    try:
        return run_in_transaction(engine, audited)
    except IntegrityError as err:
        raise ValidationError(
            kind, [f"conflicts with the stored data ({str(err.orig).splitlines()[0]})"]
        ) from err


def add_record(
    engine: Engine,
    kind: str,
    record: Mapping[str, Any],
    *,
    today: date | None = None,
    actor: User | None = None,
) -> Saved:
    """Validate and store one new record (one transaction).

    Parameters
    ----------
    engine
        From :func:`hotspots.store.db.open_store`.
    kind
        ``walkabouts``, ``feedback``, ``actions``, ``cameras`` or ``taskings`` (an action's
        history is written by :func:`update_action_status`).
    record
        Field values (:data:`hotspots.store.records.RECORD_FIELDS`); a blank id gets a new one.
    today
        The date overdue warnings compare with (default: today).
    actor
        Who adds it (the audit log's user and role).

    Returns
    -------
    Saved
        The new record's id; warnings such as "due date already past". A new action also gets
        the first entry of its history (its initial status).

    Raises
    ------
    ValidationError
        Bad or missing fields, an id already used, or a reference to a record not stored.
    """
    if kind == "action_updates":
        raise ValueError(
            "an action's history is written by update_action_status(engine, action_id, status)"
        )
    values = clean_record(kind, record)
    today = today or date.today()

    def work(session: Session) -> list[str]:
        _insert(session, kind, values)
        return _warnings(kind, values, session, today)

    record_id = values[ID_FIELD[kind]]
    warnings = run_write(
        engine, kind, work, actor=actor, action="add", target=f"{kind}/{record_id}"
    )
    return Saved(kind, record_id, tuple(warnings))


def add_walkabout(engine: Engine, record: Mapping[str, Any], *, actor: User | None = None) -> Saved:
    """Store a walkabout: ``date``, ``area``, ``organiser``, ``agencies``, ``participants``."""
    return add_record(engine, "walkabouts", record, actor=actor)


def add_feedback(engine: Engine, record: Mapping[str, Any], *, actor: User | None = None) -> Saved:
    """Store a feedback point: ``lon``, ``lat`` (WGS84), ``reason``, ``severity`` (1–5), …"""
    return add_record(engine, "feedback", record, actor=actor)


def add_action(
    engine: Engine,
    record: Mapping[str, Any],
    *,
    today: date | None = None,
    actor: User | None = None,
) -> Saved:
    """Store an action on a feedback point; a due date already past is a warning, not an error."""
    return add_record(engine, "actions", record, today=today, actor=actor)


def add_camera(engine: Engine, record: Mapping[str, Any], *, actor: User | None = None) -> Saved:
    """Store a camera: ``type``, ``range_m`` (metres), ``lon``/``lat``, bearing/FOV if fixed."""
    return add_record(engine, "cameras", record, actor=actor)


def add_tasking(engine: Engine, record: Mapping[str, Any], *, actor: User | None = None) -> Saved:
    """Store a tasking: ``camera_id``, ``window_start`` < ``window_end``, ``requested_by``, …"""
    return add_record(engine, "taskings", record, actor=actor)


def update_record(
    engine: Engine,
    kind: str,
    record_id: str,
    changes: Mapping[str, Any],
    *,
    today: date | None = None,
    actor: User | None = None,
) -> Saved:
    """Change fields of a stored record (one transaction); the whole record is re-validated.

    An action's ``status`` changes only through :func:`update_action_status` (so each change is
    kept in its history), and the history itself is append-only.

    Raises
    ------
    KeyError
        No record with that id.
    ValidationError
        Bad values, a changed id, or a status change that must go through the history.
    """
    model = _model(kind)
    id_field = ID_FIELD[kind]
    if kind == "action_updates":
        raise ValueError("an action's history is append-only: add an update instead")
    if id_field in changes and changes[id_field] != record_id:
        raise ValidationError(kind, [f"{id_field} cannot change; add a new record instead"])
    today = today or date.today()

    def work(session: Session) -> list[str]:
        row = session.get(model, record_id)
        if row is None:
            raise KeyError(f"no {kind} record with {id_field} {record_id!r}")
        current = _row_values(row, kind)
        if kind == "actions" and "status" in changes and changes["status"] != current["status"]:
            raise ValidationError(
                kind,
                ["change an action's status with update_action_status, so it is kept in history"],
            )
        values = clean_record(kind, {**current, **changes})
        _check_reference(session, kind, values)
        for name, value in values.items():
            setattr(row, name, value)
        return _warnings(kind, values, session, today)

    changed = ", ".join(sorted(changes))
    warnings = run_write(
        engine,
        kind,
        work,
        actor=actor,
        action="edit",
        target=f"{kind}/{record_id}",
        detail=f"fields: {changed}",
    )
    return Saved(kind, record_id, tuple(warnings))


def update_action_status(
    engine: Engine,
    action_id: str,
    status: str,
    *,
    note: str = "",
    updated_by: str = "",
    at: datetime | None = None,
    actor: User | None = None,
) -> Saved:
    """Change an action's status (or add a note) and keep the change in its history.

    Parameters
    ----------
    action_id
        The action.
    status
        ``open``, ``in_progress``, ``done`` or ``cancelled``; the current status with a
        ``note`` records a note without a change.
    note, updated_by
        Free text kept verbatim with the entry (an agency, not a person's name).
    at
        When the change was made (default: now, local time).

    Returns
    -------
    Saved
        ``kind="action_updates"`` and the id of the history entry.
    """
    values = clean_record(
        "action_updates",
        {
            "action_id": action_id,
            "status_to": status,
            "note": note,
            "updated_by": updated_by,
            "at": at if at is not None else now_local(),
        },
    )

    def work(session: Session) -> None:
        # the action's row is locked (PostgreSQL; SQLite holds the write lock already), so the
        # status read here is the one this entry changes, and its time is taken under the lock
        action = session.get(Action, values["action_id"], with_for_update=True)
        if at is None:
            values["at"] = now_local()
        if action is None:
            raise KeyError(f"no action with action_id {action_id!r}")
        if action.status == values["status_to"] and not values["note"].strip():
            raise ValidationError(
                "action_updates",
                [f"action {action_id} is already {action.status!r}; add a note to record it"],
            )
        values["status_from"] = action.status
        action.status = values["status_to"]
        session.add(ActionUpdate(**values))

    run_write(
        engine,
        "action_updates",
        work,
        actor=actor,
        action="status",
        target=f"actions/{action_id}",
        detail=f"status {status}" + (f"; note: {note}" if note else ""),
    )
    return Saved("action_updates", values["update_id"])


def delete_record(engine: Engine, kind: str, record_id: str, *, actor: User | None = None) -> None:
    """Delete one record (one transaction); an action's history goes with it.

    Raises
    ------
    KeyError
        No record with that id.
    ValidationError
        Other records refer to it (feedback of a walkabout, actions of a feedback point,
        taskings of a camera): delete or change those first, or for a camera set its status.
    """
    delete_records(engine, kind, [record_id], actor=actor)


def delete_records(
    engine: Engine, kind: str, record_ids: Iterable[str], *, actor: User | None = None
) -> int:
    """Delete several records of ``kind``, all or none (one transaction, one audit row naming
    them all); an action's history goes with it. Returns how many were deleted.

    Raises
    ------
    KeyError
        An id with no record (every such id named; nothing deleted).
    ValidationError
        Other records refer to one of them, as for :func:`delete_record` (nothing deleted).
    """
    model = _model(kind)
    id_field = ID_FIELD[kind]
    if kind == "action_updates":
        raise ValueError("an action's history is append-only; delete the action instead")
    ids = list(dict.fromkeys(str(i) for i in record_ids))
    if not ids:
        raise ValueError(f"no {kind} record chosen to delete")

    def work(session: Session) -> int:
        rows = {record_id: session.get(model, record_id) for record_id in ids}
        found = {record_id: row for record_id, row in rows.items() if row is not None}
        if len(found) < len(ids):
            shown = ", ".join(repr(i) for i in ids if i not in found)
            raise KeyError(f"no {kind} record with {id_field} {shown}; nothing deleted")
        for record_id, row in found.items():
            _delete(session, kind, record_id, row)
        return len(found)

    target = f"{kind}/{ids[0]}" if len(ids) == 1 else f"{kind}/{', '.join(ids)}"
    if len(target) > 300:
        target = f"{kind}/{len(ids)} records"
    detail = "" if len(ids) == 1 else f"{len(ids)} {kind} records: {', '.join(ids)}"
    return run_write(engine, kind, work, actor=actor, action="delete", target=target, detail=detail)


def _delete(session: Session, kind: str, record_id: str, row: Base) -> None:
    """Delete ``row`` (of ``kind``, id ``record_id``) in ``session`` unless others refer to it."""
    if kind in _DEPENDANTS and kind != "actions":
        child, field = _DEPENDANTS[kind]
        child_model = MODELS[child]
        n = session.scalar(select(func.count()).where(getattr(child_model, field) == record_id))
        if n:
            hint = " or set the camera's status to decommissioned" if kind == "cameras" else ""
            raise ValidationError(
                kind,
                [f"{n} {child} record(s) refer to {record_id!r}; delete them first{hint}"],
            )
    if kind == "actions":
        for update in session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id == record_id)
        ):
            session.delete(update)
        session.flush()
    session.delete(row)


def _row_values(row: Base, kind: str) -> dict[str, Any]:
    return {field.name: getattr(row, field.name) for field in RECORD_FIELDS[kind]}


def get_record(engine: Engine, kind: str, record_id: str) -> dict[str, Any]:
    """One stored record as a dict of its fields; ``KeyError`` when there is none."""
    model = _model(kind)
    with Session(engine) as session:
        row = session.get(model, record_id)
        if row is None:
            raise KeyError(f"no {kind} record with {ID_FIELD[kind]} {record_id!r}")
        return _row_values(row, kind)


def list_records(
    engine: Engine, kind: str, *, where: Iterable[Any] = (), extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Every record of ``kind`` (optionally filtered by SQLAlchemy conditions), by id.

    ``extra`` names columns the store keeps beyond the record's fields (``seq`` of the history).

    Returns
    -------
    DataFrame
        One column per field, in :data:`~hotspots.store.records.RECORD_FIELDS` order; dates and
        times as ``datetime64``; free text verbatim (``str``).
    """
    model = _model(kind)
    table = model.__table__
    names = [field.name for field in RECORD_FIELDS[kind]] + list(extra)
    query = select(*(table.c[name] for name in names)).where(*where).order_by(table.c[names[0]])
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=names)
    for name in names:
        if isinstance(table.c[name].type, Date | DateTime):
            frame[name] = pd.to_datetime(frame[name])
    return frame


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def list_walkabouts(engine: Engine) -> pd.DataFrame:
    """All walkabouts (no names of people are stored), with their number of feedback points."""
    frame = list_records(engine, "walkabouts")
    feedback = list_records(engine, "feedback")
    counts = feedback["walkabout_id"].value_counts()
    frame["feedback_points"] = frame["walkabout_id"].map(counts).fillna(0).astype(int)
    return frame


def list_feedback(
    engine: Engine,
    *,
    walkabout_id: str | None = None,
    reasons: Iterable[str] | None = None,
    min_severity: int = 1,
) -> gpd.GeoDataFrame:
    """Feedback points as a GeoDataFrame (EPSG:4326), filtered, most severe first.

    Parameters
    ----------
    walkabout_id
        Only this walkabout's points.
    reasons
        Only these reason codes (:data:`hotspots.store.records.REASONS`).
    min_severity
        Only points at least this severe (1–5).
    """
    where = [Feedback.severity >= int(min_severity)]
    if walkabout_id is not None:
        where.append(Feedback.walkabout_id == walkabout_id)
    if reasons is not None:
        where.append(Feedback.reason.in_(list(reasons)))
    frame = list_records(engine, "feedback", where=where)
    frame = frame.sort_values(["severity", "feedback_id"], ascending=[False, True])
    return _points(frame.reset_index(drop=True))


def list_cameras(engine: Engine, *, statuses: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Cameras as a GeoDataFrame (EPSG:4326), optionally only some statuses (e.g. active)."""
    where = [] if statuses is None else [Camera.status.in_(list(statuses))]
    return _points(list_records(engine, "cameras", where=where))


def list_actions(
    engine: Engine,
    *,
    statuses: Iterable[str] | None = None,
    owner_agency: str | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The actions tracker: each action with its feedback point, overdue flag and history size.

    Returns
    -------
    DataFrame
        The action fields, the feedback point's ``reason`` and ``severity``, ``overdue`` (open
        or in progress and due before ``today``), ``days_overdue`` (0 when not overdue) and
        ``updates`` (entries in its history); overdue first, then by due date.
    """
    today = today or date.today()
    where: list[ColumnElement[bool]] = []
    if statuses is not None:
        unknown = set(statuses) - set(ACTION_STATUSES)
        if unknown:
            raise ValueError(f"unknown status {sorted(unknown)}; choose from {ACTION_STATUSES}")
        where.append(Action.status.in_(list(statuses)))
    if owner_agency is not None:
        where.append(Action.owner_agency == owner_agency)
    frame = list_records(engine, "actions", where=where)
    feedback = list_records(engine, "feedback").set_index("feedback_id")
    frame["reason"] = frame["feedback_id"].map(feedback["reason"])
    frame["severity"] = frame["feedback_id"].map(feedback["severity"])
    late = (pd.Timestamp(today) - frame["due_date"]).dt.days.to_numpy()
    overdue = frame["status"].isin(OPEN_STATUSES).to_numpy() & (late > 0)
    frame["overdue"] = overdue
    frame["days_overdue"] = np.where(overdue, late, 0).astype(int)
    history = list_records(engine, "action_updates")["action_id"].value_counts()
    frame["updates"] = frame["action_id"].map(history).fillna(0).astype(int)
    frame = frame.sort_values(["overdue", "due_date", "action_id"], ascending=[False, True, True])
    return frame.reset_index(drop=True)


def action_history(engine: Engine, action_id: str | None = None) -> pd.DataFrame:
    """Status changes and notes in the order they were committed (of one action, or of all)."""
    where = [] if action_id is None else [ActionUpdate.action_id == action_id]
    frame = list_records(engine, "action_updates", where=where, extra=["seq"])
    return frame.sort_values(["action_id", "seq"]).reset_index(drop=True)


def list_taskings(
    engine: Engine,
    *,
    camera_id: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
) -> pd.DataFrame:
    """The tasking log, by window start: optionally one camera, windows starting in a range."""
    where = []
    if camera_id is not None:
        where.append(Tasking.camera_id == camera_id)
    if since is not None:
        where.append(Tasking.window_start >= pd.Timestamp(since).to_pydatetime())
    if until is not None:
        where.append(Tasking.window_start < pd.Timestamp(until).to_pydatetime())
    frame = list_records(engine, "taskings", where=where)
    return frame.sort_values(["window_start", "tasking_id"]).reset_index(drop=True)
