"""Two separate app servers (gunicorn, two workers each) on one database behave as one service:
a session made on one works on the other and ends on both; sign-in throttling counts across both (in the
database, or in Redis when THROTTLE_REDIS_URL is set); returns built at the same moment on both get unique
numbers and share no line; and a door form posted to both at once is stored once.

Runs on SQLite (two servers on one file) and, with TEST_DATABASE_URL, on a fresh PostgreSQL database."""
import logging
import os
import re
import threading
import uuid
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.access import accounts, rate_limit, throttle
from survey_app.models import (
    ContactMethod,
    FinanceReturn,
    Group,
    InformationFormat,
    LineStatus,
    LoginAttempt,
    Meeting,
    MeetingMode,
    Person,
    PersonRole,
    RecognitionKind,
    RecognitionLine,
    Role,
    Suggestion,
)
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.door_helpers import later_today
from tests.http_client import Browser, field
from tests.servers import AppServer, app_config, at_once, build_schema, fresh_database

PASSWORD = "a long enough password"
MAX_FAILURES = 5
LOCKED = "There have been too many attempts to sign in to this account."
RUN = uuid.uuid4().hex[:8]  # this run's own emails, so its Redis keys are its own


# ---------------------------------------------------------------- servers


@contextmanager
def app_servers(url: str, *envs: dict):
    """One gunicorn server (own process group, two workers) per env dict, all on the database at `url`,
    started together."""
    # Every attempt here comes from 127.0.0.1: the per-address limit (counted in Redis across runs) is
    # not what these tests are about.
    base = {"LOGIN_MAX_FAILURES": str(MAX_FAILURES), "LOGIN_CLIENT_MAX_FAILURES": "100000", "THROTTLE_REDIS_URL": ""}
    servers = [AppServer(url, workers=2, threads=2, env={**base, **env}) for env in envs]
    errors = []

    def start(server):
        try:
            server.start()
        except Exception as exc:  # reported below, after every server has had its chance
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        if errors:
            raise errors[0]
        yield [server.port for server in servers]
    finally:
        for server in servers:
            server.kill()  # nothing is left to finish, and it is quicker than a graceful stop


def on(browser: Browser, port: int) -> Browser:
    """The same browser (same cookies) pointed at another server."""
    twin = browser.copy()
    twin.port = port
    return twin


def sign_in(port: int, email: str, password: str = PASSWORD) -> tuple[Browser, int, str]:
    b = Browser(port)
    _, _, page = b.get("/login")
    status, _, page = b.post("/login", {"csrf_token": field(page, "csrf_token"), "email": email,
                                        "password": password})
    return b, status, page


# ---------------------------------------------------------------- the shared database


@pytest.fixture(scope="module")
def shared():
    with fresh_database("hub_servers") as url:
        build_schema(url)
        app = create_app(app_config(url))
        with app.app_context():
            emails = {}
            for key, role in (("organiser", Role.ORGANISER), ("finance", Role.FINANCE),
                              ("approver", Role.FINANCE), ("locked_db", Role.ORGANISER),
                              ("locked_redis", Role.ORGANISER)):
                emails[key] = f"{key}.{RUN}@halton.example"
                accounts.create_user(emails[key], key.title(), role, PASSWORD)
            group = Group(name="Partnership Board", description="")
            meeting = Meeting(group=group, title="Shared meeting", starts_at=later_today(),
                              ends_at=later_today() + timedelta(hours=2), mode=MeetingMode.IN_PERSON, venue_name="Hall")
            people = []
            for i in range(6):
                person = Person(first_name=f"Payee{i}", last_name="Shared", contact_method=ContactMethod.EMAIL,
                                email=f"payee{i}@example.org", information_format=InformationFormat.STANDARD,
                                role=PersonRole.LIVED_EXPERIENCE, payee_ref=f"P{i:04d}")
                person.refresh_search_name()
                people.append(person)
            db.session.add_all([meeting, *people])
            db.session.commit()
            ids = {"meeting": meeting.id, "group": group.id, "people": [p.id for p in people]}
            db.engine.dispose()
        yield {"url": url, "app": app, "emails": emails, **ids}
        with app.app_context():
            db.engine.dispose()


