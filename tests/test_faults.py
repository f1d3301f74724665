"""Faults: the database busy, gone, read-only or full, and the server killed mid-load. Each gets a plain
"Please try again" page (503) that keeps what was typed, nothing half-written, and recovery afterwards."""
import html
import http.client
import logging
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import MultiDict

from survey_app import create_app
from survey_app.access.accounts import create_user
from survey_app.models import Group, Meeting, MeetingMode, Organisation, Person, Role
from survey_app.web.database import DatabaseStorageError
from survey_app.web.extensions import db
from tests.conftest import PASSWORD, CheckingClient, _config
from tests.door_helpers import REGISTER_CHECK, later_today, register, start_door_mode
from tests.http_client import Browser, field
from tests.servers import AppServer, build_schema, fresh_database, postgres_url, seeded_app
from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = postgres_url() is not None
HIDDEN_INPUT_RE = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
RETRY_FORM_RE = re.compile(r'<form class="retry" method="post" action="([^"]*)">(.*?)</form>', re.S)
ORGANISER = "door.organiser@halton.example"


def registration(first_name: str, **extra) -> dict:
    return {"first_name": first_name, "last_name": "Okafor", "role": "carer", "contact_method": "email",
            "email": "c.okafor@example.org", "address": "", "phone": "", "information_format": "large_print",
            "consent": "y", **extra}


def retry_form(page: str) -> tuple[str, MultiDict]:
    """What the browser sends when the person presses Try again on the 503 page."""
    form = RETRY_FORM_RE.search(page)
    assert form, "no Try again form"
    return html.unescape(form.group(1)), MultiDict(
        [(html.unescape(n), html.unescape(v)) for n, v in HIDDEN_INPUT_RE.findall(form.group(2))])


def people_named(first_name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Person).where(Person.first_name == first_name))


def seed_meeting() -> int:
    """A group, a meeting in an hour's time and an organiser who can start door mode; the meeting id."""
    create_user(ORGANISER, "Door Organiser", Role.ORGANISER, PASSWORD)
    group = Group(name="Carers' Voice Halton", description="")
    meeting = Meeting(group=group, title="Respite care", starts_at=later_today(),
                      ends_at=later_today() + timedelta(hours=2), mode=MeetingMode.IN_PERSON, venue_name="Halton Lea")
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def door_client(app, meeting_id: int):
    """A test client of `app` that an organiser has turned into the meeting's door tablet."""
    client = app.test_client()
    response = client.submit("/login", {"email": ORGANISER, "password": PASSWORD})
    assert response.status_code == 302
    start_door_mode(client, meeting_id)
    return client


@contextmanager
def sqlite_tablet(folder: Path, page_size: int | None = None, **config):
    """A fresh SQLite file with the schema, a meeting, and a client that is its door tablet."""
    path = folder / "faults.sqlite3"
    if page_size:
        conn = sqlite3.connect(path)  # a page size can only be chosen before the first table
        conn.execute(f"PRAGMA page_size={page_size}")
        conn.execute("VACUUM")
        conn.close()
    app = create_app(_config(f"sqlite:///{path}", **config))
    app.test_client_class = CheckingClient
    with app.app_context():
        db.create_all()
        meeting_id = seed_meeting()
        try:
            yield app, door_client(app, meeting_id), path
        finally:
            db.session.remove()
            db.engine.dispose()


def check_page(client, first_name: str, **extra) -> str:
    """The registration pages answered (they write nothing to the database): "Check your answers"."""
    response = register(client, registration(first_name, **extra), save=False)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_registration(client, first_name: str, **extra):
    """Save on "Check your answers", after answering each page."""
    page = check_page(client, first_name, **extra)
    return client.post(REGISTER_CHECK, data={"csrf_token": field(page, "csrf_token"),
                                             "form_token": field(page, "form_token")})


def register_over_http(browser: Browser, answers: dict) -> tuple[int, str]:
    """Each registration page and Save, as a browser would (Browser: a real server); Save's status and
    Location, or the first page's that did not go on."""
    url = "/door/new/name"
    for _ in range(10):
        status, _, page = browser.get(url)
        if status != 200:
            return status, ""
        status, location, _ = browser.post(url, {"csrf_token": field(page, "csrf_token"),
                                                 "form_token": field(page, "form_token"), **answers})
        if status != 302 or url == REGISTER_CHECK or not location.startswith("/door/new/"):
            return status, location
        url = location.split("?")[0]
    raise AssertionError("the registration pages went round in a circle")


# --- SQLite locked for longer than the busy timeout -----------------------------------------------------------

