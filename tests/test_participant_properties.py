"""Every participant form, driven with arbitrary text: never a server error, and what is accepted is
stored exactly as the forms' documented cleaning (forms.base.clean_text) leaves it.

Hypothesis runs many examples inside one test (one app, one database), so each example GETs its form
afresh for a new one-time token and the tables an example writes to are emptied before it runs."""
import secrets
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from forms.base import clean_text
from forms.checklist import CHECKLIST, COMMENTS, FIELDS, HERE_AS_STEP, SCALED, STEPS, allowed_answer
from survey_app.models import (
    AccessNeed,
    Attendance,
    ChecklistResponse,
    FormToken,
    Invitation,
    NeedKind,
    Person,
    RateHit,
    Suggestion,
    SuggestionVote,
)
from survey_app.web.extensions import db
from tests.door_helpers import attended_count, hidden, register
from tests.test_door import sign_in_as

EXAMPLES = settings(max_examples=25, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ERROR_SUMMARY = 'class="error-summary"'  # the page may be in the person's own language

# Any character HTTP can carry (surrogates cannot be encoded), weighted towards the awkward ones.
AWKWARD = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\r", "\n", "\t", "\u200b", "\u200f", "\u202e", "\ufeff",
           "\u2028", "e\u0301", "عربى", "עברית", "👩‍👩‍👧", "🏳️‍🌈", "𝔘", "\U0010fffd", "%", "_", "\\", "<script>",
           "\"'><img src=x>", "&amp;", " "]
any_char = st.characters(exclude_categories=("Cs",))
piece = st.one_of(st.text(any_char, max_size=12), st.sampled_from(AWKWARD))
short_text = st.lists(piece, max_size=8).map("".join)


def _long(limit: int):
    """Text around a field's limit: a run of one character (maybe wide or combining) with awkward ends."""
    return st.builds(lambda ch, n, head, tail: head + ch * n + tail, any_char, st.integers(limit - 3, limit + 3),
                     st.sampled_from(["", " ", "\x00"]), st.sampled_from(["", " ", "\x07", "é"]))


def text_for(limit: int):
    return st.one_of(short_text, short_text, _long(limit))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def wipe(*models) -> None:
    for model in models:
        db.session.execute(delete(model))
    db.session.commit()


def no_server_error(response) -> str:
    assert response.status_code < 500, response.status_code
    return response.get_data(as_text=True)


def refused(response, page: str) -> None:
    assert response.status_code == 400 and ERROR_SUMMARY in page


@pytest.fixture
def door(door, sample):
    """The conftest door tablet, with the sample meeting's checklist open."""
    sample["meeting"].checklist_open = True
    db.session.commit()
    return door


@pytest.fixture
def signed_in_door(door):
    sign_in_as(door)
    return door


@pytest.fixture
def registered_door(door):
    response = register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text",
                               "phone": "07700 900999", "information_format": "audio", "consent": "y"})
    assert response.headers["Location"] == "/door/thank-you-choice"
    return door, db.session.scalar(select(Person.id).where(Person.first_name == "Ana"))


def tokens(client, url: str) -> dict:
    page = client.get(url).get_data(as_text=True)
    found = {"csrf_token": hidden(page, "csrf_token")}
    if 'name="form_token"' in page:
        found["form_token"] = hidden(page, "form_token")
    return found


# --- Door: registering, finding your name, thank-you choice ----------------------------------------------------

@EXAMPLES
@given(first=text_for(100), last=text_for(100), address=text_for(1000))
def test_registering_at_the_door(door, first, last, address):
    wipe(Attendance, FormToken)
    db.session.execute(delete(Person).where(Person.first_name != "Dorota"))
    db.session.commit()
    door.submit("/door/start-again", {}, token_from="/door/")  # the last example's answers are not kept
    response = register(door, {"first_name": first, "last_name": last, "role": "carer", "contact_method": "post",
                               "address": address, "information_format": "audio", "consent": "y"})
    page = no_server_error(response)
    want = {"first_name": clean_text(first), "last_name": clean_text(last), "address": clean_text(address)}
    acceptable = (0 < len(want["first_name"]) <= 100 and 0 < len(want["last_name"]) <= 100
                  and 0 < len(want["address"]) <= 1000)
    if response.status_code == 302:
        assert acceptable and response.headers["Location"] == "/door/thank-you-choice"
        person = db.session.scalar(select(Person).where(Person.first_name != "Dorota"))
        assert {k: getattr(person, k) for k in want} == want
        assert count(Attendance) == 1
    else:
        refused(response, page)
        assert not acceptable and count(Person) == 1 and attended_count() == 0


