"""The door flow in Polish, Romanian, Portuguese and Arabic: the page's lang and dir, zero axe-core
violations, and screenshots of the Arabic welcome and sign-in pages at tablet size."""
import pytest
from sqlalchemy import func, select

from survey_app.models import AccessNeed, Attendance
from survey_app.web.extensions import db
from tests.browser.test_door_flow import TABLET, axe, check, invite, start_door_mode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def assert_language(page, lang):
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")


@pytest.mark.parametrize("lang", ["pl", "ro", "pt", "ar"])
def test_the_door_flow_in_each_language(page, check, axe_check, screenshot, make_user, sample, lang):
    invite(sample)  # the door finds only people connected to the meeting's group (issue 12)
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    english_title = page.locator("h1").inner_text()
    page.locator(f"button[name='lang'][value='{lang}']").click()
    assert_language(page, lang)
    assert page.locator("h1").inner_text() != english_title
    check(page)
    if lang == "ar":
        screenshot(page, "door-ar-welcome-translated")
    page.locator("a[href='/door/sign-in']").first.click()
    assert_language(page, lang)
    check(page)
    page.locator("input[name='name']").fill("dor")
    page.locator("form[action='/door/sign-in'] button[type='submit']").click()
    check(page)
    if lang == "ar":
        screenshot(page, "door-ar-sign-in-translated")
    page.locator("form[action='/door/sign-in/check'] button").first.click()
    assert_language(page, lang)
    check(page)
    page.locator("form[action='/door/sign-in/confirm'] button").click()
    page.wait_for_url("**/door/support")
    assert_language(page, lang)
    check(page)
    page.locator("input[name='need_bsl']").check()
    page.locator("input[name='remember'][value='no']").check()
    page.locator("form[data-draft] button[type='submit']").click()
    page.wait_for_url("**/door/thanks")
    assert_language(page, lang)
    check(page)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    assert db.session.scalar(select(func.count()).select_from(AccessNeed)) == 1
    page.locator("a[data-auto-return]").click()
    assert page.locator("html").get_attribute("lang") == "en"  # the next person starts in English
