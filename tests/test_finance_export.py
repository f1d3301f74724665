"""The finance return workbook, reopened with openpyxl and with calamine (another reader, in Rust).

Only `exports` is used: the inputs are the dataclasses the domain code will fill. Every figure is
checked in pence against sums worked out here from the inputs.
"""
import io
import zipfile
from collections import defaultdict
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_date_format
from python_calamine import CalamineWorkbook

from exports.finance_return import (
    EMPTY_MISSING_NOTE,
    FORBIDDEN_HEADERS,
    KindTotal,
    MissingPayee,
    PayeeTotal,
    ReturnHeader,
    ReturnLine,
    VoucherEntry,
    forbidden_headers,
    return_sheets,
    write_return,
)
from exports.workbook import safe_text

SHEETS = ["Summary", "Lines", "By payee", "Vouchers", "Payee set-up needed"]
HEADERS = {
    "Summary": ["Item", "Value", "Amount"],
    "Lines": ["Return", "Line", "Payee reference", "Name", "Meeting or activity", "Date", "Kind", "Description",
              "Hours", "Rate", "Amount", "Taxable", "Cost code", "Status", "Recorded by", "Approved by"],
    "By payee": ["Payee reference", "Name", "This return", "Tax year to date"],
    "Vouchers": ["Line", "Name", "Payee reference", "Provider", "Value", "Serial or code", "Date handed over",
                 "Signed for"],
    "Payee set-up needed": ["Name", "Lines", "Amount"],
}
HEADER = ReturnHeader(number=42, made_by="Priya Staff", made_at=datetime(2027, 7, 1, 9, 30, tzinfo=UTC),
                      period_to=date(2027, 6, 30), cost_code="")
HOSTILE = ['=HYPERLINK("http://x","y")', "+44 1928", "-1", "@SUM(A1)", "\tTabbed in", "=1+1"]
INTERNATIONAL = ["Łucja Wąsowska-Żółć", "Ștefan Țăranu-Î", "مريم الحسيني", "Amara 🙂🎉", "Zoë O'Brien"]
KINDS = ("payment", "voucher", "expense", "thanks")
CODES = ("HALTON-ADULTS", "HALTON-YOUTH", "")


def make_lines(n: int) -> list[ReturnLine]:
    """n lines of every kind and three cost codes, hostile and international text, and a reversal."""
    lines = []
    for i in range(1, n + 1):
        kind = KINDS[i % 4]
        hours = Decimal(i % 7 + 1) / 2 if kind == "payment" else None
        rate = 1250 + i % 3 if kind == "payment" else None
        amount = {"payment": int(hours * rate) if hours else 0, "voucher": 1000 + i, "expense": 317 * (i % 5 + 1),
                  "thanks": 0}[kind]
        text = (HOSTILE + INTERNATIONAL)[i % 11]
        lines.append(ReturnLine(
            line_number=i, payee_ref="" if i % 9 == 0 else f"HAL{i % 13:04d}",
            name=text if i % 2 else INTERNATIONAL[i % 5], activity=f"Carers' forum {i % 4}",
            activity_date=date(2027, 4, 1) + timedelta(days=i % 80), kind=kind,
            description=HOSTILE[i % 6] if i % 3 else f"Travel {INTERNATIONAL[i % 5]}", hours=hours,
            rate_pence=rate, amount_pence=amount, taxable=kind == "payment", cost_code=CODES[i % 3],
            status="in return", recorded_by="Sam Recorder", approved_by="Alex Approver"))
    first = lines[0]  # line 1 is a payment: reverse it
    lines.append(ReturnLine(
        line_number=n + 1, payee_ref=first.payee_ref, name=first.name, activity=first.activity,
        activity_date=first.activity_date, kind="payment", description="Reversal of line 1", hours=None,
        rate_pence=None, amount_pence=-first.amount_pence, taxable=True, cost_code=first.cost_code,
        status="in return", recorded_by="Sam Recorder", approved_by="Alex Approver"))
    return lines


def group_totals(lines) -> list[KindTotal]:
    """What the database's GROUP BY kind, taxable, cost_code gives."""
    groups = defaultdict(lambda: [0, 0])
    for line in lines:
        group = groups[(line.kind, line.taxable, line.cost_code)]
        group[0] += 1
        group[1] += line.amount_pence
    return [KindTotal(k, t, c, n, p) for (k, t, c), (n, p) in sorted(groups.items())]


def payees_of(lines) -> list[PayeeTotal]:
    sums = defaultdict(int)
    names = {}
    for line in lines:
        if line.payee_ref:
            sums[line.payee_ref] += line.amount_pence
            names[line.payee_ref] = line.name
    return [PayeeTotal(ref, names[ref], p, p + 12_345) for ref, p in sorted(sums.items())]


