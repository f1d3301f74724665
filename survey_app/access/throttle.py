"""Sign-in throttling: how many wrong passwords an account, a client address, and the two together have had
lately, counted with rate_limit (the shared database, or Redis with THROTTLE_REDIS_URL) so every app
process and server sees the same counts. Every check happens before any password is hashed.

Within LOGIN_LOCK_MINUTES:
- one client address with LOGIN_MAX_FAILURES wrong passwords for one email may not try that email again
  (a right password clears this count). Nobody else is affected: the owner at their own address still
  signs in;
- one client address with LOGIN_CLIENT_MAX_FAILURES wrong passwords for any emails may not try at all;
- one email with LOGIN_ACCOUNT_MAX_FAILURES wrong passwords from all addresses together (a guess spread
  over many addresses) may be tried only from its usual addresses: those it signed in from with the
  right password in the last USUAL_ADDRESS_DAYS days.

Every attempt is also kept as a LoginAttempt row (the record; deleted after 90 days by `retention run`)
with an HMAC of the address, never the address itself.
"""
from datetime import datetime, timedelta
from enum import Enum

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..models import LoginAttempt
from ..models.base import utcnow
from ..web.extensions import db
from . import rate_limit
from .rate_limit import Limit

USUAL_ADDRESS_DAYS = 90  # as long as LoginAttempt rows are kept (retention.LOGIN_ATTEMPT_DAYS)


class Refusal(Enum):
    CLIENT = "client"  # too many wrong passwords from this address, for any emails
    LOCKED = "locked"  # too many for this email from this address (or from everywhere, at a new address)
    BUSY = "busy"  # every password-check slot on this server is taken (password_slots)


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def per_account_and_client() -> Limit:
    return Limit("login-account-client", current_app.config["LOGIN_MAX_FAILURES"], _window())


def per_client() -> Limit:
    return Limit("login-client", current_app.config["LOGIN_CLIENT_MAX_FAILURES"], _window())


def per_account() -> Limit:
    return Limit("login-account", current_app.config["LOGIN_ACCOUNT_MAX_FAILURES"], _window())


def account_and_client_key(email: str, address: str | None = None) -> str:
    return rate_limit.digest(f"{email}\n{address or rate_limit.client_address()}")


def account_key(email: str) -> str:
    return rate_limit.digest(f"account\n{email}")


def usual_address(email: str, now: datetime) -> bool:
    """Has this email signed in with the right password from this client address lately?"""
    return db.session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.email == email, LoginAttempt.client == rate_limit.client_key(),
        LoginAttempt.succeeded.is_(True), LoginAttempt.at > now - timedelta(days=USUAL_ADDRESS_DAYS)).limit(1)) \
        is not None


def refusal(email: str, now: datetime | None = None) -> Refusal | None:
    """Why this client may not try a password for this (normalised) email now, or None if it may."""
    now = now or utcnow()
    limit = per_client()
    if rate_limit.hits(limit, now=now) >= limit.count:
        return Refusal.CLIENT
    limit = per_account_and_client()
    if rate_limit.hits(limit, account_and_client_key(email), now) >= limit.count:
        return Refusal.LOCKED
    limit = per_account()
    if rate_limit.hits(limit, account_key(email), now) >= limit.count and not usual_address(email, now):
        return Refusal.LOCKED
    return None


def record_failure(email: str, now: datetime | None = None) -> None:
    """Keep a wrong password as a LoginAttempt row and count it under all three limits (caller commits)."""
    now = now or utcnow()
    db.session.add(LoginAttempt(email=email[:254], at=now, succeeded=False, client=rate_limit.client_key()))
    rate_limit.hit(per_client(), now=now)
    rate_limit.hit(per_account_and_client(), account_and_client_key(email), now)
    rate_limit.hit(per_account(), account_key(email), now)


def record_success(email: str, now: datetime | None = None) -> None:
    """Keep a right password as a LoginAttempt row (caller commits); it clears this address's count for
    this email, and makes the address one of the account's usual ones."""
    now = now or utcnow()
    db.session.add(LoginAttempt(email=email[:254], at=now, succeeded=True, client=rate_limit.client_key()))
    rate_limit.forget(per_account_and_client(), account_and_client_key(email))


def refused_sign_in(refused: Refusal) -> tuple[str, int, dict]:
    """What to tell someone whose password was not checked: the message, status and headers."""
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    if refused is Refusal.BUSY:
        return (_("Sign-in is very busy at this moment. Wait a few seconds and try again."), 503,
                {"Retry-After": "5"})
    wait = {"Retry-After": str(minutes * 60)}
    if refused is Refusal.CLIENT:
        return (ngettext("There have been too many attempts to sign in from this network. Wait %(num)d minute "
                         "and try again.", "There have been too many attempts to sign in from this network. Wait "
                         "%(num)d minutes and try again.", minutes), 429, wait)
    return (ngettext("There have been too many attempts to sign in to this account. Wait %(num)d minute and try "
                     "again.", "There have been too many attempts to sign in to this account. Wait %(num)d minutes "
                     "and try again.", minutes), 429, wait)
