"""The rules of recognition: pricing, who may approve, benefits holds, locked returns, corrections."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from survey_app.models import (
    AuditEvent,
    ExpenseType,
    FinanceReturn,
    LineStatus,
    PaymentBasis,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    ThanksType,
)
from survey_app.money import line_payments
from survey_app.money import recognition as rec
from survey_app.money.recognition import LineInput, RecognitionError
from survey_app.web.extensions import db


@pytest.fixture
def setup(sample, make_user):
    group, person = sample["group"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1550, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-0042"
    db.session.commit()
    return {"organiser": make_user(Role.ORGANISER), "finance": make_user(Role.FINANCE),
            "finance2": make_user(Role.FINANCE), "admin": make_user(Role.ADMIN), **sample}


def pay(s, by=None, **kw):
    data = LineInput(person=s["person"], group_id=s["group"].id, activity_on=date(2026, 5, 1),
                     kind=RecognitionKind.PAYMENT, meeting=s["meeting"], basis=PaymentBasis.HOURS,
                     hours_hundredths=250)
    for k, v in kw.items():
        setattr(data, k, v)
    line = rec.record(data, by or s["organiser"])
    db.session.commit()
    return line


def test_payments_are_priced_from_the_group_rate_exactly(setup):
    assert pay(setup).amount_pence == 3875 and pay(setup).rate_pence == 1550
    assert pay(setup, basis=PaymentBasis.HALF_DAY).amount_pence == 4000
    assert pay(setup, basis=PaymentBasis.DAY).amount_pence == 7500
    assert pay(setup, hours_hundredths=333).amount_pence == 5162  # 51.615 rounds half up
    miles = pay(setup, kind=RecognitionKind.EXPENSE, basis=None, expense_type=ExpenseType.MILEAGE,
                miles_tenths=125)
    assert (miles.amount_pence, miles.taxable) == (563, False)  # 12.5 miles x 45p = 562.5
    assert pay(setup).taxable is True


def test_a_line_keeps_the_rate_it_was_made_with(setup):
    first = pay(setup)
    db.session.add(Rate(group=setup["group"], applies_from=date(2026, 6, 1), hourly_pence=2000,
                        half_day_pence=5000, day_pence=9000, mileage_pence=50))
    db.session.commit()
    later = pay(setup, activity_on=date(2026, 6, 2))
    assert (first.rate_pence, later.rate_pence, later.amount_pence) == (1550, 2000, 5000)


def test_no_rate_no_payment(setup):
    with pytest.raises(RecognitionError, match="No rate is set for this group on that date"):
        pay(setup, activity_on=date(2019, 1, 1))


def test_vouchers_expenses_and_thanks(setup):
    voucher = pay(setup, kind=RecognitionKind.VOUCHER, basis=None, amount_pence=2500, voucher_provider="Love2Shop",
                  voucher_serial="L2S-991")
    fares = pay(setup, kind=RecognitionKind.EXPENSE, basis=None, expense_type=ExpenseType.FARES, amount_pence=640,
                receipt_seen=True)
    thanks = pay(setup, kind=RecognitionKind.THANKS, basis=None, thanks_type=ThanksType.CERTIFICATE)
    assert (voucher.taxable, fares.taxable, thanks.amount_pence, thanks.money) == (True, False, 0, False)
    with pytest.raises(RecognitionError, match="Enter an amount"):
        pay(setup, kind=RecognitionKind.EXPENSE, basis=None, expense_type=ExpenseType.OTHER, amount_pence=0)


def test_the_recorder_cannot_approve_their_own_line(setup):
    own = pay(setup, by=setup["finance"])
    approved, refused = rec.approve([own], setup["finance"])
    assert approved == 0 and str(refused[0][1]) == "You recorded this line, so someone else must approve it."
    assert own.status == LineStatus.RECORDED
    admin_own = pay(setup, by=setup["admin"])
    assert rec.approve([admin_own], setup["admin"])[0] == 0
    assert rec.approve([own, admin_own], setup["finance2"])[0] == 2


def test_organisers_cannot_approve(setup):
    with pytest.raises(RecognitionError, match="Only finance can approve"):
        rec.approve([pay(setup)], setup["organiser"])


def test_benefits_hold_blocks_approval_until_the_conversation(setup):
    setup["person"].benefits_check = True
    db.session.commit()
    line = pay(setup)
    assert [str(r) for r in rec.hold_reasons(line)] == [
        "They asked us to talk to them about benefits before paying them. Record that conversation on their page."]
    approved, refused = rec.approve([line], setup["finance"])
    assert approved == 0 and str(refused[0][1]) == "On hold until someone talks to them about benefits."
    rec.record_benefits_conversation(setup["person"], date(2026, 5, 2), "Sam at Halton Speak Out",
                                     setup["organiser"])
    assert rec.approve([line], setup["finance"])[0] == 1
    fares = pay(setup, kind=RecognitionKind.EXPENSE, basis=None, expense_type=ExpenseType.FARES, amount_pence=300)
    assert rec.hold_reasons(fares) == []  # expenses are repaid whatever the benefits position


def approved_lines(s, n, **kw):
    lines = [pay(s, **kw) for _ in range(n)]
    rec.approve(lines, s["finance"])
    db.session.commit()
    return lines


def test_a_return_locks_its_lines_and_numbers_them(setup):
    lines = approved_lines(setup, 3)
    ret = rec.build_return(setup["finance"])
    db.session.commit()
    assert ret.number == 1
    assert sorted(line.line_number for line in lines) == [1, 2, 3]
    assert all(line.status == LineStatus.IN_RETURN and line.locked for line in lines)
    with pytest.raises(RecognitionError, match="locked"):
        rec.delete_line(lines[0], setup["organiser"])
    with pytest.raises(RecognitionError, match="No approved lines are ready"):
        rec.build_return(setup["finance"])
    line_payments.mark_paid(ret, date(2026, 6, 30), setup["finance"])
    db.session.commit()
    assert {line.status for line in lines} == {LineStatus.PAID}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.record_type == "FinanceReturn",
                                                             AuditEvent.action == "paid")) == "paid"


def test_lines_without_a_payee_reference_wait(setup):
    setup["person"].payee_ref = ""
    db.session.commit()
    approved_lines(setup, 1)
    with pytest.raises(RecognitionError, match="No approved lines are ready"):
        rec.build_return(setup["finance"])


def test_a_correction_is_a_reversal_and_a_new_line_in_a_later_return(setup):
    line = approved_lines(setup, 1)[0]
    first = rec.build_return(setup["finance"])
    db.session.commit()
    reversal, replacement = rec.correct(line, 3000, "paid for 2 hours, not 2.5", setup["organiser"])
    db.session.commit()
    assert (reversal.amount_pence, replacement.amount_pence, reversal.reverses_id) == (-3875, 3000, line.id)
    assert line.amount_pence == 3875 and line.return_id == first.id  # the original is never edited
    rec.approve([reversal, replacement], setup["finance"])
    second = rec.build_return(setup["finance"])
    db.session.commit()
    assert (reversal.return_id, replacement.return_id) == (second.id, second.id)
    total = db.session.scalar(select(func.sum(RecognitionLine.amount_pence)))
    assert total == 3000
    with pytest.raises(RecognitionError, match="already been corrected"):
        rec.correct(line, 1000, "again", setup["organiser"])


def test_tax_year_runs_from_the_sixth_of_april(setup):
    assert rec.tax_year_start(date(2026, 4, 5)) == date(2025, 4, 6)
    assert rec.tax_year_start(date(2026, 4, 6)) == date(2026, 4, 6)
    pay(setup, activity_on=date(2026, 4, 5))
    pay(setup, activity_on=date(2026, 4, 6))
    totals = rec.totals_for(setup["person"].id, date(2026, 4, 6))
    assert totals == {RecognitionKind.PAYMENT: 3875}


def _build_in_thread(app, user_id, cost_code, barrier, results):
    with app.app_context():
        from survey_app.models import User

        user = db.session.get(User, user_id)
        barrier.wait()
        try:
            ret = rec.build_return(user, cost_code=cost_code)
            db.session.commit()
            results.append(ret.number)
        except RecognitionError as error:
            db.session.rollback()
            results.append(str(error))
        finally:
            db.session.remove()


@pytest.mark.parametrize("codes,expected_returns", [(("LD", "CARERS"), 2), (("", ""), 1)])
def test_two_finance_users_building_at_once_never_share_a_line(app, setup, codes, expected_returns):
    approved_lines(setup, 4, cost_code="LD")
    approved_lines(setup, 3, cost_code="CARERS")
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_build_in_thread,
                                args=(app, setup[u].id, code, barrier, results))
               for u, code in zip(("finance", "finance2"), codes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    numbers = [r for r in results if isinstance(r, int)]
    assert len(numbers) == expected_returns and len(set(numbers)) == len(numbers)
    assert all(r == "No approved lines are ready for a return." for r in results if isinstance(r, str))
    per_line = db.session.execute(select(RecognitionLine.id, RecognitionLine.return_id)).all()
    assert all(return_id is not None for _, return_id in per_line)  # every line in exactly one return
    assert db.session.scalar(select(func.count()).select_from(FinanceReturn)) == expected_returns


def test_a_repeat_of_the_same_kind_for_a_meeting_is_refused_unless_asked_again(setup):
    first = pay(setup)
    data = LineInput(person=setup["person"], group_id=setup["group"].id, activity_on=date(2026, 5, 1),
                     kind=RecognitionKind.PAYMENT, meeting=setup["meeting"], basis=PaymentBasis.DAY)
    with pytest.raises(rec.RepeatLine) as error:
        rec.record(data, setup["organiser"], repeat_ok=False)
    assert str(error.value) == "Dorota Nowak already has a payment for this meeting. Record another?"
    data.kind, data.basis, data.thanks_type = RecognitionKind.THANKS, None, ThanksType.LETTER
    rec.record(data, setup["organiser"], repeat_ok=False)  # another kind is fine
    # A line corrected to nothing no longer stands, so a new payment is not a repeat.
    rec.approve([first], setup["finance"])
    rec.build_return(setup["finance"])
    db.session.commit()
    rec.correct(first, 0, "recorded for the wrong person", setup["organiser"])
    db.session.commit()
    assert not rec.has_line_like(setup["person"].id, setup["meeting"].id, RecognitionKind.PAYMENT)


def test_lines_that_look_the_same_are_flagged_but_a_reversal_pair_is_not(setup):
    a, b, other = pay(setup), pay(setup), pay(setup, hours_hundredths=300)
    assert rec.lookalike_ids([a, b, other]) == {a.id, b.id}
    rec.approve([a], setup["finance"])
    rec.build_return(setup["finance"])
    db.session.commit()
    reversal, _none = rec.correct(a, 0, "paid twice", setup["organiser"])
    db.session.commit()
    assert rec.lookalike_ids([b, other, reversal]) == set()


def _usual_in_thread(app, meeting_id, user_id, barrier, results):
    from survey_app.models import Meeting, User

    with app.app_context():
        try:
            user, meeting = db.session.get(User, user_id), db.session.get(Meeting, meeting_id)
            barrier.wait()
            made, _skipped = rec.record_usual_for_everyone(meeting, PaymentBasis.HALF_DAY, 200, user)
            db.session.commit()
            results.append(made)
        finally:
            db.session.remove()


def test_record_the_usual_pressed_twice_at_once_pays_once(app, setup):
    from survey_app.models import Attendance, AttendanceStatus

    db.session.add(Attendance(meeting_id=setup["meeting"].id, person_id=setup["person"].id,
                              status=AttendanceStatus.ATTENDED))
    db.session.commit()
    meeting_id, user_id = setup["meeting"].id, setup["organiser"].id
    db.session.remove()
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_usual_in_thread, args=(app, meeting_id, user_id, barrier, results))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert db.session.scalar(select(func.count()).select_from(RecognitionLine)) == 1


def test_record_the_usual_follows_each_persons_wish(setup):
    from survey_app.models import (
        Attendance,
        AttendanceStatus,
        ContactMethod,
        InformationFormat,
        Person,
        PersonRole,
        RecognitionPreference,
    )

    meeting = setup["meeting"]
    wishes = {None: "Ann", RecognitionPreference.PAID: "Bea", RecognitionPreference.THANKS_ONLY: "Cal",
              RecognitionPreference.NOTHING: "Dee", RecognitionPreference.VOUCHER: "Eve"}
    people = {}
    for wish, name in wishes.items():
        person = Person(first_name=name, last_name="Test", contact_method=ContactMethod.PHONE,
                        information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE,
                        recognition_preference=wish.value if wish else None)
        person.refresh_search_name()
        db.session.add(person)
        db.session.flush()
        db.session.add(Attendance(meeting_id=meeting.id, person_id=person.id, status=AttendanceStatus.ATTENDED))
        people[name] = person
    db.session.commit()
    assert rec.meeting_hours(meeting) == 2  # the sample meeting runs 10:00 to 12:00

    made, skipped = rec.record_usual_for_everyone(meeting, PaymentBasis.HOURS, 200, setup["organiser"])
    db.session.commit()
    assert (made, skipped) == (4, ["Eve Test"])
    lines = {line.person.first_name: line for line in db.session.scalars(
        select(RecognitionLine).where(RecognitionLine.meeting_id == meeting.id))}
    assert sorted(lines) == ["Ann", "Bea", "Cal", "Dee"]
    assert [(lines[n].kind, lines[n].amount_pence) for n in ("Ann", "Bea")] == [(RecognitionKind.PAYMENT, 3100)] * 2
    assert (lines["Cal"].kind, lines["Cal"].thanks_type) == (RecognitionKind.THANKS, ThanksType.LETTER)
    assert (lines["Dee"].kind, lines["Dee"].thanks_type) == (RecognitionKind.THANKS, ThanksType.NONE_WANTED)
    assert rec.record_usual_for_everyone(meeting, PaymentBasis.HOURS, 200, setup["organiser"]) == (0, ["Eve Test"])
