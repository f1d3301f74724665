"""Equality monitoring (issue 18): the optional form at the door and from personal links keeps only counts,
counts each form once, loses nothing to two tablets at once; admins enter Halton's figures; the report
section suppresses small numbers with a fixed number of queries."""
import re
import threading
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import func, inspect, select

from survey_app.insight.equality import QUESTIONS, add_form, equality_section
from survey_app.models import (
    AuditEvent,
    EqualityCount,
    Group,
    Organisation,
    OrganisationKind,
    Person,
    PopulationFigure,
    Role,
)
from survey_app.models.base import london_today
from survey_app.web.extensions import db
from tests.door_helpers import register
from tests.queries import count_queries
from tests.test_invitations import invite_and_link

ANA = {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text",
       "phone": "07700 900999", "information_format": "audio", "consent": "y"}
KEYS = [q.key for q in QUESTIONS]
ANSWERS = {"disability": "yes_a_little", "ethnic_group": "mixed", "sex": "female", "gender_identity": "yes",
           "age": "25_34", "religion": "prefer_not", "sexual_orientation": "bisexual", "carer": "yes"}
MONTH = london_today().replace(day=1)


def counts() -> dict:
    return {(c.group_id, c.month, c.question, c.answer): c.count for c in db.session.scalars(select(EqualityCount))}


def snapshot() -> dict:
    """Every row of every table, to see exactly what a form adds."""
    return {t.name: sorted(repr(tuple(row)) for row in db.session.execute(t.select()))
            for t in db.metadata.sorted_tables}


def registered_at_door(door, who=ANA):
    register(door, who)
    response = door.submit("/door/thank-you-choice", {"preference": "thanks_only"})
    assert response.headers["Location"] == "/door/about-you"


def answer_all(client, base: str, answers: dict, skip=()):
    """From the offer: start, then each question in turn (its answer, or Skip this); returns the last response."""
    response = client.submit(base, {"start": "1"})
    assert response.headers["Location"] == f"{base}/{KEYS[0]}"
    for key in KEYS:
        data = {"skip": "1"} if key in skip else {"next": "1", "answer": answers.get(key, "")}
        response = client.submit(f"{base}/{key}", data)
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_at_the_door_after_registering_only_counts_are_kept(door, sample):
    registered_at_door(door)
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    page = door.get("/door/about-you").get_data(as_text=True)
    assert "You do not have to answer. You can skip any question." in page and "Skip this" in page
    before = snapshot()
    response = answer_all(door, "/door/about-you", ANSWERS)
    assert response.headers["Location"] == "/door/support"

    group = sample["group"].id
    assert counts() == {**{(group, MONTH, key, value): 1 for key, value in ANSWERS.items()},
                        (group, MONTH, "forms", "answered"): 1}
    after = snapshot()
    changed = {name for name in after if after[name] != before[name]}
    # The counts, and the used one-time token (a random string and a day, nothing about the person).
    assert changed == {"equality_count", "form_token"}
    assert [c["name"] for c in inspect(db.engine).get_columns("form_token")] == ["token", "used_on"]
    # No column of the counts names a person or a time finer than the month; nothing points at them.
    columns = {c["name"]: str(c["type"]) for c in inspect(db.engine).get_columns("equality_count")}
    assert set(columns) == {"id", "group_id", "month", "question", "answer", "count"}
    assert "DATE" in columns["month"].upper() and "TIME" not in columns["month"].upper()
    assert all(c.month.day == 1 for c in db.session.scalars(select(EqualityCount)))
    assert not [fk for t in db.metadata.sorted_tables for fk in t.foreign_keys
                if fk.column.table.name == "equality_count"]
    assert {fk.column.table.name for fk in EqualityCount.__table__.foreign_keys} == {"coproduction_group"}
    # Nothing in the audit log or the person's record; the session keeps nothing of the answers.
    assert not [e for e in db.session.scalars(select(AuditEvent))
                if "equality" in (e.action + e.record_type).lower() or "bisexual" in str(e.after)]
    assert before["person"] == after["person"] and ana.id is not None
    with door.session_transaction() as session:
        assert "eq" not in session.get("visit", {}) and "equality" not in session