@EXAMPLES
@given(typed=text_for(100))
def test_finding_your_name_at_the_door(door, typed):
    wipe(RateHit)  # each example is a new visit; the door allows a few searches per visit and tablet
    response = door.post("/door/sign-in", data={**tokens(door, "/door/sign-in"), "name": typed})
    page = no_server_error(response)
    cleaned = clean_text(typed)
    if response.status_code == 200:
        assert len(cleaned.replace(" ", "")) >= 2 and len(cleaned) <= 100
    else:
        refused(response, page)
    assert attended_count() == 0


@EXAMPLES
@given(preference=st.one_of(short_text, st.sampled_from(["paid", "voucher", "thanks_only", "nothing"])),
       benefits=short_text)
def test_choosing_how_to_be_thanked(registered_door, preference, benefits):
    # Issue 12: only someone who registered in this visit is asked, so the person is registered at the door.
    door, person_id = registered_door
    person = db.session.get(Person, person_id)
    person.recognition_preference, person.benefits_check = None, False
    db.session.commit()
    response = door.post("/door/thank-you-choice", data={
        **tokens(door, "/door/thank-you-choice"), "preference": preference, "benefits_check": benefits})
    page = no_server_error(response)
    db.session.expire_all()
    person = db.session.get(Person, person_id)
    if response.status_code == 302:
        assert person.recognition_preference == preference
        assert person.benefits_check is (benefits not in ("", "false"))  # WTForms' false_values
    else:
        refused(response, page)
        assert person.recognition_preference is None


@EXAMPLES
@given(pick=short_text, form_token=short_text)
def test_a_made_up_pick_or_token_signs_nobody_in(door, pick, form_token):
    csrf = tokens(door, "/door/sign-in")["csrf_token"]
    for url in ("/door/sign-in/check", "/door/sign-in/confirm"):
        response = door.post(url, data={"csrf_token": csrf, "pick": pick, "form_token": form_token})
        no_server_error(response)
        assert response.headers["Location"] == "/door/sign-in"
    assert attended_count() == 0


@EXAMPLES
@given(lang=short_text, setting=short_text)
def test_language_and_display_choices_take_only_known_values(door, lang, setting):
    csrf = tokens(door, "/door/")["csrf_token"]
    for url, data in (("/door/language", {"lang": lang}), ("/door/display", {"setting": setting})):
        response = door.post(url, data={"csrf_token": csrf, **data})
        no_server_error(response)
        assert response.headers["Location"] == "/door/"
    no_server_error(door.get("/door/"))


# --- Support needs, at the door and from a personal link -------------------------------------------------------

def check_support(client, url: str, done: str, person_id: int, meeting_id: int, other: str, food: str):
    wipe(AccessNeed, FormToken)
    response = client.post(url, data={**tokens(client, url), "need_other": "y", "other_detail": other,
                                      "need_food": "y", "food_detail": food, "remember": "no"})
    page = no_server_error(response)
    want = {NeedKind.OTHER: clean_text(other), NeedKind.FOOD: clean_text(food)}
    acceptable = 0 < len(want[NeedKind.OTHER]) <= 500 and len(want[NeedKind.FOOD]) <= 500
    if response.status_code == 302:
        assert acceptable and response.headers["Location"] == done
        needs = db.session.scalars(select(AccessNeed).where(AccessNeed.ended_at.is_(None))).all()
        assert {n.kind: n.detail for n in needs} == want
        assert {(n.person_id, n.meeting_id) for n in needs} == {(person_id, meeting_id)}
    else:
        refused(response, page)
        assert not acceptable and count(AccessNeed) == 0


@EXAMPLES
@given(other=text_for(500), food=text_for(500))
def test_support_needs_at_the_door(signed_in_door, sample, other, food):
    check_support(signed_in_door, "/door/support", "/door/thanks", sample["person"].id, sample["meeting"].id,
                  other, food)


@pytest.fixture
def invitation(app, sample):
    inv = Invitation(token=secrets.token_urlsafe(32), meeting=sample["meeting"], person=sample["person"])
    db.session.add(inv)
    db.session.commit()
    return inv.token


@EXAMPLES
@given(other=text_for(500), food=text_for(500))
def test_support_needs_from_a_personal_link(client, sample, invitation, other, food):
    check_support(client, f"/invite/{invitation}/support", f"/invite/{invitation}/thanks", sample["person"].id,
                  sample["meeting"].id, other, food)


@EXAMPLES
@given(token=short_text, lang=short_text)
def test_a_made_up_personal_link_is_not_found(client, invitation, token, lang):
    assume(token != invitation)
    path = quote(token, safe="")
    for url in (f"/invite/{path}", f"/invite/{path}/support", f"/invite/{path}/suggest", f"/invite/{path}/thanks"):
        assert client.get(url).status_code in (404, 308)  # 308: an empty segment, redirected to drop a slash
    response = client.post(f"/invite/{invitation}/language",
                           data={**tokens(client, f"/invite/{invitation}"), "lang": lang})
    no_server_error(response)
    assert response.headers["Location"] == f"/invite/{invitation}"
    no_server_error(client.get(f"/invite/{invitation}"))


