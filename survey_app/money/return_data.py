"""Turn a finance return in the database into the rows exports/finance_return.py renders (`return_rows`).
Lines are streamed in batches, so a 200,000-line return needs no more memory than a small one."""
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from exports.finance_return import (
    KindTotal,
    MissingPayee,
    PayeeTotal,
    ReturnHeader,
    ReturnLine,
    ReturnRows,
    VoucherEntry,
)

from ..models import FinanceReturn, LineStatus, Meeting, Person, RecognitionKind, RecognitionLine, User
from ..web.extensions import db
from .line_payments import hmrc_mileage_pence, taxable_mileage_pence, trading_allowance_pence
from .recognition import MONEY_KINDS, tax_year_start

BATCH = 2000


def header(ret: FinanceReturn) -> ReturnHeader:
    return ReturnHeader(number=ret.number, made_by=ret.made_by.name, made_at=ret.made_at, period_to=ret.period_to,
                        cost_code=ret.cost_code)


def totals(ret: FinanceReturn) -> list[KindTotal]:
    rows = db.session.execute(
        select(RecognitionLine.kind, RecognitionLine.taxable, RecognitionLine.cost_code, func.count(),
               func.sum(RecognitionLine.amount_pence))
        .where(RecognitionLine.return_id == ret.id)
        .group_by(RecognitionLine.kind, RecognitionLine.taxable, RecognitionLine.cost_code)
        .order_by(RecognitionLine.cost_code, RecognitionLine.kind)).all()
    return [KindTotal(kind=k.value, taxable=t, cost_code=c, lines=n, amount_pence=int(s or 0))
            for k, t, c, n, s in rows]


def lines(ret: FinanceReturn):
    recorder, approver = aliased(User), aliased(User)
    query = (select(RecognitionLine.line_number, Person.payee_ref, Person.first_name, Person.last_name,
                    Meeting.title, RecognitionLine.activity, RecognitionLine.activity_on, RecognitionLine.kind,
                    RecognitionLine.description, RecognitionLine.hours_hundredths, RecognitionLine.rate_pence,
                    RecognitionLine.amount_pence, RecognitionLine.taxable, RecognitionLine.cost_code,
                    RecognitionLine.status, recorder.name, approver.name, RecognitionLine.payment_ref,
                    RecognitionLine.line_paid_on, RecognitionLine.payment_failure, RecognitionLine.expense_type,
                    RecognitionLine.miles_tenths)
             .join(Person, Person.id == RecognitionLine.person_id)
             .outerjoin(Meeting, Meeting.id == RecognitionLine.meeting_id)
             .join(recorder, recorder.id == RecognitionLine.recorded_by_id)
             .outerjoin(approver, approver.id == RecognitionLine.approved_by_id)
             .where(RecognitionLine.return_id == ret.id).order_by(RecognitionLine.line_number)
             .execution_options(yield_per=BATCH))
    approved = hmrc_mileage_pence()
    for (number, ref, first, last, title, activity, on, kind, description, hours, rate, amount, taxable, code,
         status, recorded_by, approved_by, payment_ref, paid_on, failure, expense_type,
         miles) in db.session.execute(query):
        yield ReturnLine(line_number=number, payee_ref=ref, name=f"{first} {last}", activity=title or activity,
                         activity_date=on, kind=kind.value, description=description,
                         hours=Decimal(hours) / 100 if hours is not None else None, rate_pence=rate,
                         amount_pence=amount, taxable=taxable, cost_code=code, status=str(status.label),
                         recorded_by=recorded_by, approved_by=approved_by or "", payment_ref=payment_ref,
                         paid_on=paid_on, payment_failure=failure,
                         mileage_taxable_pence=taxable_mileage_pence(expense_type, rate, miles, approved))


