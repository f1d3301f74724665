"""The app's Sheets rendered with XlsxWriter in constant_memory mode, for `bench/export.py` only.

It takes the very rows `exports.finance_return.return_sheets` yields and gives them the look
`exports/workbook.py` gives: bold frozen header, column widths, autofilter over the plain rows, money in
pounds, London dates, bold totals, italic notes, text that starts like a formula stored as text with a quote
prefix. So the comparison with `write_return` is renderer against renderer, same rows, same work. The app does
not use it.
"""
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import xlsxwriter

from exports.workbook import (
    FORMULA_START,
    LONDON,
    MAX_CELL_TEXT,
    NUMBER_FORMATS,
    Row,
    Sheet,
    Typed,
    safe_text,
    sheet_title,
)


class _Formats:
    """One XlsxWriter format per (number format, bold, italic, quoted), made when first needed."""

    def __init__(self, wb):
        self.wb = wb
        self._made: dict[tuple, object] = {}

    def get(self, number_format: str | None = None, bold: bool = False, italic: bool = False, quoted: bool = False):
        key = (number_format, bold, italic, quoted)
        if key not in self._made:
            props = {name: True for name, on in (("bold", bold), ("italic", italic), ("quote_prefix", quoted)) if on}
            if number_format:
                props["num_format"] = number_format
            self._made[key] = self.wb.add_format(props) if props else None
        return self._made[key]


def _write_cell(ws, r: int, c: int, value, kind: str, formats: _Formats, bold: bool, italic: bool) -> None:
    """One cell, as exports/workbook.py's converters would write it."""
    if isinstance(value, Typed):
        value, kind = value.value, value.kind
    if kind == "yes_no" and value is not None and value != "":
        value, kind = ("Yes" if value else "No"), "text"
    if (kind == "datetime" and isinstance(value, datetime)) or (kind == "date" and isinstance(value, date)):
        if isinstance(value, datetime) and value.tzinfo:
            value = value.astimezone(LONDON).replace(tzinfo=None)
        if kind == "date" and isinstance(value, datetime):
            value = value.date()
        ws.write_datetime(r, c, value, formats.get(NUMBER_FORMATS[kind], bold, italic))
        return
    if value is None or value == "":
        return
    if isinstance(value, str) or kind not in ("number", "money", "decimal"):
        text = safe_text(value)[:MAX_CELL_TEXT]
        quoted = text.startswith(FORMULA_START)
        ws.write_string(r, c, text, formats.get(None, bold, italic, quoted))
        return
    if kind == "money":
        value = Decimal(int(value)) / 100
    ws.write_number(r, c, value, formats.get(NUMBER_FORMATS.get(kind), bold, italic))


def write_sheets(sheets: Iterable[Sheet], out: IO[bytes] | str, created: datetime | None = None) -> None:
    """Render the sheets into `out` (a path or a binary stream), one row at a time (constant_memory)."""
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    if created is not None:
        wb.set_properties({"created": created.replace(tzinfo=None), "author": "Co-production Hub"})
    formats = _Formats(wb)
    taken: set[str] = set()
    for sheet in sheets:
        ws = wb.add_worksheet(sheet_title(sheet.title, taken))
        columns = list(sheet.columns)
        kinds = [c.kind for c in columns]
        ws.freeze_panes(1, 0)
        for i, column in enumerate(columns):
            ws.set_column(i, i, column.width)
        header = formats.get(None, bold=True)
        for i, column in enumerate(columns):
            ws.write_string(0, i, safe_text(column.header), header)
        r = table_end = 0
        for r, row in enumerate(sheet.rows, start=1):
            bold, italic = (row.bold, row.italic) if isinstance(row, Row) else (False, False)
            for c, (kind, value) in enumerate(zip(kinds, row)):
                _write_cell(ws, r, c, value, kind, formats, bold, italic)
            if not isinstance(row, Row):
                table_end = r
        if sheet.autofilter and columns:
            ws.autofilter(0, 0, table_end, len(columns) - 1)
    wb.close()
