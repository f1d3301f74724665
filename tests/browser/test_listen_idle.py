"""Issue 14, points 3, 10 and 11 in a real Chromium: the idle warning says its time in words and tells a
screen reader only at 20 and 10 seconds, the registration page waits longer than the others, the thank-you
screen says when it goes back; "Listen" reads the page aloud with the browser's own speech (a fake
speechSynthesis records what it is given) or says it cannot; and help is in the same place on every door
page. Time is driven with Playwright's clock, so nothing here waits minutes or weakens the real timings."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from survey_app.models import NeedKind
from survey_app.web.extensions import db
from tests.browser.test_door_flow import (  # noqa: F401
    axe,
    check,
    heading,
    invite,
    press,
    register_through_to_thanks,
    sign_in_at_door,
    start_door_mode,
)
from tests.test_invitations import invite_and_link

pytestmark = pytest.mark.browser

CLEAR_20 = "We will clear this screen in 20 seconds."
CLEAR_10 = "We will clear this screen in 10 seconds."
HELP = "Need help? Ask a member of staff."

# Records what the page's status line is set to, from its first change: every announcement, none missed.
WATCH_STATUS = """() => {
  window.__said = [];
  const status = document.querySelector('[data-idle-status]');
  new MutationObserver(() => window.__said.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


FAKE_SPEECH = """
  window.__spoken = []; window.__cancels = 0;
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.voice = null; this.rate = 1; };
  const voices = VOICES;
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name, rate: u.rate}),
    cancel: () => { window.__cancels += 1; },
    addEventListener: () => {},
  }});"""


def fake_speech(voices):
    """An init script: a speechSynthesis that records each utterance (text, lang, voice, rate) and each
    cancel, with `voices` ([(name, lang)]) as the device's voices; voices=None: no speechSynthesis at all."""
    if voices is None:
        return "Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});"
    listed = json.dumps([{"name": n, "lang": lang, "localService": True, "default": False} for n, lang in voices])
    return FAKE_SPEECH.replace("VOICES", listed, 1)


def frozen(page, at=None):
    """Install Playwright's clock (or, `at` a page's Date.now(), use the one installed) and stop it: the
    page's time moves only when the test moves it. (axe-core needs time to run: page.clock.resume() first.)"""
    if at is None:
        now = datetime.now(UTC)
        page.clock.install(time=now)
    else:
        now = datetime.fromtimestamp(at / 1000, UTC)
    page.clock.pause_at(now + timedelta(seconds=1))


def listen(page):
    """Press Listen (named in the page's language); what was spoken since the page loaded."""
    page.locator("button[data-listen]").click()
    return page.evaluate("window.__spoken")


def texts(spoken):
    return [u["text"] for u in spoken]


# --- 3. The idle countdown ---------------------------------------------------------------------------------

def test_the_idle_warning_counts_in_words_and_announces_only_at_20_and_10(page, check, axe_check, make_user,
                                                                          sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    frozen(page)
    page.goto("/door/sign-in")
    assert page.locator("body").get_attribute("data-idle-seconds") is None  # the default, three minutes
    dialog = page.get_by_role("dialog", name="Are you still there?")
    status = dialog.locator("[role=status]")
    count = dialog.locator(".idle__count")
    page.clock.fast_forward("02:55")
    assert not dialog.is_visible()
    page.clock.fast_forward("00:06")
    dialog.wait_for(state="visible")
    assert count.inner_text() == "We will clear this screen in 30 seconds."
    assert count.get_attribute("aria-hidden") == "true"  # the line that changes every second is not read out
    assert status.get_attribute("role") == "status" and status.text_content() == ""
    page.clock.resume()  # axe-core needs time to run
    check(page)
    dialog.get_by_role("button", name="I am still here").click()
    dialog.wait_for(state="hidden")

    frozen(page, at=page.evaluate("Date.now()"))
    page.evaluate(WATCH_STATUS)
    page.clock.fast_forward("03:01")
    dialog.wait_for(state="visible")
    assert count.inner_text() == "We will clear this screen in 30 seconds." and status.text_content() == ""
    for left in range(29, 0, -1):
        page.clock.run_for(1000)
        unit = "second" if left == 1 else "seconds"
        assert count.inner_text() == f"We will clear this screen in {left} {unit}."
        expected = CLEAR_10 if left <= 10 else CLEAR_20 if left <= 20 else ""
        assert status.text_content() == expected, f"{left} seconds left"
    # Every change the status line went through: two, at 20 and at 10 seconds.
    assert page.evaluate("window.__said") == [CLEAR_20, CLEAR_10]
    page.clock.run_for(1000)
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"


def test_the_registration_page_waits_longer_than_sign_in(page, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    frozen(page)
    page.goto("/door/new")
    assert page.locator("body").get_attribute("data-idle-seconds") == "600"
    dialog = page.get_by_role("dialog", name="Are you still there?")
    page.clock.fast_forward("03:05")  # past the sign-in page's three minutes
    assert not dialog.is_visible()
    page.clock.fast_forward("06:50")
    assert not dialog.is_visible()
    page.clock.fast_forward("00:10")  # ten minutes
    dialog.wait_for(state="visible")
    assert dialog.locator(".idle__count").inner_text() == "We will clear this screen in 30 seconds."

    page.goto("/door/sign-in")
    page.clock.fast_forward("03:05")
    dialog.wait_for(state="visible")


def test_the_thank_you_screen_says_when_it_goes_back(page, check, axe_check, make_user, sample):
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    press(page, "I'm new here", role="link")
    frozen(page)
    register_through_to_thanks(page)
    assert "This screen will go back to the start in 15 seconds" in page.locator("main").inner_text()
    page.clock.run_for(14_000)
    assert heading(page) == "Thank you"
    page.clock.run_for(1_500)
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"


# --- 10. Listen --------------------------------------------------------------------------------------------

def test_listen_reads_the_heading_question_and_choices(page, check, axe_check, make_user, sample):
    sample["meeting"].checklist_open = True
    db.session.commit()
    invite(sample)
    page.add_init_script(fake_speech([("Daniel", "en-GB"), ("Zosia", "pl-PL")]))
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    listen_button = page.get_by_role("button", name="Listen")
    assert listen_button.is_visible()
    check(page)
    spoken = listen(page)
    assert texts(spoken) == ["Welcome", "Sign in", "I'm new here", "Suggest something to talk about",
                             "Vote for what we talk about", "Tell us how it went"]
    assert {(u["lang"], u["voice"]) for u in spoken} == {("en", "Daniel")}
    assert all(0.7 <= u["rate"] < 1 for u in spoken)  # a little slow
    # Pressing again stops, and the button says what it will do.
    assert page.get_by_role("button", name="Stop reading").is_visible()
    check(page)
    cancels = page.evaluate("window.__cancels")
    page.get_by_role("button", name="Stop reading").click()
    assert page.evaluate("window.__cancels") == cancels + 1
    assert listen_button.is_visible()

    press(page, "Sign in", role="link")
    sign_in_at_door(page, "dor", "Dorota N.")
    spoken = texts(listen(page))
    needs = [page.locator(f"label[for=need_{kind.value}]").inner_text().strip() for kind in NeedKind]
    assert spoken[:2] == ["Do you need any support today?", "I need"]
    assert "A British Sign Language interpreter" in spoken
    # Each label without its picture; hidden fields (tokens) never read.
    assert all(any(need.endswith(said) for need in needs) for said in spoken[2:2 + len(needs)])
    assert spoken[2 + len(needs):] == ["Should we remember this for future meetings?", "Yes, remember it",
                                       "No, just for this meeting"]
    check(page)

    page.goto("/door/")
    press(page, "Tell us how it went", role="link")
    spoken = texts(listen(page))
    progress = page.locator("main .progress").inner_text().strip()
    question = [heading(page), *[t.strip() for t in page.locator("main .lead").all_inner_texts()]]
    assert spoken[:1 + len(question)] == [progress, *question]  # the heading once, even inside a legend
    # The answers (answer buttons, or a radio group's labels), each without its picture; not "Tell us more",
    # not the buttons below.
    answers = [a.strip() for a in page.locator("main .answer, main .choice:has(input[type=radio]) label")
               .all_inner_texts()]
    said = spoken[1 + len(question):]
    assert len(said) == len(answers) >= 2 and all(a.endswith(s) for a, s in zip(answers, said)), (answers, said)
    assert "Next" not in spoken and not any("Tell us more" in s for s in spoken)
    axe_check(page)


def test_listen_reads_in_the_pages_language(page, axe_check, make_user, sample):
    page.add_init_script(fake_speech([("Daniel", "en-GB"), ("Zosia", "pl-PL")]))
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    press(page, "Polski")
    assert page.locator("html").get_attribute("lang") == "pl"
    spoken = listen(page)
    assert spoken and {(u["lang"], u["voice"]) for u in spoken} == {("pl", "Zosia")}
    assert spoken[0]["text"] == heading(page)


def test_listen_says_when_this_tablet_has_no_voice_for_the_language(page, axe_check, make_user, sample):
    page.add_init_script(fake_speech([("Zosia", "pl-PL")]))  # no English voice
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    spoken = listen(page)
    assert spoken == []
    message = page.locator("main [role=status]").filter(has_text="cannot")
    assert message.inner_text() == "This tablet cannot read this page aloud in English"
    axe_check(page)


def test_listen_on_a_personal_link_without_any_speech(page, axe_check, client, login_as, sample):
    from survey_app.models import Role

    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    page.add_init_script(fake_speech(None))
    page.goto(f"/invite/{invitation.token}")
    page.get_by_role("button", name="Posłuchaj").click()
    # Dorota's saved language is Polish: the page is in Polish.
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_text("To urządzenie nie może przeczytać tej strony na głos w języku: Polski").is_visible()
    axe_check(page)


def test_without_javascript_there_is_no_listen_button(chromium_browser, live_server, sample):
    context = chromium_browser.new_context(java_script_enabled=False, base_url=live_server)
    try:
        page = context.new_page()
        page.goto(f"/have-your-say/{sample['group'].id}")
        assert page.get_by_role("heading", level=1).is_visible()
        assert page.get_by_role("button", name="Listen").count() == 0
    finally:
        context.close()


# --- 11. Help in the same place ----------------------------------------------------------------------------

def test_help_is_in_the_same_place_on_every_door_page(page, check, make_user, axe_check, sample):
    sample["meeting"].checklist_open = True
    db.session.commit()
    invite(sample)
    start_door_mode(page, axe_check, make_user, sample["meeting"])
    boxes = {}

    def measure(name):
        line = page.locator(".help-line")
        assert line.inner_text().strip() == HELP
        assert line.locator("svg.symbol").count() == 1  # with its picture
        boxes[name] = line.bounding_box()
        check(page)

    measure("welcome")
    press(page, "Sign in", role="link")
    measure("sign in")
    sign_in_at_door(page, "dor", "Dorota N.")
    measure("support")
    page.goto("/door/")
    press(page, "Tell us how it went", role="link")
    measure("checklist")
    assert len({json.dumps(box, sort_keys=True) for box in boxes.values()}) == 1, boxes
