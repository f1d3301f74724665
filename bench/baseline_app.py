"""The bare baselines: a Flask "hello" and a bare Flask + SQLAlchemy insert, served like the real app."""
import os

from flask import Flask, request
from sqlalchemy import Column, Integer, String, create_engine, insert
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Row(Base):
    __tablename__ = "bench_row"
    id = Column(Integer, primary_key=True)
    name = Column(String(100))


engine = create_engine(os.environ.get("BENCH_BASELINE_DB", "sqlite:////tmp/hub-bench-baseline.sqlite3"))
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
