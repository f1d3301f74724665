"""An organiser records a joint decision with the meeting notes in Chromium and adds an action that follows
from it; the group's public notes page and its easy-read version show both. axe-core checks the pages."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import Action, Attendance, AttendanceStatus, Decision, Role
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.browser.test_actions_flow import sign_in

pytestmark = pytest.mark.browser

DECIDED = "We will hold one meeting online each month."
ACTION = "Set up the online meeting and send the link"


def test_a_decision_and_its_action_show_on_the_public_notes(page, axe_check, make_user, sample):
    meeting, group = sample["meeting"], sample["group"]
    meeting.starts_at = utcnow() - timedelta(days=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.add(Attendance(meeting=meeting, person=sample["person"], status=AttendanceStatus.ATTENDED))
    db.session.commit()
    sign_in(page, make_user(Role.ORGANISER))
    page.wait_for_url("**/dashboard")

    page.goto(f"/meetings/{meeting.id}/notes")
    expect(page.locator("main")).to_contain_text("No decisions recorded yet.")
    page.get_by_role("button", name="Add the decision").click()  # nothing written: the plain error
    expect(page.get_by_role("link", name="Write what was decided.")).to_be_visible()
    assert page.title().startswith("Error: ")
    axe_check(page)
    page.get_by_label("What was decided").fill(DECIDED)
    page.get_by_role("button", name="Add the decision").click()
    expect(page.locator("main")).to_contain_text("Decision added.")
    axe_check(page)
    page.get_by_role("link", name="Add an action that follows from this").click()
    page.wait_for_url("**/actions/new?**")
    expect(page.get_by_label("Follows from decision (optional)")).to_have_value(
        str(db.session.scalar(select(Decision.id))))
    axe_check(page)
    page.get_by_label("What will we do?").fill(ACTION)
    page.get_by_label("Who owns it").fill("Meetings Coordinator")
    page.get_by_label("Due by").fill((london_today() + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_url(f"**/meetings/{meeting.id}/notes")
    expect(page.locator("main")).to_contain_text("Action added.")
    assert "Actions that follow from this:" in page.inner_text("main")
    action = db.session.scalar(select(Action))
    decision = db.session.scalar(select(Decision))
    assert action.decision_id == decision.id and decision.what == DECIDED

    page.goto(f"/public/groups/{group.id}/meetings")
    main = page.inner_text("main")
    assert "What we decided" in main and DECIDED in main and ACTION in main and "Meetings Coordinator" in main
    assert main.index(DECIDED) < main.index(ACTION)
    assert "Dorota" not in page.content()
    axe_check(page)
    page.get_by_role("link", name="Easy read version you can print").click()
    page.wait_for_url("**/meetings/easy-read")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "We decided:" in main and DECIDED in main and ACTION in main and "We decided this together." in main
    axe_check(page)
