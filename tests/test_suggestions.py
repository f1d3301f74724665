"""Suggestions: triage rules, votes at the door, the organiser's list and the group's public page."""
import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, insert, select

from survey_app.insight import suggestions
from survey_app.insight.suggestions import SuggestionError
from survey_app.models import (
    AuditEvent,
    Group,
    Meeting,
    MeetingMode,
    Role,
    Suggestion,
    SuggestionStatus,
    SuggestionVote,
)
from survey_app.models.base import LONDON, utcnow
from survey_app.web.extensions import db
from tests.conftest import FORM_TOKEN_RE
from tests.door_helpers import assert_small, hidden, picks
from tests.queries import count_queries

NEW, PLANNED, COVERED, NOT_TAKEN = (SuggestionStatus.NEW, SuggestionStatus.PLANNED, SuggestionStatus.COVERED,
                                    SuggestionStatus.NOT_TAKEN_FORWARD)
REASON_MESSAGE = "Write a reason the person will understand, in plain English."
MEETING_MESSAGE = "Choose which of this group's meetings it is planned for."
VOTE_FORM_RE = re.compile(r'name="form_token" value="([^"]+)">\s*<input type="hidden" name="suggestion" '
                          r'value="(\d+)">')


def add(group, what="Buses to the hospital", status=NEW, name="", why="", source="door", created_at=None,
        **values) -> Suggestion:
    suggestion = Suggestion(group_id=group.id, what=what, why=why, name=name, source=source, status=status,
                            created_at=created_at or utcnow(), **values)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def add_votes(suggestion, anonymous=0, people=()):
    db.session.add_all([SuggestionVote(suggestion_id=suggestion.id) for _ in range(anonymous)]
                       + [SuggestionVote(suggestion_id=suggestion.id, person_id=p.id) for p in people])
    db.session.commit()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def votes(suggestion_id=None, person_id=None):
    db.session.rollback()
    query = select(func.count()).select_from(SuggestionVote)
    if suggestion_id is not None:
        query = query.where(SuggestionVote.suggestion_id == suggestion_id)
    if person_id is not None:
        query = query.where(SuggestionVote.person_id == person_id)
    return db.session.scalar(query)


@pytest.fixture
def other_group():
    group = Group(name="Carers' Forum", description="")
    start = datetime.combine(utcnow().date() + timedelta(days=9), time(14), tzinfo=UTC)
    meeting = Meeting(group=group, title="Carers' breaks", starts_at=start, ends_at=start + timedelta(hours=1),
                      mode=MeetingMode.ONLINE, online_details="A video call link")
    db.session.add_all([group, meeting])
    db.session.commit()
    return {"group": group, "meeting": meeting}


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


# --- Triage rules -------------------------------------------------------------------------------------------

def test_not_taken_forward_needs_a_reason_the_person_will_understand(sample, organiser):
    suggestion = add(sample["group"])
    for reason in ("", "   \n "):
        with pytest.raises(SuggestionError) as error:
            suggestions.triage(suggestion, NOT_TAKEN, organiser, reason=reason)
        assert str(error.value) == REASON_MESSAGE and error.value.field == "reason"
    assert suggestion.status == NEW and suggestion.triaged_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "triage")) == 0


def test_planned_needs_a_meeting_of_the_same_group(sample, organiser, other_group):
    suggestion = add(sample["group"])
    for meeting_id in (None, other_group["meeting"].id, 999_999):
        with pytest.raises(SuggestionError) as error:
            suggestions.triage(suggestion, PLANNED, organiser, planned_meeting_id=meeting_id)
        assert str(error.value) == MEETING_MESSAGE and error.value.field == "planned_meeting"
    assert suggestion.status == NEW
    suggestions.triage(suggestion, PLANNED, organiser, planned_meeting_id=sample["meeting"].id)
    db.session.commit()
    assert (suggestion.status, suggestion.planned_meeting_id) == (PLANNED, sample["meeting"].id)


