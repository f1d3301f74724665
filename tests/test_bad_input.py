"""Bad input, case by case: each gets a clear message (the exact words) and nothing is stored wrongly.

Long text, control characters, right-to-left and combining text, emoji, HTML and script, money, dates, a
too-large POST, a tampered or missing one-time token, and a replayed form. Run on PostgreSQL too: it
enforces VARCHAR lengths and refuses NUL in text, which SQLite does not."""
from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select, update

from forms.checklist import CHECKLIST
from survey_app.models import (
    AccessNeed,
    Action,
    ChecklistResponse,
    FinanceReturn,
    Invitation,
    Meeting,
    MeetingNote,
    NeedKind,
    Person,
    Rate,
    RecognitionLine,
    Role,
    Suggestion,
    SuggestionVote,
)
from survey_app.models.base import london_today
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import attended_count, hidden, picks, register, start_door_mode
from tests.test_door import sign_in_as

TEN_THOUSAND = "x" * 10_000
PROBLEM = "There is a problem"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user):
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def door(door, sample):
    """The conftest door tablet, with the sample meeting's checklist open."""
    sample["meeting"].checklist_open = True
    db.session.commit()
    return door


@pytest.fixture
def organiser(app, make_user, sample):
    return signed_in(app, make_user(Role.ORGANISER))


REGISTER = {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "post",
            "address": "1 High Street", "information_format": "audio", "consent": "y"}
PERSON = {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "post",
          "address": "1 High Street", "information_format": "standard", "language": "en",
          "recognition_preference": "paid", "organisation": "", "consent": "y"}


def added_person() -> Person | None:
    """The one person added by the test (the sample's Dorota is there from the start)."""
    return db.session.scalar(select(Person).where(Person.first_name != "Dorota"))


# --- 10,000 characters: refused with the limit, or (within a Text column's limit) stored exactly ----------------

DOOR_LONG = [
    ("first_name", "Please write less. You can use up to 100 letters."),
    ("last_name", "Please write less. You can use up to 100 letters."),
    ("address", "Please write less. You can use up to 1000 letters."),
]


@pytest.mark.parametrize("field,message", DOOR_LONG)
def test_ten_thousand_letters_at_the_door_are_refused_with_the_limit(door, field, message):
    response = register(door, {**REGISTER, field: TEN_THOUSAND})
    assert response.status_code == 400 and message in text(response)
    assert added_person() is None and attended_count() == 0


@pytest.mark.parametrize("field,message", [
    ("first_name", "First names must be 100 characters or fewer."),
    ("last_name", "Last names must be 100 characters or fewer."),
    ("preferred_name", "Preferred names must be 100 characters or fewer."),
    ("address", "The address must be 1,000 characters or fewer."),
    ("email", "Email addresses must be 254 characters or fewer."),
])
def test_ten_thousand_letters_on_the_person_form_are_refused_with_the_limit(organiser, field, message):
    value = f"{TEN_THOUSAND}@example.org" if field == "email" else TEN_THOUSAND
    response = organiser.submit("/people/new", {**PERSON, field: value})
    assert response.status_code == 400 and message in text(response)
    assert added_person() is None


def test_names_at_the_column_limit_are_stored_exactly_even_outside_the_bmp(door, organiser):
    """100 characters fit String(100) on PostgreSQL whatever their size in bytes; 101 do not, and are refused."""
    name = "👩🏽‍🦱" * 25  # 4 code points each: 100 characters, 400 bytes
    response = register(door, {**REGISTER, "first_name": name, "last_name": "ש" * 100})
    assert response.headers["Location"] == "/door/thank-you-choice"
    person = added_person()
    assert (person.first_name, person.last_name) == (name, "ש" * 100)
    assert len(person.search_name) <= 210
    response = organiser.submit(f"/people/{person.id}/edit", {**PERSON, "first_name": name + "a"})
    assert "First names must be 100 characters or fewer." in text(response)


@pytest.mark.parametrize("field,message", [
    ("what", "Please write less. You can use up to 2000 letters."),
    ("why", "Please write less. You can use up to 2000 letters."),
    ("name", "Please write less. You can use up to 200 letters."),
])
def test_ten_thousand_letters_in_a_suggestion_are_refused(door, field, message):
    response = door.submit("/door/suggest", {"what": "Buses", field: TEN_THOUSAND})
    assert response.status_code == 400 and message in text(response)
    assert count(Suggestion) == 0


