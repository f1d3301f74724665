"""Helpers for door-tablet tests: put a test client into door mode, and read form values off a page."""
import re
from datetime import UTC, datetime, time, timedelta

HIDDEN_RE = r'name="{name}" value="([^"]*)"'
# docs/DESIGN.md targets: a participant page's HTML, and every stylesheet and script participant pages load
# (fetched once, then cached by the browser: only static files may be cached).
PAGE_BUDGET = 20 * 1024
PARTICIPANT_ASSETS = ("css/common.css", "css/participant.css", "js/participant.js", "js/listen.js")
ASSETS_BUDGET = 30 * 1024
# The door tablet's own script (issue 19: the offline door): door pages only, never a participant's home or
# online pages, so it has its own budget.
DOOR_ASSETS = ("js/door-offline.js",)
DOOR_ASSETS_BUDGET = 14 * 1024
# The offline page's screens (door-offline-page.js): that page only (cached by the door's service worker).
OFFLINE_PAGE_ASSETS = ("js/door-offline-page.js",)
OFFLINE_PAGE_BUDGET = 20 * 1024


def assert_small(client, url: str):
    """The page at `url` and the participant assets (and on a door page the door's) are within their budgets;
    returns the response."""
    assets = sum(len(client.get(f"/static/{name}").data) for name in PARTICIPANT_ASSETS)
    assert assets < ASSETS_BUDGET, f"participant stylesheets and scripts: {assets} bytes"
    door = sum(len(client.get(f"/static/{name}").data) for name in DOOR_ASSETS)
    assert door < DOOR_ASSETS_BUDGET, f"the door's scripts: {door} bytes"
    response = client.get(url)
    assert response.status_code == 200 and len(response.data) < PAGE_BUDGET, (url, len(response.data))
    page = response.get_data(as_text=True)
    loaded = set(re.findall(r'(?:href|src)="/static/([^"?]+)', page))
    allowed = set(PARTICIPANT_ASSETS) | (set(DOOR_ASSETS) if url.startswith("/door/") else set())
    assert loaded <= allowed, f"{url} loads {loaded - allowed}, not counted"
    return response


def hidden(page: str, name: str) -> str:
    match = re.search(HIDDEN_RE.format(name=re.escape(name)), page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def later_today(hours: float = 1) -> datetime:
    """`hours` from now, but never past the end of today in the UK: door mode runs on a meeting's day only."""
    from survey_app.models.base import LONDON, london_today

    last = datetime.combine(london_today(), time(23, 59, 59), tzinfo=LONDON).astimezone(UTC)
    return min(datetime.now(UTC) + timedelta(hours=hours), last)


def make_it_today(meeting_id: int) -> None:
    """Move a meeting on another day to later today (same length), so a tablet can be its door."""
    from survey_app.models import Meeting
    from survey_app.participation.kiosk import on_its_day
    from survey_app.web.extensions import db

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is not None and not on_its_day(meeting):
        length = meeting.ends_at - meeting.starts_at
        meeting.starts_at = later_today()
        meeting.ends_at = meeting.starts_at + length
        db.session.commit()


def start_door_mode(client, meeting_id: int):
    """Door mode for a meeting (moved to later today first if it is on another day)."""
    make_it_today(meeting_id)
    token = client.csrf_token(f"/meetings/{meeting_id}")
    response = client.post(f"/meetings/{meeting_id}/door-mode", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/door/"
    return response


def picks(page: str) -> list[tuple[str, str]]:
    """(name shown, pick value) for each match on the sign-in page."""
    return re.findall(r'name="pick" value="([^"]+)">\s*<button[^>]*>([^<]+)</button>', page)


def attended_count() -> int:
    """Attendance rows marked attended: the door fixture's invitation of the sample person is a row already."""
    from sqlalchemy import func, select

    from survey_app.models import Attendance, AttendanceStatus
    from survey_app.web.extensions import db

    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.status == AttendanceStatus.ATTENDED))


REGISTER_CHECK = "/door/new/check"


def register(client, answers: dict, save: bool = True):
    """Register at the door as a person would (survey_app/door/register.py): from "I'm new here", each
    question page in turn, given its tokens by a GET as a browser would, then Save on "Check your answers".
    Every page is sent all of `answers` (a page reads only its own). Returns the first response that does
    not go on to another registration page (a page shown again with its error, a refusal), else Save's
    response; with save=False, the "Check your answers" page. `new_here` is sent with Save."""
    response = client.get("/door/new")
    assert response.status_code == 302, response.status_code
    url = response.headers["Location"]
    for _ in range(10):
        if url == REGISTER_CHECK:
            break
        response = client.submit(url, answers)
        if response.status_code != 302 or not response.headers["Location"].startswith("/door/new/"):
            return response
        url = response.headers["Location"].split("?")[0]
    else:
        raise AssertionError("the registration pages went round in a circle")
    if not save:
        return client.get(REGISTER_CHECK)
    return client.submit(REGISTER_CHECK, {k: v for k, v in answers.items() if k == "new_here"})
