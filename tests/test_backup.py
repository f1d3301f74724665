"""`flask backup create` / `backup restore`: a populated, migrated database round-trips table by table into a
new empty one; a database with tables is refused untouched; a file that is not a backup is refused; and on
SQLite a backup taken while door sign-ins are being written is a consistent, integrity-checked copy."""
import os
import sqlite3
import stat
import threading
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, inspect, select, text

from forms.tokens import new_form_token
from survey_app import create_app
from survey_app.access import accounts, rate_limit
from survey_app.models import Attendance, Meeting, Person, Role, User
from survey_app.models.base import london_today
from survey_app.participation import invitations, offline, taking_part
from survey_app.participation.kiosk import on_its_day
from survey_app.web.extensions import db
from tests.servers import app_config, fresh_database

NOT_EMPTY = ("Error: The database already has {n} tables. A backup is only restored into an empty database "
             "(no tables at all), so nothing was changed. Create a new, empty database, point DATABASE_URL at it "
             "and run the restore again.")


def hub(url):
    return create_app(app_config(url))


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output.strip()


def populate(app) -> None:
    """Every table gets rows through the app's own functions: the demo loader, then sign-ins, a staff
    session, a first-admin token, a used door form token, personal links, a rate-limit count and an item the
    door tablet queued offline."""
    with app.app_context():
        upgrade()
        code, output = run(app, "demo", "load")
        assert code == 0, output
        staff = accounts.create_user("backup.admin@halton.example", "Backup Admin", Role.ADMIN, "a long password")
        db.session.commit()
        assert accounts.authenticate(staff.email, "wrong password").user is None
        assert accounts.authenticate(staff.email, "a long password").user is not None
        accounts.start_session(staff)
        accounts.issue_setup_token()
        assert taking_part.claim(new_form_token())
        invitations.make_links(db.session.scalars(select(Meeting).order_by(Meeting.id)).first())
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.1"}):
            rate_limit.hit(rate_limit.Limit("backup-test", 1, timedelta(minutes=1)))
            today = next(m for m in db.session.scalars(select(Meeting)) if on_its_day(m))
            sent = offline.apply(today, {"token": new_form_token(), "kind": "suggest", "position": 0,
                                         "data": {"what": "Sent from the door tablet"}})
            assert sent.outcome == "saved", sent
        db.session.commit()
        db.engine.dispose()


