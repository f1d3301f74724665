"""Fifty tablets at once, under the production server (gunicorn) on a file SQLite database:
a sign-in pressed 50 times lands once, and 50 different people signing in land 50 times."""
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.access.accounts import create_user
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    ContactMethod,
    Group,
    InformationFormat,
    Meeting,
    MeetingMode,
    Person,
    PersonRole,
    Role,
)
from survey_app.web.extensions import db
from tests.door_helpers import later_today
from tests.http_client import Browser, field
from tests.servers import AppServer, at_once

SECRET = "concurrency-test-secret-0123456789abcdef"
PASSWORD = "a long enough password"
TABLETS = 50
pytestmark = pytest.mark.slow  # every test here talks to one gunicorn server started for the module


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    url = f"sqlite:///{folder / 'door.sqlite3'}"
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        create_user("door@halton.example", "Door Organiser", Role.ORGANISER, PASSWORD)
        group = Group(name="Board", description="")
        meeting = Meeting(group=group, title="Busy meeting", starts_at=later_today(),
                          ends_at=later_today() + timedelta(hours=2), mode=MeetingMode.IN_PERSON, venue_name="Hall")
        db.session.add(meeting)
        for i in range(TABLETS + 1):
            person = Person(first_name=f"Zed{i:03d}", last_name="Tablet", contact_method=ContactMethod.EMAIL,
                            email=f"z{i}@example.org", information_format=InformationFormat.STANDARD,
                            role=PersonRole.LIVED_EXPERIENCE)
            person.refresh_search_name()
            # Invited, so the door's search (people connected to the meeting's group only) finds them.
            db.session.add(Attendance(meeting=meeting, person=person, status=AttendanceStatus.INVITED))
        db.session.commit()
        meeting_id = meeting.id
        db.engine.dispose()
    with AppServer(url, workers=2, threads=4, env={"SECRET_KEY": SECRET}) as served:
        yield {"port": served.port, "app": app, "meeting_id": meeting_id}


def door_browser(server) -> Browser:
    b = Browser(server["port"])
    _, _, page = b.get("/login")
    status, _, _ = b.post("/login", {"csrf_token": field(page, "csrf_token"), "email": "door@halton.example",
                                     "password": PASSWORD})
    assert status == 302
    _, _, page = b.get(f"/meetings/{server['meeting_id']}")
    status, location, _ = b.post(f"/meetings/{server['meeting_id']}/door-mode",
                                 {"csrf_token": field(page, "csrf_token")})
    assert (status, location) == (302, "/door/")
    return b


def confirm_data(b: Browser, typed: str) -> dict:
    _, _, page = b.get("/door/sign-in")
    # Each person is a new visit: the door allows only a few searches per visit.
    b.post("/door/start-again", {"csrf_token": field(page, "csrf_token")})
    _, _, page = b.get("/door/sign-in")
    _, _, page = b.post("/door/sign-in", {"csrf_token": field(page, "csrf_token"), "name": typed})
    pick = field(page, "pick")
    _, _, page = b.post("/door/sign-in/check", {"csrf_token": field(page, "csrf_token"), "pick": pick})
    return {"csrf_token": field(page, "csrf_token"), "pick": pick, "form_token": field(page, "form_token")}


def attendances_of(server, first_names):
    with server["app"].app_context():
        n = db.session.scalar(select(func.count()).select_from(Attendance).join(Person)
                              .where(Person.first_name.in_(first_names),
                                     Attendance.status == AttendanceStatus.ATTENDED))
        db.engine.dispose()
        return n


def test_the_same_sign_in_fifty_times_at_once_lands_once(server):
    tablet = door_browser(server)
    data = confirm_data(tablet, "zed000")
    results = at_once([lambda: tablet.copy().post("/door/sign-in/confirm", data) for _ in range(TABLETS)])
    assert [(status, location) for status, location, _ in results] == [(302, "/door/support")] * TABLETS
    assert attendances_of(server, ["Zed000"]) == 1


def test_fifty_different_people_at_once_land_fifty_times(server):
    tablet = door_browser(server)
    prepared = []
    for i in range(1, TABLETS + 1):
        data = confirm_data(tablet, f"zed{i:03d}")
        prepared.append((tablet.copy(), data))  # a copy of the cookies as they are once the form is shown
    results = at_once([lambda b=b, d=d: b.post("/door/sign-in/confirm", d) for b, d in prepared])
    assert [status for status, _, _ in results] == [302] * TABLETS
    assert attendances_of(server, [f"Zed{i:03d}" for i in range(1, TABLETS + 1)]) == TABLETS
