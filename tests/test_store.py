"""The operational store, on SQLite and on a real PostgreSQL server started for the session.

Every test taking ``new_store`` runs twice: ``[sqlite]`` on a file in a temporary folder and
``[postgresql]`` on a fresh database of a throwaway server (``initdb`` + ``pg_ctl`` on a free
port of 127.0.0.1, stopped at the end). When PostgreSQL's binaries are missing the postgresql
tests FAIL with the fix (``bash scripts/setup.sh --test`` installs them): they never skip.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session

from hotspots import store
from hotspots.core.access import User
from hotspots.store.models import Base, Feedback

BACKENDS = ["sqlite", "postgresql"]
INJECTIONS = ["<img src=x onerror=alert(1)>", "'); DROP TABLE actions;--"]
TRAFFORD = Path(__file__).parent / "data" / "cctv"
TABLES = {
    "walkabouts",
    "feedback",
    "actions",
    "action_updates",
    "cameras",
    "taskings",
    "audit_log",
}


def _pg_bindir() -> Path | None:
    """The folder of ``initdb`` / ``pg_ctl``: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway PostgreSQL server; yields its base URL (``.../``, no database name)."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: run "
            "`bash scripts/setup.sh --test` as root, or `apt-get install -y postgresql`"
        )
    root = Path(tempfile.mkdtemp(prefix="hotspots-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    commands = [
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "-N",
        ],
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
    ]
    for command in commands:
        done = subprocess.run(as_user + command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            shutil.rmtree(root, ignore_errors=True)
            pytest.fail(f"could not start PostgreSQL ({command[0]}): {done.stderr}{log}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(as_user + stop, capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of URLs of new, empty stores on the parametrised backend."""
    made: list[str] = []
    admin: Engine | None = None
    if request.param == "postgresql":
        base = request.getfixturevalue("pg_server")
        admin = create_engine(base + "postgres", isolation_level="AUTOCOMMIT")

    def make() -> str:
        if admin is None:
            url = f"sqlite:///{tmp_path / f'store{len(made)}.sqlite'}"
        else:
            name = f"t_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name}"))
            url = str(admin.url.set(database=name).render_as_string(hide_password=False))
        made.append(url)
        return url

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for url in made:
                name = url.rsplit("/", 1)[1]
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def engine(new_store: Callable[[], str]) -> Iterator[Engine]:
    """An opened (migrated) empty store."""
    opened = store.open_store(new_store())
    yield opened
    opened.dispose()


def _walkabout(**extra: object) -> dict:
    return {
        "walkabout_id": "WALK-1",
        "date": "2021-11-18",
        "start_time": "18:30",
        "end_time": "20:30",
        "area": "Hemel Hempstead town centre",
        "organiser": "Dacorum CSP",
        "agencies": "Dacorum BC; Herts Police",
        "participants": 14,
        **extra,
    }


def _feedback(**extra: object) -> dict:
    return {
        "walkabout_id": "WALK-1",
        "lon": -0.471179,
        "lat": 51.75323,
        "reason": "no_cctv",
        "comment": "No cameras cover this corner",
        "time_of_concern": "evening",
        "severity": 4,
        **extra,
    }


def _camera(**extra: object) -> dict:
    return {
        "camera_id": "CAM-1",
        "name": "HH01 The Sidings",
        "type": "fixed",
        "range_m": 65,
        "bearing_deg": 287,
        "fov_deg": 60,
        "lon": -0.468519,
        "lat": 51.753688,
        **extra,
    }


# --- migrations -----------------------------------------------------------------------------


def test_migrations_from_an_empty_database_build_the_models_schema(new_store) -> None:
    engine = store.open_store(new_store(), migrate=False)
    assert store.current_version(engine) == 0
    assert store.migrate(engine) == [1, 2, 3, 4]
    assert store.current_version(engine) == store.LATEST_VERSION == 4
    assert store.migrate(engine) == []  # idempotent
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) == TABLES | {"schema_version"}
    for table in Base.metadata.sorted_tables:
        stored = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        expected = {c.name: c.nullable for c in table.columns}
        assert stored == expected, table.name
        stored_fks = {
            (tuple(fk["constrained_columns"]), fk["referred_table"])
            for fk in inspector.get_foreign_keys(table.name)
        }
        expected_fks = {((fk.parent.name,), fk.column.table.name) for fk in table.foreign_keys}
        assert stored_fks == expected_fks, table.name
    engine.dispose()


def test_migration_from_the_previous_version_keeps_the_data(new_store) -> None:
    engine = store.open_store(new_store(), migrate=False)
    assert store.migrate(engine, target=1) == [1]
    assert "status" not in {c["name"] for c in inspect(engine).get_columns("cameras")}
    with engine.begin() as connection:  # version-1 rows, written as version 1 would have
        connection.execute(
            text(
                "INSERT INTO walkabouts VALUES ('W1', '2021-11-18', '18:30', '20:30', 'Town', "
                "'CSP', 'Police', 12)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO feedback VALUES ('F1', 'W1', -0.47, 51.75, 'isolated', "
                "'dark path', 'night', 4, '2021-11-18 19:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO actions VALUES ('A1', 'F1', 'Survey lighting', 'Highways', "
                "'2021-12-31', 'in_progress', '2021-11-19 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cameras VALUES ('C1', 'Cam', 'Marlowes', '', '', 'ptz', 120, "
                "NULL, NULL, -0.47, 51.75)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO taskings VALUES ('T1', 'C1', '2021-11-19 22:00:00', "
                "'2021-11-20 02:00:00', 'cell-1', 'NTE', 'Police', '', '2021-11-19 12:00:00')"
            )
        )
    assert store.migrate(engine) == [2, 3, 4]
    assert store.get_record(engine, "walkabouts", "W1")["participants"] == 12
    assert store.get_record(engine, "feedback", "F1")["comment"] == "dark path"
    assert store.get_record(engine, "cameras", "C1")["status"] == "active"
    assert store.get_record(engine, "taskings", "T1")["hotspot_id"] == "cell-1"
    history = store.action_history(engine, "A1")
    assert history["status_to"].tolist() == ["in_progress"]
    assert history["at"].tolist() == [datetime(2021, 11, 19, 9)]
    store.update_action_status(engine, "A1", "done", note="lights fixed")
    after = store.action_history(engine, "A1")
    assert after["seq"].tolist() == [1, 2]
    assert after["status_from"].isna().tolist() == [True, False]
    assert after["status_from"].iloc[1] == "in_progress" and after["status_to"].iloc[1] == "done"
    store.update_record(engine, "cameras", "C1", {"status": "faulty"})
    assert store.list_cameras(engine, statuses=["faulty"])["camera_id"].tolist() == ["C1"]
    engine.dispose()


