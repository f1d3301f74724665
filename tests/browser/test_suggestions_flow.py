"""An organiser answers a suggestion, the group's public page shows the answer, and the door tablet takes a vote.
axe-core checks every page on the way and fails on any violation."""
import pytest
from sqlalchemy import func, select

from survey_app.models import Role, Suggestion, SuggestionStatus, SuggestionVote
from survey_app.web.extensions import db
from tests.browser.test_door_flow import PHONE, SMALL_TARGETS
from tests.conftest import PASSWORD
from tests.door_helpers import make_it_today

pytestmark = pytest.mark.browser

REASON = "The hospital decides its parking charges. We will ask them to come and talk to the group."


def sign_in(page, axe_check, user):
    page.goto("/login")
    axe_check(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def heading(page):
    return page.locator("h1").inner_text().strip()


def test_answer_a_suggestion_publish_the_reason_and_vote_at_the_door(page, axe_check, screenshot, make_user,
                                                                      sample):
    group, meeting = sample["group"], sample["meeting"]
    parking = Suggestion(group_id=group.id, meeting_id=meeting.id, what="Parking charges at the hospital",
                         why="I cannot afford to visit my mum", name="Dorota Nowak", source="door")
    buses = Suggestion(group_id=group.id, what="Buses to the hospital", name="Dorota Nowak", source="link")
    db.session.add_all([parking, buses])
    db.session.commit()
    parking_id, buses_id = parking.id, buses.id
    organiser = make_user(Role.ORGANISER)

    sign_in(page, axe_check, organiser)
    page.goto(f"/groups/{group.id}/suggestions")
    assert heading(page) == f"Suggestions for {group.name}"
    assert "Dorota Nowak" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Parking charges at the hospital").click()
    assert heading(page) == "Decide what happens to a suggestion"
    axe_check(page)

    page.get_by_role("radio", name="Not taken forward").check()
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.title().startswith("Error: Decide what happens to a suggestion")
    assert "Write a reason the person will understand, in plain English." in page.get_by_role("alert").inner_text()
    axe_check(page)
    page.get_by_label("Why is it not taken forward?").fill(REASON)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"**/groups/{group.id}/suggestions")
    assert "Suggestion saved." in page.locator("main").inner_text()
    axe_check(page)
    # From the open group link: held from the public until looked at; saving it, even as New, shows it.
    row = page.locator("tr").filter(has_text="Buses to the hospital")
    assert "New from the group link: not shown publicly until you look at it." in row.inner_text()
    row.get_by_role("link", name="Buses to the hospital").click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"**/groups/{group.id}/suggestions")
    assert "not shown publicly" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Sign out").click()

    db.session.rollback()
    assert db.session.get(Suggestion, parking_id).status == SuggestionStatus.NOT_TAKEN_FORWARD

    page.goto(f"/public/groups/{group.id}/suggestions")
    main = page.locator("main").inner_text()
    assert REASON in main and "We are not taking this forward." in main and "Buses to the hospital" in main
    assert "Dorota" not in page.content() and "I cannot afford" not in main
    axe_check(page)
    screenshot(page, "public-suggestions")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1024, "height": 768})

    sign_in(page, axe_check, organiser)
    make_it_today(meeting.id)
    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("button", name="Start door mode").click()
    page.wait_for_url("**/door/")
    axe_check(page)
    page.get_by_role("link", name="Vote for what we talk about").click()
    assert heading(page) == "Vote for what we talk about"
    main = page.locator("main").inner_text()
    assert "Buses to the hospital" in main and "Parking charges" not in main  # not taken forward: no vote
    axe_check(page)
    screenshot(page, "door-vote")
    card = page.locator("li").filter(has_text="Buses to the hospital")
    card.get_by_role("button", name="I want to talk about this").click()
    page.wait_for_url("**/door/vote?said=counted")
    assert "Thank you. Your vote is counted." in page.locator("main").inner_text()
    assert "1 person wants to talk about this." in page.locator("main").inner_text()
    axe_check(page)
    page.set_viewport_size(PHONE)  # the narrowest phone: no sideways scrolling, nothing too small to press
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SMALL_TARGETS) == []
    axe_check(page)
    page.get_by_role("link", name="I have finished").click()
    page.wait_for_url("**/door/thanks")
    axe_check(page)

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SuggestionVote)
                             .where(SuggestionVote.suggestion_id == buses_id)) == 1
