"""An organiser marks who took part and how (in the room, online, by phone), changes it and undoes it;
people marked online or by phone count everywhere a door sign-in counts."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.insight import voices
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Invitation,
    Meeting,
    MeetingMode,
    PaymentBasis,
    Person,
    PersonVoice,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    TakingPart,
    ThanksType,
    Voice,
)
from survey_app.models.base import utcnow
from survey_app.money import recognition as rec
from survey_app.participation import merging
from survey_app.web.extensions import db
from tests.queries import count_queries


def person(first, last="Test", **kw):
    p = Person(first_name=first, last_name=last, contact_method="email", email=f"{first}@x.example",
               information_format="standard", role="carer", **kw)
    p.refresh_search_name()
    db.session.add(p)
    return p


@pytest.fixture
def past(sample):
    """A meeting of the sample group that happened last week, and three people connected to the group
    (invited to its next meeting)."""
    start = utcnow() - timedelta(days=7)
    meeting = Meeting(group=sample["group"], title="Last week", starts_at=start, ends_at=start + timedelta(hours=2),
                      mode=MeetingMode.BOTH, venue_name="Hall", online_details="Teams")
    people = [person("Ann", "Able"), person("Ben", "Baker"), person("Cy", "Cole")]
    db.session.add(meeting)
    for p in people:
        db.session.add(Attendance(meeting=sample["meeting"], person=p, status=AttendanceStatus.INVITED))
    db.session.commit()
    return meeting, people


def rows(meeting):
    return {a.person_id: a for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def mark(client, meeting, people, how="online"):
    return client.submit(f"/meetings/{meeting.id}/took-part", {"person": [str(p.id) for p in people], "how": how})


def change(client, meeting, people, do, how=""):
    return client.submit(f"/meetings/{meeting.id}/attended", {"person": [str(p.id) for p in people], "do": do,
                                                              "how": how}, token_from=f"/meetings/{meeting.id}")


def test_an_organiser_marks_many_people_at_once_and_says_how(client, login_as, past):
    meeting, (ann, ben, cy) = past
    login_as(Role.ORGANISER)
    page = client.get(f"/meetings/{meeting.id}/took-part").get_data(as_text=True)
    assert "Ann Able" in page and "Ben Baker" in page and "How did they take part?" in page
    response = mark(client, meeting, [ann, ben], "online")
    assert response.status_code == 302 and response.location.endswith(f"/meetings/{meeting.id}")
    saved = rows(meeting)
    assert set(saved) == {ann.id, ben.id}
    assert all(a.status is AttendanceStatus.ATTENDED and a.took_part is TakingPart.ONLINE and a.signed_in_at is None
               for a in saved.values())
    assert mark(client, meeting, [cy], "phone").status_code == 302
    assert rows(meeting)[cy.id].took_part is TakingPart.PHONE
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "In the room 0, Online 2, By phone 1" in page
    assert page.count("<td>Online</td>") == 4  # two in "who took part", two in "everyone on the list"


def test_marking_twice_makes_no_second_row_and_no_second_audit_entry(client, login_as, past):
    meeting, (ann, ben, _cy) = past
    login_as(Role.ORGANISER)
    assert mark(client, meeting, [ann, ben, ann]).status_code == 302
    response = mark(client, meeting, [ann, ben])  # a double tap, or the same form in a second tab
    assert response.status_code == 302
    count = db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting.id))
    assert count == 2 and len(events("mark-attended")) == 2
    assert "Nothing has changed: they were marked already." in client.get(f"/meetings/{meeting.id}").get_data(
        as_text=True)


def test_an_invitation_is_turned_into_attended_and_a_door_sign_in_can_be_changed(client, login_as, past, sample):
    _meeting, (ann, _ben, _cy) = past
    meeting = sample["meeting"]  # Ann is invited to it
    login_as(Role.ORGANISER)
    assert mark(client, meeting, [ann], "room").status_code == 302
    row = rows(meeting)[ann.id]
    assert row.status is AttendanceStatus.ATTENDED and row.took_part is TakingPart.ROOM
    event = events("mark-attended")[-1]
    assert event.record_type == "Attendance"
    assert event.before == {"status": "invited", "took_part": None}
    assert event.after == {"status": "attended", "took_part": "room"}


def test_each_mark_is_audited_with_the_meeting_and_the_way_and_never_support_needs(client, login_as, past):
    meeting, (ann, _ben, _cy) = past
    user = login_as(Role.ORGANISER)
    mark(client, meeting, [ann], "phone")
    (event,) = events("mark-attended")
    assert event.user_id == user.id and event.record_type == "Attendance"
    assert event.after["meeting_id"] == meeting.id and event.after["person_id"] == ann.id
    assert event.after["took_part"] == "phone" and event.after["status"] == "attended"
    assert "need" not in str(event.after).lower()


@pytest.mark.parametrize("how", ["", "sofa", None])
def test_no_way_chosen_is_refused(client, login_as, past, how):
    meeting, (ann, _ben, _cy) = past
    login_as(Role.ORGANISER)
    data = {"person": [str(ann.id)]} | ({"how": how} if how is not None else {})
    response = client.submit(f"/meetings/{meeting.id}/took-part", data)
    assert response.status_code == 400
    assert "Choose how they took part." in response.get_data(as_text=True)
    assert rows(meeting) == {}


def test_bad_people_are_refused_and_nothing_is_written(client, login_as, past, sample):
    meeting, (ann, ben, _cy) = past
    stranger = person("Zed", "Stranger")  # not connected to the group
    erased = person("Eve", "Erased")
    db.session.flush()
    db.session.add(Attendance(meeting=sample["meeting"], person=erased, status=AttendanceStatus.INVITED))
    erased.erased_at = utcnow()
    db.session.commit()
    login_as(Role.ORGANISER)
    refusal = ("Some of the people chosen cannot be marked for this meeting. Nothing was saved. "
               "Invite them to the meeting first.")
    for chosen in ([str(ann.id), str(stranger.id)], [str(ann.id), str(erased.id)], [str(ann.id), "999999"],
                   [str(ben.id), "x"], [str(ann.id), "٣"]):
        response = client.submit(f"/meetings/{meeting.id}/took-part", {"person": chosen, "how": "online"})
        assert response.status_code == 400, chosen
        assert refusal in response.get_data(as_text=True)
    response = client.submit(f"/meetings/{meeting.id}/took-part", {"how": "online"})
    assert response.status_code == 400 and "Choose at least one person." in response.get_data(as_text=True)
    assert rows(meeting) == {} and events("mark-attended") == []


def test_the_list_only_shows_people_who_can_be_marked_and_searches_by_name(client, login_as, past):
    meeting, _people = past
    person("Zed", "Stranger")
    db.session.commit()
    login_as(Role.ORGANISER)
    page = client.get(f"/meetings/{meeting.id}/took-part").get_data(as_text=True)
    assert "Zed Stranger" not in page and "Cy Cole" in page
    page = client.get(f"/meetings/{meeting.id}/took-part?q=bak").get_data(as_text=True)
    assert "Ben Baker" in page and "Ann Able" not in page


def test_undo_goes_back_to_invited_with_a_personal_link_else_the_row_goes(client, login_as, past):
    meeting, (ann, ben, cy) = past
    db.session.add(Invitation(meeting_id=meeting.id, person_id=ann.id, token="t" * 40))
    db.session.commit()
    login_as(Role.ORGANISER)
    mark(client, meeting, [ann, ben, cy], "online")
    response = change(client, meeting, [ann, ben], "undo")
    assert response.status_code == 302
    saved = rows(meeting)
    assert set(saved) == {ann.id, cy.id}
    assert saved[ann.id].status is AttendanceStatus.INVITED and saved[ann.id].took_part is None
    undone = events("mark-not-attended")
    assert len(undone) == 2
    assert {e.before.get("took_part") for e in undone} == {"online"}
    assert all((e.before | (e.after or {})).get("meeting_id", meeting.id) == meeting.id for e in undone)
    # Undoing again: they are not attended any more.
    response = change(client, meeting, [ann], "undo")
    assert response.status_code == 400
    assert "Some of the people chosen are not marked as attended. Nothing was saved." in response.get_data(
        as_text=True)


def test_undo_is_refused_for_someone_with_recognition(client, login_as, past, sample, make_user):
    meeting, (ann, ben, _cy) = past
    login_as(Role.ORGANISER)
    mark(client, meeting, [ann, ben], "phone")
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1550,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    db.session.commit()
    rec.record(rec.LineInput(person=db.session.get(Person, ann.id), group_id=meeting.group_id,
                             activity_on=meeting.starts_at.date(), kind=RecognitionKind.THANKS,
                             meeting=meeting, thanks_type=ThanksType.LETTER), make_user(Role.ORGANISER))
    db.session.commit()
    response = change(client, meeting, [ann, ben], "undo")
    assert response.status_code == 400
    assert ("Ann Able already has recognition for this meeting. Remove their recognition first. "
            "Nothing was saved.") in response.get_data(as_text=True)
    assert set(rows(meeting)) == {ann.id, ben.id}


def test_change_how_someone_took_part(client, login_as, past):
    meeting, (ann, ben, _cy) = past
    login_as(Role.ORGANISER)
    mark(client, meeting, [ann, ben], "online")
    assert change(client, meeting, [ben], "change", "phone").status_code == 302
    saved = rows(meeting)
    assert saved[ann.id].took_part is TakingPart.ONLINE and saved[ben.id].took_part is TakingPart.PHONE
    assert events("mark-attended")[-1].after == {"took_part": "phone"}
    response = change(client, meeting, [ben], "change", "")
    assert response.status_code == 400 and "Choose how they took part." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/meetings/{id}/took-part", "/groups/{group}/activities/new"])
def test_finance_cannot_mark_or_record_activities(client, login_as, past, url):
    meeting, (ann, _ben, _cy) = past
    login_as(Role.FINANCE)
    url = url.format(id=meeting.id, group=meeting.group_id)
    assert client.get(url).status_code == 403
    token = client.csrf_token("/account")
    assert client.post(url, data={"csrf_token": token, "person": [str(ann.id)], "how": "online"}).status_code == 403
    assert client.post(f"/meetings/{meeting.id}/attended",
                       data={"csrf_token": token, "person": [str(ann.id)], "do": "undo"}).status_code == 403
    assert rows(meeting) == {}


def test_marked_people_count_as_attended_in_recognition_and_voices(client, login_as, past, sample, make_user):
    meeting, (ann, ben, cy) = past
    db.session.add_all([PersonVoice(person_id=ann.id, voice=Voice.CARER),
                        PersonVoice(person_id=ben.id, voice=Voice.CARER)])
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1550,
                        half_day_pence=4000, day_pence=7500, mileage_pence=45))
    db.session.commit()
    login_as(Role.ORGANISER)
    mark(client, meeting, [ann], "online")
    mark(client, meeting, [ben], "phone")
    mark(client, meeting, [cy], "room")
    assert {p.id for p in rec.attended_not_recognised(meeting.id)} == {ann.id, ben.id, cy.id}
    report = voices.group_voices(sample["group"].id)
    assert report.people == 3 and report.first_timers == 3 and report.by_voice[Voice.CARER] == 2
    made, _skipped = rec.record_usual_for_everyone(meeting, PaymentBasis.HALF_DAY, 200, make_user(Role.ORGANISER))
    db.session.commit()
    assert made == 3
    assert {line.person_id for line in db.session.scalars(select(RecognitionLine))} == {ann.id, ben.id, cy.id}
    assert rec.attended_not_recognised(meeting.id) == []


def test_the_first_timer_count_sees_an_earlier_online_meeting(client, login_as, past, sample):
    meeting, (ann, _ben, _cy) = past
    start = utcnow() - timedelta(days=400)
    old = Meeting(group=sample["group"], title="Long ago", starts_at=start, ends_at=start + timedelta(hours=1),
                  mode=MeetingMode.ONLINE, online_details="Teams")
    db.session.add(old)
    db.session.commit()
    login_as(Role.ORGANISER)
    mark(client, old, [ann], "online")
    mark(client, meeting, [ann], "phone")
    report = voices.group_voices(sample["group"].id, last=1)
    assert report.people == 1 and report.first_timers == 0


def test_merging_people_keeps_how_they_took_part(past, sample):
    meeting, (ann, ben, _cy) = past
    db.session.add_all([Attendance(meeting=meeting, person=ann, status=AttendanceStatus.INVITED),
                        Attendance(meeting=meeting, person=ben, status=AttendanceStatus.ATTENDED,
                                   took_part=TakingPart.ONLINE)])
    db.session.commit()
    merging._combine_attendances(ann.id, ben.id)
    db.session.commit()
    row = rows(meeting)[ann.id]
    assert row.status is AttendanceStatus.ATTENDED and row.took_part is TakingPart.ONLINE


def _connect(group_meeting, n, offset) -> list[Person]:
    people = []
    for i in range(n):
        people.append(p := person(f"Q{offset + i}", f"Person{offset + i}"))
        db.session.add(Attendance(meeting=group_meeting, person=p, status=AttendanceStatus.INVITED))
    db.session.commit()
    return people


def test_the_pages_run_a_fixed_number_of_queries(client, login_as, past, sample):
    meeting, people = past
    login_as(Role.ORGANISER)
    urls = [f"/meetings/{meeting.id}/took-part", f"/meetings/{meeting.id}"]
    assert mark(client, meeting, people[:2], "online").status_code == 302
    counts = {}
    for url in urls:
        client.get(url)
        with count_queries() as small:
            assert client.get(url).status_code == 200
        counts[url] = small["n"]
    more = _connect(sample["meeting"], 4, 0)
    assert mark(client, meeting, people[2:] + more[:3], "phone").status_code == 302
    assert len([a for a in rows(meeting).values() if a.status is AttendanceStatus.ATTENDED]) == 6
    for url in urls:
        with count_queries() as large:
            assert client.get(url).status_code == 200
        assert large["n"] == counts[url], f"{url}: {counts[url]} queries with 2 rows, {large['n']} with 6"


def test_the_person_page_and_their_data_say_how_they_took_part(client, login_as, past):
    from survey_app.privacy import subject_access

    meeting, (ann, _ben, _cy) = past
    login_as(Role.ORGANISER)
    mark(client, meeting, [ann], "phone")
    page = client.get(f"/people/{ann.id}").get_data(as_text=True)
    assert "Attended: By phone" in page
    section = subject_access._meetings(ann.id)
    assert any(row[-1] == "By phone" and row[0] == "Last week" for row in section.rows)


def test_a_row_made_by_another_tab_meanwhile_is_updated_not_duplicated(client, login_as, past, monkeypatch):
    """The other tab's row appears between our read and our write: the unique constraint stops a second row,
    and the mark is made again on a fresh read."""
    from survey_app.participation import attendance

    meeting, (ann, _ben, _cy) = past
    db.session.add(Attendance(meeting_id=meeting.id, person_id=ann.id, status=AttendanceStatus.ATTENDED,
                              took_part=TakingPart.ROOM))
    db.session.commit()
    real_rows, calls = attendance._rows, []

    def stale_first_read(m, ids):
        calls.append(ids)
        return {} if len(calls) == 1 else real_rows(m, ids)

    monkeypatch.setattr(attendance, "_rows", stale_first_read)
    login_as(Role.ORGANISER)
    assert mark(client, meeting, [ann], "online").status_code == 302
    assert len(calls) == 2
    (row,) = rows(meeting).values()
    assert row.took_part is TakingPart.ONLINE and len(events("mark-attended")) == 1