def test_a_schema_newer_than_the_code_is_refused(new_store) -> None:
    url = new_store()
    store.open_store(url).dispose()
    raw = create_engine(url)
    with raw.begin() as connection:
        connection.execute(
            text("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')")
        )
    raw.dispose()
    with pytest.raises(RuntimeError, match=r"version 99.*upgrade hotspots"):
        store.open_store(url)


# --- records, validation, history -------------------------------------------------------------


def test_actions_keep_every_status_change_and_show_overdue(engine) -> None:
    store.add_walkabout(engine, _walkabout())
    feedback = store.add_feedback(engine, _feedback())
    assert feedback.id.startswith("FB-")
    today = date(2022, 1, 10)
    late = store.add_action(
        engine,
        {
            "feedback_id": feedback.id,
            "description": "Survey CCTV coverage",
            "owner_agency": "Dacorum BC CCTV",
            "due_date": "2022-01-03",
        },
        today=today,
    )
    assert late.warnings and "already past" in late.warnings[0]
    ontime = store.add_action(
        engine,
        {
            "feedback_id": feedback.id,
            "description": "Cut back hedges",
            "owner_agency": "Parks",
            "due_date": "2022-02-01",
        },
        today=today,
    )
    assert ontime.warnings == ()
    store.update_action_status(engine, late.id, "in_progress", note="survey booked", at=None)
    store.update_action_status(engine, late.id, "in_progress", note="engineer ill, rebooked")
    store.update_action_status(engine, late.id, "done", updated_by="CCTV team")
    history = store.action_history(engine, late.id)
    assert list(zip(history["status_from"].fillna(""), history["status_to"], strict=True)) == [
        ("", "open"),
        ("open", "in_progress"),
        ("in_progress", "in_progress"),
        ("in_progress", "done"),
    ]
    assert history["note"].tolist()[1:3] == ["survey booked", "engineer ill, rebooked"]
    with pytest.raises(store.ValidationError, match="already 'done'; add a note"):
        store.update_action_status(engine, late.id, "done")
    with pytest.raises(store.ValidationError, match="update_action_status"):
        store.update_record(engine, "actions", ontime.id, {"status": "done"})
    tracker = store.list_actions(engine, today=date(2022, 2, 5))
    row = tracker.set_index("action_id").loc[ontime.id]
    assert bool(row["overdue"]) and row["days_overdue"] == 4 and row["updates"] == 1
    done = tracker.set_index("action_id").loc[late.id]
    assert not bool(done["overdue"]) and done["days_overdue"] == 0 and done["updates"] == 4
    assert tracker["action_id"].tolist()[0] == ontime.id  # overdue first
    assert set(store.list_actions(engine, statuses=["done"])["action_id"]) == {late.id}


def test_invalid_records_are_refused_with_the_fix(engine) -> None:
    store.add_walkabout(engine, _walkabout())
    with pytest.raises(store.ValidationError, match="reason 'dark' is not one of poor_lighting"):
        store.add_feedback(engine, _feedback(reason="dark"))
    for severity in (0, 6, 2.5, "high"):
        with pytest.raises(store.ValidationError, match="severity must be"):
            store.add_feedback(engine, _feedback(severity=severity))
    with pytest.raises(store.ValidationError, match="looks like metres"):
        store.add_feedback(engine, _feedback(lon=505_400, lat=207_300))
    with pytest.raises(store.ValidationError, match="walkabout_id 'WALK-9' is not in the store"):
        store.add_feedback(engine, _feedback(walkabout_id="WALK-9"))
    # feedback says where a place feels unsafe, never who lives where
    said = "Jane Smith of 12 Acacia Avenue M5 4WT was followed here"
    with pytest.raises(
        store.ValidationError, match=r"home address or postcode \(12 Acacia Avenue, M5 4WT\)"
    ):
        store.add_feedback(engine, _feedback(comment=said))
    assert store.list_feedback(engine)["comment"].str.contains("Acacia").sum() == 0
    for hidden in ("12\u200bAcacia Avenue", "ＬＳ６ ２ＡＢ"):  # invisible or full-width
        with pytest.raises(store.ValidationError, match="home address or postcode"):
            store.add_feedback(engine, _feedback(comment=hidden))
    with pytest.raises(store.ValidationError, match="area seems to hold a home address"):
        store.add_walkabout(engine, _walkabout(walkabout_id="W3", area="outside 12 Acacia Avenue"))
    plain = _feedback(comment="2 lads on Station Road most nights, no lights")
    assert store.clean_record("feedback", plain)["comment"] == plain["comment"]
    with pytest.raises(store.ValidationError, match="no names of people"):
        store.add_walkabout(engine, _walkabout(walkabout_id="W2", leader_name="Jane Smith"))
    store.add_camera(engine, _camera())
    with pytest.raises(store.ValidationError, match="already exists"):
        store.add_camera(engine, _camera())
    with pytest.raises(store.ValidationError, match="fixed camera needs bearing_deg"):
        store.add_camera(engine, _camera(camera_id="CAM-2", bearing_deg=None))
    tasking = {
        "camera_id": "CAM-1",
        "window_start": "2021-11-19 22:00",
        "window_end": "2021-11-19 21:00",
        "requested_by": "Herts Police",
    }
    with pytest.raises(store.ValidationError, match=r"window_end .* is not after window_start"):
        store.add_tasking(engine, tasking)
    with pytest.raises(store.ValidationError, match="camera_id 'CAM-X' is not in the store"):
        store.add_tasking(engine, {**tasking, "camera_id": "CAM-X", "window_end": "2021-11-20"})
    store.update_record(engine, "cameras", "CAM-1", {"status": "faulty"})
    saved = store.add_tasking(engine, {**tasking, "window_end": "2021-11-20 02:00"})
    assert saved.warnings == ("camera CAM-1 is faulty, not active",)
    with pytest.raises(store.ValidationError, match=r"1 taskings record.*decommissioned"):
        store.delete_record(engine, "cameras", "CAM-1")
    assert len(store.list_records(engine, "feedback")) == 0  # nothing half-written


