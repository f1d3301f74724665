"""An organiser signs in, creates a meeting and a person, in a real Chromium; axe-core checks every page."""
import pytest

from survey_app.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def visit_and_check(page, axe_check, url):
    page.goto(url)
    axe_check(page)


def test_organiser_creates_a_meeting_and_a_person(page, axe_check, screenshot, make_user, sample):
    organiser = make_user(Role.ORGANISER)
    visit_and_check(page, axe_check, "/login")
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    assert page.locator("h1").inner_text() == "Dashboard"
    axe_check(page)

    page.get_by_role("link", name="Meetings", exact=True).first.click()
    axe_check(page)
    page.get_by_role("link", name="Add a meeting").click()
    axe_check(page)
    # Submit empty first: the error summary must appear and pass axe too.
    page.get_by_role("button", name="Save meeting").click()
    assert page.title().startswith("Error: Add a meeting")
    assert page.get_by_role("alert").is_visible()
    axe_check(page)
    page.get_by_label("Group").select_option(label=sample["group"].name)
    page.get_by_label("Title").fill("Planning the year ahead")
    page.get_by_label("Date").fill("2027-05-12")
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("End time").fill("12:30")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Venue name").fill("Runcorn Library")
    page.get_by_label("Step-free access").check()
    page.get_by_label("Hearing loop").check()
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_selector("h1:has-text('Planning the year ahead')")
    assert "Meeting saved." in page.inner_text("main")
    assert "10:30" in page.inner_text("main") and "Hearing loop" in page.inner_text("main")
    axe_check(page)
    screenshot(page, "organiser-meeting")

    page.get_by_role("link", name="People", exact=True).first.click()
    axe_check(page)
    page.get_by_role("link", name="Add a person").click()
    axe_check(page)
    page.get_by_label("First name").fill("Ioana")
    page.get_by_label("Last name").fill("Popescu")
    page.get_by_label("Carer", exact=True).check()
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number (optional)").fill("07700 900321")
    page.get_by_label("Easy read").check()
    page.get_by_label("Language").select_option("ro")
    page.get_by_label("They agree to us keeping these details").check()
    page.get_by_role("button", name="Save person").click()
    page.wait_for_selector("h1:has-text('Ioana Popescu')")
    axe_check(page)

    page.goto("/people?q=pop")
    assert page.get_by_role("link", name="Ioana Popescu").is_visible()
    axe_check(page)


def test_pages_fit_a_narrow_phone_screen(page, axe_check, make_user, sample):
    organiser = make_user(Role.ORGANISER)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/login")
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    for url in ("/login", "/dashboard", "/meetings/new", f"/people/{sample['person'].id}"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide at a 320px screen"


def test_error_pages_pass_axe(page, axe_check):
    visit_and_check(page, axe_check, "/no-such-page")
    assert page.locator("h1").inner_text() == "Page not found"