def test_triage_records_who_and_when_with_an_audit_trail(sample, organiser):
    suggestion = add(sample["group"])
    suggestions.triage(suggestion, "planned", organiser, planned_meeting_id=sample["meeting"].id, reason="ignored")
    db.session.commit()
    assert suggestion.triaged_by_id == organiser.id
    assert utcnow() - suggestion.triaged_at < timedelta(minutes=1)
    assert suggestion.reason == ""  # only published when it answers "why not?"

    suggestions.triage(suggestion, NOT_TAKEN, organiser, planned_meeting_id=sample["meeting"].id,
                       reason="  The council has already decided the bus routes for this year.  ")
    db.session.commit()
    assert (suggestion.status, suggestion.planned_meeting_id, suggestion.reason) == (
        NOT_TAKEN, None, "The council has already decided the bus routes for this year.")

    suggestions.triage(suggestion, COVERED, organiser)
    db.session.commit()
    assert suggestion.reason == ""

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "triage").order_by(AuditEvent.id)).all()
    assert [(e.action, e.record_type, e.record_id, e.user_id) for e in events] == [
        ("triage", "Suggestion", str(suggestion.id), organiser.id)] * 3
    assert events[0].before["status"] == "new" and events[0].after["status"] == "planned"
    assert events[0].after["planned_meeting_id"] == sample["meeting"].id
    assert events[1].before["status"] == "planned" and events[1].after["status"] == "not_taken_forward"
    assert events[1].after["reason"] == "The council has already decided the bus routes for this year."
    assert events[2].before["reason"] != "" and events[2].after == {
        "status": "covered", "reason": "", "triaged_at": events[2].after["triaged_at"]}


# --- Votes ----------------------------------------------------------------------------------------------------

def test_a_person_votes_once_and_each_visit_votes_once(sample, other_group):
    suggestion = add(sample["group"])
    person = sample["person"]
    assert suggestions.vote(suggestion.id, person.id, visit="visit-1") is True
    db.session.commit()
    assert suggestions.vote(suggestion.id, person.id, visit="visit-2") is False
    db.session.commit()
    assert suggestions.vote(suggestion.id, None, visit="visit-1") is False  # the same visit, signed out
    assert suggestions.vote(suggestion.id, None, visit="visit-3") is True
    assert suggestions.vote(suggestion.id, None, visit="visit-4") is True
    db.session.commit()
    assert votes(suggestion.id) == 3 and votes(suggestion.id, person.id) == 1

    closed = add(sample["group"], "Old news", status=COVERED)
    with pytest.raises(SuggestionError):
        suggestions.vote(closed.id, None)
    with pytest.raises(SuggestionError):
        suggestions.vote(suggestion.id, None, group_id=other_group["group"].id)
    with pytest.raises(SuggestionError):
        suggestions.vote(999_999, None)
    assert votes(closed.id) == 0 and votes(suggestion.id) == 3


# --- Lists ----------------------------------------------------------------------------------------------------

