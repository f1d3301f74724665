"""The import file finance loads into their own system: one row per payee (or per payee and code combination)
per return, laid out as finance's import layout says, as CSV or a one-sheet workbook.

The domain code fills `ImportRow`s from the database; `write_csv` and `write_xlsx` take them as a one-pass
generator and write them in constant memory. A column is a heading and a source: a field name (`FIELDS`) or
`FIXED` followed by the value every row carries. Dates are written as text in the layout's date format, in
both formats, so a sheet imports exactly as the CSV does. The same rows give the same bytes.
"""
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import IO, NamedTuple

from exports.workbook import Column, Sheet, write_workbook

FIXED = "fixed:"
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# strftime-like codes (what the layout stores) to how each writes a date; done by hand, not strftime, so that
# "%b" never depends on the machine's locale.
DATE_WRITERS: dict[str, Callable[[date], str]] = {
    "%d/%m/%Y": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "%Y-%m-%d": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "%d-%b-%Y": lambda d: f"{d.day:02d}-{MONTHS_SHORT[d.month - 1]}-{d.year:04d}",
    "%m/%d/%Y": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
}


class ImportRow(NamedTuple):
    """One row of the import file (a NamedTuple: built and read fast, one per payee and codes)."""
    claim_number: str       # per payee per return, e.g. "R12-0003"
    payee_ref: str          # supplier or payroll number
    payee_name: str
    payment_route: str      # "supplier" | "payroll" | "expenses_only" | ""
    ledger_code: str
    cost_code: str
    vat_code: str
    amount_pence: int       # reversals netted in; never 0 (zero rows are left out)
    return_number: int
    return_date: date
    period_to: date | None
    line_count: int
    description: str
    tax_year: str           # e.g. "2026/27"


DERIVED = ("amount",)  # worked out from a row: amount in pounds, two decimals
FIELDS = ImportRow._fields + DERIVED
DATE_FIELDS = ("return_date", "period_to")
NUMBER_FIELDS = ("amount_pence", "return_number", "line_count")


def pounds_text(pence: int) -> str:
    """Exact pounds with two decimals, e.g. -1250 -> "-12.50" (no float rounding)."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{pennies:02d}"


def pounds_number(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def _date_text(date_format: str) -> Callable:
    write = DATE_WRITERS[date_format]
    seen: dict = {None: ""}

    def text(day):  # a return's dates are few: each is written once
        try:
            return seen[day]
        except KeyError:
            seen[day] = result = write(day.date() if isinstance(day, datetime) else day)
            return result
    return text


def row_maker(columns: Sequence[tuple[str, str]], date_format: str,
              amount: Callable[[int], object] = pounds_text) -> Callable[[ImportRow], tuple]:
    """A function from an ImportRow to the layout's cells: one tuple concatenation and one itemgetter a row,
    the derived cells worked out only when a column uses them."""
    base = len(ImportRow._fields)
    sources = [source for _heading, source in columns]
    fixed = tuple(source[len(FIXED):] for source in sources if source.startswith(FIXED))
    dates = [f for f in DATE_FIELDS if f in sources]
    wants_amount = "amount" in sources
    extra_names = (["amount"] if wants_amount else []) + dates
    positions, fixed_at = [], base + len(extra_names)
    for source in sources:
        if source.startswith(FIXED):
            positions.append(fixed_at)
            fixed_at += 1
        elif source in extra_names:
            positions.append(base + extra_names.index(source))
        else:
            positions.append(ImportRow._fields.index(source))
    pick = itemgetter(*positions)
    if len(positions) == 1:
        pick = (lambda one: lambda values: (one(values),))(pick)
    date_text = _date_text(date_format)
    return_date_at = ImportRow._fields.index("return_date")
    period_to_at = ImportRow._fields.index("period_to")
    if not extra_names:
        return lambda row: pick(row + fixed)
    if extra_names == ["amount"]:
        return lambda row: pick(row + (amount(row.amount_pence),) + fixed)

    def make(row):
        extra = (amount(row.amount_pence),) if wants_amount else ()
        for name in dates:
            extra += (date_text(row[return_date_at if name == "return_date" else period_to_at]),)
        return pick(row + extra + fixed)
    return make


def cells(columns: Sequence[tuple[str, str]], date_format: str, rows: Iterable[ImportRow]) -> Iterator[tuple]:
    """The rows as the CSV writes them (text and whole numbers): also what a preview shows."""
    return map(row_maker(columns, date_format), rows)


def write_csv(columns: Sequence[tuple[str, str]], date_format: str, rows: Iterable[ImportRow],
              out: IO[bytes]) -> None:
    """UTF-8 without a byte-order mark (import tools read it as text; a BOM would join the first heading),
    CRLF line ends as RFC 4180 says, every cell exactly as the data holds it."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow([heading for heading, _source in columns])
        writer.writerows(cells(columns, date_format, rows))
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller


def _kind(source: str) -> str:
    if source == "amount":
        return "decimal"
    return "number" if source in NUMBER_FIELDS else "text"


def write_xlsx(columns: Sequence[tuple[str, str]], date_format: str, rows: Iterable[ImportRow], out: IO[bytes],
               created: datetime) -> None:
    """One sheet, "Import": the workbook's formula-safe text cells, the amount a number with two decimals,
    stamped with `created` so the same return gives the same bytes."""
    sheet_columns = [Column(heading, _kind(source), width=max(12, min(40, len(heading) + 4)))
                     for heading, source in columns]
    make = row_maker(columns, date_format, amount=pounds_number)
    write_workbook([Sheet("Import", sheet_columns, map(make, rows))], out, created=created)