def test_from_a_personal_link(app, client, login_as, sample):
    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    home = app.test_client()
    welcome = home.get(f"/invite/{invitation.token}").get_data(as_text=True)
    base = f"/invite/{invitation.token}/about-you"
    with force_locale("pl"):  # the sample person speaks Polish: the link is in their language
        offer = str(escape(_("Tell us about yourself (you can skip this)")))
    assert f'href="{base}"' in welcome and offer in welcome and offer != "Tell us about yourself (you can skip this)"
    response = answer_all(home, base, {"sex": "male", "carer": "no"}, skip=("age",))
    assert response.headers["Location"] == f"/invite/{invitation.token}/thanks"
    group = sample["group"].id
    assert counts() == {(group, MONTH, "sex", "male"): 1, (group, MONTH, "carer", "no"): 1,
                        (group, MONTH, "forms", "answered"): 1}
    with home.session_transaction() as session:
        assert "equality" not in session
    assert home.get(f"{base}/carer").headers["Location"] == base  # over: a new form starts at the offer
    assert home.get("/invite/not-a-real-link-token-at-all/about-you").status_code == 404


def test_a_double_submit_or_a_second_tab_counts_once(door, sample):
    registered_at_door(door)
    door.submit("/door/about-you", {"start": "1"})
    for key in KEYS[:-1]:
        door.submit(f"/door/about-you/{key}", {"next": "1", "answer": ANSWERS[key]})
    last = f"/door/about-you/{KEYS[-1]}"
    tokens = door._tokens(last)
    second_tab = door._tokens(last)
    first = door.post(last, data={**tokens, "next": "1", "answer": "yes"})
    again = door.post(last, data={**tokens, "next": "1", "answer": "yes"})
    other = door.post(last, data={**second_tab, "next": "1", "answer": "no"})
    assert [r.headers["Location"] for r in (first, again, other)] == ["/door/support"] * 3
    assert counts()[(sample["group"].id, MONTH, "forms", "answered")] == 1
    assert counts()[(sample["group"].id, MONTH, "carer", "yes")] == 1
    assert (sample["group"].id, MONTH, "carer", "no") not in counts()


def test_skip_works_on_every_page(door, sample):
    registered_at_door(door)
    response = door.submit("/door/about-you", {"skip": "1"})
    assert response.headers["Location"] == "/door/support" and counts() == {}
    response = answer_all(door, "/door/about-you", {}, skip=KEYS)  # every question skipped: nothing to count
    assert response.headers["Location"] == "/door/support" and counts() == {}
    response = answer_all(door, "/door/about-you", ANSWERS, skip=KEYS[1:])
    assert counts() == {(sample["group"].id, MONTH, "disability", "yes_a_little"): 1,
                        (sample["group"].id, MONTH, "forms", "answered"): 1}
    # Next with no answer chosen, or an answer not the question's own, is a skip too.
    answer_all(door, "/door/about-you", {"sex": "", "carer": "maybe"})
    assert (sample["group"].id, MONTH, "sex", "") not in counts() and counts()[
        (sample["group"].id, MONTH, "forms", "answered")] == 1


def test_the_next_person_at_the_tablet_sees_nothing_of_the_last(door, sample):
    registered_at_door(door)
    door.submit("/door/about-you", {"start": "1"})
    door.submit("/door/about-you/disability", {"next": "1", "answer": "yes_a_lot"})
    page = door.get("/door/about-you/disability").get_data(as_text=True)
    assert re.search(r'value="yes_a_lot" checked', page)  # Back shows this person's own answer
    door.submit("/door/start-again", {}, token_from="/door/")
    assert door.get("/door/about-you/disability").headers["Location"] == "/door/sign-in"
    registered_at_door(door, {**ANA, "first_name": "Bea", "phone": "07700 900888"})
    assert door.get("/door/about-you/disability").headers["Location"] == "/door/about-you"
    door.submit("/door/about-you", {"start": "1"})
    page = door.get("/door/about-you/disability").get_data(as_text=True)
    assert "checked" not in page
    assert counts() == {}


