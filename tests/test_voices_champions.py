"""Voices (who is being heard) and Co-production Champions."""
from datetime import timedelta

from sqlalchemy import select

from survey_app.insight import voices
from survey_app.models import (
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Meeting,
    MeetingMode,
    Person,
    PersonVoice,
    Role,
    Voice,
)
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.queries import count_queries


def person(first, org=None, **kw):
    p = Person(first_name=first, last_name="Test", contact_method="email", email=f"{first}@x.example",
               information_format="standard", role="carer", organisation=org, **kw)
    p.refresh_search_name()
    db.session.add(p)
    return p


def past_meeting(group, days_ago):
    start = utcnow() - timedelta(days=days_ago)
    m = Meeting(group=group, title=f"M{days_ago}", starts_at=start, ends_at=start + timedelta(hours=2),
                mode=MeetingMode.IN_PERSON, venue_name="Hall")
    db.session.add(m)
    return m


def test_voices_are_recorded_on_the_person_form_and_audited(client, login_as, sample):
    login_as(Role.ORGANISER)
    p = sample["person"]
    response = client.submit(f"/people/{p.id}/edit", {
        "first_name": "Dorota", "last_name": "Nowak", "role": "lived_experience", "contact_method": "phone",
        "phone": "07700 900123", "information_format": "easy_read", "language": "pl", "recognition_preference": "paid",
        "voices": ["living_alone", "self_advocacy", "made-up"], "is_champion": "y"})
    assert response.status_code == 302
    assert voices.voices_of(p.id) == {Voice.LIVING_ALONE, Voice.SELF_ADVOCACY}
    db.session.expire_all()
    assert db.session.get(Person, p.id).is_champion
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update-voices"))
    assert event.before == {"voices": []} and event.after == {"voices": ["living_alone", "self_advocacy"]}
    page = client.get(f"/people/{p.id}").get_data(as_text=True)
    assert "Living alone" in page and "Co-production Champion" in page


def test_group_voices_counts_people_first_timers_and_missing_voices(client, login_as, sample):
    group = sample["group"]
    old, recent1, recent2 = past_meeting(group, 300), past_meeting(group, 20), past_meeting(group, 5)
    regular, newcomer, carer = person("Reg"), person("New"), person("Cara")
    db.session.flush()
    db.session.add_all([PersonVoice(person_id=regular.id, voice=Voice.LIVING_ALONE),
                        PersonVoice(person_id=newcomer.id, voice=Voice.LIVING_ALONE),
                        PersonVoice(person_id=carer.id, voice=Voice.CARER)])
    for m, p in ((old, regular), (recent1, regular), (recent2, regular), (recent2, newcomer), (recent1, carer)):
        db.session.add(Attendance(meeting=m, person=p, status=AttendanceStatus.ATTENDED))
    db.session.add(Attendance(meeting=recent2, person=sample["person"], status=AttendanceStatus.INVITED))
    db.session.commit()
    report = voices.group_voices(group.id, last=2)
    assert report.people == 3 and report.first_timers == 2  # New and Cara; Reg came before
    assert report.by_voice[Voice.LIVING_ALONE] == 2 and report.by_voice[Voice.CARER] == 1
    assert Voice.SECURE_WARD in report.missing and Voice.CARER not in report.missing
    assert report.shown(3) == "fewer than 5" and report.shown(5) == 5
    login_as(Role.ORGANISER)
    page = client.get(f"/groups/{group.id}/voices?last=2").get_data(as_text=True)
    assert "On a secure ward" in page.split("Missing voices")[1]


def test_group_voices_runs_a_fixed_number_of_queries(client, login_as, sample):
    group = sample["group"]
    meetings = [past_meeting(group, d) for d in (3, 10)]
    db.session.commit()

    def add_people(n, offset):
        for i in range(n):
            p = person(f"P{offset + i}")
            db.session.flush()
            db.session.add(PersonVoice(person_id=p.id, voice=Voice.CARER))
            db.session.add(Attendance(meeting=meetings[i % 2], person=p, status=AttendanceStatus.ATTENDED))
        db.session.commit()

    login_as(Role.ORGANISER)
    add_people(10, 0)
    client.get(f"/groups/{group.id}/voices")
    with count_queries() as few:
        client.get(f"/groups/{group.id}/voices")
    add_people(1000, 100)
    with count_queries() as many:
        client.get(f"/groups/{group.id}/voices")
    assert few["n"] == many["n"]


def test_organisation_page_shows_champions_and_activity(client, login_as, sample):
    org, group = sample["organisation"], sample["group"]
    champ = person("Chan", org=org, is_champion=True)
    m = past_meeting(group, 7)
    db.session.add(Attendance(meeting=m, person=champ, status=AttendanceStatus.ATTENDED))
    user = login_as(Role.ORGANISER)
    db.session.add_all([
        Action(group=group, what="Easy read letters", owner="Halton Speak Out", owner_organisation=org,
               due_on=london_today() - timedelta(days=3), status=ActionStatus.IN_PROGRESS, created_by_id=user.id),
        Action(group=group, what="Bus times", owner="Halton Speak Out", owner_organisation=org,
               status=ActionStatus.DONE, created_by_id=user.id)])
    db.session.commit()
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Chan Test" in page
    stats = page.split("Co-production activity")[1]
    for number, words in ((1, "meeting its people came to"), (1, "open action it owns"), (1, "of them overdue"),
                          (1, "action done")):
        assert f'<span class="stat">{number}</span> {words}' in stats


def test_admin_marks_a_staff_member_as_champion(client, login_as, make_user, sample):
    login_as(Role.ADMIN)
    staff = make_user(Role.ORGANISER)
    response = client.submit(f"/admin/users/{staff.id}", {"name": staff.name, "role": "organiser", "active": "y",
                                                          "organisation": str(sample["organisation"].id),
                                                          "is_champion": "y"})
    assert response.status_code == 302
    page = client.get(f"/organisations/{sample['organisation'].id}").get_data(as_text=True)
    assert f"{staff.name} (staff)" in page
