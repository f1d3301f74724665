"""Sign-in throttling: how many wrong passwords an email has had lately, in a store every app process sees.

Every attempt is kept as a LoginAttempt row (the record, and the default store: the shared database).
With THROTTLE_REDIS_URL set, the count comes from Redis instead: one sorted set per email, keyed by an
HMAC of the email (never the email itself), expiring with the lock window. If Redis cannot be reached the
database rows are used, which hold the same attempts, so nobody is locked out or let in by an outage.
"""
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .models import LoginAttempt
from .models.base import utcnow
from .rate_limit import SharedRedis, shared_redis

KEY_PREFIX = "hub:throttle:"


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
    """Failures as members of a sorted set scored by time; a success clears the set. None from any method
    means Redis is unavailable (rate_limit.SharedRedis), and the database count is used."""

    def __init__(self, redis: SharedRedis):
        self.redis = redis

    def _key(self, email: str) -> str:
        return redis_key(current_app.config["SECRET_KEY"], email)

    def failures(self, email: str, now: datetime) -> int | None:
        key, oldest = self._key(email), (now - _window()).timestamp()

        def count(client):
            pipe = client.pipeline()
            pipe.zremrangebyscore(key, "-inf", oldest)
            pipe.zcard(key)
            return pipe.execute()[1]

        return self.redis.attempt(count)

    def record_failure(self, email: str, now: datetime) -> None:
        key, seconds = self._key(email), int(_window().total_seconds()) + 1

        def add(client):
            pipe = client.pipeline()
            pipe.zadd(key, {uuid.uuid4().hex: now.timestamp()})
            pipe.expire(key, seconds)
            pipe.execute()

        self.redis.attempt(add)

    def record_success(self, email: str) -> None:
        self.redis.attempt(lambda client: client.delete(self._key(email)))


_database = DatabaseStore()


def _redis() -> RedisStore | None:
    """The Redis store when THROTTLE_REDIS_URL is set, else None."""
    redis = shared_redis("Sign-in throttling")
    return RedisStore(redis) if redis else None


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
