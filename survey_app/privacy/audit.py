"""Write AuditEvents; the event joins the caller's transaction.

A create, change or delete of a record goes through privacy/records.py, which takes the snapshots.
record() by hand is for the rest: looks at personal data, downloads, door events, erasure, merging and
a person's voices (a set of rows, not columns)."""
import enum
from datetime import date, datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import insert, inspect

from ..models import AuditEvent
from ..web.extensions import db

# Never copied into the audit trail: hashes, a personal link's token, a meeting link's and the key in a
# person's "stop messages like this" links (keys to the links).
SECRET_COLUMNS = {"password_hash", "token_hash", "token", "feedback_token", "message_token"}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def snapshot(obj) -> dict[str, Any]:
    """The record's column values, JSON-ready, without secrets."""
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }


def record(action: str, obj, before: dict | None = None, after: dict | None = None, user=None) -> AuditEvent:
    """Add an AuditEvent for `obj` to the session (flushes so new objects have their id)."""
    db.session.flush()
    user = _acting(user)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = _event(action, obj, before, after, user)
    db.session.add(event)
    return event


def record_each(action: str, objs, after_of) -> None:
    """One event per record with after=after_of(record), written by one batch insert (no ids returned), so
    a page that shows many records (the letters batch) makes a fixed number of queries."""
    db.session.flush()
    user = _acting(None)
    rows = [{column: getattr(event, column) for column in ("user_id", "action", "record_type", "record_id", "after")}
            for event in (_event(action, obj, None, after_of(obj), user) for obj in objs)]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def _acting(user):
    if user is None and current_user and getattr(current_user, "is_authenticated", False):
        return current_user
    return user


def _event(action: str, obj, before, after, user) -> AuditEvent:
    return AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        record_type=type(obj).__name__,
        record_id=str(inspect(obj).identity[0]) if inspect(obj).identity else "",
        before=before,
        after=after,
    )
