"""Erasure: a person's details go (from their row and from every audit copy), their finance lines stay under a
pseudonymous label until the end of the financial year plus six years; from the command line and an admin page."""
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.insight import suggestions, support_plan, voices
from survey_app.messages import deliver
from survey_app.models import (
    AccessNeed,
    Attendance,
    AuditEvent,
    FinanceReturn,
    Invitation,
    NeedArrangement,
    NeedKind,
    PaymentBasis,
    Person,
    PersonVoice,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    Suggestion,
    SuggestionVote,
    Voice,
)
from survey_app.models.base import london_today
from survey_app.money import line_payments
from survey_app.money import recognition as rec
from survey_app.participation import invitations, taking_part
from survey_app.privacy import audit, erasure
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

OLD = {"first": "Wiktoria", "last": "Zielińska", "preferred": "Wika", "email": "wiktoria.z@example.org",
       "phone": "07700 900777", "new_phone": "07700 900888", "address": "12 Sandpiper Close, Runcorn",
       "detail": "Needs a Polish-speaking BSL interpreter", "talked_by": "Maureen Oyelaran",
       "old_detail": "A ramp at the side door", "through": "Halina Grabowska"}
ALREADY = "This person's details have already been erased."


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def count_all(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def new_client(app):
    return app.test_client()


def sign_in(client, user):
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def pay(person, group, meeting, by, on, kind=RecognitionKind.PAYMENT, **extra):
    data = rec.LineInput(person=person, group_id=group.id, activity_on=on, kind=kind, meeting=meeting, **extra)
    if kind == RecognitionKind.PAYMENT:
        data.basis, data.hours_hundredths = PaymentBasis.HOURS, 200
    return rec.record(data, by)


def paid_return(lines, finance, paid_on):
    rec.approve(lines, finance)
    ret = rec.build_return(finance)
    line_payments.mark_paid(ret, paid_on, finance)
    db.session.commit()
    return ret


@pytest.fixture
def world(app, sample, make_user):
    """A person with everything, made through the real pages and functions (so the audit log has copies)."""
    admin, finance = make_user(Role.ADMIN), make_user(Role.FINANCE)
    group, meeting, org = sample["group"], sample["meeting"], sample["organisation"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    db.session.commit()
    web = new_client(app)
    sign_in(web, admin)
    details = {"first_name": OLD["first"], "last_name": OLD["last"], "preferred_name": OLD["preferred"],
               "role": "carer", "contact_method": "email", "email": OLD["email"], "phone": OLD["phone"],
               "address": OLD["address"], "information_format": "easy_read", "language": "pl",
               "organisation": str(org.id), "consent": "y", "recognition_preference": "paid", "benefits_check": "y",
               "voices": ["living_alone", "carer"], "is_champion": "y"}
    assert web.submit("/people/new", details).status_code == 302
    person = db.session.scalar(select(Person).where(Person.email == OLD["email"]))
    assert web.submit(f"/people/{person.id}/edit", {**details, "phone": OLD["new_phone"],
                                                    "contact_method": "through_someone",
                                                    "contact_through": OLD["through"]}).status_code == 302
    db.session.expire_all()
    assert person.contact_through == OLD["through"]
    stop_key = deliver.message_token(person)  # the key in their "stop messages like this" links
    voices.set_voices(person, {Voice.LIVING_ALONE, Voice.SELF_ADVOCACY}, admin)
    invitations.invite(meeting, person)
    invitations.make_links(meeting)
    taking_part.save_needs(person.id, meeting.id, {NeedKind.BSL: OLD["detail"], NeedKind.FOOD: ""}, remember=True)
    db.session.commit()
    need = db.session.scalar(select(AccessNeed).where(AccessNeed.person_id == person.id,
                                                      AccessNeed.kind == NeedKind.BSL))
    assert support_plan.mark_arranged(need.id, meeting.id, admin)
    # A need removed before the erasure leaves only its audit copy behind: that is cleaned too.
    gone = AccessNeed(person_id=person.id, kind=NeedKind.STEP_FREE, detail=OLD["old_detail"])
    db.session.add(gone)
    audit.record("create", gone, after=audit.snapshot(gone), user=admin)
    audit.record("delete", gone, before=audit.snapshot(gone), user=admin)
    db.session.delete(gone)
    taking_part.sign_in(meeting.id, person.id)
    mine = taking_part.suggest(group.id, meeting.id, "Bus passes", "", f"  {OLD['first']}  {OLD['last']} ", "door")
    someone = taking_part.suggest(group.id, None, "Parking", "", OLD["first"], "link")
    db.session.commit()
    suggestions.triage(mine, "covered", admin)
    suggestions.triage(someone, "new", admin)  # looked at, so open to votes
    suggestions.vote(someone.id, person.id)
    rec.record_benefits_conversation(person, date(2026, 4, 20), OLD["talked_by"], admin)
    rec.set_payee_ref(person, "SUP-0042", finance)
    db.session.commit()
    paid = pay(person, group, meeting, admin, date(2026, 5, 1))
    voucher = pay(person, group, None, admin, date(2026, 5, 2), kind=RecognitionKind.VOUCHER, amount_pence=2500,
                  activity="Reading group papers", voucher_provider="Love2Shop", voucher_serial="L2S-1")
    db.session.commit()
    ret = paid_return([paid, voucher], finance, date(2026, 6, 30))
    thanks = pay(person, group, meeting, admin, date(2026, 5, 1), kind=RecognitionKind.THANKS)
    unpaid = pay(person, group, meeting, admin, date(2026, 7, 1), kind=RecognitionKind.EXPENSE, amount_pence=640,
                 expense_type=rec.ExpenseType.FARES)
    db.session.commit()
    # Someone else, who must be untouched.
    other = Person(first_name="Ben", last_name="Brennan", email="ben@example.org", contact_method="email",
                   information_format="standard", role="staff")
    other.refresh_search_name()
    db.session.add(other)
    db.session.commit()
    return {"admin": admin, "finance": finance, "web": web, "person": person, "id": person.id, "return": ret,
            "lines": [paid.id, voucher.id, thanks.id, unpaid.id], "mine": mine.id, "someone": someone.id,
            "other": other.id, "stop_key": stop_key, **sample}


def expected_keep_until(today: date) -> date:
    """The unpaid expense line counts from the day of erasure: end of that financial year, plus six years."""
    year_end = date(today.year, 4, 5) if today <= date(today.year, 4, 5) else date(today.year + 1, 4, 5)
    return date(year_end.year + 6, 4, 5)


def audit_text() -> str:
    return json.dumps([[e.action, e.record_type, e.before, e.after] for e in db.session.scalars(select(AuditEvent))],
                      ensure_ascii=False)


def assert_erased(world):
    db.session.expire_all()
    pid = world["id"]
    person = db.session.get(Person, pid)
    label = f"Erased person {pid:04d}"
    assert person.display_name == label and (person.first_name, person.last_name) == ("Erased", f"person {pid:04d}")
    assert (person.preferred_name, person.email, person.phone, person.address) == ("", "", "", "")
    assert (person.language, person.organisation_id, person.consent_at, person.is_champion) == ("en", None, None, False)
    assert person.benefits_talked_by == "" and person.search_name == "" and person.erased_at is not None
    assert person.contact_through == "" and person.message_token is None
    assert person.payee_ref == "SUP-0042"  # finance still pays and matches by it
    assert person.keep_until == expected_keep_until(london_today())
    # Gone from every copy in the audit trail, too.
    text = audit_text()
    for value in (OLD["first"], OLD["last"], OLD["preferred"], OLD["email"], OLD["phone"], OLD["new_phone"],
                  "Sandpiper", OLD["detail"], OLD["old_detail"], "step_free", OLD["talked_by"], "living_alone",
                  "self_advocacy", "easy_read", OLD["through"], world["stop_key"]):
        assert value not in text, value
    assert count(AuditEvent, AuditEvent.record_type == "Person", AuditEvent.record_id == str(pid)) >= 6
    # Deleted: needs (and their arrangements), voices, personal links. Votes stay, without the person.
    assert count(AccessNeed, AccessNeed.person_id == pid) == 0 and count_all(NeedArrangement) == 0
    assert count(PersonVoice, PersonVoice.person_id == pid) == 0
    assert count(Invitation, Invitation.person_id == pid) == 0
    assert count_all(SuggestionVote) == 1 and count(SuggestionVote, SuggestionVote.person_id.is_not(None)) == 0
    # Their typed full name is cleared; a first name alone cannot be told apart from anyone else's.
    assert db.session.get(Suggestion, world["mine"]).name == ""
    assert db.session.get(Suggestion, world["someone"]).name == OLD["first"]
    # Kept: every recognition line and the attendance.
    assert sorted(db.session.scalars(select(RecognitionLine.id).where(RecognitionLine.person_id == pid))) \
        == sorted(world["lines"])
    assert count(Attendance, Attendance.person_id == pid) == 1
    # One "erase" event, with numbers only.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase"))
    assert (event.record_type, event.record_id) == ("Person", str(pid))
    assert event.after["access_needs"] == 2 and event.after["arrangements"] == 1 and event.after["voices"] == 2
    assert event.after["invitations"] == 1 and event.after["votes"] == 1 and event.after["lines_kept"] == 4
    assert event.after["keep_until"] == expected_keep_until(london_today()).isoformat()
    # Nobody else touched; nobody finds the old name, or the label, at the door.
    other = db.session.get(Person, world["other"])
    assert (other.first_name, other.email) == ("Ben", "ben@example.org")
    assert taking_part.people_matching(OLD["first"][:3]) == []
    assert taking_part.people_matching("Erased") == []
    return label


def test_erase_from_the_command_line(world, runner):
    result = runner.invoke(args=["people", "erase", str(world["id"]), "--yes"])
    assert result.exit_code == 0, result.output
    label = assert_erased(world)
    keep = expected_keep_until(london_today()).isoformat()
    assert f"Erased the name, contact details, language, organisation and consent of {label}." in result.output
    assert "Deleted 2 support needs (and 1 arrangement made for them), 2 voices and 1 personal link." in result.output
    assert "Took their name off 1 vote (the votes still count) and off 1 suggestion." in result.output
    assert (f"Kept 4 recognition lines and 1 meeting attendance under the label \"{label}\" with their payee "
            f"reference, until {keep};") in result.output
    # The finance return shows the label, never the old name.
    out = io.BytesIO()
    from exports.finance_return import write_return
    from survey_app.money import return_data
    write_return(*return_data.return_rows(world["return"]), out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert label in cells and "SUP-0042" in cells
    assert not any(OLD["last"] in c or OLD["first"] in c for c in cells)
    # Twice is refused, plainly and with a failing exit code.
    again = runner.invoke(args=["people", "erase", str(world["id"]), "--yes"])
    assert again.exit_code == 1 and again.output == f"Error: {ALREADY}\n"
    with pytest.raises(erasure.ErasureError) as refused:
        erasure.erase_person(db.session.get(Person, world["id"]))
    assert str(refused.value) == ALREADY


def test_the_command_asks_first_and_knows_unknown_people(world, runner):
    result = runner.invoke(args=["people", "erase", str(world["id"])], input="n\n")
    assert result.exit_code == 1 and "Erase their details? [y/N]" in result.output and "Aborted!" in result.output
    assert db.session.get(Person, world["id"]).erased_at is None
    missing = runner.invoke(args=["people", "erase", "99999", "--yes"])
    assert missing.exit_code == 1 and missing.output == "Error: There is no person number 99999.\n"
    result = runner.invoke(args=["people", "erase", str(world["id"])], input="y\n")
    assert result.exit_code == 0 and "Kept 4 recognition lines" in result.output
    assert db.session.get(Person, world["id"]).erased_at is not None


def test_erase_from_the_admin_page(world):
    web, pid = world["web"], world["id"]
    person_page = web.get(f"/people/{pid}").get_data(as_text=True)
    assert "Records held about this person" in person_page and f"/admin/people/{pid}/erase" in person_page
    page = web.get(f"/admin/people/{pid}/erase").get_data(as_text=True)
    keep = expected_keep_until(london_today())
    assert "Erase this person&#39;s details" in page and f"Erased person {pid:04d}" in page
    assert "2 support needs" in page and "4 recognition lines (paid or still to pay)." in page
    assert f"They are kept until {keep.day} April {keep.year}" in page
    wrong = web.submit(f"/admin/people/{pid}/erase", {"confirm": "yes please"})
    assert wrong.status_code == 400
    assert "Type the word ERASE to confirm you want to erase their details." in wrong.get_data(as_text=True)
    assert db.session.get(Person, pid).erased_at is None
    done = web.submit(f"/admin/people/{pid}/erase", {"confirm": "ERASE"}, follow_redirects=True)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Their details are erased." in body
    assert "This person's details were erased on" in body and "Edit details" not in body
    label = assert_erased(world)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase"))
    assert event.user_id == world["admin"].id
    # The people list and the finance download still work, and show only the label.
    listing = web.get("/people").get_data(as_text=True)
    assert label in listing and OLD["last"] not in listing
    download = web.get(f"/finance/returns/{world['return'].number}/download")
    book = load_workbook(io.BytesIO(download.data))
    names = [row[3] for row in book["Lines"].iter_rows(min_row=2, values_only=True) if row[1] is not None]
    assert names and set(names) == {label}
    # Erasing twice is refused, and editing an erased person is not possible.
    again = web.get(f"/admin/people/{pid}/erase", follow_redirects=True)
    assert ALREADY.replace("'", "&#39;") in again.get_data(as_text=True)
    edit = web.get(f"/people/{pid}/edit", follow_redirects=True).get_data(as_text=True)
    assert "This person&#39;s details have been erased, so there is nothing to edit." in edit


def test_organisers_and_finance_cannot_erase(app, sample, make_user):
    pid = sample["person"].id
    for role in (Role.ORGANISER, Role.FINANCE):
        web = new_client(app)
        sign_in(web, make_user(role))
        assert web.get(f"/admin/people/{pid}/erase").status_code == 403
        token = web.csrf_token("/account")
        assert web.post(f"/admin/people/{pid}/erase", data={"confirm": "ERASE", "csrf_token": token}).status_code == 403
    page = web.get(f"/people/{pid}")
    assert page.status_code == 403  # finance does not see people's pages at all
    organiser = new_client(app)
    sign_in(organiser, make_user(Role.ORGANISER))
    assert "Records held about this person" not in organiser.get(f"/people/{pid}").get_data(as_text=True)
    assert db.session.get(Person, pid).erased_at is None


@pytest.mark.parametrize("last_day, keep_until", [
    (date(2026, 4, 5), date(2032, 4, 5)), (date(2026, 4, 6), date(2033, 4, 5)),
    (date(2026, 5, 1), date(2033, 4, 5)), (date(2027, 1, 31), date(2033, 4, 5)), (date(2024, 2, 29), date(2030, 4, 5)),
])
def test_kept_until_the_end_of_the_financial_year_plus_six_years(last_day, keep_until):
    assert erasure.keep_until_for(last_day) == keep_until


@pytest.mark.parametrize("day, keep_until", [(date(2026, 4, 5), date(2032, 4, 5)),
                                             (date(2026, 4, 6), date(2033, 4, 5))])
def test_the_financial_year_boundary_on_a_real_erasure(sample, make_user, day, keep_until):
    admin, finance = make_user(Role.ADMIN), make_user(Role.FINANCE)
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person = sample["person"]
    person.payee_ref = "SUP-7"
    line = pay(person, sample["group"], sample["meeting"], admin, day)
    db.session.commit()
    paid_return([line], finance, day)
    summary = erasure.erase_person(person, today=day)
    db.session.commit()
    assert summary.keep_until == keep_until == db.session.get(Person, person.id).keep_until


def test_an_unpaid_line_counts_from_the_day_of_erasure(sample, make_user):
    admin = make_user(Role.ADMIN)
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    pay(sample["person"], sample["group"], sample["meeting"], admin, date(2026, 4, 1))
    db.session.commit()
    summary = erasure.erase_person(sample["person"], today=date(2026, 4, 10))
    assert summary.keep_until == date(2033, 4, 5)  # finance pays it after erasure, in the 2026-27 year


def test_someone_with_no_money_lines_is_kept_only_until_the_day_of_erasure(sample, make_user):
    admin = make_user(Role.ADMIN)
    person = sample["person"]
    person.payee_ref = "SUP-9"
    pay(person, sample["group"], sample["meeting"], admin, date(2026, 5, 1), kind=RecognitionKind.THANKS)
    db.session.commit()
    summary = erasure.erase_person(person, today=date(2026, 11, 26))
    db.session.commit()
    assert summary.keep_until == date(2026, 11, 26) and not summary.payee_ref_kept
    assert db.session.get(Person, person.id).payee_ref == ""
    assert count_all(FinanceReturn) == 0


def test_nothing_new_can_be_recorded_for_an_erased_person(world):
    erasure.erase_person(world["person"], by=world["admin"])
    db.session.commit()
    before = count_all(RecognitionLine)
    with pytest.raises(rec.RecognitionError) as refused:
        pay(world["person"], world["group"], world["meeting"], world["admin"], date(2026, 8, 1))
    assert str(refused.value) == "This person's details have been erased, so nothing new can be recorded for them."
    db.session.rollback()
    assert count_all(RecognitionLine) == before
