"""Fixtures: a fresh app per test on a shared, emptied database; a checking test client; login_as(role).

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set (.ci/run does).
"""
import os
import re
import secrets
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from survey_app import create_app
from survey_app.access.accounts import create_user
from survey_app.models import (
    ContactMethod,
    Group,
    InformationFormat,
    Meeting,
    MeetingMode,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Role,
    User,
)
from survey_app.web.extensions import db
from tests.door_helpers import start_door_mode
from tests.pagecheck import check_page

PASSWORD = "correct horse battery"
FORM_TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _config(database_url, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "HUB_ENV": "development",
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
        "STAFF_IDLE_MINUTES": 30,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_MINUTES": 15,
        "HSTS": False,
        "PROXY_HOPS": 0,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "LOG_LEVEL": "WARNING",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **extra,
    }


def empty_database() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class CheckingClient(FlaskClient):
    """Checks every HTML page it fetches, and can submit forms with their CSRF token."""

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: its own `g` and database session,
        # not the test's, so nothing leaks between requests or hides a missing commit.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session sees what the request committed
        if response.mimetype == "text/html" and not response.is_streamed and response.status_code != 302:
            check_page(response.get_data(as_text=True))
        return response

    def csrf_token(self, url: str = "/login") -> str:
        return self._tokens(url)["csrf_token"]

    def _tokens(self, url: str) -> dict:
        page = self.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}"
        tokens = {"csrf_token": match.group(1) or match.group(2)}
        once = FORM_TOKEN_RE.search(page)
        if once:
            tokens["form_token"] = once.group(1)
        return tokens

    def submit(self, url: str, data: dict, follow_redirects: bool = False, token_from: str | None = None):
        """GET the form page for its tokens (CSRF and one-time), then POST the data, as a browser would."""
        tokens = self._tokens(token_from or url)
        return self.post(url, data={**tokens, **data}, follow_redirects=follow_redirects)


@pytest.fixture
def app(database_url, _schema):
    app = create_app(_config(database_url))
    app.test_client_class = CheckingClient
    with app.app_context():
        empty_database()
        yield app
        db.session.remove()
        db.engine.dispose()  # close this app's connections now, not whenever the app is garbage collected


@pytest.fixture
def production_app(monkeypatch, database_url, _schema):
    """The app as `HUB_ENV=production` configures it from the environment (HSTS, Secure cookies and whatever
    else production turns on), on the test database; only the password hash is made fast. Its pages are
    fetched with base_url="https://localhost", and a POST needs the Referer a browser sends."""
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://localhost")
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOG_LEVEL": "WARNING"})
    app.test_client_class = CheckingClient
    with app.app_context():
        empty_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def door(client, login_as, sample):
    """A client that is the door tablet for the sample meeting; the organiser who started it is in
    client.organiser. The sample person is invited to the meeting (an attendance row, INVITED), so the
    door's name search, which finds only people connected to the meeting's group, finds her."""
    from survey_app.models import Attendance, AttendanceStatus

    db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                              status=AttendanceStatus.INVITED))
    db.session.commit()
    client.organiser = login_as(Role.ORGANISER)
    start_door_mode(client, sample["meeting"].id)
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    def make(role: Role = Role.ORGANISER, email: str | None = None, password: str = PASSWORD, name: str = ""):
        email = email or f"{role.value}{User.query.count() + 1}@halton.example"
        user = create_user(email, name or f"Test {role.value}", role, password)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """Sign in through the real login form and return the user."""

    def login(role: Role | str = Role.ORGANISER, user: User | None = None):
        role = Role(role)
        user = user or make_user(role)
        response = client.submit("/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def sample(app):
    """A small, complete set of records: organisation, group, person, meeting."""
    org = Organisation(name="Halton Speak Out", kind=OrganisationKind.VOLUNTARY)
    group = Group(name="Learning Disability Partnership Board", description="", organisation=org)
    person = Person(first_name="Dorota", last_name="Nowak", contact_method=ContactMethod.PHONE, phone="07700 900123",
                    information_format=InformationFormat.EASY_READ, role=PersonRole.LIVED_EXPERIENCE, language="pl")
    person.refresh_search_name()
    start = datetime.combine(datetime.now(UTC).date() + timedelta(days=7), time(10), tzinfo=UTC)
    meeting = Meeting(group=group, title="Health checks", purpose="Talk about annual health checks.",
                      starts_at=start, ends_at=start + timedelta(hours=2), mode=MeetingMode.IN_PERSON,
                      venue_name="Runcorn Library", step_free=True)
    db.session.add_all([org, group, person, meeting])
    db.session.commit()
    return {"organisation": org, "group": group, "person": person, "meeting": meeting}
