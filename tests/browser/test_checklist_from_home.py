"""The checklist from home in a real Chromium: someone who took part online opens their personal link after
the meeting has started, answers the eight pages and sees the thanks (axe-core on the checklist page); an
organiser types in a paper form and sees it counted on the meeting's results page."""
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import (
    Attendance,
    AttendanceStatus,
    ChecklistChannel,
    ChecklistResponse,
    Invitation,
    Role,
    TakingPart,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHOICES = {1: "Mostly", 3: "Yes, completely", 4: "A bit", 5: "Mostly", 6: "Yes", 8: "A carer"}


def answer_the_checklist(page) -> None:
    """From question 1 to "Send my answers": achieved Mostly (4), "We agreed a new leaflet.", feeling Yes,
    completely (5), ..., here as a carer."""
    for number in range(1, 9):
        if number in CHOICES:
            page.locator(".answer-choice label", has_text=CHOICES[number]).first.click()
        elif number == 2:
            page.get_by_label("Your answer (you can leave this empty)").fill("We agreed a new leaflet.")
        button = "Send my answers" if number == 8 else "Next"
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()


def test_online_attendee_answers_from_their_personal_link(page, axe_check, screenshot, sample):
    meeting, person = sample["meeting"], sample["person"]
    person.language = "en"
    meeting.starts_at = utcnow() - timedelta(minutes=30)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.add(Attendance(meeting_id=meeting.id, person_id=person.id, status=AttendanceStatus.ATTENDED,
                              took_part=TakingPart.ONLINE))
    invitation = Invitation(token=secrets.token_urlsafe(24), meeting_id=meeting.id, person_id=person.id)
    db.session.add(invitation)
    db.session.commit()

    page.goto(f"/invite/{invitation.token}")
    page.get_by_role("link", name="Tell us how it went").click()
    expect(page.locator(".progress")).to_have_text("Question 1 of 7")
    axe_check(page)
    screenshot(page, "checklist-personal-link")
    answer_the_checklist(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.locator("main")).to_contain_text("We have got your answers.")

    [saved] = db.session.scalars(select(ChecklistResponse)).all()
    assert saved.channel == ChecklistChannel.PERSONAL
    assert (saved.achieved, saved.feeling, saved.here_as, saved.outcomes) == (4, 5, "carer", "We agreed a new leaflet.")
    page.goto(f"/invite/{invitation.token}")
    expect(page.locator("main")).to_contain_text("You have already told us how it went. Thank you.")
    assert page.get_by_role("link", name="Tell us how it went").count() == 0


def test_organiser_types_in_a_paper_form(page, axe_check, make_user, sample):
    meeting = sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=1)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    user = make_user(Role.ORGANISER)
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")

    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("link", name="Type in answers from paper").first.click()
    page.get_by_role("button", name="Save and type in another").click()
    expect(page.locator(".error-summary")).to_contain_text("Fill in at least one answer from the paper form.")
    axe_check(page)
    page.get_by_role("group", name="Did we get things done?").get_by_label("Mostly").check()
    page.get_by_label("What should we change for next time?").fill("Bigger print on the papers.")
    page.get_by_role("button", name="Save and type in another").click()
    expect(page.locator("main")).to_contain_text("Saved. You can type in the next paper form.")
    axe_check(page)

    page.get_by_role("link", name="See the results").click()
    table = page.get_by_role("table", name="How people answered")
    expect(table.get_by_role("row", name="On paper, typed in by staff")).to_contain_text("Fewer than 5")
    expect(page.locator("main")).to_contain_text("Responses: 1")
    axe_check(page)
