"""Paying people safely (issue 17): payment routes, ledger and VAT codes, the import file's layout, and the
import file itself, read back with the csv module and openpyxl and checked against the Excel return."""
import csv
import io
from collections import defaultdict
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.finance_return import write_return
from survey_app.models import (
    AuditEvent,
    ExpenseType,
    FinanceReturn,
    ImportLayout,
    LedgerCode,
    LineStatus,
    PaymentBasis,
    PaymentRoute,
    Person,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    ThanksType,
)
from survey_app.money import import_file, paying, return_data
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.queries import count_queries

DAY = date(2026, 5, 1)


def signed_in(app, user):
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def events(action, record_type=None):
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if record_type:
        query = query.where(AuditEvent.record_type == record_type)
    return db.session.scalar(query)


def add_person(first, last, ref="", route=None):
    person = Person(first_name=first, last_name=last, contact_method="email", email=f"{first}@x.example",
                    information_format="standard", role="carer", payee_ref=ref, payment_route=route)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    return person


def money_line(person, group, by, kind=RecognitionKind.PAYMENT, pence=None, cost_code="ADULTS", on=DAY):
    data = rec.LineInput(person=person, group_id=group.id, activity_on=on, kind=kind, activity="Forum",
                         cost_code=cost_code)
    if kind == RecognitionKind.PAYMENT:
        data.basis = PaymentBasis.HALF_DAY
    elif kind == RecognitionKind.THANKS:
        data.thanks_type = ThanksType.LETTER
    else:
        data.amount_pence = pence
        if kind == RecognitionKind.EXPENSE:
            data.expense_type = ExpenseType.FARES
    return rec.record(data, by)


@pytest.fixture
def world(app, sample, make_user):
    """Three payees: Ana (a payment, then codes change and another payment, a voucher and an expense), Bo (a
    payment and a correction that nets his second return's row to nothing) and Cy (two cost codes)."""
    organiser, finance, admin = make_user(Role.ORGANISER), make_user(Role.FINANCE), make_user(Role.ADMIN)
    group = sample["group"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    ana, bo, cy = add_person("Ana", "Able", "SUP-A"), add_person("Bo", "Brown", "PAY-B"), add_person("Cy", "Cole",
                                                                                                      "SUP-C")
    money_line(ana, group, organiser)  # codes: none stored yet, so "" and "OS"
    paying.save_codes({RecognitionKind.PAYMENT: ("5010", "OS"), RecognitionKind.VOUCHER: ("5020", "OS"),
                       RecognitionKind.EXPENSE: ("5030", "EX")}, admin)
    money_line(ana, group, organiser)
    money_line(ana, group, organiser, RecognitionKind.VOUCHER, 2500)
    money_line(ana, group, organiser, RecognitionKind.EXPENSE, 725)
    money_line(bo, group, organiser)
    money_line(cy, group, organiser, cost_code="ADULTS")
    money_line(cy, group, organiser, cost_code="YOUTH")
    money_line(cy, group, organiser, RecognitionKind.THANKS)
    lines = db.session.scalars(select(RecognitionLine).where(RecognitionLine.kind != RecognitionKind.THANKS)).all()
    rec.approve(lines, finance)
    first = rec.build_return(finance)
    db.session.commit()
    return {"organiser": organiser, "finance": finance, "admin": admin, "group": group, "ana": ana, "bo": bo,
            "cy": cy, "return": first}


def csv_rows(data: bytes) -> list[list[str]]:
    assert not data.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def by_payee_sheet(ret) -> dict[str, int]:
    """payee reference -> this return's pence, from the Excel return's By payee sheet."""
    out = io.BytesIO()
    write_return(*return_data.return_rows(ret), out)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True)["By payee"]
    totals = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row and row[0] and row[0] != "Total":  # past the table: a gap, then the totals row
            totals[row[0]] = round(row[2] * 100)
    return totals


CUSTOM = {"file_format": "csv", "date_format": "%d-%b-%Y",
          "heading_1": "AMOUNT GBP", "source_1": "amount",
          "heading_2": "Supplier", "source_2": "payee_ref",
          "heading_3": "Company", "source_3": "fixed", "fixed_3": "HALTON-01",
          "heading_4": "GL", "source_4": "ledger_code",
          "heading_5": "Tax", "source_5": "vat_code",
          "heading_6": "Claim", "source_6": "claim_number",
          "heading_7": "Invoice date", "source_7": "return_date",
          "heading_9": "Cost centre", "source_9": "cost_code",  # row 8 left blank: ignored
          "heading_10": "Lines", "source_10": "line_count",
          "heading_11": "Route", "source_11": "payment_route"}


