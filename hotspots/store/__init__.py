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
"""

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
    ImportReport,
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

__all__ = [
    "ACTION_STATUSES",
    "CAMERA_IMPORT_DEFAULTS",
    "CAMERA_STATUSES",
    "CAMERA_TYPES",
    "DB_PATH_ENV",
    "DB_URL_ENV",
    "LATEST_VERSION",
    "MIGRATIONS",
    "REASONS",
    "REASON_LABELS",
    "RECORD_FIELDS",
    "RECORD_KINDS",
    "STATUS_LABELS",
    "SYSTEM",
    "TIMES_OF_CONCERN",
    "ImportReport",
    "Saved",
    "ValidationError",
    "action_history",
    "add_action",
    "add_camera",
    "add_feedback",
    "add_record",
    "add_tasking",
    "add_walkabout",
    "audit_log",
    "clean_record",
    "current_version",
    "database_url",
    "default_db_path",
    "delete_record",
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