@pytest.mark.parametrize("field", ["other_detail", "food_detail"])
def test_ten_thousand_letters_about_support_are_refused(door, field):
    sign_in_as(door)
    response = door.submit("/door/support", {"need_other": "y", "other_detail": "A quiet room", "need_food": "y",
                                             field: TEN_THOUSAND, "remember": "no"})
    assert response.status_code == 400
    assert "Please write less. You can use up to 500 letters." in text(response)
    assert count(AccessNeed) == 0


@pytest.mark.parametrize("field", ["outcomes", "change", "feeling_more"])
def test_ten_thousand_letters_in_the_checklist_are_refused(door, field):
    response = door.submit(f"/door/checklist/{len(CHECKLIST)}", {field: TEN_THOUSAND, "next": "1"},
                           token_from="/door/checklist")
    assert response.status_code == 400
    assert "Please write less. You can use up to 2000 letters." in text(response)
    assert count(ChecklistResponse) == 0


def test_ten_thousand_letters_of_notes_fit_and_are_stored_exactly(organiser, sample):
    notes = ("Line one\n" + "ل" * 9_990)[:10_000]
    response = organiser.submit(f"/meetings/{sample['meeting'].id}/notes", {"text": notes})
    assert response.status_code == 302
    assert db.session.scalar(select(MeetingNote.text)) == notes
    response = organiser.submit(f"/meetings/{sample['meeting'].id}/notes", {"text": "x" * 20_001})
    assert "Keep the notes to 20,000 characters or fewer." in text(response)
    assert db.session.scalar(select(MeetingNote.text)) == notes


@pytest.mark.parametrize("field,message", [
    ("what", "Keep this to 2,000 characters or fewer."),
    ("owner", "Keep this to 200 characters or fewer."),
])
def test_ten_thousand_letters_in_an_action_are_refused(organiser, sample, field, message):
    data = {"what": "Send the papers", "owner": "Carers Lead", "meeting": "", "owner_organisation": "",
            "due_on": (london_today() + timedelta(days=30)).isoformat(), field: TEN_THOUSAND}
    response = organiser.submit(f"/groups/{sample['group'].id}/actions/new", data)
    assert response.status_code == 400 and message in text(response)
    assert count(Action) == 0


def test_ten_thousand_letters_in_a_name_search_are_refused(door):
    response = door.submit("/door/sign-in", {"name": TEN_THOUSAND})
    assert response.status_code == 400
    assert "Please write less. You can use up to 100 letters." in text(response)


# --- Control characters: removed (Cc), the rest kept; NUL never reaches PostgreSQL ----------------------------

def test_control_characters_are_removed_from_names_and_free_text_at_the_door(door):
    response = register(door, {**REGISTER, "first_name": "A\x00n\x07a\x1b", "last_name": "\x7fCo\x85sta",
                                         "address": "1 High St\r\nRuncorn\x00\x0b"})
    assert response.headers["Location"] == "/door/thank-you-choice"
    person = added_person()
    assert (person.first_name, person.last_name, person.address) == ("Ana", "Costa", "1 High St\nRuncorn")
    assert person.search_name == "ana costa"


def test_a_name_of_only_control_characters_counts_as_empty(door):
    response = register(door, {**REGISTER, "first_name": "\x00\x07\x1b", "last_name": "\x00"})
    page = text(response)
    assert "Type your first name." in page and "Type your last name." in page
    assert added_person() is None


def test_zero_width_and_direction_marks_are_kept_as_typed(door):
    """Format characters (category Cf) are kept: ZWJ builds emoji, ZWNJ spells Persian, marks set direction.
    Only control characters (Cc) are dropped."""
    first, last = "Jo\u200bhn", "\u200fمحمد\u200c"
    response = register(door, {**REGISTER, "first_name": first, "last_name": last})
    assert response.status_code == 302
    assert (added_person().first_name, added_person().last_name) == (first, last)