def test_an_import_file_in_a_custom_layout_matches_the_return(app, world):
    admin = signed_in(app, world["admin"])
    response = admin.submit("/admin/import-layout", CUSTOM)
    assert response.status_code == 302
    assert events("create", "ImportLayout") == 1
    db.session.expire_all()
    assert db.session.get(ImportLayout, 1).columns[2] == {"heading": "Company", "source": "fixed:HALTON-01"}
    paying.set_payment_route(world["bo"], PaymentRoute.PAYROLL, world["finance"])
    db.session.commit()

    finance = signed_in(app, world["finance"])
    assert "Download the import file" in finance.get("/finance/returns/1").get_data(as_text=True)
    response = finance.get("/finance/returns/1/import")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="import-file-1-')
    rows = csv_rows(response.get_data())
    assert rows[0] == ["AMOUNT GBP", "Supplier", "Company", "GL", "Tax", "Claim", "Invoice date", "Cost centre",
                       "Lines", "Route"]
    made_on = world["return"].made_at.astimezone(import_file.LONDON).date()
    day = f"{made_on.day:02d}-{made_on:%b}-{made_on.year}"
    assert rows[1:] == [  # by name, then codes; the codes each line was recorded with
        ["40.00", "SUP-A", "HALTON-01", "", "OS", "R1-0001", day, "ADULTS", "1", ""],
        ["40.00", "SUP-A", "HALTON-01", "5010", "OS", "R1-0001", day, "ADULTS", "1", ""],
        ["25.00", "SUP-A", "HALTON-01", "5020", "OS", "R1-0001", day, "ADULTS", "1", ""],
        ["7.25", "SUP-A", "HALTON-01", "5030", "EX", "R1-0001", day, "ADULTS", "1", ""],
        ["40.00", "PAY-B", "HALTON-01", "5010", "OS", "R1-0002", day, "ADULTS", "1", "payroll"],
        ["40.00", "SUP-C", "HALTON-01", "5010", "OS", "R1-0003", day, "ADULTS", "1", ""],
        ["40.00", "SUP-C", "HALTON-01", "5010", "OS", "R1-0003", day, "YOUTH", "1", ""],
    ]
    totals = defaultdict(int)
    for row in rows[1:]:
        pounds, pennies = row[0].split(".")
        totals[row[1]] += int(pounds) * 100 + int(pennies)
    assert dict(totals) == by_payee_sheet(world["return"])
    assert events("download-import-file", "FinanceReturn") == 1
    assert finance.get("/finance/returns/1/import").get_data() == response.get_data()  # the same file again


def test_reversals_net_in_and_rows_that_come_to_nothing_are_left_out(app, world):
    finance, organiser = world["finance"], world["organiser"]
    bo_line = db.session.scalar(select(RecognitionLine).where(RecognitionLine.person_id == world["bo"].id))
    ana_line = db.session.scalar(select(RecognitionLine).where(RecognitionLine.person_id == world["ana"].id,
                                                               RecognitionLine.ledger_code == "5010"))
    made = [*rec.correct(bo_line, 4000, "Paid twice by mistake: put right", organiser),  # -40 + 40: nothing
            *rec.correct(ana_line, 3000, "Left early", organiser)]                       # -40 + 30: -10
    paying.save_codes({RecognitionKind.PAYMENT: ("9999", "ZZ")}, world["admin"])  # corrections keep old codes
    rec.approve([line for line in made if line is not None], finance)
    second = rec.build_return(finance)
    db.session.commit()
    rows = list(import_file.import_rows(second))
    assert [(r.claim_number, r.payee_ref, r.ledger_code, r.vat_code, r.amount_pence, r.line_count) for r in rows] \
        == [("R2-0001", "SUP-A", "5010", "OS", -1000, 2)]
    assert by_payee_sheet(second) == {"SUP-A": -1000, "PAY-B": 0}


