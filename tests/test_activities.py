"""Activities of a group that are not meetings: recorded with a kind and a date, shown by their kind, no door
mode; who took part and recognition work as for a meeting."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Meeting,
    MeetingKind,
    MeetingMode,
    PaymentBasis,
    Person,
    Rate,
    Role,
    TakingPart,
)
from survey_app.models.base import utcnow
from survey_app.money import recognition as rec
from survey_app.web.extensions import db


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def activity(group, kind=MeetingKind.PANEL, days_ago=3, title="Interview panel"):
    start = utcnow() - timedelta(days=days_ago)
    a = Meeting(group=group, title=title, kind=kind, starts_at=start, ends_at=start, mode=MeetingMode.IN_PERSON)
    db.session.add(a)
    db.session.commit()
    return a


def test_an_organiser_records_an_activity(client, organiser, sample):
    group = sample["group"]
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Record an activity" in page
    response = client.submit(f"/groups/{group.id}/activities/new", {
        "kind": "visit", "title": "Visit to the new health centre", "date": "2027-06-10",
        "purpose": "See if it is easy to get around.", "cost_code": "COP-7"})
    assert response.status_code == 302
    saved = db.session.scalar(select(Meeting).where(Meeting.title == "Visit to the new health centre"))
    assert saved.kind is MeetingKind.VISIT and saved.group_id == group.id
    assert saved.starts_at == saved.ends_at == datetime(2027, 6, 10, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
    assert saved.mode is MeetingMode.IN_PERSON and saved.venue_name == "" and saved.cost_code == "COP-7"
    assert saved.purpose == "See if it is easy to get around."
    assert response.location == f"/meetings/{saved.id}"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Meeting"))
    assert event.action == "create" and event.after["kind"] == "visit"
    page = client.get(f"/meetings/{saved.id}").get_data(as_text=True)
    assert "A visit" in page and "Mark who took part" in page and "Recognition for this meeting" in page
    assert "Start door mode" not in page and "Venue" not in page and "The door tablet" not in page
    assert "Edit activity" in page


def test_a_winter_activity_is_at_ten_in_london(client, organiser, sample):
    client.submit(f"/groups/{sample['group'].id}/activities/new",
                  {"kind": "writing", "title": "Leaflet", "date": "2027-01-15"})
    saved = db.session.scalar(select(Meeting).where(Meeting.title == "Leaflet"))
    assert saved.starts_at == datetime(2027, 1, 15, 10, 0, tzinfo=UTC) and saved.kind is MeetingKind.WRITING


@pytest.mark.parametrize("data, message", [
    ({"kind": "", "title": "T", "date": "2027-01-15"}, "Choose what kind of activity it is."),
    ({"kind": "meeting", "title": "T", "date": "2027-01-15"}, "Choose what kind of activity it is."),
    ({"kind": "panel", "title": "", "date": "2027-01-15"}, "Enter a title for the activity."),
    ({"kind": "panel", "title": "T", "date": ""}, "Enter the date of the activity."),
    ({"kind": "panel", "title": "T", "date": "2027-02-30"}, "Enter a real date for the activity, like 27 March 2027."),
])
def test_bad_activities_are_refused(client, organiser, sample, data, message):
    response = client.submit(f"/groups/{sample['group'].id}/activities/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Meeting).where(Meeting.title == "T")) is None


def test_an_activity_is_edited_on_its_own_form(client, organiser, sample):
    a = activity(sample["group"])
    response = client.get(f"/meetings/{a.id}/edit")
    assert response.status_code == 302 and response.location == f"/activities/{a.id}/edit"
    page = client.get(f"/activities/{a.id}/edit").get_data(as_text=True)
    assert "Interview panel" in page and 'value="panel" checked' in page
    response = client.submit(f"/activities/{a.id}/edit", {"kind": "other", "title": "Panel, second day",
                                                          "date": "2026-11-02"})
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.kind is MeetingKind.OTHER and a.title == "Panel, second day"
    assert a.starts_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    # A meeting is not edited as an activity.
    response = client.get(f"/activities/{sample['meeting'].id}/edit")
    assert response.status_code == 302 and response.location == f"/meetings/{sample['meeting'].id}/edit"


def test_meeting_lists_show_the_kind_instead_of_a_venue(client, organiser, sample):
    activity(sample["group"], MeetingKind.PANEL)
    page = client.get(f"/groups/{sample['group'].id}").get_data(as_text=True)
    assert "A panel interview" in page and "Runcorn Library" in page
    page = client.get("/meetings?when=past").get_data(as_text=True)
    assert "A panel interview" in page


def test_door_mode_is_refused_for_an_activity(client, organiser, sample):
    a = activity(sample["group"], days_ago=0)
    token = client.csrf_token("/account")
    response = client.post(f"/meetings/{a.id}/door-mode", data={"csrf_token": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Door mode is only for meetings" in page
    assert "is an activity, not a meeting, so there is no door tablet for it." in page
    assert client.get(f"/meetings/{a.id}").status_code == 200  # still signed in: the tablet was not started


def test_people_take_part_in_an_activity_and_are_recognised(client, organiser, sample, make_user):
    a = activity(sample["group"])
    people = []
    for name in ("Ann", "Ben"):
        p = Person(first_name=name, last_name="Test", contact_method="email", email=f"{name}@x.example",
                   information_format="standard", role="carer")
        p.refresh_search_name()
        db.session.add(p)
        db.session.add(Attendance(meeting=sample["meeting"], person=p, status=AttendanceStatus.INVITED))
        people.append(p)
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1550,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    db.session.commit()
    response = client.submit(f"/meetings/{a.id}/took-part", {"person": [str(p.id) for p in people], "how": "phone"})
    assert response.status_code == 302
    assert {x.took_part for x in db.session.scalars(select(Attendance).where(Attendance.meeting_id == a.id))} \
        == {TakingPart.PHONE}
    assert {p.id for p in rec.attended_not_recognised(a.id)} == {p.id for p in people}
    made, _ = rec.record_usual_for_everyone(a, PaymentBasis.HALF_DAY, 200, make_user(Role.ORGANISER))
    assert made == 2


def test_public_notes_label_an_activity_by_its_kind(client, sample):
    activity(sample["group"], MeetingKind.VISIT, title="Visit to the ward")
    for url in (f"/public/groups/{sample['group'].id}/meetings",
                f"/public/groups/{sample['group'].id}/meetings/easy-read"):
        page = client.get(url).get_data(as_text=True)
        assert "Visit to the ward" in page and "A visit:" in page, url
