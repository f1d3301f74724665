"""What a group pays and what it may spend: rates from a date, a yearly budget per UK tax year, and
where that budget stands. Money is integer pence; the admin views call these."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..models import Budget, Group, LineStatus, Rate, RecognitionLine
from ..privacy import records
from ..web.extensions import db
from .recognition import MONEY_KINDS, RecognitionError, tax_year_start

COMMITTED = (LineStatus.RECORDED, LineStatus.APPROVED, LineStatus.IN_RETURN)


def tax_year_end(year_starting: date) -> date:
    """The last day of the tax year that starts on `year_starting` (5 April the next year)."""
    return date(tax_year_start(year_starting).year + 1, 4, 5)


def tax_years_around(today: date, before: int = 2, after: int = 1) -> list[date]:
    """Starts of the tax years an admin is likely to set a budget for, oldest first."""
    current = tax_year_start(today).year
    return [date(year, 4, 6) for year in range(current - before, current + after + 1)]


@dataclass(frozen=True)
class BudgetPosition:
    """A group's budget for one tax year against the money lines dated in it (reversals net off)."""

    year_starting: date
    budget_pence: int | None
    paid_pence: int = 0
    committed_pence: int = 0  # recorded, approved or in a return, not yet paid
    left_pence: int | None = field(init=False)

    def __post_init__(self):
        left = None if self.budget_pence is None else self.budget_pence - self.paid_pence - self.committed_pence
        object.__setattr__(self, "left_pence", left)

    @property
    def year_ending(self) -> date:
        return tax_year_end(self.year_starting)

    @property
    def over_budget(self) -> bool:
        return self.left_pence is not None and self.left_pence < 0


def _sums():
    """Paid and committed pence, as aggregate columns over RecognitionLine."""
    amount = RecognitionLine.amount_pence
    paid = func.coalesce(func.sum(case((RecognitionLine.status == LineStatus.PAID, amount), else_=0)), 0)
    committed = func.coalesce(func.sum(case((RecognitionLine.status.in_(COMMITTED), amount), else_=0)), 0)
    return paid.label("paid"), committed.label("committed")


def _in_year(year_starting: date):
    return and_(RecognitionLine.kind.in_(MONEY_KINDS), RecognitionLine.activity_on >= year_starting,
                RecognitionLine.activity_on <= tax_year_end(year_starting))


def budget_position(group_id: int, year_starting: date) -> BudgetPosition:
    """Where one group's budget stands for the tax year containing `year_starting`, in one query."""
    year_starting = tax_year_start(year_starting)
    budget = (select(Budget.amount_pence)
              .where(Budget.group_id == group_id, Budget.year_starting == year_starting).scalar_subquery())
    row = db.session.execute(
        select(budget.label("budget"), *_sums())
        .where(RecognitionLine.group_id == group_id, _in_year(year_starting))).one()
    return BudgetPosition(year_starting, row.budget, int(row.paid), int(row.committed))


def positions_for_year(year_starting: date) -> list[tuple[Group, BudgetPosition]]:
    """Every group, by name, with its budget position for the tax year: two queries, however many groups."""
    year_starting = tax_year_start(year_starting)
    groups = db.session.execute(
        select(Group, Budget.amount_pence)
        .outerjoin(Budget, and_(Budget.group_id == Group.id, Budget.year_starting == year_starting))
        .order_by(Group.name)).all()
    sums = {row.group_id: (int(row.paid), int(row.committed)) for row in db.session.execute(
        select(RecognitionLine.group_id, *_sums()).where(_in_year(year_starting))
        .group_by(RecognitionLine.group_id))}
    return [(group, BudgetPosition(year_starting, amount, *sums.get(group.id, (0, 0)))) for group, amount in groups]


def budget_amount(group_id: int, year_starting: date) -> int | None:
    """The budget set for the group in that tax year, if any."""
    return db.session.scalar(select(Budget.amount_pence).where(
        Budget.group_id == group_id, Budget.year_starting == tax_year_start(year_starting)))


def set_budget(group_id: int, year_starting: date, amount_pence: int) -> tuple[Budget, bool]:
    """Create the group's budget for the tax year, or change the one already set. Returns (budget, created)."""
    if amount_pence < 0:
        raise RecognitionError(_l("A budget cannot be less than nothing."))
    year_starting = tax_year_start(year_starting)
    budget = db.session.scalar(select(Budget).where(Budget.group_id == group_id,
                                                    Budget.year_starting == year_starting))
    if budget is None:
        budget = Budget(group_id=group_id, year_starting=year_starting, amount_pence=amount_pence)
        db.session.add(budget)
        _flush_or_refuse(_l("Someone else set this budget at the same moment. Check it and try again."))
        records.created(budget)
        return budget, True
    records.update(budget, amount_pence=amount_pence)
    return budget, False


def add_rate(group_id: int, applies_from: date, *, hourly_pence: int, half_day_pence: int, day_pence: int,
             mileage_pence: int) -> Rate:
    """Add a group's rates from a date. Rates are never changed afterwards: a line keeps the rate it was
    made with, and a rate from a later date takes over from that date."""
    amounts = (hourly_pence, half_day_pence, day_pence, mileage_pence)
    if any(amount is None or amount < 0 for amount in amounts):
        raise RecognitionError(_l("Rates cannot be less than nothing."))
    duplicate = _l("There is already a rate for this group from that date.")
    if db.session.scalar(select(Rate.id).where(Rate.group_id == group_id, Rate.applies_from == applies_from)):
        raise RecognitionError(duplicate)
    rate = Rate(group_id=group_id, applies_from=applies_from, hourly_pence=hourly_pence,
                half_day_pence=half_day_pence, day_pence=day_pence, mileage_pence=mileage_pence)
    db.session.add(rate)
    _flush_or_refuse(duplicate)
    records.created(rate)
    return rate


def _flush_or_refuse(message) -> None:
    # The unique constraint settles a race between two admins; the loser's session is rolled back.
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RecognitionError(message) from None


def rates_by_group(today: date) -> list[tuple[Group, list[tuple[Rate, str]]]]:
    """Each group's rates, newest first, with whether each is in use now, starts later, or was replaced."""
    rates = db.session.scalars(select(Rate).join(Group, Group.id == Rate.group_id).options(contains_eager(Rate.group))
                               .order_by(Group.name, Group.id, Rate.applies_from.desc())).all()
    groups: dict[int, tuple[Group, list]] = {}
    for rate in rates:
        group, rows = groups.setdefault(rate.group_id, (rate.group, []))
        current_taken = any(state == "current" for _, state in rows)
        if rate.applies_from > today:
            state = "future"
        elif not current_taken:
            state = "current"
        else:
            state = "replaced"
        rows.append((rate, state))
    return list(groups.values())