def test_nul_in_free_text_and_searches_is_removed_before_the_database(door, sample):
    sign_in_as(door)
    response = door.submit("/door/support", {"need_other": "y", "other_detail": "\x00Quiet\x00 room\x00",
                                             "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"
    assert db.session.scalar(select(AccessNeed.detail)) == "Quiet room"
    response = door.submit("/door/suggest", {"what": "Bus\x00es", "why": "\x00", "name": "S\x00am"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Suggestion))
    assert (stored.what, stored.why, stored.name) == ("Buses", "", "Sam")
    page = text(door.submit("/door/sign-in", {"name": "do\x00r"}))
    assert [name for _pick, name in picks(page)] == ["Dorota N."]


def test_nul_in_a_staff_search_is_removed_before_the_database(organiser, sample):
    assert "Dorota" in text(organiser.get("/people?q=do%00r"))
    response = organiser.get(f"/meetings/{sample['meeting'].id}/invitations?q=%00do")
    assert response.status_code == 200


# --- Right-to-left, combining characters and emoji: stored exactly, shown back -------------------------------

@pytest.mark.parametrize("first,last", [
    ("محمد", "العلي"),          # Arabic
    ("שרה", "כהן"),             # Hebrew
    ("Rene\u0301e", "Zoe\u0308"),  # combining accents, kept as typed (not NFC-normalised)
    ("Renée", "Zoë"),           # the same, precomposed
    ("Sam 🏳️‍🌈", "Lee 👩‍👩‍👧"),    # ZWJ sequences
    ("𝔄𝔫𝔞", "😀" * 3),          # outside the Basic Multilingual Plane
])
def test_any_script_and_emoji_are_stored_exactly_and_shown_back(door, organiser, first, last):
    response = register(door, {**REGISTER, "first_name": first, "last_name": last})
    assert response.headers["Location"] == "/door/thank-you-choice"
    person = added_person()
    assert (person.first_name, person.last_name) == (first, last)
    page = text(organiser.get(f"/people/{person.id}"))
    assert f"{first} {last}" in page
    assert first in text(organiser.get("/people"))


def test_a_name_with_combining_accents_is_found_when_typed_the_same_way(door):
    """Names are stored as typed, not NFC-normalised; a search typed the same way finds them."""
    register(door, {**REGISTER, "first_name": "Rene\u0301e", "last_name": "Dubois"})
    door.post("/door/start-again", data={"csrf_token": door.csrf_token("/door/")})
    page = text(door.submit("/door/sign-in", {"name": "Rene\u0301"}))
    assert [name for _pick, name in picks(page)] == ["Rene\u0301e D."]


# --- HTML and script: escaped on every page that shows it, attributes included -------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ATTR = "' onmouseover='x"
PAYLOAD = f"{SCRIPT}{IMG}{ATTR}"


def assert_escaped(page: str, shown: bool = True) -> None:
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "onmouseover='x" not in page
    if shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_from_the_door_is_escaped_on_every_page_that_shows_it(app, door, organiser, sample, make_user):
    response = register(door, {**REGISTER, "first_name": PAYLOAD, "last_name": PAYLOAD[::-1],
                                         "address": PAYLOAD})
    assert response.status_code == 302
    person = added_person()
    assert person.first_name == PAYLOAD  # stored as typed; escaping is the pages' job
    response = door.submit("/door/support", {"need_other": "y", "other_detail": PAYLOAD, "need_food": "y",
                                             "food_detail": PAYLOAD, "remember": "no"})
    assert response.status_code == 302
    response = door.submit("/door/suggest", {"what": PAYLOAD, "why": PAYLOAD, "name": PAYLOAD})
    assert response.status_code == 302
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.what, suggestion.why, suggestion.name) == (PAYLOAD, PAYLOAD, PAYLOAD)

    # The door itself: the name search (matches show the first name) and the vote cards.
    door.post("/door/start-again", data={"csrf_token": door.csrf_token("/door/")})
    assert_escaped(text(door.submit("/door/sign-in", {"name": "<script"})))
    assert_escaped(text(door.get("/door/vote")))
    # Refused input is shown back escaped too, in the field's value attribute.
    page = text(register(door, {**REGISTER, "first_name": PAYLOAD, "last_name": ""}))
    assert "Type your last name." in page and f'value="{escape(PAYLOAD)}"' in page
    assert_escaped(page)

    gid, mid = sample["group"].id, sample["meeting"].id
    for url in (f"/people/{person.id}", "/people", f"/people/{person.id}/edit", f"/people/{person.id}/support",
                f"/meetings/{mid}/support", f"/meetings/{mid}/support/print", f"/groups/{gid}/suggestions",
                f"/suggestions/{suggestion.id}/triage", f"/meetings/{mid}/recognition"):
        response = organiser.get(url)
        assert response.status_code == 200, url
        assert_escaped(text(response))
    public = app.test_client()
    page = text(public.get(f"/public/groups/{gid}/suggestions"))
    assert_escaped(page)
    assert "&lt;script&gt;" in page  # the suggestion is shown; the name never is
    assert_escaped(text(public.get(f"/have-your-say/{gid}")), shown=False)


def test_html_in_staff_text_is_escaped_on_staff_public_and_finance_pages(app, organiser, sample, make_user):
    gid, mid = sample["group"].id, sample["meeting"].id
    response = organiser.submit("/people/new", {**PERSON, "first_name": PAYLOAD, "last_name": PAYLOAD,
                                                "preferred_name": PAYLOAD, "address": PAYLOAD})
    assert response.status_code == 302
    person = added_person()
    assert (person.first_name, person.preferred_name, person.address) == (PAYLOAD, PAYLOAD, PAYLOAD)
    response = organiser.submit(f"/meetings/{mid}/notes", {"text": PAYLOAD})
    assert response.status_code == 302
    response = organiser.submit(f"/groups/{gid}/actions/new", {
        "what": PAYLOAD, "owner": PAYLOAD, "meeting": str(mid), "owner_organisation": "",
        "due_on": (london_today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    db.session.add(Rate(group_id=gid, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-9"
    db.session.commit()
    response = organiser.submit(f"/people/{person.id}/recognition/voucher?meeting={mid}", {
        "provider": PAYLOAD, "value": "5", "serial": PAYLOAD, "description": PAYLOAD,
        "activity_on": london_today().isoformat()})
    assert response.status_code == 302
    for url in (f"/people/{person.id}", "/people", f"/people/{person.id}/edit", f"/meetings/{mid}/notes",
                f"/groups/{gid}/actions", f"/meetings/{mid}/recognition"):
        assert_escaped(text(organiser.get(url)))
    public = app.test_client()
    for url in (f"/public/groups/{gid}/you-said-we-did", f"/public/groups/{gid}/you-said-we-did/easy-read",
                f"/public/groups/{gid}/meetings"):
        response = public.get(url)
        assert response.status_code == 200, url
        assert_escaped(text(response), shown="meetings" not in url)

    finance = signed_in(app, make_user(Role.FINANCE))
    line_ids = [str(i) for i in db.session.scalars(select(RecognitionLine.id))]
    assert finance.submit("/finance/approve", {"line": line_ids}).status_code == 302
    assert finance.submit("/finance/returns", {"period_to": "", "cost_code": ""}).status_code == 302
    for url in ("/finance/approve", "/finance/returns/1", "/finance/payees?show=all"):
        assert_escaped(text(finance.get(url)), shown=url != "/finance/approve")


def test_html_in_a_meeting_title_is_escaped_at_the_door_and_in_public(app, client, login_as, sample):
    meeting = db.session.get(Meeting, sample["meeting"].id)
    meeting.title, meeting.venue_name = PAYLOAD, PAYLOAD
    db.session.commit()
    login_as(Role.ORGANISER)
    for url in ("/meetings", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/edit"):
        assert_escaped(text(client.get(url)))
    # Public meeting notes list past meetings only: this one is next week, so it is not shown there yet.
    assert_escaped(text(app.test_client().get(f"/public/groups/{sample['group'].id}/meetings")), shown=False)
    start_door_mode(client, meeting.id)
    assert_escaped(text(client.get("/door/")))


def test_html_in_a_personal_link_page_is_escaped(app, sample):
    person = db.session.get(Person, sample["person"].id)
    person.first_name, person.language = PAYLOAD, "en"
    db.session.add(Invitation(token="t" * 40, meeting_id=sample["meeting"].id, person_id=person.id))
    db.session.commit()
    home = app.test_client()
    assert_escaped(text(home.get(f"/invite/{'t' * 40}")))
    response = home.submit(f"/invite/{'t' * 40}/suggest", {"what": PAYLOAD, "why": "", "name": PAYLOAD[:200]})
    assert response.status_code == 302
    assert db.session.scalar(select(Suggestion.what)) == PAYLOAD


# --- Money: exact pence, clear messages --------------------------------------------------------------------------

@pytest.fixture
def paying(app, sample, make_user):
    db.session.add(Rate(group_id=sample["group"].id, applies_from=date(2020, 4, 6), hourly_pence=1500,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    person = db.session.get(Person, sample["person"].id)
    person.payee_ref = "SUP-1"
    db.session.commit()
    return {"organiser": signed_in(app, make_user(Role.ORGANISER)), **sample}


VOUCHER_MESSAGE = "Enter the value in pounds and pence, like 25 or 12.50."


@pytest.mark.parametrize("typed,pence", [
    ("12.345", None), ("-5", None), ("1e3", None), ("40,00", None), ("12,50", None), ("£", None), ("five", None),
    ("NaN", None), ("Infinity", None), ("12.5.0", None), ("1,25", None), ("10000000", None), ("٥", None),
    ("£5", 500), ("£ 5", 500), ("5", 500), ("0.10", 10), ("12.5", 1250), ("1,250", 125000), (" 7.05 ", 705),
    ("9999999.99", 999999999),
])
def test_a_voucher_value(paying, typed, pence):
    s = paying
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/voucher?meeting={s['meeting'].id}", {
        "provider": "Love2Shop", "value": typed, "activity_on": london_today().isoformat()})
    if pence is None:
        assert response.status_code == 400 and VOUCHER_MESSAGE in text(response)
        assert count(RecognitionLine) == 0
        assert f'value="{escape(typed)}"' in text(response)  # what they typed stays, to correct it
    else:
        assert response.status_code == 302
        assert db.session.scalar(select(RecognitionLine.amount_pence)) == pence


@pytest.mark.parametrize("field,typed,message", [
    ("hourly", "12.345", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("half_day", "-5", "Enter the half-day fee in pounds and pence, like 40.00."),
    ("day", "1e3", "Enter the whole-day fee in pounds and pence, like 75.00."),
    ("mileage", "0,45", "Enter the mileage rate per mile in pounds and pence, like 0.45."),
])
def test_a_rate_that_is_not_money_is_refused(app, make_user, sample, field, typed, message):
    admin = signed_in(app, make_user(Role.ADMIN))
    data = {"group": str(sample["group"].id), "applies_from": "2026-04-06", "hourly": "15.50", "half_day": "40",
            "day": "75", "mileage": "0.45", field: typed}
    response = admin.submit("/admin/rates/new", data)
    assert response.status_code == 400 and message in text(response)
    assert count(Rate) == 0
    response = admin.submit("/admin/rates/new", {**data, field: "£0.10"})
    assert response.status_code == 302
    assert getattr(db.session.scalar(select(Rate)), f"{field}_pence") == 10


def test_a_line_whose_amount_would_not_fit_is_refused_not_a_database_error(paying):
    s = paying
    db.session.execute(update(Rate).values(hourly_pence=999_999_999))  # £9,999,999.99 an hour: a typing slip
    db.session.commit()
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/payment?meeting={s['meeting'].id}", {
        "basis": "hours", "hours": "24", "activity_on": london_today().isoformat()})
    assert response.status_code == 400
    assert ("That comes to more than £9,999,999.99, which cannot be right. "
            "Check the hours, the miles and the group&#39;s rate.") in text(response)
    assert count(RecognitionLine) == 0


@pytest.mark.parametrize("field,typed,message", [
    ("hours", "NaN", "Enter the hours as a number from 0.25 to 24, like 2 or 2.5."),
    ("hours", "Infinity", "Enter the hours as a number from 0.25 to 24, like 2 or 2.5."),
    ("hours", "-2", "Enter the hours as a number from 0.25 to 24, like 2 or 2.5."),
    ("hours", "2.555", "Enter the hours as a number from 0.25 to 24, like 2 or 2.5."),
])
def test_hours_that_are_not_a_number_are_refused(paying, field, typed, message):
    s = paying
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/payment?meeting={s['meeting'].id}", {
        "basis": "hours", field: typed, "activity_on": london_today().isoformat()})
    assert response.status_code == 400 and message in text(response)
    assert count(RecognitionLine) == 0


@pytest.mark.parametrize("basis,miles_or_hours", [("half_day", "NaN"), ("day", "sNaN")])
def test_nan_in_a_field_that_does_not_apply_is_still_refused(paying, basis, miles_or_hours):
    s = paying
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/payment?meeting={s['meeting'].id}", {
        "basis": basis, "hours": miles_or_hours, "activity_on": london_today().isoformat()})
    assert response.status_code == 400
    assert "Enter the hours as a number from 0.25 to 24, like 2 or 2.5." in text(response)
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/expense?meeting={s['meeting'].id}", {
        "expense_type": "fares", "amount": "5", "miles": "NaN", "activity_on": london_today().isoformat()})
    assert response.status_code == 400 and "Enter the miles as a number, like 12 or 12.5." in text(response)
    assert count(RecognitionLine) == 0


