"""The app factory, configuration from the environment, and the SQLite connection settings."""
import pytest
from sqlalchemy import text

from survey_app import create_app
from survey_app.web.config import ConfigError, from_environment
from survey_app.web.extensions import db


def test_factory_uses_given_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"].startswith("test-secret")


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        from_environment(tmp_path, {"HUB_ENV": "production"})
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        from_environment(tmp_path, {"HUB_ENV": "production", "SECRET_KEY": "dev"})


PRODUCTION = {"HUB_ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": "https://hub.example"}


def test_production_turns_on_secure_cookies_and_hsts(tmp_path):
    cfg = from_environment(tmp_path, PRODUCTION)
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["HSTS"] is True


def test_production_refuses_to_start_without_its_public_address(tmp_path):
    """Links that leave the site (printed invitations, QR codes) must not take their host from a request."""
    without = {k: v for k, v in PRODUCTION.items() if k != "PUBLIC_BASE_URL"}
    with pytest.raises(ConfigError) as refused:
        from_environment(tmp_path, without)
    assert str(refused.value) == ("PUBLIC_BASE_URL must be set in production to the address people use, "
                                  "e.g. https://hub.example.")
    with pytest.raises(ConfigError, match="must start with https:// in production"):
        from_environment(tmp_path, {**PRODUCTION, "PUBLIC_BASE_URL": "http://hub.example"})
    for bad in ("hub.example", "https://hub.example/hub", "https://hub.example/?x=1", "ftp://hub.example",
                "https://", "https://user@hub.example", "https://hub.example:99999"):
        with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be an address such as https://hub.example"):
            from_environment(tmp_path, {**PRODUCTION, "PUBLIC_BASE_URL": bad})
    assert from_environment(tmp_path, {**PRODUCTION, "PUBLIC_BASE_URL": " https://hub.example:8443/ "})[
        "PUBLIC_BASE_URL"] == "https://hub.example:8443"


def test_development_needs_no_public_address(tmp_path):
    assert from_environment(tmp_path, {})["PUBLIC_BASE_URL"] == ""
    assert from_environment(tmp_path, {"PUBLIC_BASE_URL": "http://10.0.0.5:5000"})["PUBLIC_BASE_URL"] == \
        "http://10.0.0.5:5000"


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = from_environment(tmp_path, {})["SECRET_KEY"]
    second = from_environment(tmp_path, {})["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="HUB_ENV"):
        from_environment(tmp_path, {"HUB_ENV": "staging"})


def test_database_url_defaults_to_sqlite_in_instance_and_names_the_postgres_driver(tmp_path):
    assert from_environment(tmp_path, {})["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    url = from_environment(tmp_path, {"DATABASE_URL": "postgres://u@db:5432/hub"})["SQLALCHEMY_DATABASE_URI"]
    assert url == "postgresql+psycopg://u@db:5432/hub"


def test_sqlite_is_opened_with_wal_busy_timeout_and_foreign_keys(tmp_path):
    app = create_app({"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                      "SQLITE_BUSY_TIMEOUT_MS": 4321, "TESTING": True})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 4321
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_a_configuration_problem_is_one_plain_line_not_a_traceback(tmp_path):
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(HUB_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "users", "--help"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Error: SECRET_KEY must be set to a random value of at least 32 characters in production." in done.stderr
    assert "Traceback" not in done.stderr
    env["SECRET_KEY"] = "s" * 40
    env.pop("PUBLIC_BASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "users", "--help"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().endswith("Error: PUBLIC_BASE_URL must be set in production to the address people "
                                        "use, e.g. https://hub.example.")
    assert "Traceback" not in done.stderr