@pytest.mark.skipif(ON_POSTGRES, reason="SQLite locking; the PostgreSQL pass cuts the connection instead")
def test_locked_database_gets_try_again_that_keeps_the_form_and_saves_once(tmp_path):
    with sqlite_tablet(tmp_path, SQLITE_BUSY_TIMEOUT_MS=200) as (app, tablet, path):
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process writing for longer than the busy timeout
        try:
            response = post_registration(tablet, "Chidinma", contact_method="post", address="Flat 2\n14 Church Street")
            page = response.get_data(as_text=True)
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "10"
            assert "<h1>Please try again</h1>" in page
            assert "We could not save that just now. Nothing has been lost: press Try again in a moment." in page
            assert "Traceback" not in page and "locked" not in page
            assert 'class="participant' in page and "Start again" in page  # the tablet's own large layout
            action, kept = retry_form(page)
            assert action == REGISTER_CHECK  # Save: the answers are kept in the door visit, not the form
            assert kept["form_token"] and kept["csrf_token"]
            assert people_named("Chidinma") == 0  # nothing half-written (reads still work in WAL mode)
        finally:
            locker.execute("ROLLBACK")
            locker.close()

        again = tablet.post(action, data=kept)
        assert again.status_code == 302 and again.headers["Location"] == "/door/thank-you-choice"
        assert people_named("Chidinma") == 1
        person = db.session.scalar(select(Person).where(Person.first_name == "Chidinma"))
        assert person.address == "Flat 2\n14 Church Street"
        # The one-time token was rolled back with the failed attempt, so it works exactly once.
        twice = tablet.post(action, data=kept)
        assert twice.status_code == 302  # on to the thank-you question, as a double tap: saved already
        assert people_named("Chidinma") == 1


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite locking; the PostgreSQL pass cuts the connection instead")
def test_staff_page_while_locked_is_plain_and_never_reads_the_staff_session(tmp_path):
    with sqlite_tablet(tmp_path, SQLITE_BUSY_TIMEOUT_MS=200) as (app, _tablet, path):
        staff = app.test_client()
        assert staff.submit("/login", {"email": ORGANISER, "password": PASSWORD}).status_code == 302
        token = staff.csrf_token("/organisations/new")
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            response = staff.post("/organisations/new", data={"csrf_token": token, "name": "Halton Carers Centre",
                                                              "kind": "voluntary"})
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "<h1>Please try again</h1>" in page and "Sign out" not in page
        assert 'class="participant' not in page
        action, kept = retry_form(page)
        assert kept["name"] == "Halton Carers Centre"
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert staff.post(action, data=kept).status_code == 302
        assert db.session.scalar(select(Organisation.name)) == "Halton Carers Centre"


# --- PostgreSQL goes away ------------------------------------------------------------------------------------

@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_postgres_going_away_gets_try_again_and_recovers(app, database_url, caplog):
    meeting_id = seed_meeting()
    group_id = db.session.get(Meeting, meeting_id).group_id
    real = make_url(database_url)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        proxied = create_app(_config(real.set(host="127.0.0.1", port=proxy.port)
                                     .render_as_string(hide_password=False)))
        proxied.test_client_class = CheckingClient
        try:
            tablet = door_client(proxied, meeting_id)
            page = check_page(tablet, "Amara")
            data = {"csrf_token": field(page, "csrf_token"), "form_token": field(page, "form_token")}
            proxy.cut()
            with caplog.at_level(logging.WARNING, logger="survey_app.web.unavailable"):
                response = tablet.post(REGISTER_CHECK, data=data)
                page = response.get_data(as_text=True)
                assert response.status_code == 503 and "Retry-After" in response.headers
                assert "<h1>Please try again</h1>" in page and "Traceback" not in page
                action, kept = retry_form(page)
                assert action == REGISTER_CHECK and kept["form_token"] == data["form_token"]
                public = proxied.test_client().get(f"/have-your-say/{group_id}")
                assert public.status_code == 503
                assert "We could not open this page just now." in public.get_data(as_text=True)
                assert proxied.test_client().get("/healthz").status_code == 503
            logged = [r.getMessage() for r in caplog.records if r.name == "survey_app.web.unavailable"]
            assert logged and all("busy or unavailable" in m and "Amara" not in m for m in logged)
            assert people_named("Amara") == 0

            proxy.restore()
            assert proxied.test_client().get("/healthz").status_code == 200
            again = tablet.post(action, data=kept)
            assert again.status_code == 302 and again.headers["Location"] == "/door/thank-you-choice"
            # A retry of Save lands where the first went (door/register.py) and saves nobody again.
            assert tablet.post(action, data=kept).headers["Location"] == "/door/thank-you-choice"
            assert people_named("Amara") == 1
        finally:
            with proxied.app_context():
                db.engine.dispose()


