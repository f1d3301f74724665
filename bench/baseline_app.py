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


# The bare offline page (bench/door_offline_page.py): one page and a service worker that keeps it, network first
# and the kept copy when the network fails, as the door's worker does, with nothing else to do.
BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Welcome</title></head><body>
<h1>Welcome</h1><nav data-choices><button type="button">Sign in</button></nav>
<script>navigator.serviceWorker.register("/offline-baseline/sw.js");</script></body></html>"""
BARE_WORKER = """const PAGE = "/offline-baseline/";
self.addEventListener("install", (e) => e.waitUntil(caches.open("bare").then((c) => c.add(PAGE))
  .then(() => self.skipWaiting())));
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  if (e.request.mode === "navigate") {
    e.respondWith(fetch(e.request).catch(() => caches.match(PAGE)));
  }
});"""


@app.get("/offline-baseline/")
def offline_baseline_page():
    return BARE_PAGE, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


@app.get("/offline-baseline/sw.js")
def offline_baseline_worker():
    return BARE_WORKER, 200, {"Content-Type": "text/javascript", "Cache-Control": "no-cache"}
