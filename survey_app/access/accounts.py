"""Staff accounts: creating users, checking passwords with throttling, server-side sessions."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from forms import passwords

from ..models import Role, SetupToken, StaffSession, User
from ..models.base import utcnow
from ..models.staff import token_digest
from ..privacy import records
from ..web.extensions import db
from . import password_slots, throttle

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
MAX_PASSWORD_LENGTH = passwords.MAX_LENGTH
SETUP_TOKEN_HOURS = 24

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A rule about staff accounts was broken; the message is for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str, email: str | None = None) -> str:
    """The hash of a new password; raises AccountError if it is too short or long, common, or the email."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"Passwords must be {MAX_PASSWORD_LENGTH} characters or fewer.")
    refused = passwords.problem(password, email)
    if refused:
        raise AccountError(str(refused))
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, role: Role, password: str, by: User | None = None) -> User:
    """Create a staff account; raises AccountError if the email is taken. Caller commits."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError("email-taken")
    user = User(email=email, name=name.strip(), role=role, active=True, password_hash=hash_password(password, email))
    return records.created(user, by=by)


@dataclass
class StaffDetails:
    """What an admin can change about a staff account (not the email or the password)."""
    name: str
    role: Role
    active: bool
    organisation_id: int | None
    is_champion: bool


def update_staff(user: User, details: StaffDetails, by: User) -> bool:
    """Change a staff account's details; returns whether anything changed. Disabling an account ends its
    sessions. An admin cannot remove their own admin role or disable their own account, so the service is
    never left without an admin by accident: AccountError. Caller commits."""
    if user.id == by.id and (not details.active or details.role != Role.ADMIN):
        raise AccountError(_l("You cannot remove your own admin role or disable your own account. "
                              "Ask another admin."))
    with records.changed(user, by=by) as change:
        user.name = details.name
        user.role = details.role
        if user.active and not details.active:
            end_all_sessions(user)
        user.active = details.active
        user.organisation_id = details.organisation_id
        user.is_champion = details.is_champion
    return change.happened


def admin_exists() -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN)) > 0


@dataclass
class LoginResult:
    user: User | None = None
    refused: throttle.Refusal | None = None  # not checked at all: see throttle and password_slots


def _check_in_slot(password_hash: str, password: str) -> bool | None:
    """Whether the password is right, checked while holding a password-check slot; None if every slot
    stayed taken (password_slots.py)."""
    try:
        with password_slots.slot():
            return check_password_hash(password_hash, password[:MAX_PASSWORD_LENGTH])
    except password_slots.Busy:
        return None


def authenticate(email: str, password: str) -> LoginResult:
    """Check a password for an email: refused before any hashing when throttled (throttle.py) or when every
    password-check slot is taken (password_slots.py). Records the attempt; caller commits."""
    email = normalise_email(email)
    refused = throttle.refusal(email)
    if refused is not None:
        return LoginResult(refused=refused)
    user = find_user(email)
    ok = _check_in_slot(user.password_hash if user else _DUMMY_HASH, password)
    if ok is None:
        return LoginResult(refused=throttle.Refusal.BUSY)
    ok = ok and user is not None and user.active
    (throttle.record_success if ok else throttle.record_failure)(email)
    return LoginResult(user=user if ok else None)


def check_current_password(user: User, password: str) -> LoginResult:
    """A signed-in person's current password (to change it), through the same throttle and slots as
    sign-in. Records the attempt; caller commits."""
    refused = throttle.refusal(user.email)
    if refused is None:
        ok = _check_in_slot(user.password_hash, password)
        if ok is not None:
            (throttle.record_success if ok else throttle.record_failure)(user.email)
            return LoginResult(user=user if ok else None)
    return LoginResult(refused=refused or throttle.Refusal.BUSY)


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
    """The user behind a session token, if the session is open, not idle too long and the user active. Commits.

    It is the user loader, run before any view: it commits when it ends an idle session or touches
    last_seen, which it does at most once a minute, so a busy page does not write on every request."""
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
