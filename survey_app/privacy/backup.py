"""Backups of the whole database while the service is running, and restoring one into an empty database.

SQLite: SQLite's online backup API copies the live file page by page inside one read transaction, so the
copy is consistent even while the app keeps writing (WAL mode lets writers carry on meanwhile). The copy is
checked with `PRAGMA integrity_check`.
PostgreSQL: `pg_dump --format=custom --no-owner`, taken from the same snapshot as the row counts it reports;
restored with `pg_restore --no-owner --exit-on-error --single-transaction`, so a failed restore leaves nothing.

Backup files (and a restored SQLite file) are created readable by their owner only (mode 0600): they hold
everyone's details.

A restore only goes into an *empty* database: one with no tables at all (for SQLite, a missing file or a file
with no tables). A database that has tables, even empty ones, is refused untouched: restoring over tables is
how data gets mixed up or lost. Either store carries its `alembic_version` table, so a restored database is at
the migration it was backed up at.
"""
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import URL

from ..web.database import create_owner_only, sqlite_path
from ..web.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


class BackupError(RuntimeError):
    """The backup or restore cannot go ahead; str(error) is a sentence for the person at the terminal."""


@dataclass
class Summary:
    tables: int
    rows: int
    revision: str | None = None  # the Alembic migration the data is at
    note: str = ""  # anything the person should do next
    erasures_note: str = ""  # after a restore: people erased since the backup are back

    def describe(self) -> str:
        tables, rows = ("s" if self.tables != 1 else ""), ("s" if self.rows != 1 else "")
        return f"{self.tables:,} table{tables} ({self.rows:,} row{rows})"


def _url() -> URL:
    return db.engine.url


def _sqlite_file(url: URL) -> Path:
    path = sqlite_path(url)  # understands file: URIs such as ?mode=ro&uri=true
    if path is None:
        raise BackupError("The database is in memory, so there is no file to back up or restore.")
    return path


def _kind() -> str:
    name = _url().get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups work for SQLite and PostgreSQL databases, not {name}.")
    return name


# ---------------------------------------------------------------- counting


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608 (table names read from sqlite_master)


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _pg_counts(conn) -> dict[str, int]:
    names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
    return {name: conn.execute(text(f'SELECT count(*) FROM public."{name}"')).scalar_one() for (name,) in names}  # noqa: S608 (table names read from pg_tables)


def _pg_revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _revision_note(revision: str | None) -> str:
    """What to do about the migration the restored data is at, compared with this version of the app."""
    if revision is None:
        return ("The backup has no migration version (its database was not made with `flask db upgrade`). "
                "If it came from this version of the app, run `flask --app survey_app db stamp head`.")
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    if revision in heads:
        return "The database is at the latest migration for this version of the app."
    return "The backup is from an older version of the app: run `flask --app survey_app db upgrade` next."


def _check_revision_known(revision: str | None) -> None:
    if revision is None:
        return
    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(revision)
    except Exception:  # noqa: BLE001 (alembic raises several kinds for an unknown revision)
        raise BackupError(f"The backup is at migration {revision}, which this version of the app does not know. "
                          "Restore it with the version of the app that made it, or a newer one.") from None


# ---------------------------------------------------------------- PostgreSQL tools


def _pg_command(tool: str, url: URL) -> tuple[list[str], dict]:
    """The tool with connection arguments from the URL; the password goes through the environment only."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed. Install the PostgreSQL client tools "
                          f"(on Debian: apt-get install postgresql-client) and try again.")
    args = [path]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    conninfo = {"dbname": url.database or ""}
    conninfo.update({key: str(value) for key, value in url.query.items()})
    args += ["--dbname", " ".join(f"{key}='{_conninfo_quote(value)}'" for key, value in conninfo.items())]
    env = {**os.environ}
    env.pop("PGPASSWORD", None)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _conninfo_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _run(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 (our own pg_dump/pg_restore argument list, no shell)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else 'no message'}")


# ---------------------------------------------------------------- create


def create_backup(path: str | os.PathLike) -> Summary:
    """Write a consistent copy of the database to `path` (which must not exist yet)."""
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} already exists. Choose a new file name, so no earlier backup is overwritten.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # left by a backup that was killed part way
        create_owner_only(partial)  # pg_dump and SQLite write into it and keep its mode
        summary = _create_sqlite(partial) if _kind() == "sqlite" else _create_postgresql(partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"The backup could not be written to {target}: {error}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _create_sqlite(target: Path) -> Summary:
    source_file = _sqlite_file(_url())
    if not source_file.exists():
        raise BackupError(f"There is no database file at {source_file}.")
    source = sqlite3.connect(source_file, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, so one consistent moment
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed its integrity check, so it was not kept. Try again.")
        counts, revision = _sqlite_counts(copy), _sqlite_revision(copy)
    finally:
        copy.close()
        source.close()
    return Summary(len(counts), sum(counts.values()), revision)


def _create_postgresql(target: Path) -> Summary:
    args, env = _pg_command("pg_dump", _url())
    # Count the rows in a snapshot and hand that same snapshot to pg_dump, so the numbers printed are the
    # numbers in the file, however busy the service is.
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revision = _pg_counts(conn), _pg_revision(conn)
            _run(args + ["--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(target)],
                 env, "pg_dump")
    list_args, list_env = _pg_command("pg_restore", _url())
    _run([list_args[0], "--list", str(target)], list_env, "Checking the backup with pg_restore --list")
    return Summary(len(counts), sum(counts.values()), revision)


# ---------------------------------------------------------------- restore


def restore_backup(path: str | os.PathLike) -> Summary:
    """Restore a backup made by create_backup into the configured database, which must be empty."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with open(source, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    kind = _kind()
    made_by = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PGDUMP_MAGIC) else None
    if made_by is None:
        raise BackupError(f"{source} is not a backup made by `backup create`: it is neither a SQLite database "
                          "nor a pg_dump file. Nothing was changed.")
    if made_by != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"{source} is a {names[made_by]} backup, but the database set up here is "
                          f"{names[kind]}. Restore it into a {names[made_by]} database. Nothing was changed.")
    try:
        summary = _restore_sqlite(source) if kind == "sqlite" else _restore_postgresql(source)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"The restore could not be finished: {error}.") from None
    summary.note = _revision_note(summary.revision)
    summary.erasures_note = _erasures_note()
    return summary


