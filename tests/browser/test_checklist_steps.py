"""The checklist in a real Chromium: each question a radio group chosen by keyboard, "Tell us more", then Next;
the chosen answer shown by more than colour (a thicker border, bold words, a tick), in normal and high contrast;
every page checked with axe-core and photographed in English and Arabic, normal and high contrast; and the
radio groups still work with JavaScript off."""
import pytest
from sqlalchemy import select

from survey_app.models import ChecklistResponse
from survey_app.web.extensions import db
from tests.browser.test_door_flow import TABLET, axe, check, count, heading, press, start_door_mode  # noqa: F401

pytestmark = pytest.mark.browser

# How each choice of the page's radio group looks: the row's border width, the words' weight, whether the tick
# shows, and the row's border colour.
LOOKS = """() => Array.from(document.querySelectorAll('.answer-choice')).map(row => {
  const input = row.querySelector('input'), words = row.querySelector('.answer-choice__words');
  const tick = row.querySelector('.answer-choice__tick'), s = getComputedStyle(row);
  return {value: input.value, checked: input.checked, border: parseFloat(s.borderTopWidth),
          colour: s.borderTopColor, weight: parseInt(getComputedStyle(words).fontWeight),
          tick: getComputedStyle(tick).visibility === 'visible' && tick.getBoundingClientRect().width > 0}; })"""


def progress(page):
    return page.locator(".progress").inner_text().strip()


def assert_chosen_shows_without_colour(page, value):
    """Exactly the chosen row is marked, and by border width, bold words and a tick, not colour alone."""
    looks = page.evaluate(LOOKS)
    chosen = [x for x in looks if x["checked"]]
    others = [x for x in looks if not x["checked"]]
    assert [x["value"] for x in chosen] == [value]
    for other in others:
        assert chosen[0]["border"] >= other["border"] + 2, looks
        assert chosen[0]["weight"] >= 700 > other["weight"], looks
        assert chosen[0]["tick"] and not other["tick"], looks


def set_display(page, high_contrast: bool):
    button = page.locator("button[name=setting][value=hc]")
    if (button.get_attribute("aria-pressed") == "true") != high_contrast:
        button.click()
        page.wait_for_load_state()


def open_checklist(page):
    page.locator("a.big-choice[href$='/door/checklist']").click()
    page.wait_for_url("**/door/checklist")


@pytest.fixture
def tablet(page, axe_check, make_user, sample):
    sample["meeting"].checklist_open = True
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    return page


@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "high-contrast"])
def test_choose_a_face_by_keyboard_then_tell_us_more(tablet, check, contrast):
    page = tablet
    set_display(page, contrast)
    open_checklist(page)
    assert progress(page) == "Question 1 of 7" and heading(page) == "Did we get things done?"
    group = page.get_by_role("group", name="Did we get things done?")
    assert group.get_by_role("radio").count() == 5
    assert page.get_by_role("button", name="Mostly").count() == 0  # answers are radios, not buttons
    check(page)

    # Tab into the group, choose with Space, move with the arrow keys (which choose as they go).
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "achieved":
            break
    assert page.evaluate("document.activeElement.value") == "1"
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("Mostly").is_checked() and page.evaluate("document.activeElement.value") == "4"
    assert_chosen_shows_without_colour(page, "4")
    check(page)  # the chosen answer stays readable, focus included

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "achieved_more"
    page.keyboard.type("We agreed the bus leaflet")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "next"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert progress(page) == "Question 2 of 7"
    check(page)

    press(page, "Previous question")  # nothing was lost on the way
    assert page.get_by_label("Mostly").is_checked()
    assert page.get_by_label("Tell us more (you can leave this empty)").input_value() == "We agreed the bus leaflet"
    assert_chosen_shows_without_colour(page, "4")

    # Change the answer with the arrow keys, go on to the end, skipping the rest.
    page.get_by_label("Mostly").focus()
    page.keyboard.press("ArrowUp")
    assert page.get_by_label("A bit").is_checked()
    press(page, "Next")
    for _ in range(7):
        press(page, "Skip this question")
    page.wait_for_url("**/door/thanks")
    assert count(ChecklistResponse) == 1
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.achieved_more, r.feeling, r.here_as) == (3, "We agreed the bus leaflet", None, None)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_step_in_each_language_and_contrast(tablet, check, screenshot, lang):
    """Every checklist page passes axe (contrast included), fits, and is photographed to test-output/."""
    page = tablet
    for contrast in (False, True):
        page.goto("/door/")  # a new visit after the thank-you screen: choose the language again
        if lang == "ar":
            page.locator("button[name=lang][value=ar]").click()
            page.wait_for_load_state()
        set_display(page, contrast)
        assert ("high-contrast" in (page.locator("html").get_attribute("class") or "").split()) == contrast
        assert page.locator("html").get_attribute("lang") == lang
        open_checklist(page)
        tag = "high-contrast" if contrast else "normal"
        progresses = []
        for number in range(1, 9):
            progresses.append(progress(page))
            radios = page.locator("input[type=radio]")
            if radios.count():
                # choose the second answer by its label (the whole row is the target)
                page.locator(".answer-choice label").nth(1).click()
                assert radios.nth(1).is_checked()
                assert_chosen_shows_without_colour(page, radios.nth(1).get_attribute("value"))
            else:
                page.locator("textarea").fill("نص" if lang == "ar" else "Some words")
            check(page)
            screenshot(page, f"checklist-{lang}-{tag}-{number}")
            page.locator("button[name=next]").click()
            page.wait_for_load_state()
        page.wait_for_url("**/door/thanks")
        check(page)
        if lang == "en":
            assert progresses == [*(f"Question {n} of 7" for n in range(1, 8)), "About you"]
        else:
            assert len(set(progresses)) == 8 and all("8" not in p for p in progresses)
    assert count(ChecklistResponse) == 2
    assert {(r.achieved, r.payment_clear, r.here_as) for r in db.session.scalars(select(ChecklistResponse))} == {
        (2, "not_sure", "carer")}


def test_the_radio_groups_work_without_javascript(tablet, chromium_browser, live_server):
    """No script: choose by clicking a row, say more, Next, Back keeps it, send."""
    context = chromium_browser.new_context(viewport=TABLET, base_url=live_server, java_script_enabled=False,
                                           storage_state=tablet.context.storage_state())
    try:
        page = context.new_page()
        page.goto("/door/checklist")
        page.locator("label", has_text="Yes, completely").click()
        page.get_by_label("Tell us more (you can leave this empty)").fill("Lovely")
        press(page, "Next")
        assert progress(page) == "Question 2 of 7"
        press(page, "Previous question")
        assert page.get_by_label("Yes, completely").is_checked()
        press(page, "Next")
        for _ in range(6):
            press(page, "Next")
        assert progress(page) == "About you"
        page.locator("label", has_text="A member of staff").click()
        press(page, "Send my answers")
        page.wait_for_url("**/door/thanks")
    finally:
        context.close()
    assert count(ChecklistResponse) == 1
    r = db.session.scalar(select(ChecklistResponse))
    assert (r.achieved, r.achieved_more, r.here_as) == (5, "Lovely", "staff")