def test_the_form_is_only_for_the_door_tablet_or_a_link(client, login_as, sample):
    assert client.get("/door/about-you").status_code == 403
    login_as(Role.ORGANISER)
    assert client.get("/door/about-you/sex").status_code == 403


@pytest.mark.parametrize("round_", range(3))
def test_two_tablets_at_once_lose_no_count(app, sample, round_):
    group_id, each = sample["group"].id, 15
    barrier = threading.Barrier(2)
    errors = []

    def tablet():
        try:
            barrier.wait()
            for _ in range(each):
                with app.app_context():
                    add_form(group_id, {"sex": "female", "carer": "yes"})
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=tablet) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts() == {(group_id, MONTH, "forms", "answered"): 2 * each, (group_id, MONTH, "sex", "female"): 2 * each,
                        (group_id, MONTH, "carer", "yes"): 2 * each}


# Population figures (admins).

@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FINANCE])
def test_only_admins_enter_population_figures(client, login_as, role):
    login_as(role)
    assert client.get("/admin/population").status_code == 403
    assert client.get("/admin/population/sex").status_code == 403
    assert client.post("/admin/population/sex", data={"share_female": "51.0"}).status_code in (400, 403)
    assert db.session.scalar(select(func.count()).select_from(PopulationFigure)) == 0