# --- Read-only or full SQLite: at start-up ---------------------------------------------------------------------

def make_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE kept (x INTEGER)")


def test_read_only_sqlite_file_stops_start_up_with_one_clear_line(tmp_path):
    path = tmp_path / "hub.sqlite3"
    make_database(path)
    # Opened read-only, so SQLite itself refuses the trial write whoever runs the tests (root included).
    with pytest.raises(DatabaseStorageError) as caught:
        create_app(_config(f"sqlite:///file:{path}?mode=ro&uri=true"))
    assert str(caught.value) == (f"The database file {path} is read-only: nothing could be saved. Make it writable "
                                 "by the user the app runs as, or set DATABASE_URL to a database that is.")
    assert "\n" not in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="file modes do not stop root; the mode=ro test covers root")
def test_chmod_read_only_file_and_folder_stop_start_up(tmp_path):
    path = tmp_path / "hub.sqlite3"
    make_database(path)
    path.chmod(0o444)
    with pytest.raises(DatabaseStorageError, match=re.escape(f"The database file {path} is read-only:")):
        create_app(_config(f"sqlite:///{path}"))
    path.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(DatabaseStorageError, match=re.escape(
                f"The folder {tmp_path} holding the database file is read-only: SQLite needs to write")):
            create_app(_config(f"sqlite:///{path}"))
    finally:
        tmp_path.chmod(0o755)


def test_too_little_free_disk_or_a_missing_folder_stop_start_up(tmp_path):
    path = tmp_path / "hub.sqlite3"
    with pytest.raises(DatabaseStorageError, match=re.escape(f"The disk holding the database file {path} is "
                                                             "nearly full: only ")) as caught:
        create_app(_config(f"sqlite:///{path}", SQLITE_MIN_FREE_MB=10 ** 12))  # the real free space is less
    assert "at least 1000000000000 MB is needed (SQLITE_MIN_FREE_MB)" in str(caught.value)
    missing = tmp_path / "nowhere" / "hub.sqlite3"
    with pytest.raises(DatabaseStorageError, match=re.escape(f"The folder for the database file {missing} does "
                                                             "not exist")):
        create_app(_config(f"sqlite:///{missing}"))
    create_app(_config(f"sqlite:///{path}"))  # enough space, a folder that exists: starts


def test_flask_command_prints_the_start_up_problem_as_one_line(tmp_path):
    path = tmp_path / "hub.sqlite3"
    make_database(path)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true", "HUB_ENV": "development",
           "SECRET_KEY": "x" * 40}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "db", "current"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: The database file {path} is read-only: nothing could be saved. Make it "
                                   "writable by the user the app runs as, or set DATABASE_URL to a database that is.")


# --- Read-only or full SQLite: on write ------------------------------------------------------------------------

