"""Paying a return line by line (issue 17): payment references and dates, failed payments paid again in the
next return, the return becoming paid, mileage above HMRC's rate, the trading allowance, and remittance advice
by email (read back from a real SMTP server) or as an easy-read letter for someone on ESA."""
import io
from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.finance_return import TRADING_ALLOWANCE_HEADER
from survey_app.messages import sender
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    AuditEvent,
    BenefitKind,
    ChecklistResponse,
    ContactMethod,
    ExpenseType,
    FinanceReturn,
    InformationFormat,
    LineStatus,
    Message,
    MessageChannel,
    MessageKind,
    MessageStatus,
    PaymentBasis,
    Person,
    PersonBenefit,
    PersonRole,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
)
from survey_app.models.base import london_today, utcnow
from survey_app.money import recognition as rec
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.queries import count_queries
from tests.smtp_server import smtp_server

DAY = date(2026, 5, 1)


@pytest.fixture
def world(app, sample, make_user):
    group, dorota = sample["group"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=55))
    # Dorota reads Polish and gets email; Ana gets ESA and has an address.
    dorota.payee_ref, dorota.contact_method, dorota.email = "SUP-1", ContactMethod.EMAIL, "dorota@example.org"
    dorota.information_format, dorota.consent_at = InformationFormat.STANDARD, utcnow()
    ana = Person(first_name="Ana", last_name="Test", contact_method=ContactMethod.EMAIL, email="ana@example.org",
                 information_format=InformationFormat.STANDARD, role=PersonRole.CARER, payee_ref="SUP-2",
                 address="1 High Street\nRuncorn\nWA7 1AA", consent_at=utcnow())
    ana.refresh_search_name()
    db.session.add(ana)
    db.session.commit()
    return {**sample, "dorota": dorota, "ana": ana, "organiser": make_user(Role.ORGANISER),
            "finance": make_user(Role.FINANCE), "admin": make_user(Role.ADMIN)}


def line(w, who, kind=RecognitionKind.PAYMENT, on=DAY, **extra):
    if kind == RecognitionKind.PAYMENT:
        extra.setdefault("basis", PaymentBasis.HALF_DAY)
    data = rec.LineInput(person=who, group_id=w["group"].id, activity_on=on, kind=kind, meeting=w["meeting"],
                         **extra)
    return rec.record(data, w["organiser"])


def a_return(w, *lines) -> FinanceReturn:
    db.session.flush()
    rec.approve(list(lines), w["finance"])
    ret = rec.build_return(w["finance"])
    db.session.commit()
    return ret


def signed_in(app, user):
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def pay(client, number, data, ids=(), every=False, follow=True):
    tokens = client._tokens(f"/finance/returns/{number}")
    form = {**tokens, **data, "line": [str(i) for i in ids]}
    if every:
        form["every"] = "y"
    return client.post(f"/finance/returns/{number}/pay", data=form, follow_redirects=follow)


def text(response):
    return response.get_data(as_text=True)


def test_a_failed_payment_comes_back_in_the_next_return_and_counts_once(app, world):
    first, second = line(world, world["dorota"]), line(world, world["ana"])
    ret = a_return(world, first, second)
    finance = signed_in(app, world["finance"])
    page = text(pay(finance, 1, {"outcome": "failed", "on": "2026-06-02", "failure": "Bank details were wrong"},
                    ids=[first.id]))
    assert "1 line recorded as failed. It will be paid again in the next return." in page
    assert "Payment failed: Bank details were wrong. It will be paid again in the next return." in page
    failed = db.session.get(RecognitionLine, first.id)
    assert (failed.status, failed.payment_failed_on, failed.payment_failure) == (
        LineStatus.PAYMENT_FAILED, date(2026, 6, 2), "Bank details were wrong")
    assert failed.return_id == ret.id  # it stays in its return, locked
    copy = db.session.scalar(select(RecognitionLine).where(RecognitionLine.pays_again_id == first.id))
    assert (copy.status, copy.return_id, copy.approved_by_id, copy.person_id, copy.meeting_id, copy.kind,
            copy.amount_pence, copy.rate_pence, copy.cost_code) == (
        LineStatus.APPROVED, None, world["finance"].id, failed.person_id, failed.meeting_id, failed.kind, 4000,
        4000, failed.cost_code)
    assert db.session.get(FinanceReturn, ret.id).paid_on is None  # Ana's line is not paid yet
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["payment-failed", "pay-again"]))) == 2

    response = finance.submit("/finance/returns", {"period_to": "", "cost_code": ""})
    assert response.status_code == 302
    assert db.session.get(RecognitionLine, copy.id).return_id is not None
    page = text(finance.get("/finance/returns/1"))
    assert "Payment failed: Bank details were wrong. Paid again in return 2." in page
    # Counted once: on her page's totals and on the next return's "Tax year to date".
    assert rec.totals_for(world["dorota"].id, rec.tax_year_start(DAY)) == {RecognitionKind.PAYMENT: 4000}
    book = load_workbook(io.BytesIO(finance.get("/finance/returns/2/download").data))
    by_payee = {row[1]: row for row in book["By payee"].iter_rows(min_row=2, values_only=True) if row[0] and row[1]}
    assert by_payee["Dorota Nowak"][2:4] == (40, 40)
    lines = {row[1]: row for row in load_workbook(io.BytesIO(finance.get("/finance/returns/1/download").data))[
        "Lines"].iter_rows(min_row=2, values_only=True) if row[1]}
    assert lines[failed.line_number][18] == "Bank details were wrong"


