"""An organiser marks someone who joined online as attended; "record the usual" recognises them, they answer
the checklist from their personal link, and the group's voices page counts them, as for a door sign-in."""
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import (
    Attendance,
    AttendanceStatus,
    ChecklistChannel,
    ChecklistResponse,
    Invitation,
    PersonVoice,
    Rate,
    RecognitionLine,
    Role,
    TakingPart,
    Voice,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.browser.test_checklist_from_home import answer_the_checklist
from tests.browser.test_duplicates_flow import sign_in

pytestmark = pytest.mark.browser


def test_an_online_attendee_is_marked_recognised_and_heard(page, axe_check, screenshot, make_user, sample):
    meeting, person = sample["meeting"], sample["person"]
    meeting.starts_at = utcnow() - timedelta(days=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    person.recognition_preference, person.payee_ref, person.language = "paid", "SUP-9", "en"
    db.session.add_all([Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1500,
                             half_day_pence=4000, day_pence=7500, mileage_pence=45),
                        Attendance(meeting_id=meeting.id, person_id=person.id, status=AttendanceStatus.INVITED),
                        Invitation(token=secrets.token_urlsafe(24), meeting_id=meeting.id, person_id=person.id),
                        PersonVoice(person_id=person.id, voice=Voice.LIVING_ALONE)])
    db.session.commit()

    sign_in(page, make_user(Role.ORGANISER))
    page.goto(f"/meetings/{meeting.id}")
    expect(page.locator("#ways")).to_have_text("In the room 0, Online 0, By phone 0")
    page.get_by_role("link", name="Mark who took part").click()
    axe_check(page)
    page.get_by_label("Dorota Nowak").check()
    page.get_by_label("Online", exact=True).check()
    page.get_by_role("button", name="Mark as attended").click()
    expect(page.locator("main")).to_contain_text("1 person marked as attended.")
    expect(page.locator("#ways")).to_have_text("In the room 0, Online 1, By phone 0")
    expect(page.locator("main")).to_contain_text("Attended but not yet recognised: 1")
    axe_check(page)
    screenshot(page, "meeting-who-took-part")
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id))
    assert row.status is AttendanceStatus.ATTENDED and row.took_part is TakingPart.ONLINE and row.signed_in_at is None

    page.get_by_role("link", name="Recognition for this meeting").click()
    page.get_by_label("Half-day fee").check()
    page.get_by_role("button", name="Record for everyone not yet recognised").click()
    expect(page.locator("main")).to_contain_text("Recognition recorded for 1 person.")
    line = db.session.scalar(select(RecognitionLine).where(RecognitionLine.meeting_id == meeting.id))
    assert line is not None and line.person_id == person.id

    # At home, on their own link: "Tell us how it went" is there because they took part (online).
    token = db.session.scalar(select(Invitation.token).where(Invitation.meeting_id == meeting.id))
    page.goto(f"/invite/{token}")
    page.get_by_role("link", name="Tell us how it went").click()
    answer_the_checklist(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    [saved] = db.session.scalars(select(ChecklistResponse).where(ChecklistResponse.meeting_id == meeting.id)).all()
    assert saved.channel is ChecklistChannel.PERSONAL and saved.here_as == "carer"

    page.goto(f"/groups/{sample['group'].id}/voices")
    stats = page.locator(".stats")
    expect(stats).to_contain_text("1 different person took part")
    expect(stats).to_contain_text("1 came for the first time")
    expect(page.get_by_role("row", name="Living alone")).to_contain_text("1")
    axe_check(page)
