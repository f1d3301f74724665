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
        with AppServer(url, tls=True) as server:   # HTTPS with a self-signed certificate made for the test
            server.base_url                # https://127.0.0.1:<port>; server.certfile to trust it

The database kind follows TEST_DATABASE_URL: PostgreSQL when it names one (the new database is made
on that server through its `postgres` maintenance database and dropped WITH (FORCE) afterwards),
else SQLite. Several AppServers may share one database (start one per port).
"""
import ipaddress
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
    from survey_app.web.extensions import db

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


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and localhost, valid for a day: (certfile, keyfile) in folder."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.touch(mode=0o600)
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


class AppServer:
    """The app under gunicorn (`python -m gunicorn wsgi:app`), in its own process group so that kill()
    can SIGKILL the master and its workers together, as a power cut or the OOM killer would.

    `env` is added to the environment; by default the server runs as in production (HUB_ENV=production,
    a SECRET_KEY shared with seeded_app and other AppServers, so a cookie from one works on all, and a
    PUBLIC_BASE_URL: its own address with tls=True, else PUBLIC_BASE_URL below, unless `env` names another).
    With tls=True it serves HTTPS itself (gunicorn --certfile/--keyfile) with a self-signed certificate made
    for it (`certfile` to trust it)."""

    def __init__(self, url: str, workers: int = 2, threads: int = 1, env: dict | None = None, tls: bool = False):
        self.url, self.workers, self.threads, self.tls = url, workers, threads, tls
        self.env = {"HUB_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
                    **(env or {})}
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._cert_folder: tempfile.TemporaryDirectory | None = None
        self.certfile: Path | None = None
        self.keyfile: Path | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> "AppServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._cert_folder is not None:
            self._cert_folder.cleanup()
            self._cert_folder = None

    def start(self) -> "AppServer":
        """Start on a free port and wait until /healthz answers 200."""
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", str(self.threads),
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        if self.tls:
            if self._cert_folder is None:
                self._cert_folder = tempfile.TemporaryDirectory(prefix="hub_tls")
                self.certfile, self.keyfile = self_signed_certificate(Path(self._cert_folder.name))
            command += ["--certfile", str(self.certfile), "--keyfile", str(self.keyfile)]
        self.proc = subprocess.Popen(
            [*command, "wsgi:app"], cwd=ROOT, start_new_session=True,
            env={**os.environ, "PUBLIC_BASE_URL": self.base_url if self.tls else PUBLIC_BASE_URL, **self.env})
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import http.client

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.proc.returncode} before it was ready")
            try:
                if self.tls:
                    conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=2,
                                                       context=ssl.create_default_context(cafile=self.certfile))
                else:
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
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
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
