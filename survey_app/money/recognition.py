"""The rules of recognising people's time: recording, holds, approval by someone else, returns,
corrections by reversal, and payment. Views call these; nothing here trusts a view to check."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..models import (
    Attendance,
    AttendanceStatus,
    ExpenseType,
    FinanceReturn,
    LineStatus,
    Meeting,
    PaymentBasis,
    PaymentRoute,
    Person,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    User,
)
from ..models.base import LONDON, utcnow
from ..privacy import records
from ..web.extensions import db
from . import paying

APPROVERS = (Role.FINANCE, Role.ADMIN)
MONEY_KINDS = (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER, RecognitionKind.EXPENSE)
MAX_LINE_PENCE = 999_999_999  # what one line's amount_pence column holds on PostgreSQL, with room to add


class RecognitionError(ValueError):
    """A rule was broken; str(error) is a sentence for the person."""


class RepeatLine(RecognitionError):
    """The person already has a line of this kind for this meeting: recorded only when asked again."""


REPEAT_MESSAGES = {
    RecognitionKind.PAYMENT: _l("%(name)s already has a payment for this meeting. Record another?"),
    RecognitionKind.VOUCHER: _l("%(name)s already has a voucher for this meeting. Record another?"),
    RecognitionKind.THANKS: _l("%(name)s already has a thanks line for this meeting. Record another?"),
    RecognitionKind.EXPENSE: _l("%(name)s already has an expenses line for this meeting. Record another?"),
}


def _standing():
    """Lines that still stand: not a reversal, and not reversed by a correction."""
    reversal = aliased(RecognitionLine)
    reversed_ = select(reversal.id).where(reversal.reverses_id == RecognitionLine.id).exists()
    return and_(RecognitionLine.reverses_id.is_(None), ~reversed_)


def has_line_like(person_id: int, meeting_id: int, kind: RecognitionKind) -> bool:
    """Whether the person already has a standing line of this kind for this meeting."""
    return db.session.scalar(select(RecognitionLine.id).where(
        RecognitionLine.person_id == person_id, RecognitionLine.meeting_id == meeting_id,
        RecognitionLine.kind == kind, _standing()).limit(1)) is not None


def recognised_at(meeting_id: int, person_ids) -> set[int]:
    """Which of these people have a standing recognition line for the meeting."""
    return set(db.session.scalars(select(RecognitionLine.person_id).where(
        RecognitionLine.meeting_id == meeting_id, RecognitionLine.person_id.in_(list(person_ids)), _standing())))


def repeat_message(person: Person, kind: RecognitionKind) -> str:
    return REPEAT_MESSAGES[kind] % {"name": person.display_name}


def tax_year_start(on: date) -> date:
    """UK tax years run from 6 April to 5 April."""
    start = date(on.year, 4, 6)
    return start if on >= start else date(on.year - 1, 4, 6)


def rate_for(group_id: int, on: date) -> Rate | None:
    return db.session.scalar(select(Rate).where(Rate.group_id == group_id, Rate.applies_from <= on)
                             .order_by(Rate.applies_from.desc()).limit(1))


def meeting_hours(meeting: Meeting) -> Decimal:
    """How long the meeting lasts in hours, to the hundredth: what "the usual" pays by the hour."""
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def pence_times(pence: int, hundredths: int) -> int:
    """pence x (hundredths / 100), rounded half up to the penny, exactly."""
    return int((Decimal(pence) * hundredths / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class LineInput:
    person: Person
    group_id: int
    activity_on: date
    kind: RecognitionKind
    meeting: Meeting | None = None
    activity: str = ""
    basis: PaymentBasis | None = None
    hours_hundredths: int | None = None
    amount_pence: int | None = None  # vouchers and expenses other than mileage
    miles_tenths: int | None = None
    expense_type: ExpenseType | None = None
    thanks_type: object = None
    voucher_provider: str = ""
    voucher_serial: str = ""
    voucher_handed_over_on: date | None = None
    voucher_signed_for: bool = False
    receipt_seen: bool = False
    description: str = ""
    cost_code: str = ""
    benefits_warning: str = ""  # the benefits check's warning when it was recorded (money/benefits.py)
    benefits_reason: str = ""   # and the organiser's reason to go ahead


def _priced(data: LineInput) -> dict:
    """Rate and amount for the line, from the group's rate on the day where one applies."""
    if data.kind == RecognitionKind.PAYMENT or data.expense_type == ExpenseType.MILEAGE:
        rate = rate_for(data.group_id, data.activity_on)
        if rate is None:
            raise RecognitionError(_l("No rate is set for this group on that date. Ask an admin to set one."))
        if data.kind == RecognitionKind.PAYMENT:
            if data.basis == PaymentBasis.HOURS:
                if not data.hours_hundredths or data.hours_hundredths <= 0:
                    raise RecognitionError(_l("Enter how many hours, like 2 or 2.5."))
                return {"rate_pence": rate.hourly_pence,
                        "amount_pence": pence_times(rate.hourly_pence, data.hours_hundredths)}
            fee = rate.half_day_pence if data.basis == PaymentBasis.HALF_DAY else rate.day_pence
            return {"rate_pence": fee, "amount_pence": fee}
        if not data.miles_tenths or data.miles_tenths <= 0:
            raise RecognitionError(_l("Enter how many miles, like 12 or 12.5."))
        return {"rate_pence": rate.mileage_pence,
                "amount_pence": pence_times(rate.mileage_pence, data.miles_tenths * 10)}
    if data.kind == RecognitionKind.THANKS:
        return {"rate_pence": None, "amount_pence": 0}
    if data.amount_pence is None or data.amount_pence <= 0:
        raise RecognitionError(_l("Enter an amount in pounds and pence, like 25 or 12.50."))
    return {"rate_pence": None, "amount_pence": data.amount_pence}


