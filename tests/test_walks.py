"""Walks over every route in app.url_map, filled with real ids and personal-link tokens from the demo data
(`flask demo load`), each request made by a visitor who may use that route (admin, finance, the door
tablet, or nobody for public and personal-link pages):

- a POST without a valid CSRF token is refused and changes nothing in any table;
- a GET or HEAD changes nothing in any table, except the audit entries that record a look at (or a
  download of) personal data, which are the point of those pages.

"Changes nothing" is checked on the content of every table, not only row counts: a digest of every row.
"""
import hashlib

import pytest
from sqlalchemy import func, select

from survey_app.access.accounts import issue_setup_token
from survey_app.models import (
    AccessNeed,
    Action,
    AgendaItem,
    AuditEvent,
    Decision,
    FinanceReturn,
    Invitation,
    Meeting,
    Message,
    Organisation,
    Person,
    RecognitionLine,
    Role,
    Suggestion,
    User,
)
from survey_app.models.base import utcnow
from survey_app.participation.invitations import make_links
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import start_door_mode

# A staff session's "last seen" moves on every page a signed-in user opens (the idle time-out); that is
# the session working, not the page changing anything.
MOVES_ON_EVERY_REQUEST = {"staff_session": {"last_seen_at"}}

# Plausible answers for every form field the service has, so that a POST the CSRF check let through
# would have something to save.
PAYLOAD = {
    "name": "Walk Test", "first_name": "Walk", "last_name": "Test", "preferred_name": "Walky",
    "email": "walk.test@example.org", "phone": "07700 900555", "address": "1 Walk Road", "role": "carer",
    "kind": "voluntary", "title": "Walked in", "purpose": "A walk", "text": "Walk suggestion",
    "description": "Walk", "note": "Walk note", "reason": "Walk reason", "explanation": "Walk",
    "payee_ref": "WALK-1", "amount": "12.50", "hours": "2", "miles": "10", "value": "5",
    "date": "2026-06-30", "paid_on": "2026-06-30", "talked_on": "2026-06-30", "noted_on": "2026-06-30",
    "activity_on": "2026-06-30", "applies_from": "2026-04-06", "due_on": "2026-07-30", "period_to": "",
    "with_whom": "Sam", "status": "planned", "consent": "y", "confirm": "y", "active": "y", "arranged": "y",
    "contact_method": "email", "information_format": "standard", "language": "pl", "lang": "pl",
    "remember": "no", "need_bsl": "y", "need_large_print": "y", "pick": "1", "here_as": "carer",
    "password": PASSWORD, "current": PASSWORD, "change": "y", "year": "2026", "q": "a",
    "start_time": "10:00", "end_time": "12:00", "venue_name": "Walk Hall", "cost_code": "WALK",
}


def snapshot() -> dict[str, tuple[int, str]]:
    """(row count, digest of every row) for every table."""
    db.session.rollback()  # see what the requests committed
    state = {}
    for table in db.metadata.sorted_tables:
        skip = MOVES_ON_EVERY_REQUEST.get(table.name, set())
        columns = [c for c in table.columns if c.name not in skip]
        rows = db.session.execute(select(*columns)).all()
        digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        state[table.name] = (len(rows), digest)
    return state


def looks(before: int) -> list[str]:
    """Audit actions written since `before` (the highest id then)."""
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before)).all()


