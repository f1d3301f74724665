"""Staff sign-in: passwords, throttling, session renewal, sign-out, idle time-out, disabling, set-up."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.models import AuditEvent, Role, SetupToken, StaffSession, User
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD


def test_login_page_is_at_login(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "<h1>Sign in</h1>" in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_and_land_on_the_dashboard(client, make_user):
    user = make_user(Role.ORGANISER, email="Sam@Halton.Example")
    response = client.submit("/login", {"email": " sam@halton.example ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert db.session.scalar(select(StaffSession).where(StaffSession.user_id == user.id)) is not None


def test_sign_in_follows_next_only_on_this_site(client, make_user):
    user = make_user(Role.ORGANISER)
    response = client.submit("/login?next=//evil.example/x", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    response = client.submit("/login?next=/people", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/people"


def test_wrong_password_says_what_to_do(client, make_user):
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The email address or password is not right. Check them and try again." in page
    assert "<title>Error: Sign in" in page
    assert user.email in page  # what was typed is kept


def test_empty_login_form_gets_whole_sentence_errors(client):
    response = client.submit("/login", {"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert '<a href="#email">Enter your email address.</a>' in page
    assert '<a href="#password">Enter your password.</a>' in page


def test_login_is_throttled_after_repeated_failures(client, make_user):
    user = make_user()
    for _ in range(5):
        assert client.submit("/login", {"email": user.email, "password": "nope nope"}).status_code == 400
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert ("There have been too many attempts to sign in to this account. Wait 15 minutes and try again."
            in response.get_data(as_text=True))


def test_disabled_user_cannot_sign_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_session_is_renewed_at_login(client, make_user):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    client.submit("/login", {"email": user.email, "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_an_old_cookie_replayed_after_logout_does_not_work(client, login_as):
    login_as(Role.ORGANISER)
    cookie = client.get_cookie("hub_session").value
    assert client.get("/dashboard").status_code == 200
    response = client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    assert response.status_code == 302
    client.set_cookie("hub_session", cookie)
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_needs_a_post_with_csrf(client, login_as):
    login_as(Role.ORGANISER)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_session_ends_after_thirty_minutes_idle(client, login_as):
    user = login_as(Role.ORGANISER)
    row = db.session.scalar(select(StaffSession).where(StaffSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.ended_at is not None


def test_session_stays_alive_while_used(client, login_as):
    user = login_as(Role.ORGANISER)
    row = db.session.scalar(select(StaffSession).where(StaffSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=29)
    db.session.commit()
    assert client.get("/dashboard").status_code == 200
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_disabling_a_user_ends_their_sessions(app, client, login_as, make_user):
    organiser = login_as(Role.ORGANISER)
    admin_client = app.test_client()
    admin = make_user(Role.ADMIN)
    admin_client.submit("/login", {"email": admin.email, "password": PASSWORD})
    response = admin_client.submit(f"/admin/users/{organiser.id}", {"name": organiser.name, "role": "organiser"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert db.session.get(User, organiser.id).active is False


def test_setup_link_creates_the_first_admin_once(client, runner):
    result = runner.invoke(args=["users", "setup-link", "--base-url", "http://tablet.local:5000"])
    assert result.exit_code == 0
    url = next(line.strip() for line in result.output.splitlines() if "/setup/" in line)
    assert url.startswith("http://tablet.local:5000/setup/")
    path = url.split(":5000", 1)[1]
    response = client.submit(path, {"name": "Alex Admin", "email": "alex@halton.example",
                                    "password": "a long passphrase", "confirm": "a long passphrase"})
    assert response.status_code == 302
    admin = db.session.scalar(select(User).where(User.email == "alex@halton.example"))
    assert admin.role == Role.ADMIN
    assert db.session.scalar(select(SetupToken)).used_at is not None
    assert client.get("/admin/users").status_code == 200
    fresh = client.application.test_client()
    assert fresh.get(path).status_code == 404
    # and once an admin exists, no new link is printed
    again = runner.invoke(args=["users", "setup-link"])
    assert "/setup/" not in again.output


def test_setup_link_with_a_wrong_token_is_not_found(client):
    assert client.get("/setup/not-a-real-token").status_code == 404


def test_setup_form_checks_passwords(client, runner):
    result = runner.invoke(args=["users", "setup-link"])
    path = "/setup/" + result.output.split("/setup/")[1].split()[0]
    response = client.submit(path, {"name": "A", "email": "a@b.example", "password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "Passwords must be at least 8 characters." in response.get_data(as_text=True)
    response = client.submit(path, {"name": "A", "email": "a@b.example", "password": "long enough 1",
                                    "confirm": "long enough 2"})
    assert "The two passwords are not the same. Type them again." in response.get_data(as_text=True)


def test_cli_creates_a_user_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "Fin@Halton.Example", "--role", "finance", "--password-stdin"],
                           input="a very long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "fin@halton.example"))
    assert user.role == Role.FINANCE
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "User")) is not None


def test_cli_refuses_a_short_password_and_a_duplicate(runner, make_user):
    result = runner.invoke(args=["users", "create", "x@halton.example", "--role", "admin", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    make_user(Role.ADMIN, email="taken@halton.example")
    result = runner.invoke(args=["users", "create", "taken@halton.example", "--role", "admin", "--password-stdin"],
                           input="long enough password\n")
    assert result.exit_code != 0
    assert "already an account" in result.output


def test_real_passwords_are_hashed_with_scrypt(app):
    from survey_app.access.accounts import hash_password

    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    assert hash_password("a long password").startswith("scrypt:")


def test_password_hash_never_reaches_the_audit_log(make_user):
    make_user(Role.ADMIN)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "User"))
    assert "password_hash" not in event.after
    assert event.after["role"] == "admin"


def test_change_password_signs_out_other_sessions(app, client, login_as):
    user = login_as(Role.FINANCE)
    other = app.test_client()
    other.submit("/login", {"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    response = client.submit("/account", {"current": PASSWORD, "password": "new long password",
                                          "confirm": "new long password"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_an_admin_cannot_demote_or_disable_themselves(make_user):
    from survey_app.access import accounts

    admin = make_user(Role.ADMIN)
    keep = accounts.StaffDetails(name=admin.name, role=Role.ADMIN, active=True, organisation_id=None,
                                 is_champion=False)
    for refused in (accounts.StaffDetails(**{**vars(keep), "role": Role.ORGANISER}),
                    accounts.StaffDetails(**{**vars(keep), "active": False})):
        with pytest.raises(accounts.AccountError, match="You cannot remove your own admin role"):
            accounts.update_staff(admin, refused, by=admin)
    db.session.rollback()
    assert (admin.role, admin.active) == (Role.ADMIN, True)
    assert accounts.update_staff(admin, accounts.StaffDetails(**{**vars(keep), "name": "Ada"}), by=admin)


def test_another_admin_can_demote_and_disable_an_admin(make_user):
    from survey_app.access import accounts

    admin, other = make_user(Role.ADMIN), make_user(Role.ADMIN)
    accounts.start_session(other)
    details = accounts.StaffDetails(name=other.name, role=Role.ORGANISER, active=False, organisation_id=None,
                                    is_champion=True)
    assert accounts.update_staff(other, details, by=admin)
    db.session.commit()
    assert (other.role, other.active, other.is_champion) == (Role.ORGANISER, False, True)
    assert db.session.scalar(select(StaffSession).where(StaffSession.user_id == other.id)).ended_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "User")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.user_id, event.record_id) == ("update", admin.id, str(other.id))
    assert event.before == {"role": "admin", "active": True, "is_champion": False}
    assert event.after == {"role": "organiser", "active": False, "is_champion": True}
    assert not accounts.update_staff(other, details, by=admin)  # nothing changed: no second event
