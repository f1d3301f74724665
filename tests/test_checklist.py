"""The Co-production Checklist on the door tablet: one question a page, anonymous, nothing required."""
import contextlib
from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import DateTime, SmallInteger, String, Text, func, inspect, select

from forms.checklist import (
    ANSWERS,
    CHECKLIST,
    COMMENTS,
    FIELDS,
    GROUP_LABELS,
    HERE_AS,
    HERE_AS_GROUPS,
    NOT_SAID,
    PAYMENT,
    SCALED,
    STEPS,
)
from forms.door import ChecklistForm
from forms.validators import MaxLength
from survey_app.insight.results import PaymentTally
from survey_app.models import ChecklistResponse, Role
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.door_helpers import hidden, start_door_mode


@pytest.fixture
def door(door, sample):
    """The conftest door tablet, its meeting started an hour ago."""
    sample["meeting"].starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return door


def carried(page):
    """What the page will send back: every hidden answer plus the tokens."""
    data = {name: hidden(page, name) for name in ("csrf_token", "form_token")}
    for name in FIELDS:
        with contextlib.suppress(AssertionError):
            data[name] = hidden(page, name)
    return data


def step(door, page, number, **extra):
    response = door.post(f"/door/checklist/{number}", data={**carried(page), **extra})
    return response


def test_walk_the_whole_checklist(door, sample):
    page = door.get("/door/checklist").get_data(as_text=True)
    assert "Question 1 of 8" in page and "Did we get things done?" in page
    for word in ("Not at all", "Not really", "A bit", "Mostly", "Yes, completely", "Skip this question"):
        assert word in page
    page = step(door, page, 1, answer="4", achieved_more="We agreed the bus leaflet").get_data(as_text=True)
    assert "What came out of the meeting?" in page
    page = step(door, page, 2, outcomes="A plan for easy read letters", next="1").get_data(as_text=True)
    page = step(door, page, 3, answer="5").get_data(as_text=True)
    page = step(door, page, 4, skip="1").get_data(as_text=True)
    page = step(door, page, 5, answer="2", accessible_more="The lift was broken").get_data(as_text=True)
    assert "Were you clear about payment or other thanks for your time?" in page
    assert "Not sure" in page
    page = step(door, page, 6, answer="not_sure").get_data(as_text=True)
    page = step(door, page, 7, change="Start at 11, not 10", next="1").get_data(as_text=True)
    assert "I am here as..." in page and "Send my answers" in page
    response = step(door, page, 8, answer="carer")
    assert response.headers["Location"] == "/door/thanks"
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.achieved_more, r.outcomes, r.feeling, r.inclusive, r.accessible, r.accessible_more,
            r.payment_clear, r.change, r.here_as) == (
        4, "We agreed the bus leaflet", "A plan for easy read letters", 5, None, 2, "The lift was broken",
        "not_sure", "Start at 11, not 10", "carer")
    assert r.meeting_id == sample["meeting"].id and r.responded_on == london_today()
    # a replay of the last page stores nothing more
    step(door, page, 8, answer="carer")
    assert db.session.scalar(select(func.count()).select_from(ChecklistResponse)) == 1


def test_everything_can_be_skipped_and_going_back_keeps_answers(door):
    page = door.get("/door/checklist").get_data(as_text=True)
    page = step(door, page, 1, answer="3").get_data(as_text=True)
    page = step(door, page, 2, back="1", outcomes="typed then went back").get_data(as_text=True)
    assert "Question 1 of 8" in page and 'value="3" class="answer" aria-pressed="true"' in page
    for number in range(1, 9):
        response = step(door, page, number, skip="1")
        page = response.get_data(as_text=True)
    assert response.headers["Location"] == "/door/thanks"
    r = db.session.scalar(select(ChecklistResponse))
    assert r.achieved is None and r.payment_clear is None and r.here_as is None


def test_made_up_answers_are_ignored(door):
    page = door.get("/door/checklist").get_data(as_text=True)
    data = {**carried(page), "achieved": "99", "payment_clear": "maybe", "here_as": "<script>"}
    response = door.post("/door/checklist/8", data={**data, "answer": "mayor"})
    assert response.headers["Location"] == "/door/thanks"
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.payment_clear, r.here_as) == (None, None, None)
    assert door.post("/door/checklist/9", data=carried(page)).status_code == 404


