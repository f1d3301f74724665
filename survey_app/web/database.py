"""Database set-up that is not a model: SQLite pragmas for a safe embedded default, a start-up check
that a SQLite file can be written at all (see docs/deployment.md "What happens when things go wrong"),
database files readable by their owner only, and clearing SQLite's write-ahead log after an erasure
(docs/security.md "Erasure and retention")."""
import contextlib
import logging
import os
import shutil
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import URL

from .config import SQLITE_MIN_FREE_MB, ConfigError
from .extensions import db
from .unavailable import SQLITE_STORAGE

MB = 1024 * 1024
OWNER_ONLY = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
# Clearing the write-ahead log waits for readers to finish: this long each try, this many tries.
CHECKPOINT_WAIT_MS = 1000
CHECKPOINT_TRIES = 3

log = logging.getLogger(__name__)


class DatabaseStorageError(ConfigError):
    """The SQLite database cannot be written: its file or folder is read-only, or the disk is full.
    `flask` prints it as one line; gunicorn prints the message when a worker fails to boot."""


def init_app(app: Flask) -> None:
    """Call after db.init_app: every new SQLite connection gets WAL, a busy timeout, foreign keys and
    secure delete; the database file is made owner-only; a SQLite file that cannot be written stops the
    app here, with a message saying why."""
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def sqlite_pragmas(dbapi_conn, _record):
        if not isinstance(dbapi_conn, sqlite3.Connection):
            return
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten values are zeroed in the file, not just marked free: an erased
        # person's details must not stay readable in unused space (SQLite's own default is off).
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    with app.app_context():
        event.listen(db.engine, "connect", sqlite_pragmas)
        path = sqlite_path(db.engine.url)
        if path is not None:
            make_owner_only(path)
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


def create_owner_only(path: Path) -> bool:
    """Create an empty file readable and writable by its owner only (mode 0600, whatever the umask);
    False if it exists already. SQLite gives its -wal and -shm files the mode of the database file,
    and an empty file is an empty SQLite database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def make_owner_only(path: Path) -> None:
    """A new SQLite database file is created owner-only; an existing one (and its -wal, -shm) that
    others can read is made owner-only if this user owns it, or a warning says so. Anything else
    wrong with the folder is left for check_sqlite_storage to explain."""
    try:
        if path.parent.is_dir() and create_owner_only(path):
            return
    except OSError:
        return
    for file in [path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)]:
        try:
            info = file.stat()
        except OSError:
            continue
        if not info.st_mode & 0o077:
            continue
        try:
            os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)
        except OSError:
            log.warning("The database file %s can be read by other users of this machine (mode %o) and "
                        "could not be changed: make it readable by the app's user only (chmod 600).",
                        file, stat.S_IMODE(info.st_mode))


@dataclass
class Checkpoint:
    """How clearing SQLite's write-ahead log went; `done` is False when readers kept it from finishing."""

    done: bool
    tries: int = 0
    path: Path | None = None

    def warning(self) -> str:
        """One plain sentence for the command line, when it did not finish."""
        return (f"Warning: the erased details are gone from the database, but SQLite could not yet clear its "
                f"write-ahead log ({self.path}-wal) because other connections were reading it, so a copy may "
                f"still be on disk there. Run `flask --app survey_app retention run` again when the service "
                f"is quieter: it clears the log every time.")


def clear_wal(engine=None) -> Checkpoint:
    """After an erasure or a retention run: copy SQLite's write-ahead log into the database file and
    truncate it to nothing (PRAGMA wal_checkpoint(TRUNCATE)), so the old values in it are gone from
    disk; with secure_delete on, the database file holds only zeros where they were. A reader in the
    middle of a read can stop it: wait a little and try again, then give up, log a warning and say so.
    Nothing to do for PostgreSQL (see docs/security.md "Erasure and retention")."""
    engine = engine or db.engine
    path = sqlite_path(engine.url)
    if path is None:
        return Checkpoint(done=True)
    conn = engine.raw_connection()
    try:
        raw = conn.driver_connection
        busy_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            for tries in range(1, CHECKPOINT_TRIES + 1):
                try:
                    busy, _log_frames, _copied = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                except sqlite3.OperationalError:  # "database table is locked" and the like: busy too
                    busy = 1
                if not busy:
                    return Checkpoint(done=True, tries=tries, path=path)
                time.sleep(CHECKPOINT_WAIT_MS / 1000 / 4)
        finally:
            raw.execute(f"PRAGMA busy_timeout={busy_ms}")
    finally:
        conn.close()
    result = Checkpoint(done=False, tries=CHECKPOINT_TRIES, path=path)
    log.warning("SQLite's write-ahead log %s-wal could not be cleared after %d tries (other connections were "
                "reading): erased values may still be in it until the next retention run clears it.",
                path, CHECKPOINT_TRIES)
    return result


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
        with contextlib.suppress(sqlite3.OperationalError):  # no transaction was started
            raw.execute("ROLLBACK")
        conn.close()


def _raise_if_storage(error: Exception, path: Path, fix: str) -> None:
    message = str(getattr(error, "orig", None) or error).lower()
    if "full" in message:
        raise DatabaseStorageError(f"The disk holding the database file {path} is full: free some space.") from None
    if any(words in message for words in SQLITE_STORAGE):
        raise DatabaseStorageError(f"The database file {path} is read-only: nothing could be saved. {fix}") from None
