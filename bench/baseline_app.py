"""The bare baselines: a Flask "hello" and a bare Flask + SQLAlchemy insert, served like the real app."""
import os

from flask import Flask, request
from sqlalchemy import Column, Integer, String, create_engine, event, insert
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Row(Base):
    __tablename__ = "bench_row"
    id = Column(Integer, primary_key=True)
    name = Column(String(100))


engine = create_engine(os.environ.get("BENCH_BASELINE_DB", "sqlite:////tmp/hub-bench-baseline.sqlite3"))
if engine.dialect.name == "sqlite":
    @event.listens_for(engine, "connect")
    def same_pragmas_as_the_app(dbapi_conn, _record):
        """The app's own SQLite settings (survey_app/web/database.py), so the comparison is like for like."""
        for pragma in ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

Base.metadata.create_all(engine)
app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello"


@app.post("/insert")
def insert_row():
    with engine.begin() as conn:
        conn.execute(insert(Row).values(name=request.form.get("name", "")[:100]))
    return "ok"
