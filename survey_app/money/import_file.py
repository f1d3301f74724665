"""The import file (issue 17): finance's layout (fields, headings, fixed values, date format, CSV or a sheet)
and a return's rows for it, one per payee, or per payee and codes when their lines carry different codes.
Thanks lines and rows that net to nothing are left out; reversals net in. Rows stream from the database."""
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from exports.import_file import FIXED, ImportRow, cells, write_csv, write_xlsx

from ..models import FinanceReturn, ImportLayout, Person, RecognitionKind, RecognitionLine, User
from ..models.base import LONDON, utcnow
from ..privacy import records
from ..web.extensions import db
from .recognition import tax_year_start

BATCH = 2000
LAYOUT_ID = 1
MAX_COLUMNS = 20
FILE_FORMATS = {"csv": _l("CSV (comma-separated values)"), "xlsx": _l("Excel sheet (.xlsx)")}
# The codes the layout stores, each shown as 31 December 2026 written that way.
DATE_FORMATS = {"%d/%m/%Y": "31/12/2026", "%Y-%m-%d": "2026-12-31", "%d-%b-%Y": "31-Dec-2026",
                "%m/%d/%Y": "12/31/2026"}
FIELDS = {
    "claim_number": _l("Claim number (one per payee per return, like R12-0003)"),
    "payee_ref": _l("Supplier or payroll number"),
    "payee_name": _l("Payee's name"),
    "payment_route": _l("Payment route"),
    "ledger_code": _l("Ledger code"),
    "cost_code": _l("Cost code"),
    "vat_code": _l("VAT code"),
    "amount": _l("Amount in pounds, like 12.50"),
    "amount_pence": _l("Amount in pence, like 1250"),
    "return_number": _l("Return number"),
    "return_date": _l("Date the return was made"),
    "period_to": _l("Lines up to (the return's period)"),
    "line_count": _l("Number of lines"),
    "description": _l("Description"),
    "tax_year": _l("Tax year, like 2026/27"),
}
# The same as migration 0015's DEFAULT_COLUMNS: what the file looks like before finance changes it.
DEFAULT_COLUMNS = (
    ("Claim number", "claim_number"), ("Supplier or payroll number", "payee_ref"), ("Payee", "payee_name"),
    ("Ledger code", "ledger_code"), ("Cost code", "cost_code"), ("VAT code", "vat_code"), ("Amount", "amount"),
    ("Date", "return_date"), ("Description", "description"),
)


@dataclass(frozen=True)
class Layout:
    file_format: str = "csv"
    date_format: str = "%d/%m/%Y"
    columns: tuple[tuple[str, str], ...] = DEFAULT_COLUMNS  # (heading, field name or "fixed:" + value)

    @property
    def extension(self) -> str:
        return self.file_format


DEFAULT_LAYOUT = Layout()


def fixed(value: str) -> str:
    return FIXED + value


def current_layout() -> Layout:
    row = db.session.get(ImportLayout, LAYOUT_ID)
    if row is None or not row.columns:
        return DEFAULT_LAYOUT
    return Layout(file_format=row.file_format, date_format=row.date_format,
                  columns=tuple((c["heading"], c["source"]) for c in row.columns))


def save_layout(layout: Layout, by: User) -> bool:
    """Store the one layout, audited; returns whether anything changed (the same layout again writes nothing)."""
    columns = [{"heading": heading, "source": source} for heading, source in layout.columns]
    row = db.session.get(ImportLayout, LAYOUT_ID)
    if row is None:
        records.create(ImportLayout, by=by, id=LAYOUT_ID, file_format=layout.file_format,
                       date_format=layout.date_format, columns=columns, updated_at=utcnow(), updated_by_id=by.id)
        return True
    if (row.file_format, row.date_format, row.columns) == (layout.file_format, layout.date_format, columns):
        return False
    return records.update(row, by=by, file_format=layout.file_format, date_format=layout.date_format,
                          columns=columns, updated_at=utcnow(), updated_by_id=by.id)


def tax_year_text(ret: FinanceReturn) -> str:
    start = tax_year_start(ret.made_at.astimezone(LONDON).date())
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def import_rows(ret: FinanceReturn) -> Iterator[ImportRow]:
    """The return's rows, grouped and summed by the database, in a fixed order (the same file every time)."""
    amount = func.sum(RecognitionLine.amount_pence)
    query = (select(Person.id, Person.payee_ref, Person.first_name, Person.last_name, Person.payment_route,
                    RecognitionLine.ledger_code, RecognitionLine.cost_code, RecognitionLine.vat_code, amount,
                    func.count())
             .join(Person, Person.id == RecognitionLine.person_id)
             .where(RecognitionLine.return_id == ret.id, RecognitionLine.kind != RecognitionKind.THANKS)
             .group_by(Person.id, Person.payee_ref, Person.first_name, Person.last_name, Person.payment_route,
                       RecognitionLine.ledger_code, RecognitionLine.cost_code, RecognitionLine.vat_code)
             .having(amount != 0)
             .order_by(Person.last_name, Person.first_name, Person.id, RecognitionLine.ledger_code,
                       RecognitionLine.cost_code, RecognitionLine.vat_code)
             .execution_options(yield_per=BATCH))
    number, made_on, period_to, year = ret.number, ret.made_at.astimezone(LONDON).date(), ret.period_to, \
        tax_year_text(ret)
    description = f"Co-production recognition, return {number}"  # English, like the Excel return
    payee, last_person = 0, None
    for person_id, ref, first, last, route, ledger, cost, vat, pence, count in db.session.execute(query):
        if person_id != last_person:
            payee, last_person = payee + 1, person_id
        yield ImportRow(f"R{number}-{payee:04d}", ref, f"{first} {last}", route.value if route else "", ledger,
                        cost, vat, int(pence), number, made_on, period_to, count, description, year)


def latest_return() -> FinanceReturn | None:
    return db.session.scalar(select(FinanceReturn).order_by(FinanceReturn.number.desc()).limit(1))


def preview(ret: FinanceReturn, layout: Layout, limit: int = 10) -> list[tuple]:
    """The first rows of the return's file as the layout writes them (CSV cells)."""
    source = import_rows(ret)
    try:
        return list(islice(cells(layout.columns, layout.date_format, source), limit))
    finally:
        source.close()  # let the database cursor go now, not when the generator is collected


def write(ret: FinanceReturn, layout: Layout, out: IO[bytes]) -> None:
    if layout.file_format == "xlsx":
        write_xlsx(layout.columns, layout.date_format, import_rows(ret), out, created=ret.made_at)
    else:
        write_csv(layout.columns, layout.date_format, import_rows(ret), out)


def filename_stem(ret: FinanceReturn) -> str:
    return f"import-file-{ret.number}"
