"""privacy/records.py: the one way to write an audited create, change or delete."""
import pytest
from sqlalchemy import select

from survey_app.models import AuditEvent, Group, Organisation, OrganisationKind
from survey_app.privacy import records
from survey_app.web.extensions import db


def events(record_type: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == record_type)
                              .order_by(AuditEvent.id)).all()


def test_create_update_and_delete_write_one_event_each(app):
    org = records.create(Organisation, name="Halton Carers", kind=OrganisationKind.VOLUNTARY)
    assert records.update(org, name="Halton Carers Centre")
    assert not records.update(org, name="Halton Carers Centre")  # unchanged: no event
    records.delete(org)
    db.session.commit()
    create, update, delete = events("Organisation")
    assert (create.action, create.after["name"], create.before) == ("create", "Halton Carers", None)
    assert (update.before, update.after) == ({"name": "Halton Carers"}, {"name": "Halton Carers Centre"})
    assert (delete.action, delete.before["name"], delete.after) == ("delete", "Halton Carers Centre", None)
    assert create.record_id == update.record_id == delete.record_id != ""


def test_created_names_its_event_and_adds_to_its_after(app):
    group = Group(name="Carers Forum", description="")
    db.session.add(group)
    db.session.flush()
    records.created(group, event="open-group", extra={"note": "from a test"})
    db.session.commit()
    (event,) = events("Group")
    assert (event.action, event.after["id"], event.after["note"]) == ("open-group", group.id, "from a test")


def test_changed_writes_what_changed_in_the_block(app):
    group = records.create(Group, name="Forum", description="")
    with records.changed(group, event="rename") as change:
        assert not change.any()
        group.name = "Carers Forum"
        assert change.any()
    with records.changed(group) as same:
        group.name = "Carers Forum"
    with records.changed(group, event="looked-after", always=True):
        pass
    db.session.commit()
    assert (change.happened, same.happened) == (True, False)
    assert [(e.action, e.before, e.after) for e in events("Group")[1:]] == [
        ("rename", {"name": "Forum"}, {"name": "Carers Forum"}), ("looked-after", {}, {})]


def test_an_error_in_the_block_writes_no_event(app):
    group = records.create(Group, name="Forum", description="")
    with pytest.raises(ValueError), records.changed(group):
        group.name = "Half done"
        raise ValueError("refused")
    assert [e.action for e in events("Group")] == ["create"]
