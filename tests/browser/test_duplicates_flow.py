"""Issue 12, section 4: the same person registered three times at the door is three people; an organiser
sees them as possible duplicates and merges them into one; "record the usual" then pays once, a second
manual payment warns first, and finance sees lines that look the same flagged."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from survey_app.models import Attendance, AuditEvent, Person, Rate, RecognitionLine, Role
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.browser.test_door_flow import fill_in_registration
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def count(model, *where):
    db.session.rollback()  # see what the server's requests have committed since
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sign_in(page, user):
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def register_at_the_door(page, again: bool):
    page.get_by_role("link", name="I'm new here", exact=True).click()
    page.wait_for_load_state()
    fill_in_registration(page, "Tabby", "Xavier", "I have lived experience", "tabby@example.org", contact="Email",
                         information="Standard print")
    if again:  # the tablet asks, without showing anything of the earlier record; they insist they are new
        expect(page.get_by_role("heading", name="Have you been here before?")).to_be_visible()
        page.get_by_role("button", name="No, I am new").click()
    page.wait_for_url("**/door/thank-you-choice")
    page.get_by_label("Please pay me").check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url("**/door/about-you")  # the optional equality form (issue 18): skipped
    page.get_by_role("button", name="Skip this", exact=True).click()
    page.wait_for_url("**/door/support")
    page.get_by_role("link", name="I don't need any support", exact=True).click()
    page.wait_for_url("**/door/thanks")
    page.goto("/door/")


def test_three_registrations_merged_into_one_and_paid_once(page, chromium_browser, live_server, axe_check,
                                                           screenshot, make_user, sample):
    meeting = sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(minutes=30)  # door mode runs on the meeting's day
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1500,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    db.session.commit()
    meeting_id = meeting.id
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)

    # The tablet: the same person presses "I'm new here" three times.
    sign_in(page, organiser)
    page.goto(f"/meetings/{meeting_id}")
    page.get_by_role("button", name="Start door mode").click()
    page.wait_for_url("**/door/")
    for turn in range(3):
        register_at_the_door(page, again=turn > 0)
    assert count(Person, Person.email == "tabby@example.org") == 3
    ids = sorted(db.session.scalars(select(Person.id).where(Person.email == "tabby@example.org")))

    # The organiser, on their laptop.
    laptop = chromium_browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live_server)
    staff = laptop.new_page()
    sign_in(staff, organiser)
    staff.goto("/people")
    staff.get_by_role("link", name="Possible duplicates").click()
    staff.wait_for_url("**/people/duplicates")
    axe_check(staff)
    rows = staff.locator("tbody tr")
    assert rows.count() == 2  # the oldest record paired with each of the other two
    assert "Same name, Same email address" in rows.first.inner_text()
    screenshot(staff, "possible-duplicates")
    for _other in ids[1:]:
        staff.goto("/people/duplicates")
        staff.get_by_role("link", name="Compare Tabby Xavier and Tabby Xavier").first.click()
        axe_check(staff)
        staff.get_by_role("link", name=f"Keep number {ids[0]}").click()
        main = staff.inner_text("main")
        assert "1 meeting attendance" in main
        axe_check(staff)
        staff.get_by_role("button", name="Merge them").click()
        staff.wait_for_url(f"**/people/{ids[0]}")
        assert "Merged. Everything from person" in staff.inner_text("main")
    staff.goto("/people/duplicates")
    assert "No possible duplicates." in staff.inner_text("main")
    assert count(Person, Person.email == "tabby@example.org") == 1
    assert count(Attendance, Attendance.meeting_id == meeting_id) == 1
    assert count(AuditEvent, AuditEvent.action == "merge") == 2

    # Record the usual: one payment, and a second press adds nothing.
    staff.goto(f"/meetings/{meeting_id}/recognition")
    staff.get_by_label("Half-day fee").check()
    staff.get_by_role("button", name="Record for everyone not yet recognised").click()
    assert "Recognition recorded for 1 person." in staff.inner_text("main")
    assert "Everyone who signed in has been recognised." in staff.inner_text("main")
    assert count(RecognitionLine) == 1

    # A second payment by hand warns first, and saves only when asked again.
    staff.goto(f"/people/{ids[0]}/recognition/payment?meeting={meeting_id}")
    warning = "Tabby Xavier already has a payment for this meeting. Record another?"
    assert warning in staff.inner_text("main")
    axe_check(staff)
    staff.get_by_label("Half-day fee").check()
    staff.get_by_role("button", name="Yes, record another").click()
    staff.wait_for_url(f"**/meetings/{meeting_id}/recognition")
    assert count(RecognitionLine) == 2
    laptop.close()

    # Finance sees the two half-day fees flagged.
    desk = chromium_browser.new_context(viewport={"width": 1024, "height": 768}, base_url=live_server)
    money = desk.new_page()
    sign_in(money, finance)
    money.goto("/finance/approve")
    flag = "Looks the same as another line: same person, meeting, kind and amount. Check it is not paid twice."
    assert money.inner_text("main").count(flag) == 2
    axe_check(money)
    screenshot(money, "approve-lookalikes")
    desk.close()
