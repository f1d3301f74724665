"""Sign-in throttling: how many wrong passwords an email has had lately, in a store every app process sees.

Every attempt is kept as a LoginAttempt row (the record, and the default store: the shared database).
With THROTTLE_REDIS_URL set, the count comes from Redis instead: one sorted set per email, keyed by an
HMAC of the email (never the email itself), expiring with the lock window. If Redis cannot be reached the
database rows are used, which hold the same attempts, so nobody is locked out or let in by an outage.
"""
import hashlib
import hmac
import logging
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .models import LoginAttempt
from .models.base import utcnow

log = logging.getLogger(__name__)
KEY_PREFIX = "hub:throttle:"
RETRY_SECONDS = 30  # after Redis fails, use the database for this long before trying Redis again


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


class DatabaseStore:
    """Counts LoginAttempt rows: failures in the lock window since the last success."""

    def failures(self, email: str, now: datetime) -> int:
        window = now - _window()
        last_success = db.session.scalar(
            select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)))
        since = max(window, last_success) if last_success else window
        return db.session.scalar(
            select(func.count()).select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since))

    def record(self, email: str, ok: bool, now: datetime) -> None:
        db.session.add(LoginAttempt(email=email[:254], at=now, succeeded=ok))  # caller commits


def redis_key(secret: str, email: str) -> str:
    digest = hmac.new(secret.encode(), email.encode(), hashlib.sha256).hexdigest()
    return f"{KEY_PREFIX}{digest}"


class RedisStore:
    """Failures as members of a sorted set scored by time; a success clears the set."""

    def __init__(self, url: str):
        import redis  # only needed when configured

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.down_until = 0.0
        self.warned = False

    def _key(self, email: str) -> str:
        return redis_key(current_app.config["SECRET_KEY"], email)

    def _try(self, action):
        """Run a Redis action; None if Redis is unavailable (then the database is used meanwhile)."""
        if time.monotonic() < self.down_until:
            return None
        try:
            return action()
        except self.errors as error:
            self.down_until = time.monotonic() + RETRY_SECONDS
            if not self.warned:
                self.warned = True
                log.warning("Sign-in throttling: Redis is unreachable (%s); counting failures in the database "
                            "instead.", type(error).__name__)
            return None

    def failures(self, email: str, now: datetime) -> int | None:
        key, oldest = self._key(email), (now - _window()).timestamp()

        def count():
            pipe = self.client.pipeline()
            pipe.zremrangebyscore(key, "-inf", oldest)
            pipe.zcard(key)
            return pipe.execute()[1]

        return self._try(count)

    def record_failure(self, email: str, now: datetime) -> None:
        key, seconds = self._key(email), int(_window().total_seconds()) + 1

        def add():
            pipe = self.client.pipeline()
            pipe.zadd(key, {uuid.uuid4().hex: now.timestamp()})
            pipe.expire(key, seconds)
            pipe.execute()

        self._try(add)

    def record_success(self, email: str) -> None:
        self._try(lambda: self.client.delete(self._key(email)))


_database = DatabaseStore()


def _redis() -> RedisStore | None:
    """This app's Redis store, made on first use (so after gunicorn forks), or None if not configured."""
    url = current_app.config.get("THROTTLE_REDIS_URL")
    if not url:
        return None
    store = current_app.extensions.get("hub_throttle")
    if store is None:
        try:
            store = RedisStore(url)
        except ImportError:
            log.warning("Sign-in throttling: THROTTLE_REDIS_URL is set but the redis package is not installed; "
                        "counting failures in the database instead.")
            store = False
        current_app.extensions["hub_throttle"] = store
    return store or None


def failures(email: str, now: datetime | None = None) -> int:
    """Wrong passwords for this (normalised) email within the lock window, since its last success."""
    now = now or utcnow()
    redis_store = _redis()
    if redis_store is not None:
        counted = redis_store.failures(email, now)
        if counted is not None:
            return counted
    return _database.failures(email, now)


def record_failure(email: str, now: datetime | None = None) -> None:
    """Keep a wrong password as a LoginAttempt row (caller commits) and count it in Redis if configured."""
    now = now or utcnow()
    _database.record(email, False, now)
    redis_store = _redis()
    if redis_store is not None:
        redis_store.record_failure(email, now)


def record_success(email: str, now: datetime | None = None) -> None:
    """Keep a right password as a LoginAttempt row (caller commits); it clears the count."""
    now = now or utcnow()
    _database.record(email, True, now)
    redis_store = _redis()
    if redis_store is not None:
        redis_store.record_success(email)
