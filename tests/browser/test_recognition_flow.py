"""An organiser recognises everyone at a meeting; finance approves, builds a return and downloads it."""
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import Attendance, AttendanceStatus, Person, Rate, RecognitionLine, Role
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_recognise_approve_build_and_download(page, axe_check, screenshot, make_user, sample, tmp_path):
    meeting, person = sample["meeting"], sample["person"]
    meeting.starts_at = utcnow() - timedelta(days=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1500,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    person.payee_ref, person.recognition_preference = "SUP-7", "paid"
    friend = Person(first_name="Ioana", last_name="Popescu", contact_method="text", phone="07700 900111",
                    information_format="easy_read", role="carer", recognition_preference="paid", payee_ref="SUP-8")
    friend.refresh_search_name()
    db.session.add_all([friend, Attendance(meeting=meeting, person=person, status=AttendanceStatus.ATTENDED),
                        Attendance(meeting=meeting, person=friend, status=AttendanceStatus.ATTENDED)])
    db.session.commit()
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)

    sign_in(page, organiser)
    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("link", name="Recognition for this meeting").click()
    expect(page.get_by_role("heading", name="Attended but not yet recognised")).to_be_visible()
    axe_check(page)
    page.get_by_label("Half-day fee").check()
    page.get_by_role("button", name="Record for everyone not yet recognised").click()
    expect(page.locator("main")).to_contain_text("Recognition recorded for 2 people.")
    axe_check(page)
    sign_out(page)

    sign_in(page, finance)
    page.wait_for_url("**/finance/")
    axe_check(page)
    page.get_by_role("link", name="Approve lines").click()
    axe_check(page)
    page.get_by_label("Approve Dorota Nowak, £40.00").check()
    page.get_by_label("Approve Ioana Popescu, £40.00").check()
    page.get_by_role("button", name="Approve the ticked lines").click()
    expect(page.locator("main")).to_contain_text("Lines approved: 2.")
    page.goto("/finance/returns")
    axe_check(page)
    page.get_by_role("button", name="Build the return").click()
    page.wait_for_url("**/finance/returns/1")
    assert "Return 1 is ready" in page.inner_text("main")
    axe_check(page)
    screenshot(page, "finance-return")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the Excel return").click()
    download = download_info.value
    assert download.suggested_filename.startswith("finance-return-1-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    names = [c.value for c in book["Lines"]["D"][1:3]]
    assert sorted(names) == ["Dorota Nowak", "Ioana Popescu"]
    assert all(line.return_id for line in db.session.scalars(select(RecognitionLine)))
    page.get_by_label("Date paid", exact=True).fill(date.today().isoformat())
    page.get_by_role("button", name="Mark as paid").click()
    expect(page.locator("main")).to_contain_text("Return 1 is marked paid.")
    axe_check(page)
    page.goto("/finance/payees?show=all")
    axe_check(page)
