"""One visit per form (issue 12, section 3): every door form's one-time token says which visit (one
person's turn at the tablet) it was shown in, and a form from another visit saves nothing.

Two tabs of one tablet browser share one cookie jar, so here a tab is one test client (the shared jar)
and a page it was showing: "tab A" keeps a page's HTML while "tab B" goes on with the same client, then
tab A sends the form it was showing, as the browser would."""
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ChecklistResponse,
    FormToken,
    NeedKind,
    Person,
    Suggestion,
    SuggestionVote,
)
from survey_app.web.extensions import db
from tests.door_helpers import hidden, picks
from tests.door_helpers import register as register_at_door

SOMEONE_ELSE = "This screen was for someone else"
NOT_OURS = "Something went wrong on our side. Please press the button again."
TABBY = {"first_name": "Tabby", "last_name": "Xavier", "role": "carer", "contact_method": "post",
         "information_format": "easy_read", "consent": "y", "address": "1 High Street"}


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def form_of(page: str, *names: str) -> dict:
    return {name: hidden(page, name) for name in ("csrf_token", "form_token", *names)}


def register(door, person=TABBY) -> Person:
    response = register_at_door(door, person)
    assert response.headers["Location"] == "/door/thank-you-choice"
    return db.session.scalar(select(Person).where(Person.first_name == person["first_name"]))


def confirm_page(door, typed="dor") -> str:
    """'Is this you?' for the first match of `typed`."""
    page = text(door.submit("/door/sign-in", {"name": typed}))
    pick, _name = picks(page)[0]
    return text(door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick}))


def sign_in(door, typed="dor"):
    page = confirm_page(door, typed)
    response = door.post("/door/sign-in/confirm", data=form_of(page, "pick"))
    assert response.headers["Location"] == "/door/support"
    return response


def refused(response):
    assert response.status_code == 409
    page = text(response)
    assert SOMEONE_ELSE in page and 'action="/door/start-again"' in page
    return page