def test_ten_times_ten_pence_is_exactly_a_pound_everywhere(app, paying, make_user):
    s = paying
    for _ in range(10):
        response = s["organiser"].submit(
            f"/people/{s['person'].id}/recognition/expense?meeting={s['meeting'].id}",
            # Issue 12: a second expenses line for the same meeting is saved only when asked again.
            {"expense_type": "fares", "amount": "0.10", "activity_on": london_today().isoformat(),
             "record_again": "yes"})
        assert response.status_code == 302
    amounts = db.session.scalars(select(RecognitionLine.amount_pence)).all()
    assert amounts == [10] * 10
    totals = rec.totals_for(s["person"].id, rec.tax_year_start(london_today()))
    assert sum(totals.values()) == 100
    assert "£1.00" in text(s["organiser"].get(f"/people/{s['person'].id}"))
    finance = signed_in(app, make_user(Role.FINANCE))
    ids = [str(i) for i in db.session.scalars(select(RecognitionLine.id))]
    assert finance.submit("/finance/approve", {"line": ids}).status_code == 302
    assert finance.submit("/finance/returns", {"period_to": "", "cost_code": ""}).status_code == 302
    ret = db.session.scalar(select(FinanceReturn))
    assert db.session.scalar(select(func.sum(RecognitionLine.amount_pence))
                             .where(RecognitionLine.return_id == ret.id)) == 100
    page = text(finance.get(f"/finance/returns/{ret.number}"))
    assert "£1.00" in page and "£0.99" not in page and "£1.01" not in page


