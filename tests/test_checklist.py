"""The Co-production Checklist on the door tablet: one question a page, anonymous, nothing required."""
import html
import re
from dataclasses import fields
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from lucide import get_icon_list
from sqlalchemy import DateTime, SmallInteger, String, Text, func, inspect, select

from forms.checklist import (
    ANSWERS,
    CHECKLIST,
    COMMENTS,
    FIELDS,
    GROUP_LABELS,
    HERE_AS,
    HERE_AS_GROUPS,
    HERE_AS_STEP,
    NOT_SAID,
    PAYMENT,
    QUESTIONS,
    SCALE,
    SCALED,
    STEPS,
)
from forms.door import ChecklistForm
from forms.validators import MaxLength
from survey_app.insight.results import PaymentTally
from survey_app.models import ChecklistResponse, Role
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.door_helpers import start_door_mode

# The Co-production Checklist in the Charter ("Learning as we go"), word for word.
CHARTER_CHECKLIST = [
    "What did we achieve or get done? / The meeting had purpose and the actions from it will make a difference",
    "What are the outcomes from the meeting or session? Was the meeting worthwhile for everyone? What joint "
    "decisions were made?",
    "How did it feel to be part of the meeting or session? Was everyone welcomed, included, and valued?",
    "Were we inclusive, did we respect everyone and the importance of their part in the work?",
    "Was the meeting/session accessible for everyone?",
    "Was everyone clear about/offered payment or thanks in some other way?",
    "What do we need to change for next time?",
]


@pytest.fixture
def door(door, sample):
    """The conftest door tablet, its meeting started an hour ago."""
    sample["meeting"].starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return door