def vouchers_of(lines) -> list[VoucherEntry]:
    return [VoucherEntry(line.line_number, line.name, line.payee_ref, "Love2Shop", line.amount_pence,
                         HOSTILE[line.line_number // 4 % 6] if line.line_number % 2 else f"L2S-{line.line_number:06d}",
                         line.activity_date if line.line_number % 3 else None, bool(line.line_number % 2))
            for line in lines if line.kind == "voucher"]


def missing_of(lines) -> list[MissingPayee]:
    people = defaultdict(lambda: [0, 0])
    for line in lines:
        if not line.payee_ref:
            people[line.name][0] += 1
            people[line.name][1] += line.amount_pence
    return [MissingPayee(name, n, p) for name, (n, p) in sorted(people.items())]


def render(lines, header=HEADER, payees=None, vouchers=None, missing=None) -> bytes:
    """Lines go in as a one-pass generator, as they will from a database cursor."""
    buf = io.BytesIO()
    write_return(header, group_totals(lines), (line for line in lines),
                 iter(payees_of(lines) if payees is None else payees),
                 iter(vouchers_of(lines) if vouchers is None else vouchers),
                 iter(missing_of(lines) if missing is None else missing), buf)
    return buf.getvalue()


def calamine_rows(data: bytes) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def openpyxl_rows(data: bytes, read_only=False) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data), read_only=read_only)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def pence(value) -> int:
    assert isinstance(value, (int, float)) and not isinstance(value, bool), value
    return round(value * 100)


def blank(value) -> bool:
    return value is None or value == ""


def total_row(rows) -> list:
    """The one row whose first cell says "Total"."""
    found = [r for r in rows if len(r) and r[0] == "Total"]
    assert len(found) == 1
    return list(found[0])


def summary_of(rows) -> dict:
    return {r[0]: list(r[1:]) for r in rows[1:] if not blank(r[0])}


@pytest.fixture(scope="module")
def lines():
    return make_lines(60)


@pytest.fixture(scope="module")
def data(lines):
    return render(lines)


@pytest.fixture(scope="module", params=["openpyxl", "calamine"])
def sheets(request, data):
    return openpyxl_rows(data) if request.param == "openpyxl" else calamine_rows(data)


def test_every_total_is_the_sum_of_the_inputs_to_the_penny(sheets, lines):
    assert any(line.amount_pence < 0 for line in lines)  # a reversal is in there
    money = [line for line in lines if line.kind != "thanks"]

    lines_sheet = sheets["Lines"]
    assert pence(total_row(lines_sheet)[10]) == sum(line.amount_pence for line in lines)
    data_rows = [r for r in lines_sheet[1:] if not blank(r[1])]
    assert len(data_rows) == len(lines)
    assert [pence(r[10]) for r in data_rows] == [line.amount_pence for line in lines]
    assert sum(pence(r[10]) for r in data_rows) == pence(total_row(lines_sheet)[10])

    payees = payees_of(lines)
    by_payee = total_row(sheets["By payee"])
    assert pence(by_payee[2]) == sum(p.return_pence for p in payees)
    assert pence(by_payee[3]) == sum(p.tax_year_pence for p in payees)

    vouchers = vouchers_of(lines)
    assert vouchers and pence(total_row(sheets["Vouchers"])[4]) == sum(v.value_pence for v in vouchers)

    missing = missing_of(lines)
    assert missing and total_row(sheets["Payee set-up needed"])[1:] == [
        sum(m.lines for m in missing), pytest.approx(sum(m.amount_pence for m in missing) / 100)]
    assert pence(total_row(sheets["Payee set-up needed"])[2]) == sum(m.amount_pence for m in missing)

    summary = summary_of(sheets["Summary"])
    for kind, label in (("payment", "Payments"), ("voucher", "Vouchers"), ("expense", "Expenses")):
        count, amount = summary[label]
        mine = [line for line in lines if line.kind == kind]
        assert (count, pence(amount)) == (len(mine), sum(line.amount_pence for line in mine))
    count, amount = summary["Thanks (no money)"]
    assert count == sum(line.kind == "thanks" for line in lines) and blank(amount)
    for label, taxable in (("Taxable", True), ("Not taxable", False)):
        mine = [line for line in money if line.taxable is taxable]
        assert (summary[label][0], pence(summary[label][1])) == (len(mine), sum(x.amount_pence for x in mine))
    for code in CODES:
        mine = [line for line in money if line.cost_code == code]
        count, amount = summary[code or "(no cost code)"]
        assert (count, pence(amount)) == (len(mine), sum(line.amount_pence for line in mine))
    count, amount = summary["Grand total (all lines)"]
    assert (count, pence(amount)) == (len(lines), sum(line.amount_pence for line in lines))


