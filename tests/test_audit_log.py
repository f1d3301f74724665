"""The audit log page: admins only, newest first, filters that narrow it, and no way to change it."""
import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from survey_app.insight import support_plan
from survey_app.models import AuditEvent, PaymentBasis, RecognitionKind, Role
from survey_app.money import recognition as rec
from survey_app.money.recognition import LineInput
from survey_app.web.extensions import db
from tests.test_subject_access import everything

ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL_RE = re.compile(r"<td>(.*?)</td>", re.S)
TAG_RE = re.compile(r"<[^>]+>")


def shown(response) -> list[tuple[str, ...]]:
    """The table's rows as (when, who, what, record, changes) text."""
    page = response.get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [tuple(" ".join(html.unescape(TAG_RE.sub(" ", c)).split()) for c in CELL_RE.findall(row))
            for row in ROW_RE.findall(body)]


def records_of(rows) -> list[str]:
    return [row[3] for row in rows]


@pytest.fixture
def held(sample, make_user):
    return everything(sample, make_user)


def admin_in(client, login_as, held):
    return login_as(Role.ADMIN, user=held["admin"])


def test_admins_see_every_event_newest_first_with_who_and_what_changed(client, login_as, held):
    admin_in(client, login_as, held)
    response = client.get("/admin/audit")
    assert response.status_code == 200
    rows = shown(response)
    assert len(rows) == db.session.scalar(select(func.count(AuditEvent.id)))
    newest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).first()
    assert rows[0][3] == f"Finance return {newest.record_id}" and rows[0][1] == "Fran Finance"
    assert ("Fran Finance", "Changed", f"Person {held['person'].id}", "payee_ref: – → SUP-0042") in \
        [row[1:] for row in rows]
    assert any(row[1] == "System" and row[2] == "Added" and row[3].startswith("Meeting attendance") for row in rows)
    assert "Audit log" in client.get("/admin/users").get_data(as_text=True)  # in the admin's menu


def test_person_filter_shows_their_records_only_including_rows_removed_since(client, login_as, held):
    person, other, organiser = held["person"], held["other"], held["organiser"]
    extra = rec.record(LineInput(person=person, group_id=held["group"].id, activity_on=date(2026, 5, 2),
                                 kind=RecognitionKind.PAYMENT, basis=PaymentBasis.DAY), organiser)
    db.session.commit()
    removed_id = extra.id
    rec.delete_line(extra, organiser)
    support_plan.mark_not_arranged(held["need"].id, held["meeting"].id, organiser)
    db.session.commit()
    admin_in(client, login_as, held)

    response = client.get(f"/admin/audit?person={person.id}")
    assert f"Showing events about the records of Dot Nowak (person number {person.id})." in \
        html.unescape(response.get_data(as_text=True))
    rows = shown(response)
    records = records_of(rows)
    line = held["line"].id
    assert sorted(set(records)) == sorted({f"Person {person.id}", "Meeting attendance 1", "Support arranged 1",
                                           f"Recognition line {line}", f"Recognition line {removed_id}",
                                           "Personal link 1"})  # making their link is recorded
    assert [r[2] for r in rows if r[3] == f"Recognition line {removed_id}"] == ["Removed", "Added"]
    assert [r[2] for r in rows if r[3] == "Support arranged 1"] == ["Marked as not arranged", "Marked as arranged"]
    assert f"Person {other.id}" not in records

    theirs = records_of(shown(client.get(f"/admin/audit?person={other.id}")))
    assert f"Person {other.id}" in theirs and f"Person {person.id}" not in theirs
    assert not {f"Recognition line {line}", f"Recognition line {removed_id}", "Support arranged 1"} & set(theirs)


def test_filtering_by_person_is_itself_recorded_and_plain_viewing_is_not(client, login_as, held):
    admin = admin_in(client, login_as, held)
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    client.get("/admin/audit")
    client.get("/admin/audit?kind=Person")
    assert db.session.scalar(select(func.count(AuditEvent.id))) == count
    client.get(f"/admin/audit?person={held['person'].id}&kind=Person")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view-audit")).one()
    assert (event.user_id, event.record_type, event.record_id) == (admin.id, "Person", str(held["person"].id))
    assert event.after == {"person": str(held["person"].id), "kind": "Person", "page": 1}


def test_user_filter(client, login_as, held):
    admin_in(client, login_as, held)
    rows = shown(client.get(f"/admin/audit?user={held['finance'].id}"))
    assert rows and {r[1] for r in rows} == {"Fran Finance"}
    assert {r[2] for r in rows} == {"Changed", "Approved", "Added"}
    system = shown(client.get("/admin/audit?user=system"))
    assert system and {r[1] for r in system} == {"System"}
    everyone = shown(client.get("/admin/audit?user="))
    assert len(everyone) > len(rows) + len(system)


