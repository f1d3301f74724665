"""Issue 15, "a planned suggestion appears on the agenda at the door and in the invitation": in Chromium an
organiser plans a door suggestion for a meeting; the agenda page lists it as "Suggested at the door"; the
printed invitations show it; the door tablet's welcome screen shows it, and passes axe-core."""
import pytest
from playwright.sync_api import expect

from survey_app.models import Role, Suggestion
from survey_app.participation import invitations
from survey_app.web.extensions import db
from tests.browser.test_door_flow import start_door_mode
from tests.browser.test_duplicates_flow import sign_in
from tests.door_helpers import make_it_today

pytestmark = pytest.mark.browser
IDEA = "Buses to the hospital on Sundays"
NAME = "Hannah Brennan"


def test_a_planned_door_suggestion_is_on_the_agenda_the_invitation_and_the_door(
        page, chromium_browser, live_server, axe_check, make_user, sample):
    meeting = sample["meeting"]
    make_it_today(meeting.id)
    idea = Suggestion(group_id=sample["group"].id, meeting_id=meeting.id, what=IDEA, name=NAME, source="door")
    db.session.add(idea)
    invitations.invite(meeting, sample["person"])
    invitations.make_links(meeting)
    db.session.commit()

    sign_in(page, make_user(Role.ORGANISER))
    page.goto(f"/suggestions/{idea.id}/triage")
    page.get_by_label("Planned for a meeting").check()
    page.get_by_label("Which meeting is it planned for?").select_option(str(meeting.id))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/groups/{sample['group'].id}/suggestions")

    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("link", name="Agenda: what we will talk about").click()
    page.wait_for_url(f"**/meetings/{meeting.id}/agenda")
    item = page.locator(".card").filter(has_text=IDEA)
    expect(item).to_contain_text("Suggested at the door")
    page.get_by_label("What to talk about").fill("Tea and biscuits")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.get_by_text("Item added to the agenda.")).to_be_visible()
    axe_check(page)
    assert NAME not in page.content()

    page.goto(f"/meetings/{meeting.id}/invitations/print")
    invitation = page.locator("section.invitation")
    expect(invitation).to_contain_text("What we will talk about")
    expect(invitation).to_contain_text(IDEA)
    expect(invitation).to_contain_text("Suggested at the door")
    assert NAME not in page.content()

    tablet_context = chromium_browser.new_context(viewport={"width": 768, "height": 1024}, base_url=live_server)
    tablet = tablet_context.new_page()
    try:
        start_door_mode(tablet, axe_check, make_user, meeting)
        agenda = tablet.locator("section.agenda")
        expect(agenda.get_by_role("heading", name="What we will talk about")).to_be_visible()
        expect(agenda.locator("li").first).to_contain_text(IDEA)
        expect(agenda.locator("li").first).to_contain_text("Suggested at the door")
        expect(agenda.locator("li").nth(1)).to_contain_text("Added by the organisers")
        expect(agenda).to_contain_text("Talk about annual health checks.")
        axe_check(tablet)
        assert NAME not in tablet.content()
    finally:
        tablet_context.close()
