"""Erasure really erases, on disk: after `people erase`, an admin's erasure through the web page and a
retention run, with the app still running (its own pooled connections, and a gunicorn server in production
mode on the same file), no erased value is anywhere in the raw bytes of the SQLite files: the database,
its write-ahead log (-wal) and its shared-memory index (-shm). And those files, and backups, are readable
by their owner only. (PostgreSQL keeps old row versions until VACUUM: see docs/security.md "Erasure and retention".)"""
import json
import logging
import os
import sqlite3
import stat
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select

from survey_app import create_app
from survey_app.models import Invitation, Person
from survey_app.models.base import LONDON
from survey_app.models.people import search_key
from survey_app.privacy import retention
from survey_app.web.extensions import db
from tests.conftest import CheckingClient, _config
from tests.http_client import Browser
from tests.servers import AppServer
from tests.test_erasure import OLD, world  # noqa: F401  (the fixture: a person with everything)

pytestmark = pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="reads SQLite's files; PostgreSQL's on-disk behaviour is documented")

WARNING = "Warning: the erased details are gone from the database, but SQLite could not yet clear"


@pytest.fixture
def app(tmp_path):
    """The app on its own new SQLite file, made by the migrations as `flask db upgrade` makes it."""
    app = create_app(_config(f"sqlite:///{tmp_path / 'hub.sqlite3'}"))
    app.test_client_class = CheckingClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def running(app, world):  # noqa: F811
    """The service serving the same file from gunicorn, as in production, with connections open."""
    with AppServer(app.config["SQLALCHEMY_DATABASE_URI"]) as server:
        browser = Browser(server.port)
        for _ in range(4):
            assert browser.get("/healthz")[0] == 200
            assert browser.get("/login")[0] == 200
        yield server


def files(app) -> dict[str, bytes]:
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return {f.name: f.read_bytes() for f in path.parent.glob(path.name + "*")}


def erased_values(world) -> list[str]:  # noqa: F811
    token = db.session.scalar(select(Invitation.token).where(Invitation.person_id == world["id"]))
    assert token
    # The first name alone stays on a suggestion someone typed it on (it cannot be told apart from anyone
    # else's), so it is looked for as part of the full name typed on a suggestion and the search key.
    full = f"{OLD['first']}  {OLD['last']}"  # as typed on a suggestion
    return [OLD["last"], OLD["preferred"], full, search_key(full),
            OLD["email"], OLD["phone"], OLD["new_phone"], OLD["address"], OLD["detail"], OLD["old_detail"],
            OLD["talked_by"], token]


def found(app, values) -> dict[str, list[str]]:
    """Each file's erased values still in it, as UTF-8 (table rows, indexes) or JSON-escaped (audit copies)."""
    hits = {}
    for name, data in files(app).items():
        here = [v for v in values if v.encode() in data or json.dumps(v)[1:-1].encode() in data]
        if here:
            hits[name] = here
    return hits


@pytest.mark.slow  # a gunicorn server on the same file
def test_people_erase_leaves_nothing_on_disk(app, world, running, runner):  # noqa: F811
    values = erased_values(world)
    # The search can see them at all: before erasure every value is in the files.
    assert set().union(*found(app, values).values()) == set(values)
    result = runner.invoke(args=["people", "erase", str(world["id"]), "--yes"])
    assert result.exit_code == 0, result.output
    assert WARNING not in result.output
    assert found(app, values) == {}
    assert Browser(running.port).get("/healthz")[0] == 200  # the server carries on


@pytest.mark.slow  # a gunicorn server on the same file
def test_an_admin_erasure_through_the_web_page_leaves_nothing_on_disk(app, world, running):  # noqa: F811
    values = erased_values(world)
    done = world["web"].submit(f"/admin/people/{world['id']}/erase", {"confirm": "ERASE"}, follow_redirects=True)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Their details are erased." in body
    assert "too busy to clear its log file" not in body
    assert found(app, values) == {}


