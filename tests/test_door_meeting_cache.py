"""Answers are never thrown away while a cached copy of the meeting catches up (issue 12, section 5).

Each app process keeps what the door shows of its meeting for kiosk.MEETING_CACHE_SECONDS. Here two real
gunicorn servers (one worker each, so the cache is known to be the one primed) share one database: the
tablet's server has cached "checklist closed" when an organiser opens the checklist on the other server,
and the tablet's answers sent to the first server are still saved, and its welcome screen offers "Tell us
how it went" at once. Runs on SQLite, and on a fresh PostgreSQL database with TEST_DATABASE_URL."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.access import accounts
from survey_app.models import ChecklistResponse, Group, Meeting, MeetingMode, Role
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.http_client import Browser, field
from tests.servers import AppServer, build_schema, fresh_database, seeded_app

PASSWORD = "a long enough password"
ORGANISER = "organiser@halton.example"
TELL_US = "Tell us how it went"


def signed_in(port: int) -> Browser:
    browser = Browser(port)
    _, _, page = browser.get("/login")
    status, _, _ = browser.post("/login", {"csrf_token": field(page, "csrf_token"), "email": ORGANISER,
                                           "password": PASSWORD})
    assert status == 302
    return browser


def on(browser: Browser, port: int) -> Browser:
    """The same browser (same cookies) pointed at another server."""
    twin = browser.copy()
    twin.port = port
    return twin


def hidden_fields(page: str) -> dict:
    from tests.test_checklist import FIELDS

    data = {"csrf_token": field(page, "csrf_token"), "form_token": field(page, "form_token")}
    for name in FIELDS:
        if f'type="hidden" name="{name}"' in page:
            data[name] = field(page, name)
    return data


@pytest.mark.slow  # two gunicorn servers: about 10 seconds, more on a busy machine
def test_answers_sent_to_a_server_whose_cache_says_closed_are_saved():
    with fresh_database("hub_cache") as url:
        build_schema(url)
        with seeded_app(url):
            accounts.create_user(ORGANISER, "Organiser", Role.ORGANISER, PASSWORD)
            meeting = Meeting(group=Group(name="Carers' Voice", description=""), title="Cached meeting",
                              starts_at=utcnow() + timedelta(hours=1), ends_at=utcnow() + timedelta(hours=3),
                              mode=MeetingMode.IN_PERSON, venue_name="Hall")
            db.session.add(meeting)
            db.session.commit()
            meeting_id = meeting.id
        with AppServer(url, workers=1, threads=2) as tablet_server, AppServer(url, workers=1, threads=2) as other:
            tablet = signed_in(tablet_server.port)
            _, _, page = tablet.get(f"/meetings/{meeting_id}")
            status, location, _ = tablet.post(f"/meetings/{meeting_id}/door-mode",
                                              {"csrf_token": field(page, "csrf_token")})
            assert (status, location) == (302, "/door/")
            status, _, page = tablet.get("/door/")
            assert status == 200 and TELL_US not in page  # the tablet's server has cached "closed"

            organiser = signed_in(other.port)
            _, _, page = organiser.get(f"/meetings/{meeting_id}")
            status, _, _ = organiser.post(f"/meetings/{meeting_id}/checklist", {"csrf_token": field(page, "csrf_token")})
            assert status == 302
            twin = on(tablet, other.port)
            status, _, page = twin.get("/door/checklist")  # the other server knows at once
            assert status == 200 and "Question 1 of 7" in page
            tablet.cookies = twin.cookies  # the visit this page was shown in, as the tablet's browser keeps it

            # Every page goes to the tablet's own server, whose cached copy still says closed.
            answers = {1: {"achieved": "5", "next": "1"}, 2: {"outcomes": "A plan", "next": "1"}}
            for number in range(1, 9):
                status, location, next_page = tablet.post(f"/door/checklist/{number}",
                                                          {**hidden_fields(page), **answers.get(number, {"skip": "1"})})
                if number < 7:
                    assert status == 200 and f"Question {number + 1} of 7" in next_page, (number, status, location)
                elif number == 7:
                    assert status == 200 and "About you" in next_page, (number, status, location)
                page = next_page
            assert (status, location) == (302, "/door/thanks")
            status, _, page = tablet.get("/door/")
            assert status == 200 and TELL_US in page
            status, _, page = tablet.get("/door/checklist")
            assert status == 200 and "Question 1 of 7" in page

        with seeded_app(url):
            rows = db.session.execute(select(ChecklistResponse.achieved, ChecklistResponse.outcomes)).all()
            assert rows == [(5, "A plan")]
            assert db.session.scalar(select(func.count()).select_from(ChecklistResponse)) == 1