def test_an_import_sheet_from_the_command_line(app, world, runner, tmp_path):
    layout = import_file.Layout("xlsx", "%Y-%m-%d", (("Ref", "payee_ref"), ("=Note", "fixed:=HYPERLINK(1)"),
                                                     ("Pounds", "amount"), ("Pence", "amount_pence"),
                                                     ("Up to", "period_to"), ("Year", "tax_year")))
    import_file.save_layout(layout, world["admin"])
    db.session.commit()
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        result = runner.invoke(args=["finance", "import-file", "1", "--output", str(path)])
        assert result.exit_code == 0, result.output
        assert "Wrote finance return 1's import file (xlsx)" in result.output
    assert first.read_bytes() == second.read_bytes()
    assert events("download-import-file", "FinanceReturn") == 2  # each copy taken is in the audit log
    sheet = load_workbook(first)["Import"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    year = import_file.tax_year_text(world["return"])
    assert rows[0] == ["Ref", "=Note", "Pounds", "Pence", "Up to", "Year"]
    assert sheet["A1"].data_type == "s" and sheet["B1"].data_type == "s"  # headings and fixed values never formulas
    assert rows[1] == ["SUP-A", "=HYPERLINK(1)", 40, 4000, None, year]
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix and sheet["C2"].number_format == "0.00"
    assert [r[0] for r in rows[1:]] == ["SUP-A"] * 4 + ["PAY-B", "SUP-C", "SUP-C"]
    assert sum(round(r[2] * 100) for r in rows[1:]) == sum(by_payee_sheet(world["return"]).values())
    assert runner.invoke(args=["finance", "import-file", "9", "--output", str(first)]).output.strip() \
        == "Error: There is no finance return number 9."


def test_the_layout_page_shows_the_default_then_a_preview_in_the_saved_layout(app, make_user, sample):
    admin = signed_in(app, make_user(Role.ADMIN))
    page = admin.get("/admin/import-layout").get_data(as_text=True)
    assert "There is no return yet." in page
    assert 'value="Supplier or payroll number"' in page  # the default layout, with no row stored


def preview_of(admin) -> tuple[str, int]:
    admin.get("/admin/import-layout")  # warm: the session's user and the form are cached after the first
    with count_queries() as queries:
        page = admin.get("/admin/import-layout").get_data(as_text=True)
    return page.split('id="preview-title"')[1], queries["n"]


def test_the_preview_shows_the_latest_return_in_constant_queries(app, world):
    admin = signed_in(app, world["admin"])
    preview, few = preview_of(admin)
    assert "The first rows of return 1's import file" in preview
    assert preview.count("<tr>") == 1 + 7 and "R1-0003" in preview
    for i in range(12):
        person = add_person(f"P{i:02d}", "Zed", f"Z{i:02d}")
        money_line(person, world["group"], world["organiser"])
    lines = db.session.scalars(select(RecognitionLine).where(RecognitionLine.status == LineStatus.RECORDED)
                               .where(RecognitionLine.kind != RecognitionKind.THANKS)).all()
    rec.approve(lines, world["finance"])
    rec.build_return(world["finance"])
    db.session.commit()
    preview, many = preview_of(admin)
    assert "The first rows of return 2's import file" in preview
    assert preview.count("<tr>") == 1 + 10 and "R2-0010" in preview and "R2-0011" not in preview
    assert many == few


@pytest.mark.parametrize("data, field, message", [
    ({"heading_2": "Supplier"}, "source_2", "Choose a field or Fixed value for column 2."),
    ({"source_4": "amount"}, "heading_4", "Enter a heading for column 4."),
    ({"heading_3": "Company", "source_3": "fixed"}, "fixed_3", "Enter the fixed value for column 3."),
    ({"heading_3": "Company", "source_3": "amount", "fixed_3": "X"}, "fixed_3",
     "Column 3 takes its value from a field. Clear its fixed value or choose Fixed value."),
    ({"heading_5": "claim", "source_5": "claim_number"}, "heading_5",
     "Column 5 has the same heading as column 1. Give each column its own heading."),
    ({"heading_6": "X", "source_6": "bank_account"}, "source_6", "Choose a field or Fixed value for column 6."),
    ({"heading_1": "", "source_1": ""}, "heading_1", "Add at least one column: a heading and a field or a fixed value."),
    ({"heading_7": "H" * 101, "source_7": "amount"}, "heading_7",
     "The heading of column 7 must be 100 characters or fewer."),
    ({"file_format": "pdf"}, "file_format", "Choose CSV or an Excel sheet."),
    ({"date_format": "%s"}, "date_format", "Choose how dates are written."),
])
def test_the_layout_form_says_what_to_fix(app, make_user, data, field, message):
    admin = signed_in(app, make_user(Role.ADMIN))
    form = {"file_format": "csv", "date_format": "%d/%m/%Y", "heading_1": "Claim", "source_1": "claim_number", **data}
    response = admin.submit("/admin/import-layout", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="#{field}' in page and message in page
    assert db.session.scalar(select(func.count()).select_from(ImportLayout)) == 0


def test_codes_are_set_by_admins_and_kept_by_each_line(app, world):
    lines = db.session.execute(select(RecognitionLine.ledger_code, RecognitionLine.vat_code)
                               .where(RecognitionLine.kind == RecognitionKind.THANKS)).all()
    assert lines == [("", "")]  # thanks lines carry no codes
    admin = signed_in(app, world["admin"])
    page = admin.get("/admin/ledger-codes").get_data(as_text=True)
    assert 'value="5030"' in page and 'value="EX"' in page
    response = admin.submit("/admin/ledger-codes", {"payment_ledger": "6010", "payment_vat": "",
                                                   "voucher_ledger": "5020", "voucher_vat": "OS",
                                                   "expense_ledger": "5030", "expense_vat": "EX"})
    assert response.status_code == 400
    assert "Enter the VAT code for payments, like OS." in response.get_data(as_text=True)
    response = admin.submit("/admin/ledger-codes", {"payment_ledger": "60=10", "payment_vat": "OS",
                                                   "voucher_ledger": "5020", "voucher_vat": "OS",
                                                   "expense_ledger": "5030", "expense_vat": "EX"})
    assert "Ledger codes may use only letters, numbers, spaces, dots, dashes, slashes and underscores." \
        in response.get_data(as_text=True)
    before = events("update", "LedgerCode")
    good = {"payment_ledger": "6010", "payment_vat": "OS", "voucher_ledger": "5020", "voucher_vat": "OS",
            "expense_ledger": "5030", "expense_vat": "EX"}
    response = admin.submit("/admin/ledger-codes", good, follow_redirects=True)
    assert "Ledger and VAT codes saved." in response.get_data(as_text=True)
    admin.submit("/admin/ledger-codes", good)  # pressed again: nothing changes, nothing more in the audit log
    assert events("update", "LedgerCode") == before + 1
    line = money_line(world["ana"], world["group"], world["organiser"])
    assert (line.ledger_code, line.vat_code) == ("6010", "OS")
    assert db.session.scalar(select(func.count()).select_from(RecognitionLine)
                             .where(RecognitionLine.ledger_code == "5010")) == 4  # recorded before: unchanged


def test_with_no_codes_stored_lines_get_no_ledger_code_and_outside_scope(app, sample, make_user):
    assert paying.codes_for(RecognitionKind.EXPENSE) == ("", "OS")
    assert paying.current_codes()[RecognitionKind.PAYMENT] == ("", "OS")
    assert db.session.scalar(select(func.count()).select_from(LedgerCode)) == 0


def test_finance_sets_a_payment_route_who_and_when_audited(app, world):
    finance = signed_in(app, world["finance"])
    page = finance.get("/finance/payees?show=all").get_data(as_text=True)
    assert "Payment route for Bo Brown" in page and "Not decided yet" in page
    url = f"/finance/payees/{world['bo'].id}/route?show=all"
    response = finance.submit(url, {"payment_route": "payroll"}, token_from="/finance/payees?show=all",
                              follow_redirects=True)
    assert "Payment route saved." in response.get_data(as_text=True)
    finance.submit(url, {"payment_route": "payroll"}, token_from="/finance/payees?show=all")  # a double submit
    db.session.expire_all()
    bo = db.session.get(Person, world["bo"].id)
    assert (bo.payment_route, bo.payment_route_by_id) == (PaymentRoute.PAYROLL, world["finance"].id)
    assert bo.payment_route_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "Person",
                                                        AuditEvent.action == "update")).all()
    assert len(event) == 1 and event[0].after["payment_route"] == "payroll"
    page = finance.get("/finance/payees?show=all").get_data(as_text=True)
    assert f"Decided by {world['finance'].name}" in page
    response = finance.submit(url, {"payment_route": "cash"}, token_from="/finance/payees?show=all",
                              follow_redirects=True)
    assert "Choose how finance pays them." in response.get_data(as_text=True)
    response = finance.submit(url, {"payment_route": ""}, token_from="/finance/payees?show=all",
                              follow_redirects=True)
    assert "Choose how finance pays them." in response.get_data(as_text=True)
    stranger = add_person("No", "Money", "X")
    db.session.commit()
    assert finance.submit(f"/finance/payees/{stranger.id}/route", {"payment_route": "payroll"},
                          token_from="/finance/payees").status_code == 404


