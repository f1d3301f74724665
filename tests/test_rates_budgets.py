"""Rates and budgets: admins set them through the forms (exact pence, audited), and a group's budget
position counts the right lines in the right tax year."""
from datetime import date

import pytest
from sqlalchemy import func, select

from forms.fields import MoneyField
from survey_app.models import AuditEvent, Budget, Group, LineStatus, Rate, RecognitionKind, RecognitionLine, Role
from survey_app.models.base import london_today
from survey_app.money.budgets import budget_position, positions_for_year
from survey_app.money.recognition import tax_year_start
from survey_app.web.extensions import db
from tests.queries import count_queries

YEAR = date(2026, 4, 6)
GOOD_RATE = {"applies_from": "2026-04-06", "hourly": "15.50", "half_day": "£40", "day": "75.00", "mileage": "0.45"}


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def audit_for(record_type):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == record_type)
                              .order_by(AuditEvent.id)).all()




@pytest.mark.parametrize("typed,pence", [("15.50", 1550), ("15", 1500), ("£15.50", 1550), ("£7", 700),
                                         ("15.5", 1550), ("0.29", 29), ("19.99", 1999), (" £ 1,250.05 ", 125005)])
def test_money_is_parsed_to_exact_pence(typed, pence):
    assert MoneyField.parse(typed) == pence  # 0.29 through a float would give 28