# --- Dates ---------------------------------------------------------------------------------------------------------

REAL_DATE = "Enter a real date for the meeting, like 27 March 2027."
YEAR_RANGE = "Check the year. Enter a date between 2000 and 2099."


@pytest.mark.parametrize("typed,message", [
    ("2027-02-31", REAL_DATE), ("31 February 2027", REAL_DATE), ("31/02/2027", REAL_DATE),
    ("2027-02-29", REAL_DATE), ("99999-01-01", REAL_DATE), ("2027-13-01", REAL_DATE), ("\x00", REAL_DATE),
    ("1900-01-01", YEAR_RANGE), ("0001-01-01", YEAR_RANGE), ("2207-05-01", YEAR_RANGE),
    ("", "Enter the date of the meeting."), ("   ", "Enter the date of the meeting."),
])
def test_a_meeting_date_that_is_not_real_or_not_plausible(organiser, sample, typed, message):
    response = organiser.submit("/meetings/new", {"group": str(sample["group"].id), "title": "Planning",
                                                  "date": typed, "start_time": "10:00", "end_time": "12:00",
                                                  "mode": "online", "online_details": "A link"})
    page = text(response)
    assert response.status_code == 400 and message in page
    assert page.count('class="error-message"') == 1  # one message, on the date
    assert count(Meeting) == 1


