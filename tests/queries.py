"""Counting SQL statements, for tests that pages do not grow their queries with the data (no N+1)."""
from contextlib import contextmanager

from sqlalchemy import event

from survey_app.web.extensions import db


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
