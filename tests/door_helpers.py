"""Helpers for door-tablet tests: put a test client into door mode, and read form values off a page."""
import re

HIDDEN_RE = r'name="{name}" value="([^"]*)"'


def hidden(page: str, name: str) -> str:
    match = re.search(HIDDEN_RE.format(name=re.escape(name)), page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def start_door_mode(client, meeting_id: int):
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

    from survey_app.extensions import db
    from survey_app.models import Attendance, AttendanceStatus

    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.status == AttendanceStatus.ATTENDED))