def amount_of(data: LineInput) -> int:
    """What the line would come to, in pence: raises RecognitionError as record() would."""
    return _priced(data)["amount_pence"]


def record(data: LineInput, by: User, repeat_ok: bool = True) -> RecognitionLine:
    """Record one line. Payments and vouchers are taxable; expenses are reimbursements and are not.
    With repeat_ok False, a second line of the same kind for the same person and meeting raises RepeatLine
    (the organiser's form asks first, so Back and Save never pays twice silently)."""
    if data.person.erased_at is not None:
        raise RecognitionError(_l("This person's details have been erased, so nothing new can be recorded for them."))
    priced = _priced(data)
    if not repeat_ok and data.meeting is not None and has_line_like(data.person.id, data.meeting.id, data.kind):
        raise RepeatLine(repeat_message(data.person, data.kind))
    if priced["amount_pence"] > MAX_LINE_PENCE:
        raise RecognitionError(_l("That comes to more than £9,999,999.99, which cannot be right. "
                                  "Check the hours, the miles and the group's rate."))
    ledger_code, vat_code = paying.codes_for(data.kind)  # kept by the line, as it keeps its rate
    line = RecognitionLine(
        person_id=data.person.id, group_id=data.group_id, meeting_id=data.meeting.id if data.meeting else None,
        activity=data.activity, activity_on=data.activity_on, kind=data.kind, basis=data.basis,
        hours_hundredths=data.hours_hundredths if data.basis == PaymentBasis.HOURS else None,
        miles_tenths=data.miles_tenths if data.expense_type == ExpenseType.MILEAGE else None,
        taxable=data.kind in (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER),
        voucher_provider=data.voucher_provider, voucher_serial=data.voucher_serial,
        voucher_handed_over_on=data.voucher_handed_over_on, voucher_signed_for=data.voucher_signed_for,
        thanks_type=data.thanks_type, expense_type=data.expense_type, receipt_seen=data.receipt_seen,
        description=data.description, cost_code=data.cost_code or (data.meeting.cost_code if data.meeting else ""),
        ledger_code=ledger_code, vat_code=vat_code,
        benefits_warning=data.benefits_warning, benefits_reason=data.benefits_reason,
        status=LineStatus.RECORDED, recorded_by_id=by.id, recorded_at=utcnow(), **priced)
    return records.created(line, by=by)


def hold_reasons(line: RecognitionLine) -> list:
    """Why a money line cannot go forward yet, in words finance and organisers understand."""
    if not line.money or line.status not in (LineStatus.RECORDED, LineStatus.APPROVED):
        return []
    reasons = []
    person = line.person
    if line.kind in (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER) and person.benefits_check \
            and person.benefits_talked_on is None:
        reasons.append(_l("They asked us to talk to them about benefits before paying them. "
                          "Record that conversation on their page."))
    if not person.payee_ref:
        reasons.append(_l("No payee reference yet. Finance adds it on the payees page."))
    if paying.route_holds(person, line.kind):
        reasons.append(paying.EXPENSES_ONLY_HOLD)
    return reasons


def benefits_hold(line: RecognitionLine) -> bool:
    person = line.person
    return (line.kind in (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER) and person.benefits_check
            and person.benefits_talked_on is None)