def contents(url) -> dict:
    """Every table of the models plus alembic_version, each as its rows in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = {t.name: conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                      for t in db.metadata.sorted_tables}
            tables["alembic_version"] = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            names = set(inspect(conn).get_table_names())
        return {"names": names, "rows": tables}
    finally:
        engine.dispose()


def test_a_populated_database_round_trips_into_a_new_empty_one(tmp_path):
    backup_file = tmp_path / "hub.backup"
    with fresh_database("hub_backup_from") as source_url, fresh_database("hub_backup_to") as target_url:
        source = hub(source_url)
        populate(source)
        before = contents(source_url)
        empty = [name for name, rows in before["rows"].items() if not rows]
        assert empty == [], f"fill these tables in populate() so the round trip covers them: {empty}"
        total = sum(len(rows) for rows in before["rows"].values())

        old_umask = os.umask(0o022)  # the usual umask, under which new files are readable by everyone
        try:
            with source.app_context():
                code, output = run(source, "backup", "create", str(backup_file))
                db.engine.dispose()
        finally:
            os.umask(old_umask)
        assert code == 0, output
        assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600  # everyone's details: the owner's eyes only
        assert output == f"Backed up {len(before['names'])} tables ({total:,} rows) to {backup_file}."

        target = hub(target_url)
        with target.app_context():
            code, output = run(target, "backup", "restore", str(backup_file))
            db.engine.dispose()
        assert code == 0, output
        day = london_today().isoformat()
        assert output.splitlines() == [
            f"Restored {len(before['names'])} tables ({total:,} rows) from {backup_file}.",
            "The database is at the latest migration for this version of the app.",
            f"Anyone erased after this backup was made (its last audit log entry is from {day}) has their details "
            f"back. List those erasures on the old database with `flask --app survey_app people erased --since "
            f"{day}` and erase each person again here with `people erase`."]

        after = contents(target_url)
        assert after["names"] == before["names"]
        for name, rows in before["rows"].items():
            assert after["rows"][name] == rows, f"table {name} differs after the restore"

        # The restored database takes new records (on PostgreSQL its sequences carried on, not restarted).
        with target.app_context():
            highest = db.session.scalar(select(func.max(User.id)))
            user = accounts.create_user("after.restore@halton.example", "After Restore", Role.ORGANISER,
                                        "a long password")
            db.session.commit()
            assert user.id > highest
            db.engine.dispose()

        # Someone erased on the old database after the backup is listed there, to erase again here.
        with source.app_context():
            person_id = db.session.scalars(select(Person.id).order_by(Person.id)).first()
            assert run(source, "people", "erase", str(person_id), "--yes")[0] == 0
            assert run(source, "people", "erased", "--since", day) == (0, f"{day} person {person_id}\n"
                                                                           f"1 erasure since {day}.")
            db.engine.dispose()


def test_restore_refuses_a_database_that_has_tables_and_changes_nothing(tmp_path):
    with fresh_database("hub_backup_full") as full_url, fresh_database("hub_backup_bare") as bare_url:
        full = hub(full_url)
        populate(full)
        backup_file = tmp_path / "full.backup"
        with full.app_context():
            assert run(full, "backup", "create", str(backup_file))[0] == 0
            tables = len(inspect(db.engine).get_table_names())
            before = contents(full_url)
            code, output = run(full, "backup", "restore", str(backup_file))
            db.engine.dispose()
        assert (code, output) == (1, NOT_EMPTY.format(n=tables))
        assert contents(full_url) == before

        # Tables with no rows in them still count as "not empty": restoring over a schema is refused too.
        bare = hub(bare_url)
        with bare.app_context():
            upgrade()  # the schema, and the rows the migrations seed (benefit limits, codes, the import layout)
            seeded = contents(bare_url)
            code, output = run(bare, "backup", "restore", str(backup_file))
            db.engine.dispose()
        assert (code, output) == (1, NOT_EMPTY.format(n=tables))
        assert contents(bare_url) == seeded


def test_a_file_that_is_not_a_backup_is_refused_in_plain_words(tmp_path):
    garbage = tmp_path / "holiday-photo.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0 not a database at all" * 100)
    with fresh_database("hub_backup_empty") as url:
        app = hub(url)
        with app.app_context():
            code, output = run(app, "backup", "restore", str(garbage))
            missing = run(app, "backup", "restore", str(tmp_path / "nowhere.backup"))
            tables = inspect(db.engine).get_table_names()
            db.engine.dispose()
    assert (code, output) == (1, f"Error: {garbage} is not a backup made by `backup create`: it is neither a "
                                 "SQLite database nor a pg_dump file. Nothing was changed.")
    assert missing == (1, f"Error: There is no backup file at {tmp_path / 'nowhere.backup'}.")
    assert tables == []


def test_backup_create_will_not_overwrite_a_file(tmp_path):
    existing = tmp_path / "monday.backup"
    existing.write_bytes(b"last week's backup")
    with fresh_database("hub_backup_source") as url:
        app = hub(url)
        with app.app_context():
            upgrade()
            code, output = run(app, "backup", "create", str(existing))
            db.engine.dispose()
    assert (code, output) == (1, f"Error: {existing} already exists. Choose a new file name, so no earlier "
                                 "backup is overwritten.")
    assert existing.read_bytes() == b"last week's backup"


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite's online backup; pg_dump's snapshot is PostgreSQL's own guarantee")
def test_a_backup_taken_during_door_sign_ins_is_a_consistent_copy(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    app = hub(url)
    populate(app)
    with app.app_context():
        meeting_id = db.session.scalars(select(Meeting.id).order_by(Meeting.id.desc())).first()
        people = db.session.scalars(select(Person.id).order_by(Person.id)).all()
        db.session.execute(Attendance.__table__.delete().where(Attendance.meeting_id == meeting_id))
        db.session.commit()
        db.engine.dispose()

    started, stop, signed = threading.Event(), threading.Event(), []

    def door():
        # A separate app, as a separate server process would be: its own engine and connections.
        writer = hub(url)
        with writer.app_context():
            for person_id in people:
                assert taking_part.claim(new_form_token())
                taking_part.sign_in(meeting_id, person_id)
                db.session.commit()
                signed.append(person_id)
                started.set()
                if stop.is_set():
                    break
            db.engine.dispose()

    thread = threading.Thread(target=door)
    thread.start()
    assert started.wait(timeout=60)
    copies = []
    with app.app_context():
        for i in range(3):
            copies.append(tmp_path / f"busy-{i}.backup")
            code, output = run(app, "backup", "create", str(copies[-1]))
            assert code == 0, output
        db.engine.dispose()
    stop.set()
    thread.join(timeout=60)

    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            here = conn.execute("SELECT person_id FROM attendance WHERE meeting_id = ? ORDER BY id",
                                (meeting_id,)).fetchall()
            tokens = conn.execute("SELECT count(*) FROM form_token").fetchone()[0]
        finally:
            conn.close()
        # A moment in the sign-ins: the first n people, each with the form token that came with it.
        assert [p for (p,) in here] == signed[:len(here)]
        assert tokens == 2 + len(here)  # populate()'s door token and offline item, then one per sign-in


def test_a_sqlite_database_named_by_a_file_uri_is_backed_up(tmp_path):
    from survey_app.privacy.backup import create_backup
    path = tmp_path / "hub.sqlite3"
    app = create_app(app_config(f"sqlite:///file:{path}?uri=true"))
    with app.app_context():
        db.create_all()
        db.session.add(Person(first_name="Ada", last_name="Okafor", contact_method="email",
                              information_format="standard", role="carer"))
        db.session.commit()
        create_backup(tmp_path / "copy.backup")
        db.engine.dispose()
    copy = sqlite3.connect(tmp_path / "copy.backup")
    assert copy.execute("SELECT first_name FROM person").fetchall() == [("Ada",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