def test_deleting_follows_the_references(engine) -> None:
    store.add_walkabout(engine, _walkabout())
    point = store.add_feedback(engine, _feedback()).id
    action = store.add_action(
        engine,
        {"feedback_id": point, "description": "x", "owner_agency": "y", "due_date": "2030-01-01"},
    ).id
    store.update_action_status(engine, action, "cancelled", note="duplicate")
    with pytest.raises(store.ValidationError, match="1 actions record"):
        store.delete_record(engine, "feedback", point)
    store.delete_record(engine, "actions", action)
    assert store.action_history(engine).empty
    store.delete_record(engine, "feedback", point)
    store.delete_record(engine, "walkabouts", "WALK-1")
    with pytest.raises(KeyError, match="no walkabouts record"):
        store.delete_record(engine, "walkabouts", "WALK-1")
    assert all(store.list_records(engine, kind).empty for kind in store.RECORD_KINDS)


def test_injection_strings_are_stored_verbatim_and_harmless(engine) -> None:
    for n, nasty in enumerate(INJECTIONS):
        walk = store.add_walkabout(engine, _walkabout(walkabout_id=nasty, area=nasty)).id
        point = store.add_feedback(engine, _feedback(walkabout_id=walk, comment=nasty)).id
        action = store.add_action(
            engine,
            {"feedback_id": point, "description": nasty, "owner_agency": nasty,
             "due_date": "2030-01-01"},
        ).id  # fmt: skip
        store.update_action_status(engine, action, "in_progress", note=nasty, updated_by=nasty)
        store.add_camera(engine, _camera(camera_id=f"CAM-{n}", name=nasty, location=nasty))
        store.add_tasking(
            engine,
            {"camera_id": f"CAM-{n}", "window_start": "2021-11-19 22:00",
             "window_end": "2021-11-20 02:00", "hotspot_id": nasty[:60], "reason": nasty,
             "requested_by": nasty, "outcome": nasty},
        )  # fmt: skip
        assert store.get_record(engine, "feedback", point)["comment"] == nasty
        assert store.get_record(engine, "actions", action)["description"] == nasty
        assert store.list_feedback(engine, walkabout_id=nasty)["comment"].tolist() == [nasty]
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert sorted(store.list_actions(engine)["description"]) == sorted(INJECTIONS)
    assert set(store.action_history(engine)["note"]) == {"action created", *INJECTIONS}
    assert sorted(store.list_cameras(engine)["name"]) == sorted(INJECTIONS)
    assert sorted(store.list_taskings(engine)["reason"]) == sorted(INJECTIONS)
    with pytest.raises(store.ValidationError, match="NUL character"):
        store.add_feedback(engine, _feedback(walkabout_id=None, comment="a\x00b"))


# --- crash and concurrency --------------------------------------------------------------------
# The writers are separate processes, forked from the test process (so they start at once,
# without importing hotspots again); each opens its own engine, as a second app process would.

_FORK = multiprocessing.get_context("fork")
_POINT = {"lon": -0.47, "lat": 51.75, "reason": "other", "severity": 3}


def _crash_writer(url: str, n: int, report: Connection) -> None:
    engine = store.open_store(url)
    for i in range(n):
        saved = store.add_feedback(engine, {**_POINT, "comment": f"confirmed {i}"})
        report.send(("confirmed", saved.id))  # only once add_feedback has returned

    def never_finishes(session: Session) -> None:
        values = store.clean_record("feedback", {**_POINT, "feedback_id": "FB-UNCONFIRMED"})
        session.add(Feedback(**values))
        session.flush()  # the INSERT has reached the database, uncommitted
        report.send(("writing", ""))
        time.sleep(120)

    store.run_in_transaction(engine, never_finishes)


def test_a_killed_writer_loses_nothing_it_confirmed(new_store) -> None:
    url, n = new_store(), 15
    receiver, sender = _FORK.Pipe(duplex=False)
    writer = _FORK.Process(target=_crash_writer, args=(url, n, sender))
    writer.start()
    confirmed = []
    while receiver.poll(60):
        event, record_id = receiver.recv()
        if event == "writing":
            break
        confirmed.append(record_id)
    os.kill(writer.pid, signal.SIGKILL)  # mid-write of record n + 1
    writer.join(30)
    assert writer.exitcode == -signal.SIGKILL
    assert len(confirmed) == n
    engine = store.open_store(url)
    stored = store.list_records(engine, "feedback")
    assert sorted(stored["feedback_id"]) == sorted(confirmed)  # all confirmed, not the last
    assert sorted(stored["comment"]) == sorted(f"confirmed {i}" for i in range(n))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    store.add_feedback(engine, _POINT)
    assert len(store.list_records(engine, "feedback")) == n + 1  # the store takes writes again
    engine.dispose()


def _concurrent_writer(url: str, name: str, m: int, start: Barrier, report: Connection) -> None:
    engine = store.open_store(url)
    start.wait(30)
    ids = []
    for i in range(m):
        ids.append(store.add_feedback(engine, {**_POINT, "comment": f"{name} {i}"}).id)
        store.update_action_status(engine, "ACT-SHARED", "in_progress", note=f"{name} {i}")
    report.send(ids)


