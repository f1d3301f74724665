"""The checklist from home (issue 15): a person's own link once the meeting has started, a meeting-wide link
for people without one, answers typed in from paper, and results that show how many answered each way with the
small-number rule."""
import io
import re
import secrets
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, inspect, select

from forms.checklist import CHECKLIST
from survey_app.insight import results as res
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ChecklistChannel,
    ChecklistResponse,
    Invitation,
    Meeting,
    Role,
    TakingPart,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.queries import count_queries

ALREADY = "You have already told us how it went. Thank you."
GONE = "This link no longer works"
BUTTON = "Tell us how it went"
EMPTY_PAPER = "Fill in at least one answer from the paper form."
# Every page's answer, in order: the eight pages of the checklist.
ANSWERS = {"achieved": "4", "achieved_more": "We agreed the leaflet.", "outcomes": "A new leaflet",
           "feeling": "5", "inclusive": "3", "accessible": "2", "payment_clear": "yes",
           "change": "A bigger room", "here_as": "carer"}
FORM_TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def responses() -> list[ChecklistResponse]:
    return db.session.scalars(select(ChecklistResponse).order_by(ChecklistResponse.id)).all()


def started(meeting: Meeting, hours_ago: float = 1) -> None:
    meeting.starts_at = utcnow() - timedelta(hours=hours_ago)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()


def personal_link(sample, status=AttendanceStatus.ATTENDED) -> Invitation:
    meeting, person = sample["meeting"], sample["person"]
    person.language = "en"  # the pages in English, to read their words here
    db.session.add(Attendance(meeting_id=meeting.id, person_id=person.id, status=status,
                              took_part=TakingPart.ONLINE if status == AttendanceStatus.ATTENDED else None))
    invitation = Invitation(token=secrets.token_urlsafe(24), meeting_id=meeting.id, person_id=person.id)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def answer_all(browser, start_url: str, answers: dict | None = None, last_status: int = 302):
    """Open the checklist and go through its eight pages, one answer a page, as a browser would: each page's
    hidden fields carry the answers so far. Returns the last response."""
    answers = ANSWERS if answers is None else answers
    page = browser.get(start_url)
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    sent = {}
    response = None
    for number, step in enumerate(CHECKLIST, start=1):
        action = re.search(r'<form method="post" action="([^"]+)"', text).group(1)
        assert action.endswith(f"/{number}")
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
        for key in (step.field, step.more):
            if key and key in answers:
                sent[key] = answers[key]
        response = browser.post(action, data={**hidden, **{k: v for k, v in sent.items()
                                                             if k in (step.field, step.more)}, "next": "1"})
        if number < len(CHECKLIST):
            assert response.status_code == 200, (number, response.status_code)
            text = response.get_data(as_text=True)
    assert response.status_code == last_status, response.status_code
    return response


def last_page_form(browser, start_url: str) -> tuple[str, dict]:
    """The last page's address and everything it would send (all eight answers), without sending it."""
    text = browser.get(start_url).get_data(as_text=True)
    for number in range(1, len(CHECKLIST)):
        action = re.search(r'<form method="post" action="([^"]+)"', text).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
        step = CHECKLIST[number - 1]
        data = {**hidden, **{k: ANSWERS[k] for k in (step.field, step.more) if k and k in ANSWERS}, "next": "1"}
        text = browser.post(action, data=data).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    return action, {**hidden, "here_as": ANSWERS["here_as"], "next": "1"}


@pytest.fixture
def organiser(client, login_as):
    login_as(Role.ORGANISER)
    return client


# The personal link


def test_button_only_when_attended_and_started(app, sample):
    invitation = personal_link(sample)
    home = app.test_client()
    url = f"/invite/{invitation.token}"
    page = home.get(url).get_data(as_text=True)
    assert BUTTON not in page  # the meeting is next week
    assert home.get(f"{url}/checklist").headers["Location"] == url

    started(sample["meeting"])
    page = home.get(url).get_data(as_text=True)
    assert BUTTON in page and f'href="{url}/checklist"' in page

    attendance = db.session.scalar(select(Attendance))
    attendance.status, attendance.took_part = AttendanceStatus.INVITED, None
    db.session.commit()
    assert BUTTON not in home.get(url).get_data(as_text=True)  # invited, did not take part
    assert home.get(f"{url}/checklist").headers["Location"] == url
    response = home.post(f"{url}/checklist/8", data={**ANSWERS})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert responses() == []


