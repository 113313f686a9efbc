"""The operational store: walkabouts, feedback, actions, cameras and taskings (SQLAlchemy).

A SQLite file by default (``data/local/hotspots.sqlite``; ``$HOTSPOTS_DB`` for another file),
PostgreSQL when ``$HOTSPOTS_DB_URL`` is set; the schema is migrated when the store is opened.

Examples
--------
>>> from hotspots import store
>>> engine = store.open_store()  # doctest: +SKIP
>>> store.add_feedback(engine, {"lon": -0.47, "lat": 51.75, "reason": "poor_lighting",
...                             "severity": 3})  # doctest: +SKIP
>>> store.list_feedback(engine)  # doctest: +SKIP

The names below are imported from their modules when first used (:func:`__getattr__`), so a
module that needs only the record labels (``hotspots.store.records``) does not load
SQLAlchemy: the dashboard's first map is not kept waiting for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotspots.store.audit import SYSTEM, audit_log, record_event
    from hotspots.store.db import (
        DB_PATH_ENV,
        DB_URL_ENV,
        database_url,
        default_db_path,
        open_store,
        run_in_transaction,
    )
    from hotspots.store.io import (
        CAMERA_IMPORT_DEFAULTS,
        FAR_OUTSIDE_M,
        NEAR_BOUNDARY_M,
        ImportReport,
        OutsideAreaError,
        StudyArea,
        export_records,
        import_records,
        read_records,
    )
    from hotspots.store.migrations import LATEST_VERSION, MIGRATIONS, current_version, migrate
    from hotspots.store.records import (
        ACTION_STATUSES,
        CAMERA_STATUSES,
        CAMERA_TYPES,
        REASON_LABELS,
        REASONS,
        RECORD_FIELDS,
        RECORD_KINDS,
        STATUS_LABELS,
        TIMES_OF_CONCERN,
        ValidationError,
        camera_content_id,
        camera_label,
        clean_record,
        reason_label,
    )
    from hotspots.store.repo import (
        Saved,
        action_history,
        add_action,
        add_camera,
        add_feedback,
        add_record,
        add_tasking,
        add_walkabout,
        delete_record,
        delete_records,
        get_record,
        list_actions,
        list_cameras,
        list_feedback,
        list_records,
        list_taskings,
        list_walkabouts,
        update_action_status,
        update_record,
    )

_HOMES = {
    "SYSTEM": "hotspots.store.audit",
    "audit_log": "hotspots.store.audit",
    "record_event": "hotspots.store.audit",
    "DB_PATH_ENV": "hotspots.store.db",
    "DB_URL_ENV": "hotspots.store.db",
    "database_url": "hotspots.store.db",
    "default_db_path": "hotspots.store.db",
    "open_store": "hotspots.store.db",
    "run_in_transaction": "hotspots.store.db",
    "CAMERA_IMPORT_DEFAULTS": "hotspots.store.io",
    "FAR_OUTSIDE_M": "hotspots.store.io",
    "NEAR_BOUNDARY_M": "hotspots.store.io",
    "ImportReport": "hotspots.store.io",
    "OutsideAreaError": "hotspots.store.io",
    "StudyArea": "hotspots.store.io",
    "export_records": "hotspots.store.io",
    "import_records": "hotspots.store.io",
    "read_records": "hotspots.store.io",
    "LATEST_VERSION": "hotspots.store.migrations",
    "MIGRATIONS": "hotspots.store.migrations",
    "current_version": "hotspots.store.migrations",
    "migrate": "hotspots.store.migrations",
    "ACTION_STATUSES": "hotspots.store.records",
    "CAMERA_STATUSES": "hotspots.store.records",
    "CAMERA_TYPES": "hotspots.store.records",
    "REASON_LABELS": "hotspots.store.records",
    "REASONS": "hotspots.store.records",
    "RECORD_FIELDS": "hotspots.store.records",
    "RECORD_KINDS": "hotspots.store.records",
    "STATUS_LABELS": "hotspots.store.records",
    "TIMES_OF_CONCERN": "hotspots.store.records",
    "ValidationError": "hotspots.store.records",
    "camera_content_id": "hotspots.store.records",
    "camera_label": "hotspots.store.records",
    "clean_record": "hotspots.store.records",
    "reason_label": "hotspots.store.records",
    "Saved": "hotspots.store.repo",
    "action_history": "hotspots.store.repo",
    "add_action": "hotspots.store.repo",
    "add_camera": "hotspots.store.repo",
    "add_feedback": "hotspots.store.repo",
    "add_record": "hotspots.store.repo",
    "add_tasking": "hotspots.store.repo",
    "add_walkabout": "hotspots.store.repo",
    "delete_record": "hotspots.store.repo",
    "delete_records": "hotspots.store.repo",
    "get_record": "hotspots.store.repo",
    "list_actions": "hotspots.store.repo",
    "list_cameras": "hotspots.store.repo",
    "list_feedback": "hotspots.store.repo",
    "list_records": "hotspots.store.repo",
    "list_taskings": "hotspots.store.repo",
    "list_walkabouts": "hotspots.store.repo",
    "update_action_status": "hotspots.store.repo",
    "update_record": "hotspots.store.repo",
}
"""Each public name → the module that defines it."""


def __getattr__(name: str) -> Any:
    """``store.NAME``: imported from its module on first use, then kept in this module."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "ACTION_STATUSES",
    "CAMERA_IMPORT_DEFAULTS",
    "CAMERA_STATUSES",
    "CAMERA_TYPES",
    "DB_PATH_ENV",
    "DB_URL_ENV",
    "FAR_OUTSIDE_M",
    "LATEST_VERSION",
    "MIGRATIONS",
    "NEAR_BOUNDARY_M",
    "REASONS",
    "REASON_LABELS",
    "RECORD_FIELDS",
    "RECORD_KINDS",
    "STATUS_LABELS",
    "SYSTEM",
    "TIMES_OF_CONCERN",
    "ImportReport",
    "OutsideAreaError",
    "Saved",
    "StudyArea",
    "ValidationError",
    "action_history",
    "add_action",
    "add_camera",
    "add_feedback",
    "add_record",
    "add_tasking",
    "add_walkabout",
    "audit_log",
    "camera_content_id",
    "camera_label",
    "clean_record",
    "current_version",
    "database_url",
    "default_db_path",
    "delete_record",
    "delete_records",
    "export_records",
    "get_record",
    "import_records",
    "list_actions",
    "list_cameras",
    "list_feedback",
    "list_records",
    "list_taskings",
    "list_walkabouts",
    "migrate",
    "open_store",
    "read_records",
    "reason_label",
    "record_event",
    "run_in_transaction",
    "update_action_status",
    "update_record",
]
