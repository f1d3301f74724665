"""An organiser adds an action from a meeting and a progress update, writes the meeting notes, then anyone
can read "You said, we did" and its easy-read handout. axe-core checks every page."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import Action, ActionStatus, ActionUpdate, Attendance, AttendanceStatus, MeetingNote, Role
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_action_update_notes_and_the_public_pages(page, axe_check, screenshot, make_user, sample):
    meeting, group = sample["meeting"], sample["group"]
    meeting.starts_at = utcnow() - timedelta(days=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.add(Attendance(meeting=meeting, person=sample["person"], status=AttendanceStatus.ATTENDED))
    db.session.commit()
    organiser = make_user(Role.ORGANISER)
    sign_in(page, organiser)
    page.wait_for_url("**/dashboard")

    page.goto(f"/meetings/{meeting.id}/notes")
    axe_check(page)
    page.get_by_role("link", name="Add an action from this meeting").click()
    axe_check(page)
    page.get_by_role("button", name="Add the action").click()  # nothing filled in: plain errors
    expect(page.get_by_role("link", name="Say what we will do.")).to_be_visible()  # waits for the new page
    assert page.title().startswith("Error: ")
    axe_check(page)
    page.get_by_label("What will we do?").fill("Ask GP practices to send letters in easy read")
    page.get_by_label("Who owns it").fill("Carers Lead")
    page.get_by_label("Due by").fill((london_today() + timedelta(days=40)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_url(f"**/meetings/{meeting.id}/notes")
    assert "Action added." in page.inner_text("main")

    page.get_by_label("What was said").fill("We talked about letters from the GP.\nWe agreed to ask for easy read.")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.locator("main")).to_contain_text("Notes saved.")
    axe_check(page)

    page.get_by_role("link", name="Ask GP practices to send letters in easy read").click()
    axe_check(page)
    page.get_by_label("In progress").check()
    page.get_by_label("Progress update (optional)").fill("Two practices have said yes.")
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator("main")).to_contain_text("Action saved.")
    assert "Two practices have said yes." in page.inner_text("main")
    axe_check(page)
    action = db.session.scalar(select(Action))
    assert action.status == ActionStatus.IN_PROGRESS and action.meeting_id == meeting.id
    assert db.session.scalar(select(ActionUpdate.noted_on)) == london_today()
    assert db.session.scalar(select(MeetingNote.meeting_id)) == meeting.id

    page.goto(f"/groups/{group.id}/actions")
    axe_check(page)
    page.get_by_role("link", name="See the public page").click()
    page.wait_for_url("**/you-said-we-did")
    main = page.inner_text("main")
    for text in ("Ask GP practices to send letters in easy read", "Carers Lead", "We are working on this.",
                 "Two practices have said yes."):
        assert text in main
    assert "Dorota" not in page.content()
    axe_check(page)
    page.get_by_role("link", name="Easy read version you can print").click()
    expect(page.locator("main")).to_contain_text("What the pictures mean")
    axe_check(page)
    page.emulate_media(media="print")
    assert not page.get_by_text("Go back to the full page").is_visible()
    axe_check(page)
    screenshot(page, "you-said-we-did-easy-read-print")
    page.emulate_media(media="screen")
    page.goto(f"/public/groups/{group.id}/meetings")
    assert "We agreed to ask for easy read." in page.inner_text("main")
    axe_check(page)
    page.get_by_role("link", name="Easy read version you can print").click()
    page.wait_for_url("**/meetings/easy-read")  # axe on a page still loading finds no document
    page.wait_for_load_state()
    axe_check(page)