def test_database_turned_read_only_while_running_gets_a_clear_503(tmp_path, caplog):
    with sqlite_tablet(tmp_path) as (app, tablet, path):
        staff = app.test_client()
        assert staff.submit("/login", {"email": ORGANISER, "password": PASSWORD}).status_code == 302
        token = staff.csrf_token("/organisations/new")
        # From now on every connection refuses writes with SQLite's own "attempt to write a readonly database".
        event.listen(db.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only=ON"))
        db.engine.dispose()
        with caplog.at_level(logging.WARNING, logger="survey_app.web.unavailable"):
            response = post_registration(tablet, "Siobhan")
            staff_page = staff.post("/organisations/new", data={"csrf_token": token, "name": "Widnes Foodbank",
                                                                "kind": "voluntary"})
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "300"
        assert "<h1>Please try again later</h1>" in page
        assert "storage is full or cannot be written to" in page and "Please ask a member of staff for help." in page
        assert "Traceback" not in page and "readonly" not in page
        assert retry_form(page)[0] == REGISTER_CHECK
        errors = [r for r in caplog.records if r.name == "survey_app.web.unavailable" and r.levelno == logging.ERROR]
        assert len(errors) == 2  # one line for each failed write
        line = errors[0].getMessage()
        assert "The database cannot be written (OperationalError: attempt to write a readonly database)" in line
        assert "POST door.register_check" in line and "read-only, or the disk is full" in line
        assert "Siobhan" not in line and "okafor" not in line.lower()
        staff_text = staff_page.get_data(as_text=True)
        assert staff_page.status_code == 503 and "Sign out" not in staff_text
        assert "Please tell the person who looks after the hub&#39;s server." in staff_text
        assert retry_form(staff_text)[1]["name"] == "Widnes Foodbank"
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_disk_full_on_write_gets_a_clear_503_and_nothing_half_written(tmp_path, caplog):
    # Small pages, and no room for one more: a 1,000-character address needs a new page, as on a full disk.
    with sqlite_tablet(tmp_path, page_size=512) as (app, tablet, path):
        form = check_page(tablet, "Oluwaseun", contact_method="post", address="12 Long Lane, Widnes. " * 45)
        assert db.session.execute(text("PRAGMA freelist_count")).scalar() == 0
        event.listen(db.engine, "connect", lambda conn, _r: conn.execute("PRAGMA max_page_count=1"))
        db.engine.dispose()
        before = db.session.scalar(select(func.count()).select_from(Person))
        with caplog.at_level(logging.WARNING, logger="survey_app.web.unavailable"):
            response = tablet.post(REGISTER_CHECK, data={
                "csrf_token": field(form, "csrf_token"), "form_token": field(form, "form_token")})
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and "<h1>Please try again later</h1>" in page
        assert "Traceback" not in page
        assert retry_form(page)[0] == REGISTER_CHECK
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any("OperationalError: database or disk is full" in m for m in errors)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Person)) == before
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_an_expired_form_while_the_database_is_down_still_gets_try_again(tmp_path):
    """The expired-form path shows the form again by running the view inside an error handler, where
    Flask's own handlers do not reach; a database failure there must still be the 503, not a 500."""
    with sqlite_tablet(tmp_path) as (app, tablet, path):
        staff = app.test_client()
        assert staff.submit("/login", {"email": ORGANISER, "password": PASSWORD}).status_code == 302
        down = []

        def fail(*_args):
            if down:
                raise sqlite3.OperationalError("database is locked")

        event.listen(db.engine, "before_cursor_execute", fail)
        down.append(True)
        response = staff.post("/organisations/new", data={"csrf_token": "expired", "name": "Widnes Foodbank",
                                                          "kind": "voluntary"})
        down.clear()
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and "<h1>Please try again</h1>" in page
        assert retry_form(page)[1]["name"] == "Widnes Foodbank"
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_a_database_error_that_is_a_bug_is_not_dressed_up_as_try_again(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/broken-query")
    def broken_query():
        db.session.execute(text("SELECT * FROM no_such_table"))

    broken_query.allowed_roles = "public"
    response = client.get("/broken-query")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)


# --- The server killed mid-load --------------------------------------------------------------------------------

def door_browser(port: int, meeting_id: int) -> Browser:
    browser = Browser(port)
    _, _, page = browser.get("/login")
    status, _, _ = browser.post("/login", {"csrf_token": field(page, "csrf_token"), "email": ORGANISER,
                                           "password": PASSWORD})
    assert status == 302
    _, _, page = browser.get(f"/meetings/{meeting_id}")
    status, location, _ = browser.post(f"/meetings/{meeting_id}/door-mode", {"csrf_token": field(page, "csrf_token")})
    assert (status, location) == (302, "/door/")
    return browser


def register_until_stopped(browser: Browser, prefix: str, acknowledged: list, stop: threading.Event) -> None:
    """Register new people one after another; a name goes in `acknowledged` only when the server said so."""
    i = 0
    while not stop.is_set():
        name = f"{prefix}n{i}"
        i += 1
        try:
            status, location = register_over_http(browser, registration(name))
        except (OSError, http.client.HTTPException, AssertionError):  # the server died (or sent half a page)
            return
        if status == 302 and location == "/door/thank-you-choice":
            acknowledged.append(name)


@pytest.mark.slow  # gunicorn killed mid-load and started again
def test_sigkill_mid_load_loses_nothing_acknowledged():
    with fresh_database("hub_kill") as url:
        build_schema(url)
        with seeded_app(url):
            meeting_id = seed_meeting()
        server = AppServer(url, workers=2, threads=2)
        with server:
            tablet = door_browser(server.port, meeting_id)
            acknowledged: list[str] = []
            stop = threading.Event()
            threads = [threading.Thread(target=register_until_stopped,
                                        args=(tablet.copy(), f"Kill{t}", acknowledged, stop)) for t in range(8)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and len(acknowledged) < 60:
                time.sleep(0.05)
            assert all(t.is_alive() for t in threads)  # killed mid-run, not after it
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            assert acknowledged, "nothing was saved before the kill"

            server.start()
            tablet.port = server.port
            status, _, page = tablet.get("/door/")
            assert status == 200 and "Respite care" in page
            server.kill()  # nothing left to wait for

        with seeded_app(url):
            names = Counter(db.session.scalars(select(Person.first_name).where(Person.first_name.like("Kill%"))))
            assert not [n for n in acknowledged if names[n] != 1], "an acknowledged registration was lost"
            assert max(names.values()) == 1, "someone was saved twice"
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            else:
                assert db.session.scalar(select(func.count()).select_from(Person)) == sum(names.values())
