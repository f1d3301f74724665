"""Issue 14, points 5 and 12 in a real Chromium: the name field asks the browser for the person's own name on
their personal link and group link, and never on the shared door tablet; and a Polish door shows each of
Polish's three plural forms for votes (1 osoba chce, 2 osoby chcą, 5 osób chce), read off the page."""
import pytest
from sqlalchemy import select

from survey_app.models import Attendance, AttendanceStatus, Invitation, Suggestion, SuggestionStatus, SuggestionVote
from survey_app.participation.invitations import make_links
from survey_app.web.extensions import db
from tests.browser.test_door_flow import TABLET, axe, check, start_door_mode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def autocomplete_of_name(page) -> str:
    return page.locator("input[name='name']").get_attribute("autocomplete")


def test_the_name_field_fills_in_at_home_but_not_on_the_tablet(page, check, axe_check, make_user, sample):
    db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                              status=AttendanceStatus.INVITED))
    make_links(sample["meeting"])
    db.session.commit()
    token = db.session.scalar(select(Invitation.token))
    page.goto(f"/invite/{token}/suggest")
    assert autocomplete_of_name(page) == "name"
    page.goto(f"/have-your-say/{sample['group'].id}")
    assert autocomplete_of_name(page) == "name"
    check(page)

    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    page.goto("/door/suggest")
    assert autocomplete_of_name(page) == "off"
    assert page.locator("main form").first.get_attribute("autocomplete") == "off"


def test_a_polish_door_counts_votes_in_polish(page, check, axe_check, make_user, sample):
    for votes, what in ((1, "Buses"), (2, "Benches"), (5, "Ramps")):
        idea = Suggestion(group_id=sample["group"].id, what=what, why="", name="", source="door",
                          status=SuggestionStatus.NEW, reason="")
        db.session.add(idea)
        db.session.flush()
        db.session.add_all([SuggestionVote(suggestion_id=idea.id) for _ in range(votes)])
    db.session.commit()
    start_door_mode(page, axe_check, make_user, sample["meeting"], TABLET)
    page.locator("button[name='lang'][value='pl']").click()
    page.wait_for_load_state()
    page.goto("/door/vote")
    assert page.locator("html").get_attribute("lang") == "pl"
    main = page.locator("main").inner_text()
    for words in ("1 osoba chce o tym porozmawiać.", "2 osoby chcą o tym porozmawiać.",
                  "5 osób chce o tym porozmawiać."):
        assert words in main
    assert "people want" not in main and "person wants" not in main
    check(page)