def test_a_leap_day_and_the_edges_of_the_range_are_accepted(organiser, sample):
    for day in ("2028-02-29", "2000-01-01", "2099-12-31"):
        response = organiser.submit("/meetings/new", {"group": str(sample["group"].id), "title": f"On {day}",
                                                      "date": day, "start_time": "10:00", "end_time": "12:00",
                                                      "mode": "online", "online_details": "A link"})
        assert response.status_code == 302, day
    assert count(Meeting) == 4


def test_a_recognition_date_outside_the_range_is_refused(paying):
    s = paying
    response = s["organiser"].submit(f"/people/{s['person'].id}/recognition/expense?meeting={s['meeting'].id}",
                                     {"expense_type": "fares", "amount": "5", "activity_on": "1900-04-05"})
    assert response.status_code == 400 and YEAR_RANGE in text(response)
    assert count(RecognitionLine) == 0


# --- A too-large POST -----------------------------------------------------------------------------------------------

def test_a_two_megabyte_post_to_a_door_page_is_refused_politely(door):
    csrf = door.csrf_token("/door/suggest")
    response = door.post("/door/suggest", data={"csrf_token": csrf, "form_token": "f" * 57,
                                                "what": "x" * (2 * 1024 * 1024)})
    page = text(response)
    assert response.status_code == 413
    assert "That was too much to send" in page and "Traceback" not in page
    assert 'class="participant' in page and "Start again" in page  # the tablet's own large layout
    assert count(Suggestion) == 0