def test_two_tabs_cannot_save_one_persons_needs_against_another(door, sample):
    tabby = register(door)
    tab_a = text(door.get("/door/support"))  # "Do you need any support today?" for Tabby
    sign_in(door)  # tab B: Dorota signs in
    response = door.post("/door/support", data={**form_of(tab_a), "need_hearing_loop": "y", "remember": "no"})
    refused(response)
    assert count(AccessNeed) == 0
    # Tab B's own form is Dorota's, and saves for her.
    tab_b = text(door.get("/door/support"))
    response = door.post("/door/support", data={**form_of(tab_b), "need_bsl": "y", "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"
    needs = db.session.execute(select(AccessNeed.person_id, AccessNeed.kind)).all()
    assert needs == [(sample["person"].id, NeedKind.BSL)]
    assert count(AccessNeed, AccessNeed.person_id == tabby.id) == 0


def test_the_refusal_page_starts_again_in_the_door_layout(door, sample):
    tab_a = text(door.get("/door/suggest"))
    sign_in(door)
    page = refused(door.post("/door/suggest", data={**form_of(tab_a), "what": "Buses on Sundays"}))
    assert "Nothing from that screen was saved." in page and "Staff: end door mode" not in page
    assert count(Suggestion) == 0
    response = door.post("/door/start-again", data={"csrf_token": hidden(page, "csrf_token")})
    assert response.headers["Location"] == "/door/"


def test_a_suggestion_or_a_vote_from_before_start_again_saves_nothing(door, sample):
    suggestion = Suggestion(group_id=sample["group"].id, what="A lift that works", source="door")
    db.session.add(suggestion)
    db.session.commit()
    suggest_a, vote_a = text(door.get("/door/suggest")), text(door.get("/door/vote"))
    door.submit("/door/start-again", {}, token_from="/door/")
    refused(door.post("/door/suggest", data={**form_of(suggest_a), "what": "Buses on Sundays"}))
    refused(door.post("/door/vote", data={**form_of(vote_a), "suggestion": str(suggestion.id), "page": "1"}))
    assert count(Suggestion) == 1 and count(SuggestionVote) == 0 and count(FormToken) == 0
    # The same forms shown in this visit are saved.
    response = door.post("/door/vote", data={**form_of(text(door.get("/door/vote"))), "suggestion": str(suggestion.id),
                                             "page": "1"})
    assert response.headers["Location"] == "/door/vote?said=counted" and count(SuggestionVote) == 1


def test_a_checklist_page_from_an_older_visit_cannot_add_to_the_new_visits_answers(door, sample):
    from tests.test_checklist import step

    sample["meeting"].checklist_open = True
    db.session.commit()
    tab_a = text(door.get("/door/checklist"))
    tab_a = text(step(door, tab_a, 1, answer="1", achieved_more="Tab A's words"))
    door.submit("/door/start-again", {}, token_from="/door/")  # tab B: the next person
    tab_b = text(door.get("/door/checklist"))
    refused(step(door, tab_a, 2, outcomes="Tab A's outcome", next="1"))
    tab_b = text(step(door, tab_b, 1, answer="5"))
    refused(step(door, tab_a, 2, outcomes="Tab A again", next="1"))  # still refused between tab B's pages
    for number in range(2, 9):
        response = step(door, tab_b, number, skip="1")
        tab_b = text(response)
    assert response.headers["Location"] == "/door/thanks"
    row = db.session.scalar(select(ChecklistResponse))
    assert (row.achieved, row.achieved_more, row.outcomes) == (5, "", "")
    assert count(ChecklistResponse) == 1


def test_a_sign_in_confirm_from_before_someone_registered_signs_nobody_in(door, sample):
    tab_a = confirm_page(door)  # "Is this you? Dorota N."
    register(door)  # tab B
    refused(door.post("/door/sign-in/confirm", data=form_of(tab_a, "pick")))
    assert count(Attendance, Attendance.person_id == sample["person"].id,
                 Attendance.status == AttendanceStatus.ATTENDED) == 0


def test_a_registration_or_thanks_choice_from_another_visit_saves_nothing(door, sample):
    register_a = text(door.get("/door/new/name"))
    tabby = register(door)
    thanks_a = text(door.get("/door/thank-you-choice"))
    refused(door.post("/door/new/name", data={**form_of(register_a), **TABBY, "first_name": "Ana"}))
    assert "Ana" not in text(door.get("/door/new/name"))  # nothing kept in the new visit either
    assert count(Person, Person.first_name == "Ana") == 0
    register(door, {**TABBY, "first_name": "Bea"})  # tab B: someone new again
    refused(door.post("/door/thank-you-choice", data={**form_of(thanks_a), "preference": "paid",
                                                      "benefits_check": "y"}))
    db.session.refresh(tabby)
    assert (tabby.recognition_preference, tabby.benefits_check) == (None, False)


def test_a_double_tap_across_the_new_visit_is_still_one_sign_in(door, sample):
    page = confirm_page(door)
    data = form_of(page, "pick")
    first = door.post("/door/sign-in/confirm", data=data)  # starts a new visit for Dorota
    again = door.post("/door/sign-in/confirm", data=data)  # the same form again: already done, not refused
    assert first.headers["Location"] == again.headers["Location"] == "/door/support"
    assert count(Attendance, Attendance.person_id == sample["person"].id,
                 Attendance.status == AttendanceStatus.ATTENDED) == 1


def test_a_token_moved_to_another_visit_is_not_ours(door, sample):
    tab_a = text(door.get("/door/suggest"))
    sign_in(door)
    tab_b = text(door.get("/door/suggest"))
    old, new = hidden(tab_a, "form_token"), hidden(tab_b, "form_token")
    moved = old[:16] + new[16:22] + old[22:]  # tab A's token claiming tab B's visit
    response = door.post("/door/suggest", data={"csrf_token": hidden(tab_b, "csrf_token"), "form_token": moved,
                                                "what": "Buses on Sundays"})
    assert response.status_code == 400 and NOT_OURS in text(response) and count(Suggestion) == 0


def test_the_same_visit_keeps_working_across_pages(door, sample):
    """Sign in, support, vote and suggest in one visit: nothing is refused."""
    sign_in(door)
    page = text(door.get("/door/support"))
    response = door.post("/door/support", data={**form_of(page), "need_hearing_loop": "y", "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"
    assert count(AccessNeed, AccessNeed.person_id == sample["person"].id) == 1
