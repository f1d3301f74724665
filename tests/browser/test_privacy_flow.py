"""An admin reads the audit log filtered by a person, downloads what is held about them and erases their
details; axe on each page."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.models import AuditEvent, NeedKind, Person, Role
from survey_app.participation import taking_part
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_audit_log_subject_access_and_erasure(page, axe_check, screenshot, make_user, sample):
    meeting, person = sample["meeting"], sample["person"]
    taking_part.save_needs(person.id, meeting.id, {NeedKind.BSL: "Prefers a deaf-led interpreter"}, remember=True)
    db.session.commit()
    admin = make_user(Role.ADMIN)
    page.goto("/login")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")

    page.get_by_role("link", name="Audit log").click()
    axe_check(page)
    page.get_by_label("Person number").fill(str(person.id))
    page.get_by_role("button", name="Show").click()
    axe_check(page)
    screenshot(page, "audit-log")

    page.goto(f"/people/{person.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything we hold about this person (Excel)").click()
    assert download.value.suggested_filename.startswith(f"subject-access-person-{person.id}-")

    page.get_by_role("link", name="Erase this person's details").click()
    axe_check(page)
    page.get_by_role("button", name="Erase their details").click()
    expect(page.locator("main")).to_contain_text("Type the word ERASE to confirm you want to erase their details.")
    axe_check(page)
    page.get_by_label("To confirm, type the word ERASE").fill("ERASE")
    page.get_by_role("button", name="Erase their details").click()
    page.wait_for_url(f"**/people/{person.id}")
    axe_check(page)
    screenshot(page, "erased-person")
    shown = page.inner_text("main")
    assert "Erased person" in shown and "Dorota" not in shown and "Contact them by" not in shown
    db.session.expire_all()
    erased = db.session.get(Person, person.id)
    assert erased.erased_at is not None and erased.first_name == "Erased"
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "erase")) is not None