def test_admin_adds_rates_in_exact_pence_and_it_is_audited(client, admin, sample):
    group = sample["group"]
    response = client.submit("/admin/rates/new", {**GOOD_RATE, "group": str(group.id)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/rates"
    rate = db.session.scalar(select(Rate))
    assert (rate.group_id, rate.applies_from) == (group.id, YEAR)
    assert (rate.hourly_pence, rate.half_day_pence, rate.day_pence, rate.mileage_pence) == (1550, 4000, 7500, 45)
    client.submit("/admin/rates/new", {**GOOD_RATE, "group": str(group.id), "applies_from": "2099-01-01",
                                       "hourly": "£7"})
    later = db.session.scalar(select(Rate).where(Rate.applies_from == date(2099, 1, 1)))
    assert later.hourly_pence == 700
    events = audit_for("Rate")
    assert [e.action for e in events] == ["create", "create"]
    assert events[0].user_id == admin.id and events[0].after["hourly_pence"] == 1550
    page = client.get("/admin/rates").get_data(as_text=True)
    assert "£15.50" in page and "£7.00" in page and "£0.45" in page
    assert page.index("1 January 2099") < page.index("6 April 2026")  # newest first
    assert "Starts on this date" in page and "In use now" in page
    assert "Rates are never changed or deleted once saved" in page


@pytest.mark.parametrize("field,typed,message", [
    ("hourly", "12.345", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("hourly", "-5", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("hourly", "1e3", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("hourly", "abc", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("hourly", "", "Enter the hourly rate in pounds and pence, like 15.50."),
    ("half_day", "40,00", "Enter the half-day fee in pounds and pence, like 40.00."),
    ("day", "", "Enter the whole-day fee in pounds and pence, like 75.00."),
    ("mileage", "45p", "Enter the mileage rate per mile in pounds and pence, like 0.45."),
])
def test_bad_money_gets_a_sentence_and_stores_nothing(client, admin, sample, field, typed, message):
    response = client.submit("/admin/rates/new", {**GOOD_RATE, "group": str(sample["group"].id), field: typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<a href="#{field}">{message}</a>' in page
    assert page.count(message) == 2  # in the summary and beside the field, nowhere else
    if typed:
        assert f'value="{typed}"' in page  # what was typed is kept to correct
    assert count(Rate) == 0 and audit_for("Rate") == []


def test_a_second_rate_from_the_same_date_is_refused(client, admin, sample):
    data = {**GOOD_RATE, "group": str(sample["group"].id)}
    assert client.submit("/admin/rates/new", data).status_code == 302
    response = client.submit("/admin/rates/new", {**data, "hourly": "20"})
    assert response.status_code == 400
    assert '<a href="#applies_from">There is already a rate for this group from that date.</a>' \
        in response.get_data(as_text=True)
    assert count(Rate) == 1 and db.session.scalar(select(Rate.hourly_pence)) == 1550
    assert len(audit_for("Rate")) == 1


def test_rate_form_needs_a_real_group(client, admin, sample):
    response = client.submit("/admin/rates/new", {**GOOD_RATE, "group": "999999"})
    assert '<a href="#group">Choose the group these rates are for.</a>' in response.get_data(as_text=True)
    assert count(Rate) == 0


def test_a_budget_is_set_then_changed_in_one_row(client, admin, sample):
    group = sample["group"]
    response = client.submit("/admin/budgets/new", {"group": str(group.id), "year": "2026", "amount": "5000"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/budgets?year=2026"
    response = client.submit("/admin/budgets/new", {"group": str(group.id), "year": "2026", "amount": "£6,000.50"})
    assert response.status_code == 302
    budget = db.session.scalar(select(Budget))
    assert count(Budget) == 1
    assert (budget.group_id, budget.year_starting, budget.amount_pence) == (group.id, YEAR, 600050)
    events = audit_for("Budget")
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].after["amount_pence"] == 500000 and events[0].user_id == admin.id
    assert events[1].before == {"amount_pence": 500000} and events[1].after == {"amount_pence": 600050}
    page = client.get("/admin/budgets?year=2026", follow_redirects=True).get_data(as_text=True)
    assert "£6,000.50" in page and "Budget changed for Learning Disability Partnership Board." in page
    form = client.get(f"/admin/budgets/new?group={group.id}&year=2026").get_data(as_text=True)
    assert 'value="6000.50"' in form  # changing a budget starts from the one set


def test_budget_form_errors(client, admin, sample):
    response = client.submit("/admin/budgets/new", {"group": "", "year": "2026", "amount": "lots"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#group">Choose the group this budget is for.</a>' in page
    assert '<a href="#amount">Enter the budget in pounds and pence, like 5000 or 5000.00.</a>' in page
    assert count(Budget) == 0


@pytest.fixture
def books(sample, make_user):
    """One group's money lines in the 2026-27 tax year and around it, with a budget of £1,000."""
    group, person = sample["group"], sample["person"]
    other = Group(name="Carers' Voice Halton")
    recorder = make_user(Role.ORGANISER)
    db.session.add_all([other, Budget(group=group, year_starting=YEAR, amount_pence=100000)])

    def line(amount, status, on=date(2026, 5, 1), kind=RecognitionKind.PAYMENT, grp=group):
        db.session.add(RecognitionLine(person_id=person.id, group=grp, activity_on=on, kind=kind,
                                       amount_pence=amount, status=status, recorded_by_id=recorder.id))

    line(10000, LineStatus.PAID)
    line(2500, LineStatus.PAID, kind=RecognitionKind.VOUCHER)
    line(-2500, LineStatus.PAID, kind=RecognitionKind.VOUCHER)  # a reversal, paid in a later return
    line(3000, LineStatus.RECORDED, kind=RecognitionKind.EXPENSE)
    line(4000, LineStatus.APPROVED)
    line(5000, LineStatus.IN_RETURN)
    line(-1000, LineStatus.RECORDED)  # a reversal not yet paid
    line(100, LineStatus.RECORDED, on=date(2027, 4, 5))  # last day of the tax year
    line(999, LineStatus.PAID, kind=RecognitionKind.THANKS)  # never money, whatever it says
    line(7000, LineStatus.PAID, on=date(2026, 4, 5))  # the year before
    line(8000, LineStatus.RECORDED, on=date(2027, 4, 6))  # the year after
    line(6000, LineStatus.PAID, grp=other)
    db.session.commit()
    return {"group": group, "other": other, "person": person, "recorder": recorder}


def test_budget_position_counts_money_lines_in_the_tax_year(books):
    position = budget_position(books["group"].id, YEAR)
    assert position.budget_pence == 100000
    assert position.paid_pence == 10000  # 10000 + 2500 - 2500
    assert position.committed_pence == 11100  # 3000 + 4000 + 5000 - 1000 + 100
    assert position.left_pence == 100000 - 10000 - 11100 == 78900
    assert budget_position(books["group"].id, date(2026, 12, 25)) == position  # any day names its tax year
    previous = budget_position(books["group"].id, date(2025, 4, 6))
    assert (previous.budget_pence, previous.paid_pence, previous.committed_pence, previous.left_pence) == \
        (None, 7000, 0, None)


def test_positions_for_year_match_each_group(books):
    positions = positions_for_year(YEAR)
    assert [g.name for g, _ in positions] == ["Carers' Voice Halton", "Learning Disability Partnership Board"]
    by_name = {g.name: p for g, p in positions}
    assert by_name["Learning Disability Partnership Board"] == budget_position(books["group"].id, YEAR)
    other = by_name["Carers' Voice Halton"]
    assert (other.budget_pence, other.paid_pence, other.committed_pence, other.left_pence) == (None, 6000, 0, None)


def test_positions_for_year_does_not_grow_queries_with_groups(books):
    person_id, recorder_id = books["person"].id, books["recorder"].id
    db.session.expire_all()
    with count_queries() as few:
        small = positions_for_year(YEAR)
        [g.name for g, _ in small]
    for i in range(10):
        grp = Group(name=f"Group {i:02d}")
        db.session.add_all([grp, Budget(group=grp, year_starting=YEAR, amount_pence=1000 * i),
                            RecognitionLine(person_id=person_id, group=grp, activity_on=date(2026, 6, 1),
                                            kind=RecognitionKind.PAYMENT, amount_pence=100 + i,
                                            status=LineStatus.APPROVED, recorded_by_id=recorder_id)])
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        large = positions_for_year(YEAR)
        [g.name for g, _ in large]
    assert len(large) == len(small) + 10
    assert many["n"] == few["n"] <= 2
    assert {g.name: p.left_pence for g, p in large}["Group 03"] == 3000 - 103


def test_budgets_page_does_not_grow_queries_with_groups(client, admin, books):
    client.get("/admin/budgets?year=2026")
    with count_queries() as few:
        assert client.get("/admin/budgets?year=2026").status_code == 200
    db.session.add_all([Group(name=f"Group {i:02d}") for i in range(10)])
    db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/budgets?year=2026").get_data(as_text=True)
    assert many["n"] == few["n"]
    assert "£789.00" in page and 'Set a budget for <bdi lang="en">Group 09</bdi>' in page


def test_group_page_shows_what_is_left_this_tax_year(client, login_as, sample, make_user):
    login_as(Role.ORGANISER)
    group, this_year = sample["group"], tax_year_start(london_today())
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "No budget set for this year." in page and "<svg" not in page
    db.session.add_all([
        Budget(group=group, year_starting=this_year, amount_pence=50000),
        RecognitionLine(person_id=sample["person"].id, group=group, activity_on=london_today(),
                        kind=RecognitionKind.PAYMENT, amount_pence=12550, status=LineStatus.PAID,
                        recorded_by_id=make_user(Role.ORGANISER).id),
        RecognitionLine(person_id=sample["person"].id, group=group, activity_on=london_today(),
                        kind=RecognitionKind.EXPENSE, amount_pence=2000, status=LineStatus.APPROVED,
                        recorded_by_id=make_user(Role.ORGANISER).id)])
    db.session.commit()
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "£354.50 of £500.00 left" in page
    assert 'aria-label="Paid £125.50, committed £20.00, left £354.50."' in page
    assert '<rect x="0" y="0" width="251.0" height="28" fill="#00703c"/>' in page
    assert "style=" not in page  # the content security policy forbids inline styles


def test_group_page_says_when_a_budget_is_overspent(client, login_as, sample, make_user):
    login_as(Role.ORGANISER)
    group = sample["group"]
    db.session.add_all([
        Budget(group=group, year_starting=tax_year_start(london_today()), amount_pence=10000),
        RecognitionLine(person_id=sample["person"].id, group=group, activity_on=london_today(),
                        kind=RecognitionKind.PAYMENT, amount_pence=12500, status=LineStatus.RECORDED,
                        recorded_by_id=make_user(Role.ORGANISER).id)])
    db.session.commit()
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "£25.00 over the budget of £100.00" in page


def test_only_admins_see_the_rates_and_budgets_links(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/admin/rates"' in page and 'href="/admin/budgets"' in page and 'href="/admin/users"' in page
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    login_as(Role.ORGANISER)
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/admin/rates"' not in page and 'href="/admin/budgets"' not in page
