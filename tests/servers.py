"""Real servers for tests that need more than the test client: a fresh database of the kind the suite
runs on, and the app under gunicorn, the way production serves it.

    with fresh_database() as url:          # SQLite: a new temporary file; PostgreSQL: CREATE DATABASE
        build_schema(url)                  # the Alembic migrations, as `flask db upgrade` runs them
        with seeded_app(url) as app:       # an app on that database, to add records in-process
            ...
        with AppServer(url) as server:     # gunicorn (own process group) on a free loopback port
            Browser(server.port).get("/healthz")
            server.kill()                  # SIGKILL the master and every worker at once
            server.start()                 # the same database again, on a new port

The database kind follows TEST_DATABASE_URL: PostgreSQL when it names one (the new database is made
on that server through its `postgres` maintenance database and dropped WITH (FORCE) afterwards),
else SQLite. Several AppServers may share one database (start one per port).
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SECRET = "servers-test-secret-key-0123456789abcdefghij"
PUBLIC_BASE_URL = "https://hub.example"  # production needs one; these servers print no links
START_TIMEOUT_SECONDS = 30


def postgres_url() -> str | None:
    """TEST_DATABASE_URL when it is a PostgreSQL database, else None."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_database(prefix: str = "hub_srv") -> Iterator[str]:
    """A new, empty database for the duration; yields its SQLAlchemy URL."""
    base = postgres_url()
    if base is None:
        with tempfile.TemporaryDirectory(prefix=prefix) as folder:
            yield f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def app_config(url: str, **extra) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": True, "LOG_LEVEL": "WARNING",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **extra}


@contextmanager
def seeded_app(url: str, **config):
    """An app on `url` inside an app context, to add records directly; its connections are closed on exit
    so nothing of it holds locks while a server runs."""
    from survey_app import create_app
    from survey_app.extensions import db

    app = create_app(app_config(url, **config))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def build_schema(url: str) -> None:
    """Apply every migration to the database at `url`, as `flask --app survey_app db upgrade` does."""
    from flask_migrate import upgrade

    with seeded_app(url):
        upgrade()


class AppServer:
    """The app under gunicorn (`python -m gunicorn wsgi:app`), in its own process group so that kill()
    can SIGKILL the master and its workers together, as a power cut or the OOM killer would.

    `env` is added to the environment; by default the server runs as in production (HUB_ENV=production,
    a SECRET_KEY shared with seeded_app and other AppServers, so a cookie from one works on all, and a
    PUBLIC_BASE_URL)."""

    def __init__(self, url: str, workers: int = 2, threads: int = 1, env: dict | None = None):
        self.url, self.workers, self.threads = url, workers, threads
        self.env = {"HUB_ENV": "production", "SECRET_KEY": SECRET, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                    "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                    **(env or {})}
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "AppServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "AppServer":
        """Start on a free port and wait until /healthz answers 200."""
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", str(self.threads),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env={**os.environ, **self.env}, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import http.client

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.proc.returncode} before it was ready")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def kill(self) -> None:
        """SIGKILL the whole process group: no worker gets to finish anything."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        """Shut down as an operator would (SIGTERM to the master), SIGKILL if it does not go."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


def at_once(jobs, timeout: float = 120):
    """Run the jobs in threads released together by a barrier; their results in order."""
    barrier, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
