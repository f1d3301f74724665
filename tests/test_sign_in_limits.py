"""Sign-in under attack: wrong passwords lock an account only for the address they come from (and, for a
guess spread over many addresses, only for addresses the account does not usually sign in from); one
address is limited whatever emails it tries; refusals happen before any password is hashed; password
checks are capped across a server's processes (busy: 503 at once, the email kept); /account's
current-password check goes through the same throttle; common passwords and the email are refused
wherever a password is set."""
import random
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from survey_app.access import accounts, password_slots
from survey_app.models import LoginAttempt, Role, User
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.http_client import Browser, field
from tests.servers import AppServer, build_schema, fresh_database

WRONG = "The email address or password is not right. Check them and try again."
LOCKED = "There have been too many attempts to sign in to this account. Wait 15 minutes and try again."
NETWORK = "There have been too many attempts to sign in from this network. Wait 15 minutes and try again."
BUSY = "Sign-in is very busy at this moment. Wait a few seconds and try again."
COMMON = ("This password is too common: it is one of the first that people who guess passwords try. "
          "Choose another. Three random words together make a good password.")
LIKE_EMAIL = ("The password must not be the email address or the part before the @. "
              "Choose another. Three random words together make a good password.")
OWNER, STRANGER = "198.51.100.7", "203.0.113.5"


def at(app, address):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client, email, password):
    return client.submit("/login", {"email": email, "password": password})


@pytest.fixture
def hashes(monkeypatch):
    """How many times a password has been hashed to check it (the real check, counted)."""
    calls = []
    real = accounts.check_password_hash

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    return calls


# ---------------------------------------------------------------- per account and address


def test_a_stranger_locks_only_themselves_out_and_the_owner_still_signs_in(app, make_user, hashes):
    user = make_user(Role.ADMIN)
    stranger = at(app, STRANGER)
    for _ in range(5):
        response = sign_in(stranger, user.email, "not the password")
        assert response.status_code == 400 and WRONG in response.get_data(as_text=True)
    response = sign_in(stranger, user.email, PASSWORD)  # even the right password
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert LOCKED in response.get_data(as_text=True)
    assert len(hashes) == 5  # the locked attempt was refused before hashing

    owner = at(app, OWNER)
    response = sign_in(owner, user.email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert owner.get("/admin/users").status_code == 200


def test_a_right_password_clears_that_addresses_wrong_ones(app, make_user):
    user = make_user()
    client = at(app, OWNER)
    for _ in range(4):
        assert sign_in(client, user.email, "not the password").status_code == 400
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    other = at(app, OWNER)
    for _ in range(4):
        assert sign_in(other, user.email, "not the password").status_code == 400
    assert sign_in(other, user.email, PASSWORD).status_code == 302


def test_a_guess_spread_over_many_addresses_cannot_lock_out_the_usual_address(app, make_user, hashes):
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 6
    user = make_user(Role.ADMIN)
    assert sign_in(at(app, OWNER), user.email, PASSWORD).status_code == 302  # the owner's usual address
    for i in range(3):  # two wrong passwords from each of three addresses: none locked on its own
        guesser = at(app, f"203.0.113.{10 + i}")
        for _ in range(2):
            assert sign_in(guesser, user.email, "not the password").status_code == 400
    calls = len(hashes)
    response = sign_in(at(app, "203.0.113.99"), user.email, PASSWORD)  # a new address, right password
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    assert len(hashes) == calls
    response = sign_in(at(app, OWNER), user.email, PASSWORD)
    assert response.status_code == 302
    attempts = db.session.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert all(a.client and len(a.client) == 64 and "198.51" not in a.client for a in attempts)


# ---------------------------------------------------------------- per address


def test_one_address_is_limited_whatever_emails_it_tries_before_any_hashing(app, make_user, hashes):
    app.config["LOGIN_CLIENT_MAX_FAILURES"] = 3
    user = make_user()
    flood = at(app, STRANGER)
    for _ in range(3):
        response = sign_in(flood, f"{uuid.uuid4().hex[:10]}@example.org", "random guess 1")
        assert response.status_code == 400 and WRONG in response.get_data(as_text=True)
    assert len(hashes) == 3
    for email, password in ((f"{uuid.uuid4().hex[:10]}@example.org", "random guess 2"), (user.email, PASSWORD)):
        response = sign_in(flood, email, password)
        page = response.get_data(as_text=True)
        assert response.status_code == 429 and response.headers["Retry-After"] == "900"
        assert NETWORK in page and email in page and password not in page
    assert len(hashes) == 3  # refused without hashing
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 3
    assert sign_in(at(app, OWNER), user.email, PASSWORD).status_code == 302  # other addresses are not limited


def test_behind_a_proxy_the_limit_is_per_forwarded_address(app, make_user):
    app.config.update(LOGIN_CLIENT_MAX_FAILURES=2)
    from survey_app import create_app
    from tests.conftest import _config

    proxied = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_HOPS=1, LOGIN_CLIENT_MAX_FAILURES=2))
    proxied.test_client_class = type(app.test_client())
    try:
        user = make_user()
        first, second = proxied.test_client(), proxied.test_client()
        first.environ_base["HTTP_X_FORWARDED_FOR"] = STRANGER
        second.environ_base["HTTP_X_FORWARDED_FOR"] = OWNER
        for _ in range(2):
            assert sign_in(first, "nobody@example.org", "random guess 1").status_code == 400
        assert sign_in(first, user.email, PASSWORD).status_code == 429
        assert sign_in(second, user.email, PASSWORD).status_code == 302
    finally:
        with proxied.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------- the current password on /account


