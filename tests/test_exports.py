"""The workbook renderer: files are reopened with openpyxl and their cells checked."""
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from exports.workbook import Column, Sheet, safe_text, sheet_title, write_workbook
from survey_app.downloads import xlsx_response


def render(*sheets):
    buf = io.BytesIO()
    write_workbook(list(sheets), buf)
    buf.seek(0)
    return load_workbook(buf)


def test_header_is_bold_and_frozen_and_cells_are_typed():
    cols = [Column("Name"), Column("Amount", "money"), Column("When", "datetime"), Column("Taxable", "yes_no"),
            Column("Hours", "number")]
    rows = [("Łucja Nowak 🙂", 1250, datetime(2027, 7, 1, 9, 0, tzinfo=timezone.utc), True, 2.5),
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
    values = [ws.cell(row=r, column=1).value for r in range(2, 7)]
    assert values == ["'=HYPERLINK(\"http://x\")", "'+44 1928", "'@SUM(A1)", "'-5", "plain"]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 7))


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