class _Form(HTMLParser):
    """What a checklist page's form holds: its hidden fields, its radio buttons (with their labels' words and
    whether each sits in a fieldset), the fieldset's legend, and the text areas."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.hidden, self.radios, self.labels, self.textareas = {}, [], {}, {}
        self.legends, self.fieldsets, self._label, self._legend, self._textarea = [], 0, None, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self._legend = []
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.radios.append({**a, "in_fieldset": self.fieldsets > 0, "checked": "checked" in a})
        elif tag == "label":
            self._label = (a.get("for"), [])
        elif tag == "textarea":
            self._textarea = (a["name"], [])

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self.fieldsets -= 1
        elif tag == "legend":
            self.legends.append(" ".join("".join(self._legend).split()))
            self._legend = None
        elif tag == "label" and self._label:
            self.labels[self._label[0]] = " ".join("".join(self._label[1]).split())
            self._label = None
        elif tag == "textarea":
            self.textareas[self._textarea[0]] = "".join(self._textarea[1])
            self._textarea = None

    def handle_data(self, data):
        for part in (self._legend, self._label and self._label[1], self._textarea and self._textarea[1]):
            if part is not None:
                part.append(data)

    def choices(self):
        """(value, words, checked) of each radio button."""
        return [(r["value"], self.labels[r["id"]], r["checked"]) for r in self.radios]

    def chosen(self):
        return next((r["value"] for r in self.radios if r["checked"]), None)


def carried(page):
    """What the page will send back with nothing changed: every hidden field (the other answers and the
    tokens), the radio button already chosen, and what is in the text boxes."""
    form = _Form(page)
    data = {**form.hidden, **form.textareas}
    if form.radios and form.chosen() is not None:
        data[form.radios[0]["name"]] = form.chosen()
    return data


def step(door, page, number, **extra):
    response = door.post(f"/door/checklist/{number}", data={**carried(page), **extra})
    return response


def drawn(page, icon):
    """The Lucide picture is on the page (drawn in full, or once as a <symbol> and reused)."""
    return re.search(rf'lucide-{re.escape(icon)} |id="sym-{re.escape(icon)}"', page) is not None


def text(page):
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", page))


def test_walk_the_whole_checklist(door, sample):
    """Choose, say more, then Next: the answers stored are the same values as ever."""
    page = door.get("/door/checklist").get_data(as_text=True)
    assert "Question 1 of 7" in text(page) and "Did we get things done?" in page
    for word in ("Not at all", "Not really", "A bit", "Mostly", "Yes, completely", "Skip this question"):
        assert word in page
    page = step(door, page, 1, achieved="4", achieved_more="We agreed the bus leaflet", next="1").get_data(
        as_text=True)
    assert "What came out of the meeting?" in page and "Question 2 of 7" in text(page)
    page = step(door, page, 2, outcomes="A plan for easy read letters", next="1").get_data(as_text=True)
    page = step(door, page, 3, feeling="5", next="1").get_data(as_text=True)
    assert "Question 4 of 7" in text(page) and "Did everyone get a fair chance to take part?" in page
    page = step(door, page, 4, inclusive="2", skip="1").get_data(as_text=True)  # chose, then skipped
    page = step(door, page, 5, accessible="2", accessible_more="The lift was broken", next="1").get_data(
        as_text=True)
    assert "Did you know how we would thank you?" in page
    assert [(v, w) for v, w, _ in _Form(page).choices()] == [("yes", "Yes"), ("not_sure", "Not sure"),
                                                             ("no", "No")]
    page = step(door, page, 6, payment_clear="not_sure", next="1").get_data(as_text=True)
    assert "Question 7 of 7" in text(page)
    page = step(door, page, 7, change="Start at 11, not 10", next="1").get_data(as_text=True)
    assert "I am here as..." in page and "Send my answers" in page
    response = step(door, page, 8, here_as="carer", next="1")
    assert response.headers["Location"] == "/door/thanks"
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.achieved_more, r.outcomes, r.feeling, r.inclusive, r.accessible, r.accessible_more,
            r.payment_clear, r.change, r.here_as) == (
        4, "We agreed the bus leaflet", "A plan for easy read letters", 5, None, 2, "The lift was broken",
        "not_sure", "Start at 11, not 10", "carer")
    assert r.meeting_id == sample["meeting"].id and r.responded_on == london_today()
    # a replay of the last page stores nothing more
    step(door, page, 8, here_as="carer", next="1")
    assert db.session.scalar(select(func.count()).select_from(ChecklistResponse)) == 1


def test_each_question_with_choices_is_a_radio_group(door):
    """A fieldset whose legend is the question (the page's one h1), one radio button per answer with its own
    words and picture, no submit button per answer, then "Tell us more" and Next."""
    page = door.get("/door/checklist").get_data(as_text=True)
    seen = []
    for number, s in enumerate(CHECKLIST, start=1):
        form = _Form(page)
        if s.kind in ANSWERS:
            assert form.legends == [s.question], s.field
            assert re.search(r"<legend><h1[^>]*>.*?</h1></legend>", page, re.S)
            assert [(v, w) for v, w, _ in form.choices()] == [(a.value, str(a.label)) for a in ANSWERS[s.kind]]
            assert {r["name"] for r in form.radios} == {s.field} and all(r["in_fieldset"] for r in form.radios)
            assert s.field not in form.hidden  # the radio group carries this answer, not a hidden field
            assert 'name="answer"' not in page and "aria-pressed" not in page.split("<main")[1]
            # each answer its own picture (Lucide, drawn inline), plus one beside the question
            for icon in (s.icon, *(a.icon for a in ANSWERS[s.kind])):
                assert drawn(page, icon), icon
            assert ("Tell us more (you can leave this empty)" in page) == bool(s.more)
        else:
            assert form.radios == [] and form.legends == [] and s.field in form.textareas
        seen.append(s.field)
        page = step(door, page, number, next="1").get_data(as_text=True)
    assert seen == [s.field for s in CHECKLIST]


def test_everything_can_be_skipped_and_going_back_keeps_answers(door):
    page = door.get("/door/checklist").get_data(as_text=True)
    page = step(door, page, 1, achieved="3", achieved_more="Good", next="1").get_data(as_text=True)
    page = step(door, page, 2, back="1", outcomes="typed then went back").get_data(as_text=True)
    assert "Question 1 of 7" in text(page)
    form = _Form(page)
    assert form.chosen() == "3" and form.textareas["achieved_more"] == "Good"
    assert form.hidden["outcomes"] == "typed then went back"
    page = step(door, page, 1, next="1").get_data(as_text=True)
    page = step(door, page, 2, next="1").get_data(as_text=True)
    page = step(door, page, 3, feeling="1", back="1").get_data(as_text=True)  # chosen, then Back: kept
    page = step(door, page, 2, next="1").get_data(as_text=True)
    assert _Form(page).chosen() == "1"
    for number in range(3, 9):
        response = step(door, page, number, skip="1")
        page = response.get_data(as_text=True)
    assert response.headers["Location"] == "/door/thanks"
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.achieved_more, r.outcomes, r.feeling, r.payment_clear, r.here_as) == (
        3, "Good", "typed then went back", None, None, None)


def test_only_the_charters_seven_are_numbered(door):
    """Question 1 of 7 ... 7 of 7; "I am here as" is about the person and says so."""
    page = door.get("/door/checklist").get_data(as_text=True)
    for number in range(1, 8):
        assert f"Question {number} of 7" in text(page)
        page = step(door, page, number, skip="1").get_data(as_text=True)
    words = text(page)
    assert "of 7" not in words and "of 8" not in words and "Question" not in words.split("Skip this")[0]
    assert "About you" in words and "This is not a question about the meeting." in words
    assert "You can skip it." in words and _Form(page).legends == ["I am here as..."]
    assert [(v, w) for v, w, _ in _Form(page).choices()] == [(a.value, str(a.label)) for a in HERE_AS]


def test_a_page_from_before_the_radio_groups_still_counts(door):
    """A tablet that had the old page open (answers sent by a button named "answer") loses nothing."""
    page = door.get("/door/checklist").get_data(as_text=True)
    page = step(door, page, 1, answer="5").get_data(as_text=True)
    assert "Question 2 of 7" in text(page) and _Form(page).hidden["achieved"] == "5"


def test_the_charters_own_words_are_kept_beside_the_easy_read_ones():
    """Each of the seven has the Charter's checklist wording (charter.txt, "Learning as we go"), word for word;
    the easy-read question is short and asks one thing."""
    assert [str(s.charter) for s in QUESTIONS] == CHARTER_CHECKLIST
    assert [s.field for s in CHECKLIST if s.charter is None] == [HERE_AS_STEP]
    for s in CHECKLIST:
        assert str(s.question).count("?") <= 1 and len(str(s.question).split()) <= 10, s.question
        assert all(len(sentence.split()) <= 12 for sentence in re.split(r"[.?!]", str(s.hint))), s.hint
    for a in (*SCALE, *PAYMENT, *HERE_AS):
        assert a.icon.isascii() and a.icon in get_icon_list(), a  # a Lucide name, never an emoji


def test_made_up_answers_are_ignored(door):
    page = door.get("/door/checklist").get_data(as_text=True)
    data = {**carried(page), "achieved": "99", "payment_clear": "maybe", "here_as": "<script>"}
    assert door.post("/door/checklist/2", data={**data, "back": "1"}).status_code == 200  # shown, nothing chosen
    response = door.post("/door/checklist/8", data={**data, "here_as": "mayor", "next": "1"})
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
    assert set(columns) - {"id", "meeting_id", "responded_on", "channel"} == set(FIELDS)
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
    step(door, page, 8, here_as="staff", next="1")
    with door.session_transaction() as sess:
        assert "achieved" not in str(dict(sess)) and "staff" not in str(sess.get("visit", {}))
    # The door session holds the meeting and the tablet's random id (issue 12: searches counted per tablet).
    assert before.get("door") == {"m": sample["meeting"].id, "t": before["door"]["t"]}
    assert len(before["door"]["t"]) >= 20


def test_answers_being_given_when_the_meetings_day_ends_are_still_saved(app, door, sample):
    """Door mode ends with the meeting's day, but a checklist already open on the tablet at midnight is
    saved the next day: the answers are anonymous, pay nobody, and are never thrown away."""
    page = door.get("/door/checklist").get_data(as_text=True)
    page = step(door, page, 1, achieved="4", next="1").get_data(as_text=True)
    meeting = sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=1, hours=3)  # the meeting was yesterday
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    app.extensions.pop("door_meetings", None)  # as after the per-process cache's seconds have passed
    for number in range(2, 8):
        page = step(door, page, number, skip="1").get_data(as_text=True)
    response = step(door, page, 8, here_as="carer", next="1")
    assert response.headers["Location"] == "/door/thanks"
    assert db.session.scalar(select(ChecklistResponse.achieved)) == 4
    # A new checklist is not started the day after, nor anything else.
    assert door.get("/door/checklist").headers["Location"] == "/door/"
    assert door.get("/door/sign-in").headers["Location"] == "/door/"
