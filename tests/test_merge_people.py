"""Likely duplicates and merging two records of one person: everything moves, nothing is lost, locked
finance lines stay as they are, one audit event, organisers and admins only, a second press is harmless."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ContactMethod,
    InformationFormat,
    Invitation,
    NeedArrangement,
    NeedKind,
    PaymentBasis,
    Person,
    PersonRole,
    PersonVoice,
    Rate,
    RecognitionKind,
    RecognitionLine,
    Role,
    Suggestion,
    SuggestionVote,
    Voice,
)
from survey_app.money import recognition as rec
from survey_app.participation import merging
from survey_app.privacy import audit_search
from survey_app.web.extensions import db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def person(first="Tabby", last="Xavier", **extra) -> Person:
    who = Person(first_name=first, last_name=last, contact_method=ContactMethod.EMAIL,
                 information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE, **extra)
    who.refresh_search_name()
    db.session.add(who)
    db.session.commit()
    return who


@pytest.fixture
def world(sample, make_user):
    group, meeting = sample["group"], sample["meeting"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    organiser, finance = make_user(Role.ORGANISER), make_user(Role.FINANCE)
    keep = person(email="", phone="07700 900555")
    other = person(first="tabby", last="XAVIER", email="tabby@example.org", phone="+44 7700 900555",
                   payee_ref="SUP-9", address="1 Hill St")
    db.session.add_all([
        Attendance(meeting_id=meeting.id, person_id=keep.id, status=AttendanceStatus.INVITED),
        Attendance(meeting_id=meeting.id, person_id=other.id, status=AttendanceStatus.ATTENDED,
                   signed_in_at=T0 + timedelta(minutes=5)),
    ])
    need = AccessNeed(person_id=other.id, meeting_id=meeting.id, kind=NeedKind.BSL, detail="interpreter")
    standing = AccessNeed(person_id=other.id, kind=NeedKind.HEARING_LOOP)
    db.session.add_all([need, standing])
    db.session.flush()
    db.session.add(NeedArrangement(need_id=need.id, meeting_id=meeting.id, arranged_by_id=organiser.id))
    idea = Suggestion(group_id=group.id, what="Buses", source="door")
    idea2 = Suggestion(group_id=group.id, what="Parking", source="door")
    db.session.add_all([idea, idea2])
    db.session.flush()
    db.session.add_all([
        SuggestionVote(suggestion_id=idea.id, person_id=keep.id, created_at=T0),
        SuggestionVote(suggestion_id=idea.id, person_id=other.id, created_at=T0 + timedelta(hours=1)),
        SuggestionVote(suggestion_id=idea2.id, person_id=other.id, created_at=T0),
        PersonVoice(person_id=keep.id, voice=Voice.CARER), PersonVoice(person_id=other.id, voice=Voice.CARER),
        PersonVoice(person_id=other.id, voice=Voice.LIVING_ALONE),
        Invitation(token="tok-other", meeting_id=meeting.id, person_id=other.id),
    ])
    line = rec.record(rec.LineInput(person=other, group_id=group.id, activity_on=date(2026, 5, 1),
                                    kind=RecognitionKind.PAYMENT, meeting=meeting, basis=PaymentBasis.HALF_DAY),
                      organiser)
    db.session.commit()
    return {"keep": keep, "other": other, "organiser": organiser, "finance": finance, "line": line, **sample}


def test_people_alike_by_name_email_or_phone_are_likely_duplicates(world):
    third = person(first="Someone", last="Else", email="TABBY@example.org ")
    person(first="Nobody", last="Alike", email="nobody@example.org", phone="01928 000000")
    pairs = {(p.first_id, p.second_id): [str(r) for r in p.reasons] for p in merging.likely_duplicates()}
    keep, other = world["keep"].id, world["other"].id
    assert pairs == {(keep, other): ["Same name", "Same phone number"],
                     (other, third.id): ["Same email address"]}


def test_phone_numbers_are_compared_as_plain_digits():
    same = {merging.normal_phone(p) for p in ("07700 900555", "+44 7700 900555", "0044 7700 900555",
                                             "(07700) 900-555", "07700900555")}
    assert same == {"07700900555"} and merging.normal_phone("12") == ""


def test_merge_moves_everything_and_keeps_one_of_each_unique_row(world):
    keep, other, meeting = world["keep"], world["other"], world["meeting"]
    keep_id, other_id = keep.id, other.id
    counts = merging.merge(keep_id, other_id, world["organiser"])
    db.session.commit()
    assert counts == {"attendances": 1, "needs": 2, "links": 1, "votes": 2, "voices": 2, "lines": 1,
                      "attendances_combined": 1, "links_dropped": 0, "votes_dropped": 1}
    assert db.session.get(Person, other_id) is None
    # One attendance: attended beats invited, with the sign-in time.
    rows = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    assert [(a.person_id, a.status, a.signed_in_at) for a in rows] == [
        (keep_id, AttendanceStatus.ATTENDED, T0 + timedelta(minutes=5))]
    assert count(AccessNeed, AccessNeed.person_id == keep_id) == 2
    assert count(NeedArrangement) == 1
    assert db.session.scalar(select(Invitation.person_id).where(Invitation.token == "tok-other")) == keep_id
    votes = db.session.execute(select(SuggestionVote.person_id, SuggestionVote.created_at)
                               .order_by(SuggestionVote.id)).all()
    assert votes == [(keep_id, T0), (keep_id, T0)]  # the earlier vote on "Buses" stays, "Parking" moved
    assert sorted(v.value for v in db.session.scalars(select(PersonVoice.voice))) == ["carer", "living_alone"]
    assert db.session.scalar(select(RecognitionLine.person_id)) == keep_id
    db.session.expire_all()
    keep = db.session.get(Person, keep_id)
    # Empty details filled from the other; what the kept record had stays.
    assert (keep.email, keep.phone, keep.payee_ref, keep.address) == (
        "tabby@example.org", "07700 900555", "SUP-9", "1 Hill St")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))
    assert (event.record_type, event.record_id, event.user_id) == ("Person", str(keep_id), world["organiser"].id)
    assert event.after["kept_id"] == keep_id and event.after["merged_id"] == other_id
    assert event.after["lines"] == 1 and event.after["filled"] == ["address", "email", "payee_ref"]
    assert count(AuditEvent, AuditEvent.action == "merge") == 1


def test_every_table_that_points_at_a_person_is_handled(app):
    referencing = {(table.name, fk.parent.name) for table in db.metadata.sorted_tables
                   for fk in table.foreign_keys if fk.column.table.name == "person"}
    assert referencing == merging.MOVED_BY_MERGE, "a new table references person.id: make merging.merge move it"


def _lock(line, finance):
    rec.approve([line], finance)
    line.person.payee_ref = line.person.payee_ref or "SUP-1"
    ret = rec.build_return(finance)
    db.session.commit()
    return ret


def test_locked_lines_are_never_moved(world):
    keep, other, line = world["keep"], world["other"], world["line"]
    _lock(line, world["finance"])
    before = (line.person_id, line.return_id, line.line_number, line.amount_pence, line.status)
    with pytest.raises(merging.MergeError, match="The record you are merging away has lines in a finance return"):
        merging.merge(keep.id, other.id, world["organiser"])
    db.session.rollback()
    line = db.session.get(RecognitionLine, line.id)
    assert (line.person_id, line.return_id, line.line_number, line.amount_pence, line.status) == before
    # Keeping the record with the locked line works, and the line stays exactly as it was.
    merging.merge(other.id, keep.id, world["organiser"])
    db.session.commit()
    line = db.session.get(RecognitionLine, line.id)
    assert (line.person_id, line.return_id, line.line_number, line.amount_pence, line.status) == before


def test_both_with_locked_lines_are_not_merged(world):
    keep, other = world["keep"], world["other"]
    _lock(world["line"], world["finance"])
    keep.payee_ref = "SUP-2"
    line = rec.record(rec.LineInput(person=keep, group_id=world["group"].id, activity_on=date(2026, 5, 2),
                                    kind=RecognitionKind.PAYMENT, basis=PaymentBasis.DAY, activity="Papers"),
                      world["organiser"])
    db.session.commit()
    _lock(line, world["finance"])
    with pytest.raises(merging.MergeError) as error:
        merging.merge(keep.id, other.id, world["organiser"])
    assert str(error.value) == ("Both have lines in a finance return, which never change, so they cannot be "
                                "merged. Ask finance.")


def test_merge_pages_and_a_second_press(world, client, login_as):
    keep, other = world["keep"], world["other"]
    keep_id, other_id = keep.id, other.id
    login_as(Role.ORGANISER)
    page = client.get("/people").get_data(as_text=True)
    assert "/people/duplicates" in page
    page = client.get("/people/duplicates").get_data(as_text=True)
    assert f"/people/{keep_id}/compare?with={other_id}" in page and "Same name, Same phone number" in page
    page = client.get(f"/people/{keep_id}/compare?with={other_id}").get_data(as_text=True)
    assert f"/people/{keep_id}/merge?from={other_id}" in page and f"/people/{other_id}/merge?from={keep_id}" in page
    # Each column counts its own person's rows: the other record has the recognition line.
    lines_row = page[page.index("Recognition lines"):].split("</tr>")[0]
    assert lines_row.endswith("<td>0</td><td>1</td>")
    url = f"/people/{keep_id}/merge?from={other_id}"
    page = client.get(url).get_data(as_text=True)
    assert "1 meeting attendance" in page and "2 support needs" in page and "1 recognition line" in page
    assert "Email address, Postal address, Payee reference" in page
    token = client.csrf_token(url)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{keep_id}"
    assert db.session.get(Person, other_id) is None
    # The same confirmation again (double press, another tab): a plain message, nothing else changes.
    again = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200
    assert "These two people have already been merged, or one of them is no longer here." in again.get_data(as_text=True)
    assert count(AuditEvent, AuditEvent.action == "merge") == 1
    # The other way round, from a stale page: the kept record is gone, so "not found".
    assert client.post(f"/people/{other_id}/merge?from={keep_id}", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/people/{keep_id}/compare?with={other_id}").status_code == 404


def test_a_refused_merge_says_why_and_changes_nothing(world, client, login_as):
    keep, other = world["keep"], world["other"]
    _lock(world["line"], world["finance"])
    login_as(Role.ADMIN)
    url = f"/people/{keep.id}/merge?from={other.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Keep that record instead." in page and "Merge them" not in page
    response = client.post(url, data={"csrf_token": client.csrf_token("/account")})
    assert response.status_code == 409
    assert db.session.get(Person, other.id) is not None and count(AuditEvent, AuditEvent.action == "merge") == 0


@pytest.mark.parametrize("role,status", [(Role.ORGANISER, 200), (Role.ADMIN, 200), (Role.FINANCE, 403)])
def test_only_organisers_and_admins_merge(world, client, login_as, role, status):
    keep, other = world["keep"], world["other"]
    login_as(role)
    for url in ("/people/duplicates", f"/people/{keep.id}/compare?with={other.id}", f"/people/{keep.id}/merge?from={other.id}"):
        assert client.get(url).status_code == status
    response = client.post(f"/people/{keep.id}/merge?from={other.id}", data={"csrf_token": client.csrf_token("/account")})
    assert response.status_code == (403 if role == Role.FINANCE else 302)


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/people/duplicates")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_erasing_the_kept_person_also_cleans_the_merged_records_audit_copies(world, make_user):
    from survey_app.privacy import erasure, records

    keep_id, other = world["keep"].id, world["other"]
    records.update(other, email="tabby.x@example.org", address="2 Hill St")
    db.session.commit()
    merging.merge(keep_id, other.id, world["organiser"])
    db.session.commit()
    erasure.erase_person(db.session.get(Person, keep_id), by=make_user(Role.ADMIN))
    db.session.commit()
    copies = " ".join(str((e.before, e.after)) for e in db.session.scalars(select(AuditEvent)))
    assert "Hill St" not in copies and "example.org" not in copies and "interpreter" not in copies
    assert audit_search.merged_into(keep_id) == [other.id]


def test_the_audit_log_for_the_kept_person_includes_the_merged_record(world, client, login_as):
    from survey_app.privacy import records

    keep_id, other_id = world["keep"].id, world["other"].id
    records.update(world["other"], address="2 Hill St")
    db.session.commit()
    merging.merge(keep_id, other_id, world["organiser"])
    db.session.commit()
    login_as(Role.ADMIN)
    page = client.get(f"/admin/audit?person={keep_id}").get_data(as_text=True)
    assert "Merged another record of the same person into this one" in page and "2 Hill St" in page


def _merge_in_thread(app, keep_id, other_id, user_id, barrier, results):
    from survey_app.models import User

    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            barrier.wait()
            merging.merge(keep_id, other_id, user)
            db.session.commit()
            results.append("merged")
        except merging.MergeError as error:
            db.session.rollback()
            results.append(str(error))
        finally:
            db.session.remove()


@pytest.mark.parametrize("opposite", [False, True], ids=["same-way", "opposite-ways"])
def test_two_merges_of_the_same_pair_at_once(app, world, opposite):
    import threading

    keep_id, other_id, user_id = world["keep"].id, world["other"].id, world["organiser"].id
    db.session.remove()
    barrier, results = threading.Barrier(2), []
    pairs = [(keep_id, other_id), (other_id, keep_id) if opposite else (keep_id, other_id)]
    threads = [threading.Thread(target=_merge_in_thread, args=(app, a, b, user_id, barrier, results))
               for a, b in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["These two people have already been merged, or one of them is no longer here.",
                               "merged"]
    assert count(Person) == 2 and count(AuditEvent, AuditEvent.action == "merge") == 1  # Tabby and Dorota
    assert count(RecognitionLine) == 1 and count(Attendance) == 1 and count(AccessNeed) == 2


def test_one_link_per_meeting_a_working_one_and_the_earlier_vote(world, sample):
    """Both have a link to the meeting: the kept person's was withdrawn, so the other's working link is kept.
    Both voted for one idea: the earlier vote stays, whoever cast it."""
    keep_id, other_id = world["keep"].id, world["other"].id
    db.session.add(Invitation(token="tok-keep", meeting_id=sample["meeting"].id, person_id=keep_id,
                              withdrawn_at=T0))
    db.session.commit()
    counts = merging.merge(keep_id, other_id, world["organiser"])
    db.session.commit()
    assert counts["links_dropped"] == 1 and counts["votes_dropped"] == 1
    assert db.session.scalars(select(Invitation.token).where(Invitation.person_id == keep_id)).all() == ["tok-other"]
    assert count(Invitation, Invitation.token == "tok-keep") == 0
    votes = db.session.execute(select(SuggestionVote.suggestion_id, SuggestionVote.created_at)
                               .where(SuggestionVote.person_id == keep_id)).all()
    # the kept person's vote for the first idea (T0) beat the other's (an hour later); the second idea's moved
    assert len(votes) == 2 and {v.created_at.replace(tzinfo=None) for v in votes} == {T0.replace(tzinfo=None)}
