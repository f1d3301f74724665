"""Recognition through the pages: organisers record, finance approves, builds, downloads and pays."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.finance_return import FORBIDDEN_HEADERS
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    FinanceReturn,
    LineStatus,
    Person,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    ThanksType,
)
from survey_app.web.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def world(app, sample, make_user):
    group, meeting, person = sample["group"], sample["meeting"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-1"
    person.recognition_preference = "paid"
    others = []
    for first, wish in (("Ana", "thanks_only"), ("Bo", "voucher"), ("Cy", "paid")):
        p = Person(first_name=first, last_name="Test", contact_method="email", email=f"{first}@x.example",
                   information_format="standard", role="carer", recognition_preference=wish,
                   payee_ref="" if first == "Cy" else f"SUP-{first}")
        p.refresh_search_name()
        others.append(p)
    db.session.add_all(others)
    for p in [person, *others]:
        db.session.add(Attendance(meeting=meeting, person=p, status=AttendanceStatus.ATTENDED))
    db.session.commit()
    return {"organiser": make_user(Role.ORGANISER), "finance": make_user(Role.FINANCE), **sample, "others": others}


def signed_in(app, user):
    client = app.test_client()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_recognise_everyone_who_came_by_their_wishes(app, world):
    organiser = signed_in(app, world["organiser"])
    url = f"/meetings/{world['meeting'].id}/recognition"
    page = organiser.get(url).get_data(as_text=True)
    assert "Attended but not yet recognised" in page and "Ana Test" in page
    response = organiser.submit(f"{url}/everyone", {"basis": "half_day"}, token_from=url)
    assert response.status_code == 302
    kinds = dict(db.session.execute(select(Person.first_name, RecognitionLine.kind)
                                    .join(RecognitionLine, RecognitionLine.person_id == Person.id)).all())
    assert kinds == {"Dorota": RecognitionKind.PAYMENT, "Ana": RecognitionKind.THANKS, "Cy": RecognitionKind.PAYMENT}
    assert db.session.scalar(select(RecognitionLine.amount_pence).join(Person)
                             .where(Person.first_name == "Dorota")) == 4000
    page = organiser.get(url).get_data(as_text=True)
    assert "Bo Test" in page.split("Recorded for this meeting")[0]  # the voucher person is still waiting


def test_record_one_line_of_each_kind_with_plain_errors(app, world):
    organiser = signed_in(app, world["organiser"])
    pid, mid = world["person"].id, world["meeting"].id
    base = f"/people/{pid}/recognition"
    response = organiser.submit(f"{base}/payment?meeting={mid}", {"basis": "hours", "hours": "abc",
                                                                  "activity_on": "2026-05-01"})
    assert "Enter the hours as a number from 0.25 to 24, like 2 or 2.5." in response.get_data(as_text=True)
    response = organiser.submit(f"{base}/payment?meeting={mid}", {"basis": "hours", "hours": "2.5",
                                                                  "activity_on": "2026-05-01"})
    assert response.status_code == 302
    response = organiser.submit(f"{base}/voucher?meeting={mid}", {"provider": "Love2Shop", "value": "12.345",
                                                                  "activity_on": "2026-05-01"})
    assert "Enter the value in pounds and pence, like 25 or 12.50." in response.get_data(as_text=True)
    organiser.submit(f"{base}/voucher?meeting={mid}", {"provider": "Love2Shop", "value": "£25",
                                                       "serial": "=HYPERLINK(1)", "activity_on": "2026-05-01"})
    organiser.submit(f"{base}/expense?meeting={mid}", {"expense_type": "mileage", "miles": "12.5",
                                                       "activity_on": "2026-05-01"})
    organiser.submit(f"{base}/thanks?meeting={mid}", {"thanks_type": "certificate", "activity_on": "2026-05-01"})
    response = organiser.submit(f"{base}/payment", {"basis": "day", "activity_on": "2026-05-01",
                                                    "group": str(world["group"].id)})
    assert "Say what the work was for." in response.get_data(as_text=True)
    organiser.submit(f"{base}/payment", {"basis": "day", "activity_on": "2026-05-02", "activity": "Reading papers",
                                         "group": str(world["group"].id)})
    amounts = db.session.execute(select(RecognitionLine.kind, RecognitionLine.amount_pence)
                                 .order_by(RecognitionLine.id)).all()
    assert amounts == [(RecognitionKind.PAYMENT, 3750), (RecognitionKind.VOUCHER, 2500),
                       (RecognitionKind.EXPENSE, 563), (RecognitionKind.THANKS, 0), (RecognitionKind.PAYMENT, 7500)]
    assert db.session.scalar(select(RecognitionLine.thanks_type).where(
        RecognitionLine.kind == RecognitionKind.THANKS)) == ThanksType.CERTIFICATE
    page = organiser.get(f"/people/{pid}").get_data(as_text=True)
    assert "Reading papers" in page and "£75.00" in page


def pay_everyone(app, world):
    organiser = signed_in(app, world["organiser"])
    url = f"/meetings/{world['meeting'].id}/recognition"
    organiser.submit(f"{url}/everyone", {"basis": "half_day"}, token_from=url)
    return organiser


def test_finance_approves_many_but_never_their_own(app, world):
    pay_everyone(app, world)
    finance = signed_in(app, world["finance"])
    own = RecognitionLine(person_id=world["person"].id, group_id=world["group"].id, activity_on=date(2026, 5, 1),
                          kind=RecognitionKind.EXPENSE, amount_pence=500, recorded_by_id=world["finance"].id)
    db.session.add(own)
    db.session.commit()
    page = finance.get("/finance/approve").get_data(as_text=True)
    assert "You recorded this" in page
    ids = [str(i) for i in db.session.scalars(select(RecognitionLine.id)
                                              .where(RecognitionLine.kind != RecognitionKind.THANKS))]
    response = finance.submit("/finance/approve", {"line": ids})
    assert response.status_code == 302
    page = finance.get("/finance/approve").get_data(as_text=True)
    assert "Lines approved: 2." in page
    assert "You recorded this line, so someone else must approve it." in page
    assert db.session.get(RecognitionLine, own.id).status == LineStatus.RECORDED


def test_build_download_and_pay_a_return(app, world):
    pay_everyone(app, world)
    finance = signed_in(app, world["finance"])
    ids = [str(i) for i in db.session.scalars(select(RecognitionLine.id)
                                              .where(RecognitionLine.kind != RecognitionKind.THANKS))]
    finance.submit("/finance/approve", {"line": ids})
    response = finance.submit("/finance/returns", {"period_to": "", "cost_code": ""})
    assert response.headers["Location"] == "/finance/returns/1"
    ret = db.session.scalar(select(FinanceReturn))
    in_return = db.session.scalars(select(RecognitionLine).where(RecognitionLine.return_id == ret.id)).all()
    assert [line.person.first_name for line in in_return] == ["Dorota"]  # Cy has no payee reference yet
    response = finance.get("/finance/returns/1/download")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="finance-return-1-')
    book = load_workbook(io.BytesIO(response.data))
    headers = [str(c.value) for ws in book.worksheets for c in ws[1] if c.value]
    assert not [h for h in headers if any(f.lower() in h.lower() for f in FORBIDDEN_HEADERS)]
    lines = book["Lines"]
    assert lines.cell(row=2, column=4).value == "Dorota Nowak"
    amounts = [c.value for c in lines["K"][1:] if isinstance(c.value, (int, float))]
    total_pence = db.session.scalar(select(func.sum(RecognitionLine.amount_pence))
                                    .where(RecognitionLine.return_id == ret.id))
    assert round(amounts[-1] * 100) == total_pence == 4000  # the totals row
    missing = [c.value for row in book["Payee set-up needed"].iter_rows(min_row=2) for c in row]
    assert "Cy Test" in missing
    assert count(AuditEvent, AuditEvent.action == "download") == 1
    response = finance.submit("/finance/returns/1/paid", {"paid_on": "2026-06-30"}, token_from="/finance/returns/1")
    assert response.status_code == 302
    db.session.expire_all()
    assert ret.paid_on == date(2026, 6, 30) and {line.status for line in in_return} == {LineStatus.PAID}


def test_a_locked_line_cannot_be_changed_through_any_route(app, world):
    test_build_download_and_pay_a_return(app, world)
    line = db.session.scalar(select(RecognitionLine).where(RecognitionLine.return_id.is_not(None)))
    organiser = signed_in(app, world["organiser"])
    response = organiser.submit(f"/recognition/{line.id}/delete", {}, token_from=f"/people/{line.person_id}")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(RecognitionLine, line.id).amount_pence == 4000
    response = organiser.submit(f"/recognition/{line.id}/correct", {"amount": "35", "reason": "Left early"})
    assert response.status_code == 302
    new = db.session.scalars(select(RecognitionLine.amount_pence).where(RecognitionLine.return_id.is_(None),
                                                                        RecognitionLine.person_id == line.person_id,
                                                                        RecognitionLine.kind != "thanks")).all()
    assert sorted(new) == [-4000, 3500]


def test_payee_reference_and_benefits_hold_through_the_pages(app, world):
    cy = world["others"][2]
    cy.benefits_check = True
    db.session.commit()
    pay_everyone(app, world)
    finance = signed_in(app, world["finance"])
    page = finance.get("/finance/held").get_data(as_text=True)
    assert "Cy Test" in page and "No payee reference yet." in page and "benefits" in page
    finance.submit(f"/finance/payees/{cy.id}", {"payee_ref": "SUP-CY"}, token_from="/finance/payees")
    db.session.expire_all()
    assert db.session.get(Person, cy.id).payee_ref == "SUP-CY"
    organiser = signed_in(app, world["organiser"])
    organiser.submit(f"/people/{cy.id}/benefits", {"talked_on": "2026-05-03", "with_whom": "Sam"},
                     token_from=f"/people/{cy.id}")
    held = finance.get("/finance/held").get_data(as_text=True).split("<h1")[1]  # past any flash message
    assert "Cy Test" not in held


def test_finance_pages_show_no_contact_or_health_details(app, world):
    pay_everyone(app, world)
    finance = signed_in(app, world["finance"])
    for url in ("/finance/", "/finance/approve", "/finance/held", "/finance/payees?show=all"):
        page = finance.get(url).get_data(as_text=True)
        assert "07700" not in page and "@x.example" not in page
    assert finance.get(f"/people/{world['person'].id}").status_code == 403


def test_cli_exports_a_return_the_same_as_the_download(app, world, runner, tmp_path):
    test_build_download_and_pay_a_return(app, world)
    target = tmp_path / "return-1.xlsx"
    result = runner.invoke(args=["finance", "export", "1", "--output", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book["Lines"].cell(row=2, column=4).value == "Dorota Nowak"
    again = tmp_path / "again.xlsx"
    runner.invoke(args=["finance", "export", "1", "--output", str(again)])
    assert target.read_bytes() == again.read_bytes()  # the same return twice is the same file
    result = runner.invoke(args=["finance", "export", "99", "--output", str(target)])
    assert result.exit_code != 0 and "There is no finance return number 99." in result.output


def test_summary_by_month_and_cost_code_matches_the_lines(app, world):
    test_build_download_and_pay_a_return(app, world)
    finance = signed_in(app, world["finance"])
    line = db.session.scalar(select(RecognitionLine).where(RecognitionLine.return_id.is_not(None)))
    page = finance.get(f"/finance/summary?year={line.activity_on.year if line.activity_on.month > 4 else line.activity_on.year - 1}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    counted = db.session.scalar(select(func.sum(RecognitionLine.amount_pence)).where(
        RecognitionLine.status.in_([LineStatus.APPROVED, LineStatus.IN_RETURN, LineStatus.PAID]),
        RecognitionLine.kind != RecognitionKind.THANKS))
    assert counted == 8000  # Dorota's paid line and Cy's approved one (waiting for a payee reference)
    assert "<svg" in text and "£80.00 approved or paid" in text
    assert 'aria-label="Approved and paid money by month"' in text


def test_meeting_page_says_who_came_but_is_not_yet_recognised(app, world):
    organiser = signed_in(app, world["organiser"])
    page = organiser.get(f"/meetings/{world['meeting'].id}").get_data(as_text=True)
    assert "Attended but not yet recognised: 4" in page and "Ana Test" in page
    pay_everyone(app, world)
    page = organiser.get(f"/meetings/{world['meeting'].id}").get_data(as_text=True)
    assert "Attended but not yet recognised: 1" in page and "Bo Test" in page


def test_a_payee_reference_goes_only_on_people_with_money_lines_and_the_reply_names_nobody(app, world):
    """Posting a reference onto any person id used to answer "saved for <full name>": every name could be
    read. Only people with money lines (the payees page's list) can have one, and no reply names them."""
    pay_everyone(app, world)
    ana, cy = world["others"][0], world["others"][2]  # Ana wants thanks only: a thanks line, no money
    stranger = Person(first_name="Zofia", last_name="Secretname", contact_method="email", email="z@x.example",
                      information_format="standard", role="carer")
    stranger.refresh_search_name()
    db.session.add(stranger)
    db.session.commit()
    finance = signed_in(app, world["finance"])
    for person in (ana, stranger):
        response = finance.submit(f"/finance/payees/{person.id}", {"payee_ref": "PROBE"}, token_from="/finance/payees")
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "Page not found" in body and person.first_name not in body and person.last_name not in body
        db.session.expire_all()
        assert db.session.get(Person, person.id).payee_ref != "PROBE"
    response = finance.submit(f"/finance/payees/{cy.id}", {"payee_ref": "SUP-CY"}, token_from="/finance/payees",
                              follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Payee reference saved." in page and "saved for" not in page
    db.session.expire_all()
    assert db.session.get(Person, cy.id).payee_ref == "SUP-CY"


REPEAT = "Dorota Nowak already has a payment for this meeting. Record another?"
LOOKALIKE = "Looks the same as another line: same person, meeting, kind and amount. Check it is not paid twice."


def test_a_second_line_of_the_same_kind_for_a_meeting_asks_first(app, world):
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{world['person'].id}/recognition/payment?meeting={world['meeting'].id}"
    data = {"basis": "half_day", "activity_on": "2026-05-01"}
    assert REPEAT not in organiser.get(url).get_data(as_text=True)
    assert organiser.submit(url, data).status_code == 302
    # Back and Save: the same form sent again records nothing and asks, with what was typed kept.
    response = organiser.submit(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and REPEAT in page and "Yes, record another" in page
    assert 'value="half_day" checked' in page
    assert count(RecognitionLine) == 1
    # Opening the form again warns before anything is typed.
    assert REPEAT in organiser.get(url).get_data(as_text=True)
    assert organiser.submit(url, {**data, "record_again": "yes"}).status_code == 302
    assert count(RecognitionLine) == 2
    # Another kind for the same meeting is not a repeat.
    thanks = f"/people/{world['person'].id}/recognition/thanks?meeting={world['meeting'].id}"
    assert organiser.submit(thanks, {"thanks_type": "letter", "activity_on": "2026-05-01"}).status_code == 302


def test_record_the_usual_never_pays_anyone_twice(app, world):
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{world['person'].id}/recognition/payment?meeting={world['meeting'].id}"
    assert organiser.submit(url, {"basis": "day", "activity_on": "2026-05-01"}).status_code == 302
    pay_everyone(app, world)
    pay_everyone(app, world)  # pressed again, from another tab
    per_person = dict(db.session.execute(select(Person.first_name, func.count(RecognitionLine.id))
                                         .join(RecognitionLine, RecognitionLine.person_id == Person.id)
                                         .group_by(Person.first_name)).all())
    assert per_person == {"Dorota": 1, "Ana": 1, "Cy": 1}


def test_approval_flags_lines_that_look_the_same(app, world):
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{world['person'].id}/recognition/payment?meeting={world['meeting'].id}"
    data = {"basis": "half_day", "activity_on": "2026-05-01"}
    organiser.submit(url, data)
    finance = signed_in(app, world["finance"])
    page = finance.get("/finance/approve").get_data(as_text=True)
    assert LOOKALIKE not in page
    organiser.submit(url, {**data, "record_again": "yes"})
    organiser.submit(url, {"basis": "day", "activity_on": "2026-05-01", "record_again": "yes"})
    page = finance.get("/finance/approve").get_data(as_text=True)
    assert page.count(LOOKALIKE) == 2  # the two half-day fees, not the day fee
    assert "2 lines look the same as another line. Check they are not paid twice before you approve them." in page
    page = organiser.get(f"/meetings/{world['meeting'].id}/recognition").get_data(as_text=True)
    assert page.count(LOOKALIKE) == 2  # organisers see it too


def test_approve_every_line_i_can_approve_without_javascript(app, world):
    """The "Approve every line I can approve" button posts the ids the page offered: never the user's own
    line (segregation of duties), nor a line recorded after the page was drawn."""
    pay_everyone(app, world)
    finance = signed_in(app, world["finance"])
    own = RecognitionLine(person_id=world["person"].id, group_id=world["group"].id, activity_on=date(2026, 5, 1),
                          kind=RecognitionKind.EXPENSE, amount_pence=500, recorded_by_id=world["finance"].id)
    db.session.add(own)
    db.session.commit()
    page = finance.get("/finance/approve").get_data(as_text=True)
    offered = re.findall(r'name="every" value="(\d+)"', page)
    others = [str(i) for i in db.session.scalars(select(RecognitionLine.id).where(
        RecognitionLine.kind != RecognitionKind.THANKS, RecognitionLine.id != own.id))]
    assert sorted(offered) == sorted(others) and str(own.id) not in offered and len(offered) == 2
    assert "Approve every line I can approve" in page and "You can approve 2 lines on this page." in page
    later = RecognitionLine(person_id=world["person"].id, group_id=world["group"].id, activity_on=date(2026, 5, 2),
                            kind=RecognitionKind.EXPENSE, amount_pence=700, recorded_by_id=world["organiser"].id)
    db.session.add(later)
    db.session.commit()
    # Posted with the page's ids plus the user's own (as a tampered form would): the own line is refused.
    response = finance.submit("/finance/approve", {"all": "y", "every": [*offered, str(own.id)], "line": []})
    assert response.status_code == 302
    db.session.expire_all()
    status = {line.id: line.status for line in db.session.scalars(select(RecognitionLine))}
    assert all(status[int(i)] == LineStatus.APPROVED for i in offered)
    assert status[own.id] == LineStatus.RECORDED and status[later.id] == LineStatus.RECORDED
    page = finance.get("/finance/approve").get_data(as_text=True)
    assert "Lines approved: 2." in page and "You recorded this line, so someone else must approve it." in page
    # Without "all", only the ticked lines count: the offered ids are ignored.
    response = finance.submit("/finance/approve", {"every": [str(later.id)], "line": []})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RecognitionLine, later.id).status == LineStatus.RECORDED
    assert "Tick the lines you want to approve." in finance.get("/finance/approve").get_data(as_text=True)
