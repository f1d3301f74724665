"""Benefits-aware recognition: the earnings limits an admin keeps (added, never edited), what a person told
us about their benefits (only with their consent), and the check made before a payment or voucher is
recorded. The check reads the person's lines in one aggregate query, whatever their history."""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from ..models import (
    BenefitKind,
    BenefitLimit,
    LimitPeriod,
    LineStatus,
    Person,
    PersonBenefit,
    RecognitionAgreement,
    RecognitionKind,
    RecognitionLine,
    User,
)
from ..models.base import utcnow
from ..privacy import audit, records
from ..web.extensions import db
from ..web.formatting import local_date, pence
from .recognition import LineInput, RecognitionError, amount_of, record

EARNINGS_KINDS = (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER)  # expenses and thanks never count
# A pound over these limits can stop the whole benefit for the period; over the others, the benefit is cut.
CLIFF_EDGE = (BenefitKind.ESA, BenefitKind.CARERS_ALLOWANCE)
MAX_LIMIT_PENCE = 99_999_999


class BenefitsError(RecognitionError):
    """A rule about benefits was broken; str(error) is a sentence for the person."""


class NeedsReason(BenefitsError):
    """The line would go over a benefits limit and no reason to go ahead was given: `check` says why."""

    def __init__(self, found: "Check"):
        super().__init__(found.warning)
        self.check = found


# ---- periods -------------------------------------------------------------------------------------------------

def week_of(on: date) -> tuple[date, date]:
    """Monday to Sunday containing the day."""
    start = on - timedelta(days=on.weekday())
    return start, start + timedelta(days=6)