def test_two_writers_at_the_same_moment_both_land(new_store) -> None:
    url, m = new_store(), 25
    engine = store.open_store(url)
    point = store.add_feedback(engine, _feedback(walkabout_id=None)).id
    store.add_action(
        engine,
        {"action_id": "ACT-SHARED", "feedback_id": point, "description": "patrols",
         "owner_agency": "Police", "due_date": "2030-01-01"},
    )  # fmt: skip
    start = _FORK.Barrier(2)
    pipes = [_FORK.Pipe(duplex=False) for _ in range(2)]
    writers = [
        _FORK.Process(target=_concurrent_writer, args=(url, name, m, start, sender))
        for name, (_, sender) in zip(("first", "second"), pipes, strict=True)
    ]
    for writer in writers:
        writer.start()
    ids = [id_ for receiver, _ in pipes if receiver.poll(120) for id_ in receiver.recv()]
    for writer in writers:
        writer.join(30)
        assert writer.exitcode == 0
    stored = store.list_records(engine, "feedback")
    assert len(ids) == 2 * m
    assert set(ids) <= set(stored["feedback_id"]) and len(stored) == 2 * m + 1
    by_writer = stored.groupby(stored["comment"].str.split().str[0])["created_at"]
    spans = by_writer.agg(["min", "max"])
    assert spans.loc["first", "min"] < spans.loc["second", "max"]  # the two sessions overlapped
    assert spans.loc["second", "min"] < spans.loc["first", "max"]
    notes = store.action_history(engine, "ACT-SHARED")["note"].tolist()
    assert len(notes) == 1 + 2 * m
    assert {f"{name} {i}" for name in ("first", "second") for i in range(m)} <= set(notes)
    engine.dispose()


def _status_writer(url: str, status: str, m: int, start: Barrier, report: Connection) -> None:
    engine = store.open_store(url)
    start.wait(30)
    for i in range(m):
        store.update_action_status(engine, "ACT-RACE", status, note=f"{status} {i}")
    report.send(m)


def test_concurrent_status_changes_chain_in_commit_order(new_store) -> None:
    """Two writers flip one action's status: each entry's previous status is the one before."""
    url, m = new_store(), 20
    engine = store.open_store(url)
    point = store.add_feedback(engine, _feedback(walkabout_id=None)).id
    store.add_action(
        engine,
        {"action_id": "ACT-RACE", "feedback_id": point, "description": "lighting",
         "owner_agency": "Highways", "due_date": "2030-01-01"},
    )  # fmt: skip
    start = _FORK.Barrier(2)
    pipes = [_FORK.Pipe(duplex=False) for _ in range(2)]
    writers = [
        _FORK.Process(target=_status_writer, args=(url, status, m, start, sender))
        for status, (_, sender) in zip(("in_progress", "done"), pipes, strict=True)
    ]
    for writer in writers:
        writer.start()
    done = [receiver.recv() for receiver, _ in pipes if receiver.poll(120)]
    for writer in writers:
        writer.join(30)
        assert writer.exitcode == 0
    assert done == [m, m]
    history = store.action_history(engine, "ACT-RACE")
    assert history["seq"].tolist() == list(range(1, 2 * m + 2))
    assert history["status_from"].iloc[1:].tolist() == history["status_to"].iloc[:-1].tolist()
    assert (
        store.get_record(engine, "actions", "ACT-RACE")["status"] == history["status_to"].iloc[-1]
    )
    engine.dispose()


# --- import and export ------------------------------------------------------------------------


def _populate(engine: Engine) -> None:
    tricky = 'Line one\nline two, with "quotes" & <b>tags</b> — café'
    store.add_walkabout(engine, _walkabout(agencies=tricky))
    store.add_walkabout(engine, _walkabout(walkabout_id="WALK-2", start_time=None, end_time=None))
    for n, comment in enumerate([tricky, "=HYPERLINK(1)", "N/A", "   ", "", *INJECTIONS]):
        store.add_feedback(
            engine, _feedback(feedback_id=f"FB-{n:03d}", comment=comment, lon=-0.47 - n / 1e5)
        )
    action = store.add_action(
        engine,
        {"feedback_id": "FB-000", "description": tricky, "owner_agency": "Parks",
         "due_date": "2022-01-31"},
    ).id  # fmt: skip
    store.update_action_status(engine, action, "done", note=INJECTIONS[0], updated_by="Parks")
    store.add_camera(engine, _camera(name=tricky))
    store.add_camera(engine, _camera(camera_id="CAM-2", type="ptz", bearing_deg=None, fov_deg=None))
    store.add_tasking(
        engine,
        {"camera_id": "CAM-1", "window_start": datetime(2021, 11, 19, 22),
         "window_end": datetime(2021, 11, 20, 2), "requested_by": "Police", "reason": tricky},
    )  # fmt: skip


IMPORT_ORDER = ["walkabouts", "feedback", "actions", "action_updates", "cameras", "taskings"]


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_every_record_type_round_trips_through_csv_and_geojson(new_store, tmp_path, fmt) -> None:
    source, target = store.open_store(new_store()), store.open_store(new_store())
    _populate(source)
    for kind in IMPORT_ORDER:
        path = tmp_path / f"{kind}.{fmt}"
        first = store.export_records(source, kind, fmt=fmt, dest=path)
        report = store.import_records(target, path, kind)
        assert report.inserted == report.rows == len(store.list_records(source, kind)) > 0
        assert store.export_records(target, kind, fmt=fmt) == first
        for record_id in store.list_records(source, kind).iloc[:, 0]:
            assert store.get_record(target, kind, record_id) == store.get_record(
                source, kind, record_id
            )
    again = store.import_records(target, tmp_path / f"feedback.{fmt}", "feedback", if_exists="skip")
    assert (again.inserted, again.skipped) == (0, again.rows)
    with pytest.raises(store.ValidationError, match=r"already stored.*nothing imported"):
        store.import_records(target, tmp_path / f"feedback.{fmt}", "feedback")
    source.dispose()
    target.dispose()