@pytest.fixture
def walk(app, runner, make_user):
    """Demo data, personal links for a meeting, one of each visitor, and real values for every URL part."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    meeting = db.session.scalar(select(Meeting).join(AccessNeed, AccessNeed.meeting_id == Meeting.id)
                                .where(Meeting.starts_at > utcnow()).order_by(Meeting.starts_at))
    make_links(meeting)
    setup_token = issue_setup_token()
    db.session.commit()
    admin_user, finance_user, organiser_user = make_user(Role.ADMIN), make_user(Role.FINANCE), make_user(Role.ORGANISER)

    def signed_in(user):
        client = app.test_client()
        assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        return client

    admin, finance = signed_in(admin_user), signed_in(finance_user)
    door = signed_in(organiser_user)
    start_door_mode(door, meeting.id)
    first = lambda model, *where: db.session.scalar(select(model.id).where(*where).order_by(model.id))  # noqa: E731
    values = {
        "person_id": first(Person), "meeting_id": meeting.id, "group_id": meeting.group_id,
        "org_id": first(Organisation), "action_id": first(Action), "suggestion_id": first(Suggestion),
        "need_id": first(AccessNeed, AccessNeed.meeting_id == meeting.id),
        "line_id": first(RecognitionLine, RecognitionLine.return_id.is_(None)),
        "number": db.session.scalar(select(FinanceReturn.number).where(FinanceReturn.paid_on.is_(None))),
        "user_id": first(User, User.id != admin_user.id), "kind": "payment", "filename": "css/app.css",
        # An English speaker's link: the pages below are checked for English words.
        "token": db.session.scalar(select(Invitation.token).join(Person, Person.id == Invitation.person_id)
                                   .where(Invitation.meeting_id == meeting.id, Person.language == "en")
                                   .order_by(Invitation.id)),
        "invitation_id": first(Invitation, Invitation.meeting_id == meeting.id),
        "item_id": first(AgendaItem, AgendaItem.meeting_id == meeting.id) or first(AgendaItem),
        "decision_id": first(Decision), "message_id": first(Message),
    }
    assert None not in values.values(), values
    values["setup_token"] = setup_token
    values["key"] = "sex"  # an equality question (insight/equality.py QUESTIONS)
    values["feedback_token"] = db.session.scalar(select(Meeting.feedback_token).where(
        Meeting.feedback_token.is_not(None)).order_by(Meeting.id))  # a meeting's "how did it go" link (demo)
    return {"admin": admin, "finance": finance, "door": door, "anyone": app.test_client(), "values": values}


def visitor(app, walk, rule):
    """The client that may use this route."""
    allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", "public")
    if allowed == "door":
        return walk["door"]
    if allowed in ("public", "personal-link"):
        return walk["anyone"]
    return walk["admin"] if Role.ADMIN in allowed else walk["finance"]


def url_for_rule(rule, values) -> str:
    args = {k: values["setup_token" if rule.endpoint == "auth.setup" else k] for k in rule.arguments}
    if rule.endpoint.startswith("invite.meeting_link"):
        args["token"] = values["feedback_token"]
    if rule.endpoint in ("door.checklist_step", "invite.checklist_step", "invite.meeting_link_step"):
        args["number"] = 1
    return rule.build(args, append_unknown=False)[1]


def test_every_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, walk):
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) > 40  # every POST route, not one
    before = snapshot()
    door_rules = 0
    for rule in rules:
        client, url = visitor(app, walk, rule), url_for_rule(rule, walk["values"])
        door_rules += client is walk["door"]
        for token in ({}, {"csrf_token": "not-a-token"}):
            response = client.post(url, data={**PAYLOAD, **token})
            page = response.get_data(as_text=True)
            if rule.endpoint == "auth.setup":  # its link stops working once there is an admin
                assert response.status_code == 404, url
            elif response.status_code == 302:  # a view that shows its errors on the page it came from
                assert getattr(app.view_functions[rule.endpoint], "keeps_input", False), url
            elif getattr(app.view_functions[rule.endpoint], "csrf_refused", None):  # the door tablet's script
                assert response.status_code == 400 and "For your security" in response.get_json()["error"], url
            else:  # the form again with what was typed and what went wrong, or the "open too long" page
                assert response.status_code == 400, f"{url}: {response.status_code}"
                assert "This page was open for a long time" in page or "There is a problem" in page, url
        assert snapshot() == before, f"POST {url} without a valid CSRF token changed the database"
    assert door_rules >= 10
    # Still signed in and still a door tablet: the refused logout and exit did nothing either.
    assert walk["admin"].get("/dashboard").status_code == 200
    assert walk["door"].get("/door/").status_code == 200


@pytest.mark.parametrize("method", ["get", "head"])
def test_no_route_changes_state_on_get(app, walk, method):
    """The only writes a GET may make are audit events recording that someone looked at or downloaded
    personal data (support needs, records, a finance return): who saw what is itself a record we keep."""
    before = snapshot()
    last_event = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    walked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        client, url = visitor(app, walk, rule), url_for_rule(rule, walk["values"])
        response = getattr(client, method)(url)
        response.close()  # a streamed download holds its request context until it is closed, as a server does
        assert response.status_code < 500, f"{url}: {response.status_code}"
        walked += response.status_code == 200
    after = snapshot()
    actions = looks(last_event)
    assert [a for a in actions if not a.startswith(("view", "download"))] == []
    before.pop("audit_event"), after.pop("audit_event")
    assert after == before
    assert walked > 60 and any(a.startswith("view") for a in actions)