def test_paying_lines_one_by_one_makes_the_return_paid_on_the_latest_date(app, world):
    first, second = line(world, world["dorota"]), line(world, world["ana"])
    ret = a_return(world, first, second)
    finance = signed_in(app, world["finance"])
    page = text(finance.get("/finance/returns/1"))
    assert page.count(f'value="{london_today().isoformat()}"') == 2  # both dates offer today
    page = text(pay(finance, 1, {"outcome": "paid", "payment_ref": "BACS-77", "on": "2026-06-03"}, ids=[first.id]))
    assert "1 line recorded as paid." in page and "Reference: BACS-77" in page
    assert db.session.get(FinanceReturn, ret.id).paid_on is None
    page = text(pay(finance, 1, {"outcome": "paid", "payment_ref": "BACS-78", "on": "2026-06-01"}, every=True))
    assert "Every line of return 1 is now paid or failed, so the return is paid." in page
    assert "Remittance advice is on its way to 1 person. Letters wait on the letters page." in page  # Ana's
    paid = db.session.scalars(select(RecognitionLine).order_by(RecognitionLine.line_number)).all()
    assert {(x.id, x.status, x.payment_ref, x.line_paid_on) for x in paid} == {
        (first.id, LineStatus.PAID, "BACS-77", date(2026, 6, 3)),
        (second.id, LineStatus.PAID, "BACS-78", date(2026, 6, 1))}
    assert db.session.get(FinanceReturn, ret.id).paid_on == date(2026, 6, 3)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "pay-lines")) == 2
    rows = [row for row in load_workbook(io.BytesIO(finance.get("/finance/returns/1/download").data))[
        "Lines"].iter_rows(min_row=2, values_only=True) if row[1]]
    assert {(row[16], row[17].date()) for row in rows} == {("BACS-77", date(2026, 6, 3)),
                                                           ("BACS-78", date(2026, 6, 1))}


def test_mark_as_paid_pays_every_unpaid_line_and_leaves_failed_ones(app, world):
    first, second = line(world, world["dorota"]), line(world, world["ana"])
    ret = a_return(world, first, second)
    finance = signed_in(app, world["finance"])
    pay(finance, 1, {"outcome": "failed", "on": "2026-06-02", "failure": "Account closed"}, ids=[second.id])
    response = finance.submit("/finance/returns/1/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/1")
    assert response.status_code == 302
    assert db.session.get(RecognitionLine, first.id).status == LineStatus.PAID
    assert db.session.get(RecognitionLine, second.id).status == LineStatus.PAYMENT_FAILED
    assert db.session.get(FinanceReturn, ret.id).paid_on == date(2026, 6, 30)


def test_exact_errors(app, world):
    first = line(world, world["dorota"])
    a_return(world, first)
    finance = signed_in(app, world["finance"])
    cases = [({"outcome": "paid", "on": "2026-06-03"}, [first.id],
              "Enter the payment reference from your finance system."),
             ({"outcome": "failed", "on": "2026-06-03"}, [first.id], "Say why the payment failed."),
             ({"outcome": "paid", "payment_ref": "X", "on": ""}, [first.id],
              "Enter the date it was paid, or the date it failed."),
             ({"on": "2026-06-03"}, [first.id], "Choose whether the lines were paid or the payment failed."),
             ({"outcome": "paid", "payment_ref": "X", "on": "2026-06-03"}, [],
              "Tick the lines you want to record, or choose every line not yet paid.")]
    for data, ids, message in cases:
        response = pay(finance, 1, data, ids=ids, follow=False)
        assert response.status_code == 400 and message in text(response), message
        assert "<title>Error: Finance return 1" in text(response)
    assert db.session.get(RecognitionLine, first.id).status == LineStatus.IN_RETURN