def test_kind_filter_offers_the_kinds_there_are_with_plain_names(client, login_as, held):
    admin_in(client, login_as, held)
    response = client.get("/admin/audit?kind=RecognitionLine")
    rows = shown(response)
    assert len(rows) == 3 and all(r[3].startswith("Recognition line ") for r in rows)
    page = response.get_data(as_text=True)
    assert '<option selected value="RecognitionLine">Recognition line</option>' in page
    assert '<option value="NeedArrangement">Support arranged</option>' in page
    assert 'value="Budget"' not in page  # no budget events, so not offered
    assert len(shown(client.get("/admin/audit?kind=Nonsense"))) == len(shown(client.get("/admin/audit")))


def test_date_filter_uses_london_days_inclusive(client, login_as, held):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    db.session.add(AuditEvent(at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC), action="update",
                              record_type="Meeting", record_id="77", before={"title": "Old"}, after={"title": "New"}))
    db.session.add(AuditEvent(at=datetime(2026, 6, 29, 12, 0, tzinfo=UTC), action="update",
                              record_type="Meeting", record_id="76", before={"title": "A"}, after={"title": "B"}))
    db.session.commit()
    admin_in(client, login_as, held)
    july_first = shown(client.get("/admin/audit?date_from=2026-07-01&date_to=2026-07-01"))
    assert records_of(july_first) == ["Meeting 77"]
    assert july_first[0][0] == "1 Jul 2026, 00:30:00" and july_first[0][4] == "title: Old → New"
    assert records_of(shown(client.get("/admin/audit?date_from=2026-06-29&date_to=2026-06-30"))) == ["Meeting 76"]
    assert records_of(shown(client.get("/admin/audit?date_to=2026-06-30"))) == ["Meeting 76"]
    since = records_of(shown(client.get("/admin/audit?date_from=2026-07-01")))
    assert "Meeting 77" in since and "Meeting 76" not in since


@pytest.mark.parametrize("query,message", [
    ("date_from=2026-02-30", "Enter the first day to show as a real date, like 27 March 2027."),
    ("date_to=yesterday", "Enter the last day to show as a real date, like 27 March 2027."),
    ("date_from=2026-07-02&date_to=2026-07-01", "The last day to show must be the same as the first day or after it."),
    ("person=Dorota", "Enter a person number, like 42."),
])
def test_bad_filters_say_what_to_fix(client, login_as, held, query, message):
    admin_in(client, login_as, held)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert html.unescape(page).count(message) == 2  # in the summary and by the field
    assert shown(response) == [] and "Put the filters right to see the log." in page
    assert "<title>Error: Audit log" in page


def test_changes_are_compact_and_never_show_secrets(client, login_as, held):
    db.session.add(AuditEvent(action="update", record_type="User", record_id="9",
                              before={"name": "A", "password_hash": "scrypt$HASH1", "token": "tok-OLD"},
                              after={"name": "B", "password_hash": "scrypt$HASH2", "token": "tok-NEW",
                                     "notes": "word " * 40}))
    db.session.commit()
    admin_in(client, login_as, held)
    page = client.get("/admin/audit?kind=User").get_data(as_text=True)
    for secret in ("HASH1", "HASH2", "tok-OLD", "tok-NEW", "password_hash", "token:"):
        assert secret not in page
    changes = [r[4] for r in shown(client.get("/admin/audit?kind=User")) if "name: A → B" in r[4]][0]
    assert changes.endswith("notes: – → " + "word " * 11 + "word…")  # cut at 60 characters


def test_pages_of_events_keep_the_filters(client, login_as, held, app):
    finance = held["finance"]
    db.session.add_all(AuditEvent(user_id=finance.id, action="download", record_type="FinanceReturn",
                                  record_id=str(n)) for n in range(app.config["PER_PAGE"] + 3))
    db.session.commit()
    admin_in(client, login_as, held)
    first = client.get(f"/admin/audit?user={finance.id}&kind=FinanceReturn")
    assert len(shown(first)) == app.config["PER_PAGE"]
    next_link = re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1)
    second = shown(client.get(html.unescape(next_link)))
    assert len(second) == 4 and {r[1] for r in second} == {"Fran Finance"}  # 3 downloads + the return made


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FINANCE])
def test_organisers_and_finance_cannot_see_the_log(client, login_as, role):
    login_as(role)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "Audit log" not in client.get("/account").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit/1", "/admin/audit/1/edit", "/admin/audit/delete"])
def test_the_log_cannot_be_changed_through_any_route(client, login_as, held, method, url):
    admin_in(client, login_as, held)
    token = client.csrf_token("/account")
    before = [(e.id, e.action, e.before, e.after) for e in db.session.scalars(select(AuditEvent))]
    response = client.open(url, method=method, data={"csrf_token": token, "action": "nothing"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == (405 if url == "/admin/audit" else 404)
    assert [(e.id, e.action, e.before, e.after) for e in db.session.scalars(select(AuditEvent))] == before


def test_no_route_with_audit_in_it_accepts_anything_but_reading(app):
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule or "audit" in rule.endpoint]
    assert [rule.rule for rule in audit_rules] == ["/admin/audit"]
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule

