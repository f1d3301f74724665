"""An organiser reads a meeting's checklist results, filters and compares them, downloads them, and
follows the group's results over time; axe-core checks every page, and every chart has its table."""
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from survey_app.models import ChecklistResponse, Meeting, MeetingMode, Role
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def every_chart_has_a_table(page):
    blocks = page.locator(".chart-and-table")
    assert blocks.count() > 0
    for i in range(blocks.count()):
        block = blocks.nth(i)
        chart = block.locator("svg[role=img]")
        assert chart.count() == 1 and chart.get_attribute("aria-label")
        assert block.locator("table").count() == 1
    return blocks.count()


def answers(meeting, n, here_as, achieved):
    return [ChecklistResponse(meeting_id=meeting.id, responded_on=date.today(), achieved=achieved, feeling=4,
                              inclusive=5, accessible=3 + i % 2, payment_clear="yes" if i % 3 else "not_sure",
                              here_as=here_as, change=f"Idea {here_as} {i}") for i in range(n)]


def test_organiser_reads_results_and_the_trend(page, axe_check, screenshot, make_user, sample, tmp_path):
    group, meeting = sample["group"], sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=2)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    earlier = Meeting(group=group, title="Easy read letters", starts_at=utcnow() - timedelta(days=40),
                      ends_at=utcnow() - timedelta(days=40, hours=-2), mode=MeetingMode.ONLINE)
    db.session.add(earlier)
    db.session.flush()
    db.session.add_all(answers(meeting, 6, "lived_experience", 4) + answers(meeting, 5, "staff", 5)
                       + answers(meeting, 2, "carer", 2) + answers(meeting, 3, None, 3)
                       + answers(earlier, 4, "lived_experience", 2))
    db.session.commit()

    sign_in(page, make_user(Role.ORGANISER))
    page.goto(f"/meetings/{meeting.id}/results")
    assert "Responses: 16" in page.inner_text("main")
    assert every_chart_has_a_table(page) == 5
    axe_check(page)
    screenshot(page, "checklist-results")

    page.get_by_label("Show answers from").select_option(label="Carers")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text('Fewer than 5 people are in the group "Carers"')
    assert page.locator("svg").count() == 0
    axe_check(page)
    page.get_by_label("Show answers from").select_option(label="Staff")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text('Responses from the group "Staff": 5')
    assert "Idea carer" not in page.inner_text("main")
    axe_check(page)

    page.get_by_role("link", name="Compare the groups side by side").click()
    assert every_chart_has_a_table(page) == 5
    assert "Fewer than 5" in page.inner_text("main")
    axe_check(page)
    screenshot(page, "checklist-results-split")
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: the page reflows, the tables scroll
    axe_check(page)
    screenshot(page, "checklist-results-split-narrow")
    page.set_viewport_size({"width": 1024, "height": 768})

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results as an Excel file").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"checklist-results-{meeting.id}-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", 'By "here as"', "Comments", "The questions"]

    page.get_by_role("link", name="This group's results over time").click()
    page.wait_for_url(f"**/groups/{group.id}/results")
    main = page.inner_text("main")
    assert "Easy read letters" in main and "Health checks" in main
    assert every_chart_has_a_table(page) == 5
    axe_check(page)
    screenshot(page, "checklist-trend")
