"""Two tabs on the door tablet (issue 12, section 3), in a real Chromium: two pages of one browser context
share the tablet's cookie. Tab A registers Tabby Xavier and reaches "Do you need any support today?"; tab
B signs in as Hannah B.; tab A ticks a hearing loop and sends. Nothing is saved for either of them, and
tab A says so and offers to start again."""
import pytest
from sqlalchemy import select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ContactMethod,
    InformationFormat,
    Person,
    PersonRole,
)
from survey_app.web.extensions import db
from tests.browser.test_door_flow import (  # noqa: F401 (fixtures)
    axe,
    check,
    count,
    fill_in_registration,
    heading,
    press,
    sign_in_at_door,
    start_door_mode,
)

pytestmark = pytest.mark.browser

SOMEONE_ELSE = "This screen was for someone else"


def test_a_second_tab_cannot_make_one_persons_needs_anothers(page, check, axe_check, make_user, sample):
    hannah = Person(first_name="Hannah", last_name="Brennan", contact_method=ContactMethod.EMAIL,
                    email="hannah@example.org", information_format=InformationFormat.STANDARD,
                    role=PersonRole.CARER)
    hannah.refresh_search_name()
    db.session.add(hannah)
    # Invited, so the door's search (people connected to the meeting's group) finds her.
    db.session.add(Attendance(meeting=sample["meeting"], person=hannah, status=AttendanceStatus.INVITED))
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    tab_a = page

    press(tab_a, "I'm new here", role="link")
    fill_in_registration(tab_a, "Tabby", "Xavier", "I have lived experience", "1 High Street",
                         contact="Letter in the post", information="Standard print")
    tab_a.wait_for_url("**/door/thank-you-choice")
    tab_a.get_by_label("Just say thank you").check()
    press(tab_a, "Next")
    tab_a.wait_for_url("**/door/about-you")  # the optional equality form (issue 18): skipped
    press(tab_a, "Skip this")
    tab_a.wait_for_url("**/door/support")
    assert heading(tab_a) == "Do you need any support today?"

    tab_b = tab_a.context.new_page()
    tab_b.goto("/door/")
    press(tab_b, "Sign in", role="link")
    sign_in_at_door(tab_b, "han", "Hannah B.")

    tab_a.get_by_label("A hearing loop").check()
    tab_a.get_by_label("No, just for this meeting").check()
    press(tab_a, "Send")
    assert heading(tab_a) == SOMEONE_ELSE
    check(tab_a)
    assert count(AccessNeed) == 0
    tabby = db.session.scalar(select(Person).where(Person.first_name == "Tabby"))
    assert tabby is not None

    # Tab A's draft (the hearing loop, kept in the tab) is not put back into Hannah's form.
    tab_a.goto("/door/support")
    assert heading(tab_a) == "Do you need any support today?"
    assert not tab_a.get_by_label("A hearing loop").is_checked()
    press(tab_a, "Start again")
    tab_a.wait_for_url("**/door/")
    assert heading(tab_a) == "Welcome"
