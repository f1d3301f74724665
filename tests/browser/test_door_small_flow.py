"""Issue 12, section 6 in a real browser: door mode only on the meeting's day, the thank-you screen's three
choices after registering, and no "Correct" on a line already corrected."""
from datetime import date

import pytest
from sqlalchemy import func, select

from survey_app.models import Attendance, AuditEvent, PaymentBasis, Person, Rate, RecognitionKind, Role
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.browser.test_door_flow import (  # noqa: F401
    TABLET,
    axe,
    check,
    count,
    heading,
    press,
    register_through_to_thanks,
    start_door_mode,
)
from tests.browser.test_recognition_flow import sign_in
from tests.door_helpers import later_today

pytestmark = pytest.mark.browser


def test_door_mode_refused_for_a_future_meeting_and_accepted_on_its_day(page, axe_check, screenshot, make_user,
                                                                          sample):
    meeting = sample["meeting"]  # next week
    sign_in(page, make_user(Role.ORGANISER))
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{meeting.id}")
    assert "Door mode can only be started on the day of the meeting." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Start door mode").count() == 0
    axe_check(page)
    screenshot(page, "door-mode-not-today")
    # A form sent anyway (an old tab, a crafted post) is refused and changes nothing.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"/meetings/{meeting.id}/door-mode", form={"csrf_token": token},
                                 headers={"Referer": page.url})
    assert response.status == 409
    assert "Door mode can only be started on that day" in response.text()
    page.goto("/dashboard")
    assert heading(page) != "Welcome" and "/door/" not in page.url
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "door-mode-start")) == 0

    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = later_today()
    meeting.ends_at = meeting.starts_at + length
    db.session.commit()
    page.goto(f"/meetings/{meeting.id}")
    assert "Door mode can only be started" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Start door mode").click()
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"


def test_the_thank_you_screen_after_registering_offers_three_choices(page, check, axe_check, screenshot,
                                                                      make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    press(page, "I'm new here", role="link")
    register_through_to_thanks(page)
    assert heading(page) == "Thank you"
    choices = page.get_by_role("navigation", name="What do you want to do?")
    assert choices.get_by_role("button", name="Suggest something to talk about").is_visible()
    assert choices.get_by_role("button", name="Vote for what we talk about").is_visible()
    assert choices.get_by_role("link", name="Next person").is_visible()
    check(page)
    screenshot(page, "door-thanks-three-choices")
    press(page, "Vote for what we talk about")
    page.wait_for_url("**/door/vote")
    assert heading(page) == "Vote for what we talk about"
    check(page)
    assert count(Person) == 2 and count(Attendance) == 1

    page.goto("/door/thanks")
    press(page, "Suggest something to talk about")
    page.wait_for_url("**/door/suggest")
    assert heading(page) == "Suggest something to talk about"
    check(page)


def test_no_correct_button_on_a_line_already_corrected(page, axe_check, make_user, sample):
    group, person = sample["group"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-0042"
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)
    lines = [rec.record(rec.LineInput(person=person, group_id=group.id, activity_on=date(2026, 5, d),
                                      kind=RecognitionKind.PAYMENT, meeting=sample["meeting"],
                                      basis=PaymentBasis.HALF_DAY), organiser) for d in (1, 2)]
    rec.approve(lines, finance)
    rec.build_return(finance)
    db.session.commit()
    sign_in(page, organiser)
    page.wait_for_url("**/dashboard")
    page.goto(f"/people/{person.id}")
    assert page.get_by_role("link", name="Correct", exact=True).count() == 2
    page.get_by_role("link", name="Correct", exact=True).first.click()
    page.get_by_label("The right amount").fill("30")
    page.get_by_label("Why it needs correcting").fill("Left early")
    page.get_by_role("button", name="Make the correction").click()
    page.wait_for_url(f"**/people/{person.id}")
    # One line still to correct; the corrected one says so, and the reversal offers nothing.
    assert page.get_by_role("link", name="Correct", exact=True).count() == 1
    assert page.get_by_role("cell", name="Corrected", exact=True).count() == 1
    axe_check(page)
