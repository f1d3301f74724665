"""Organiser pages: create and edit groups, meetings, people and organisations, each audited."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Group,
    Meeting,
    MeetingMode,
    Organisation,
    Person,
    PersonRole,
    Role,
)
from survey_app.web.extensions import db
from tests.queries import count_queries


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def audit_for(record_type):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == record_type)
                              .order_by(AuditEvent.id)).all()


def test_create_and_edit_an_organisation(client, organiser):
    response = client.submit("/organisations/new", {"name": "Halton Carers Centre", "kind": "voluntary"})
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert org.name == "Halton Carers Centre"
    response = client.submit("/organisations/new", {"name": "halton carers centre", "kind": "other"})
    assert "There is already an organisation with this name." in response.get_data(as_text=True)
    client.submit(f"/organisations/{org.id}/edit", {"name": "Halton Carers Centre", "kind": "other"})
    events = audit_for("Organisation")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].before == {"kind": "voluntary"} and events[1].after == {"kind": "other"}
    assert events[1].user_id == organiser.id


def test_create_a_group_and_see_its_page(client, organiser, sample):
    response = client.submit("/groups/new", {"name": "Carers' Voice Halton", "description": "Unpaid carers.",
                                             "organisation": str(sample["organisation"].id)})
    group = db.session.scalar(select(Group).where(Group.name == "Carers' Voice Halton"))
    assert response.headers["Location"] == f"/groups/{group.id}"
    assert group.organisation_id == sample["organisation"].id
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Carers&#39; Voice Halton" in page and 'Led by <bdi lang="en">Halton Speak Out</bdi>' in page


def test_create_a_meeting_with_access_details(client, organiser, sample):
    data = {"group": str(sample["group"].id), "title": "Short breaks", "purpose": "Plan short breaks.",
            "date": "2027-06-10", "start_time": "10:30", "end_time": "12:30", "mode": "both",
            "venue_name": "Kingsway Learning Centre", "venue_address": "Kingsway, Widnes",
            "step_free": "y", "hearing_loop": "y", "online_details": "Teams link by email", "cost_code": "COP-1"}
    response = client.submit("/meetings/new", data)
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Short breaks"))
    assert meeting.starts_at == datetime(2027, 6, 10, 9, 30, tzinfo=UTC)
    assert meeting.mode == MeetingMode.BOTH and meeting.step_free and meeting.hearing_loop and not meeting.parking
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "10:30" in page and "12:30" in page  # shown in London time
    assert "Step-free access" in page and "Hearing loop" in page and "Parking" not in page
    assert audit_for("Meeting")[0].after["title"] == "Short breaks"


def test_edit_a_meeting_keeps_times_in_london(client, organiser, sample):
    meeting = sample["meeting"]
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    local = meeting.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    assert f'value="{local:%H:%M}"' in page
    response = client.submit(f"/meetings/{meeting.id}/edit", {
        "group": str(meeting.group_id), "title": "Annual health checks", "date": f"{local:%Y-%m-%d}",
        "start_time": f"{local:%H:%M}", "end_time": "23:59", "mode": "in_person", "venue_name": "Runcorn Library"})
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.title == "Annual health checks"
    event = audit_for("Meeting")[-1]
    assert event.before["title"] == "Health checks" and event.after["title"] == "Annual health checks"


def test_meeting_form_errors_keep_what_was_typed(client, organiser, sample):
    response = client.submit("/meetings/new", {"group": str(sample["group"].id), "title": "Keep me",
                                               "date": "", "start_time": "10:00", "end_time": "09:00",
                                               "mode": "in_person"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Keep me"' in page
    assert '<a href="#date">Enter the date of the meeting.</a>' in page
    assert '<a href="#end_time">The end time must be after the start time.</a>' in page
    assert '<a href="#venue_name">Enter the name of the venue.</a>' in page
    assert 'aria-describedby="date-hint date-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_create_a_person_with_consent(client, organiser):
    response = client.submit("/people/new", {
        "first_name": "Amira", "last_name": "Ahmed", "preferred_name": "Mira", "role": "lived_experience",
        "contact_method": "text", "phone": "07700 900456", "information_format": "easy_read",
        "language": "ar", "organisation": "", "consent": "y", "recognition_preference": "voucher",
        "benefits_check": "y"})
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert (person.display_name, person.language, person.role) == ("Mira Ahmed", "ar", PersonRole.LIVED_EXPERIENCE)
    assert person.consent_at is not None and person.recognition_preference == "voucher" and person.benefits_check
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Mira Ahmed" in page and "07700 900456" in page and "Easy read" in page


def test_people_search_matches_first_or_last_name_start(client, organiser, sample):
    assert "Dorota Nowak" in client.get("/people?q=dor").get_data(as_text=True)
    assert "Dorota Nowak" in client.get("/people?q=NOW").get_data(as_text=True)
    page = client.get("/people?q=owak").get_data(as_text=True)
    assert "Dorota Nowak" not in page and "Nobody found" in page
    assert "Dorota Nowak" not in client.get("/people?q=%25").get_data(as_text=True)


def test_person_page_lists_their_meetings(client, organiser, sample):
    db.session.add(Attendance(meeting=sample["meeting"], person=sample["person"], status=AttendanceStatus.REGISTERED))
    db.session.commit()
    page = client.get(f"/people/{sample['person'].id}").get_data(as_text=True)
    assert "Health checks" in page and "Registered" in page


def _add_people(n, offset=0):
    for i in range(n):
        p = Person(first_name=f"Person{offset + i:03d}", last_name="Test", contact_method="email",
                   information_format="standard", role="carer", email=f"p{offset + i}@example.org")
        p.refresh_search_name()
        db.session.add(p)
    db.session.commit()


def test_people_list_paginates(client, organiser):
    _add_people(30)
    first = client.get("/people").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Person000" in first and "Person029" not in first
    second = client.get("/people?page=2").get_data(as_text=True)
    assert "Person029" in second




def _add_meetings(group, n, people):
    now = datetime.now(UTC)
    for i in range(n):
        m = Meeting(group=group, title=f"M{i}", starts_at=now + timedelta(days=i + 1),
                    ends_at=now + timedelta(days=i + 1, hours=2), mode=MeetingMode.IN_PERSON, venue_name="V")
        db.session.add(m)
        for p in people:
            db.session.add(Attendance(meeting=m, person=p, status=AttendanceStatus.INVITED))
    db.session.commit()


@pytest.mark.parametrize("page", ["/meetings", "/people", "/groups", "/organisations", "/dashboard",
                                  "/meetings/{meeting}", "/people/{person}"])
def test_organiser_pages_do_not_grow_queries_with_data(client, organiser, sample, page):
    group, person = sample["group"], sample["person"]
    url = page.format(meeting=sample["meeting"].id, person=person.id)
    _add_people(3)
    _add_meetings(group, 2, [person])
    db.session.add(Attendance(meeting=sample["meeting"], person=person, status=AttendanceStatus.INVITED))
    db.session.commit()
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _add_people(20, offset=100)
    extra_orgs = [Organisation(name=f"Org {i}", kind="other") for i in range(5)]
    db.session.add_all(extra_orgs + [Group(name=f"G{i}", organisation=extra_orgs[i]) for i in range(5)])
    db.session.commit()
    more_people = db.session.scalars(select(Person).where(Person.id != person.id).limit(10)).all()
    _add_meetings(group, 10, more_people)
    for p in more_people:
        db.session.add(Attendance(meeting=sample["meeting"], person=p, status=AttendanceStatus.INVITED))
    db.session.commit()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large["n"] == small["n"], f"{url}: {small['n']} queries with little data, {large['n']} with more"


def test_admin_creates_and_edits_staff(client, login_as):
    admin = login_as(Role.ADMIN)
    response = client.submit("/admin/users/new", {"name": "Fin Lee", "email": "Fin@Halton.Example",
                                                  "role": "finance", "password": "long password 1",
                                                  "confirm": "long password 1", "active": "y"})
    assert response.status_code == 302
    from survey_app.models import User

    fin = db.session.scalar(select(User).where(User.email == "fin@halton.example"))
    assert fin.role == Role.FINANCE and fin.active
    response = client.submit("/admin/users/new", {"name": "Dup", "email": "fin@halton.example", "role": "finance",
                                                  "password": "long password 1", "confirm": "long password 1"})
    assert "There is already an account with this email address." in response.get_data(as_text=True)
    response = client.submit(f"/admin/users/{admin.id}", {"name": admin.name, "role": "organiser", "active": "y"})
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    assert [e.action for e in audit_for("User")][-1] == "create"


def test_groups_and_organisations_lists_paginate(client, organiser):
    orgs = [Organisation(name=f"Org {i:02d}", kind="other") for i in range(30)]
    db.session.add_all(orgs + [Group(name=f"Group {i:02d}") for i in range(30)])
    db.session.commit()
    for url, first, last in (("/organisations", "Org 00", "Org 29"), ("/groups", "Group 00", "Group 29")):
        page1 = client.get(url).get_data(as_text=True)
        assert "Page 1 of 2" in page1 and first in page1 and last not in page1
        page2 = client.get(f"{url}?page=2").get_data(as_text=True)
        assert last in page2 and first not in page2


def test_a_group_keeps_who_invited_people_can_ask_for_help(client, organiser, sample):
    """Issue 14, point 11: the optional contact on the group form, shown on the group page."""
    group = sample["group"]
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Invited people are not told who to ask for help. Edit the group to add someone." in page
    form = {"name": group.name, "organisation": "", "contact_name": "Sam Jones", "contact_phone": "01928 123456",
            "contact_email": "not an email"}
    response = client.submit(f"/groups/{group.id}/edit", form)
    assert response.status_code == 400
    assert "Enter an email address in the right format, like name@example.org." in response.get_data(as_text=True)
    db.session.refresh(group)
    assert group.contact_name == ""
    response = client.submit(f"/groups/{group.id}/edit", form | {"contact_email": " sam@example.org ",
                                                                    "contact_phone": "phone me"})
    assert "Enter a phone number using numbers only, like 01928 123456." in response.get_data(as_text=True)
    response = client.submit(f"/groups/{group.id}/edit", form | {"contact_email": "sam@example.org"})
    assert response.status_code == 302
    db.session.refresh(group)
    assert (group.contact_name, group.contact_phone, group.contact_email) == \
        ("Sam Jones", "01928 123456", "sam@example.org")
    assert group.contact_tel == "01928123456"
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Invited people who need help are told to ask: Sam Jones, 01928 123456, sam@example.org" in page
    edit = client.get(f"/groups/{group.id}/edit").get_data(as_text=True)
    assert 'value="Sam Jones"' in edit and 'value="01928 123456"' in edit and 'value="sam@example.org"' in edit
    event = audit_for("Group")[-1]
    assert event.after["contact_name"] == "Sam Jones"
    client.submit(f"/groups/{group.id}/edit", form | {"contact_name": "", "contact_phone": "", "contact_email": ""})
    db.session.refresh(group)
    assert (group.contact_name, group.contact_phone, group.contact_email) == ("", "", "")