def approve(lines: list[RecognitionLine], by: User) -> tuple[int, list[tuple[RecognitionLine, object]]]:
    """Approve recorded money lines. Never the recorder's own; never while a benefits hold stands."""
    if by.role not in APPROVERS:
        raise RecognitionError(_l("Only finance can approve recognition."))
    approved, refused = 0, []
    for line in lines:
        if line.recorded_by_id == by.id:
            refused.append((line, _l("You recorded this line, so someone else must approve it.")))
        elif not line.money:
            refused.append((line, _l("Thanks lines have no money to approve.")))
        elif line.status != LineStatus.RECORDED:
            refused.append((line, _l("This line is already approved.")))
        elif benefits_hold(line):
            refused.append((line, _l("On hold until someone talks to them about benefits.")))
        else:
            # The WHERE on status makes two finance users approving at once harmless: the one that finds
            # the line approved already changes nothing, so writes no event.
            with records.changed(line, by=by, event="approve"):
                done = db.session.execute(update(RecognitionLine).where(
                    RecognitionLine.id == line.id, RecognitionLine.status == LineStatus.RECORDED)
                    .values(status=LineStatus.APPROVED, approved_by_id=by.id, approved_at=utcnow())
                    .execution_options(synchronize_session="fetch")).rowcount
            if done:
                approved += 1
    return approved, refused


def ready_for_return(period_to: date | None = None, cost_code: str = ""):
    """Approved money lines not yet in a return whose person has a payee reference."""
    query = (select(RecognitionLine.id).join(Person, Person.id == RecognitionLine.person_id)
             .where(RecognitionLine.status == LineStatus.APPROVED, RecognitionLine.return_id.is_(None),
                    RecognitionLine.kind.in_(MONEY_KINDS), Person.payee_ref != "", _not_route_held()))
    if period_to:
        query = query.where(RecognitionLine.activity_on <= period_to)
    if cost_code:
        query = query.where(RecognitionLine.cost_code == cost_code)
    return query


def _route_held():
    return and_(Person.payment_route == PaymentRoute.EXPENSES_ONLY, RecognitionLine.kind.in_(paying.ROUTE_HELD_KINDS))


def _not_route_held():
    # spelt out rather than ~_route_held(): NOT of a NULL route would leave out everyone with no route yet
    return or_(Person.payment_route.is_(None), Person.payment_route != PaymentRoute.EXPENSES_ONLY,
               RecognitionLine.kind.not_in(paying.ROUTE_HELD_KINDS))


