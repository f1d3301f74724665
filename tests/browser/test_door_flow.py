"""The door tablet in a real Chromium, as a participant would use it: on a tablet and on a narrow phone.

Every page is checked with axe-core and, unlike staff pages, participant pages must have no violations
at all, of any impact. Every page must also fit the screen without sideways scrolling.
"""

import pytest
from sqlalchemy import func, select

from survey_app.models import AccessNeed, Attendance, ChecklistResponse, Person, Role, Suggestion
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import make_it_today

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 320, "height": 640}
SIZES = [pytest.param(TABLET, id="tablet"), pytest.param(PHONE, id="phone")]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


# Everything a finger can press, with its size on screen. A checkbox or radio button is pressed through its
# whole bordered row (.choice), so the row is measured, not the box. Hidden things (the skip link until it
# has focus, clipped to nothing where it stands; the closed idle warning) are not on screen.
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'a, button, .choice, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea'))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width && r.height && r.right > 0 && r.bottom > 0 && r.left < innerWidth)
  .filter(([el, r]) => getComputedStyle(el).clipPath !== 'inset(50%)')
  .filter(([el, r]) => r.width < 44 || r.height < 44)
  .map(([el, r]) => `${el.tagName} "${(el.innerText || el.name || '').trim().slice(0, 30)}" ${r.width}x${r.height}`)"""


@pytest.fixture
def check(axe):
    """Check a participant page: zero axe-core violations of any impact, no text whose contrast axe could not
    confirm, no sideways scrolling, and nothing to press smaller than 44x44 px."""

    def run(page):
        results = axe.run(page, options={"resultTypes": ["violations", "incomplete"]})
        bad = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"]]
        assert bad == [], f"axe-core on {page.url}: {bad}"
        # axe cannot call text the same colour as its background a failure (it might be meant to be
        # hidden), so it only asks for a review; here that is always a failure. Decorative emoji and
        # arrows (aria-hidden, no letters) are the one thing contrast may not apply to.
        unsure = [(n["target"], check["message"]) for v in results.response["incomplete"]
                  if v["id"] == "color-contrast" for n in v["nodes"] for check in n["any"]
                  if "non-text" not in check["message"]]
        assert unsure == [], f"axe-core could not confirm the contrast on {page.url}: {unsure}"
        width = page.viewport_size["width"]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"
        small = page.evaluate(SMALL_TARGETS)
        assert small == [], f"touch targets smaller than 44x44 px on {page.url}: {small}"

    return run


def count(model):
    db.session.rollback()  # see what the server's requests have committed since
    return db.session.scalar(select(func.count()).select_from(model))


def invite(sample):
    """Invite the sample person to the sample meeting, as an organiser would."""
    from survey_app.models import AttendanceStatus

    db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                              status=AttendanceStatus.INVITED))
    db.session.commit()


def heading(page):
    return page.locator("h1").inner_text().strip()


def start_door_mode(page, axe_check, make_user, meeting, size=TABLET):
    """An organiser signs in and turns this browser into the meeting's door tablet."""
    organiser = make_user(Role.ORGANISER)
    make_it_today(meeting.id)
    page.set_viewport_size(size)
    page.goto("/login")
    axe_check(page)
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{meeting.id}")
    axe_check(page)
    page.get_by_role("button", name="Start door mode").click()
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"


def press(page, name, role="button"):
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


def sign_in_at_door(page, typed="dor", shown="Dorota N."):
    """From the sign-in page: find yourself by `typed`, choose `shown`, confirm; lands on the support page."""
    page.get_by_label("Type the first letters of your name").fill(typed)
    press(page, "Find me")
    press(page, shown)
    press(page, "Yes, this is me")
    page.wait_for_url("**/door/support")


DETAIL_QUESTION = {"Text message": "What is your phone number?", "Phone call": "What is your phone number?",
                   "Email": "What is your email address?", "Letter in the post": "What is your address?"}


