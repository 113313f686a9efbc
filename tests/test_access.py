"""Who may do what: password hashes, roles, the login, role escapes, the audit log, no tracebacks.

The dashboard runs in Streamlit's AppTest (the real app and pages, in this process); the audit
log is checked on SQLite and PostgreSQL (the ``new_store`` fixture of ``test_store``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_store import new_store, pg_server  # noqa: F401  (fixtures: SQLite and PostgreSQL)

from hotspots import store
from hotspots.core import access
from hotspots.core.access import User
from hotspots.views.dashboard import login

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
PASSWORDS = {
    "vic": ("viewer", "vic-pass-1"),
    "ann": ("analyst", "ann-pass-2"),
    "ada": ("admin", "ada-pass-3"),
}
TIMEOUT = 180


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with a viewer, an analyst and an admin, and a fresh SQLite store; env set."""
    config = tmp_path / "hotspots.toml"
    config.write_text('[workspace]\ntitle = "Dacorum"\n', encoding="utf-8")
    for name, (role, password) in PASSWORDS.items():
        access.set_user(config, name, role, password)
    monkeypatch.setenv(access.CONFIG_ENV, str(config))
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    monkeypatch.delenv(store.DB_URL_ENV, raising=False)
    monkeypatch.setenv("HOTSPOTS_SEED_DEMO", "0")
    return config


def _audit() -> list[tuple[str, str, str, str]]:
    log = store.audit_log(store.open_store())
    return list(log[["user", "role", "action", "target"]].itertuples(index=False, name=None))


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "markdown", "caption", "error", "warning", "info", "success", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.value) for e in at.sidebar.warning] + [str(e.value) for e in at.exception]
    return "\n".join(parts)


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    return at.button[0].click().run()


# --- passwords, roles, config ---------------------------------------------------------------


def test_passwords_are_salted_scrypt_hashes_and_wrong_ones_are_refused() -> None:
    first, second = access.hash_password("s3cret!"), access.hash_password("s3cret!")
    assert first != second  # a new salt each time
    assert first.startswith("scrypt$16384$8$1$") and "s3cret" not in first
    assert access.verify_password("s3cret!", first) and access.verify_password("s3cret!", second)
    for wrong in ("s3cret", "S3cret!", "", "s3cret!!"):
        assert not access.verify_password(wrong, first)
    assert not access.verify_password("s3cret!", "s3cret!")  # plain text never matches
    with pytest.raises(ValueError, match="empty"):
        access.hash_password("")