def build_return(by: User, period_to: date | None = None, cost_code: str = "") -> FinanceReturn:
    """Make the next numbered return from the lines ready for one, and lock them. Two finance users
    building at once get two returns and no line in both: each line is claimed by a guarded UPDATE."""
    if by.role not in APPROVERS:
        raise RecognitionError(_l("Only finance can build a return."))
    candidates = db.session.scalars(ready_for_return(period_to, cost_code)).all()
    if not candidates:
        raise RecognitionError(_l("No approved lines are ready for a return."))
    for _attempt in range(5):
        number = (db.session.scalar(select(func.max(FinanceReturn.number))) or 0) + 1
        ret = FinanceReturn(number=number, made_by_id=by.id, made_at=utcnow(), period_to=period_to,
                            cost_code=cost_code)
        db.session.add(ret)
        try:
            db.session.flush()
            break
        except IntegrityError:
            db.session.rollback()
            candidates = db.session.scalars(ready_for_return(period_to, cost_code)).all()
    else:
        raise RecognitionError(_l("Another return was being made at the same moment. Please try again."))
    claimed = db.session.execute(update(RecognitionLine).where(
        RecognitionLine.id.in_(candidates), RecognitionLine.return_id.is_(None),
        RecognitionLine.status == LineStatus.APPROVED)
        .values(return_id=ret.id, status=LineStatus.IN_RETURN).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        raise RecognitionError(_l("No approved lines are ready for a return."))
    lines = db.session.scalars(select(RecognitionLine).join(Person, Person.id == RecognitionLine.person_id)
                               .where(RecognitionLine.return_id == ret.id)
                               .order_by(Person.last_name, Person.first_name, RecognitionLine.activity_on,
                                         RecognitionLine.id)).all()
    for number_in_return, line in enumerate(lines, start=1):
        line.line_number = number_in_return
    return records.created(ret, by=by, extra={"lines": len(lines)})


def check_unlocked(line: RecognitionLine) -> None:
    if line.locked:
        raise RecognitionError(_l("This line is in a finance return and is locked. Make a correction instead."))


def delete_line(line: RecognitionLine, by: User) -> None:
    """Only a line nobody has approved yet can be removed."""
    check_unlocked(line)
    if line.status != LineStatus.RECORDED:
        raise RecognitionError(_l("This line is approved. Ask finance before changing it."))
    records.delete(line, by=by)


def corrected(line: RecognitionLine) -> bool:
    return db.session.scalar(select(RecognitionLine.id).where(RecognitionLine.reverses_id == line.id)) is not None


def correct(line: RecognitionLine, new_amount_pence: int, reason: str, by: User) -> tuple:
    """Correct a locked line: a negative reversal of it and, unless the right amount is nothing, a new
    line with the right amount. Both go through approval and into a later return."""
    if not line.locked:
        raise RecognitionError(_l("Only a line in a finance return needs a correction."))
    if line.reverses_id is not None:
        raise RecognitionError(_l("A reversal cannot itself be corrected."))
    if corrected(line):
        raise RecognitionError(_l("This line has already been corrected."))
    copied = {c: getattr(line, c) for c in (
        "person_id", "group_id", "meeting_id", "activity", "activity_on", "kind", "basis", "hours_hundredths",
        "rate_pence", "miles_tenths", "taxable", "voucher_provider", "voucher_serial", "voucher_handed_over_on",
        "voucher_signed_for", "thanks_type", "expense_type", "receipt_seen", "cost_code", "ledger_code",
        "vat_code")}
    ret_number = line.finance_return.number
    reversal = RecognitionLine(**copied, amount_pence=-line.amount_pence, reverses_id=line.id,
                               description=f"Reversal of return {ret_number} line {line.line_number}: {reason}",
                               status=LineStatus.RECORDED, recorded_by_id=by.id, recorded_at=utcnow())
    records.created(reversal, by=by)
    replacement = None
    if new_amount_pence:
        replacement = RecognitionLine(**copied, amount_pence=new_amount_pence,
                                      description=f"Correction of return {ret_number} line {line.line_number}: "
                                                  f"{reason}",
                                      status=LineStatus.RECORDED, recorded_by_id=by.id, recorded_at=utcnow())
        records.created(replacement, by=by)
    return reversal, replacement


def attended_not_recognised(meeting_id: int) -> list[Person]:
    """People who came to the meeting and have no recognition line for it yet."""
    has_line = select(RecognitionLine.id).where(RecognitionLine.meeting_id == meeting_id,
                                                RecognitionLine.person_id == Person.id).exists()
    return db.session.scalars(
        select(Person).join(Attendance, and_(Attendance.person_id == Person.id, Attendance.meeting_id == meeting_id))
        .where(Attendance.status == AttendanceStatus.ATTENDED, ~has_line)
        .order_by(Person.last_name, Person.first_name)).all()


class Everyone(tuple):
    """What "record the usual for everyone" did: (lines made, names of those to record a voucher for one by
    one), `over_limit`: names of those a payment would take over a benefits limit, and `permitted_work`: people
    on ESA whose first payment this was (the caller queues their reminder)."""

    def __new__(cls, made: int, vouchers: list, over_limit: list, permitted_work: list):
        done = super().__new__(cls, (made, vouchers))
        done.over_limit = over_limit
        done.permitted_work = permitted_work  # people to remind about the ESA permitted-work form
        return done


def record_usual_for_everyone(meeting: Meeting, basis: PaymentBasis, hours_hundredths: int, by: User) -> Everyone:
    """The usual recognition, by their wishes and what they agreed about benefits, for everyone who came and
    has nothing recorded for the meeting. Someone who declined payment or agreed to expenses only gets thanks;
    a voucher, or a payment that would go over a benefits limit, is left to be recorded on their page.
    Never a second line for anyone: the meeting row is locked first, so two presses at once (two tabs, a
    double click) run one after the other and the second finds everyone recognised."""
    from ..models import RecognitionAgreement, RecognitionPreference, ThanksType
    from . import benefits

    db.session.execute(update(Meeting).where(Meeting.id == meeting.id).values(checklist_open=Meeting.checklist_open)
                       .execution_options(synchronize_session=False))
    day = meeting.starts_at.astimezone(LONDON).date()
    made, vouchers, over_limit, permitted_work = 0, [], [], []
    for person in attended_not_recognised(meeting.id):
        wish, agreed = person.recognition_preference, person.benefits_agreement
        declined = agreed in (RecognitionAgreement.DECLINE, RecognitionAgreement.EXPENSES_ONLY)
        if declined or wish in (RecognitionPreference.THANKS_ONLY.value, RecognitionPreference.NOTHING.value):
            thanks = (ThanksType.NONE_WANTED if wish == RecognitionPreference.NOTHING.value and not declined
                      else ThanksType.LETTER)
            record(LineInput(person=person, group_id=meeting.group_id, activity_on=day, meeting=meeting,
                             kind=RecognitionKind.THANKS, thanks_type=thanks), by, repeat_ok=False)
        elif wish == RecognitionPreference.VOUCHER.value or agreed == RecognitionAgreement.VOUCHER:
            vouchers.append(person.display_name)
            continue
        else:
            data = LineInput(person=person, group_id=meeting.group_id, activity_on=day, meeting=meeting,
                             kind=RecognitionKind.PAYMENT, basis=basis, hours_hundredths=hours_hundredths)
            try:
                _line, found = benefits.record_line(data, by, repeat_ok=False)
                if found.needs_permitted_work_form:
                    permitted_work.append(person)
            except benefits.NeedsReason:
                over_limit.append(person.display_name)
                continue
        made += 1
    return Everyone(made, vouchers, over_limit, permitted_work)


def lookalike_ids(lines: list[RecognitionLine]) -> set[int]:
    """Of these lines, the ones that look the same as another standing line (any status): same person, same
    meeting (or, outside meetings, the same day and activity), same kind and same amount."""
    person_ids = {line.person_id for line in lines}
    if not person_ids:
        return set()
    rows = db.session.execute(select(
        RecognitionLine.id, RecognitionLine.person_id, RecognitionLine.meeting_id, RecognitionLine.activity_on,
        RecognitionLine.activity, RecognitionLine.kind, RecognitionLine.amount_pence)
        .where(RecognitionLine.person_id.in_(person_ids), _standing())).all()

    def key(r):
        where = (r.meeting_id,) if r.meeting_id is not None else (None, r.activity_on, r.activity)
        return (r.person_id, *where, r.kind, r.amount_pence)

    seen: dict[tuple, int] = {}
    for row in rows:
        seen[key(row)] = seen.get(key(row), 0) + 1
    wanted = {line.id for line in lines}
    return {row.id for row in rows if row.id in wanted and seen[key(row)] > 1}


def totals_for(person_id: int, year_starting: date) -> dict[RecognitionKind, int]:
    """A person's money in one tax year, by kind (reversals included, so corrections net off; a line whose
    payment failed is left out, as its copy is paid again)."""
    year_end = date(year_starting.year + 1, 4, 5)
    rows = db.session.execute(
        select(RecognitionLine.kind, func.sum(RecognitionLine.amount_pence))
        .where(RecognitionLine.person_id == person_id, RecognitionLine.activity_on >= year_starting,
               RecognitionLine.activity_on <= year_end,
               RecognitionLine.status != LineStatus.PAYMENT_FAILED)  # its copy, paid again, counts instead
        .group_by(RecognitionLine.kind)).all()
    return {kind: int(total or 0) for kind, total in rows}


def record_benefits_conversation(person: Person, on: date, with_whom: str, by: User) -> None:
    with records.changed(person, by=by, always=True):
        person.benefits_talked_on, person.benefits_talked_by = on, with_whom


def set_payee_ref(person: Person, ref: str, by: User) -> None:
    with records.changed(person, by=by, always=True):
        person.payee_ref = ref


def lines_needing_approval():
    return (select(RecognitionLine).where(RecognitionLine.status == LineStatus.RECORDED,
                                          RecognitionLine.kind.in_(MONEY_KINDS))
            .order_by(RecognitionLine.activity_on, RecognitionLine.id))


def held_lines():
    """Money lines that cannot go forward: a benefits conversation is missing, no payee reference, or
    payments and vouchers for someone paid expenses only."""
    return (select(RecognitionLine).join(Person, Person.id == RecognitionLine.person_id)
            .where(RecognitionLine.kind.in_(MONEY_KINDS),
                   RecognitionLine.status.in_([LineStatus.RECORDED, LineStatus.APPROVED]),
                   or_(Person.payee_ref == "", _route_held(),
                       and_(Person.benefits_check.is_(True), Person.benefits_talked_on.is_(None),
                            RecognitionLine.kind.in_([RecognitionKind.PAYMENT, RecognitionKind.VOUCHER]))))
            .order_by(RecognitionLine.activity_on, RecognitionLine.id))