def test_triage_list_sorts_by_votes_or_newest_and_filters_by_status(sample, organiser, other_group):
    group, now = sample["group"], utcnow()
    old = add(group, "Old idea", created_at=now - timedelta(days=3))
    popular = add(group, "Popular idea", created_at=now - timedelta(days=2))
    newest = add(group, "Newest idea", created_at=now - timedelta(days=1))
    planned = add(group, "Planned idea", status=PLANNED, planned_meeting_id=sample["meeting"].id,
                  created_at=now - timedelta(days=4))
    add(other_group["group"], "Someone else's idea")
    add_votes(popular, anonymous=3)
    add_votes(newest, anonymous=1)
    add_votes(planned, anonymous=2)

    by_votes = suggestions.triage_list(group.id)
    assert [(r.suggestion.what, r.votes) for r in by_votes] == [
        ("Popular idea", 3), ("Planned idea", 2), ("Newest idea", 1), ("Old idea", 0)]
    assert [r.suggestion.what for r in suggestions.triage_list(group.id, sort="newest")] == [
        "Newest idea", "Popular idea", "Old idea", "Planned idea"]
    assert [r.suggestion.what for r in suggestions.triage_list(group.id, status=NEW)] == [
        "Popular idea", "Newest idea", "Old idea"]
    assert [r.suggestion.what for r in suggestions.triage_list(group.id, limit=2, offset=1)] == [
        "Planned idea", "Newest idea"]
    assert suggestions.status_counts(group.id) == {NEW: 3, PLANNED: 1, COVERED: 0, NOT_TAKEN: 0}
    assert suggestions.waiting_count(group.id) == 3 and suggestions.waiting_count() == 4
    assert suggestions.waiting_by_group() == [(group.id, group.name, 3),
                                              (other_group["group"].id, other_group["group"].name, 1)]
    assert old.id and [r.suggestion.what for r in suggestions.votable_list(group.id)] == [
        "Newest idea", "Popular idea", "Old idea", "Planned idea"]


def _add_many(group, meeting, n):
    db.session.execute(insert(Suggestion), [
        {"group_id": group.id, "what": f"Idea {i}", "why": "Because", "name": "Dorota Nowak" if i % 2 else "",
         "source": "door", "status": PLANNED if i % 3 == 0 else NEW,
         "planned_meeting_id": meeting.id if i % 3 == 0 else None} for i in range(n)])
    ids = db.session.scalars(select(Suggestion.id)).all()
    db.session.execute(insert(SuggestionVote), [{"suggestion_id": sid} for sid in ids[::2]])
    db.session.commit()


def test_the_triage_list_and_page_take_the_same_queries_for_10_or_1000_suggestions(client, login_as, sample):
    group, meeting = sample["group"], sample["meeting"]
    group_id = group.id
    login_as(Role.ORGANISER)

    def measure():
        db.session.expire_all()
        with count_queries() as domain:
            rows = suggestions.triage_list(group_id)
            shown = [(r.suggestion.what, r.votes, r.suggestion.planned_meeting and r.suggestion.planned_meeting.title)
                     for r in rows]
        with count_queries() as page:
            response = client.get(f"/groups/{group_id}/suggestions")
        assert response.status_code == 200
        return len(shown), domain["n"], page["n"]

    _add_many(group, meeting, 10)
    few = measure()
    _add_many(group, meeting, 990)
    many = measure()
    assert (few[0], many[0]) == (10, 1000)
    assert few[1] == many[1] == 1
    assert few[2] == many[2]


# --- Organiser pages ------------------------------------------------------------------------------------------

def test_the_organiser_list_shows_each_suggestion_and_what_happens_to_it(client, login_as, sample):
    group = sample["group"]
    named = add(group, "Buses to the hospital", why="The 62 stopped running", name="Dorota Nowak")
    add(group, "Easy read letters", source="link")
    planned = add(group, "Annual health checks", status=PLANNED, planned_meeting_id=sample["meeting"].id)
    add(group, "Parking charges", status=NOT_TAKEN, reason="The hospital decides parking charges, not us.")
    add_votes(named, anonymous=4)
    login_as(Role.ORGANISER)
    page = text(client.get(f"/groups/{group.id}/suggestions"))
    for text_ in ("Suggestions for Learning Disability Partnership Board", "Buses to the hospital",
                 "The 62 stopped running", "Dorota Nowak", "Anonymous", "At the meeting door",
                 "The group's have-your-say link", "Planned for a meeting", "Health checks",
                 "Not taken forward", "The hospital decides parking charges, not us.", "All (4)", "New (2)",
                 f'href="/suggestions/{named.id}/triage"'):
        assert text_ in page, text_
    assert page.index("Buses to the hospital") < page.index("Easy read letters")  # most votes first
    assert '<td class="num">4</td>' in page

    page = client.get(f"/groups/{group.id}/suggestions?status=planned&sort=newest").get_data(as_text=True)
    assert "Annual health checks" in page and "Buses to the hospital" not in page
    assert f'href="/suggestions/{planned.id}/triage"' in page
    assert client.get("/groups/999999/suggestions").status_code == 404


