"""Subject access: an admin downloads everything held about one person, and only that person, as a workbook."""
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.insight import suggestions, support_plan, voices
from survey_app.models import (
    AccessNeed,
    AuditEvent,
    ContactMethod,
    InformationFormat,
    Invitation,
    NeedKind,
    PaymentBasis,
    Person,
    PersonRole,
    Rate,
    RecognitionKind,
    Role,
    Voice,
)
from survey_app.money import recognition as rec
from survey_app.money.recognition import LineInput
from survey_app.participation import invitations, taking_part
from survey_app.privacy import records
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

SHEETS = ["About this file", "Details", "Meetings", "Support needs", "Support arranged", "Personal links", "Messages",
          "Votes", "Voices", "Recognition", "Door tablet offline", "Audit trail"]


def everything(sample, make_user):
    """Dorota with a record of every kind, each made through the app's own functions; and Tomasz, whose
    records must never turn up in Dorota's file."""
    person, meeting, group = sample["person"], sample["meeting"], sample["group"]
    admin = make_user(Role.ADMIN, name="Alex Admin")
    organiser = make_user(Role.ORGANISER, name="Olive Organiser")
    finance = make_user(Role.FINANCE, name="Fran Finance")
    records.update(person, email="dorota@example.org", address="1 Church Street\nWidnes WA8 1AA",
                   preferred_name="Dot", organisation_id=sample["organisation"].id)
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1550, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    other = Person(first_name="Tomasz", last_name="Kowalczyk", contact_method=ContactMethod.EMAIL,
                   email="tomasz@example.org", information_format=InformationFormat.STANDARD,
                   role=PersonRole.CARER)
    other.refresh_search_name()
    db.session.add(other)
    db.session.commit()

    for who in (person, other):
        invitations.invite(meeting, who)
    invitations.make_links(meeting)
    taking_part.sign_in(meeting.id, person.id)
    taking_part.save_needs(person.id, meeting.id, {NeedKind.LARGE_PRINT: ""}, remember=True)
    taking_part.save_needs(person.id, meeting.id, {NeedKind.OTHER: "A chair near the door, please"},
                             remember=False)
    taking_part.save_needs(other.id, meeting.id, {NeedKind.OTHER: "Tomasz needs a lift to the second floor"},
                             remember=False)
    db.session.commit()
    large_print = db.session.scalar(select(AccessNeed).where(AccessNeed.person_id == person.id,
                                                             AccessNeed.kind == NeedKind.LARGE_PRINT))
    support_plan.mark_arranged(large_print.id, meeting.id, organiser)
    idea = taking_part.suggest(group.id, meeting.id, "Talk about bus passes", "Mine ran out", "Dot", "door")
    db.session.commit()
    suggestions.vote(idea.id, person.id)
    voices.set_voices(person, {Voice.CARER, Voice.LIVING_ALONE}, organiser)
    voices.set_voices(other, {Voice.FAITH_GROUP}, organiser)
    rec.set_payee_ref(person, "SUP-0042", finance)
    line = rec.record(LineInput(person=person, group_id=group.id, activity_on=date(2026, 5, 1),
                                kind=RecognitionKind.PAYMENT, meeting=meeting, basis=PaymentBasis.HALF_DAY), organiser)
    rec.record(LineInput(person=other, group_id=group.id, activity_on=date(2026, 5, 1),
                         kind=RecognitionKind.VOUCHER, amount_pence=1234, voucher_provider="Love2Shop",
                         voucher_serial="L2S-77777"), organiser)
    db.session.commit()
    rec.approve([line], finance)
    rec.build_return(finance)
    db.session.commit()
    return {"admin": admin, "organiser": organiser, "finance": finance, "person": person, "other": other,
            "line": line, "need": large_print, **sample}


@pytest.fixture
def held(sample, make_user):
    return everything(sample, make_user)


def download(client, person_id):
    response = client.get(f"/admin/people/{person_id}/records.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response, load_workbook(io.BytesIO(response.get_data()))


def rows(ws):
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def column(ws, header):
    headers = [c.value for c in ws[1]]
    return [row[headers.index(header)] for row in rows(ws)[1:]]


def every_value(wb):
    return [str(v) for ws in wb.worksheets for row in rows(ws) for v in row if v is not None]


def test_admin_downloads_everything_held_about_the_person(client, login_as, held):
    person = held["person"]
    login_as(Role.ADMIN, user=held["admin"])
    response, wb = download(client, person.id)

    assert wb.sheetnames == SHEETS
    filename = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)
    assert re.fullmatch(rf"subject-access-person-{person.id}-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx", filename)

    about = {row[0]: row[1] for row in rows(wb["About this file"]) if row[0]}
    assert about["Whose data"] == f"Dorota Nowak (person number {person.id})"
    assert about["Made by"] == f"Alex Admin ({held['admin'].email})"
    assert isinstance(about["Made on"], datetime)
    assert about["Votes"] == "Suggestions of what to talk about that they voted for."
    assert "Answers to the Co-production Checklist" in " ".join(every_value(wb))

    details = dict(rows(wb["Details"])[1:])
    assert (details["First name"], details["Last name"], details["Preferred name"]) == ("Dorota", "Nowak", "Dot")
    assert details["Postal address"] == "1 Church Street\nWidnes WA8 1AA"
    assert details["Phone number"] == "07700 900123"
    assert details["Organisation"] == "Halton Speak Out"
    assert details["Payee reference"] == "SUP-0042"
    assert details["Information in"] == "Easy read" and details["Language"] == "Polski"

    meetings = wb["Meetings"]
    assert column(meetings, "Meeting") == ["Health checks"] and column(meetings, "Status") == ["Attended"]

    needs = wb["Support needs"]
    assert column(needs, "Details") == [None, "A chair near the door, please"]
    assert column(needs, "For") == ["Every meeting", "Health checks"]
    assert column(wb["Support arranged"], "Arranged by") == ["Olive Organiser"]

    assert column(wb["Personal links"], "Meeting") == ["Health checks"]
    token = db.session.scalar(select(Invitation.token).where(Invitation.person_id == person.id))
    assert not any(token in value for value in every_value(wb))

    assert column(wb["Votes"], "Suggestion") == ["Talk about bus passes"]
    assert column(wb["Voices"], "Voice they bring") == ["Living alone", "A carer"]

    recognition = wb["Recognition"]
    assert column(recognition, "Amount") == [40]
    assert recognition.cell(2, 10).number_format.startswith('"£"')
    assert column(recognition, "Status") == ["In a return"] and column(recognition, "Finance return") == [1]
    assert column(recognition, "Approved by") == ["Fran Finance"]

    trail = wb["Audit trail"]
    what = list(zip(column(trail, "What"), column(trail, "Record")))
    assert ("Changed their voices", "Person") in what and ("Marked as arranged", "Support arranged") in what
    assert ("Approved", "Recognition line") in what and ("Added", "Meeting attendance") in what
    assert any("payee_ref: – → SUP-0042" in (c or "") for c in column(trail, "Changes"))