def test_trafford_cameras_import_as_they_are(engine) -> None:
    import csv

    with open(TRAFFORD / "trafford_cctv_cameras.csv", newline="", encoding="utf-8") as fh:
        published = list(csv.DictReader(fh))
    assert len(published) == 163
    report = store.import_records(engine, TRAFFORD / "trafford_cctv_cameras.csv", "cameras")
    assert (report.rows, report.inserted) == (163, 163)
    assert report.defaults_applied["type"] == "'ptz' for 163 row(s)"
    assert report.defaults_applied["range_m"] == "100.0 for 163 row(s)"
    cameras = store.list_cameras(engine).set_index("camera_id")
    for row in published:
        camera = cameras.loc[row["camera_id"]]
        assert camera["lon"] == float(row["lon"]) and camera["lat"] == float(row["lat"])
        assert camera["location"] == row["location"] and camera["area_code"] == row["area_code"]
    geo = store.import_records(
        engine, TRAFFORD / "trafford_cctv_cameras.geojson", "cameras", if_exists="replace"
    )
    assert (geo.rows, geo.updated, geo.inserted) == (163, 163, 0)  # ids 1001.0 read as "1001"
    again = store.list_cameras(engine).set_index("camera_id")
    assert again[["lon", "lat", "location"]].equals(cameras[["lon", "lat", "location"]])


BOX = (-0.5, 51.7, -0.4, 51.8)
"""A made-up study area (lon/lat box) for the camera-list checks; its east edge is lon -0.4."""


def _east_of_box(metres: float) -> tuple[float, float]:
    """The lon/lat ``metres`` due east of the box's east edge (WGS84 geodesic, pyproj)."""
    from pyproj import Geod

    lon, lat, _ = Geod(ellps="WGS84").fwd(BOX[2], 51.75, 90.0, metres)
    return lon, lat


