"""Paying a finance return line by line (issue 17): finance records the payment reference and date from their
system, or that a payment failed and why. A failed line stays in its return as it was (the return keeps giving
the same lines) and a copy of it is approved at once for the next return. When every line is paid or failed,
the return is paid. Each call returns who was paid or failed, so the caller can queue their remittance
advice (messages/remittances.py). Also HMRC's approved mileage rate and the trading allowance."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..models import (
    BenefitKind,
    ExpenseType,
    FinanceReturn,
    LineStatus,
    Meeting,
    PersonBenefit,
    RecognitionLine,
    User,
)
from ..privacy import audit, records
from ..web.extensions import db
from .recognition import APPROVERS, RecognitionError, pence_times

HMRC_MILEAGE_PENCE = 45        # HMRC's approved mileage rate for cars, the first 10,000 miles
TRADING_ALLOWANCE_PENCE = 100_000  # £1,000 a tax year
# What a copy of a failed line keeps: everything about the work and the money, none of the paying.
COPIED = ("person_id", "group_id", "meeting_id", "activity", "activity_on", "kind", "basis", "hours_hundredths",
          "rate_pence", "miles_tenths", "amount_pence", "taxable", "voucher_provider", "voucher_serial",
          "voucher_handed_over_on", "voucher_signed_for", "thanks_type", "expense_type", "receipt_seen",
          "description", "cost_code", "ledger_code", "vat_code", "benefits_warning", "benefits_reason",
          "reverses_id", "recorded_by_id", "approved_by_id", "approved_at")


def hmrc_mileage_pence() -> int:
    return int(current_app.config.get("HMRC_MILEAGE_PENCE", HMRC_MILEAGE_PENCE))


def trading_allowance_pence() -> int:
    return int(current_app.config.get("TRADING_ALLOWANCE_PENCE", TRADING_ALLOWANCE_PENCE))


def taxable_mileage_pence(expense_type, rate_pence: int | None, miles_tenths: int | None,
                          approved_pence: int | None = None) -> int:
    """The part of a mileage line above HMRC's approved rate, which is taxable: (rate - approved) x miles."""
    if expense_type != ExpenseType.MILEAGE or rate_pence is None or not miles_tenths:
        return 0
    over = rate_pence - (hmrc_mileage_pence() if approved_pence is None else approved_pence)
    return pence_times(over, miles_tenths * 10) if over > 0 else 0


def _check(by: User) -> None:
    if by.role not in APPROVERS:
        raise RecognitionError(_l("Only finance can record payments."))


def _unpaid(ret: FinanceReturn, line_ids):
    """The return's lines not yet paid or failed; all of them when line_ids is None."""
    where = [RecognitionLine.return_id == ret.id, RecognitionLine.status == LineStatus.IN_RETURN]
    if line_ids is not None:
        where.append(RecognitionLine.id.in_(list(line_ids)))
    return where


@dataclass(frozen=True)
class Outcome:
    count: int            # lines paid or failed by this call
    people: frozenset     # their people's ids


def pay_lines(ret: FinanceReturn, line_ids, payment_ref: str, paid_on: date, by: User) -> Outcome:
    """Record these lines (every unpaid line when line_ids is None) as paid. A line already paid or failed
    is left alone, so a double press changes nothing the second time."""
    _check(by)
    done = db.session.execute(
        update(RecognitionLine).where(*_unpaid(ret, line_ids))
        .values(status=LineStatus.PAID, payment_ref=payment_ref, line_paid_on=paid_on)
        .returning(RecognitionLine.line_number, RecognitionLine.person_id)
        .execution_options(synchronize_session=False)).all()
    if done:
        db.session.expire_all()  # the bulk UPDATE went past the session's copies of these lines
        audit.record("pay-lines", ret, after={"lines": sorted(n for n, _p in done), "payment_ref": payment_ref,
                                              "paid_on": paid_on.isoformat()}, user=by)
        _settle(ret, by)
    return Outcome(len(done), frozenset(p for _n, p in done))


