"""The symbols as a real Chromium draws them: big beside each choice and question on the door tablet, drawn
(each <use> finds its picture), in the text's colour in high contrast, and black and large on a printed
easy-read handout; small on a staff page."""
from datetime import timedelta

import pytest

from survey_app.insight import actions as domain
from survey_app.models import AccessNeed, ActionStatus, NeedKind, Role
from survey_app.models.base import london_today
from survey_app.web.extensions import db
from tests.browser.test_door_flow import TABLET, heading, invite, press, sign_in_at_door, start_door_mode

pytestmark = pytest.mark.browser

# Each symbol inside `selector`: its size on screen, whether its picture is drawn (the bounding box of what
# its <use> points at), and its colour beside the colour of the words around it.
MEASURE = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
  const svg = el.querySelector('svg.symbol'); if (!svg) return {text: el.innerText.trim(), svg: false};
  const r = svg.getBoundingClientRect(), use = svg.querySelector('use'), drawn = use ? use.getBBox() : svg.getBBox();
  return {text: el.innerText.trim(), svg: true, width: r.width, height: r.height, drawn: drawn.width * drawn.height,
          colour: getComputedStyle(svg).color, words: getComputedStyle(el).color,
          hidden: svg.getAttribute('aria-hidden')};
})"""


def measure(page, selector):
    found = page.evaluate(MEASURE, selector)
    assert found, f"nothing matches {selector} on {page.url}"
    return found


def assert_big_and_drawn(found, smallest):
    for f in found:
        assert f["svg"], f"no symbol beside {f['text']!r}"
        assert f["width"] >= smallest and f["height"] >= smallest, f
        assert f["drawn"] > 0, f"the symbol beside {f['text']!r} draws nothing"
        assert f["colour"] == f["words"], f"the symbol beside {f['text']!r} is not the colour of its words"
        assert f["hidden"] == "true" and f["text"], f


def test_door_symbols_are_big_drawn_and_follow_high_contrast(page, axe_check, screenshot, make_user, sample):
    invite(sample)
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert_big_and_drawn(measure(page, ".big-choice"), 2 * rem)
    assert_big_and_drawn(measure(page, ".page-heading"), 2 * rem)
    assert_big_and_drawn(measure(page, "button[name=setting]"), 1.5 * rem)
    screenshot(page, "symbols-door-welcome")

    press(page, "High contrast")
    assert page.evaluate("document.documentElement.classList.contains('high-contrast')")
    axe_check(page)
    choices = measure(page, ".big-choice")
    assert_big_and_drawn(choices, 2 * rem)
    assert {f["colour"] for f in choices} == {"rgb(0, 0, 0)"}  # black on the yellow buttons
    assert {f["colour"] for f in measure(page, ".page-heading")} == {"rgb(255, 255, 255)"}  # white on black
    screenshot(page, "symbols-door-welcome-high-contrast")
    press(page, "High contrast")

    press(page, "Sign in", role="link")
    sign_in_at_door(page, "dor", "Dorota N.")
    assert heading(page) == "Do you need any support today?"
    axe_check(page)
    labels = measure(page, ".choice label")
    assert len(labels) == len(NeedKind) + 2  # each kind of support, and remember: yes / no
    assert_big_and_drawn(labels, 1.75 * rem)
    assert_big_and_drawn(measure(page, "legend"), 1.75 * rem)
    # the picture sits beside its words, on the same line, not above or below them
    row = page.evaluate("""() => { const l = document.querySelector('label[for=need_bsl]');
        const s = l.querySelector('svg').getBoundingClientRect(), r = document.createRange();
        r.selectNodeContents(l); const t = Array.from(r.getClientRects()).pop();
        return [s.top + s.height / 2, t.top + t.height / 2, s.right <= t.left + 1]; }""")
    assert abs(row[0] - row[1]) < 8 and row[2], row
    screenshot(page, "symbols-door-support")


def test_easy_read_symbols_print_large_and_black(page, axe_check, screenshot, make_user, sample):
    organiser = make_user(Role.ORGANISER)
    done = domain.create_action(sample["group"].id, "Easy read letters", "Carers Lead",
                                london_today() + timedelta(days=20), organiser)
    db.session.commit()
    domain.update_action(done, organiser, status=ActionStatus.DONE)
    db.session.commit()
    page.goto(f"/public/groups/{sample['group'].id}/you-said-we-did/easy-read")
    axe_check(page)
    rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    found = page.evaluate("""() => Array.from(document.querySelectorAll('.er-symbol svg, .er-sym svg')).map(s => {
        const r = s.getBoundingClientRect(); return [r.width, s.querySelector('use').getBBox().width]; })""")
    assert len(found) == len(ActionStatus) + 2  # the key (each status and late) and the one action
    assert all(width >= 2 * rem and drawn > 0 for width, drawn in found), found
    screenshot(page, "symbols-easy-read")
    page.emulate_media(media="print")
    printed = page.evaluate("""() => { const s = document.querySelector('.er-symbol svg');
        return [s.getBoundingClientRect().width, getComputedStyle(s).color]; }""")
    pt = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert printed[0] >= 3 * pt and printed[1] == "rgb(0, 0, 0)", printed


def test_staff_symbols_are_small(page, make_user, sample):
    from tests.browser.test_duplicates_flow import sign_in

    db.session.add(AccessNeed(person=sample["person"], meeting=sample["meeting"], kind=NeedKind.BSL))
    db.session.commit()
    sign_in(page, make_user(Role.ORGANISER))
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{sample['meeting'].id}/support")
    found = measure(page, "h2#kind-bsl")
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h2#kind-bsl')).fontSize)")
    assert found[0]["drawn"] > 0 and found[0]["width"] <= 1.5 * font, found
