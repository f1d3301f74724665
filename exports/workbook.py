"""The one renderer every export uses: write-only workbook, bold frozen header, safe cells.

An export is a list of Sheets, each a row generator plus its Columns; `write_workbook` renders them
in constant memory, so a return of 200,000 lines costs no more than one of 20.

A row is normally a plain tuple of values, typed by its Column's kind. A generator may also yield a
`Row` (e.g. an empty gap) or one of its subclasses for a row with its own look: `Total` (bold, e.g.
a totals row computed while streaming), `Heading` (a bold sub-heading) or `Note` (an italic
sentence); cells of such rows may be wrapped in `Typed` to give one cell a kind of its own. Only
plain rows are in the table that the header's autofilter covers, so sorting or filtering never moves
a totals row.

The same sheets and the same `created` time give byte-identical files: the document properties and
every zip entry carry that time instead of the clock's.
"""
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

# openpyxl internals, used for one speed target: the finance return export at least 0.8x a bare openpyxl
# write-only loop (0.91x on 2026-11-26, 0.93x on 2026-12-03, 100,000 lines; see bench/export.py and README.md,
# Benchmarks). They are the private module openpyxl.worksheet._write_only, the `_values_to_row` that
# `_Worksheet` overrides (about 3 microseconds saved per styled cell, some 4 styled cells a line),
# `Workbook._add_sheet` to add that sheet, and `_style`, the style array shared by every cell of one look.
# Held by the openpyxl pin in pyproject.toml and checked by tests/test_library_internals.py, which says what
# to do when openpyxl changes them. XlsxWriter would need none of them (README.md, Benchmarks).

LONDON = ZoneInfo("Europe/London")
MONEY_FORMAT = '"£"#,##0.00;[Red]-"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DECIMAL_FORMAT = "0.00"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BAD_TITLE_CHARS = re.compile(r"[\[\]\*\?/\\:]")
# Characters openpyxl refuses to write (XML 1.0 forbids them).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767  # Excel's limit; openpyxl cuts longer text to this too
NUMBER_FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT,
                  "decimal": DECIMAL_FORMAT}
CREATOR = "Co-production Hub"


@dataclass(frozen=True)
class Column:
    header: str
    # text | money (integer pence) | number | decimal (e.g. hours, shown 0.00) | date | datetime | yes_no
    kind: str = "text"
    width: int = 18


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    autofilter: bool = True  # on the header row, over the plain rows below it


class Row(tuple):
    """A row outside the table (never under the autofilter), e.g. a gap or a summary line.

    Its cells may be `Typed`; the subclasses below give it a look. Plain tuples are the table.
    """
    bold = False
    italic = False


class Total(Row):
    """A bold row after the table, such as the totals worked out while the rows streamed past."""
    bold = True


class Heading(Row):
    """A bold sub-heading inside a sheet."""
    bold = True


class Note(Row):
    """A sentence for the reader, in italics, e.g. why a table is empty."""
    italic = True


@dataclass(frozen=True)
class Typed:
    """One cell whose kind differs from its column's (only inside a `Row`)."""
    value: Any
    kind: str


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
    """Text exactly as typed, less the control characters XML cannot hold. Text that starts like a
    formula is made inert by its cell (see `_quoted`), never by changing what was typed."""
    return ILLEGAL_XML.sub("", str(value))


def _quoted(ws, text: str, style) -> Cell:
    """A text cell that can never run as a formula, yet reads exactly as typed (`=1+2`, `@cmd`): stored as a
    string (never `<f>`), with the cell style's quotePrefix, which is what Excel and LibreOffice set when
    someone types a leading apostrophe: the text stays text even if the cell is edited and saved."""
    cell = Cell(ws, 1, 1, text, style)
    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    return cell


class _Styles:
    """Style arrays built once per sheet and shared by every cell that looks the same."""

    def __init__(self, ws):
        self.ws = ws
        self._cache: dict[tuple, Any] = {}

    def get(self, number_format: str | None, bold: bool = False, italic: bool = False, quoted: bool = False):
        key = (number_format, bold, italic, quoted)
        if key not in self._cache:
            if number_format is None and not bold and not italic and not quoted:
                self._cache[key] = None
            else:
                template = Cell(self.ws)
                if number_format:
                    template.number_format = number_format
                if bold or italic:
                    template.font = Font(bold=bold, italic=italic)
                if quoted:
                    template.quotePrefix = True
                self._cache[key] = template._style  # private: see the note on openpyxl internals at the top
        return self._cache[key]


class _Look:
    """What the converters of one look (plain, bold or italic) in one sheet share: the sheet, the look's
    plain and quoted text styles, and its styles with a number format."""

    __slots__ = ("ws", "styles", "bold", "italic", "styled", "plain", "quoted")

    def __init__(self, ws, styles: _Styles, bold: bool = False, italic: bool = False):
        self.ws, self.styles, self.bold, self.italic = ws, styles, bold, italic
        self.styled = bold or italic  # a plain value will not do: the cell needs the look's style
        self.plain = styles.get(None, bold, italic)
        self.quoted = styles.get(None, bold, italic, quoted=True)

    def style(self, number_format: str):
        return self.styles.get(number_format, self.bold, self.italic)


# Each converter below takes a _Look and gives value -> what ws.append takes: a plain value where
# openpyxl's own cell will do, else a ready-made Cell. Empty values (None, "") give an empty cell, and
# text in a number, money or decimal column is written as text.

def _text(look: _Look) -> Callable:
    ws, plain, quoted, styled = look.ws, look.plain, look.quoted, look.styled

    def text(value):
        if value is None or value == "":
            return None
        value = safe_text(value)[:MAX_CELL_TEXT]
        if value.startswith(FORMULA_START):
            return _quoted(ws, value, quoted)
        return Cell(ws, 1, 1, value, plain) if styled else value
    return text


def _number(look: _Look) -> Callable:
    ws, plain, styled, text = look.ws, look.plain, look.styled, _text(look)

    def number(value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return text(value)
        return Cell(ws, 1, 1, value, plain) if styled else value
    return number


def _money(look: _Look) -> Callable:
    """Integer pence, shown as pounds."""
    ws, style, text = look.ws, look.style(MONEY_FORMAT), _text(look)

    def money(value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return text(value)
        return Cell(ws, 1, 1, Decimal(int(value)) / 100, style)
    return money


def _decimal(look: _Look) -> Callable:
    ws, style, text = look.ws, look.style(DECIMAL_FORMAT), _text(look)

    def decimal(value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return text(value)
        return Cell(ws, 1, 1, value, style)
    return decimal


def _datetime(look: _Look) -> Callable:
    """An aware time is shown as London's wall clock."""
    ws, style, text = look.ws, look.style(DATETIME_FORMAT), _text(look)

    def when(value):
        if isinstance(value, datetime):
            local = value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
            return Cell(ws, 1, 1, local, style)
        return text(value)
    return when


def _date(look: _Look) -> Callable:
    """A datetime gives its day (London's, when aware)."""
    ws, style, text = look.ws, look.style(DATE_FORMAT), _text(look)

    def day(value):
        if isinstance(value, datetime):
            value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
        if isinstance(value, date):
            return Cell(ws, 1, 1, value, style)
        return text(value)
    return day


def _yes_no(look: _Look) -> Callable:
    text = _text(look)

    def yes_no(value):
        if value is None or value == "":
            return None
        return text("Yes" if value else "No")
    return yes_no


# A Column's kind -> its converter; any other kind is written as text.
CONVERTERS: dict[str, Callable[[_Look], Callable]] = {
    "text": _text, "number": _number, "money": _money, "decimal": _decimal, "datetime": _datetime,
    "date": _date, "yes_no": _yes_no,
}


def _converter(ws, kind: str, styles: _Styles, bold: bool = False, italic: bool = False) -> Callable:
    """value -> what ws.append takes, for a cell of this kind in this look."""
    return CONVERTERS.get(kind, _text)(_Look(ws, styles, bold, italic))


class _Worksheet(WriteOnlyWorksheet):
    """openpyxl's write-only sheet, except that a ready-made Cell in a row is used as it is.

    openpyxl first tries every value as a plain value and, for a Cell, builds and catches a ValueError
    whose message formats the cell (about 3 microseconds a cell): with every money and date cell a
    styled Cell, that was a good part of this renderer's cost over a bare loop. The rest is openpyxl's
    own code, and the sheet is otherwise theirs. Private (see the note at the top): it keeps the finance
    return at or above 0.8x bare openpyxl in bench/export.py.
    """

    def _values_to_row(self, values, row_idx):
        cell = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                given = value
            else:
                cell.value = value
                given = cell
            given.column = col_idx
            given.row = row_idx
            if given.hyperlink is not None:
                given.hyperlink.ref = given.coordinate
            yield given
            if given is cell and (cell.has_style or cell.hyperlink):
                cell = WriteOnlyCell(self)


def _create_sheet(wb: Workbook, title: str) -> _Worksheet:
    """What `wb.create_sheet` does for a write-only workbook, with the sheet class above."""
    ws = _Worksheet(parent=wb, title=title)
    wb._add_sheet(ws)  # private: see the note on openpyxl internals at the top
    return ws


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose every entry carries the same time and permissions, so equal content gives equal bytes.

    openpyxl's ExcelWriter adds parts with `writestr(name, data)` and the streamed worksheets with
    `write(path, name)`; both would stamp the clock's time. Entries are compressed as they are written,
    the worksheets copied through in blocks, so memory stays flat.
    """

    def __init__(self, out, when: datetime):
        super().__init__(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._when = (max(when.year, 1980),) + tuple(when.timetuple())[1:6]

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._info(arcname or os.path.basename(filename), os.path.getsize(filename))
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)


def _naive_utc(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def write_workbook(sheets: Iterable[Sheet], out: IO[bytes], created: datetime | None = None) -> None:
    """Render the sheets into `out` as .xlsx.

    `created` (aware, or naive UTC) stamps the document and its zip entries; give it for a file that
    must come out byte for byte the same each time, e.g. a finance return's made-at time.
    """
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        ws = _create_sheet(wb, sheet_title(sheet.title, taken))
        _write_sheet(ws, sheet)
    if not wb.worksheets:
        wb.create_sheet()
    when = _naive_utc(created)
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = CREATOR
    ExcelWriter(wb, _FixedTimeZip(out, when)).save()


def _write_sheet(ws, sheet: Sheet) -> None:
    columns = list(sheet.columns)
    ws.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    styles = _Styles(ws)
    header = _converter(ws, "text", styles, bold=True)
    ws.append([header(c.header) for c in columns])

    kinds = [c.kind for c in columns]
    plain = [_converter(ws, kind, styles) for kind in kinds]
    looks: dict[tuple, list[Callable]] = {}
    row_number = table_end = 1
    for row in sheet.rows:
        row_number += 1
        if isinstance(row, Row):
            ws.append(_styled_row(ws, row, kinds, styles, looks))
            continue
        ws.append([convert(value) for convert, value in zip(plain, row)])
        table_end = row_number
    if sheet.autofilter and columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{table_end}"


def _styled_row(ws, row: Row, kinds, styles: _Styles, looks: dict) -> list:
    key = (row.bold, row.italic)
    if key not in looks:
        looks[key] = [_converter(ws, kind, styles, row.bold, row.italic) for kind in kinds]
    converters = looks[key]
    cells = []
    for convert, value in zip(converters, row):
        if isinstance(value, Typed):
            convert = _converter(ws, value.kind, styles, row.bold, row.italic)
            value = value.value
        cells.append(convert(value))
    return cells