def fill_in_registration(page, first="Ana", last="Costa", role="I am a carer", phone="07700 900999", each=None,
                         contact="Text message", information="Easy read"):
    """Answer the registration pages from "What is your name?" (by default a text message contact to `phone`,
    easy read), pressing Next on each, then Save on "Check your answers". `phone` is the contact detail
    whatever `contact` is (an email address, an address). `each(page)` is called on every page first."""
    detail = DETAIL_QUESTION[contact]
    answers = [("What is your name?", lambda: (page.get_by_label("Your first name").fill(first),
                                               page.get_by_label("Your last name").fill(last))),
               ("Who are you in the group?", lambda: page.get_by_label(role).check()),
               ("How should we contact you?", lambda: page.get_by_label(contact, exact=True).check()),
               (detail, lambda: page.get_by_label(detail).fill(phone)),
               ("How do you like to get information?", lambda: page.get_by_label(information).check()),
               ("Can we keep your details?", lambda: page.get_by_label("Yes, you can keep my details").check())]
    for title, answer in answers:
        assert heading(page) == title
        if each:
            each(page)
        answer()
        press(page, "Next")
    page.wait_for_url("**/door/new/check")
    assert heading(page) == "Check your answers"
    if each:
        each(page)
    press(page, "Save")


def register_through_to_thanks(page):
    """Register Ana Costa (fill_in_registration), ask to be thanked, need no support: the thank-you screen."""
    fill_in_registration(page)
    page.wait_for_url("**/door/thank-you-choice")
    page.get_by_label("Just say thank you").check()
    press(page, "Next")
    page.wait_for_url("**/door/about-you")  # the optional equality form (issue 18): skipped
    press(page, "Skip this")
    page.wait_for_url("**/door/support")
    press(page, "I don't need any support", role="link")
    page.wait_for_url("**/door/thanks")


@pytest.mark.parametrize("size", SIZES)
def test_signing_in_and_asking_for_support(page, check, axe_check, screenshot, make_user, sample, size):
    invite(sample)  # the door finds only people connected to the meeting's group (issue 12)
    start_door_mode(page, axe_check, make_user, sample["meeting"], size)
    tag = size["width"]
    main = page.locator("main").inner_text()
    assert "Health checks" in main and "Runcorn Library" in main
    check(page)
    screenshot(page, f"door-en-welcome-{tag}")

    press(page, "Sign in", role="link")
    assert heading(page) == "Sign in"
    check(page)
    page.get_by_label("Type the first letters of your name").fill("dor")
    press(page, "Find me")
    assert page.get_by_role("heading", name="Choose your name").is_visible()
    assert "Nowak" not in page.locator("main").inner_text()
    check(page)
    screenshot(page, f"door-en-sign-in-{tag}")

    press(page, "Dorota N.")
    assert heading(page) == "Is this you?"
    check(page)
    press(page, "Yes, this is me")
    page.wait_for_url("**/door/support")
    assert heading(page) == "Do you need any support today?"
    check(page)
    screenshot(page, f"door-en-support-{tag}")

    bsl = page.get_by_label("A British Sign Language interpreter")
    page.locator(".choice").filter(has=bsl).click(position={"x": 5, "y": 5})  # the corner of its row
    assert bsl.is_checked()
    page.get_by_label("No, just for this meeting").check()
    press(page, "Send")
    page.wait_for_url("**/door/thanks")
    assert heading(page) == "Thank you"
    check(page)
    press(page, "Next person", role="link")
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"
    check(page)

    assert count(Attendance) == 1 and count(AccessNeed) == 1


@pytest.mark.parametrize("size", SIZES)
def test_someone_new_registers(page, check, axe_check, make_user, sample, size):
    start_door_mode(page, axe_check, make_user, sample["meeting"], size)
    check(page)
    press(page, "I'm new here", role="link")
    assert heading(page) == "What is your name?"
    check(page)

    press(page, "Next")
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check(page)

    fill_in_registration(page, each=check)
    page.wait_for_url("**/door/thank-you-choice")
    check(page)
    page.get_by_label("Just say thank you").check()
    press(page, "Next")
    page.wait_for_url("**/door/about-you")  # the optional equality form (issue 18)
    check(page)
    press(page, "Skip this")
    page.wait_for_url("**/door/support")
    check(page)
    press(page, "I don't need any support", role="link")
    page.wait_for_url("**/door/thanks")
    assert heading(page) == "Thank you"
    check(page)

    assert count(Person) == 2 and count(Attendance) == 1 and count(AccessNeed) == 0


