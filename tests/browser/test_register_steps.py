"""Registering at the door one question a page (survey_app/door/register.py), in a real Chromium: by
keyboard alone, by taps, Back (the page's and the browser's) keeping what was typed, and every page
checked with axe-core, for sideways scrolling and for small touch targets (test_door_flow's `check`).
Screenshots of every page in English and Arabic, normal and high contrast, go to test-output/."""
import pytest
from sqlalchemy import select

from survey_app.models import Attendance, AttendanceStatus, Person
from survey_app.web.extensions import db
from tests.browser.test_door_flow import (  # noqa: F401 (fixtures)
    TABLET,
    axe,
    check,
    count,
    heading,
    press,
    start_door_mode,
    tab_to,
)

pytestmark = pytest.mark.browser


def step_text(page) -> str:
    return page.locator(".progress").inner_text().strip()


def next_page(page, url_part: str):
    """Press the page's Next (or Save) button, whatever the language, and wait for `url_part`."""
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**{url_part}")
    page.wait_for_load_state()


def test_registering_by_keyboard_alone(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    tab_to(page, lambda f: f["text"].endswith("I'm new here"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/new/name")
    assert heading(page) == "What is your name?" and step_text(page) == "Step 1 of 6"
    check(page)
    tab_to(page, lambda f: f["name"] == "first_name")
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Costa")
    page.keyboard.press("Enter")  # Enter in a text box sends the form
    page.wait_for_url("**/door/new/role")

    for after, title, step, value in (("/door/new/contact", "Who are you in the group?", 2, "carer"),
                                      ("/door/new/detail", "How should we contact you?", 3, "email")):
        assert heading(page) == title and step_text(page) == f"Step {step} of 6"
        check(page)
        tab_to(page, lambda f: f["tag"] == "INPUT" and f["name"] in ("role", "contact_method"))
        for _ in range(8):  # arrow keys move through the choices, choosing as they go
            if page.evaluate("document.activeElement.value") == value:
                break
            page.keyboard.press("ArrowDown")
        if not page.evaluate("document.activeElement.checked"):
            page.keyboard.press("Space")  # Tab stops on the first choice without choosing it
        assert page.evaluate("document.activeElement.checked")
        tab_to(page, lambda f: f["text"].startswith("Next"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{after}")

    assert heading(page) == "What is your email address?" and step_text(page) == "Step 4 of 6"
    check(page)
    tab_to(page, lambda f: f["name"] == "email")
    page.keyboard.type("ana@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/new/format")
    assert step_text(page) == "Step 5 of 6"
    check(page)
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["name"] == "information_format")
    page.keyboard.press("Space")  # the first choice, Easy read
    tab_to(page, lambda f: f["text"].startswith("Next"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/new/consent")
    assert heading(page) == "Can we keep your details?" and step_text(page) == "Step 6 of 6"
    assert "We delete them 2 years after your last meeting." in page.locator("main").inner_text()
    check(page)
    tab_to(page, lambda f: f["name"] == "consent")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["text"].startswith("Next"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/new/check")
    assert heading(page) == "Check your answers"
    check(page)
    summary = page.locator(".summary").inner_text()
    for shown in ("Ana Costa", "I am a carer", "Email", "ana@example.org", "Easy read"):
        assert shown in summary
    tab_to(page, lambda f: f["text"].startswith("Save"), limit=25)
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/thank-you-choice")
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert (ana.last_name, ana.email, ana.information_format.value) == ("Costa", "ana@example.org", "easy_read")
    assert count(Attendance) == 1
    assert db.session.scalar(select(Attendance.status).where(Attendance.person_id == ana.id)) \
        == AttendanceStatus.ATTENDED


def answer_name(page):
    """From the welcome page: I'm new here, type a name, Next; lands on the second question."""
    press(page, "I'm new here", role="link")
    page.get_by_label("Your first name").fill("Ana")
    page.get_by_label("Your last name").fill("Costa")
    press(page, "Next")
    page.wait_for_url("**/door/new/role")


def test_back_keeps_what_was_typed_and_change_comes_back_to_check(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    answer_name(page)
    assert step_text(page) == "Step 2 of 6"
    page.get_by_label("I am a volunteer").check()
    press(page, "Next")
    page.wait_for_url("**/door/new/contact")

    page.go_back()  # the browser's own Back
    page.wait_for_url("**/door/new/role")
    assert page.get_by_label("I am a volunteer").is_checked()
    press(page, "Back", role="link")  # the page's Back link
    page.wait_for_url("**/door/new/name")
    check(page)
    assert page.get_by_label("Your first name").input_value() == "Ana"
    assert page.get_by_label("Your last name").input_value() == "Costa"
    press(page, "Next")
    page.wait_for_url("**/door/new/role")  # on to the next page, not back to the start
    assert page.get_by_label("I am a volunteer").is_checked()
    press(page, "Next")
    page.get_by_label("Text message").check()
    press(page, "Next")
    page.get_by_label("What is your phone number?").fill("07700 900999")
    press(page, "Next")
    page.get_by_label("Large print").check()
    press(page, "Next")
    page.get_by_label("Yes, you can keep my details").check()
    press(page, "Next")
    page.wait_for_url("**/door/new/check")

    # Change the way of contact: the new detail is asked, then back to "Check your answers".
    change = page.get_by_role("link", name="Change how we contact you")
    assert change.is_visible()
    change.click()
    page.wait_for_url("**/door/new/contact?change=1")
    assert page.get_by_label("Text message").is_checked()
    page.get_by_label("Letter in the post").check()
    press(page, "Next")
    page.wait_for_url("**/door/new/detail?change=1")
    assert heading(page) == "What is your address?"
    check(page)
    page.get_by_label("What is your address?").fill("1 High Street\nRuncorn")
    press(page, "Next")
    page.wait_for_url("**/door/new/check")
    summary = page.locator(".summary").inner_text()
    assert "1 High Street" in summary and "07700 900999" not in summary and "Letter in the post" in summary
    check(page)
    press(page, "Save")
    page.wait_for_url("**/door/thank-you-choice")
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert (ana.address, ana.phone, ana.role.value) == ("1 High Street\nRuncorn", "", "volunteer")


def test_an_error_is_shown_one_page_at_a_time(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    press(page, "I'm new here", role="link")
    page.get_by_label("Your first name").fill("Ana")
    press(page, "Next")
    summary = page.get_by_role("alert")
    assert "Type your last name." in summary.inner_text()
    assert "Type your first name." not in page.locator("main").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Error: What is your name?")
    check(page)
    summary.get_by_role("link", name="Type your last name.").click()
    assert page.evaluate("document.activeElement.name") == "last_name"


def test_a_network_drop_on_a_page_keeps_what_was_typed(page, check, axe_check, make_user, sample):
    """The page's draft (participant.js, data-draft) works on each question page."""
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    answer_name(page)
    page.get_by_label("I am a carer").check()
    press(page, "Next")
    page.wait_for_url("**/door/new/contact")
    page.get_by_label("Letter in the post").check()
    press(page, "Next")
    page.wait_for_url("**/door/new/detail")
    page.get_by_label("What is your address?").fill("1 High Street")
    page.context.set_offline(True)
    try:
        page.get_by_role("button", name="Next").click()
        page.wait_for_load_state()
    except Exception:  # noqa: S110 (the navigation fails while offline, which is the point)
        pass
    page.context.set_offline(False)
    page.goto("/door/new/detail")
    assert page.get_by_label("What is your address?").input_value() == "1 High Street"
    check(page)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("contrast", ["normal", "high-contrast"])
def test_every_registration_page_in_english_and_arabic_normal_and_high_contrast(
        page, check, axe_check, screenshot, make_user, sample, lang, contrast):
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    if lang == "ar":
        page.locator("button[name=lang][value=ar]").click()
        page.wait_for_url("**/door/")
    if contrast == "high-contrast":
        page.locator("button[name=setting][value=hc]").click()
        page.wait_for_url("**/door/")
    html = page.locator("html")
    page.locator("a[href='/door/new']").click()
    answers = [("name", lambda: (page.locator("#first_name").fill("Ana"), page.locator("#last_name").fill("Costa"))),
               ("role", lambda: page.locator("input[name=role][value=carer]").check()),
               ("contact", lambda: page.locator("input[name=contact_method][value=post]").check()),
               ("detail", lambda: page.locator("#address").fill("1 High Street\nRuncorn")),
               ("format", lambda: page.locator("input[name=information_format][value=easy_read]").check()),
               ("consent", lambda: page.locator("#consent").check())]
    for number, (step, fill) in enumerate(answers, start=1):
        page.wait_for_url(f"**/door/new/{step}")
        assert html.get_attribute("lang") == lang and html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert ("high-contrast" in (html.get_attribute("class") or "").split()) == (contrast == "high-contrast")
        assert page.locator(".progress").inner_text().strip() != "" and page.locator("h1 svg").count() == 1
        if lang == "en":
            assert step_text(page) == f"Step {number} of 6"
        check(page)
        screenshot(page, f"register-{lang}-{contrast}-{number}-{step}")
        fill()
        next_page(page, "/door/new/" + (answers[number][0] if number < len(answers) else "check"))
    check(page)
    assert page.locator(".summary__change").count() == 6
    screenshot(page, f"register-{lang}-{contrast}-7-check")
