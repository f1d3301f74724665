"""The finance return workbook: what finance needs to pay people for the time they gave, and no more.

The domain code fills the dataclasses below (the contract) from the database, as one `ReturnRows`;
`return_sheets` lays them out as five sheets and `write_return` renders them. Lines, payees, vouchers
and missing payees may be one-pass generators straight from a database cursor: each is read once, in
sheet order, and every total in the Lines, By payee, Vouchers and Payee set-up needed sheets is added
up while the rows stream past. The Summary is worked out from `totals`, which the database grouped.

Nothing here carries access needs, contact details, addresses or checklist answers, and no column
may be headed with any of `FORBIDDEN_HEADERS`.
"""
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, NamedTuple

from exports.workbook import Column, Heading, Note, Row, Sheet, Total, Typed, write_workbook

MONEY_KINDS = ("payment", "voucher", "expense")
KIND_LABELS = {"payment": "Payment", "voucher": "Voucher", "expense": "Expense", "thanks": "Thanks"}
KIND_PLURALS = {"payment": "Payments", "voucher": "Vouchers", "expense": "Expenses"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# Words no header in a finance return may contain (compared case-insensitively): finance pays for
# time given; it has no business with how to reach someone or what support they need.
FORBIDDEN_HEADERS = ("Email", "E-mail", "Phone", "Mobile", "Address", "Postcode", "Access needs", "Support",
                     "Date of birth", "National Insurance", "Bank", "Sort code", "Account number",
                     "Checklist", "Health", "Diagnosis")
EMPTY_MISSING_NOTE = "Everyone in this return has a payee reference."


@dataclass(frozen=True)
class ReturnHeader:
    number: int
    made_by: str            # staff name
    made_at: datetime       # aware UTC
    period_to: date | None  # "lines up to this date", or None
    cost_code: str          # "" when not filtered by cost code


@dataclass(frozen=True)
class ReturnLine:
    line_number: int
    payee_ref: str          # may be "" (then the person appears in "Payee set-up needed")
    name: str               # payee's name (or a pseudonymous label after erasure)
    activity: str           # meeting title, or the activity outside meetings
    activity_date: date
    kind: str               # "payment" | "voucher" | "expense" | "thanks"
    description: str
    hours: Decimal | None
    rate_pence: int | None
    amount_pence: int       # negative for a reversal line
    taxable: bool
    cost_code: str
    status: str             # e.g. "in return", "paid"
    recorded_by: str
    approved_by: str
    payment_ref: str = ""          # finance's reference for the payment, once paid
    paid_on: date | None = None
    payment_failure: str = ""      # why the payment failed ("" unless it did): a copy is paid in a later return
    mileage_taxable_pence: int = 0  # mileage above HMRC's approved rate: the taxable part


@dataclass(frozen=True)
class KindTotal:            # one per (kind, taxable, cost_code) group, computed by the database
    kind: str
    taxable: bool
    cost_code: str
    lines: int
    amount_pence: int


@dataclass(frozen=True)
class PayeeTotal:
    payee_ref: str
    name: str
    return_pence: int
    tax_year_pence: int     # UK tax year to date (6 April - 5 April), including this return
    over_trading_allowance: bool = False  # payments and vouchers this tax year past the trading allowance


@dataclass(frozen=True)
class VoucherEntry:
    line_number: int
    name: str
    payee_ref: str
    provider: str
    value_pence: int
    serial: str
    handed_over_on: date | None
    signed_for: bool


@dataclass(frozen=True)
class MissingPayee:
    name: str
    lines: int
    amount_pence: int


class ReturnRows(NamedTuple):
    """Everything one return holds, in the order `return_sheets` and `write_return` take it."""
    header: ReturnHeader
    totals: Sequence[KindTotal]
    lines: Iterable[ReturnLine]
    payees: Iterable[PayeeTotal]
    vouchers: Iterable[VoucherEntry]
    missing: Iterable[MissingPayee]


SUMMARY_COLUMNS = (Column("Item", width=34), Column("Value", width=26), Column("Amount", "money", width=16))
LINE_COLUMNS = (
    Column("Return", "number", width=9), Column("Line", "number", width=8),
    Column("Payee reference", width=16), Column("Name", width=28), Column("Meeting or activity", width=34),
    Column("Date", "date", width=12), Column("Kind", width=10), Column("Description", width=40),
    Column("Hours", "decimal", width=8), Column("Rate", "money", width=11), Column("Amount", "money", width=13),
    Column("Taxable", "yes_no", width=9), Column("Cost code", width=12), Column("Status", width=12),
    Column("Recorded by", width=22), Column("Approved by", width=22),
    Column("Payment reference", width=18), Column("Paid on", "date", width=12),
    Column("Payment failed", width=30), Column("Mileage above HMRC rate (taxable)", "money", width=18),
)
TRADING_ALLOWANCE_HEADER = "Over the £1,000 trading allowance this tax year"
PAYEE_COLUMNS = (Column("Payee reference", width=16), Column("Name", width=28),
                 Column("This return", "money", width=14), Column("Tax year to date", "money", width=16),
                 Column(TRADING_ALLOWANCE_HEADER, "yes_no", width=22))
VOUCHER_COLUMNS = (
    Column("Line", "number", width=8), Column("Name", width=28), Column("Payee reference", width=16),
    Column("Provider", width=22), Column("Value", "money", width=12), Column("Serial or code", width=22),
    Column("Date handed over", "date", width=16), Column("Signed for", "yes_no", width=11),
)
MISSING_COLUMNS = (Column("Name", width=28), Column("Lines", "number", width=8),
                   Column("Amount", "money", width=13))
ALL_COLUMNS = {"Summary": SUMMARY_COLUMNS, "Lines": LINE_COLUMNS, "By payee": PAYEE_COLUMNS,
               "Vouchers": VOUCHER_COLUMNS, "Payee set-up needed": MISSING_COLUMNS}


def forbidden_headers(headers: Iterable[str]) -> list[str]:
    """The headers that name something a finance return must not carry."""
    banned = [word.casefold() for word in FORBIDDEN_HEADERS]
    return [h for h in headers if any(word in h.casefold() for word in banned)]


_bad = forbidden_headers(c.header for columns in ALL_COLUMNS.values() for c in columns)
if _bad:  # pragma: no cover - a guard against a future column
    raise RuntimeError(f"finance return columns must not include {_bad}")


def return_sheets(header: ReturnHeader, totals: Sequence[KindTotal], lines: Iterable[ReturnLine],
                  payees: Iterable[PayeeTotal], vouchers: Iterable[VoucherEntry],
                  missing: Iterable[MissingPayee]) -> list[Sheet]:
    """The five sheets, in order; the row generators run only when the workbook is rendered."""
    return [
        Sheet("Summary", SUMMARY_COLUMNS, _summary_rows(header, totals), autofilter=False),
        Sheet("Lines", LINE_COLUMNS, _line_rows(header.number, lines)),
        Sheet("By payee", PAYEE_COLUMNS, _payee_rows(payees)),
        Sheet("Vouchers", VOUCHER_COLUMNS, _voucher_rows(vouchers)),
        Sheet("Payee set-up needed", MISSING_COLUMNS, _missing_rows(missing)),
    ]


def write_return(header: ReturnHeader, totals: Sequence[KindTotal], lines: Iterable[ReturnLine],
                 payees: Iterable[PayeeTotal], vouchers: Iterable[VoucherEntry],
                 missing: Iterable[MissingPayee], out: IO[bytes]) -> None:
    """Render the return as .xlsx into a binary stream; the same inputs give the same bytes."""
    write_workbook(return_sheets(header, totals, lines, payees, vouchers, missing), out,
                   created=header.made_at)


def period_text(period_to: date | None) -> str:
    if period_to is None:
        return "all approved lines"
    return f"up to {period_to.day} {MONTHS[period_to.month - 1]} {period_to.year}"


def _summary_rows(header: ReturnHeader, totals: Sequence[KindTotal]) -> Iterator:
    yield Row(("Return number", Typed(header.number, "number")))
    yield Row(("Made by", header.made_by))
    yield Row(("Made at", Typed(header.made_at, "datetime")))
    yield Row(("Period", period_text(header.period_to)))
    yield Row(("Cost code", header.cost_code or "all cost codes"))

    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_tax: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    by_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    grand = [0, 0]
    for group in totals:
        for bucket in (by_kind[group.kind], grand):
            bucket[0] += group.lines
            bucket[1] += group.amount_pence
        if group.kind != "thanks":  # thanks carry no money: counted on their own line only
            for bucket in (by_tax[group.taxable], by_code[group.cost_code]):
                bucket[0] += group.lines
                bucket[1] += group.amount_pence

    yield Row()
    yield Heading(("By kind", "Lines", "Amount"))
    for kind in MONEY_KINDS:
        count, amount = by_kind.get(kind, (0, 0))
        yield Row((KIND_PLURALS[kind], Typed(count, "number"), amount))
    for kind in sorted(k for k in by_kind if k not in MONEY_KINDS and k != "thanks"):  # a kind added later
        count, amount = by_kind[kind]
        yield Row((kind.capitalize(), Typed(count, "number"), amount))
    yield Row(("Thanks (no money)", Typed(by_kind.get("thanks", (0, 0))[0], "number"), None))

    yield Row()
    yield Heading(("Tax", "Lines", "Amount"))
    yield Row(("Taxable", Typed(by_tax[True][0], "number"), by_tax[True][1]))
    yield Row(("Not taxable", Typed(by_tax[False][0], "number"), by_tax[False][1]))

    yield Row()
    yield Heading(("By cost code", "Lines", "Amount"))
    for code in sorted(by_code):
        count, amount = by_code[code]
        yield Row((code or "(no cost code)", Typed(count, "number"), amount))

    yield Row()
    yield Total(("Grand total (all lines)", Typed(grand[0], "number"), grand[1]))


def _line_rows(number: int, lines: Iterable[ReturnLine]) -> Iterator:
    amount = 0
    for line in lines:
        amount += line.amount_pence
        yield (number, line.line_number, line.payee_ref, line.name, line.activity, line.activity_date,
               KIND_LABELS.get(line.kind, line.kind), line.description, line.hours, line.rate_pence,
               line.amount_pence, line.taxable, line.cost_code, line.status, line.recorded_by,
               line.approved_by, line.payment_ref, line.paid_on, line.payment_failure,
               line.mileage_taxable_pence or None)
    yield Row()
    yield Total(("Total",) + (None,) * 9 + (amount,))


def _payee_rows(payees: Iterable[PayeeTotal]) -> Iterator:
    this_return = tax_year = 0
    for payee in payees:
        this_return += payee.return_pence
        tax_year += payee.tax_year_pence
        yield (payee.payee_ref, payee.name, payee.return_pence, payee.tax_year_pence, payee.over_trading_allowance)
    yield Row()
    yield Total(("Total", None, this_return, tax_year))


def _voucher_rows(vouchers: Iterable[VoucherEntry]) -> Iterator:
    value = 0
    for voucher in vouchers:
        value += voucher.value_pence
        yield (voucher.line_number, voucher.name, voucher.payee_ref, voucher.provider, voucher.value_pence,
               voucher.serial, voucher.handed_over_on, voucher.signed_for)
    yield Row()
    yield Total(("Total", None, None, None, value))


def _missing_rows(missing: Iterable[MissingPayee]) -> Iterator:
    count = amount = 0
    seen = False
    for person in missing:
        seen = True
        count += person.lines
        amount += person.amount_pence
        yield (person.name, person.lines, person.amount_pence)
    if seen:
        yield Row()
        yield Total(("Total", count, amount))
    else:
        yield Note((EMPTY_MISSING_NOTE,))