def test_opened_early_by_an_organiser(app, sample):
    invitation = personal_link(sample)
    sample["meeting"].checklist_open = True
    db.session.commit()
    assert BUTTON in app.test_client().get(f"/invite/{invitation.token}").get_data(as_text=True)


def test_one_anonymous_response_per_link(app, sample):
    invitation = personal_link(sample)
    started(sample["meeting"])
    home = app.test_client()
    url = f"/invite/{invitation.token}"
    response = answer_all(home, f"{url}/checklist")
    assert response.headers["Location"] == f"{url}/thanks"

    [saved] = responses()
    assert saved.channel == ChecklistChannel.PERSONAL and saved.meeting_id == sample["meeting"].id
    assert (saved.achieved, saved.feeling, saved.inclusive, saved.accessible) == (4, 5, 3, 2)
    assert (saved.payment_clear, saved.here_as, saved.change) == ("yes", "carer", "A bigger room")
    # Nothing in the response says who: no column names a person, an invitation or a time of day.
    columns = {c.key for c in inspect(ChecklistResponse).mapper.column_attrs}
    assert not columns & {"person_id", "invitation_id", "attendance_id", "created_at", "token"}
    stored = " ".join(str(getattr(saved, c)) for c in columns)
    assert invitation.token not in stored and "Dorota" not in stored
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).checklist_answered is True

    page = home.get(url).get_data(as_text=True)
    assert ALREADY in page and f'href="{url}/checklist"' not in page
    page = home.get(f"{url}/checklist").get_data(as_text=True)
    assert ALREADY in page and "Question 1 of 7" not in page

    # Another device (or a tab left open) with a whole new form: refused, nothing more stored.
    other = app.test_client()
    invitation.checklist_answered = False  # as if it were sent at the same moment as the first one
    db.session.commit()
    action, data = last_page_form(other, f"{url}/checklist")
    db.session.execute(Invitation.__table__.update().values(checklist_answered=True))
    db.session.commit()
    response = other.post(action, data=data)
    assert response.status_code == 200 and ALREADY in response.get_data(as_text=True)
    assert len(responses()) == 1


def test_double_tap_on_the_last_page_saves_once(app, sample):
    invitation = personal_link(sample)
    started(sample["meeting"])
    home = app.test_client()
    action, data = last_page_form(home, f"/invite/{invitation.token}/checklist")
    first, second = home.post(action, data=data), home.post(action, data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/invite/{invitation.token}/thanks"
    assert len(responses()) == 1


def test_withdrawn_link_and_no_button_on_other_pages(app, sample):
    invitation = personal_link(sample)
    started(sample["meeting"])
    home = app.test_client()
    action, data = last_page_form(home, f"/invite/{invitation.token}/checklist")
    invitation.withdrawn_at = utcnow()
    db.session.commit()
    response = home.post(action, data=data)
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)
    assert home.get(f"/invite/{invitation.token}/checklist").status_code == 404
    assert responses() == []


def test_expired_link(app, sample):
    invitation = personal_link(sample)
    started(sample["meeting"], hours_ago=24 * 400)
    response = app.test_client().get(f"/invite/{invitation.token}/checklist")
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)


# The meeting's link


def open_link(organiser, meeting) -> str:
    response = organiser.submit(f"/meetings/{meeting.id}/feedback-link", {"action": "open"},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id).feedback_token


def test_the_meetings_link_stops_working_when_personal_links_do(app, organiser, sample):
    """Left open and forgotten, the meeting's link still ends PERSONAL_LINK_DAYS_AFTER_MEETING days after the
    meeting, as its personal links do."""
    meeting = sample["meeting"]
    token = open_link(organiser, meeting)
    days = app.config["PERSONAL_LINK_DAYS_AFTER_MEETING"]
    started(meeting, hours_ago=24 * days)  # ends 2 hours after it started: still inside the days
    assert "Question 1 of 7" in app.test_client().get(f"/how-did-it-go/{token}").get_data(as_text=True)
    started(meeting, hours_ago=24 * (days + 1))
    response = app.test_client().get(f"/how-did-it-go/{token}")
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)


def test_open_and_close_the_meetings_link(app, organiser, sample):
    meeting = sample["meeting"]
    page = organiser.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Open a link anyone at the meeting can use" in page
    token = open_link(organiser, meeting)
    assert token and len(token) >= 32
    page = organiser.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/how-did-it-go/{token}" in page and "Close the meeting's link" in page
    assert open_link(organiser, meeting) == token  # opening again keeps the same link

    anyone = app.test_client()
    page = anyone.get(f"/how-did-it-go/{token}").get_data(as_text=True)  # next week: not yet
    assert "You can answer here when the meeting has started." in page and "Question 1 of 7" not in page
    started(meeting)
    assert "Question 1 of 7" in anyone.get(f"/how-did-it-go/{token}").get_data(as_text=True)

    organiser.submit(f"/meetings/{meeting.id}/feedback-link", {"action": "close"}, token_from=f"/meetings/{meeting.id}")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).feedback_token is None
    response = anyone.get(f"/how-did-it-go/{token}")
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "Meeting")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["open-feedback-link", "close-feedback-link"]
    assert all(token not in str(e.before) + str(e.after) for e in events)


