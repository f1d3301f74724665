"""When the database cannot answer: a plain "Please try again" page (503), never a traceback.

Two kinds of trouble, told apart because they need different people to act:

- busy or unavailable (SQLite locked for longer than the busy timeout, PostgreSQL stopped, restarting
  or unreachable, the pool exhausted): the person can simply try again in a moment;
- the database cannot be written at all (the SQLite file or its folder read-only, the disk full):
  trying again will not help until the person who looks after the server fixes it.

Either way the failed transaction is rolled back, so nothing half-written remains; and for a POST
the page carries everything the person typed in a form that re-posts to the same address, with a
fresh CSRF token. A door form's one-time token was rolled back with the rest, so the re-post saves
exactly once. The page never touches the database (no current_user, no staff navigation).
"""
import logging

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from .extensions import db

log = logging.getLogger(__name__)

BUSY, STORAGE = "busy", "storage"
RETRY_AFTER_SECONDS = {BUSY: 10, STORAGE: 300}
# What SQLite says when it cannot write its file at all, and when it is merely busy.
SQLITE_STORAGE = ("readonly", "read-only", "disk is full", "disk i/o error", "unable to open database file")
SQLITE_BUSY = ("locked", "busy")
# PostgreSQL: disk full (53100). Its other OperationalErrors (shut down, too many connections, a lost
# connection, a deadlock, a cancelled statement) pass: trying again is the answer.
PG_STORAGE_STATES = {"53100"}
# Where participants are (the large, simple layout); everything else is a staff page.
PARTICIPANT_BASES = (("/door", "door/base.html"), ("/invite", "invite/base.html"),
                     ("/have-your-say", "invite/base.html"), ("/public", "invite/base.html"))
STAFF_BASE = "errors/plain_base.html"
# Never echoed back into a page, even hidden.
SECRET_FIELDS = ("csrf_token", "password")


def classify(error: Exception) -> str | None:
    """BUSY, STORAGE, or None for a database error that is a bug rather than an outage."""
    if isinstance(error, PoolTimeoutError):
        return BUSY
    orig = getattr(error, "orig", None)
    message = str(orig if orig is not None else error).lower()
    if getattr(error, "connection_invalidated", False):
        return BUSY
    if _is_sqlite(error):
        if any(words in message for words in SQLITE_STORAGE):
            return STORAGE
        if any(words in message for words in SQLITE_BUSY):
            return BUSY
        return None  # "no such table" and the like are OperationalErrors too, but they are bugs
    if getattr(orig, "sqlstate", None) in PG_STORAGE_STATES:
        return STORAGE
    return BUSY


def _is_sqlite(error: Exception) -> bool:
    orig = getattr(error, "orig", None)
    return type(orig).__module__.startswith("sqlite3") if orig is not None else False


def cause(error: Exception) -> str:
    """A short, loggable description: the driver's class and the first line of its message (never
    the SQL statement or its parameters, which may hold what a person typed)."""
    orig = getattr(error, "orig", None) or error
    first_line = (str(orig).strip().splitlines() or [""])[0][:200]
    return f"{type(orig).__name__}: {first_line}" if first_line else type(orig).__name__


def layout_for(path: str) -> str:
    for prefix, base in PARTICIPANT_BASES:
        if path == prefix or path.startswith(prefix + "/"):
            return base
    return STAFF_BASE


def kept_fields() -> list[tuple[str, str]]:
    """What the person posted, to send again: every value of every field but the secret ones."""
    if request.method != "POST":
        return []
    return [(name, value) for name, values in request.form.lists()
            if not any(secret in name.lower() for secret in SECRET_FIELDS) for value in values]


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool throws it away
        log.debug("rollback after a database outage failed", exc_info=True)


def database_unavailable(error: Exception):
    kind = classify(error)
    if kind is None:
        raise error  # a bug, not an outage: the ordinary 500 handling (and tests) see it
    _rollback()
    where = f"{request.method} {request.endpoint or '?'}"  # the endpoint, not the URL: links hold tokens
    if kind == STORAGE:
        log.error("The database cannot be written (%s) during %s: the database file or its folder is read-only, "
                  "or the disk is full. Nothing was saved; fix the storage and the app recovers by itself.",
                  cause(error), where)
    else:
        log.warning("The database is busy or unavailable (%s) during %s; answered 503, nothing was saved.",
                    cause(error), where)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS[kind])}
    if request.endpoint == "auth.health":
        return {"status": "database unavailable"}, 503, headers
    return _page(kind), 503, headers


def _page(kind: str) -> str:
    participant = layout_for(request.path) != STAFF_BASE
    if "_login_user" not in g:
        # Flask-Login's template context would load the staff session from the database that just failed.
        # Flask-Login internal: g._login_user is its private per-request cache of current_user, filled here
        # with an anonymous user so that its _get_user() never calls _load_user(). This serves the rule that
        # the 503 page never touches the database (tests/test_faults.py), not a speed figure: there is no
        # bench target for it. Held by the Flask-Login pin; checked by tests/test_library_internals.py.
        g._login_user = current_app.login_manager.anonymous_user()
    if kind == STORAGE:
        title = _("Please try again later")
        message = _("We could not save that because the hub's storage is full or cannot be written to. "
                    "Nothing has been lost from this page.")
        action = (_("Please ask a member of staff for help.") if participant else
                  _("Please tell the person who looks after the hub's server. When they have fixed it, "
                    "press Try again."))
    else:
        title = _("Please try again")
        message = (_("We could not save that just now. Nothing has been lost: press Try again in a moment.")
                   if request.method == "POST" else
                   _("We could not open this page just now. Press Try again in a moment."))
        action = ""
    try:
        return render_template("errors/unavailable.html", layout=layout_for(request.path), title=title,
                               message=message, action=action, fields=kept_fields(), method=request.method,
                               retry_url=request.full_path.rstrip("?"))
    except Exception:  # the page itself must never fail; fall back to bare words
        log.exception("The 'please try again' page could not be drawn")
        return f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p>"


DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)


def init_app(app: Flask) -> None:
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)
