"""The workbook renderer: files are reopened with openpyxl and their cells checked."""
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from exports.workbook import (
    Column,
    Heading,
    Note,
    Row,
    Sheet,
    Total,
    Typed,
    safe_text,
    sheet_title,
    write_workbook,
)
from survey_app.web.downloads import xlsx_response


def render(*sheets):
    buf = io.BytesIO()
    write_workbook(list(sheets), buf)
    buf.seek(0)
    return load_workbook(buf)


def test_header_is_bold_and_frozen_and_cells_are_typed():
    cols = [Column("Name"), Column("Amount", "money"), Column("When", "datetime"), Column("Taxable", "yes_no"),
            Column("Hours", "number")]
    rows = [("Łucja Nowak 🙂", 1250, datetime(2027, 7, 1, 9, 0, tzinfo=UTC), True, 2.5),
            ("عربى", -10, None, False, 0)]
    ws = render(Sheet("Lines", cols, rows))["Lines"]
    assert [c.value for c in ws[1]] == ["Name", "Amount", "When", "Taxable", "Hours"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws["A2"].value == "Łucja Nowak 🙂" and ws["A3"].value == "عربى"
    assert ws["B2"].value == 12.5 and ws["B3"].value == -0.1
    assert "£" in ws["B2"].number_format
    assert ws["C2"].value == datetime(2027, 7, 1, 10, 0)  # shown in London time (BST)
    assert ws["C3"].value is None
    assert (ws["D2"].value, ws["D3"].value, ws["E2"].value) == ("Yes", "No", 2.5)


def test_text_that_looks_like_a_formula_stays_text():
    ws = render(Sheet("S", [Column("Comment")], [("=HYPERLINK(\"http://x\")",), ("+44 1928",), ("@SUM(A1)",),
                                                  ("-5",), ("plain",)]))["S"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 7)]
    # exactly as typed, a string never a formula, and made inert by the cell's quote-prefix style
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://x\")", "+44 1928", "@SUM(A1)", "-5", "plain"]
    assert all(c.data_type == "s" for c in cells)
    assert [bool(c.quotePrefix) for c in cells] == [True, True, True, True, False]


def test_control_characters_cannot_break_the_file():
    assert safe_text("a\x00b\x1fc") == "abc"


def test_sheet_titles_are_cleaned_and_unique():
    taken = set()
    assert sheet_title("Return 12: April/May [draft]?", taken) == "Return 12  April May  draft"
    assert sheet_title("x" * 40, taken) == "x" * 31
    assert sheet_title("X" * 40, taken) == "X" * 27 + " (2)"
    wb = render(Sheet("By payee", [Column("A")], []), Sheet("by payee", [Column("A")], []))
    assert wb.sheetnames == ["By payee", "by payee (2)"]


def test_download_is_an_attachment_with_a_dated_name(app):
    with app.test_request_context():
        response = xlsx_response([Sheet("S", [Column("A")], [("x",)])], "support-list")
        body = b"".join(response.response)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="support-list-20')
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    assert int(response.headers["Content-Length"]) == len(body)
    assert load_workbook(io.BytesIO(body))["S"]["A2"].value == "x"


def test_totals_notes_and_typed_cells_and_the_autofilter_stops_above_the_total():
    cols = [Column("Name", width=30), Column("Hours", "decimal", width=7), Column("Amount", "money")]

    def rows():
        total = 0
        for name, hours, pence in (("A", Decimal("1.5"), 1000), ("B", Decimal("0.25"), -250)):
            total += pence
            yield (name, hours, pence)
        yield Row()
        yield Total(("Total", None, total))
        yield Heading(("Made", "When"))
        yield Row(("Made at", Typed(datetime(2027, 1, 5, 9, 0, tzinfo=UTC), "datetime"),
                   Typed(date(2027, 1, 4), "date")))
        yield Note(("=not a formula",))

    wb = render(Sheet("S", cols, rows()), Sheet("Plain", [Column("A")], [("x",)], autofilter=False))
    ws = wb["S"]
    assert ws.auto_filter.ref == "A1:C3" and wb["Plain"].auto_filter.ref is None
    assert ws.column_dimensions["A"].width == 30 and ws.column_dimensions["B"].width == 7
    assert (ws["B2"].value, ws["B2"].number_format, ws["B3"].value) == (1.5, "0.00", 0.25)
    assert ws["A5"].value == "Total" and ws["A5"].font.b and ws["C5"].font.b
    assert ws["C5"].value == 7.5 and "£" in ws["C5"].number_format
    assert ws["A6"].font.b and ws["B6"].value == "When"
    assert ws["B7"].value == datetime(2027, 1, 5, 9, 0) and ws["B7"].is_date  # GMT in January
    assert ws["C7"].value == datetime(2027, 1, 4) and ws["C7"].number_format == "dd/mm/yyyy"
    assert ws["A8"].value == "=not a formula" and ws["A8"].quotePrefix and ws["A8"].data_type == "s"
    assert ws["A8"].font.i and not ws["A7"].font.b


def test_a_created_time_makes_the_file_byte_for_byte_repeatable():
    def once(created):
        buf = io.BytesIO()
        write_workbook([Sheet("S", [Column("A"), Column("B", "money")], (("x", i) for i in range(50)))], buf,
                       created=created)
        return buf.getvalue()

    when = datetime(2027, 3, 1, 8, 15, 30, tzinfo=UTC)
    first = once(when)
    assert once(when) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2027, 3, 1, 8, 15, 30)}
        assert z.testzip() is None
    props = load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == datetime(2027, 3, 1, 8, 15, 30)
    assert load_workbook(io.BytesIO(once(None)))["S"]["B51"].value == 0.49