def test_admin_enters_population_figures(client, login_as):
    admin = login_as(Role.ADMIN)
    assert "Population figures for Halton" in client.get("/admin/population").get_data(as_text=True)
    response = client.submit("/admin/population/sex", {"share_female": "51.2", "share_male": " 48.8 ",
                                                        "source": "Census 2021, ONS"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Population figures saved for Sex." in page and "51.2%" in page and "Census 2021, ONS" in page
    rows = {(p.answer, p.percent_tenths, p.source, p.updated_by_id) for p in db.session.scalars(select(PopulationFigure))}
    assert rows == {("female", 512, "Census 2021, ONS", admin.id), ("male", 488, "Census 2021, ONS", admin.id)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "population-figures"))
    assert event.user_id == admin.id and event.after == {"sex": {
        "female": [512, "Census 2021, ONS"], "male": [488, "Census 2021, ONS"]}} and event.before == {"sex": {}}
    assert 'value="51.2"' in client.get("/admin/population/sex").get_data(as_text=True)
    response = client.submit("/admin/population/sex", {"share_female": "51.2", "share_male": "",
                                                        "source": "Census 2021, ONS"})
    assert db.session.scalar(select(func.count()).select_from(PopulationFigure)) == 1
    assert client.get("/admin/population/nonsense").status_code == 404


def test_the_population_page_makes_the_same_queries_however_many_figures(client, login_as):
    login_as(Role.ADMIN)
    client.get("/admin/population")
    with count_queries() as few:
        assert client.get("/admin/population").status_code == 200
    for q in QUESTIONS:
        for n, value in enumerate(q.values):
            db.session.add(PopulationFigure(question=q.key, answer=value, percent_tenths=n, source="Census 2021"))
    db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/population").get_data(as_text=True)
    assert few["n"] == many["n"] and "Census 2021" in page


@pytest.mark.parametrize("typed, message", [
    ("lots", "Enter the figure as a number of per cent, like 12.5."),
    ("nan", "Enter the figure as a number of per cent, like 12.5."),
    ("100.1", "Enter a figure between 0 and 100."),
    ("-1", "Enter a figure between 0 and 100."),
    ("12.55", "Enter the figure with at most one number after the decimal point, like 12.5."),
])
def test_population_figure_errors(client, login_as, typed, message):
    login_as(Role.ADMIN)
    response = client.submit("/admin/population/sex", {"share_female": typed, "share_male": "40"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PopulationFigure)) == 0


def test_population_figures_may_not_add_up_to_more_than_all(client, login_as):
    login_as(Role.ADMIN)
    response = client.submit("/admin/population/sex", {"share_female": "60", "share_male": "40.1"})
    assert response.status_code == 400
    assert "The figures add up to more than 100%. Check them and try again." in response.get_data(as_text=True)
    response = client.submit("/admin/population/sex", {"share_female": "x" * 10, "source": "y" * 501})
    assert "Write where the figures come from in 500 characters or fewer." in response.get_data(as_text=True)


# The report section.

def _add(group_id, month, question, answer, n):
    db.session.add(EqualityCount(group_id=group_id, month=month, question=question, answer=answer, count=n))


def table(section, title):
    return {row[0]: row[1:] for row in next(t for t in section.tables if t.title == title).rows}


def test_the_section_suppresses_small_numbers(sample):
    group = sample["group"].id
    _add(group, MONTH, "forms", "answered", 30)
    _add(group, MONTH, "sex", "female", 20)
    _add(group, MONTH, "sex", "male", 7)
    _add(group, MONTH, "sex", "prefer_not", 3)   # fewer than 5, and "not answered" is 0: the smallest shown goes too
    _add(group, MONTH, "carer", "yes", 10)
    _add(group, MONTH, "carer", "no", 12)         # not answered: 8
    _add(group, MONTH - timedelta(days=40), "carer", "yes", 50)  # outside the period
    db.session.add(PopulationFigure(question="sex", answer="female", percent_tenths=512, source="Census 2021"))
    db.session.commit()
    section = equality_section(group, MONTH, MONTH + timedelta(days=27))
    assert section.key == "equality" and section.figures[0].value == 30
    sex = table(section, "Sex")
    assert sex["Female"] == [20, "66.7%", "51.2%"]
    assert sex["Male"] == [None, "", ""] and sex["Prefer not to say"] == [None, "", ""]
    assert sex["Not answered"] == [None, "", ""]
    carer = table(section, "Carer")
    assert carer["Yes"] == [10, "33.3%", ""] and carer["No"] == [12, "40.0%", ""]
    assert carer["Not answered"] == [8, "26.7%", ""] and carer["Prefer not to say"] == [None, "", ""]
    # The hidden "prefer not" holds nobody, so subtraction gives no one away and nothing else is hidden.
    chart = next(c for c in section.charts if c.title == "Sex")
    assert chart.labels == ["Female", "Male"] and chart.series["People who answered"] == [66.7, None]
    assert chart.series["Halton"] == [51.2, None] and chart.unit == "%"
    assert section.comments == ["Halton's figures: Census 2021"]


def test_few_forms_show_nothing_but_fewer_than_5(sample):
    _add(sample["group"].id, MONTH, "forms", "answered", 4)
    _add(sample["group"].id, MONTH, "sex", "female", 4)
    db.session.commit()
    section = equality_section(None, MONTH, MONTH)
    assert section.figures[0].value is None
    assert all(row[1] is None and row[2] == "" for t in section.tables for row in t.rows)


def test_the_section_makes_the_same_queries_whatever_the_data(sample):
    with count_queries() as few:
        equality_section(None, MONTH, MONTH)
    for n in range(20):
        org = Organisation(name=f"Org {n}", kind=OrganisationKind.VOLUNTARY)
        group = Group(name=f"Group {n}", description="", organisation=org)
        db.session.add_all([org, group])
        db.session.flush()
        for q in QUESTIONS:
            for value in q.values:
                _add(group.id, MONTH, q.key, value, n + 5)
        _add(group.id, MONTH, "forms", "answered", 100)
        db.session.add(PopulationFigure(question="age", answer=str(n), percent_tenths=1))
    db.session.commit()
    with count_queries() as many:
        section = equality_section(None, MONTH - timedelta(days=365), MONTH + timedelta(days=30))
    assert few["n"] == many["n"] == 2
    assert section.figures[0].value == 2000
