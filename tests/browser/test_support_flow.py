"""An organiser opens a meeting's support plan, ticks a need as arranged, and prints it; axe on each page."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import AccessNeed, Attendance, AttendanceStatus, AuditEvent, NeedArrangement, NeedKind, Role
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_tick_support_as_arranged(page, axe_check, screenshot, make_user, sample):
    meeting, person = sample["meeting"], sample["person"]
    db.session.add_all([Attendance(meeting=meeting, person=person, status=AttendanceStatus.REGISTERED),
                        AccessNeed(person=person, meeting=meeting, kind=NeedKind.BSL),
                        AccessNeed(person=person, meeting=None, kind=NeedKind.LARGE_PRINT)])
    db.session.commit()
    organiser = make_user(Role.ORGANISER)
    page.goto("/login")
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    assert "support needs not arranged yet" in page.inner_text("main")
    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("link", name="Support plan: who needs what").click()
    expect(page.locator("main")).to_contain_text("Not arranged yet: 2 of 2")
    axe_check(page)
    page.get_by_role("button", name="Mark as arranged: A British Sign Language interpreter for Dorota Nowak").click()
    expect(page.locator("main")).to_contain_text("Not arranged yet: 1 of 2")
    axe_check(page)
    screenshot(page, "support-plan")
    page.get_by_role("link", name="Printable page for the venue").click()
    axe_check(page)
    assert db.session.scalar(select(NeedArrangement.meeting_id)) == meeting.id
    views = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "view-support-plan")).all()
    assert len(views) >= 3