def test_expenses_only_holds_payments_and_vouchers_not_expenses(app, world):
    dee = add_person("Dee", "Dunn", "SUP-D", PaymentRoute.EXPENSES_ONLY)
    payment = money_line(dee, world["group"], world["organiser"])
    voucher = money_line(dee, world["group"], world["organiser"], RecognitionKind.VOUCHER, 1000)
    expense = money_line(dee, world["group"], world["organiser"], RecognitionKind.EXPENSE, 450)
    reason = "Expenses only: change their payment route or record expenses"
    assert [str(r) for r in rec.hold_reasons(payment)] == [reason]
    assert [str(r) for r in rec.hold_reasons(voucher)] == [reason] and rec.hold_reasons(expense) == []
    rec.approve([payment, voucher, expense], world["finance"])
    db.session.commit()
    finance = signed_in(app, world["finance"])
    page = finance.get("/finance/held").get_data(as_text=True)
    assert page.count(reason) == 2
    second = rec.build_return(world["finance"])
    db.session.commit()
    assert [(r.payee_ref, r.amount_pence) for r in import_file.import_rows(second)] == [("SUP-D", 450)]
    paying.set_payment_route(dee, PaymentRoute.SUPPLIER, world["finance"])
    assert rec.hold_reasons(payment) == []
    third = rec.build_return(world["finance"])
    assert {line.kind for line in db.session.scalars(select(RecognitionLine)
                                                     .where(RecognitionLine.return_id == third.id))} \
        == {RecognitionKind.PAYMENT, RecognitionKind.VOUCHER}