def test_a_double_press_does_nothing_twice(app, world):
    first, second = line(world, world["dorota"]), line(world, world["ana"])
    a_return(world, first, second)
    finance = signed_in(app, world["finance"])
    tokens = finance._tokens("/finance/returns/1")
    form = {**tokens, "outcome": "failed", "on": "2026-06-02", "failure": "Bounced", "line": [str(first.id)]}
    assert finance.post("/finance/returns/1/pay", data=form).status_code == 302
    again = finance.post("/finance/returns/1/pay", data=form, follow_redirects=True)
    assert "That was done already." in text(again)
    assert db.session.scalar(select(func.count()).where(RecognitionLine.pays_again_id == first.id)) == 1
    # A fresh page, the same line: it is failed already, so nothing changes.
    page = text(pay(finance, 1, {"outcome": "paid", "payment_ref": "B", "on": "2026-06-02"}, ids=[first.id]))
    assert "Those lines were already paid or failed, so nothing changed." in page
    assert db.session.get(RecognitionLine, first.id).status == LineStatus.PAYMENT_FAILED


def test_mileage_above_the_approved_rate_is_flagged(app, world):
    finance = signed_in(app, world["finance"])
    miles = line(world, world["dorota"], kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.MILEAGE,
                 miles_tenths=1000)  # 100 miles at 55p
    db.session.commit()
    page = text(finance.get("/finance/approve"))
    assert ("Mileage at £0.55 a mile is above HMRC's approved rate of £0.45. The part above it, £10.00, "
            "is taxable.") in page
    a_return(world, miles)
    rows = load_workbook(io.BytesIO(finance.get("/finance/returns/1/download").data))["Lines"]
    header = [cell.value for cell in rows[1]]
    column = header.index("Mileage above HMRC rate (taxable)") + 1
    assert rows.cell(row=2, column=column).value == 10  # pounds: (55p - 45p) x 100 miles
    admin = signed_in(app, world["admin"])
    assert ("The mileage rate of £0.55 a mile is above HMRC's approved rate of £0.45. The part above it is "
            "taxable, and finance will see it flagged on every mileage claim.") in text(admin.get("/admin/rates"))


def test_mileage_at_the_approved_rate_is_not_flagged(app, world):
    app.config["HMRC_MILEAGE_PENCE"] = 55
    line(world, world["dorota"], kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.MILEAGE, miles_tenths=100)
    db.session.commit()
    assert "approved rate" not in text(signed_in(app, world["finance"]).get("/finance/approve"))
    assert "approved rate" not in text(signed_in(app, world["admin"]).get("/admin/rates"))


def test_the_trading_allowance_is_flagged_on_by_payee(app, world):
    # Dorota: £750 in return 1 and £300 in return 2 (plus expenses, which never count); Ana: £600.
    earlier = [line(world, world["dorota"], kind=RecognitionKind.PAYMENT, basis=PaymentBasis.DAY, on=DAY)
               for _ in range(10)]
    a_return(world, *earlier)
    later = [line(world, world["dorota"], kind=RecognitionKind.VOUCHER, amount_pence=30000),
             line(world, world["dorota"], kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.FARES,
                  amount_pence=900),
             *[line(world, world["ana"], basis=PaymentBasis.DAY) for _ in range(8)]]
    a_return(world, *later)
    finance = signed_in(app, world["finance"])
    sheet = load_workbook(io.BytesIO(finance.get("/finance/returns/2/download").data))["By payee"]
    header = [cell.value for cell in sheet[1]]
    assert header[4] == TRADING_ALLOWANCE_HEADER == "Over the £1,000 trading allowance this tax year"
    flags = {row[1]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] and row[1]}
    assert flags == {"Dorota Nowak": "Yes", "Ana Test": "No"}
    first = load_workbook(io.BytesIO(finance.get("/finance/returns/1/download").data))["By payee"]
    assert [row[4] for row in first.iter_rows(min_row=2, values_only=True) if row[0] and row[1]] == ["No"]


