"""Where the store lives and how to talk to it: engine, connection settings, transactions.

By default the store is a SQLite file, ``data/local/hotspots.sqlite`` in the repository
(git-ignored; ``$HOTSPOTS_DB`` names another file). ``$HOTSPOTS_DB_URL`` (or the ``url``
argument) points it at PostgreSQL instead, e.g.
``postgresql+psycopg://user:password@host/dbname``. :func:`open_store` brings the schema up to
date (:mod:`hotspots.store.migrations`) every time it opens a store.

SQLite is opened in WAL mode (readers never block the writer), with foreign keys enforced,
``synchronous=FULL`` (a committed transaction survives the process being killed and a power
cut) and a busy timeout; every write takes the write lock when it starts (``BEGIN IMMEDIATE``)
so two writers queue instead of failing, and :func:`run_in_transaction` retries the rare
"database is locked" (or PostgreSQL serialisation failure / deadlock).

Examples
--------
>>> engine = open_store("sqlite:///" + str(tmp_path / "store.sqlite"))  # doctest: +SKIP
>>> run_in_transaction(engine, lambda session: session.add(...))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hotspots.core.defaults import WORKSPACE_ENV
from hotspots.data.datasets import data_dir

DB_URL_ENV = "HOTSPOTS_DB_URL"
"""Environment variable with a full SQLAlchemy URL (PostgreSQL: ``postgresql+psycopg://…``)."""

DB_PATH_ENV = "HOTSPOTS_DB"
"""Environment variable with the path of the SQLite file (when no URL is set)."""

BUSY_TIMEOUT_S = 30.0
"""How long a SQLite writer waits for another writer's lock before giving up, seconds."""

_WRITE = "hotspots_write"
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected

T = TypeVar("T")


def default_db_path(workspace: str | Path | None = None) -> Path:
    """The SQLite file used when nothing else is configured.

    ``$HOTSPOTS_DB`` when set; else, with a workspace open (``workspace``, else
    ``$HOTSPOTS_WORKSPACE``), its own ``data/hotspots.sqlite``: one partnership's walkabout
    feedback, actions and cameras are never another's; else (the demo)
    ``data/local/hotspots.sqlite`` under the bundled data folder
    (:func:`hotspots.data.datasets.data_dir`). git ignores both (``*.sqlite``).
    """
    env = os.environ.get(DB_PATH_ENV)
    if env:
        return Path(env)
    root = str(workspace or "") or os.environ.get(WORKSPACE_ENV, "").strip()
    folder = Path(root) / "data" if root else data_dir() / "local"
    return folder / "hotspots.sqlite"


def database_url(url: str | None = None, *, workspace: str | Path | None = None) -> str:
    """The store's SQLAlchemy URL: ``url``, else ``$HOTSPOTS_DB_URL``, else the SQLite file
    (:func:`default_db_path`, of ``workspace`` when given).

    Examples
    --------
    >>> database_url("postgresql+psycopg://csp@db.example/hotspots")
    'postgresql+psycopg://csp@db.example/hotspots'
    """
    chosen = url or os.environ.get(DB_URL_ENV)
    if chosen:
        return chosen
    return f"sqlite:///{default_db_path(workspace)}"


def safe_url(engine_or_url: Engine | str) -> str:
    """The URL with its password hidden, for messages and logs."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.render_as_string(hide_password=True)


def open_store(
    url: str | None = None, *, migrate: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S
) -> Engine:
    """Open (and create, and migrate) the operational store.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``None`` uses :func:`database_url` (``$HOTSPOTS_DB_URL`` or the
        default SQLite file, whose folder is created).
    migrate
        Apply pending schema migrations (:func:`hotspots.store.migrations.migrate`).
    busy_timeout_s
        SQLite only: seconds a writer waits for another writer's lock.

    Returns
    -------
    sqlalchemy.Engine
        Pass it to the :mod:`hotspots.store.repo` functions. Call ``engine.dispose()`` when done.

    Raises
    ------
    RuntimeError
        When the database cannot be reached (the message names the URL, password hidden), or
        its schema is newer than this version of hotspots.
    """
    full_url = make_url(database_url(url))
    if full_url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(full_url.render_as_string(hide_password=False), busy_timeout_s)
    else:
        engine = create_engine(full_url, pool_pre_ping=True)
    if migrate:
        from hotspots.store.migrations import migrate as apply_migrations

        try:
            apply_migrations(engine)
        except OperationalError as err:
            engine.dispose()
            raise RuntimeError(
                f"cannot open the store at {safe_url(engine)}: {err.orig}; check "
                f"${DB_URL_ENV} (or ${DB_PATH_ENV}) and that the database server is running"
            ) from err
    return engine


def _sqlite_engine(url: str, busy_timeout_s: float) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
    busy_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly below, so that writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _retryable(err: OperationalError) -> bool:
    if getattr(err.orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(err.orig).lower()
    return "database is locked" in message or "database is busy" in message


def run_in_transaction(
    engine: Engine, work: Callable[[Session], T], *, attempts: int = 5, backoff_s: float = 0.2
) -> T:
    """Run ``work(session)`` as one write transaction: all of it is committed, or none.

    On SQLite the transaction takes the write lock when it starts (``BEGIN IMMEDIATE``), so
    concurrent writers wait their turn (up to the busy timeout). A "database is locked" error,
    or a PostgreSQL serialisation failure or deadlock, rolls back and re-runs ``work`` from
    the start, up to ``attempts`` times, waiting ``backoff_s`` × attempt seconds between tries;
    any other error rolls back and is raised. When this returns, the data is committed.

    Parameters
    ----------
    engine
        From :func:`open_store`.
    work
        Does the reads and writes through the given session; must not commit it. Called again
        on a retry, so it must not have side effects outside the database.

    Returns
    -------
    Whatever ``work`` returns.
    """
    for attempt in range(1, attempts + 1):
        try:
            with (
                write_connection(engine) as connection,
                Session(bind=connection, expire_on_commit=False) as session,
            ):
                result = work(session)
                session.flush()
                return result
        except OperationalError as err:
            if attempt == attempts or not _retryable(err):
                raise
            time.sleep(backoff_s * attempt)
    raise AssertionError("unreachable: the loop returns or raises")


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside one write transaction, committed on exit (rolled back on error).

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (it holds the write lock from
    its first statement, so what it read cannot go stale before it writes).
    """
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection
