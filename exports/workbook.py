"""The one renderer every export uses: write-only workbook, bold frozen header, safe cells.

An export is a list of Sheets, each a row generator plus its Columns; `write_workbook` renders them
in constant memory, so a return of 200,000 lines costs no more than one of 20.
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

LONDON = ZoneInfo("Europe/London")
MONEY_FORMAT = '"£"#,##0.00;[Red]-"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BAD_TITLE_CHARS = re.compile(r"[\[\]\*\?/\\:]")
# Characters openpyxl refuses to write (XML 1.0 forbids them).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money (integer pence) | number | date | datetime | yes_no
    width: int = 18


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


def sheet_title(title: str, taken: set[str] | None = None) -> str:
    """Excel's rules: at most 31 characters, none of []*?/\\:, not blank, unique in the workbook."""
    clean = BAD_TITLE_CHARS.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    taken = taken if taken is not None else set()
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = clean[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def safe_text(value) -> str:
    """Text exactly as typed, except that nothing can run as a formula when the file is opened."""
    text = ILLEGAL_XML.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(ws, value, kind: str):
    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if kind == "money":
        cell = WriteOnlyCell(ws, value=Decimal(int(value)) / 100)
        cell.number_format = MONEY_FORMAT
    elif kind == "number":
        cell = WriteOnlyCell(ws, value=value)
    elif kind == "datetime" and isinstance(value, datetime):
        local = value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
        cell = WriteOnlyCell(ws, value=local)
        cell.number_format = DATETIME_FORMAT
    elif kind == "date" and isinstance(value, (date, datetime)):
        day = value.astimezone(LONDON).date() if isinstance(value, datetime) and value.tzinfo else value
        cell = WriteOnlyCell(ws, value=day)
        cell.number_format = DATE_FORMAT
    elif kind == "yes_no":
        cell = WriteOnlyCell(ws, value="Yes" if value else "No")
    else:
        cell = WriteOnlyCell(ws, value=safe_text(value))
    return cell


def write_workbook(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Render the sheets into `out` as .xlsx."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet_title(sheet.title, taken))
        ws.freeze_panes = "A2"
        for i, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=safe_text(column.header))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        kinds = [c.kind for c in sheet.columns]
        for row in sheet.rows:
            ws.append([_cell(ws, value, kind) for value, kind in zip(row, kinds)])
    wb.save(out)
