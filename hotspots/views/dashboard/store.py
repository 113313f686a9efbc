"""The dashboard's operational store: one engine per database, the demo records seeded once.

The store is the one :func:`hotspots.store.open_store` opens: ``$HOTSPOTS_DB_URL``
(PostgreSQL), else the SQLite file ``$HOTSPOTS_DB``, else ``data/local/hotspots.sqlite``. Every
browser session of the app shares one engine per database URL (``st.cache_resource``); the
records themselves are read fresh on every rerun, so what one session saves the others see.

So that the demo has something to show, an EMPTY store (no record of any kind) gets the demo's
SYNTHETIC camera list, walkabout and its feedback points (``data/demo/*.csv``) on first use.
A store holding anything at all is left alone, and set ``HOTSPOTS_SEED_DEMO=0`` to never seed
(a council's own store starts empty).

Examples
--------
>>> from hotspots.views.dashboard.store import session_store
>>> engine = session_store()  # doctest: +SKIP
>>> store.list_cameras(engine)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from sqlalchemy import Engine, select

from hotspots import store
from hotspots.data import datasets
from hotspots.store.models import MODELS
from hotspots.views.dashboard.state import open_workspace_root

log = logging.getLogger("hotspots.dashboard")

SEED_ENV = "HOTSPOTS_SEED_DEMO"
"""Environment variable: ``0`` (or ``false``/``no``) stops the demo records being seeded."""

DEMO_SEED: tuple[tuple[str, str], ...] = (
    ("cameras", "cameras"),
    ("walkabouts", "walkabouts"),
    ("feedback", "feedback"),
)
"""(record type, demo file) pairs seeded into an empty store, in an order that keeps every
reference valid (feedback points refer to their walkabout)."""


def seed_wanted() -> bool:
    """Whether an empty store gets the demo records: the demo's only (never a workspace's:
    Dacorum's cameras and walkabout are not another partnership's), and not when
    ``$HOTSPOTS_SEED_DEMO`` says no."""
    if open_workspace_root() is not None:
        return False
    return os.environ.get(SEED_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def is_empty(engine: Engine) -> bool:
    """True when the store holds no record of any kind (no camera, walkabout, action, ...)."""
    with engine.connect() as connection:
        return all(
            connection.execute(select(MODELS[kind]).limit(1)).first() is None
            for kind in store.RECORD_KINDS
        )


def seed_demo(engine: Engine) -> dict[str, int]:
    """Put the demo cameras, walkabout and feedback points into ``engine``'s store if EMPTY.

    Idempotent: a store holding any record is left unchanged, and the imports skip ids already
    stored (two processes seeding at the same moment store each record once). Each record type
    is imported all or nothing, in one transaction.

    Parameters
    ----------
    engine
        From :func:`hotspots.store.open_store`.

    Returns
    -------
    dict
        Records inserted per record type (``{}`` when the store was not empty).

    Examples
    --------
    >>> engine = store.open_store("sqlite:///" + str(tmp_path / "s.sqlite"))  # doctest: +SKIP
    >>> seed_demo(engine)  # doctest: +SKIP
    {'cameras': 33, 'walkabouts': 1, 'feedback': 24}
    >>> seed_demo(engine)  # doctest: +SKIP
    {}
    """
    if not is_empty(engine):
        return {}
    inserted = {}
    for kind, name in DEMO_SEED:
        report = store.import_records(engine, datasets.demo_path(name), kind, if_exists="skip")
        inserted[kind] = report.inserted
    return inserted


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> tuple[Engine, dict[str, int]]:
    engine = store.open_store(url)
    seeded = seed_demo(engine) if seed_wanted() else {}
    return engine, seeded


def store_engine() -> Engine:
    """The engine of the configured store, opened (migrated, and seeded when empty) once.

    Raises ``RuntimeError`` or ``OSError`` when it cannot be opened (see :func:`session_store`).
    """
    return _engine(store.database_url())[0]


def session_store() -> Engine:
    """:func:`store_engine`, or a plain message and a stopped page when it cannot be opened.

    When the database cannot be opened (a PostgreSQL server down, a wrong URL, a folder that
    cannot be written), the server's log says why (URL with the password hidden, the folder),
    the page only that the store is unavailable, so no server path or address reaches a
    visitor; the next rerun tries again.
    """
    try:
        return store_engine()
    except (RuntimeError, OSError):
        log.exception("the operational store cannot be opened")
        st.error(
            "The operational store cannot be opened just now (walkabouts, actions, cameras, "
            "taskings). Whoever runs this dashboard can see why in its log (check "
            f"${store.DB_URL_ENV} or ${store.DB_PATH_ENV})."
        )
    st.stop()


def store_caption() -> str:
    """Where the records are kept, in plain words, and what the demo seeding put in it (never
    the store's address, file path or database kind: those are for the server's log).

    Examples
    --------
    >>> store_caption()  # doctest: +SKIP
    "Saved in this workspace's store — seeded on first use with SYNTHETIC demo records (…"
    """
    seeded = _engine(store.database_url())[1]
    if not seeded:
        return "Saved in this workspace's store."
    parts = ", ".join(f"{kind} {n}" for kind, n in seeded.items())
    return (
        "Saved in this workspace's store — seeded on first use with SYNTHETIC demo records "
        f"({parts})."
    )