def test_summary_says_which_return_it_is(sheets):
    summary = summary_of(sheets["Summary"])
    assert summary["Return number"][0] == 42
    assert summary["Made by"][0] == "Priya Staff"
    assert summary["Made at"][0] == datetime(2027, 7, 1, 10, 30)  # 09:30 UTC is 10:30 in London (BST)
    assert summary["Period"][0] == "up to 30 June 2027"
    assert summary["Cost code"][0] == "all cost codes"


def test_period_and_cost_code_filter_are_shown():
    header = ReturnHeader(7, "Jo", datetime(2028, 1, 15, 12, 0, tzinfo=UTC), None, "HALTON-YOUTH")
    summary = summary_of(calamine_rows(render([], header))["Summary"])
    assert summary["Period"][0] == "all approved lines"
    assert summary["Cost code"][0] == "HALTON-YOUTH"
    assert summary["Made at"][0] == datetime(2028, 1, 15, 12, 0)  # GMT in winter


def test_money_dates_and_hours_are_real_typed_cells(data, lines):
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Lines"]
    payment_rows = [r for r in range(2, len(lines) + 2) if ws.cell(r, 7).value == "Payment" and ws.cell(r, 9).value]
    assert payment_rows
    for r in payment_rows:
        for col in (10, 11):  # Rate, Amount
            cell = ws.cell(r, col)
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)) and "£" in cell.number_format
        hours = ws.cell(r, 9)
        assert hours.data_type == "n" and isinstance(hours.value, (int, float))
        assert Decimal(str(hours.value)) == lines[r - 2].hours
    for r in range(2, len(lines) + 2):
        day = ws.cell(r, 6)
        assert day.is_date and is_date_format(day.number_format) and day.value.date() == lines[r - 2].activity_date
        assert ws.cell(r, 12).value in ("Yes", "No")
    total = ws.cell(len(lines) + 3, 11)
    assert total.data_type == "n" and "£" in total.number_format and total.font.b
    for title, columns in (("By payee", (3, 4)), ("Vouchers", (5,)), ("Payee set-up needed", (3,))):
        sheet = wb[title]
        for row in sheet.iter_rows(min_row=2):
            for col in columns:
                cell = row[col - 1]
                if cell.value is not None:
                    assert cell.data_type == "n" and "£" in cell.number_format, (title, cell.coordinate)
    summary = wb["Summary"]
    assert summary["B4"].is_date and summary["B4"].value == datetime(2027, 7, 1, 10, 30)
    assert summary["B2"].data_type == "n"
    handed = [c for c in wb["Vouchers"]["G"][1:] if c.value is not None]
    assert handed and all(c.is_date for c in handed)

    cal = calamine_rows(data)
    for row, line in zip(cal["Lines"][1:], lines):
        assert row[5] == line.activity_date and isinstance(row[10], float)
        assert (isinstance(row[8], float) and Decimal(str(row[8])) == line.hours) if line.hours else row[8] == ""


def test_text_that_looks_like_a_formula_reads_back_as_text(sheets, lines, data):
    names = [r[3] for r in sheets["Lines"][1:len(lines) + 1]]
    descriptions = [r[7] for r in sheets["Lines"][1:len(lines) + 1]]
    assert names == [safe_text(line.name) for line in lines]
    assert descriptions == [safe_text(line.description) for line in lines]
    for text in HOSTILE:
        assert text in names + descriptions  # shown exactly as typed, no apostrophe added
    serials = {r[5] for r in sheets["Vouchers"][1:]}
    assert "-1" in serials and "+44 1928" in serials
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # and no cell anywhere holds a formula
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if "worksheets" in n)
    ws = load_workbook(io.BytesIO(data))["Lines"]
    assert all(ws.cell(r, col).data_type == "s" for r in range(2, len(lines) + 2) for col in (4, 8))
    for r in range(2, len(lines) + 2):  # inert through the cell's quote-prefix style, only where it looks like one
        for col in (4, 8):
            cell = ws.cell(r, col)
            assert bool(cell.quotePrefix) == str(cell.value).startswith(("=", "+", "-", "@", "\t")), cell.value


def test_polish_romanian_arabic_and_emoji_survive_and_control_characters_go():
    people = [
        ReturnLine(i, "HAL0001", name, "Forum", date(2027, 5, 1), "thanks", f"{name} – ok", None, None, 0, False,
                   "", "in return", "Sam", "Alex") for i, name in enumerate(INTERNATIONAL, start=1)]
    people.append(ReturnLine(6, "HAL0002", "Bad\x00Na\x1fme", "Forum", date(2027, 5, 1), "expense",
                             "Bus\x0b fare\x07 and a tab\there", None, None, 420, False, "", "in return", "Sam",
                             "Alex"))
    data = render(people)
    for rows in (openpyxl_rows(data), calamine_rows(data)):
        got = rows["Lines"][1:len(people) + 1]
        assert [r[3] for r in got[:5]] == INTERNATIONAL
        assert [r[7] for r in got[:5]] == [f"{name} – ok" for name in INTERNATIONAL]
        assert (got[5][3], got[5][7]) == ("BadName", "Bus fare and a tab\there")
        assert [r[1] for r in rows["By payee"][1:3]] == [INTERNATIONAL[-1], "BadName"]