def test_meeting_link_once_per_browser(app, organiser, sample):
    meeting = sample["meeting"]
    token = open_link(organiser, meeting)
    started(meeting)
    anyone = app.test_client()
    action, data = last_page_form(anyone, f"/how-did-it-go/{token}")
    second_form = (action, {"data": data})
    response = answer_all(anyone, f"/how-did-it-go/{token}")
    assert response.headers["Location"] == f"/how-did-it-go/{token}/thanks"
    [saved] = responses()
    assert saved.channel == ChecklistChannel.MEETING_LINK and saved.here_as == "carer"

    page = anyone.get(f"/how-did-it-go/{token}").get_data(as_text=True)
    assert ALREADY in page and "Question 1 of 7" not in page
    # A second form the same browser had open (its own one-time token): refused, nothing stored.
    response = anyone.post(second_form[0], **second_form[1])
    assert response.status_code == 200 and ALREADY in response.get_data(as_text=True)
    assert len(responses()) == 1
    # Another browser can answer.
    answer_all(app.test_client(), f"/how-did-it-go/{token}")
    assert len(responses()) == 2


def test_meeting_link_rate_limit(app, organiser, sample):
    app.config["FEEDBACK_LINK_RESPONSES_PER_HOUR"] = 2
    meeting = sample["meeting"]
    token = open_link(organiser, meeting)
    started(meeting)
    for _ in range(2):
        answer_all(app.test_client(), f"/how-did-it-go/{token}")
    third = app.test_client()
    action, data = last_page_form(third, f"/how-did-it-go/{token}")
    response = third.post(action, data=data)
    assert response.status_code == 429 and response.headers["Retry-After"] == "3600"
    page = response.get_data(as_text=True)
    assert "We cannot take any more from this internet connection for now." in page
    assert 'value="A bigger room"' in page  # the answers are still in the page
    assert len(responses()) == 2


def test_meeting_link_language(app, organiser, sample):
    token = open_link(organiser, sample["meeting"])
    started(sample["meeting"])
    anyone = app.test_client()
    page = anyone.get(f"/how-did-it-go/{token}").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    response = anyone.post(f"/how-did-it-go/{token}/language", data={"csrf_token": csrf, "lang": "pl"})
    assert response.status_code == 302
    assert 'lang="pl"' in anyone.get(f"/how-did-it-go/{token}").get_data(as_text=True)[:200]


def test_unknown_meeting_link(app):
    response = app.test_client().get("/how-did-it-go/" + "x" * 32)
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)


@pytest.mark.parametrize("role,status", [(None, 302), (Role.FINANCE, 403)])
def test_only_organisers_open_the_link_or_type_in_paper(client, login_as, sample, role, status):
    if role:
        login_as(role)
    meeting = sample["meeting"]
    assert client.get(f"/meetings/{meeting.id}/results/paper").status_code == status
    assert client.post(f"/meetings/{meeting.id}/results/paper", data={"achieved": "3"}).status_code in (status, 400)
    assert client.post(f"/meetings/{meeting.id}/feedback-link", data={"action": "open"}).status_code in (status, 400)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).feedback_token is None and responses() == []


# Paper forms


def test_type_in_paper_forms(organiser, sample):
    meeting = sample["meeting"]
    url = f"/meetings/{meeting.id}/results/paper"
    page = organiser.get(url).get_data(as_text=True)
    assert "Save and type in another" in page
    response = organiser.submit(url, {})
    assert response.status_code == 400 and EMPTY_PAPER in response.get_data(as_text=True)
    response = organiser.submit(url, {"achieved": "", "change": "   ", "feeling": "9"})  # 9 is not an answer
    assert response.status_code == 400 and EMPTY_PAPER in response.get_data(as_text=True)
    assert responses() == []

    tokens = organiser._tokens(url)
    data = {**tokens, "achieved": "2", "payment_clear": "not_sure", "change": "Send papers earlier"}
    first = organiser.post(url, data=data)
    second = organiser.post(url, data=data)  # a double click
    assert first.status_code == second.status_code == 302 and first.headers["Location"] == url
    [saved] = responses()
    assert saved.channel == ChecklistChannel.PAPER and saved.achieved == 2 and saved.feeling is None
    assert (saved.payment_clear, saved.change, saved.here_as) == ("not_sure", "Send papers earlier", None)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "type-in-paper-checklist")) == 1