def test_triaging_on_the_page_says_what_is_missing_then_saves(client, login_as, sample, other_group):
    suggestion = add(sample["group"], name="Dorota Nowak")
    login_as(Role.ORGANISER)
    url = f"/suggestions/{suggestion.id}/triage"
    page = client.get(url).get_data(as_text=True)
    assert "Decide what happens to a suggestion" in page and "Buses to the hospital" in page
    assert f'<option value="{sample["meeting"].id}">Health checks, ' in page
    assert "Carers' breaks" not in html.unescape(page)  # another group's meeting is not offered

    response = client.submit(url, {"status": "not_taken_forward", "reason": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>Error: Decide what happens to a suggestion" in page
    assert REASON_MESSAGE in page and 'href="#reason"' in page

    response = client.submit(url, {"status": "planned", "planned_meeting": str(other_group["meeting"].id)})
    assert response.status_code == 400 and MEETING_MESSAGE in text(response)
    response = client.submit(url, {})
    assert "Choose what happens to this suggestion." in response.get_data(as_text=True)

    response = client.submit(url, {"status": "not_taken_forward", "reason": "We cannot change bus routes."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{sample['group'].id}/suggestions"
    assert "Suggestion saved." in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(suggestion)
    assert (suggestion.status, suggestion.reason) == (NOT_TAKEN, "We cannot change bus routes.")

    response = client.submit(url, {"status": "planned", "planned_meeting": str(sample["meeting"].id)})
    assert response.status_code == 302
    db.session.refresh(suggestion)
    assert (suggestion.status, suggestion.planned_meeting_id) == (PLANNED, sample["meeting"].id)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "triage")) == 2


def test_finance_and_anonymous_visitors_cannot_reach_the_triage_pages(client, login_as, sample):
    suggestion = add(sample["group"])
    urls = (f"/groups/{sample['group'].id}/suggestions", f"/suggestions/{suggestion.id}/triage")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(Role.FINANCE)
    for url in urls:
        assert client.get(url).status_code == 403
    token = client.csrf_token("/account")
    response = client.post(urls[1], data={"csrf_token": token, "status": "covered"})
    assert response.status_code == 403
    db.session.refresh(suggestion)
    assert suggestion.status == NEW


def test_door_mode_cannot_reach_the_triage_or_public_pages(door, sample):
    suggestion = add(sample["group"])
    for url in (f"/groups/{sample['group'].id}/suggestions", f"/suggestions/{suggestion.id}/triage",
                f"/public/groups/{sample['group'].id}/suggestions"):
        response = door.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/door/", url


# --- Voting at the door ---------------------------------------------------------------------------------------

def vote_forms(page: str) -> dict[int, str]:
    """suggestion id -> its form's one-time token, for each 'I want to talk about this' button."""
    return {int(sid): token for token, sid in VOTE_FORM_RE.findall(page)}


def sign_in(door, typed="dor"):
    page = door.submit("/door/sign-in", {"name": typed}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    page = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    page = page.get_data(as_text=True)
    door.post("/door/sign-in/confirm", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick,
                                             "form_token": hidden(page, "form_token")})


def test_the_welcome_screen_offers_a_vote(door):
    page = door.get("/door/").get_data(as_text=True)
    assert 'href="/door/vote"' in page and "Vote for what we talk about" in page


def test_the_tablet_offers_the_groups_new_and_planned_suggestions(door, sample, other_group):
    group = sample["group"]
    new = add(group, "Buses to the hospital", name="Dorota Nowak", why="The 62 stopped running")
    planned = add(group, "Annual health checks", status=PLANNED, planned_meeting_id=sample["meeting"].id)
    add(group, "Already done", status=COVERED)
    add(group, "Not for us", status=NOT_TAKEN, reason="Another board looks after this.")
    add(other_group["group"], "Carers' breaks")
    add_votes(planned, anonymous=2)
    page = text(door.get("/door/vote"))
    assert set(vote_forms(page)) == {new.id, planned.id}
    assert "Buses to the hospital" in page and "Annual health checks" in page
    assert "2 people want to talk about this." in page and "Nobody has voted for this yet." in page
    assert "We plan to talk about this at a meeting." in page
    for hidden_text in ("Already done", "Not for us", "Carers' breaks", "Dorota", "The 62 stopped running"):
        assert hidden_text not in page
    assert page.count("I want to talk about this") == 2


def test_a_double_tap_counts_once_and_anonymous_votes_count(door, sample):
    suggestion = add(sample["group"])
    page = door.get("/door/vote").get_data(as_text=True)
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": vote_forms(page)[suggestion.id],
            "suggestion": str(suggestion.id), "page": "1"}
    for _ in range(3):
        response = door.post("/door/vote", data=data)
        assert response.status_code == 302 and response.headers["Location"] == "/door/vote?said=counted"
    assert votes(suggestion.id) == 1
    assert "Thank you. Your vote is counted." in door.get("/door/vote?said=counted").get_data(as_text=True)

    page = door.get("/door/vote").get_data(as_text=True)  # the same visit, a fresh token: still counted once
    assert "You have voted for this." in page and suggestion.id not in vote_forms(page)
    door.post("/door/start-again", data={"csrf_token": hidden(page, "csrf_token")})
    page = door.get("/door/vote").get_data(as_text=True)  # someone else, not signed in
    door.post("/door/vote", data={**data, "form_token": vote_forms(page)[suggestion.id]})
    assert votes(suggestion.id) == 2
    assert db.session.scalar(select(func.count()).select_from(SuggestionVote)
                             .where(SuggestionVote.person_id.is_not(None))) == 0


def test_a_signed_in_person_votes_once_for_each_suggestion(door, sample):
    suggestion = add(sample["group"])
    other = add(sample["group"], "Easy read letters")
    sign_in(door)
    page = door.get("/door/vote").get_data(as_text=True)
    assert "You are voting as Dorota N." in page
    data = {"csrf_token": hidden(page, "csrf_token"), "suggestion": str(suggestion.id), "page": "1"}
    response = door.post("/door/vote", data={**data, "form_token": vote_forms(page)[suggestion.id]})
    assert response.headers["Location"] == "/door/vote?said=counted"
    assert votes(suggestion.id, sample["person"].id) == 1

    page = door.get("/door/vote").get_data(as_text=True)
    assert set(vote_forms(page)) == {other.id} and "You have voted for this." in page
    response = door.post("/door/vote", data={**data, "form_token": vote_forms(page)[other.id]})  # a fresh token
    assert response.headers["Location"] == "/door/vote?said=already"
    assert "You have already voted for this." in door.get(response.headers["Location"]).get_data(as_text=True)
    assert votes(suggestion.id) == 1


def test_a_closed_suggestion_or_a_broken_form_counts_nothing(door, sample, other_group):
    add(sample["group"], "Open to votes")  # so the page has a form, and a token, to take
    closed = add(sample["group"], status=COVERED)
    elsewhere = add(other_group["group"], "Carers' breaks")
    held = add(sample["group"], "From the open link, not looked at", source="link")
    for target in (closed, elsewhere, held):
        response = door.submit("/door/vote", {"suggestion": str(target.id)})
        assert response.headers["Location"] == "/door/vote?said=closed"
    assert "You cannot vote for this any more." in door.get("/door/vote?said=closed").get_data(as_text=True)
    response = door.submit("/door/vote", {"suggestion": "not a number"})
    assert response.status_code == 400
    assert "<title>Error: Vote for what we talk about" in response.get_data(as_text=True)
    token = FORM_TOKEN_RE.search(door.get("/door/vote").get_data(as_text=True)).group(1)
    response = door.post("/door/vote", data={"csrf_token": "old", "form_token": token, "suggestion": "1"})
    assert response.status_code == 400 and "This page was open for a long time" in response.get_data(as_text=True)
    assert votes() == 0


def test_the_vote_page_is_only_for_the_tablet_and_stays_small(client, door, sample):
    for i in range(12):
        add(sample["group"], f"An idea with a fairly long description, number {i}, " * 4)
    response = assert_small(door, "/door/vote")
    page = response.get_data(as_text=True)
    assert len(vote_forms(page)) == 8 and 'href="/door/vote?page=2"' in page
    assert len(vote_forms(door.get("/door/vote?page=2").get_data(as_text=True))) == 4
    assert len(vote_forms(door.get("/door/vote?page=9").get_data(as_text=True))) == 4  # the last page


def test_the_vote_page_is_not_for_other_browsers(app, sample):
    response = app.test_client().get("/door/vote")
    assert response.status_code == 403


# --- The public page ------------------------------------------------------------------------------------------

def test_the_public_page_shows_every_suggestion_and_its_answer_but_no_names(client, sample, organiser):
    group, meeting = sample["group"], sample["meeting"]
    waiting = add(group, "Buses to the hospital", name="Dorota Nowak", why="My carer Jan cannot drive")
    not_taken = add(group, "Parking charges", name="Dorota Nowak")
    planned = add(group, "Annual health checks", name="Dorota Nowak")
    covered = add(group, "Easy read letters", name="Dorota Nowak", source="link")
    suggestions.triage(not_taken, NOT_TAKEN, organiser, reason="The hospital decides parking charges, not us.")
    suggestions.triage(planned, PLANNED, organiser, planned_meeting_id=meeting.id)
    suggestions.triage(covered, COVERED, organiser)
    db.session.commit()
    add_votes(waiting, anonymous=2, people=[sample["person"]])

    response = client.get(f"/public/groups/{group.id}/suggestions")
    assert response.status_code == 200
    page = text(response)
    for text_ in ("What people asked Learning Disability Partnership Board to talk about",
                 "Buses to the hospital", "We have not looked at this yet.", "3 people want to talk about this.",
                 "Parking charges", "We are not taking this forward.", "The hospital decides parking charges, not us.",
                 "Annual health checks", "Easy read letters", "We have already talked about this.",
                 f'We plan to talk about this at the meeting “<bdi lang="en">Health checks</bdi>” in '
                 f"{meeting.starts_at.astimezone(LONDON):%B %Y}.",
                 f"Suggested in {utcnow().astimezone(LONDON):%B %Y}."):
        assert text_ in page, text_
    for private in ("Dorota", "Nowak", "My carer Jan", "Anonymous", "/door/", "/login", "Sign out"):
        assert private not in page, private
    for exact in (meeting.starts_at, utcnow()):  # no day of the month, in any common form
        day = exact.astimezone(LONDON)
        assert f"{day.day} {day:%B %Y}" not in page and day.date().isoformat() not in page
    assert page.index("Annual health checks") < page.index("Buses to the hospital") \
        < page.index("Easy read letters") < page.index("Parking charges")
    assert 'href="/have-your-say/' in page
    assert "css/participant.css" in page


def test_the_public_page_of_a_group_without_suggestions_or_that_does_not_exist(client, sample):
    page = client.get(f"/public/groups/{sample['group'].id}/suggestions").get_data(as_text=True)
    assert "Nobody has suggested anything yet." in page
    assert client.get("/public/groups/999999/suggestions").status_code == 404