def _redis():
    """(url, client) for the Redis the throttling test uses, or (url, reason it cannot be used)."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        return url, client
    except Exception as exc:  # no redis package or no server
        return url, f"Redis not reachable at {url}: {exc}"


@pytest.fixture(scope="module")
def cluster(shared):
    """Servers A and B (throttling in the database) and, when Redis is here, C and D (throttling in
    Redis), all on the shared database, all started at once."""
    redis_url, redis_client = _redis()
    envs = [{}, {}] + ([{"THROTTLE_REDIS_URL": redis_url}] * 2 if not isinstance(redis_client, str) else [])
    with app_servers(shared["url"], *envs) as ports:
        yield {"servers": ports[:2], "redis_servers": ports[2:], "redis": redis_client}
    if not isinstance(redis_client, str):
        redis_client.close()


@pytest.fixture(scope="module")
def servers(cluster):
    return cluster["servers"]


def query(shared, fn):
    with shared["app"].app_context():
        try:
            return fn()
        finally:
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------- (a) sessions


@pytest.mark.slow  # two or four gunicorn servers
def test_a_session_made_on_one_server_works_on_the_other_and_ends_on_both(shared, servers):
    a, b = servers
    on_a, status, _ = sign_in(a, shared["emails"]["organiser"])
    assert status == 302
    assert on_a.get("/meetings")[0] == 200
    on_b = on(on_a, b)
    status, _, page = on_b.get("/meetings")
    assert status == 200 and "Shared meeting" in page

    left_on_a = on_a.copy()  # the cookie as it was, kept by someone who copied it
    status, location, _ = on_b.post("/logout", {"csrf_token": field(page, "csrf_token")})
    assert (status, location) == (302, "/login")
    status, location, _ = left_on_a.get("/meetings")
    assert status == 302 and location.startswith("/login")
    assert on(left_on_a, b).get("/meetings")[0] == 302


# ---------------------------------------------------------------- (b) throttling


def _fail_alternately(ports, email):
    for i in range(MAX_FAILURES):
        _, status, page = sign_in(ports[i % 2], email, "not the password")
        assert status == 400 and "The email address or password is not right." in page and LOCKED not in page
    for port in ports:  # locked on both, even with the right password
        _, status, page = sign_in(port, email)
        assert status == 429 and LOCKED in page


@pytest.mark.slow  # two or four gunicorn servers
def test_wrong_passwords_on_both_servers_add_up_to_one_lock_in_the_database(shared, servers):
    email = shared["emails"]["locked_db"]
    _fail_alternately(servers, email)
    stored = query(shared, lambda: db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)))
    assert stored == MAX_FAILURES  # the locked attempts are not even counted


@pytest.mark.slow  # two or four gunicorn servers
def test_wrong_passwords_on_both_servers_add_up_to_one_lock_in_redis(shared, cluster):
    client = cluster["redis"]
    if isinstance(client, str):
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is required: {client}")
        pytest.skip(client)
    email = shared["emails"]["locked_redis"]
    with shared["app"].test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        key = f"{rate_limit.KEY_PREFIX}{throttle.per_account_and_client().name}:" \
              f"{throttle.account_and_client_key(email)}"
    client.delete(key)  # only this run's own key
    try:
        _fail_alternately(cluster["redis_servers"], email)
        assert client.zcard(key) == MAX_FAILURES
        assert 0 < client.ttl(key) <= 15 * 60 + 1
        assert email.encode() not in b"".join(client.keys(rate_limit.KEY_PREFIX + "*"))
        # The database keeps the record of every attempt as well.
        stored = query(shared, lambda: db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)))
        assert stored == MAX_FAILURES
    finally:
        client.delete(key)


# ---------------------------------------------------------------- (c) finance returns


def _approve_new_lines(shared, count: int) -> list[int]:
    def make():
        organiser = accounts.find_user(shared["emails"]["organiser"])
        approver = accounts.find_user(shared["emails"]["approver"])
        people = db.session.scalars(select(Person).where(Person.id.in_(shared["people"]))).all()
        lines = [rec.record(rec.LineInput(person=people[i % len(people)], group_id=shared["group"],
                                          activity_on=date.today() - timedelta(days=i % 20),
                                          kind=RecognitionKind.VOUCHER, amount_pence=1000 + i,
                                          voucher_provider="High Street"), organiser)
                 for i in range(count)]
        db.session.flush()
        approved, refused = rec.approve(lines, approver)
        assert (approved, refused) == (count, [])
        db.session.commit()
        return [line.id for line in lines]

    return query(shared, make)


@pytest.mark.slow  # two or four gunicorn servers
def test_returns_built_at_once_on_both_servers_get_unique_numbers_and_share_no_line(shared, servers):
    finance, status, _ = sign_in(servers[0], shared["emails"]["finance"])
    assert status == 302
    builders = [on(finance, port) for port in servers for _ in range(2)]  # two at once on each server
    tokens = [field(b.get("/finance/returns")[2], "csrf_token") for b in builders]
    approved, made = [], []
    for _round in range(3):
        approved += _approve_new_lines(shared, 12)
        results = at_once([lambda b=b, t=t: b.post("/finance/returns", {"csrf_token": t})
                           for b, t in zip(builders, tokens)])
        for status, location, page in results:
            if status == 302:
                made.append(int(re.fullmatch(r"/finance/returns/(\d+)", location).group(1)))
            else:
                assert status == 400 and ("No approved lines are ready for a return." in page
                                          or "Another return was being made at the same moment." in page)
        assert any(status == 302 for status, _, _ in results)

    def stored():
        returns = {r.number: r.id for r in db.session.scalars(select(FinanceReturn))}
        lines = db.session.execute(select(RecognitionLine.id, RecognitionLine.return_id, RecognitionLine.status,
                                          RecognitionLine.line_number)).all()
        return returns, lines

    returns, lines = query(shared, stored)
    assert sorted(made) == sorted(returns) == list(range(1, len(returns) + 1))  # unique, in order, no gaps
    assert {line_id for line_id, _, _, _ in lines} == set(approved)
    assert all(status == LineStatus.IN_RETURN and return_id in returns.values() for _, return_id, status, _ in lines)
    for return_id in returns.values():
        numbers = sorted(n for _, r, _, n in lines if r == return_id)
        assert numbers == list(range(1, len(numbers) + 1))  # each return numbers its own lines, none twice


# ---------------------------------------------------------------- (d) door one-time tokens


@pytest.mark.slow  # two or four gunicorn servers
def test_a_door_form_sent_to_both_servers_at_once_is_stored_once(shared, servers):
    a, b = servers
    tablet, status, _ = sign_in(a, shared["emails"]["organiser"])
    assert status == 302
    _, _, page = tablet.get(f"/meetings/{shared['meeting']}")
    status, location, _ = tablet.post(f"/meetings/{shared['meeting']}/door-mode",
                                      {"csrf_token": field(page, "csrf_token")})
    assert (status, location) == (302, "/door/")
    _, _, page = tablet.get("/door/suggest")
    what = f"A lift that works, every time ({RUN})"
    data = {"csrf_token": field(page, "csrf_token"), "form_token": field(page, "form_token"), "what": what}
    results = at_once([lambda port=port: on(tablet, port).post("/door/suggest", data) for port in (a, b, a, b)])
    assert [(status, location) for status, location, _ in results] == [(302, "/door/thanks")] * 4
    stored = query(shared, lambda: db.session.scalar(
        select(func.count()).select_from(Suggestion).where(Suggestion.what == what)))
    assert stored == 1


# ---------------------------------------------------------------- Redis configured but down


def test_an_unreachable_redis_falls_back_to_the_database_with_one_warning(app, client, make_user, caplog,
                                                                         monkeypatch):
    # Alembic's env.py (run in this process by migration tests) switches off loggers that already exist.
    monkeypatch.setattr(logging.getLogger("survey_app.access.rate_limit"), "disabled", False)
    app.config["THROTTLE_REDIS_URL"] = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    user = make_user(Role.ORGANISER, password=PASSWORD)
    with caplog.at_level("WARNING", logger="survey_app.access.rate_limit"):
        for _ in range(MAX_FAILURES):
            response = client.submit("/login", {"email": user.email, "password": "not the password"})
            assert response.status_code == 400
            assert LOCKED not in response.get_data(as_text=True)
        response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    warnings = [r.getMessage() for r in caplog.records if r.name == "survey_app.access.rate_limit"]
    assert warnings == ["Rate limits: Redis is unreachable (ConnectionError); counting in the "
                        "database instead."]
    assert user.email not in caplog.text