def _on_day(year: int, month: int, day: int) -> date:
    """The day in that month, or the month's last day when it is shorter (an assessment day of 31 in June)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def assessment_month_of(on: date, assessment_day: int | None) -> tuple[date, date]:
    """The Universal Credit assessment period containing the day: from the assessment day (1 when not known,
    clamped to the month's length) to the day before the next one."""
    day = assessment_day if assessment_day and 1 <= assessment_day <= 31 else 1
    start = _on_day(on.year, on.month, day)
    if on < start:
        year, month = (on.year - 1, 12) if on.month == 1 else (on.year, on.month - 1)
        start = _on_day(year, month, day)
    following = _on_day(*_next_month(start.year, start.month), day)
    return start, following - timedelta(days=1)


def period_of(period: LimitPeriod, on: date, assessment_day: int | None) -> tuple[date, date]:
    return week_of(on) if period == LimitPeriod.WEEK else assessment_month_of(on, assessment_day)


# ---- limits --------------------------------------------------------------------------------------------------

def limits_in_force(limits, on: date) -> list[BenefitLimit]:
    """Of these limits, the one applying on the day for each (benefit, name): the latest applies_from <= on."""
    latest: dict[tuple, BenefitLimit] = {}
    for limit in limits:
        key = (limit.benefit, limit.name)
        if limit.applies_from <= on and (key not in latest or limit.applies_from > latest[key].applies_from):
            latest[key] = limit
    return sorted(latest.values(), key=lambda lim: (list(BenefitKind).index(lim.benefit), lim.limit_pence, lim.name))


def all_limits() -> list[BenefitLimit]:
    return db.session.scalars(select(BenefitLimit).order_by(BenefitLimit.benefit, BenefitLimit.name,
                                                           BenefitLimit.applies_from.desc())).all()


def last_april_6(today: date) -> date:
    start = date(today.year, 4, 6)
    return start if today >= start else date(today.year - 1, 4, 6)


def limits_out_of_date(limits, today: date) -> bool:
    """The newest figures are from before the latest 6 April (or there are none): they change each April.
    The DWP's year starts on the first Monday on or after 6 April, so a figure from up to six days before
    6 April is taken as this year's."""
    newest = max((limit.applies_from for limit in limits), default=None)
    return newest is None or newest < last_april_6(today) - timedelta(days=6)


@dataclass
class NewLimit:
    benefit: BenefitKind
    name: str
    period: LimitPeriod
    limit_pence: int
    applies_from: date
    source: str


def add_limit(data: NewLimit, by: User) -> BenefitLimit:
    """A limit is never edited: a newer one for the same benefit and name replaces it from its date."""
    if data.limit_pence is None or data.limit_pence <= 0 or data.limit_pence > MAX_LIMIT_PENCE:
        raise BenefitsError(_l("Enter the limit in pounds and pence, like 196 or 195.50."))
    taken = db.session.scalar(select(BenefitLimit.id).where(
        BenefitLimit.benefit == data.benefit, func.lower(BenefitLimit.name) == data.name.lower(),
        BenefitLimit.applies_from == data.applies_from))
    if taken is not None:
        raise BenefitsError(_l("There is already a limit with this name for this benefit from that date. "
                               "Choose another date."))
    same_name = db.session.scalar(select(BenefitLimit).where(
        BenefitLimit.benefit == data.benefit, func.lower(BenefitLimit.name) == data.name.lower()).limit(1))
    if same_name is not None and same_name.period != data.period:
        if same_name.period == LimitPeriod.WEEK:
            raise BenefitsError(_l("This limit is for a week. Choose a week, or give the new limit another name."))
        raise BenefitsError(_l("This limit is for an assessment month. Choose an assessment month, or give the new "
                               "limit another name."))
    name = same_name.name if same_name is not None else data.name  # one spelling, so newer replaces older
    return records.create(BenefitLimit, by=by, benefit=data.benefit, name=name, period=data.period,
                          limit_pence=data.limit_pence, applies_from=data.applies_from, source=data.source,
                          created_at=utcnow(), created_by_id=by.id)


def limit_names() -> dict[BenefitKind, list[str]]:
    """Each benefit's limit names, for choosing which of several applies to a person."""
    names: dict[BenefitKind, list[str]] = {}
    for benefit, name in db.session.execute(select(BenefitLimit.benefit, BenefitLimit.name).distinct()
                                            .order_by(BenefitLimit.benefit, BenefitLimit.name)):
        names.setdefault(benefit, []).append(name)
    return names


# ---- a person's benefits -------------------------------------------------------------------------------------

def benefits_of(person_id: int) -> list[PersonBenefit]:
    return db.session.scalars(select(PersonBenefit).where(PersonBenefit.person_id == person_id)
                              .order_by(PersonBenefit.id)).all()


def record_look(person: Person) -> None:
    """A look at what a person told us about their benefits is itself recorded, like a look at support needs."""
    audit.record("view-benefits", person, after={"page": "benefits"})


def set_consent(person: Person, agreed: bool, by: User) -> bool:
    """Their consent to us recording which benefits they get. Withdrawing it deletes what we recorded.
    Returns whether anything changed."""
    if agreed == (person.benefits_consent_at is not None):
        return False
    if agreed:
        return records.update(person, by=by, benefits_consent_at=utcnow())
    for row in benefits_of(person.id):
        records.delete(row, by=by)
    return records.update(person, by=by, benefits_consent_at=None, uc_assessment_day=None,
                          benefits_agreement=None, benefits_agreement_note="", permitted_work_form_on=None)


@dataclass
class BenefitsInput:
    """What the organiser recorded: each benefit they get with the limit name chosen ("" = check them all)."""
    benefits: dict[BenefitKind, str] = field(default_factory=dict)
    uc_assessment_day: int | None = None
    agreement: RecognitionAgreement | None = None
    agreement_note: str = ""
    permitted_work_form_on: date | None = None


def save_benefits(person: Person, data: BenefitsInput, by: User) -> bool:
    """Save what they told us; nothing without their consent. Returns whether anything changed."""
    if person.benefits_consent_at is None:
        raise BenefitsError(_l("They have not agreed we can record which benefits they get, so nothing was saved."))
    if data.uc_assessment_day is not None and not 1 <= data.uc_assessment_day <= 31:
        raise BenefitsError(_l("Enter the assessment day as a number from 1 to 31."))
    changed = False
    held = {row.benefit: row for row in benefits_of(person.id)}
    for benefit, row in held.items():
        if benefit not in data.benefits:
            records.delete(row, by=by)
            changed = True
        elif row.limit_name != data.benefits[benefit]:
            changed |= records.update(row, by=by, limit_name=data.benefits[benefit])
    for benefit, limit_name in data.benefits.items():
        if benefit not in held:
            records.create(PersonBenefit, by=by, person_id=person.id, benefit=benefit, limit_name=limit_name,
                           recorded_at=utcnow(), recorded_by_id=by.id)
            changed = True
    changed |= records.update(person, by=by, uc_assessment_day=data.uc_assessment_day,
                              benefits_agreement=data.agreement, benefits_agreement_note=data.agreement_note,
                              permitted_work_form_on=data.permitted_work_form_on)
    return changed


# ---- the check -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodTotal:
    limit: BenefitLimit
    start: date
    end: date
    total_pence: int

    @property
    def over(self) -> bool:
        return self.total_pence > self.limit.limit_pence


@dataclass
class Check:
    """What the check found for one new line: the warnings (sentences), and whether this is their first
    payment or voucher while they get ESA and no permitted-work form is recorded."""
    warnings: list[str]
    needs_permitted_work_form: bool = False

    @property
    def warning(self) -> str:
        return "\n".join(self.warnings)


def _applicable(person: Person, on: date) -> tuple[list[BenefitLimit], set[BenefitKind]]:
    """The limits in force on the day for the benefits this person gets (one query), and those benefits."""
    if person.benefits_consent_at is None:
        return [], set()
    rows = db.session.execute(
        select(PersonBenefit.benefit, PersonBenefit.limit_name, BenefitLimit)
        .outerjoin(BenefitLimit, and_(BenefitLimit.benefit == PersonBenefit.benefit, BenefitLimit.applies_from <= on))
        .where(PersonBenefit.person_id == person.id)).all()
    chosen = {benefit: limit_name for benefit, limit_name, _limit in rows}
    in_force = limits_in_force([limit for _b, _n, limit in rows if limit is not None], on)
    # A chosen limit name that no longer exists checks them all: the cautious default.
    names = {lim.benefit: set() for lim in in_force}
    for lim in in_force:
        names[lim.benefit].add(lim.name)
    applies = [lim for lim in in_force if not chosen.get(lim.benefit) or chosen[lim.benefit] not in names[lim.benefit]
               or chosen[lim.benefit] == lim.name]
    return applies, set(chosen)


def _counted():
    """Lines that count towards earnings: payments and vouchers (reversals too), but not a failed payment."""
    return and_(RecognitionLine.kind.in_(EARNINGS_KINDS), RecognitionLine.status != LineStatus.PAYMENT_FAILED)


def totals(person: Person, limits: list[BenefitLimit], on: date, ignore_line_id: int | None = None,
           extra_pence: int = 0) -> tuple[list[PeriodTotal], int]:
    """The person's earnings in each limit's period containing the day (all groups), plus extra_pence, and how
    many payment or voucher lines they have ever had: one query."""
    periods = {lim.period: period_of(lim.period, on, person.uc_assessment_day) for lim in limits}
    sums = [func.coalesce(func.sum(case((and_(_counted(), RecognitionLine.activity_on.between(start, end)),
                                         RecognitionLine.amount_pence), else_=0)), 0)
            for start, end in periods.values()]
    query = select(func.count(case((RecognitionLine.kind.in_(EARNINGS_KINDS), 1))), *sums) \
        .where(RecognitionLine.person_id == person.id)
    if ignore_line_id is not None:
        query = query.where(RecognitionLine.id != ignore_line_id)
    row = db.session.execute(query).one()
    by_period = dict(zip(periods, row[1:], strict=True))
    found = [PeriodTotal(lim, *periods[lim.period], int(by_period[lim.period]) + extra_pence) for lim in limits]
    return found, int(row[0])


def warning_text(person: Person, found: PeriodTotal) -> str:
    lim = found.limit
    values = {"name": person.display_name, "start": local_date(found.start, "EEEE d MMMM"),
              "total": pence(found.total_pence), "limit": lim.name, "amount": pence(lim.limit_pence),
              "benefit": str(lim.benefit.label)}
    cliff = lim.benefit in CLIFF_EDGE
    if lim.period == LimitPeriod.WEEK:
        if cliff:
            return _("This would take %(name)s's earnings for the week of %(start)s to %(total)s. That is over the "
                     "%(limit)s of %(amount)s a week, and going over could stop their %(benefit)s for that week.",
                     **values)
        return _("This would take %(name)s's earnings for the week of %(start)s to %(total)s. That is over the "
                 "%(limit)s of %(amount)s a week, and going over could reduce their %(benefit)s for that week.",
                 **values)
    if cliff:
        return _("This would take %(name)s's earnings for the assessment month from %(start)s to %(total)s. That "
                 "is over the %(limit)s of %(amount)s a month, and going over could stop their %(benefit)s for "
                 "that month.", **values)
    return _("This would take %(name)s's earnings for the assessment month from %(start)s to %(total)s. That is "
             "over the %(limit)s of %(amount)s a month, and going over could reduce their %(benefit)s for that "
             "month.", **values)


def check(person: Person, on: date, kind: RecognitionKind, amount_pence: int) -> Check:
    """Before a payment or voucher is recorded: would it take them over a limit of a benefit they get?
    At most two queries, whatever their history; none for expenses, thanks, or without their consent."""
    if kind not in EARNINGS_KINDS or person.benefits_consent_at is None:
        return Check([])
    limits, benefits = _applicable(person, on)
    if not limits and BenefitKind.ESA not in benefits:
        return Check([])
    found, earlier = totals(person, limits, on, extra_pence=amount_pence)
    warnings = [warning_text(person, item) for item in found if item.over]
    first_with_esa = BenefitKind.ESA in benefits and person.permitted_work_form_on is None and earlier == 0
    return Check(warnings, needs_permitted_work_form=first_with_esa)


def permitted_work_reminder(person: Person) -> str:
    return _("%(name)s gets ESA. Before their first payment they need to send the permitted work form (PW1) to "
             "the DWP. Record the date it was sent on their benefits page.", name=person.display_name)


def needs_permitted_work_form(person: Person, kind: RecognitionKind) -> bool:
    """Whether a payment or voucher now would be their first while on ESA with no permitted-work form
    recorded: one query."""
    if kind not in EARNINGS_KINDS or person.benefits_consent_at is None or person.permitted_work_form_on is not None:
        return False
    esa = select(PersonBenefit.id).where(PersonBenefit.person_id == person.id,
                                         PersonBenefit.benefit == BenefitKind.ESA).exists()
    earlier = select(RecognitionLine.id).where(RecognitionLine.person_id == person.id,
                                               RecognitionLine.kind.in_(EARNINGS_KINDS)).exists()
    return bool(db.session.scalar(select(and_(esa, ~earlier))))


def agreement_note(person: Person, kind: RecognitionKind) -> str:
    """What they agreed, for the payment and voucher forms, when it changes what is recorded."""
    agreed = person.benefits_agreement
    if kind not in EARNINGS_KINDS or agreed not in (RecognitionAgreement.TAKE_LESS, RecognitionAgreement.CHARITY):
        return ""
    if person.benefits_agreement_note:
        return _("They agreed: %(agreement)s. Note: %(note)s", agreement=agreed.label,
                 note=person.benefits_agreement_note)
    return _("They agreed: %(agreement)s.", agreement=agreed.label)


def refusal(person: Person, kind: RecognitionKind) -> str | None:
    """Why a payment or voucher may not be recorded for them: what they agreed."""
    if kind not in EARNINGS_KINDS:
        return None
    if person.benefits_agreement == RecognitionAgreement.DECLINE:
        return _("%(name)s declined payment. Record thanks instead.", name=person.display_name)
    if person.benefits_agreement == RecognitionAgreement.EXPENSES_ONLY:
        return _("%(name)s agreed to expenses only.", name=person.display_name)
    return None


def record_line(data: LineInput, by: User, reason: str = "", repeat_ok: bool = True):
    """Record a line after the benefits check: refused if they declined payment or agreed to expenses only;
    over a limit only with a reason (NeedsReason without one), the warning and reason kept on the line for
    finance. Returns (line, check): when check.needs_permitted_work_form, the caller queues the reminder
    (messages/triggers.permitted_work: messages sit above money)."""
    refused = refusal(data.person, data.kind)
    if refused:
        raise BenefitsError(refused)
    found = check(data.person, data.activity_on, data.kind, amount_of(data))
    if found.warnings and not reason:
        raise NeedsReason(found)
    data.benefits_warning = found.warning
    data.benefits_reason = reason if found.warnings else ""
    return record(data, by, repeat_ok=repeat_ok), found


# ---- totals per period ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodRow:
    start: date
    end: date
    total_pence: int
    limits: list  # (BenefitLimit, over: bool)


def recent_periods(person: Person, today: date, weeks: int = 8) -> tuple[list[PeriodRow], PeriodRow]:
    """The last `weeks` weeks (this one first) and the current assessment month, each with its earnings
    (payments and vouchers, all groups) and the limits in force then that apply to them: two queries."""
    this_week = week_of(today)[0]
    week_starts = [this_week - timedelta(weeks=n) for n in range(weeks)]
    month = assessment_month_of(today, person.uc_assessment_day)
    spans = [(start, start + timedelta(days=6)) for start in week_starts] + [month]
    sums = [func.coalesce(func.sum(case((RecognitionLine.activity_on.between(s, e), RecognitionLine.amount_pence),
                                        else_=0)), 0) for s, e in spans]
    row = db.session.execute(select(*sums).where(RecognitionLine.person_id == person.id, _counted())).one()
    limits: list[BenefitLimit] = []
    chosen: dict[BenefitKind, str] = {}
    if person.benefits_consent_at is not None:
        rows = db.session.execute(
            select(PersonBenefit.benefit, PersonBenefit.limit_name, BenefitLimit)
            .join(BenefitLimit, BenefitLimit.benefit == PersonBenefit.benefit)
            .where(PersonBenefit.person_id == person.id)).all()
        limits = [limit for _b, _n, limit in rows]
        chosen = {benefit: name for benefit, name, _limit in rows}

    def applying(start: date, period: LimitPeriod) -> list:
        in_force = [lim for lim in limits_in_force(limits, start) if lim.period == period]
        named = {lim.benefit for lim in in_force if chosen.get(lim.benefit) == lim.name}
        return [lim for lim in in_force if lim.benefit not in named or chosen[lim.benefit] == lim.name]

    made = [PeriodRow(s, e, int(total), [(lim, int(total) > lim.limit_pence) for lim in applying(s, period)])
            for (s, e), total, period in zip(spans, row, [LimitPeriod.WEEK] * weeks + [LimitPeriod.MONTH],
                                             strict=True)]
    return made[:weeks], made[weeks]