@pytest.mark.parametrize("size", SIZES)
def test_suggesting_something_to_talk_about(page, check, axe_check, make_user, sample, size):
    start_door_mode(page, axe_check, make_user, sample["meeting"], size)
    check(page)
    press(page, "Suggest something to talk about", role="link")
    assert heading(page) == "Suggest something to talk about"
    check(page)
    page.get_by_label("What would you like us to talk about?").fill("Buses to the hospital")
    press(page, "Send my idea")
    page.wait_for_url("**/door/thanks")
    check(page)
    assert count(Suggestion) == 1
    press(page, "Next person", role="link")
    press(page, "Suggest something to talk about", role="link")
    assert page.get_by_label("What would you like us to talk about?").input_value() == ""  # no draft left over


@pytest.mark.parametrize("size", SIZES)
def test_telling_us_how_it_went(page, check, axe_check, screenshot, make_user, sample, size):
    sample["meeting"].checklist_open = True
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"], size)
    check(page)
    press(page, "Tell us how it went", role="link")

    def question(number, text):
        progress = page.locator(".progress").inner_text().strip()
        assert progress == (f"Question {number} of 7" if number else "About you")
        assert heading(page) == text
        if page.locator("input[type=radio]").count():  # a radio group named by its question
            assert page.get_by_role("group", name=text).get_by_role("radio").count() >= 3
        check(page)

    def choose(words):
        page.get_by_label(words, exact=True).check()

    question(1, "Did we get things done?")
    screenshot(page, f"door-en-checklist-{size['width']}")
    choose("Mostly")
    press(page, "Next")
    question(2, "What came out of the meeting?")
    page.get_by_label("Your answer (you can leave this empty)").fill("A plan for easy read letters")
    press(page, "Next")
    question(3, "Did you feel welcome?")
    choose("Yes, completely")
    press(page, "Next")
    question(4, "Did everyone get a fair chance to take part?")
    press(page, "Skip this question")
    question(5, "Was the meeting easy for everyone to join in?")
    choose("Not really")
    page.get_by_label("Tell us more (you can leave this empty)").fill("The lift was broken")
    press(page, "Next")
    question(6, "Did you know how we would thank you?")
    choose("Not sure")
    press(page, "Next")
    question(7, "What should we change for next time?")
    page.get_by_label("Your answer (you can leave this empty)").fill("Start at 11")
    press(page, "Next")
    question(None, "I am here as...")
    press(page, "Send my answers")
    page.wait_for_url("**/door/thanks")
    check(page)

    assert count(ChecklistResponse) == 1
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.outcomes, r.feeling, r.inclusive, r.accessible, r.accessible_more, r.payment_clear,
            r.change, r.here_as) == (4, "A plan for easy read letters", 5, None, 2, "The lift was broken",
                                     "not_sure", "Start at 11", None)


FOCUSED = """() => { const el = document.activeElement; const s = getComputedStyle(el);
  return {tag: el.tagName, name: el.name || "", text: (el.innerText || "").trim(), outline: s.outlineStyle,
          width: parseFloat(s.outlineWidth)}; }"""


