"""Issue 12, section 6: door mode on the meeting's day only, the demo's meeting today, no second "Correct",
exports that keep text exactly as typed, payee references that are not bank details or NI numbers, and the
thank-you screen's choices."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.workbook import Column, Note, Sheet, Total, write_workbook
from forms.finance import PayeeRefForm
from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Meeting,
    PaymentBasis,
    Person,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    Suggestion,
)
from survey_app.models.base import LONDON, london_today, utcnow
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import attended_count, hidden, later_today, picks
from tests.door_helpers import register as register_at_door

NOT_TODAY = "Door mode is for the day of the meeting"
ENDED = "This meeting has ended"


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


def post_door_mode(client, meeting_id):
    return client.post(f"/meetings/{meeting_id}/door-mode",
                       data={"csrf_token": client.csrf_token(f"/meetings/{meeting_id}")})


def move(meeting, start):
    meeting.starts_at, meeting.ends_at = start, start + timedelta(hours=2)
    db.session.commit()


# --- 1. Door mode on the meeting's day only ----------------------------------------------------------------------

def test_door_mode_is_refused_for_a_meeting_on_another_day_and_nothing_changes(client, login_as, sample):
    organiser = login_as(Role.ORGANISER)
    meeting = sample["meeting"]  # next week
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "Door mode can only be started on the day of the meeting." in page
    assert ">Start door mode</button>" not in page
    response = post_door_mode(client, meeting.id)
    assert response.status_code == 409
    body = text(response)
    assert NOT_TODAY in body
    day = re.search(r"is on ([^.]+)\. Door mode can only be started on that day", body).group(1)
    assert str(meeting.starts_at.astimezone(LONDON).day) in day and str(meeting.starts_at.year) in day
    assert client.get("/dashboard").status_code == 200  # still signed in: nothing changed
    assert client.get("/door/").status_code == 403
    assert count(AuditEvent, AuditEvent.action == "door-mode-start") == 0
    move(meeting, utcnow() - timedelta(days=30))  # and a meeting long over
    assert post_door_mode(client, meeting.id).status_code == 409
    assert organiser.id and client.get("/door/").status_code == 403


def test_door_mode_starts_on_the_day(client, login_as, sample):
    login_as(Role.ORGANISER)
    meeting = sample["meeting"]
    move(meeting, later_today())
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert ">Start door mode</button>" in page and "Door mode can only be started on the day" not in page
    response = post_door_mode(client, meeting.id)
    assert response.status_code == 302 and response.headers["Location"] == "/door/"
    assert "Sign in" in text(client.get("/door/"))
    assert count(AuditEvent, AuditEvent.action == "door-mode-start") == 1


def test_a_tablet_left_in_door_mode_after_the_day_takes_no_sign_ins(app, door, sample):
    meeting = sample["meeting"]
    page = text(door.submit("/door/sign-in", {"name": "dor"}))
    pick, _ = picks(page)[0]
    check = text(door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick}))
    new_page = text(door.get("/door/new/name"))
    check_page = text(register_at_door(door, {"first_name": "Late", "last_name": "Comer", "role": "carer",
                                              "contact_method": "text", "phone": "07700 900999",
                                              "information_format": "standard", "consent": "y"}, save=False))
    # The tablet is left on overnight: the meeting's day is now over.
    move(meeting, utcnow() - timedelta(days=1, hours=3))
    app.extensions.pop("door_meetings", None)  # as after the per-process cache's seconds have passed
    welcome = door.get("/door/")
    assert welcome.status_code == 200
    body = text(welcome)
    assert f"<h1>{ENDED}</h1>" in body and "This tablet cannot sign anyone in today. Please ask a member of staff." in body
    assert 'href="/door/sign-in"' not in body and 'href="/door/new"' not in body
    assert "Staff: end door mode" in body
    for url in ("/door/sign-in", "/door/new", "/door/new/name", "/door/new/check", "/door/support", "/door/suggest",
                "/door/vote", "/door/checklist"):
        response = door.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/door/", url
    response = door.post("/door/sign-in/confirm", data={"csrf_token": hidden(check, "csrf_token"), "pick": pick,
                                                        "form_token": hidden(check, "form_token")})
    assert response.status_code == 302 and response.headers["Location"] == "/door/"
    response = door.post("/door/new/name", data={
        "csrf_token": hidden(new_page, "csrf_token"), "form_token": hidden(new_page, "form_token"),
        "first_name": "Late", "last_name": "Comer"})
    assert response.headers["Location"] == "/door/"
    response = door.post("/door/new/check", data={
        "csrf_token": hidden(check_page, "csrf_token"), "form_token": hidden(check_page, "form_token")})
    assert response.headers["Location"] == "/door/"
    assert attended_count() == 0 and count(Person) == 1
    # Staff can still end door mode.
    response = door.submit("/door/exit", {"email": door.organiser.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/meetings/{meeting.id}"


def test_a_meeting_moved_to_another_day_after_door_mode_started_says_not_today(app, door, sample):
    move(sample["meeting"], utcnow() + timedelta(days=3))
    app.extensions.pop("door_meetings", None)
    body = text(door.get("/door/"))
    assert "<h1>This meeting is not today</h1>" in body
    assert door.get("/door/sign-in").headers["Location"] == "/door/"


def test_the_attendance_list_shows_the_date_and_time_of_each_sign_in(client, login_as, sample):
    login_as(Role.ORGANISER)
    at = datetime(2026, 7, 14, 9, 5, tzinfo=UTC)  # 10:05 in London (BST)
    db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                              status=AttendanceStatus.ATTENDED, signed_in_at=at))
    db.session.commit()
    page = text(client.get(f"/meetings/{sample['meeting'].id}"))
    assert "<td>14 Jul 2026, 10:05</td>" in page


# --- 2. The demo has a meeting today -----------------------------------------------------------------------------

def test_the_demo_has_a_meeting_today_with_its_checklist_not_yet_open(client, login_as, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    today = [m for m in db.session.scalars(select(Meeting))
             if m.starts_at.astimezone(LONDON).date() == london_today()]
    assert len(today) == 1 and count(Meeting) == 13  # twelve meetings and one activity (a panel interview)
    meeting = today[0]
    assert not meeting.checklist_open and meeting.starts_at > utcnow()
    login_as(Role.ORGANISER)
    assert ">Start door mode</button>" in text(client.get(f"/meetings/{meeting.id}"))
    assert post_door_mode(client, meeting.id).headers["Location"] == "/door/"
    page = text(client.get("/door/"))
    assert meeting.title in page and "Tell us how it went" not in page


# --- 3. No "Correct" on a line already corrected -----------------------------------------------------------------

@pytest.fixture
def corrected(sample, make_user):
    group, person = sample["group"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-0042"
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)
    lines = [rec.record(rec.LineInput(person=person, group_id=group.id, activity_on=date(2026, 5, 1),
                                      kind=RecognitionKind.PAYMENT, meeting=sample["meeting"],
                                      basis=PaymentBasis.HALF_DAY), organiser) for _ in range(2)]
    rec.approve(lines, finance)
    rec.build_return(finance)
    reversal, replacement = rec.correct(lines[0], 3000, "Left early", organiser)
    db.session.commit()
    return {"organiser": organiser, "lines": lines, "reversal": reversal, "replacement": replacement, **sample}


def test_a_corrected_line_and_its_reversal_offer_no_correct(app, corrected):
    client = app.test_client()
    client.submit("/login", {"email": corrected["organiser"].email, "password": PASSWORD})
    first, second = corrected["lines"]
    page = text(client.get(f"/people/{corrected['person'].id}"))
    links = re.findall(r'href="/recognition/(\d+)/correct"', page)
    assert links == [str(second.id)]  # only the locked line not yet corrected
    assert len(re.findall(r"<td>Corrected\s*</td>", page)) == 1  # the first line says so instead
    response = client.get(f"/recognition/{first.id}/correct")
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{corrected['person'].id}"
    assert "This line has already been corrected." in text(client.get(response.headers["Location"]))
    token = client.csrf_token(f"/people/{corrected['person'].id}")
    response = client.post(f"/recognition/{first.id}/correct",
                           data={"csrf_token": token, "amount": "10", "reason": "again"})
    assert response.status_code == 302
    assert count(RecognitionLine) == 4  # two lines, one reversal, one replacement: nothing more
    response = client.get(f"/recognition/{corrected['reversal'].id}/correct")
    assert response.status_code == 302  # a reversal is not corrected either (it is not locked yet, or is one)


# --- 4. Exports keep text exactly as typed, inert through the cell's quote prefix -------------------------------

HOSTILE = ["=1+2", "@cmd", "+x", "-y", "=HYPERLINK(\"http://x\",\"y\")", "\tTab"]


def test_every_formula_like_text_reads_back_exactly_as_typed_with_a_quote_prefix():
    out = io.BytesIO()
    rows = [(value,) for value in HOSTILE] + [("plain",), Total(("=total",)), Note(("@note",))]
    write_workbook([Sheet("S", [Column("=Header")], rows)], out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["S"]
    cells = [ws.cell(row=r, column=1) for r in range(1, len(HOSTILE) + 5)]
    assert [c.value for c in cells] == ["=Header", *HOSTILE, "plain", "=total", "@note"]
    assert all(c.data_type == "s" for c in cells)  # a string, never a formula
    assert [bool(c.quotePrefix) for c in cells] == [True] * (len(HOSTILE) + 1) + [False, True, True]
    assert cells[0].font.b and cells[-2].font.b and cells[-1].font.i  # the row's own look is kept


def test_the_finance_return_download_keeps_names_as_typed(app, sample, make_user):
    group, person = sample["group"], sample["person"]
    person.first_name, person.last_name, person.payee_ref = "@cmd", "=1+2", "SUP-1"
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)
    line = rec.record(rec.LineInput(person=person, group_id=group.id, activity_on=date(2026, 5, 1),
                                    kind=RecognitionKind.PAYMENT, meeting=sample["meeting"],
                                    basis=PaymentBasis.HALF_DAY, description="-y"), organiser)
    rec.approve([line], finance)
    ret = rec.build_return(finance)
    db.session.commit()
    client = app.test_client()
    client.submit("/login", {"email": finance.email, "password": PASSWORD})
    response = client.get(f"/finance/returns/{ret.number}/download")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data))["Lines"]
    row = list(ws[2])
    name = next(c for c in row if c.value == "@cmd =1+2")
    assert name.data_type == "s" and name.quotePrefix
    described = next(c for c in row if c.value == "-y")
    assert described.data_type == "s" and described.quotePrefix
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in row)


# --- 5. Payee references are not NI numbers or bank details ------------------------------------------------------

NI_MESSAGE = "That looks like a National Insurance number. Enter their reference in the payroll or supplier system instead."
BANK_MESSAGE = ("That looks like a sort code and account number. Enter their reference in the payroll or supplier "
                "system instead: never bank details.")


@pytest.mark.parametrize("typed, message", [
    ("QQ 12 34 56 C", NI_MESSAGE), ("AB123456C", NI_MESSAGE), ("ab 123456 d", NI_MESSAGE), ("NI: JG103759A", NI_MESSAGE),
    ("12-34-56 12345678", BANK_MESSAGE), ("123456 12345678", BANK_MESSAGE), ("12 34 56 12345678", BANK_MESSAGE),
    ("12345612345678", BANK_MESSAGE), ("SUP-0042", None), ("HAL-2026-000123", None), ("AB123456", None),
    ("EMP 1234567", None), ("123456", None)])
def test_payee_reference_shapes(app, typed, message):
    with app.test_request_context(method="POST", data={"payee_ref": typed}):
        form = PayeeRefForm(meta={"csrf": False})
        assert form.validate() is (message is None)
        assert form.payee_ref.errors == ([message] if message else [])


def test_finance_cannot_save_a_national_insurance_number_as_a_payee_reference(app, sample, make_user):
    person = sample["person"]
    person.payee_ref = ""
    db.session.add(RecognitionLine(person_id=person.id, group_id=sample["group"].id, activity_on=date(2026, 5, 1),
                                   kind=RecognitionKind.EXPENSE, amount_pence=500,
                                   recorded_by_id=make_user(Role.ORGANISER).id))
    db.session.commit()
    finance = app.test_client()
    finance.submit("/login", {"email": make_user(Role.FINANCE).email, "password": PASSWORD})
    for typed, message in (("QQ 12 34 56 C", NI_MESSAGE), ("12-34-56 12345678", BANK_MESSAGE)):
        response = finance.submit(f"/finance/payees/{person.id}", {"payee_ref": typed}, token_from="/finance/payees")
        assert response.status_code == 302
        assert message in text(finance.get(response.headers["Location"]))
        db.session.expire_all()
        assert db.session.get(Person, person.id).payee_ref == ""
    finance.submit(f"/finance/payees/{person.id}", {"payee_ref": "SUP-0042"}, token_from="/finance/payees")
    db.session.expire_all()
    assert db.session.get(Person, person.id).payee_ref == "SUP-0042"


# --- 6. The thank-you screen offers Suggest and Vote as well as Next person --------------------------------------

def register(door, lang=None):
    if lang:
        door.submit("/door/language", {"lang": lang}, token_from="/door/")
    door.submit("/door/display", {"setting": "big"}, token_from="/door/")
    response = register_at_door(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer",
                                       "contact_method": "text", "phone": "07700 900999",
                                       "information_format": "standard", "consent": "y"})
    assert response.headers["Location"] == "/door/thank-you-choice"
    door.submit("/door/thank-you-choice", {"preference": "thanks_only"})
    response = door.submit("/door/support", {"need_hearing_loop": "y", "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"


def test_after_registering_the_thank_you_screen_offers_three_choices(door, sample):
    register(door)
    page = text(door.get("/door/thanks"))
    assert 'action="/door/carry-on"' in page
    assert re.search(r'<button type="submit" name="to" value="suggest" class="big-choice">.*Suggest something to '
                     r'talk about</button>', page)
    assert re.search(r'<button type="submit" name="to" value="vote" class="big-choice">.*Vote for what we talk '
                     r'about</button>', page)
    assert '<a class="button button--big" href="/door/" data-auto-return="15">Next person</a>' in page
    # It says when it will go back to the start, with the number participant.js waits (issue 14, point 3).
    assert "This screen will go back to the start in 15 seconds, for the next person." in page
    # The person is forgotten whichever they choose.
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"
    assert count(AccessNeed) == 1


@pytest.mark.parametrize("to, where", [("suggest", "/door/suggest"), ("vote", "/door/vote"), ("", "/door/")])
def test_a_choice_on_the_thank_you_screen_starts_a_new_visit_in_the_same_language(door, sample, to, where):
    register(door, lang="pl")
    page = text(door.get("/door/thanks"))
    assert 'name="lang" value="pl"' in page and 'name="big" value="1"' in page
    response = door.post("/door/carry-on", data={"csrf_token": hidden(page, "csrf_token"), "to": to, "lang": "pl",
                                                 "big": "1"})
    assert response.status_code == 302 and response.headers["Location"] == where
    after = text(door.get(where))
    assert '<html lang="pl"' in after and "big-text" in after
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"  # nobody is signed in
    if to == "suggest":
        suggest = text(door.get("/door/suggest"))
        door.post("/door/suggest", data={"csrf_token": hidden(suggest, "csrf_token"),
                                         "form_token": hidden(suggest, "form_token"), "what": "Buses"})
        assert count(Suggestion) == 1


def test_carry_on_ignores_a_made_up_language_or_place(door):
    page = text(door.get("/door/thanks"))
    response = door.post("/door/carry-on", data={"csrf_token": hidden(page, "csrf_token"), "to": "https://evil.example",
                                                 "lang": "klingon"})
    assert response.headers["Location"] == "/door/"
    assert '<html lang="en"' in text(door.get("/door/"))