def payees(ret: FinanceReturn):
    """Each person in the return: this return's total, and their tax year to date (lines in any return up to
    this one, less lines whose payment failed: their copies count instead), flagged when their payments and
    vouchers that year pass the trading allowance."""
    year = tax_year_start(ret.made_at.date())
    year_end = date(year.year + 1, 4, 5)
    in_return = (select(RecognitionLine.person_id, func.sum(RecognitionLine.amount_pence).label("total"))
                 .where(RecognitionLine.return_id == ret.id).group_by(RecognitionLine.person_id).subquery())
    taxable = case((RecognitionLine.kind.in_([RecognitionKind.PAYMENT, RecognitionKind.VOUCHER]),
                    RecognitionLine.amount_pence), else_=0)
    year_total = (select(RecognitionLine.person_id, func.sum(RecognitionLine.amount_pence).label("total"),
                         func.sum(taxable).label("taxable"))
                  .join(FinanceReturn, FinanceReturn.id == RecognitionLine.return_id)
                  .where(RecognitionLine.activity_on >= year, RecognitionLine.activity_on <= year_end,
                         FinanceReturn.number <= ret.number, RecognitionLine.status != LineStatus.PAYMENT_FAILED)
                  .group_by(RecognitionLine.person_id).subquery())
    allowance = trading_allowance_pence()
    rows = db.session.execute(
        select(Person.payee_ref, Person.first_name, Person.last_name, in_return.c.total, year_total.c.total,
               year_total.c.taxable)
        .join(in_return, in_return.c.person_id == Person.id)
        .outerjoin(year_total, year_total.c.person_id == Person.id)
        .order_by(Person.last_name, Person.first_name).execution_options(yield_per=BATCH))
    for ref, first, last, this_return, to_date, taxable_to_date in rows:
        yield PayeeTotal(payee_ref=ref, name=f"{first} {last}", return_pence=int(this_return or 0),
                         tax_year_pence=int(to_date or 0), over_trading_allowance=int(taxable_to_date or 0) > allowance)


def vouchers(ret: FinanceReturn):
    rows = db.session.execute(
        select(RecognitionLine.line_number, Person.first_name, Person.last_name, Person.payee_ref,
               RecognitionLine.voucher_provider, RecognitionLine.amount_pence, RecognitionLine.voucher_serial,
               RecognitionLine.voucher_handed_over_on, RecognitionLine.voucher_signed_for)
        .join(Person, Person.id == RecognitionLine.person_id)
        .where(RecognitionLine.return_id == ret.id, RecognitionLine.kind == RecognitionKind.VOUCHER)
        .order_by(RecognitionLine.line_number).execution_options(yield_per=BATCH))
    for number, first, last, ref, provider, value, serial, handed, signed in rows:
        yield VoucherEntry(line_number=number, name=f"{first} {last}", payee_ref=ref, provider=provider,
                           value_pence=value, serial=serial, handed_over_on=handed, signed_for=signed)


def missing_payees():
    """People with approved money lines left out of returns because they have no payee reference."""
    rows = db.session.execute(
        select(Person.first_name, Person.last_name, func.count(), func.sum(RecognitionLine.amount_pence))
        .join(RecognitionLine, RecognitionLine.person_id == Person.id)
        .where(Person.payee_ref == "", RecognitionLine.status == LineStatus.APPROVED,
               RecognitionLine.return_id.is_(None), RecognitionLine.kind.in_(MONEY_KINDS))
        .group_by(Person.id, Person.first_name, Person.last_name).order_by(Person.last_name)).all()
    return [MissingPayee(name=f"{first} {last}", lines=n, amount_pence=int(s or 0)) for first, last, n, s in rows]


def return_rows(ret: FinanceReturn) -> ReturnRows:
    """The whole return; its lines, payees and vouchers are read from the database as the workbook is written."""
    return ReturnRows(header(ret), totals(ret), lines(ret), payees(ret), vouchers(ret), missing_payees())


def filename_stem(ret: FinanceReturn) -> str:
    return f"finance-return-{ret.number}"