def _erasures_note() -> str:
    """A restored backup brings back everyone erased after it was made: say so, and how to find them."""
    from ..models import AuditEvent
    from ..models.base import LONDON

    with db.engine.connect() as conn:
        latest = conn.execute(select(func.max(AuditEvent.at))).scalar()
    if latest is None:
        return ""
    day = latest.astimezone(LONDON).date().isoformat()
    return (f"Anyone erased after this backup was made (its last audit log entry is from {day}) has their details "
            f"back. List those erasures on the old database with `flask --app survey_app people erased --since "
            f"{day}` and erase each person again here with `people erase`.")


def _not_empty(tables: int) -> BackupError:
    return BackupError(f"The database already has {tables} table{'s' if tables != 1 else ''}. A backup is only "
                       "restored into an empty database (no tables at all), so nothing was changed. "
                       "Create a new, empty database, point DATABASE_URL at it and run the restore again.")


def _restore_sqlite(source: Path) -> Summary:
    target_file = _sqlite_file(_url())
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            ok = backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = _sqlite_counts(backup)
        except sqlite3.DatabaseError:
            ok, tables = False, {}
        if not ok or not tables:
            raise BackupError(f"{source} is damaged or holds no tables, so it cannot be restored. "
                              "Nothing was changed.")
        revision = _sqlite_revision(backup)
        _check_revision_known(revision)
        db.engine.dispose()  # this process's own connections must not hold the file while it is filled
        if target_file.exists():
            existing = sqlite3.connect(target_file)
            try:
                existing_tables = len(_sqlite_counts(existing))
            except sqlite3.DatabaseError:
                raise BackupError(f"{target_file} is not a SQLite database, so nothing was restored into it.") \
                    from None
            finally:
                existing.close()
            if existing_tables:
                raise _not_empty(existing_tables)
        create_owner_only(target_file)
        target = sqlite3.connect(target_file, timeout=30)
        try:
            backup.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The restored database failed its integrity check. Delete it and try again.")
            counts = _sqlite_counts(target)
        finally:
            target.close()
    finally:
        backup.close()
    return Summary(len(counts), sum(counts.values()), _revision_of_file(target_file))


def _revision_of_file(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        return _sqlite_revision(conn)
    finally:
        conn.close()


def _restore_postgresql(source: Path) -> Summary:
    args, env = _pg_command("pg_restore", _url())
    listing = subprocess.run([args[0], "--list", str(source)], capture_output=True, text=True)  # noqa: S603 (no shell, our own arguments)
    if listing.returncode != 0:
        raise BackupError(f"{source} is damaged or is not a pg_dump file, so it cannot be restored. "
                          "Nothing was changed.")
    with db.engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
    if existing:
        raise _not_empty(existing)
    revision = _dump_revision(source)
    _check_revision_known(revision)
    db.engine.dispose()
    _run(args + ["--no-owner", "--exit-on-error", "--single-transaction"] + [str(source)], env, "pg_restore")
    with db.engine.connect() as conn:
        counts, revision = _pg_counts(conn), _pg_revision(conn)
    return Summary(len(counts), sum(counts.values()), revision)


def _dump_revision(source: Path) -> str | None:
    """The alembic_version row inside a pg_dump file, read without touching any database."""
    result = subprocess.run([shutil.which("pg_restore"), "--data-only", "--table=alembic_version", "--file=-",  # noqa: S603 (no shell, our own arguments)
                             str(source)], capture_output=True, text=True)
    lines = result.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value == "\\." else value
    return None