@pytest.mark.slow  # a gunicorn server on the same file
def test_a_retention_run_leaves_nothing_of_an_inactive_person_on_disk(app, world, running, runner):  # noqa: F811
    values = erased_values(world)
    # Everything about them happened long ago.
    long_ago = datetime.combine(date(2020, 1, 6), time(10), tzinfo=LONDON).astimezone(UTC)
    for table in ("person", "access_need", "need_arrangement", "invitation", "suggestion_vote"):
        column = {"person": "created_at", "need_arrangement": "arranged_at"}.get(table, "created_at")
        db.session.execute(db.text(f"UPDATE {table} SET {column} = :at"), {"at": long_ago})  # noqa: S608 (fixed table and column names)
    db.session.execute(db.text("UPDATE person SET consent_at = :at, benefits_talked_on = '2020-01-06'"),
                       {"at": long_ago})
    db.session.execute(db.text("UPDATE access_need SET arranged_at = NULL"))
    db.session.commit()
    report = retention.run(today=date(2040, 1, 6))
    assert world["id"] in report.inactive and report.checkpoint.done
    assert db.session.get(Person, world["id"]).erased_at is not None
    assert found(app, values) == {}


@pytest.mark.slow  # a gunicorn server on the same file
def test_a_busy_reader_is_waited_for_then_reported_and_the_next_retention_run_clears_it(  # noqa: F811
        app, world, runner, caplog):
    values = erased_values(world)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM person").fetchone()  # a read transaction held open on the old log
    try:
        with caplog.at_level(logging.WARNING, logger="survey_app.web.database"):
            result = runner.invoke(args=["people", "erase", str(world["id"]), "--yes"])
        assert result.exit_code == 0, result.output
        assert (f"{WARNING} its write-ahead log ({path}-wal) because other connections were reading it, so a copy "
                "may still be on disk there. Run `flask --app survey_app retention run` again when the service is "
                "quieter: it clears the log every time.") in result.output
        assert "could not be cleared after 3 tries" in caplog.text
        assert "hub.sqlite3-wal" in found(app, values)  # said plainly, because it is true
    finally:
        reader.execute("COMMIT")
        reader.close()
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and WARNING not in result.output
    assert found(app, values) == {}


def test_every_connection_zeroes_what_it_deletes(app):
    """secure_delete is set by the app, not left to how SQLite was built (off unless built otherwise, as
    this machine's happens to be: so a listener that runs before the app's turns it off first)."""
    def sqlite_default(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA secure_delete=OFF")

    event.listen(db.engine, "connect", sqlite_default, insert=True)
    try:
        db.engine.dispose()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        event.remove(db.engine, "connect", sqlite_default)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_files_and_backups_are_owner_only(app, world, runner, tmp_path):  # noqa: F811
    old_umask = os.umask(0o022)  # the usual umask, which makes files everyone can read
    try:
        path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        for name in ("hub.sqlite3", "hub.sqlite3-wal", "hub.sqlite3-shm"):
            assert mode(path.with_name(name)) == 0o600, name
        backup = tmp_path / "hub.backup"
        assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
        assert mode(backup) == 0o600
        # Restored into a new file: owner-only too.
        restored = tmp_path / "restored" / "hub.sqlite3"
        restored.parent.mkdir()
        target = create_app(_config(f"sqlite:///{restored}"))
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
            db.engine.dispose()
        assert result.exit_code == 0, result.output
        assert mode(restored) == 0o600
        # A database file made before this (0644) is made owner-only when the app starts.
        old = tmp_path / "old" / "hub.sqlite3"
        old.parent.mkdir()
        sqlite3.connect(old).execute("CREATE TABLE t (x)").connection.close()
        os.chmod(old, 0o644)
        create_app(_config(f"sqlite:///{old}"))
        assert mode(old) == 0o600
    finally:
        os.umask(old_umask)


@pytest.mark.slow  # waits out a busy reader: about 4 seconds
def test_the_admin_page_says_plainly_when_the_log_could_not_be_cleared(app, world):  # noqa: F811
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM person").fetchone()
    try:
        done = world["web"].submit(f"/admin/people/{world['id']}/erase", {"confirm": "ERASE"}, follow_redirects=True)
    finally:
        reader.execute("COMMIT")
        reader.close()
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Their details are erased." in body
    assert ("The database was too busy to clear its log file, so a copy of the erased details may still be on the "
            "server&#39;s disk. Ask whoever runs the server to run the retention command later: it clears the log."
            ) in body