@pytest.mark.parametrize("role, method, url, status", [
    (Role.ORGANISER, "get", "/admin/ledger-codes", 403),
    (Role.FINANCE, "get", "/admin/ledger-codes", 403),
    (Role.ORGANISER, "get", "/admin/import-layout", 403),
    (Role.FINANCE, "post", "/admin/import-layout", 403),
    (Role.ORGANISER, "get", "/finance/returns/1/import", 403),
    (Role.ORGANISER, "post", "/finance/payees/1/route", 403),
    (Role.ADMIN, "get", "/finance/returns/1/import", 200),
])
def test_the_wrong_role_gets_403(app, world, role, method, url, status):
    client = app.test_client()
    user = {Role.ORGANISER: world["organiser"], Role.FINANCE: world["finance"], Role.ADMIN: world["admin"]}[role]
    client.submit("/login", {"email": user.email, "password": PASSWORD})
    token = client.csrf_token("/account") if method == "post" else None
    response = client.get(url) if method == "get" else client.post(url, data={"csrf_token": token})
    assert response.status_code == status


def test_the_payees_page_makes_the_same_queries_for_more_people(app, world):
    finance = signed_in(app, world["finance"])
    paying.set_payment_route(world["ana"], PaymentRoute.SUPPLIER, world["finance"])
    db.session.commit()
    finance.get("/finance/payees?show=all")
    with count_queries() as few:
        finance.get("/finance/payees?show=all")
    for i in range(5):
        person = add_person(f"More{i}", "People", f"M{i}")
        money_line(person, world["group"], world["organiser"])
        paying.set_payment_route(person, PaymentRoute.PAYROLL, world["admin"])
    db.session.commit()
    with count_queries() as many:
        page = finance.get("/finance/payees?show=all").get_data(as_text=True)
    assert page.count("Decided by") == 6
    assert many["n"] == few["n"]


def test_no_return_number_is_404(app, world):
    finance = signed_in(app, world["finance"])
    assert finance.get("/finance/returns/7/import").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(FinanceReturn)) == 1
