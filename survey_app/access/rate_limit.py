"""How often one client may do something, counted where every app process and server sees it.

A client is its network address as the app sees it (after PROXY_HOPS proxies, see create_app), kept only
as an HMAC with the secret key, never the address itself. A hit is a RateHit row in the shared database
(the default), or with THROTTLE_REDIS_URL a member of a sorted set in Redis, one set per limit and client,
expiring with its window. While Redis cannot be reached the database is used, and one warning is logged.

    SUGGESTIONS = Limit("open-suggest", 10, timedelta(hours=1))
    if not rate_limit.take(SUGGESTIONS):      # counts this attempt if allowed; caller commits
        ...tell the person to try again later...

Hits go into the request's database session (like every other write), so the caller commits them.
"""
import hashlib
import hmac
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select

from ..models import RateHit
from ..models.base import utcnow
from ..web.extensions import db

log = logging.getLogger(__name__)
KEY_PREFIX = "hub:rate:"
RETRY_SECONDS = 30  # after Redis fails, use the database for this long before trying Redis again


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `per` for one client (or other key) under this name."""

    name: str
    count: int
    per: timedelta


def digest(value: str) -> str:
    """An HMAC of a client address, email or other key: what is stored and sent to Redis, never the value."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).hexdigest()


def client_address() -> str:
    """The address of whoever sent this request (the first untrusted hop when behind PROXY_HOPS proxies);
    "local" outside a request (a command or script run on the server)."""
    if not has_request_context():
        return "local"
    return request.remote_addr or "unknown"


def client_key() -> str:
    return digest(client_address())


class SharedRedis:
    """A Redis client made on first use in each process, and the fallback rule: any Redis error makes
    `attempt` return None for RETRY_SECONDS, so callers use the database meanwhile."""

    def __init__(self, url: str, purpose: str):
        import redis  # the optional `redis` extra, only needed when configured

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.purpose = purpose
        self.down_until = 0.0
        self.warned = False

    def attempt(self, action):
        """Run a Redis action; None if Redis is unavailable."""
        if time.monotonic() < self.down_until:
            return None
        try:
            return action(self.client)
        except self.errors as error:
            self.down_until = time.monotonic() + RETRY_SECONDS
            if not self.warned:
                self.warned = True
                log.warning("%s: Redis is unreachable (%s); counting in the database instead.",
                            self.purpose, type(error).__name__)
            return None


def shared_redis(purpose: str) -> SharedRedis | None:
    """This app's Redis connection for `purpose`, made on first use (so after gunicorn forks), or None
    when THROTTLE_REDIS_URL is not set. (create_app refuses a THROTTLE_REDIS_URL without the redis package.)"""
    url = current_app.config.get("THROTTLE_REDIS_URL")
    if not url:
        return None
    stores = current_app.extensions.setdefault("hub_redis", {})
    if purpose not in stores:
        stores[purpose] = SharedRedis(url, purpose)
    return stores[purpose]


def _redis_count_and_add(limit: Limit, key: str, now: datetime, add: bool):
    """Hits in the window before this one, adding this one if `add`; one round trip."""
    name = f"{KEY_PREFIX}{limit.name}:{key}"

    def action(client):
        pipe = client.pipeline()
        pipe.zremrangebyscore(name, "-inf", (now - limit.per).timestamp())
        pipe.zcard(name)
        if add:
            pipe.zadd(name, {uuid.uuid4().hex: now.timestamp()})
            pipe.expire(name, int(limit.per.total_seconds()) + 1)
        return pipe.execute()[1]

    return action


def _database_count(limit: Limit, key: str, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(RateHit).where(
        RateHit.name == limit.name, RateHit.key == key, RateHit.at > now - limit.per))


def hits(limit: Limit, key: str | None = None, now: datetime | None = None) -> int:
    """How many hits this client (or key, already a digest) has had within the limit's window."""
    key, now = key or client_key(), now or utcnow()
    redis = shared_redis("Rate limits")
    counted = redis.attempt(_redis_count_and_add(limit, key, now, add=False)) if redis else None
    return _database_count(limit, key, now) if counted is None else counted


def hit(limit: Limit, key: str | None = None, now: datetime | None = None) -> None:
    """Count one hit (a RateHit row in this session: the caller commits; and in Redis when configured)."""
    key, now = key or client_key(), now or utcnow()
    db.session.add(RateHit(name=limit.name, key=key, at=now))
    redis = shared_redis("Rate limits")
    if redis:
        redis.attempt(_redis_count_and_add(limit, key, now, add=True))


def take(limit: Limit, key: str | None = None, now: datetime | None = None) -> bool:
    """True, and the hit counted, if this client is still under the limit; False (nothing counted) if not."""
    key, now = key or client_key(), now or utcnow()
    if hits(limit, key, now) >= limit.count:
        return False
    hit(limit, key, now)
    return True


def forget(limit: Limit, key: str | None = None) -> None:
    """Drop every hit counted for this client (or key) under this limit, e.g. a right password clears the
    wrong ones before it. The RateHit rows go in this session (the caller commits); Redis at once."""
    key = key or client_key()
    db.session.execute(delete(RateHit).where(RateHit.name == limit.name, RateHit.key == key))
    redis = shared_redis("Rate limits")
    if redis:
        redis.attempt(lambda client: client.delete(f"{KEY_PREFIX}{limit.name}:{key}"))
