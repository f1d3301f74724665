"""Configuration read from the environment; see docs/configuration.md."""
import importlib.util
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click

ROOT = Path(__file__).resolve().parents[2]
SQLITE_MIN_FREE_MB = 10


class ConfigError(click.ClickException, RuntimeError):
    """The service cannot start with this configuration. A ClickException, so `flask` commands print it
    as one line ("Error: ...") rather than a traceback."""

    def __str__(self) -> str:
        return self.message


def default_password_slots() -> int:
    """LOGIN_PASSWORD_SLOTS unless set (access/password_slots.py): one fewer than this machine's cores (at
    least one), so a core and a worker stay free for pages."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def _instance_secret(instance_path: Path) -> str:
    """Generate a development secret once and keep it in instance/ so restarts keep sessions."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _public_base_url(text: str, production: bool) -> str:
    """The address people reach the hub at (e.g. https://hub.example), for every link that leaves the site:
    printed invitations, QR codes, the first-admin link. Required in production so a link never takes its
    host from a request's Host header; in development the request's host is used when it is not set."""
    text = text.strip()
    if not text:
        if production:
            raise ConfigError("PUBLIC_BASE_URL must be set in production to the address people use, "
                              "e.g. https://hub.example.")
        return ""
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ConfigError(f"PUBLIC_BASE_URL must be an address such as https://hub.example (no path), "
                          f"not {text!r}.")
    if production and parts.scheme != "https":
        raise ConfigError("PUBLIC_BASE_URL must start with https:// in production.")
    return f"{parts.scheme}://{parts.netloc}"


def _mail_tls(text: str) -> str:
    text = text.strip().lower() or "none"
    if text not in ("none", "starttls", "ssl"):
        raise ConfigError(f"MAIL_TLS must be none, starttls or ssl, not {text!r}.")
    return text