def _camera_csv(path: Path, rows: list[tuple[str, str, float, float]]) -> Path:
    lines = ["camera_id,name,type,range_m,lon,lat"]
    lines += [f"{cid},{name},ptz,100,{lon!r},{lat!r}" for cid, name, lon, lat in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cameras_outside_the_study_area_are_named_and_far_ones_refused(tmp_path) -> None:
    # a list in the wrong coordinate system, or another council's, must not import silently:
    # cameras just over the boundary (a border road) are the area's; 1-5 km out, a warning;
    # more than 5 km out, nothing imported until the user confirms, with the fix
    import shapely

    engine = store.open_store(f"sqlite:///{tmp_path / 'cams.sqlite'}")
    area = store.StudyArea("Boxshire", shapely.box(*BOX))
    inside = ("IN-1", "Market Square", -0.45, 51.75)
    border = ("B-1", "Border Road", *_east_of_box(400))
    out = ("OUT-1", "Retail Park", *_east_of_box(3_000))
    far = ("FAR-1", "Somewhere else", *_east_of_box(8_000))

    kept = _camera_csv(tmp_path / "kept.csv", [inside, border, out])
    report = store.import_records(engine, kept, "cameras", area=area)
    assert report.inserted == 3
    assert report.notes == [
        "1 of 3 camera(s) lie just outside Boxshire, within 1 km of its boundary (counted as "
        "the area's: border roads): B-1 (Border Road) 400 m"
    ]
    (warning,) = report.warnings
    assert warning.startswith("1 of 3 camera(s) lie more than 1 km outside Boxshire, up to 3 km")
    assert "OUT-1 (Retail Park) 3 km" in warning and "coverage and taskings" in warning

    refused = _camera_csv(tmp_path / "refused.csv", [inside, far, ("NEW-1", "New", -0.46, 51.74)])
    with pytest.raises(store.OutsideAreaError) as caught:
        store.import_records(engine, refused, "cameras", area=area)
    said = caught.value.problems
    assert said[0] == (
        f"{refused}: nothing imported: 1 of 3 camera(s) lie more than 5 km outside Boxshire, "
        "up to 8 km away: FAR-1 (Somewhere else) 8 km"
    )
    assert "coordinate columns" in said[1] and "swapped" in said[1] and "confirm" in said[1]
    assert sorted(store.list_cameras(engine)["camera_id"]) == ["B-1", "IN-1", "OUT-1"]

    confirmed = store.import_records(engine, refused, "cameras", area=area, allow_outside=True,
                                     if_exists="skip")  # fmt: skip
    assert (confirmed.inserted, confirmed.skipped) == (2, 1)
    assert "imported as confirmed: FAR-1 (Somewhere else) 8" in confirmed.warnings[0]
    detail = store.audit_log(engine, actions=["import"])["detail"].iloc[0]
    assert detail.startswith("inserted 2, replaced 0, skipped 1; 1 of 3 camera(s)")
    assert "imported as confirmed" in detail  # the confirmation is in the audit log
    engine.dispose()


def _swapped_trafford(path: Path) -> tuple[Path, list[dict[str, str]]]:
    """Trafford's published camera list written to ``path`` with lon and lat exchanged; and
    its rows as published."""
    import csv

    with open(TRAFFORD / "trafford_cctv_cameras.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "lon": row["lat"], "lat": row["lon"]} for row in rows)
    return path, rows


def test_a_camera_list_with_lon_and_lat_swapped_is_refused(tmp_path) -> None:
    # Trafford's own list, lon and lat exchanged: every camera lands in the Indian Ocean
    import shapely

    swapped, rows = _swapped_trafford(tmp_path / "swapped.csv")
    lon = [float(r["lon"]) for r in rows]
    lat = [float(r["lat"]) for r in rows]
    # the cameras' own bounding box: none outside it, some on its edge (no note for them)
    area = store.StudyArea("Trafford", shapely.box(min(lon), min(lat), max(lon), max(lat)))
    engine = store.open_store(f"sqlite:///{tmp_path / 'cams.sqlite'}")
    with pytest.raises(store.OutsideAreaError, match=r"all 163 camera\(s\) lie more than 1 km"):
        store.import_records(engine, swapped, "cameras", area=area)
    assert store.list_cameras(engine).empty
    report = store.import_records(engine, TRAFFORD / "trafford_cctv_cameras.csv", "cameras",
                                  area=area)  # fmt: skip
    assert report.inserted == 163 and not report.warnings and not report.notes
    engine.dispose()


NOID = "camera_id,location,area_name,area_code,lon,lat\n,Noid cam,x,y,-2.31,53.45\n"
"""The analyst's camera list whose one camera has no camera_id."""


def test_a_camera_without_an_id_is_stored_once_however_often_its_list_is_imported(
    engine, tmp_path
) -> None:
    # its id is made from its position (to about a metre), type and name: imported again, it
    # is the camera already stored, not a second camera at the same point counted twice
    noid = tmp_path / "noid.csv"
    noid.write_text(NOID, encoding="utf-8")
    first = store.import_records(engine, noid, "cameras", if_exists="skip")
    assert (first.inserted, first.skipped) == (1, 0)
    assert first.defaults_applied["ids"].startswith("made from position, type and name")
    (camera_id,) = store.list_cameras(engine)["camera_id"]
    assert camera_id == store.camera_content_id({"lon": -2.31, "lat": 53.45, "type": "ptz",
                                                 "location": "Noid cam"})  # fmt: skip
    again = store.import_records(engine, noid, "cameras", if_exists="skip")
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 1)
    replaced = store.import_records(engine, noid, "cameras", if_exists="replace")
    assert (replaced.inserted, replaced.updated) == (0, 1)
    with pytest.raises(store.ValidationError, match=r"1 id\(s\) already stored"):
        store.import_records(engine, noid, "cameras")
    # 40 cm away, spaces and case changed: the same camera; 5 m away or renamed: another
    moved = NOID.replace("-2.31,53.45", "-2.310004,53.450002").replace("Noid cam", " noid  Cam")
    noid.write_text(moved, encoding="utf-8")
    assert store.import_records(engine, noid, "cameras", if_exists="skip").skipped == 1
    noid.write_text(NOID.replace("53.45", "53.45005") + NOID.splitlines()[1].replace(
        "Noid cam", "Noid cam 2") + "\n", encoding="utf-8")  # fmt: skip
    assert store.import_records(engine, noid, "cameras", if_exists="skip").inserted == 2
    assert len(store.list_cameras(engine)) == 3
    with pytest.raises(store.ValidationError, match=r"already stored as 'CAM-"):
        store.add_camera(engine, {"lon": -2.31, "lat": 53.45, "type": "ptz",
                                  "range_m": 100, "location": "Noid cam"})  # fmt: skip


def test_a_camera_stored_with_a_random_id_is_recognised_by_its_list(engine, tmp_path) -> None:
    # the analyst's store: the id-less camera imported twice by the version that gave random
    # ids. Imported again, the list's camera is the stored one, and the two are named
    noid = tmp_path / "noid.csv"
    noid.write_text(NOID, encoding="utf-8")
    for random_id in ("CAM-14473c2f0d9c", "CAM-a11521a5eb99"):
        store.add_camera(engine, {"camera_id": random_id, "location": "Noid cam", "lon": -2.31,
                                  "lat": 53.45, "type": "ptz", "range_m": 100})  # fmt: skip
    report = store.import_records(engine, noid, "cameras", if_exists="skip")
    assert (report.inserted, report.skipped) == (0, 1)
    assert report.notes == [
        "stored cameras CAM-14473c2f0d9c, CAM-a11521a5eb99 are one camera (the same position, "
        "type and name; the list's is taken as CAM-14473c2f0d9c): remove the others"
    ]
    replaced = store.import_records(engine, noid, "cameras", if_exists="replace")
    assert replaced.updated == 1
    assert sorted(store.list_cameras(engine)["camera_id"]) == ["CAM-14473c2f0d9c",
                                                               "CAM-a11521a5eb99"]  # fmt: skip


def test_every_problem_of_a_camera_list_is_named_in_one_go(tmp_path) -> None:
    # the analyst's bad list took three runs: a bad value, then an id used twice (no line),
    # then cameras far outside. One run names every problem, each with its lines; nothing stored
    import shapely

    rows = [
        "camera_id,location,area_name,area_code,lon,lat",
        "1001,Trafford Wharf Road,Gorse Hill & Cornbrook,E05015247,-2.284777,53.464515",  # 2
        "1002,Trafford Wharf Road/Wharfside tram stop,x,y,-2.289056,53.466406",
        "1001,Trafford Wharf Road again,x,y,-2.2848,53.4645",  # 4: 1001 again
        "2001,Swapped,x,y,53.46,-2.28",  # 5: far outside
        ",Noid cam,x,y,-2.31,53.45",  # 6
        ",noid CAM,x,y,-2.310001,53.45",  # 7: the same camera as line 6
        "1008,Bad lon,x,y,abc,53.46",  # 8
        "1009,One value too many,x,y,-2.29,53.46,extra",  # 9
        "1001,Third,x,y,-2.29,not a number",  # 10: 1001 a third time, and a bad lat
        "1011,Bad lon too,x,y,abc,53.47",  # 11: the same problem as line 8
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    area = store.StudyArea("Trafford", shapely.box(-2.48, 53.35, -2.25, 53.48))
    engine = store.open_store(f"sqlite:///{tmp_path / 'cams.sqlite'}")
    with pytest.raises(store.ValidationError) as err:
        store.import_records(engine, bad, "cameras", area=area)
    assert not isinstance(err.value, store.OutsideAreaError)  # confirming would not do
    problems = err.value.problems
    assert problems[:6] == [
        f"{bad}: nothing imported",
        "lines 2, 4 and 10: camera_id '1001' is given 3 times: each record needs its own "
        "camera_id (delete the repeated rows, or correct the ids)",
        "lines 6 and 7: the same camera twice (no camera_id; the same position to about a "
        "metre, type and name): delete the repeated rows, or give each camera its camera_id",
        "lines 8 and 11: lon (longitude) must be a number, got 'abc'",
        "line 9: 7 values for 6 columns; check the quoting of text containing commas",
        "line 10: lat (latitude) must be a number, got 'not a number'",
    ]
    assert problems[6].startswith(
        "in the rows without these problems, 1 of 6 camera(s) lie more than 5 km outside Trafford"
    )
    assert "2001 (Swapped)" in problems[6] and problems[7].startswith("Check the coordinate")
    assert store.list_cameras(engine).empty

    # GeoJSON: features named; easting/northing columns: the bad number and its column
    features = [
        {"type": "Feature", "properties": {"camera_id": "A", "type": "dome"},
         "geometry": {"type": "Point", "coordinates": [-2.3, 53.45]}},
        {"type": "Feature", "properties": {"camera_id": "B"},
         "geometry": {"type": "LineString", "coordinates": [[-2.3, 53.4], [-2.3, 53.5]]}},
        {"type": "Feature", "properties": {"camera_id": "A", "lon": -2.4},
         "geometry": {"type": "Point", "coordinates": [-2.3, 53.46]}},
    ]  # fmt: skip
    geo = tmp_path / "bad.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(store.ValidationError) as err:
        store.read_records(geo, "cameras")
    assert err.value.problems == [
        f"{geo}: nothing imported",
        "feature 1: type 'dome' is not one of fixed, ptz, redeployable",
        "features 1 and 3: camera_id 'A' is given twice: each record needs its own camera_id "
        "(delete the repeated rows, or correct the ids)",
        "feature 2: expected a Point location, found LineString",
        "feature 3: property lon=-2.4 disagrees with the Point geometry (-2.3); remove the "
        "property or correct it",
    ]
    grid = tmp_path / "grid.csv"
    grid.write_text("camera_id,type,range_m,easting,northing\nG1,ptz,100,379000,396000\n"
                    "G2,ptz,-5,37900O,396000\nG3,ptz,100,379100,\n")  # fmt: skip
    with pytest.raises(store.ValidationError) as err:
        store.read_records(grid, "cameras")
    assert err.value.problems == [
        f"{grid}: nothing imported",
        "line 3: easting must be a number of metres (British National Grid), got '37900O'",
        "line 3: range_m must be in (0, 5000], got '-5'",
        "line 4: northing must be a number of metres (British National Grid), got ''",
    ]
    engine.dispose()


def test_several_records_are_deleted_all_or_none(engine) -> None:
    for n in (1, 2, 3):
        store.add_camera(engine, _camera(camera_id=f"CAM-{n}", name=f"Camera {n}"))
    with pytest.raises(KeyError, match=r"'CAM-9', 'CAM-8'; nothing deleted"):
        store.delete_records(engine, "cameras", ["CAM-1", "CAM-9", "CAM-8"])
    store.add_tasking(
        engine,
        {"camera_id": "CAM-3", "window_start": datetime(2021, 11, 19, 22),
         "window_end": datetime(2021, 11, 20, 2), "requested_by": "Police"},
    )  # fmt: skip
    with pytest.raises(store.ValidationError, match=r"1 taskings record.*'CAM-3'.*decommissioned"):
        store.delete_records(engine, "cameras", ["CAM-1", "CAM-3"])
    assert len(store.list_cameras(engine)) == 3  # nothing half-deleted
    assert store.audit_log(engine, actions=["delete"]).empty
    ada = User("ada", "analyst")
    assert store.delete_records(engine, "cameras", ["CAM-1", "CAM-2", "CAM-1"], actor=ada) == 2
    assert store.list_cameras(engine)["camera_id"].tolist() == ["CAM-3"]
    (row,) = store.audit_log(engine, actions=["delete"]).to_dict("records")
    assert (row["user"], row["role"], row["target"]) == ("ada", "analyst", "cameras/CAM-1, CAM-2")
    assert row["detail"] == "2 cameras records: CAM-1, CAM-2"


def test_the_store_names_are_its_modules_names_and_typed_alike() -> None:
    """``hotspots.store``'s lazily imported names: each is its module's object, and the
    names typed for mypy (the TYPE_CHECKING imports) are exactly those."""
    import ast
    import importlib
    from pathlib import Path

    import hotspots.store as package

    for name, home in package._HOMES.items():
        assert getattr(package, name) is getattr(importlib.import_module(home), name), name
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    guard = next(n for n in tree.body if isinstance(n, ast.If))
    typed = {
        (node.module, alias.name)
        for node in guard.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == {(home, name) for name, home in package._HOMES.items()}
    assert sorted(package.__all__) == sorted(package._HOMES)


def test_each_workspace_keeps_its_own_store_and_only_the_demo_is_seeded(tmp_path, monkeypatch):
    # two partnerships on one install: one's walkabout feedback is never the other's, and
    # Dacorum's demo cameras and walkabout are not put into a workspace
    from hotspots.store.db import DB_PATH_ENV, DB_URL_ENV, database_url
    from hotspots.views.dashboard.store import seed_wanted

    monkeypatch.delenv(DB_PATH_ENV, raising=False)
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    monkeypatch.delenv("HOTSPOTS_SEED_DEMO", raising=False)
    monkeypatch.delenv("HOTSPOTS_WORKSPACE", raising=False)
    demo = database_url()
    assert demo.endswith("data/local/hotspots.sqlite") and seed_wanted()
    urls = set()
    for name in ("hackney", "cardiff"):
        monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(tmp_path / name))
        urls.add(database_url())
        assert not seed_wanted()
    assert urls == {f"sqlite:///{tmp_path / n / 'data' / 'hotspots.sqlite'}" for n in
                    ("hackney", "cardiff")}  # fmt: skip


def test_the_command_line_imports_a_camera_list_into_a_workspaces_store(
    tmp_path, monkeypatch, capsys
) -> None:
    from hotspots.views.cli import main

    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.delenv(store.DB_PATH_ENV, raising=False)
    from hotspots.data.workspace import init

    root = tmp_path / "ws"
    cameras = TRAFFORD / "trafford_cctv_cameras.csv"
    assert main(["cameras", "import", str(cameras), str(root)]) == 1  # a typo: no workspace
    assert "not a workspace" in capsys.readouterr().err and not root.exists()
    init(root, area="Trafford")
    bad = tmp_path / "bad.csv"
    bad.write_text(cameras.read_text().replace("-2.284777", "west", 1))
    assert main(["cameras", "import", str(bad), str(root)]) == 1
    said = capsys.readouterr().err
    assert "bad.csv: nothing imported" in said and "line 2: lon" in said
    assert main(["cameras", "import", str(cameras), str(root)]) == 0
    assert "163 new camera(s)" in capsys.readouterr().out
    assert main(["cameras", "import", str(cameras), str(root)]) == 0  # again: nothing twice
    assert "0 new camera(s), 0 replaced, 163 already stored" in capsys.readouterr().out
    engine = store.open_store(f"sqlite:///{root / 'data' / 'hotspots.sqlite'}")
    assert len(store.list_cameras(engine)) == 163
    engine.dispose()


def test_the_command_line_stores_a_camera_without_an_id_once_and_lists_every_problem(
    tmp_path, monkeypatch, capsys
) -> None:
    from hotspots.data.workspace import init
    from hotspots.views.cli import main

    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.delenv(store.DB_PATH_ENV, raising=False)
    root = tmp_path / "traff"
    init(root, area="Trafford")
    noid = tmp_path / "noid.csv"
    noid.write_text(NOID, encoding="utf-8")
    assert main(["cameras", "import", str(noid), str(root)]) == 0
    assert "noid.csv: 1 new camera(s), 0 replaced" in capsys.readouterr().out
    assert main(["cameras", "import", str(noid), str(root)]) == 0  # twice: still one camera
    out = capsys.readouterr().out
    assert "noid.csv: 0 new camera(s), 0 replaced, 1 already stored left as they were" in out
    assert "ids: made from position, type and name for 1 row(s)" in out
    engine = store.open_store(f"sqlite:///{root / 'data' / 'hotspots.sqlite'}")
    assert len(store.list_cameras(engine)) == 1

    bad = tmp_path / "bad.csv"
    bad.write_text(NOID.replace(",Noid", "1001,Noid") + "1001,Again,x,y,abc,53.45\n"
                   "1003,Third,x,y,-2.3,53.46,extra\n")  # fmt: skip
    assert main(["cameras", "import", str(bad), str(root)]) == 1
    said = capsys.readouterr().err.splitlines()  # one problem a line, each with its lines
    assert said == [
        f"hotspots cameras: error: {bad}: nothing imported",
        "  lines 2 and 3: camera_id '1001' is given twice: each record needs its own camera_id "
        "(delete the repeated rows, or correct the ids)",
        "  line 3: lon (longitude) must be a number, got 'abc'",
        "  line 4: 7 values for 6 columns; check the quoting of text containing commas",
    ]
    assert len(store.list_cameras(engine)) == 1
    engine.dispose()


def test_the_command_line_refuses_cameras_far_outside_the_workspaces_area(
    tmp_path, monkeypatch, capsys
) -> None:
    # Dacorum's cameras given to Trafford's workspace, and Trafford's own with lon and lat
    # swapped: refused in words (how many, which, how far, the fix), stored only when confirmed
    from hotspots.data import datasets
    from hotspots.data.workspace import init
    from hotspots.views.cli import main

    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.delenv(store.DB_PATH_ENV, raising=False)
    root = tmp_path / "ws"
    init(root, area="Trafford")
    swapped, _ = _swapped_trafford(tmp_path / "swapped.csv")
    assert main(["cameras", "import", str(swapped), str(root)]) == 1
    said = capsys.readouterr().err
    refused = "all 163 camera(s) lie more than 1 km outside Trafford, up to 8,045 km away: "
    assert f"swapped.csv: nothing imported: {refused}" in said  # in the Indian Ocean
    assert "; and 158 more" in said and "coordinate columns" in said
    assert "add --allow-outside" in said
    dacorum = datasets.demo_path("cameras")
    assert main(["cameras", "import", str(dacorum), str(root)]) == 1
    said = capsys.readouterr().err
    assert "all 33 camera(s) lie more than 1 km outside Trafford, up to 218 km away" in said
    assert "DBC-CAM-005 (HH05 Selden Hill) 218 km;" in said and "; and 28 more" in said
    engine = store.open_store(f"sqlite:///{root / 'data' / 'hotspots.sqlite'}")
    assert store.list_cameras(engine).empty
    assert main(["cameras", "import", str(dacorum), str(root), "--allow-outside"]) == 0
    out = capsys.readouterr().out
    assert "33 new camera(s)" in out and "warning: all 33 camera(s) lie more than 1 km" in out
    assert "imported as confirmed" in out and len(store.list_cameras(engine)) == 33
    engine.dispose()


def test_the_command_line_removes_cameras_all_or_none_once_confirmed(
    tmp_path, monkeypatch, capsys
) -> None:
    from hotspots.data.workspace import init
    from hotspots.views.cli import main

    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.delenv(store.DB_PATH_ENV, raising=False)
    root = tmp_path / "ws"
    assert main(["cameras", "remove", "1148", "--workspace", str(root), "--yes"]) == 1
    assert "not a workspace" in capsys.readouterr().err and not root.exists()
    init(root, area="Trafford")
    assert main(["cameras", "import", str(TRAFFORD / "trafford_cctv_cameras.csv"), str(root)]) == 0
    capsys.readouterr()
    engine = store.open_store(f"sqlite:///{root / 'data' / 'hotspots.sqlite'}")

    assert main(["cameras", "remove", "1148", "1165", "--workspace", str(root)]) == 1
    out = capsys.readouterr().out  # not a terminal and no --yes: asked, not done
    assert "2 camera(s) to remove: 1148 (Trafford Way); 1165 (Woodsend Circle)" in out
    assert "nothing removed" in out and len(store.list_cameras(engine)) == 163
    assert main(["cameras", "remove", "1148", "nope", "--workspace", str(root), "--yes"]) == 1
    assert "no camera with camera_id nope" in capsys.readouterr().err
    assert len(store.list_cameras(engine)) == 163

    assert main(["cameras", "remove", "1148", "1165", "--workspace", str(root), "--yes"]) == 0
    assert "removed 2 camera(s); 161 left in the store" in capsys.readouterr().out
    left = set(store.list_cameras(engine)["camera_id"])
    assert len(left) == 161 and not {"1148", "1165"} & left
    (row,) = store.audit_log(engine, actions=["delete"]).to_dict("records")
    assert (row["user"], row["target"]) == ("system", "cameras/1148, 1165")
    engine.dispose()
