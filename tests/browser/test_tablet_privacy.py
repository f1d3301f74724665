"""Issue 12, sections 1 and 2, in a real Chromium: signing in as someone at the door shows nothing stored about
them and changes none of their needs; a name's pick gives no id away; surname letters find nothing more than
the initial; past the search limit the tablet asks for a member of staff. Every page is checked with
axe-core (no violations of any impact), as the other door tests do."""
import base64

import pytest
from sqlalchemy import func, select

from survey_app.models import AccessNeed, Attendance, AttendanceStatus, NeedKind, Person
from survey_app.web.extensions import db
from tests.browser.test_door_flow import (  # noqa: F401
    TABLET,
    axe,
    check,
    fill_in_registration,
    heading,
    invite,
    press,
    start_door_mode,
)

pytestmark = pytest.mark.browser


def search(page, typed):
    page.get_by_label("Type the first letters of your name").fill(typed)
    press(page, "Find me")


def shown_names(page):
    return sorted(b.inner_text().strip() for b in page.locator("form[action='/door/sign-in/check'] button").all())


def test_signing_in_as_someone_shows_and_changes_nothing_stored(page, check, axe_check, make_user, sample):
    invite(sample)
    pid, mid = sample["person"].id, sample["meeting"].id
    db.session.add(AccessNeed(person_id=pid, kind=NeedKind.OTHER, detail="insulin fridge"))
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    press(page, "Sign in", role="link")
    search(page, "dor")
    check(page)
    assert shown_names(page) == ["Dorota N."]
    pick = page.locator("input[name='pick']").first.get_attribute("value")
    decoded = base64.urlsafe_b64decode(pick + "=" * (-len(pick) % 4)).decode("latin-1")
    assert '"p":' not in decoded and '"m":' not in decoded and f":{pid}," not in decoded
    press(page, "Dorota N.")
    press(page, "Yes, this is me")
    page.wait_for_url("**/door/support")
    # How to be thanked is asked only of someone who registered in this visit: this goes on to support.
    page.goto("/door/thank-you-choice")
    page.wait_for_url("**/door/support")
    check(page)
    main = page.locator("main").inner_text()
    assert "We have your support needs from before." in main and "insulin fridge" not in main
    assert page.locator("input[type=checkbox]:checked").count() == 0
    assert page.locator("textarea[name='other_detail']").input_value() == ""
    page.get_by_label("A hearing loop").check()
    page.get_by_label("No, just for this meeting").check()
    press(page, "Send")
    page.wait_for_url("**/door/thanks")
    db.session.rollback()
    needs = db.session.scalars(select(AccessNeed).order_by(AccessNeed.id)).all()
    assert [(n.kind, n.detail, n.meeting_id, n.ended_at) for n in needs] == [
        (NeedKind.OTHER, "insulin fridge", None, None), (NeedKind.HEARING_LOOP, "", mid, None)]
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.ATTENDED


def test_names_cannot_be_read_off_the_tablet(page, check, axe_check, make_user, sample):
    invite(sample)
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    press(page, "Sign in", role="link")
    search(page, "Nowak")  # a surname is not searched
    assert shown_names(page) == []
    assert "We could not find that name." in page.locator("main").inner_text()
    check(page)
    search(page, "Dorota N")
    assert shown_names(page) == ["Dorota N."]
    for typed in ("Dorota No", "Dorota Nowa", "Dorota Nowak", "Dorota Nz"):  # letters after the initial: the same
        search(page, typed)
        assert shown_names(page) == ["Dorota N."], typed
    for _ in range(4):
        search(page, "dor")
    search(page, "Dorota N")  # the 11th search in this visit
    main = page.locator("main").inner_text()
    assert "Please ask a member of staff to help you sign in." in main and shown_names(page) == []
    assert page.get_by_label("Type the first letters of your name").input_value() == "Dorota N"
    check(page)


def test_registering_again_asks_have_you_been_here_before(page, check, axe_check, make_user, sample):
    invite(sample)
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    press(page, "I'm new here", role="link")
    fill_in_registration(page, "dorota", "NOWAK", "I have lived experience", "07700 900123")
    assert heading(page) == "Have you been here before?"
    check(page)
    assert "Nowak" not in page.locator("main").inner_text()
    press(page, "No, I am new")
    page.wait_for_url("**/door/thank-you-choice")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2
    assert db.session.scalar(select(Person.phone).where(Person.first_name == "dorota")) == "07700 900123"