def fail_lines(ret: FinanceReturn, line_ids, why: str, failed_on: date, by: User) -> Outcome:
    """Record that paying these lines failed, and why; each gets an approved copy, outside any return, so it is
    paid in the next one (records.created: "pay-again"). A line already paid or failed is left alone."""
    _check(by)
    why = (why or "").strip()
    if not why:
        raise RecognitionError(_l("Say why the payment failed."))
    lines = db.session.scalars(select(RecognitionLine).where(*_unpaid(ret, line_ids))
                               .order_by(RecognitionLine.line_number)).all()
    people, count = set(), 0
    for line in lines:
        with records.changed(line, by=by, event="payment-failed"):
            claimed = db.session.execute(
                update(RecognitionLine).where(RecognitionLine.id == line.id,
                                              RecognitionLine.status == LineStatus.IN_RETURN)
                .values(status=LineStatus.PAYMENT_FAILED, payment_failed_on=failed_on, payment_failure=why)
                .execution_options(synchronize_session="fetch")).rowcount
        if not claimed:  # failed or paid by someone else at the same moment
            continue
        copy = RecognitionLine(**{name: getattr(line, name) for name in COPIED}, pays_again_id=line.id,
                               status=LineStatus.APPROVED)
        records.created(copy, by=by, event="pay-again")
        people.add(line.person_id)
        count += 1
    if count:
        _settle(ret, by)
    return Outcome(count, frozenset(people))


def mark_paid(ret: FinanceReturn, paid_on: date, by: User) -> Outcome:
    """"Mark as paid" for a whole return: every line not yet paid or failed is paid on that date."""
    _check(by)
    if ret.paid_on is not None:
        raise RecognitionError(_l("This return is already marked paid."))
    outcome = pay_lines(ret, None, "", paid_on, by)
    _settle(ret, by)
    return outcome


def _settle(ret: FinanceReturn, by: User) -> None:
    """When no line is left unpaid, the return is paid, on the latest date a line was paid or failed."""
    if ret.paid_on is not None:
        return
    left = db.session.scalar(select(RecognitionLine.id).where(*_unpaid(ret, None)).limit(1))
    if left is not None:
        return
    paid, failed = db.session.execute(select(func.max(RecognitionLine.line_paid_on),
                                             func.max(RecognitionLine.payment_failed_on))
                                      .where(RecognitionLine.return_id == ret.id)).one()
    latest = max(d for d in (paid, failed) if d is not None) if (paid or failed) else None
    if latest is None:
        return
    with records.changed(ret, by=by, event="paid"):
        ret.paid_on, ret.paid_by_id = latest, by.id


@dataclass(frozen=True)
class PaidLine:
    what: str             # the meeting's title, or the activity outside meetings
    kind: object          # RecognitionKind
    activity_on: date
    amount_pence: int
    paid_on: date


def paid_lines(ret: FinanceReturn, person_ids) -> dict[int, list[PaidLine]]:
    """Each person's paid lines in the return, by person id."""
    rows = db.session.execute(
        select(RecognitionLine.person_id, Meeting.title, RecognitionLine.activity, RecognitionLine.kind,
               RecognitionLine.activity_on, RecognitionLine.amount_pence, RecognitionLine.line_paid_on)
        .outerjoin(Meeting, Meeting.id == RecognitionLine.meeting_id)
        .where(RecognitionLine.return_id == ret.id, RecognitionLine.status == LineStatus.PAID,
               RecognitionLine.person_id.in_(list(person_ids)))
        .order_by(RecognitionLine.line_number))
    found = defaultdict(list)
    for person_id, title, activity, kind, on, amount, paid_on in rows:
        found[person_id].append(PaidLine(title or activity, kind, on, amount, paid_on))
    return found


def gets_esa(person_ids) -> set[int]:
    """Of these people, those who told us they get ESA: their remittance is an easy-read letter for their
    records, whatever their usual way of hearing from us (permitted work has to be evidenced)."""
    return set(db.session.scalars(select(PersonBenefit.person_id).where(
        PersonBenefit.person_id.in_(list(person_ids)), PersonBenefit.benefit == BenefitKind.ESA)))


def settled_people(ret: FinanceReturn, person_ids) -> set[int]:
    """Of these people, those with no line left unpaid in the return: ready for their remittance advice."""
    waiting = set(db.session.scalars(select(RecognitionLine.person_id).where(
        *_unpaid(ret, None), RecognitionLine.person_id.in_(list(person_ids)))))
    return set(person_ids) - waiting


def paid_again_in(line_ids) -> dict[int, int]:
    """For failed lines: the number of the return their copy went into, by the failed line's id."""
    ids = list(line_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(RecognitionLine.pays_again_id, FinanceReturn.number)
        .join(FinanceReturn, FinanceReturn.id == RecognitionLine.return_id)
        .where(RecognitionLine.pays_again_id.in_(ids))).all())