def test_no_contact_details_access_needs_or_checklist_answers_anywhere(sheets):
    assert list(sheets) == SHEETS
    for title, rows in sheets.items():
        assert list(rows[0][:len(HEADERS[title])]) == HEADERS[title]
        assert forbidden_headers(str(h) for h in rows[0] if not blank(h)) == []
    for cls in (ReturnHeader, ReturnLine, KindTotal, PayeeTotal, VoucherEntry, MissingPayee):
        names = [f.name.replace("_", " ") for f in fields(cls)]
        assert forbidden_headers(names) == [], cls
    assert {"Email", "Phone", "Address", "Access needs", "Support", "Date of birth", "National Insurance",
            "Bank"} <= set(FORBIDDEN_HEADERS)
    assert forbidden_headers(["Email address", "mobile phone", "Access needs", "Name"]) == [
        "Email address", "mobile phone", "Access needs"]


def test_header_row_is_bold_and_frozen_with_an_autofilter_over_the_table(data, lines):
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == SHEETS
    table_rows = {"Lines": len(lines), "By payee": len(payees_of(lines)), "Vouchers": len(vouchers_of(lines)),
                  "Payee set-up needed": len(missing_of(lines))}
    last_column = {"Lines": "T", "By payee": "E", "Vouchers": "H", "Payee set-up needed": "C"}  # issue 17: paying, flags
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1])
        if ws.title == "Summary":
            assert ws.auto_filter.ref is None
            continue
        # the filter covers the header and the lines, not the totals row below them
        assert ws.auto_filter.ref == f"A1:{last_column[ws.title]}{table_rows[ws.title] + 1}"
        total = [row for row in ws.iter_rows() if row[0].value == "Total"][0]
        assert total[0].row > table_rows[ws.title] + 1 and all(c.font.b for c in total if c.value is not None)
    assert wb["Lines"].column_dimensions["H"].width > wb["Lines"].column_dimensions["B"].width


def test_the_same_inputs_give_byte_identical_files(lines, data):
    assert render(lines) == data
    later = ReturnHeader(HEADER.number, HEADER.made_by, HEADER.made_at + timedelta(days=1), HEADER.period_to, "")
    assert render(lines, later) != data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(2027, 7, 1, 9, 30, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2027-07-01T09:30:00Z") == 2  # created and modified


def test_an_empty_return_still_has_every_sheet_and_header():
    data = render([])
    for rows in (openpyxl_rows(data), calamine_rows(data)):
        assert list(rows) == SHEETS
        for title in SHEETS:
            assert list(rows[title][0][:len(HEADERS[title])]) == HEADERS[title]
        for title, col in (("Lines", 10), ("By payee", 2), ("Vouchers", 4)):
            assert pence(total_row(rows[title])[col]) == 0
        assert rows["Payee set-up needed"][1][0] == EMPTY_MISSING_NOTE
        summary = summary_of(rows["Summary"])
        assert summary["Grand total (all lines)"][0] == 0 and pence(summary["Grand total (all lines)"][1]) == 0


def test_sheets_are_built_lazily_and_each_input_is_read_once(lines):
    read = []

    def once(items, name):
        read.append(name)
        yield from items

    sheets = return_sheets(HEADER, group_totals(lines), once(lines, "lines"), once(payees_of(lines), "payees"),
                           once(vouchers_of(lines), "vouchers"), once(missing_of(lines), "missing"))
    assert [s.title for s in sheets] == SHEETS and read == []
    for sheet in sheets:
        list(sheet.rows)
    assert read == ["lines", "payees", "vouchers", "missing"]


def test_a_big_return_reads_back_in_read_only_mode():
    lines = make_lines(4000)
    data = render(lines)
    rows = openpyxl_rows(data, read_only=True)["Lines"]
    body = [r for r in rows[1:] if len(r) > 1 and r[1] is not None]
    assert len(body) == len(lines) and [r[1] for r in body] == [line.line_number for line in lines]
    assert sum(pence(r[10]) for r in body) == sum(line.amount_pence for line in lines) == pence(total_row(rows)[10])
    cal = calamine_rows(data)["Lines"]
    assert pence(total_row(cal)[10]) == sum(line.amount_pence for line in lines)
