"""Database set-up that is not a model: SQLite pragmas for a safe embedded default, and a start-up
check that a SQLite file can be written at all (see README "What happens when things go wrong")."""
import os
import shutil
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import URL

from .config import SQLITE_MIN_FREE_MB, ConfigError
from .extensions import db
from .unavailable import SQLITE_STORAGE

MB = 1024 * 1024


class DatabaseStorageError(ConfigError):
    """The SQLite database cannot be written: its file or folder is read-only, or the disk is full.
    `flask` prints it as one line; gunicorn prints the message when a worker fails to boot."""


def init_app(app: Flask) -> None:
    """Call after db.init_app: every new SQLite connection gets WAL, a busy timeout and foreign keys;
    a SQLite file that cannot be written stops the app here, with a message saying why."""
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def sqlite_pragmas(dbapi_conn, _record):
        if not isinstance(dbapi_conn, sqlite3.Connection):
            return
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    with app.app_context():
        event.listen(db.engine, "connect", sqlite_pragmas)
        check_sqlite_storage(db.engine, int(app.config.get("SQLITE_MIN_FREE_MB", SQLITE_MIN_FREE_MB)))


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (as Flask-SQLAlchemy resolved it); None for other databases and
    in-memory SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    is_uri = str(url.query.get("uri", "")).lower() in ("true", "1")
    if is_uri and database.startswith("file:"):
        database = database[5:]
    mode = str(url.query.get("mode", "")).lower()
    if not database or database == ":memory:" or mode == "memory":
        return None
    return Path(database).absolute()


def check_sqlite_storage(engine, min_free_mb: int) -> None:
    """Refuse to start on a SQLite database that cannot be written: better one clear line now than
    every participant's answers failing later. Nothing is checked for PostgreSQL (its server does)."""
    path = sqlite_path(engine.url)
    if path is None:
        return
    folder = path.parent
    fix = "Make it writable by the user the app runs as, or set DATABASE_URL to a database that is."
    if not folder.is_dir():
        raise DatabaseStorageError(f"The folder for the database file {path} does not exist: create it, "
                                   f"or set DATABASE_URL to where the database should be.")
    if not os.access(folder, os.W_OK):
        raise DatabaseStorageError(f"The folder {folder} holding the database file is read-only: SQLite needs "
                                   f"to write its journal there. {fix}")
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseStorageError(f"The database file {path} is read-only: nothing could be saved. {fix}")
    free_mb = shutil.disk_usage(folder).free // MB
    if free_mb < min_free_mb:
        raise DatabaseStorageError(f"The disk holding the database file {path} is nearly full: only {free_mb} MB "
                                   f"free, and at least {min_free_mb} MB is needed (SQLITE_MIN_FREE_MB). "
                                   f"Free some space.")
    if path.exists():
        _probe_write(engine, path, fix)


def _probe_write(engine, path: Path, fix: str) -> None:
    """Start a write and roll it back: the only sure test (file modes say nothing to root, and a
    read-only mount or an immutable file only shows when SQLite tries)."""
    try:
        conn = engine.raw_connection()
    except Exception as e:  # the connect-time pragmas write too
        _raise_if_storage(e, path, fix)
        raise
    try:
        raw = conn.driver_connection
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("CREATE TABLE hub_write_check (x INTEGER)")
    except sqlite3.OperationalError as e:
        _raise_if_storage(e, path, fix)  # anything else ("database is locked") is busy, not broken
    finally:
        try:
            raw.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass  # no transaction was started
        conn.close()


def _raise_if_storage(error: Exception, path: Path, fix: str) -> None:
    message = str(getattr(error, "orig", None) or error).lower()
    if "full" in message:
        raise DatabaseStorageError(f"The disk holding the database file {path} is full: free some space.") from None
    if any(words in message for words in SQLITE_STORAGE):
        raise DatabaseStorageError(f"The database file {path} is read-only: nothing could be saved. {fix}") from None