# Results by channel


def add(meeting_id: int, channel: ChecklistChannel, n: int) -> None:
    if n:
        db.session.execute(insert(ChecklistResponse), [
            {"meeting_id": meeting_id, "responded_on": date(2026, 5, 1), "achieved": 3, "channel": channel}
            for _ in range(n)])
        db.session.commit()


@pytest.mark.parametrize("counts,shown", [
    # door, personal, meeting link, paper -> what is shown (None: hidden)
    ((10, 6, 0, 0), (10, 6, None, None)),    # a way nobody used is "fewer than 5" too
    ((10, 6, 0, 2), (10, None, None, None)),  # 10 + 6 + 2: showing 6 and 10 would give the paper 2 away
    ((10, 6, 3, 2), (10, 6, None, None)),    # the two small ones hold 5 between them
    ((7, 1, 0, 0), (None, None, None, None)),
    ((0, 0, 0, 4), (None, None, None, None)),
    ((12, 0, 0, 0), (12, None, None, None)),
])
def test_channel_split_small_numbers(app, sample, counts, shown):
    for channel, n in zip(ChecklistChannel, counts):
        add(sample["meeting"].id, channel, n)
    split = res.meeting_channels(sample["meeting"].id)
    assert [c.channel for c in split] == list(ChecklistChannel)
    assert tuple(c.count for c in split) == shown
    # No shown number lets a hidden one be worked out from the total: the hidden ones hold 0 or at least 5
    # between them, or none is shown at all.
    hidden_total = sum(n for c, n in zip(split, counts) if c.hidden)
    assert hidden_total == 0 or hidden_total >= 5 or all(c.hidden for c in split)


def test_results_pages_show_how_people_answered(organiser, sample):
    meeting = sample["meeting"]
    add(meeting.id, ChecklistChannel.DOOR, 10)
    add(meeting.id, ChecklistChannel.PERSONAL, 6)
    add(meeting.id, ChecklistChannel.PAPER, 2)
    page = organiser.get(f"/meetings/{meeting.id}/results").get_data(as_text=True)
    table = page[page.index("How people answered"):]
    table = table[:table.index("</table>")]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', table))
    assert rows == {"On the door tablet": "10", "From a personal link": "Hidden to protect a smaller group",
                    "From the meeting's link": "Fewer than 5", "On paper, typed in by staff": "Fewer than 5"}
    page = organiser.get(f"/groups/{sample['group'].id}/results").get_data(as_text=True)
    assert "How people answered, at all this group" in page and "On paper, typed in by staff" in page

    book = load_workbook(io.BytesIO(organiser.get(f"/meetings/{meeting.id}/results/download").data))
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    start = summary.index(["How people answered", None, None])
    assert summary[start + 1:start + 5] == [["On the door tablet", None, 10],
                                            ["From a personal link", None, "Hidden to protect a smaller group"],
                                            ["From the meeting's link", None, "Fewer than 5"],
                                            ["On paper, typed in by staff", None, "Fewer than 5"]]


def test_paper_and_results_queries_do_not_grow(organiser, sample):
    meeting = sample["meeting"]
    urls = [f"/meetings/{meeting.id}/results", f"/groups/{sample['group'].id}/results",
            f"/meetings/{meeting.id}/results/paper", f"/meetings/{meeting.id}"]
    for channel in ChecklistChannel:
        add(meeting.id, channel, 2)
    for url in urls:
        organiser.get(url)
    few = {}
    for url in urls:
        with count_queries() as counted:
            assert organiser.get(url).status_code == 200
        few[url] = counted["n"]
    for channel in ChecklistChannel:
        add(meeting.id, channel, 4)
    for url in urls:
        with count_queries() as counted:
            assert organiser.get(url).status_code == 200
        assert counted["n"] == few[url], url


# Demo data


def test_demo_answers_arrived_every_way(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    ways = dict(db.session.execute(select(ChecklistResponse.channel, func.count(ChecklistResponse.id))
                                   .group_by(ChecklistResponse.channel)).all())
    assert set(ways) == set(ChecklistChannel) and ways[ChecklistChannel.DOOR] > sum(ways.values()) / 2
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.feedback_token.is_not(None))) == 2
