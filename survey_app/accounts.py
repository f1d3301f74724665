"""Staff accounts: creating users, checking passwords with throttling, server-side sessions."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, throttle
from .extensions import db
from .models import Role, SetupToken, StaffSession, User
from .models.base import utcnow
from .models.staff import token_digest

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
SETUP_TOKEN_HOURS = 24

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A rule about staff accounts was broken; the message is for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"Passwords must be between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.")
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, role: Role, password: str, by: User | None = None) -> User:
    """Create a staff account; raises AccountError if the email is taken. Caller commits."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError("email-taken")
    user = User(email=email, name=name.strip(), role=role, active=True, password_hash=hash_password(password))
    db.session.add(user)
    audit.record("create", user, after=audit.snapshot(user), user=by)
    return user


def admin_exists() -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN)) > 0


@dataclass
class LoginResult:
    user: User | None = None
    locked: bool = False


def authenticate(email: str, password: str) -> LoginResult:
    """Check a password. After too many failures for one email, refuse for a while (counted in a store
    every app server sees: the database, or Redis; see throttle.py). Records the attempt; caller commits."""
    email = normalise_email(email)
    now = utcnow()
    if throttle.failures(email, now) >= current_app.config["LOGIN_MAX_FAILURES"]:
        return LoginResult(locked=True)
    user = find_user(email)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
    ok = ok and user is not None and user.active
    (throttle.record_success if ok else throttle.record_failure)(email, now)
    return LoginResult(user=user if ok else None)


def start_session(user: User) -> str:
    """Open a new server-side session for the user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(StaffSession(token_hash=token_digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    user.session_token = token
    return token


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(StaffSession).where(StaffSession.token_hash == token_digest(token), StaffSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(
        update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def load_session_user(token: str) -> User | None:
    """The user behind a session token, if the session is open, not idle too long and the user active.
    Touches last_seen at most once a minute, so a busy page does not write on every request."""
    row = db.session.get(StaffSession, token_digest(token))
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    idle_limit = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    if now - row.last_seen_at > idle_limit or not row.user.active:
        row.ended_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    user = row.user
    user.session_token = token
    return user



def issue_setup_token() -> str:
    """A one-time token for creating the first admin; only while no admin exists. Caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(SetupToken(token_hash=token_digest(token), created_at=now,
                              expires_at=now + timedelta(hours=SETUP_TOKEN_HOURS)))
    return token


def setup_token_valid(token: str) -> SetupToken | None:
    row = db.session.get(SetupToken, token_digest(token))
    if row is None or row.used_at is not None or row.expires_at < utcnow() or admin_exists():
        return None
    return row
