"""Language of parts in a real Chromium: on the Arabic door tablet an English meeting title and English ideas
are marked lang="en" and isolated from the right-to-left page, so a screen reader uses an English voice
for them and an English title ending in "!" keeps its "!" at its end; measured from where the browser
draws each character, and axe-core finds nothing wrong."""
import pytest

from survey_app.models import Suggestion, SuggestionStatus
from survey_app.web.extensions import db
from tests.browser.test_door_flow import TABLET, axe, check, start_door_mode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# Where the browser draws the first letter and the last character ("!" or "?") of an element's text: x of
# their boxes' left edges, and the element's own lang, computed direction and unicode-bidi.
DRAWN = """el => {
  const text = el.firstChild;
  const box = i => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
                     return r.getBoundingClientRect().left; };
  const style = getComputedStyle(el);
  return {lang: el.lang, direction: style.direction, bidi: style.unicodeBidi, first: box(0),
          last: box(text.length - 1), text: text.data};
}"""


def add_idea(sample, what):
    db.session.add(Suggestion(group_id=sample["group"].id, what=what, why="", name="", source="door",
                              status=SuggestionStatus.NEW, reason=""))
    db.session.commit()


def assert_english_inside_arabic(drawn, text):
    assert drawn["text"] == text
    assert drawn["lang"] == "en"
    assert drawn["bidi"] == "isolate"
    assert drawn["direction"] == "ltr"  # <bdi> takes its direction from its own text, not from the page
    assert drawn["last"] > drawn["first"]  # the "!" is drawn after the words, to their right, not before


def test_english_title_and_ideas_on_the_arabic_door(page, check, axe_check, make_user, sample):
    sample["meeting"].title = "Health checks!"
    db.session.commit()
    add_idea(sample, "Buses to the hospital?")
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    page.locator("button[name='lang'][value='ar']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    title = page.locator(".meeting-card__title bdi")
    assert_english_inside_arabic(title.evaluate(DRAWN), "Health checks!")
    # the page around it is right to left: the heading itself is
    assert page.locator(".meeting-card__title").evaluate("el => getComputedStyle(el).direction") == "rtl"
    check(page)

    page.goto("/door/vote")
    assert page.locator("html").get_attribute("lang") == "ar"
    idea = page.locator("p.lead[id^='idea-'] bdi")
    assert_english_inside_arabic(idea.evaluate(DRAWN), "Buses to the hospital?")
    check(page)