def test_a_two_megabyte_post_to_a_staff_page_is_refused_politely(organiser):
    csrf = organiser.csrf_token("/people/new")
    response = organiser.post("/people/new", data={**PERSON, "csrf_token": csrf, "address": "x" * (2 * 1024 * 1024)})
    page = text(response)
    assert response.status_code == 413
    assert "That was too much to send" in page and "Traceback" not in page
    assert added_person() is None


# --- One-time tokens: tampered, malformed, missing, replayed ---------------------------------------------------------

SOMETHING_WENT_WRONG = "Something went wrong on our side. Please press the button again."
BAD_TOKENS = {"too short": "abc", "a space": "a" * 20 + " " + "b" * 3, "not url-safe": "a" * 20 + "+/=",
              "too long": "a" * 65, "missing": None, "empty": "", "a newline": "a" * 24 + "\n" + "b" * 3}


def _with_token(data: dict, token) -> dict:
    data = dict(data)
    data.pop("form_token", None)
    if token is not None:
        data["form_token"] = token
    return data


DOOR_POSTS = {
    "register": ("/door/new/check", {}, Person, 1),  # Save, the answers in the visit already
    "suggest": ("/door/suggest", {"what": "Buses"}, Suggestion, 0),
    "support": ("/door/support", {"need_bsl": "y", "remember": "no"}, AccessNeed, 0),
    "checklist": (f"/door/checklist/{len(CHECKLIST)}", {"outcomes": "Good", "next": "1"}, ChecklistResponse, 0),
}


@pytest.mark.parametrize("which", list(DOOR_POSTS))
@pytest.mark.parametrize("how", list(BAD_TOKENS))
def test_a_malformed_or_missing_token_stores_nothing_and_says_press_again(door, which, how):
    url, data, model, already = DOOR_POSTS[which]
    if which == "support":
        sign_in_as(door)
    if which == "register":
        register(door, REGISTER, save=False)
    token_page = "/door/checklist" if which == "checklist" else url
    csrf = door.csrf_token(token_page)
    response = door.post(url, data=_with_token({"csrf_token": csrf, **data}, BAD_TOKENS[how]))
    page = text(response)
    assert response.status_code == 400 and PROBLEM in page and SOMETHING_WENT_WRONG in page
    assert count(model) == already
    fresh = hidden(page, "form_token")  # a new, well-formed token, so pressing again works
    assert fresh != (BAD_TOKENS[how] or "") and len(fresh) >= 16
    response = door.post(url, data={"csrf_token": csrf, **data, "form_token": fresh})
    assert response.status_code == 302 and count(model) == already + 1


@pytest.mark.parametrize("how", list(BAD_TOKENS))
def test_a_malformed_token_on_a_vote_or_sign_in_counts_nothing(door, sample, how):
    suggestion = Suggestion(group_id=sample["group"].id, what="Buses", source="door")
    db.session.add(suggestion)
    db.session.commit()
    csrf = door.csrf_token("/door/vote")
    response = door.post("/door/vote", data=_with_token(
        {"csrf_token": csrf, "suggestion": str(suggestion.id), "page": "1"}, BAD_TOKENS[how]))
    assert response.status_code == 400 and SOMETHING_WENT_WRONG in text(response)
    assert count(SuggestionVote) == 0
    page = text(door.submit("/door/sign-in", {"name": "dor"}))
    pick, _name = picks(page)[0]
    response = door.post("/door/sign-in/confirm", data=_with_token({"csrf_token": csrf, "pick": pick},
                                                                   BAD_TOKENS[how]))
    assert response.headers["Location"] == "/door/sign-in"
    assert attended_count() == 0


def test_a_token_with_one_character_changed_is_refused_and_the_form_kept(door):
    """The token is signed by the server: one it never issued (here, an issued one changed) saves nothing,
    and the form comes back with what was typed and a fresh token that works."""
    page = text(door.get("/door/suggest"))
    token = hidden(page, "form_token")
    changed = ("A" if token[0] != "A" else "B") + token[1:]
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": changed, "what": "Buses"}
    response = door.post("/door/suggest", data=data)
    page = text(response)
    assert response.status_code == 400 and SOMETHING_WENT_WRONG in page and ">Buses</textarea>" in page
    assert count(Suggestion) == 0
    assert door.post("/door/suggest", data={**data, "form_token": hidden(page, "form_token")}
                     ).headers["Location"] == "/door/thanks"
    assert count(Suggestion) == 1