def test_the_remittance_email_arrives_in_polish_with_the_amounts(app, world):
    world["dorota"].language = "pl"
    first, voucher = line(world, world["dorota"]), line(world, world["dorota"], kind=RecognitionKind.VOUCHER,
                                                         amount_pence=1250)
    db.session.commit()
    a_return(world, first, voucher)
    finance = signed_in(app, world["finance"])
    pay(finance, 1, {"outcome": "paid", "payment_ref": "BACS-1", "on": "2026-06-03"}, ids=[first.id])
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0  # not until all her lines are
    pay(finance, 1, {"outcome": "paid", "payment_ref": "BACS-2", "on": "2026-06-03"}, ids=[voucher.id])
    message = db.session.scalar(select(Message))
    assert (message.kind, message.channel, message.dedupe_key) == (
        MessageKind.REMITTANCE, MessageChannel.EMAIL, f"remittance:r1:p{world['dorota'].id}")
    with smtp_server() as server:
        tally = sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"),
                                worker_id="test")
        assert tally.sentence() == "Sent 1, failed 0, to retry 0."
        mail = server.messages[0]
    assert mail["To"] == "dorota@example.org" and message.language == "pl"
    body = mail.get_body(("plain",)).get_content()
    for pence in (4000, 1250, 5250):
        assert format_currency(pence / 100, "GBP", locale="pl_PL") in body
    assert format_date(date(2026, 6, 3), "long", locale="pl") in body  # "3 czerwca 2026"
    assert "Health checks" in body
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "queue-message")) == 1
    # A second "mark as paid" of nothing new queues nothing more.
    pay(finance, 1, {"outcome": "paid", "payment_ref": "BACS-3", "on": "2026-06-03"}, every=True)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_an_esa_remittance_is_an_easy_read_letter_printed_by_finance(app, world):
    db.session.add(PersonBenefit(person_id=world["ana"].id, benefit=BenefitKind.ESA))
    first, other = line(world, world["ana"]), line(world, world["dorota"])
    db.session.commit()
    a_return(world, first, other)
    finance = signed_in(app, world["finance"])
    response = finance.submit("/finance/returns/1/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/1")
    assert response.status_code == 302
    letter = db.session.scalar(select(Message).where(Message.person_id == world["ana"].id))
    assert letter.channel == MessageChannel.LETTER and letter.kind == MessageKind.REMITTANCE
    page = text(finance.get("/finance/letters"))
    assert "1 High Street" in page and "Keep this letter for your records." in page
    assert "We have paid you £40.00." in page  # the easy-read wording
    assert "Dorota" not in page  # her remittance went by email
    response = finance.submit("/finance/letters/printed", {"letter": str(letter.id)}, token_from="/finance/letters")
    assert response.status_code == 302
    assert db.session.get(Message, letter.id).status == MessageStatus.PRINTED
    assert "There are no letters waiting to be printed." in text(finance.get("/finance/letters"))
    # The printable copy for finance, per person per return.
    page = text(finance.get(f"/finance/returns/1/remittance/{world['ana'].id}"))
    assert "We have paid you £40.00." in page and "1 High Street" in page
    assert finance.get("/finance/returns/1/remittance/999999").status_code == 404


def test_organisers_get_403_on_the_paying_pages(app, world):
    first = line(world, world["dorota"])
    a_return(world, first)
    finance = signed_in(app, world["finance"])
    finance.submit("/finance/returns/1/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/1")
    organiser = signed_in(app, world["organiser"])
    for url in ("/finance/letters", f"/finance/returns/1/remittance/{world['dorota'].id}", "/finance/returns/1"):
        assert organiser.get(url).status_code == 403, url
    token = organiser.csrf_token("/account")
    for url in ("/finance/returns/1/pay", "/finance/letters/printed"):
        assert organiser.post(url, data={"csrf_token": token}).status_code == 403, url


def test_the_paying_pages_make_a_constant_number_of_queries(app, world):
    for who in ("Bea", "Cal", "Dee"):
        p = Person(first_name=who, last_name="Test", contact_method=ContactMethod.POST, address="2 Low Road",
                   information_format=InformationFormat.STANDARD, role=PersonRole.CARER, payee_ref=f"S-{who}",
                   consent_at=utcnow())
        p.refresh_search_name()
        db.session.add(p)
    db.session.commit()
    people = db.session.scalars(select(Person).where(Person.contact_method == ContactMethod.POST)).all()
    small = a_return(world, line(world, people[0]))
    big = a_return(world, *[line(world, p) for p in people])
    finance = signed_in(app, world["finance"])
    counts = []
    for number in (small.number, big.number):
        finance.get(f"/finance/returns/{number}")
        with count_queries() as counter:
            finance.get(f"/finance/returns/{number}")
        counts.append(counter["n"])
    assert counts[0] == counts[1]
    finance.submit("/finance/returns/1/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/1")
    letters = []
    for _step in range(2):
        with count_queries() as counter:
            finance.get("/finance/letters")
        letters.append(counter["n"])
        finance.submit("/finance/returns/2/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/2")
    assert db.session.scalar(select(func.count()).select_from(Message)) == 4
    assert letters[0] == letters[1]


def test_the_results_page_says_1_answer(app, world):
    db.session.add(ChecklistResponse(meeting_id=world["meeting"].id, responded_on=DAY, achieved=4))
    db.session.commit()
    page = text(signed_in(app, world["organiser"]).get(f"/meetings/{world['meeting'].id}/results"))
    assert "from 1 answer." in page and "1 answers" not in page