def test_another_persons_records_are_not_in_the_file(client, login_as, held):
    login_as(Role.ADMIN, user=held["admin"])
    _response, wb = download(client, held["person"].id)
    values = " ".join(every_value(wb))
    for theirs in ("Tomasz", "Kowalczyk", "tomasz@example.org", "lift to the second floor", "Love2Shop",
                   "L2S-77777", "A faith group"):
        assert theirs not in values
    assert 12.34 not in [v for ws in wb.worksheets for row in rows(ws) for v in row]

    _response, theirs = download(client, held["other"].id)
    assert column(theirs["Support needs"], "Details") == ["Tomasz needs a lift to the second floor"]
    assert column(theirs["Recognition"], "Amount") == [12.34]
    assert "Dorota" not in " ".join(every_value(theirs)).replace("Alex Admin", "")


def test_each_download_is_in_the_audit_log(client, login_as, held):
    admin, person = held["admin"], held["person"]
    login_as(Role.ADMIN, user=admin)
    download(client, person.id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "download-subject-access")).all()
    assert [(e.user_id, e.record_type, e.record_id) for e in events] == [(admin.id, "Person", str(person.id))]
    _response, wb = download(client, person.id)  # the second file shows the first download
    assert "Downloaded everything held about them" in column(wb["Audit trail"], "What")


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FINANCE])
def test_organisers_and_finance_cannot_download(client, login_as, held, role):
    login_as(role)
    assert client.get(f"/admin/people/{held['person'].id}/records.xlsx").status_code == 403
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "download-subject-access")) is None


def test_anonymous_is_sent_to_sign_in_and_a_missing_person_is_404(client, login_as, sample):
    response = client.get(f"/admin/people/{sample['person'].id}/records.xlsx")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(Role.ADMIN)
    assert client.get("/admin/people/99999/records.xlsx").status_code == 404


def test_a_person_with_nothing_else_gets_notes_on_the_empty_sheets(client, login_as, sample):
    login_as(Role.ADMIN)
    _response, wb = download(client, sample["person"].id)
    assert rows(wb["Recognition"])[1][0] == "No recognition recorded."
    assert rows(wb["Voices"])[1] == ("No voices recorded.",)


def test_only_admins_see_the_link_on_the_person_page(client, login_as, make_user, sample):
    url = f"/people/{sample['person'].id}"
    link = f'href="/admin/people/{sample["person"].id}/records.xlsx"'
    login_as(Role.ORGANISER)
    page = client.get(url).get_data(as_text=True)
    assert link not in page and "Records held about this person" not in page
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    login_as(Role.ADMIN)
    page = client.get(url).get_data(as_text=True)
    assert "Records held about this person" in page and link in page
    assert "Download everything we hold about this person (Excel)" in page


def test_a_sign_in_the_door_tablet_sent_after_working_offline_is_in_the_file(app, door, sample, make_user):
    pack = door.post("/door/offline/pack", headers={"X-CSRFToken": door.csrf_token("/door/")}).get_json()
    dorota = next(p["ref"] for p in pack["people"] if p["name"] == "Dorota N.")
    item = {"token": pack["tokens"][0], "kind": "sign_in", "position": 0, "person": {"ref": dorota}, "data": {}}
    response = door.post("/door/offline/sync", json={"items": [item]}, headers={"X-CSRFToken": pack["csrf"]})
    assert response.get_json()["results"][0]["outcome"] == "saved"
    admin = app.test_client()  # another browser: `door` is the tablet
    assert admin.submit("/login", {"email": make_user(Role.ADMIN).email, "password": PASSWORD}).status_code == 302
    _, wb = download(admin, sample["person"].id)
    sheet = wb["Door tablet offline"]
    assert column(sheet, "Meeting") == ["Health checks"] and column(sheet, "What") == ["Sign-in"]
    assert column(sheet, "Name shown") == ["Dorota N."] and column(sheet, "Outcome") == ["Saved"]
    assert isinstance(column(sheet, "Received")[0], datetime)
    about = {row[0]: row[1] for row in rows(wb["About this file"]) if row[0]}
    assert about["Door tablet offline"].endswith("Kept 30 days.")