def test_replaying_the_checklist_stores_one_response(door):
    tokens = {"csrf_token": door.csrf_token("/door/checklist"),
              "form_token": hidden(text(door.get("/door/checklist")), "form_token")}
    data = {**tokens, "achieved": "5", "outcomes": "We agreed the plan", "next": "1", "answer": "carer"}
    first = door.post(f"/door/checklist/{len(CHECKLIST)}", data=data)
    again = door.post(f"/door/checklist/{len(CHECKLIST)}", data=data)
    assert first.headers["Location"] == again.headers["Location"] == "/door/thanks"
    stored = db.session.scalars(select(ChecklistResponse)).all()
    assert [(r.achieved, r.outcomes, r.here_as) for r in stored] == [(5, "We agreed the plan", "carer")]


def test_replaying_support_needs_changes_nothing_the_second_time(door, sample):
    sign_in_as(door)
    page = text(door.get("/door/support"))
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
            "need_other": "y", "other_detail": "A quiet room", "remember": "no"}
    first = door.post("/door/support", data=data)
    again = door.post("/door/support", data={**data, "other_detail": "Changed on the replay"})
    assert first.headers["Location"] == again.headers["Location"] == "/door/thanks"
    needs = db.session.scalars(select(AccessNeed)).all()
    assert [(n.kind, n.detail) for n in needs] == [(NeedKind.OTHER, "A quiet room")]


@pytest.mark.parametrize("where", ["personal link", "group link"])
def test_replaying_a_suggestion_from_home_stores_one(app, sample, where):
    if where == "personal link":
        db.session.add(Invitation(token="p" * 40, meeting_id=sample["meeting"].id, person_id=sample["person"].id))
        db.session.commit()
        url, done = f"/invite/{'p' * 40}/suggest", f"/invite/{'p' * 40}/thanks"
    else:
        url = f"/have-your-say/{sample['group'].id}"
        done = f"{url}/thanks"
    home = app.test_client()
    page = text(home.get(url))
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
            "what": "Parking", "why": "", "name": ""}
    assert home.post(url, data=data).headers["Location"] == done
    assert home.post(url, data=data).headers["Location"] == done
    assert count(Suggestion) == 1


@pytest.mark.parametrize("typed", ["²", "٣", "9" * 5000, "1" * 10, "-1", "1.0", "0x1"])
def test_a_vote_for_a_made_up_suggestion_number_is_refused_not_a_crash(door, sample, typed):
    response = door.submit("/door/vote", {"suggestion": typed, "page": typed})
    assert response.status_code == 400 and SOMETHING_WENT_WRONG in text(response)
    assert count(SuggestionVote) == 0


# --- Numbers in the address ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999999"])
def test_a_number_in_an_address_too_big_for_the_database_is_not_found(app, sample, login_as, number):
    assert app.test_client().get(f"/have-your-say/{number}").status_code == 404
    login_as(Role.ADMIN)
    for page in (f"/people/{number}", f"/meetings/{number}", f"/admin/people/{number}/records.xlsx"):
        assert app.test_client().get(page).status_code in (302, 404)  # signed out: to the login page


@pytest.mark.parametrize("typed", ["²", "٣", "99999999999", "-1", "1.0"])
def test_a_choice_that_is_not_a_plain_number_is_refused_not_a_500(client, login_as, sample, typed):
    login_as(Role.ADMIN)
    assert client.get("/meetings/new", query_string={"group": typed}).status_code == 200
    response = client.submit("/meetings/new", {"group": typed, "title": "Respite", "date": "2026-12-01",
                                                "start_time": "10:00", "end_time": "12:00", "mode": "in_person",
                                                "venue_name": "Halton Lea Library"})
    assert response.status_code == 400
    assert "Choose the group this meeting is for." in response.get_data(as_text=True)
    assert client.get("/admin/budgets/new", query_string={"group": typed}).status_code == 200


def test_a_name_with_a_separate_accent_mark_is_found_by_the_single_letter(app, sample):
    from survey_app.participation import taking_part
    db.session.add(Person(first_name="Rene\u0301e", last_name="Okafor", contact_method="email",
                          information_format="standard", role="carer"))
    db.session.flush()
    for person in db.session.scalars(select(Person)):
        person.refresh_search_name()
    db.session.commit()
    found = [p.first_name for p in taking_part.people_matching("REN\u00c9E")]
    assert found == ["Rene\u0301e"]  # stored exactly as typed, found either way