def test_unknown_name_costs_a_password_check_and_no_hash_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unknown name's password goes through one scrypt of a new hash's cost (the same time as
    a wrong password) and never matches; importing the module hashes nothing (the first map
    waits for every import of the dashboard's start)."""
    counting = (
        "import hashlib; calls = []; real = hashlib.scrypt\n"
        "hashlib.scrypt = lambda *a, **k: calls.append(k) or real(*a, **k)\n"
        "import hotspots.core.access; print(len(calls))"
    )
    done = subprocess.run(
        [sys.executable, "-c", counting], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    calls: list[dict[str, object]] = []
    real = access.hashlib.scrypt
    monkeypatch.setattr(access.hashlib, "scrypt", lambda *a, **k: calls.append(k) or real(*a, **k))
    cfg = access.AuthConfig(mode="password", users={})
    for password in ("no such user", "", "x" * 64):
        assert access.authenticate(cfg, "nobody", password) is None
    cost = {"n": access.SCRYPT_N, "r": access.SCRYPT_R, "p": access.SCRYPT_P, "dklen": 32}
    assert [{key: c[key] for key in cost} for c in calls] == [cost] * 3


def test_the_cli_writes_only_the_hash_and_keeps_the_rest_of_the_config(tmp_path: Path) -> None:
    config = tmp_path / "hotspots.toml"
    config.write_text('[workspace]\narea = "E07000096"\n', encoding="utf-8")
    command = [sys.executable, "-m", "hotspots.views.cli", "user", "add", str(config), "jo"]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [*command, "--role", "analyst"], input="Tr0ub4dor&3\n", capture_output=True, text=True,
        env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = config.read_text()
    assert "Tr0ub4dor" not in text and "scrypt$" in text
    parsed = access.read_config(config)
    assert parsed["workspace"] == {"area": "E07000096"}
    cfg = access.load_auth_config(config)
    assert cfg.mode == "password" and cfg.users["jo"].role == "analyst"
    assert access.authenticate(cfg, "jo", "Tr0ub4dor&3") == cfg.users["jo"]
    assert access.authenticate(cfg, "jo", "Tr0ub4dor&4") is None
    assert access.authenticate(cfg, "nobody", "Tr0ub4dor&3") is None
    # the same name again replaces the entry (new role, new password), once
    done = subprocess.run(
        [*command, "--role", "viewer"], input="new-pass\n", capture_output=True, text=True,
        env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cfg = access.load_auth_config(config)
    assert cfg.users["jo"].role == "viewer" and config.read_text().count('[users."jo"]') == 1
    assert access.authenticate(cfg, "jo", "new-pass") is not None
    assert access.authenticate(cfg, "jo", "Tr0ub4dor&3") is None
    # no password argument exists: it can only come from the prompt or stdin
    refused = subprocess.run(
        [*command, "--role", "viewer", "--password", "x"], capture_output=True, text=True,
        env=env, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2


def test_a_plain_text_password_in_the_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[users.bob]\nrole = "admin"\npassword = "hunter2"\n')
    with pytest.raises(ValueError, match="never the password itself"):
        access.load_auth_config(config)


def test_roles_nest_viewer_analyst_admin() -> None:
    assert [p for p in access.PERMISSIONS if access.can("viewer", p)] == ["view"]
    analyst = {p for p in access.PERMISSIONS if access.can("analyst", p)}
    assert analyst == {"view", "points", "tune", "upload", "download", "edit"}
    assert all(access.can("admin", p) for p in access.PERMISSIONS)
    assert not access.can("", "view") and not access.can("root", "view")


def test_header_mode_maps_users_and_groups_to_roles() -> None:
    cfg = access.auth_config(
        {
            "auth": {
                "mode": "header",
                "user_header": "X-Remote-User",
                "groups_header": "X-Remote-Groups",
                "roles": {"chief@csp.gov.uk": "admin"},
                "groups": {"csp-analysts": "analyst", "jag": "viewer"},
            }
        }
    )
    assert cfg.required
    who = access.header_user(cfg, {"x-remote-user": "chief@csp.gov.uk"})
    assert who == User("chief@csp.gov.uk", "admin")
    groups = {"X-Remote-User": "sam", "X-Remote-Groups": "jag, csp-analysts"}
    assert access.header_user(cfg, groups) == User("sam", "analyst")  # the highest group role
    assert access.header_user(cfg, {"X-Remote-User": "eve"}) is None  # no role, no default
    assert access.header_user(cfg, {}) is None
    open_default = access.auth_config({"auth": {"mode": "header", "default_role": "viewer"}})
    assert access.header_user(open_default, {"X-Forwarded-User": "eve"}) == User("eve", "viewer")


# --- the audit log, on both backends --------------------------------------------------------


def test_audit_rows_for_login_upload_export_edit_and_delete(new_store) -> None:  # noqa: F811
    engine = store.open_store(new_store())
    ann, ada = User("ann", "analyst"), User("ada", "admin")
    store.record_event(engine, ann, "login", "ann")
    store.record_event(engine, User("mallory", ""), "login_failed", "mallory")
    store.record_event(engine, ann, "upload", "asb_log.csv", "1200 incidents kept")
    export = login.audited(lambda: b"a,b\r\n", file_name="quarantine.csv", user=ann, engine=engine)
    assert export() == b"a,b\r\n"
    saved = store.add_feedback(
        engine,
        {"lon": -0.47, "lat": 51.75, "reason": "isolated", "severity": 3, "comment": "{% x %}"},
        actor=ann,
    )
    store.update_record(engine, "feedback", saved.id, {"comment": ""}, actor=ann)
    store.delete_record(engine, "feedback", saved.id, actor=ada)
    store.add_walkabout(
        engine, {"date": "2021-11-18", "area": "Town", "organiser": "CSP", "agencies": "Police",
                 "participants": 3},
    )  # fmt: skip
    log = store.audit_log(engine)
    rows = list(log[["user", "role", "action", "target"]].itertuples(index=False, name=None))
    assert rows[::-1][:7] == [
        ("ann", "analyst", "login", "ann"),
        ("mallory", "", "login_failed", "mallory"),
        ("ann", "analyst", "upload", "asb_log.csv"),
        ("ann", "analyst", "download", "quarantine.csv"),
        ("ann", "analyst", "add", f"feedback/{saved.id}"),
        ("ann", "analyst", "edit", f"feedback/{saved.id}"),
        ("ada", "admin", "delete", f"feedback/{saved.id}"),
    ]
    assert rows[0][:3] == ("system", "", "add")  # a write that names no actor
    assert log["at"].notna().all() and log["id"].is_monotonic_decreasing
    assert log.loc[log["action"] == "edit", "detail"].item() == "fields: comment"
    engine.dispose()


def test_a_download_opens_the_store_when_handed_out_on_another_thread(new_store) -> None:  # noqa: F811
    """The dashboard's buttons pass the function that opens the store: it is called when the
    file is handed out (on Streamlit's download thread), not to draw the button."""
    engine = store.open_store(new_store())
    opened = []

    def open_engine():
        opened.append(threading.current_thread().name)
        return engine

    export = login.audited(
        lambda: b"x", file_name="hotspot_map.png", user=User("ann", "analyst"), engine=open_engine
    )
    assert opened == []  # drawing the button opened nothing
    worker = threading.Thread(target=export, name="download")
    worker.start()
    worker.join()
    assert opened == ["download"]
    log = store.audit_log(engine, actions=["download"])
    assert list(log[["user", "target"]].itertuples(index=False, name=None)) == [
        ("ann", "hotspot_map.png")
    ]
    engine.dispose()


def test_a_write_that_fails_leaves_no_audit_row(new_store) -> None:  # noqa: F811
    engine = store.open_store(new_store())
    with pytest.raises(store.ValidationError):
        store.add_feedback(engine, {"lon": -0.47, "lat": 51.75, "reason": "dark", "severity": 9})
    with pytest.raises(KeyError):
        store.delete_record(engine, "feedback", "FB-none", actor=User("ada", "admin"))
    assert store.audit_log(engine).empty
    engine.dispose()


# --- the dashboard: login, role escapes, downloads, errors ----------------------------------


def test_no_login_configured_runs_open_and_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(access.CONFIG_ENV, raising=False)
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert login.OPEN_WARNING in [w.value for w in at.sidebar.warning]
    assert "Running without login: anyone who can reach this address can edit" in _texts(at)


def test_login_refuses_a_wrong_password_and_audits_both(configured) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.exception
    _login(at, "vic", "not-the-password")
    assert "do not match" in at.error[0].value
    assert [t.value for t in at.title] == ["Sign in"]  # still outside
    _login(at, "vic", PASSWORDS["vic"][1])
    assert not at.exception and "Sign in" not in [t.value for t in at.title]
    assert "Signed in as **vic** (viewer)" in [c.value for c in at.sidebar.caption]
    assert _audit()[::-1] == [
        ("vic", "", "login_failed", "vic"),
        ("vic", "viewer", "login", "vic"),
    ]


@pytest.mark.parametrize("how", ["url", "query"])
def test_a_viewer_cannot_reach_the_data_page_by_url_or_query(configured, how) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _login(at, "vic", PASSWORDS["vic"][1])
    if how == "url":  # what a browser opening /data asks for: the page of url_path "data"
        at._page_hash = calc_hash("data")
    else:
        at.query_params["page"] = "data"
        at.query_params["role"] = "admin"
    at.run()
    titles = [t.value for t in at.title]
    assert "Data: load and quality" not in titles and titles == ["Where: hotspots"]
    assert not at.file_uploader and not at.download_button
    assert not [c for c in at.checkbox if c.label in ("Walkabout feedback", "CCTV cameras")]
    # the same request from an analyst opens it
    at2 = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _login(at2, "ann", PASSWORDS["ann"][1])
    at2._page_hash = calc_hash("data")
    at2.run()
    assert "Data: load and quality" in [t.value for t in at2.title]


def _page(render: str) -> AppTest:
    def script(render: str) -> None:
        import importlib

        from hotspots.views.dashboard import login

        with login.error_boundary():
            module, name = render.rsplit(".", 1)
            getattr(importlib.import_module(module), name)()

    return AppTest.from_function(script, args=(render,), default_timeout=TIMEOUT)


@pytest.mark.parametrize(
    "page", ["page_data", "page_vawg", "page_cctv", "page_audit"], ids=lambda p: p[5:]
)
def test_each_page_checks_the_role_itself(configured, page) -> None:
    at = _page(f"hotspots.views.dashboard.{page}.render")
    at.session_state[login.USER_KEY] = User("vic", "viewer")
    at.run()
    assert not at.exception
    assert "you are signed in as viewer" in at.error[0].value
    assert not at.file_uploader and not at.download_button and not at.form_submit_button


def test_a_user_removed_from_the_config_loses_access_at_once(configured) -> None:
    at = _page("hotspots.views.dashboard.page_data.render")
    at.session_state[login.USER_KEY] = User("ghost", "admin")  # signed in, then removed
    at.run()
    assert "signed in as nobody" in at.error[0].value and not at.file_uploader


def test_an_upload_is_audited_and_leaves_no_temporary_file(configured, tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    at = _page("hotspots.views.dashboard.page_data.render")
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    rows = [
        header + "LSOA name,Crime type,Last outcome category,Context",
        "a1,2021-03,Herts,Herts,-0.4712,51.7532,On or near Marlowes,E01,n,Burglary,,",
        "a2,2021-03,Herts,Herts,-0.4701,51.7540,On or near Marlowes,E01,n,Burglary,,",
        "a3,2021-03,Herts,Herts,not-a-number,51.75,On or near X,E01,n,Burglary,,",
    ]
    upload = ("2021-03-hertfordshire-street.csv", "\n".join(rows).encode(), "text/csv")
    at.file_uploader(key="upload_files").set_value(upload).run()
    [load] = [b for b in at.button if b.label == "Load"]
    load.click().run()
    assert not at.exception, _texts(at)
    assert list(temp.iterdir()) == []  # the copies were removed after reading
    assert ("ann", "analyst", "upload", upload[0]) in _audit()
    shown = _texts(at) + "\n".join(str(d.value) for d in at.dataframe)
    assert str(temp) not in shown and "hotspots-upload-" not in shown
    assert "Loaded 2 incidents" in shown or "2021-03-hertfordshire-street.csv" in shown


def test_a_survey_upload_is_audited_once_with_its_rows(configured) -> None:
    at = _page("hotspots.views.dashboard.page_areas.render")
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    rows = ["area,period,% feeling safe,respondents", "Boxmoor,2021-Q3,74,212",
            "Boxmoor,2021-Q4,79,198", "Adeyfield,2021-Q4,61,150"]  # fmt: skip
    survey = ("safety_survey.csv", "\n".join(rows).encode(), "text/csv")
    at.file_uploader(key="a_survey").set_value(survey).run()
    assert not at.exception, _texts(at)
    at.run()  # a rerun (any click on the page) is not another upload
    log = store.audit_log(store.open_store())
    ups = log[(log["action"] == "upload") & (log["target"] == survey[0])]
    assert len(ups) == 1, ups
    entry = ups.iloc[0]
    assert (entry["user"], entry["role"]) == ("ann", "analyst")
    assert entry["detail"] == "survey: 3 rows read" and pd.notna(entry["at"])
    # a file that cannot be read is audited as refused
    bad = ("broken.csv", b"area,period\nBoxmoor,2021-Q3", "text/csv")
    at.file_uploader(key="a_survey").set_value(bad).run()
    log = store.audit_log(store.open_store())
    refused = log[(log["action"] == "upload") & (log["target"] == bad[0])]
    assert len(refused) == 1 and refused.iloc[0]["detail"].startswith("survey refused: ")


def test_an_analyst_gets_downloads_a_viewer_none(configured) -> None:
    at = _page("hotspots.views.dashboard.page_areas.render")
    at.session_state[login.USER_KEY] = User("vic", "viewer")
    at.run()
    assert not at.exception and not at.download_button and not at.file_uploader
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    assert [b.label for b in at.download_button][:1] == [
        "Download the ward table (CSV, for the minutes)"
    ]
    assert at.file_uploader


def test_an_error_shows_a_plain_message_and_no_traceback(configured, caplog) -> None:
    def broken() -> None:
        from pathlib import Path

        from hotspots.views.dashboard import login

        with login.error_boundary():
            Path("/srv/hotspots/secret/config.toml").read_text()

    at = AppTest.from_function(broken, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [login.ERROR_MESSAGE]
    text = _texts(at)
    assert "Traceback" not in text and "/srv/hotspots" not in text and "FileNotFound" not in text
    assert "/srv/hotspots/secret" in caplog.text  # the server's log has it


def test_a_broken_config_stops_the_app_without_showing_its_path(configured) -> None:
    configured.write_text("[users\nbroken = ", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception and "cannot be read" in at.error[0].value
    assert str(configured.parent) not in _texts(at)
    assert not at.title  # no page ran


def test_the_store_caption_names_no_path(configured) -> None:
    at = _page("hotspots.views.dashboard.page_vawg.render")
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    assert not at.exception, _texts(at)
    captions = [c.value for c in at.caption if c.value.startswith("Saved in this workspace")]
    assert captions and all("sqlite:///" not in c and ".sqlite" not in c for c in captions)


def test_an_analyst_moderates_feedback_and_an_admin_deletes_it(configured) -> None:
    engine = store.open_store()
    saved = store.add_feedback(
        engine, {"lon": -0.47, "lat": 51.75, "reason": "isolated", "severity": 2,
                 "comment": "{% for x in y %} named person"},
    )  # fmt: skip
    at = _page("hotspots.views.dashboard.page_vawg.render")
    at.session_state[login.USER_KEY] = User("ann", "analyst")
    at.run()
    assert not at.exception, _texts(at)
    at.selectbox(key="mod_feedback").set_value(saved.id).run()
    assert not [b for b in at.button if b.label == "Delete this feedback point"]  # not analyst
    at.text_area(key=f"mod_comment_{saved.id}").set_value("(removed by moderator)")
    [save] = [b for b in at.button if b.label == "Save changes"]
    save.click().run()
    assert store.get_record(engine, "feedback", saved.id)["comment"] == "(removed by moderator)"
    at.session_state[login.USER_KEY] = User("ada", "admin")
    at.run()
    at.selectbox(key="mod_feedback").set_value(saved.id).run()
    at.checkbox(key=f"mod_confirm_{saved.id}").check().run()
    at.button(key="mod_delete").click().run()
    with pytest.raises(KeyError):
        store.get_record(engine, "feedback", saved.id)
    audit = [r for r in _audit() if r[3] == f"feedback/{saved.id}"]
    assert audit[::-1] == [
        ("system", "", "add", f"feedback/{saved.id}"),
        ("ann", "analyst", "edit", f"feedback/{saved.id}"),
        ("ada", "admin", "delete", f"feedback/{saved.id}"),
    ]
    engine.dispose()


def test_the_audit_page_shows_the_log_and_users_but_no_hashes(configured) -> None:
    engine = store.open_store()
    store.record_event(engine, User("ann", "analyst"), "download", "meeting_pack.pdf")
    at = _page("hotspots.views.dashboard.page_audit.render")
    at.session_state[login.USER_KEY] = User("ada", "admin")
    at.run()
    assert not at.exception, _texts(at)
    log, users = (d.value for d in at.dataframe)
    assert log[["User", "Action", "Target"]].values.tolist() == [
        ["ann", "download", "meeting_pack.pdf"]
    ]
    assert sorted(users["User"]) == ["ada", "ann", "vic"]
    assert list(users.columns) == ["User", "Role"]
    assert "scrypt$" not in _texts(at)
    at.session_state[login.USER_KEY] = User("ann", "analyst")  # an analyst: refused
    at.run()
    assert "needs the admin role" in at.error[0].value
    engine.dispose()


def test_the_app_catches_a_page_error_without_showing_it(tmp_path, monkeypatch, caplog) -> None:
    from hotspots.views.dashboard import page_map

    def fails() -> None:
        raise OSError("[Errno 13] Permission denied: '/srv/hotspots/data/local/x.sqlite'")

    monkeypatch.setattr(page_map, "render", fails)  # app.py looks it up when it runs
    monkeypatch.delenv(access.CONFIG_ENV, raising=False)
    monkeypatch.setenv(store.DB_PATH_ENV, str(tmp_path / "store.sqlite"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [login.ERROR_MESSAGE]
    assert "/srv/hotspots" not in _texts(at) and "Errno" not in _texts(at)
    assert "Permission denied: '/srv/hotspots" in caplog.text