# --- Suggestions: the door, a personal link, the group's public link -------------------------------------------

def check_suggestion(client, url: str, done: str, what: str, why: str, name: str):
    wipe(SuggestionVote, Suggestion, FormToken, RateHit)  # each example is a new visitor to the group link
    response = client.post(url, data={**tokens(client, url), "what": what, "why": why, "name": name})
    page = no_server_error(response)
    want = {"what": clean_text(what), "why": clean_text(why), "name": clean_text(name)}
    acceptable = 0 < len(want["what"]) <= 2000 and len(want["why"]) <= 2000 and len(want["name"]) <= 200
    if response.status_code == 302:
        assert acceptable and response.headers["Location"] == done
        stored = db.session.scalar(select(Suggestion))
        assert {k: getattr(stored, k) for k in want} == want
    else:
        refused(response, page)
        assert not acceptable and count(Suggestion) == 0


suggestion_texts = dict(what=text_for(2000), why=text_for(2000), name=text_for(200))


@EXAMPLES
@given(**suggestion_texts)
def test_suggesting_at_the_door(door, what, why, name):
    check_suggestion(door, "/door/suggest", "/door/thanks", what, why, name)


@EXAMPLES
@given(**suggestion_texts)
def test_suggesting_from_a_personal_link(client, invitation, what, why, name):
    check_suggestion(client, f"/invite/{invitation}/suggest", f"/invite/{invitation}/thanks", what, why, name)


@EXAMPLES
@given(**suggestion_texts)
def test_suggesting_from_the_groups_public_link(client, sample, what, why, name):
    url = f"/have-your-say/{sample['group'].id}"
    check_suggestion(client, url, f"{url}/thanks", what, why, name)


# --- Voting and the checklist ----------------------------------------------------------------------------------

@EXAMPLES
@given(suggestion=st.one_of(short_text, st.sampled_from(["²", "٣", "9" * 5000, "99999999999", "-1", " 1"])),
       page_number=short_text)
def test_voting_at_the_door(door, sample, suggestion, page_number):
    wipe(SuggestionVote, Suggestion, FormToken)
    idea = Suggestion(group_id=sample["group"].id, what="Buses", source="door")
    db.session.add(idea)
    db.session.commit()
    response = door.post("/door/vote", data={**tokens(door, "/door/vote"), "suggestion": suggestion,
                                             "page": page_number})
    page = no_server_error(response)
    cleaned = clean_text(suggestion)
    if response.status_code == 302:
        assert cleaned.isascii() and cleaned.isdigit()
        assert count(SuggestionVote) == (1 if cleaned.lstrip("0") == str(idea.id) else 0)
    else:
        refused(response, page)
        assert count(SuggestionVote) == 0
    no_server_error(door.get(response.headers.get("Location", "/door/vote")))


TEXT_FIELDS = COMMENTS
CHOICE_FIELDS = tuple(f for f in FIELDS if f not in COMMENTS)


@EXAMPLES
@given(texts=st.fixed_dictionaries({f: text_for(2000) for f in TEXT_FIELDS}),
       choices=st.fixed_dictionaries({f: st.one_of(short_text, st.sampled_from(["1", "5", "yes", "carer"]))
                                      for f in CHOICE_FIELDS}),
       answer=st.one_of(st.none(), short_text, st.just("staff")))
def test_answering_the_checklist(door, sample, texts, choices, answer):
    wipe(ChecklistResponse, FormToken)
    data = {**tokens(door, "/door/checklist"), **texts, **choices, "next": "1"}
    if answer is not None:
        data["answer"] = answer
    response = door.post(f"/door/checklist/{len(CHECKLIST)}", data=data)
    page = no_server_error(response)
    want = {f: clean_text(v) for f, v in texts.items()}
    acceptable = all(len(v) <= 2000 for v in want.values())
    if response.status_code == 302:
        assert acceptable and response.headers["Location"] == "/door/thanks"
        stored = db.session.scalar(select(ChecklistResponse))
        assert {f: getattr(stored, f) for f in TEXT_FIELDS} == want
        chosen = {f: allowed_answer(STEPS[f], clean_text(v)) for f, v in choices.items()}
        if answer is not None:
            chosen[HERE_AS_STEP] = allowed_answer(STEPS[HERE_AS_STEP], answer)
        for scaled in SCALED:
            chosen[scaled] = int(chosen[scaled]) if chosen[scaled] else None
        assert {f: getattr(stored, f) for f in CHOICE_FIELDS} == chosen
    else:
        refused(response, page)
        assert not acceptable and count(ChecklistResponse) == 0