def test_the_current_password_check_is_throttled_the_same_way(client, login_as, hashes):
    user = login_as(Role.FINANCE)
    change = {"password": "violet harbour lantern", "confirm": "violet harbour lantern"}
    for _ in range(5):
        response = client.submit("/account", {"current": "not the password", **change})
        assert response.status_code == 400
        assert "Your current password is not right. Check it and try again." in response.get_data(as_text=True)
    calls = len(hashes)
    response = client.submit("/account", {"current": PASSWORD, **change})
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    assert len(hashes) == calls
    db.session.refresh(user)
    assert accounts.check_password_hash(user.password_hash, PASSWORD)  # unchanged


def test_the_door_exit_is_throttled_the_same_way(door):
    app = door.application
    app.config["LOGIN_CLIENT_MAX_FAILURES"] = 1
    response = door.submit("/door/exit", {"email": "nobody@example.org", "password": "random guess 1"})
    assert response.status_code == 400 and WRONG in response.get_data(as_text=True)
    response = door.submit("/door/exit", {"email": door.organiser.email, "password": PASSWORD})
    assert response.status_code == 429 and NETWORK in response.get_data(as_text=True)


# ---------------------------------------------------------------- every slot taken


def test_when_every_password_slot_is_taken_sign_in_answers_busy_at_once_keeping_the_email(app, make_user,
                                                                                        hashes):
    app.config.update(LOGIN_PASSWORD_SLOTS=2, LOGIN_SLOT_WAIT_MS=50)
    user = make_user()
    client = at(app, OWNER)
    with app.test_request_context(), password_slots.slot(), password_slots.slot():  # held by "other workers"
        started = time.monotonic()
        response = sign_in(client, user.email, PASSWORD)
        assert time.monotonic() - started < 5
        with pytest.raises(password_slots.Busy), password_slots.slot():
            pass
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert BUSY in page and user.email in page and PASSWORD not in page
    assert hashes == [] and db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    assert sign_in(client, user.email, PASSWORD).status_code == 302  # free again: signs in as normal


def test_a_sign_in_waits_for_a_slot_another_sign_in_is_using(app, make_user):
    """Two staff signing in at the same moment both get in: the second waits for the first's slot."""
    app.config.update(LOGIN_PASSWORD_SLOTS=1, LOGIN_SLOT_WAIT_MS=20000)
    user = make_user()
    taken, release = threading.Event(), threading.Event()

    def other_sign_in():
        with app.test_request_context(), password_slots.slot():
            taken.set()
            release.wait(10)

    other = threading.Thread(target=other_sign_in)
    other.start()
    taken.wait(10)
    threading.Timer(0.3, release.set).start()
    response = sign_in(at(app, OWNER), user.email, PASSWORD)
    other.join()
    assert response.status_code == 302


def test_only_one_sign_in_waits_for_a_slot_the_rest_are_answered_at_once(app, make_user):
    app.config.update(LOGIN_PASSWORD_SLOTS=1, LOGIN_SLOT_WAIT_MS=60000)
    user = make_user()
    folder = password_slots.Path(app.instance_path) / "password-slots"
    with app.test_request_context(), password_slots.slot():  # a sign-in being checked
        waiting = password_slots._lock(folder / "waiting.lock")  # and another waiting for its slot
        assert waiting is not None
        try:
            started = time.monotonic()
            response = sign_in(at(app, OWNER), user.email, PASSWORD)
            assert time.monotonic() - started < 30  # not the minute it may wait when nobody else is waiting
        finally:
            password_slots.os.close(waiting)
    assert response.status_code == 503 and BUSY in response.get_data(as_text=True)


