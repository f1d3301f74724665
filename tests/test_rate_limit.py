"""The per-client rate limiter (survey_app/access/rate_limit.py): counted in the shared database by default and
in Redis when configured, per limit and per client, never storing the client's address."""
import os
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.access import rate_limit
from survey_app.access.rate_limit import Limit
from survey_app.models import RateHit
from survey_app.models.base import utcnow
from survey_app.web.config import ConfigError
from survey_app.web.extensions import db
from tests.conftest import _config

THREE_A_MINUTE = Limit("test-three", 3, timedelta(minutes=1))


@pytest.fixture
def app_factory(app, database_url):
    """More apps on the test database (emptied by `app`), with their own settings."""
    made = []

    def make(**settings):
        made.append(create_app(_config(database_url, **settings)))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _take(app, address, limit=THREE_A_MINUTE, now=None):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}):
        allowed = rate_limit.take(limit, now=now)
        db.session.commit()
        return allowed


def test_a_client_gets_its_allowance_then_is_refused_and_others_are_not(app):
    assert [_take(app, "203.0.113.5") for _ in range(4)] == [True, True, True, False]
    assert _take(app, "203.0.113.6") is True
    assert _take(app, "203.0.113.5", limit=Limit("test-other", 3, timedelta(minutes=1))) is True
    with app.app_context():
        keys = db.session.scalars(select(RateHit.key)).all()
        assert len(keys) == 5 and not any("203.0.113" in k for k in keys)


def test_the_window_moves_on(app):
    old = utcnow() - timedelta(seconds=61)
    assert all(_take(app, "203.0.113.7", now=old) for _ in range(3))
    assert _take(app, "203.0.113.7") is True


def test_behind_a_proxy_the_forwarded_address_is_the_client(app_factory):
    app = app_factory(PROXY_HOPS=1)
    client = app.test_client()
    seen = []

    @app.get("/_who")
    def _who():
        seen.append(rate_limit.client_address())
        return "ok"

    client.get("/_who", headers={"X-Forwarded-For": "198.51.100.9"})
    assert seen == ["198.51.100.9"]


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # no redis package or no server
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS is set but Redis is not reachable at {url}: {exc}")
        pytest.skip(f"Redis not reachable at {url}")
    yield url
    for key in client.scan_iter(rate_limit.KEY_PREFIX + "test-*"):
        client.delete(key)
    client.close()


def test_with_redis_the_count_is_shared_by_two_apps_and_kept_in_redis(app_factory, redis_url):
    first, second = app_factory(THROTTLE_REDIS_URL=redis_url), app_factory(THROTTLE_REDIS_URL=redis_url)
    limit = Limit("test-redis", 2, timedelta(minutes=1))
    assert _take(first, "203.0.113.8", limit) and _take(first, "203.0.113.8", limit)
    with second.app_context():  # the database forgets the two hits: only Redis knows about them
        db.session.execute(RateHit.__table__.delete())
        db.session.commit()
    assert _take(second, "203.0.113.8", limit) is False


def test_redis_is_an_optional_extra_needed_only_when_configured(app_factory, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if the redis extra were not installed
    app = app_factory()
    assert _take(app, "203.0.113.10")
    with pytest.raises(ConfigError, match="set THROTTLE_REDIS_URL only after installing the redis extra"):
        app_factory(THROTTLE_REDIS_URL="redis://127.0.0.1:6379/15")


def test_an_unreachable_redis_falls_back_to_the_database(app_factory, caplog):
    app = app_factory(THROTTLE_REDIS_URL="redis://127.0.0.1:9/0")
    with caplog.at_level("WARNING", logger="survey_app.access.rate_limit"):
        assert [_take(app, "203.0.113.9") for _ in range(4)] == [True, True, True, False]
    assert [r.getMessage() for r in caplog.records if r.name == "survey_app.access.rate_limit"] == [
        "Rate limits: Redis is unreachable (ConnectionError); counting in the database instead."]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateHit)) == 3
