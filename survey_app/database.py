"""Database set-up that is not a model: SQLite pragmas for a safe embedded default."""
import sqlite3

from flask import Flask
from sqlalchemy import event

from .extensions import db


def init_app(app: Flask) -> None:
    """Call after db.init_app: every new SQLite connection gets WAL, a busy timeout and foreign keys."""
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