def test_checklist_is_closed_before_the_meeting_starts(client, login_as, sample):
    login_as(Role.ORGANISER)
    start_door_mode(client, sample["meeting"].id)
    assert client.get("/door/checklist").headers["Location"] == "/door/"


def test_a_response_row_cannot_say_who_answered():
    columns = {c.name: c for c in inspect(ChecklistResponse).columns}
    assert {fk.column.table.name for c in columns.values() for fk in c.foreign_keys} == {"meeting"}
    suspicious = [n for n in columns if any(w in n for w in ("person", "attendance", "user", "ip", "agent",
                                                             "device", "session", "token", "created"))]
    assert suspicious == []
    assert not any(isinstance(c.type, DateTime) for c in columns.values())  # a date, never a time


def test_the_checklist_home_the_model_and_the_form_agree(app):
    """forms/checklist.py is the one list of answers: the ChecklistResponse columns and ChecklistForm's fields
    are exactly its FIELDS, each column of the kind its step is answered with."""
    columns = {c.name: c for c in inspect(ChecklistResponse).columns}
    assert set(columns) - {"id", "meeting_id", "responded_on"} == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    with app.test_request_context():
        form = ChecklistForm(meta={"csrf": False})
    assert [f.name for f in form] == ["form_token", *FIELDS]
    for name in FIELDS:
        column = columns[name]
        if name in COMMENTS:
            assert isinstance(column.type, Text) and not column.nullable and column.default.arg == ""
            assert any(isinstance(v, MaxLength) for v in form[name].validators)
        else:
            answers = ANSWERS[STEPS[name].kind]
            assert column.nullable and not form[name].validators
            if name in SCALED:
                assert isinstance(column.type, SmallInteger) and [int(a.value) for a in answers] == [1, 2, 3, 4, 5]
            else:
                assert isinstance(column.type, String) and max(len(a.value) for a in answers) <= column.type.length
    assert set(COMMENTS) == {s.more for s in CHECKLIST if s.more} | {s.field for s in CHECKLIST if s.kind == "text"}
    assert set(STEPS) | set(COMMENTS) == set(FIELDS)
    assert [f.name for f in fields(PaymentTally) if f.name != "skipped"] == [a.value for a in PAYMENT]
    assert set(GROUP_LABELS) == set(HERE_AS_GROUPS) == {a.value for a in HERE_AS} | {NOT_SAID}


def test_the_checklist_never_touches_the_visit(door, sample):
    page = door.get("/door/checklist").get_data(as_text=True)
    with door.session_transaction() as sess:
        before = dict(sess)
    step(door, page, 8, answer="staff")
    with door.session_transaction() as sess:
        assert "achieved" not in str(dict(sess)) and "staff" not in str(sess.get("visit", {}))
    # The door session holds the meeting and the tablet's random id (issue 12: searches counted per tablet).
    assert before.get("door") == {"m": sample["meeting"].id, "t": before["door"]["t"]}
    assert len(before["door"]["t"]) >= 20


def test_answers_being_given_when_the_meetings_day_ends_are_still_saved(app, door, sample):
    """Door mode ends with the meeting's day, but a checklist already open on the tablet at midnight is
    saved the next day: the answers are anonymous, pay nobody, and are never thrown away."""
    page = door.get("/door/checklist").get_data(as_text=True)
    page = step(door, page, 1, answer="4").get_data(as_text=True)
    meeting = sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=1, hours=3)  # the meeting was yesterday
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    app.extensions.pop("door_meetings", None)  # as after the per-process cache's seconds have passed
    for number in range(2, 8):
        page = step(door, page, number, skip="1").get_data(as_text=True)
    response = step(door, page, 8, answer="carer")
    assert response.headers["Location"] == "/door/thanks"
    assert db.session.scalar(select(ChecklistResponse.achieved)) == 4
    # A new checklist is not started the day after, nor anything else.
    assert door.get("/door/checklist").headers["Location"] == "/door/"
    assert door.get("/door/sign-in").headers["Location"] == "/door/"
