"""Create and change records with an AuditEvent for each; the caller commits once."""
from ..web.extensions import db
from . import audit


def create(model_cls, **values):
    obj = model_cls(**values)
    _before_save(obj)
    db.session.add(obj)
    audit.record("create", obj, after=audit.snapshot(obj))
    return obj


def update(obj, **values) -> bool:
    """Apply values; returns whether anything changed (an unchanged save writes no event)."""
    before = audit.snapshot(obj)
    for key, value in values.items():
        setattr(obj, key, value)
    _before_save(obj)
    after = audit.snapshot(obj)
    if after == before:
        return False
    audit.record("update", obj, before=before, after=after)
    return True


def _before_save(obj) -> None:
    refresh = getattr(obj, "refresh_search_name", None)
    if refresh:
        refresh()


def name_taken(model_cls, name: str, exclude_id: int | None = None) -> bool:
    """Whether another record of this kind already has this name, ignoring case."""
    from sqlalchemy import func, select

    query = select(model_cls.id).where(func.lower(model_cls.name) == name.lower())
    if exclude_id:
        query = query.where(model_cls.id != exclude_id)
    return db.session.scalar(query) is not None