def tab_to(page, wanted, limit=15):
    """Press Tab until the focused element matches; every element passed on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] != "none" and focused["width"] >= 2, f"focus is not visible on {focused}"
        if wanted(focused):
            return focused
    pytest.fail(f"Tab never reached the element wanted; last was {focused}")


def test_keyboard_only(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    check(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    box = skip.bounding_box()
    assert skip.evaluate("el => el === document.activeElement") and box["x"] >= 0 and box["height"] >= 44
    tab_to(page, lambda f: f["text"].endswith("Suggest something to talk about"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/suggest")
    check(page)
    tab_to(page, lambda f: f["name"] == "what")
    page.keyboard.type("Buses to the hospital")
    tab_to(page, lambda f: f["text"].startswith("Send my idea"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/door/thanks")
    assert heading(page) == "Thank you"
    check(page)
    assert count(Suggestion) == 1


def test_arabic_reads_right_to_left(page, check, axe_check, screenshot, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    press(page, "العربية")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.get_by_role("button", name="العربية").get_attribute("aria-pressed") == "true"
    check(page)
    screenshot(page, "door-ar-welcome")
    page.locator(".big-choice").first.click()
    page.wait_for_url("**/door/sign-in")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    check(page)
    screenshot(page, "door-ar-sign-in")


@pytest.mark.parametrize("size", SIZES)
def test_bigger_text_and_high_contrast_last_one_visit(page, check, axe_check, screenshot, make_user, sample, size):
    sample["meeting"].checklist_open = True
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"], size)
    tag = size["width"]
    press(page, "Bigger text")
    press(page, "High contrast")
    classes = page.locator("html").get_attribute("class").split()
    assert "big-text" in classes and "high-contrast" in classes
    for name in ("Bigger text", "High contrast"):
        assert page.get_by_role("button", name=name).get_attribute("aria-pressed") == "true"
    check(page)  # colour contrast included
    screenshot(page, f"door-big-contrast-welcome-{tag}")
    press(page, "Tell us how it went", role="link")
    check(page)  # the widest page: five answers with faces
    page.get_by_label("Mostly", exact=True).check()
    press(page, "Next")
    press(page, "Previous question")
    assert page.get_by_label("Mostly", exact=True).is_checked()
    check(page)  # a chosen answer must stay readable
    screenshot(page, f"door-big-contrast-checklist-{tag}")
    page.goto("/door/")  # the checklist's only way out is Start again, which would clear the settings
    check(page)
    press(page, "Sign in", role="link")
    assert "big-text" in page.locator("html").get_attribute("class").split()
    check(page)
    press(page, "Start again")
    page.wait_for_url("**/door/")
    classes = page.locator("html").get_attribute("class").split()
    assert "big-text" not in classes and "high-contrast" not in classes
    check(page)


def test_an_idle_screen_warns_then_clears(page, check, axe_check, make_user, sample):
    """On the first registration page: its idle time is the page's data-idle-seconds (3 minutes without it)."""
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    page.clock.install()
    page.goto("/door/new/name")
    check(page)
    idle = int(page.evaluate("document.body.getAttribute('data-idle-seconds') || 180"))
    page.get_by_label("Your first name").fill("Ana")
    dialog = page.get_by_role("dialog", name="Are you still there?")
    page.clock.fast_forward((idle - 10) * 1000)
    assert not dialog.is_visible()
    page.clock.fast_forward(15_000)
    dialog.wait_for(state="visible")
    still_here = dialog.get_by_role("button", name="I am still here")
    assert page.evaluate("document.activeElement.hasAttribute('data-still-here')")
    check(page)
    still_here.click()
    dialog.wait_for(state="hidden")
    assert page.url.endswith("/door/new/name")

    page.clock.run_for(idle * 1000)
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")  # closing the warning any way at all means someone is there
    dialog.wait_for(state="hidden")
    page.clock.run_for("00:40")
    page.wait_for_timeout(500)  # real time, for a form submission the countdown might have started
    assert page.url.endswith("/door/new/name") and heading(page) == "What is your name?"
    assert page.get_by_label("Your first name").input_value() == "Ana"

    page.clock.run_for((idle + 31) * 1000)  # the idle time to the warning, then its 30-second count
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"
    check(page)
    page.goto("/door/new/name")
    assert page.get_by_label("Your first name").input_value() == ""  # the draft went with the screen


def test_a_network_drop_keeps_what_was_typed(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    page.goto("/door/suggest")
    check(page)
    what = page.get_by_label("What would you like us to talk about?")
    what.fill("Więcej spotkań online 🙂")
    page.context.set_offline(True)
    try:
        page.get_by_role("button", name="Send my idea").click()
        page.wait_for_load_state()
    except Exception:  # noqa: S110 (the navigation fails while offline, which is the point)
        pass
    assert "/door/thanks" not in page.url
    page.context.set_offline(False)
    page.goto("/door/suggest")
    check(page)
    assert page.get_by_label("What would you like us to talk about?").input_value() == "Więcej spotkań online 🙂"
    assert count(Suggestion) == 0
