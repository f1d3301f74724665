"""The one way to create, change or delete a record with its AuditEvent. Every event joins the caller's
transaction, and the caller commits once.

- `create(Model, **values)`: a new record from values; `created(obj)` for one built (or flushed) already.
- `update(obj, **values)`: set attributes; an unchanged save writes no event.
- `with changed(obj):` an edit that is more than setting attributes (a guarded UPDATE, a value set only
  when something else changed); `change.any()` inside the block says whether anything has changed yet.
- `delete(obj)`: the event keeps what the record held, then the record goes.

`by` is who did it (the signed-in user when not given); `event` names the action when it is not plain
"create", "update" or "delete" (such as "approve" or "withdraw-link"). Looks at personal data, sign-ins,
erasure and door events are not edits: they call audit.record themselves.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from ..web.extensions import db
from . import audit


def create(model_cls, *, by=None, event: str = "create", **values):
    """A new record of `model_cls` from `values`, added to the session with its event."""
    return created(model_cls(**values), by=by, event=event)


def created(obj, *, by=None, event: str = "create", extra: dict | None = None):
    """Add the new record `obj` (if it is not in the session yet) and write its event; `extra` joins the
    event's `after` (such as how many lines a return holds)."""
    _before_save(obj)
    db.session.add(obj)
    after = audit.snapshot(obj)
    audit.record(event, obj, after=after | extra if extra else after, user=by)
    return obj


def update(obj, *, by=None, event: str = "update", **values) -> bool:
    """Apply values; returns whether anything changed (an unchanged save writes no event)."""
    with changed(obj, by=by, event=event) as change:
        for key, value in values.items():
            setattr(obj, key, value)
    return change.happened


class Change:
    """What `changed` yields: `any()` during the block, `happened` after it."""

    def __init__(self, obj):
        self.obj = obj
        self.before = audit.snapshot(obj)
        self.happened = False

    def any(self) -> bool:
        """Whether any column differs from when the block began."""
        return audit.snapshot(self.obj) != self.before


@contextmanager
def changed(obj, *, by=None, event: str = "update", always: bool = False) -> Iterator[Change]:
    """Snapshot `obj`, run the block, then write the event with the columns that changed. Nothing is
    written when nothing changed, unless `always` (an event worth keeping even when no column it can show
    changed: a new password's hash is never copied). An exception in the block writes nothing."""
    change = Change(obj)
    yield change
    _before_save(obj)
    after = audit.snapshot(obj)
    change.happened = after != change.before
    if change.happened or always:
        audit.record(event, obj, before=change.before, after=after, user=by)


def delete(obj, *, by=None, event: str = "delete") -> None:
    """Write the event with what the record held, then delete it."""
    audit.record(event, obj, before=audit.snapshot(obj), user=by)
    db.session.delete(obj)


def _before_save(obj) -> None:
    refresh = getattr(obj, "refresh_search_name", None)
    if refresh:
        refresh()


def name_taken(model_cls, name: str, exclude_id: int | None = None) -> bool:
    """Whether another record of this kind already has this name, ignoring case."""
    query = select(model_cls.id).where(func.lower(model_cls.name) == name.lower())
    if exclude_id:
        query = query.where(model_cls.id != exclude_id)
    return db.session.scalar(query) is not None