def test_the_password_slot_count_must_be_a_positive_number(tmp_path):
    from survey_app.web.config import ConfigError, from_environment

    with pytest.raises(ConfigError, match="LOGIN_PASSWORD_SLOTS must be at least 1"):
        from_environment(tmp_path, {"LOGIN_PASSWORD_SLOTS": "0", "SECRET_KEY": "x" * 40})
    assert from_environment(tmp_path, {"SECRET_KEY": "x" * 40})["LOGIN_PASSWORD_SLOTS"] >= 1


@pytest.mark.slow  # a real gunicorn flooded for seconds
def test_a_login_flood_on_real_gunicorn_leaves_public_pages_answering():
    """gunicorn (three sync workers, real scrypt, one password slot) flooded by eight threads posting
    random emails: some floods are told "busy" (503) at once, and /login and /healthz keep answering."""
    env = {"LOGIN_PASSWORD_SLOTS": "1", "LOGIN_CLIENT_MAX_FAILURES": "100000"}
    with fresh_database("hub_flood") as url:
        build_schema(url)
        with AppServer(url, workers=3, env=env) as server:
            stop = time.monotonic() + 4
            floods, pages, errors = [], [], []

            def flood():
                browser = Browser(server.port)
                token = field(browser.get("/login")[2], "csrf_token")
                while time.monotonic() < stop:
                    email = f"{random.getrandbits(40):x}@example.org"
                    try:
                        status, _, page = browser.post("/login", {"csrf_token": token, "email": email,
                                                                  "password": "random guess"})
                    except OSError as exc:
                        errors.append(exc)
                        continue
                    floods.append(status)
                    if status == 503:
                        assert BUSY in page and email in page

            threads = [threading.Thread(target=flood) for _ in range(8)]
            for t in threads:
                t.start()
            time.sleep(0.5)
            visitor = Browser(server.port)
            while time.monotonic() < stop - 0.5:
                pages.append(visitor.get("/healthz")[0])
                pages.append(visitor.get("/login")[0])
            for t in threads:
                t.join()
    assert errors == []
    assert set(floods) <= {400, 503} and floods.count(503) > 0 and floods.count(400) > 0
    assert pages and set(pages) == {200}


# ---------------------------------------------------------------- new passwords


@pytest.mark.parametrize("password, message", [
    ("password", COMMON), ("12345678", COMMON), ("Password1!", COMMON), ("2024sunshine", COMMON),
    ("QWERTYUIOP", COMMON), ("sam.jones", LIKE_EMAIL), ("Sam.Jones99", LIKE_EMAIL),
    ("sam.jones@halton.example", LIKE_EMAIL), ("short", "Passwords must be at least 8 characters."),
])
def test_setup_refuses_a_common_password_or_the_email(client, runner, password, message):
    result = runner.invoke(args=["users", "setup-link"])
    path = "/setup/" + result.output.split("/setup/")[1].split()[0]
    response = client.submit(path, {"name": "Sam Jones", "email": "sam.jones@halton.example", "password": password,
                                     "confirm": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    response = client.submit(path, {"name": "Sam Jones", "email": "sam.jones@halton.example",
                                    "password": "violet harbour lantern", "confirm": "violet harbour lantern"})
    assert response.status_code == 302


def test_an_admin_cannot_give_staff_a_common_password(client, login_as):
    login_as(Role.ADMIN)
    data = {"name": "Fin Lee", "email": "fin.lee@halton.example", "role": "finance", "active": "y"}
    for password, message in (("iloveyou", COMMON), ("finlee2025", LIKE_EMAIL)):
        response = client.submit("/admin/users/new", {**data, "password": password, "confirm": password})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "fin.lee@halton.example")) is None


def test_changing_to_a_common_password_or_the_email_is_refused(client, login_as):
    user = login_as(Role.ORGANISER)
    local = user.email.split("@")[0]
    for password, message in (("football", COMMON), (local, LIKE_EMAIL), (user.email.upper(), LIKE_EMAIL)):
        password = password if len(password) >= 8 else password + "1234"
        response = client.submit("/account", {"current": PASSWORD, "password": password, "confirm": password})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert accounts.check_password_hash(user.password_hash, PASSWORD)


def test_the_command_line_refuses_a_common_password_and_the_email(runner):
    for password, message in (("12345678", COMMON), ("ana.pop@halton.example", LIKE_EMAIL)):
        result = runner.invoke(args=["users", "create", "ana.pop@halton.example", "--role", "admin",
                                     "--password-stdin"], input=password + "\n")
        assert result.exit_code == 1 and result.output == f"Error: {message}\n"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_bundled_list_holds_the_ten_thousand_most_common():
    from forms import passwords

    common = passwords.common_passwords()
    assert len(common) == 10000 and {"password", "12345678", "qwerty", "iloveyou"} <= common
    assert not passwords.is_common("violet harbour lantern")
    assert not passwords.is_common("correct horse battery")