def from_environment(instance_path: Path, env=os.environ, secret_given: bool = False) -> dict:
    """Build the Flask config dict from environment variables."""
    mode = env.get("HUB_ENV", "development")
    if mode not in ("development", "production"):
        raise ConfigError(f"HUB_ENV must be 'development' or 'production', not {mode!r}.")
    production = mode == "production"

    secret = env.get("SECRET_KEY", "")
    if production and len(secret) < 32:
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters in production.")
    if not secret and not secret_given:
        secret = _instance_secret(instance_path)

    years = env.get("RETENTION_INACTIVE_YEARS", "2").strip()
    if not years.isdigit() or not 1 <= int(years) <= 50:
        raise ConfigError(f"RETENTION_INACTIVE_YEARS must be a whole number of years from 1 to 50, not {years!r}.")
    public_base_url = _public_base_url(env.get("PUBLIC_BASE_URL", ""), production)
    slots = int(env.get("LOGIN_PASSWORD_SLOTS") or default_password_slots())
    if slots < 1:
        raise ConfigError("LOGIN_PASSWORD_SLOTS must be at least 1: it is how many password checks may run "
                          "at once on one server.")

    content_language = env.get("CONTENT_LANGUAGE", "en").strip() or "en"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", content_language):
        raise ConfigError(f"CONTENT_LANGUAGE must be a language tag such as en or cy, not {content_language!r}.")

    db_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'hub.sqlite3'}"
    return {
        "HUB_ENV": mode,
        "PUBLIC_BASE_URL": public_base_url,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(db_url),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "hub_session",
        "HSTS": production,
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", str(1024 * 1024))),
        "STAFF_IDLE_MINUTES": int(env.get("STAFF_IDLE_MINUTES", "30")),
        # A personal link (and its printed QR code) stops working this many days after its meeting ends.
        "PERSONAL_LINK_DAYS_AFTER_MEETING": int(env.get("PERSONAL_LINK_DAYS_AFTER_MEETING", "30")),
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(env.get("LOGIN_LOCK_MINUTES", "15")),
        "LOGIN_CLIENT_MAX_FAILURES": int(env.get("LOGIN_CLIENT_MAX_FAILURES", "30")),
        "LOGIN_ACCOUNT_MAX_FAILURES": int(env.get("LOGIN_ACCOUNT_MAX_FAILURES", "50")),
        "LOGIN_PASSWORD_SLOTS": slots,
        "LOGIN_SLOT_WAIT_MS": int(env.get("LOGIN_SLOT_WAIT_MS", "250")),
        "THROTTLE_REDIS_URL": env.get("THROTTLE_REDIS_URL", ""),
        # Suggestions one network address may send through a group's open link in an hour (rate_limit.py).
        "GROUP_LINK_SUGGESTIONS_PER_HOUR": int(env.get("GROUP_LINK_SUGGESTIONS_PER_HOUR", "10")),
        # Checklists one network address may send through meetings' "how did it go" links in an hour.
        "FEEDBACK_LINK_RESPONSES_PER_HOUR": int(env.get("FEEDBACK_LINK_RESPONSES_PER_HOUR", "10")),
        # Name searches one network address may make at door tablets in 10 minutes (door/signin.py; several
        # tablets may share a venue's connection). Searches are also limited per visit and per tablet.
        "DOOR_SEARCHES_PER_ADDRESS": int(env.get("DOOR_SEARCHES_PER_ADDRESS", "600")),
        # One-time tokens in the door tablet's offline pack (door/offline.py): how many submissions it can
        # queue without the network before it must fetch the pack again.
        "DOOR_OFFLINE_TOKENS": int(env.get("DOOR_OFFLINE_TOKENS", "300")),
        "SQLITE_BUSY_TIMEOUT_MS": int(env.get("SQLITE_BUSY_TIMEOUT_MS", "5000")),
        # A SQLite database refuses to start with less free disk than this (survey_app/web/database.py).
        "SQLITE_MIN_FREE_MB": int(env.get("SQLITE_MIN_FREE_MB", str(SQLITE_MIN_FREE_MB))),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # `retention run` erases people not seen for this many years; the consent text says the number.
        "RETENTION_INACTIVE_YEARS": int(years),
        # The language people and organisers type meeting titles, ideas and notes in: such text is marked
        # <bdi lang="..."> inside a translated page (the |theirs filter, web/formatting.py).
        "CONTENT_LANGUAGE": content_language,
        # Messages (survey_app/messages/): an SMTP server, or GOV.UK Notify when NOTIFY_API_KEY is set.
        "MAIL_HOST": env.get("MAIL_HOST", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_TLS": _mail_tls(env.get("MAIL_TLS", "none")),
        "MAIL_USER": env.get("MAIL_USER", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": env.get("MAIL_SENDER", ""),
        "NOTIFY_API_KEY": env.get("NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": env.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "NOTIFY_EMAIL_TEMPLATE": env.get("NOTIFY_EMAIL_TEMPLATE", ""),
        "NOTIFY_TEXT_TEMPLATE": env.get("NOTIFY_TEXT_TEMPLATE", ""),
        "NOTIFY_LETTER_TEMPLATE": env.get("NOTIFY_LETTER_TEMPLATE", ""),
        "MESSAGE_CLAIM_TIMEOUT_MINUTES": int(env.get("MESSAGE_CLAIM_TIMEOUT_MINUTES", "10")),
        "MESSAGE_BATCH": int(env.get("MESSAGE_BATCH", "100")),
        # Reminders go this many days before a meeting's date (London), when the sender next runs.
        "REMINDER_DAYS_BEFORE": int(env.get("REMINDER_DAYS_BEFORE", "1")),
        # Paying (issue 17): HMRC's approved mileage rate (pence a mile; above it the difference is taxable)
        # and the trading allowance (pence in a tax year; above it a payee is flagged on the "By payee" sheet).
        "HMRC_MILEAGE_PENCE": int(env.get("HMRC_MILEAGE_PENCE", "45")),
        "TRADING_ALLOWANCE_PENCE": int(env.get("TRADING_ALLOWANCE_PENCE", "100000")),
    }


DEFAULTS = {
    # No pre-ping: it costs a round trip on every request. A connection lost while PostgreSQL restarts
    # fails one request (the "please try again" page, which keeps what was typed) and SQLAlchemy then
    # replaces every pooled connection; recycling keeps idle ones from being cut by firewalls.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Every message a person sees is our own sentence (forms/); WTForms' built-in catalogue is not
    # needed, and looking it up cost half a millisecond a request on the door tablet.
    "WTF_I18N_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "en_GB",
    "BABEL_DEFAULT_TIMEZONE": "Europe/London",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "LANGUAGES": {"en": "English", "pl": "Polski", "ro": "Română", "pt": "Português", "ar": "العربية"},
    "RTL_LANGUAGES": {"ar"},
    "PER_PAGE": 25,
    # scrypt for real; the test suite swaps in a fast method so it can sign in hundreds of times.
    "PASSWORD_HASH_METHOD": "scrypt",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # Only the door tablet's session is permanent (a day's meeting); re-signing its cookie on every page
    # cost the busiest pages a sixth of their time. Staff idle time-outs are kept on the server instead.
    "SESSION_REFRESH_EACH_REQUEST": False,
}


def require_redis_package(config) -> None:
    """Refuse to start with THROTTLE_REDIS_URL set when the redis package (the `redis` extra) is missing."""
    if config.get("THROTTLE_REDIS_URL") and importlib.util.find_spec("redis") is None:
        raise ConfigError("THROTTLE_REDIS_URL is set but the redis package is not installed: set THROTTLE_REDIS_URL "
                          "only after installing the redis extra (pip install '.[redis]').")
