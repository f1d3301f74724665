"""Retention: what is past its keep-until date is deleted, and nothing before; old tokens, attempts and sessions go."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    FinanceReturn,
    FormToken,
    Invitation,
    LoginAttempt,
    Meeting,
    MeetingMode,
    NeedKind,
    PaymentBasis,
    Person,
    Rate,
    RateHit,
    RecognitionKind,
    RecognitionLine,
    Role,
    SetupToken,
    StaffSession,
    Suggestion,
    SuggestionVote,
)
from survey_app.models.base import LONDON, london_today, utcnow
from survey_app.money import line_payments
from survey_app.money import recognition as rec
from survey_app.privacy import erasure, retention
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import register


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def erased(app, sample, make_user):
    """A person with two paid lines in return 1 (one corrected, so a reversal points at it) and an attendance,
    erased on 2026-07-10: kept until 2033-04-05. (These tests run in 2033: the other person is left alone by
    a long inactivity period; erasing people not seen for years is tested below.)"""
    app.config["RETENTION_INACTIVE_YEARS"] = 50
    admin, finance = make_user(Role.ADMIN), make_user(Role.FINANCE)
    group, meeting, person = sample["group"], sample["meeting"], sample["person"]
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    person.payee_ref = "SUP-0001"
    db.session.add(Attendance(meeting=meeting, person=person, status=AttendanceStatus.ATTENDED))
    db.session.commit()
    lines = [rec.record(rec.LineInput(person=person, group_id=group.id, activity_on=date(2026, 5, 1),
                                      kind=RecognitionKind.PAYMENT, meeting=meeting, basis=PaymentBasis.HALF_DAY),
                        admin) for _ in range(2)]
    db.session.commit()
    rec.approve(lines, finance)
    ret = rec.build_return(finance)
    line_payments.mark_paid(ret, date(2026, 6, 30), finance)
    db.session.commit()
    reversal, _replacement = rec.correct(lines[0], 3000, "Left at lunch", admin)
    rec.approve([reversal, _replacement], finance)
    rec.build_return(finance)
    db.session.commit()
    # Someone not erased, with a line of the same age: never touched by retention.
    other = Person(first_name="Ben", last_name="Brennan", contact_method="email", information_format="standard",
                   role="staff")
    other.refresh_search_name()
    db.session.add(other)
    db.session.flush()
    db.session.add(AccessNeed(person_id=other.id, kind=NeedKind.FOOD, detail="Vegetarian"))
    rec.record(rec.LineInput(person=other, group_id=group.id, activity_on=date(2026, 5, 1),
                             kind=RecognitionKind.THANKS), admin)
    suggestion = Suggestion(group=group, what="Buses", source="door")
    db.session.add(suggestion)
    db.session.flush()
    db.session.add(SuggestionVote(suggestion_id=suggestion.id, person_id=person.id))
    db.session.commit()
    summary = erasure.erase_person(person, today=date(2026, 7, 10))
    db.session.commit()
    assert summary.keep_until == date(2033, 4, 5)
    return {**sample, "pid": person.id, "other": other.id, "return": ret.number}


def test_nothing_goes_before_the_keep_until_date_passes(erased):
    report = retention.run(today=date(2033, 4, 5))
    assert report.people == 0 and report.lines == 0
    assert db.session.get(Person, erased["pid"]) is not None
    assert count(RecognitionLine, RecognitionLine.person_id == erased["pid"]) == 4
    assert report.sentences()[1] == ("Removed 0 erased people whose records were kept until 2033-04-04 or earlier, "
                                     "with 0 recognition lines, 0 meeting attendances and 0 other records.")


def test_after_the_keep_until_date_the_person_and_their_lines_go(erased):
    pid = erased["pid"]
    report = retention.run(today=date(2033, 4, 6))
    db.session.expire_all()
    assert db.session.get(Person, pid) is None
    assert count(RecognitionLine, RecognitionLine.person_id == pid) == 0
    assert count(Attendance, Attendance.person_id == pid) == 0
    assert count(SuggestionVote) == 1 and count(SuggestionVote, SuggestionVote.person_id.is_not(None)) == 0
    assert count(FinanceReturn) == 2  # the returns stay; six-year-old lines leave them
    other = db.session.get(Person, erased["other"])
    assert other.first_name == "Ben" and count(RecognitionLine, RecognitionLine.person_id == other.id) == 1
    assert count(AccessNeed, AccessNeed.person_id == other.id) == 1
    label = f"Erased person {pid:04d}"
    assert report.sentences()[1:6] == [
        "Removed 1 erased person whose records were kept until 2033-04-05 or earlier, with 4 recognition lines, "
        "1 meeting attendance and 0 other records.",
        f"  removed line 1 of finance return 1: {label}, 2026-05-01, £40.00",
        f"  removed line 2 of finance return 1: {label}, 2026-05-01, £40.00",
        f"  removed line 1 of finance return 2: {label}, 2026-05-01, £-40.00",
        f"  removed line 2 of finance return 2: {label}, 2026-05-01, £30.00",
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention"))
    assert (event.after["people"], event.after["recognition_lines"], event.after["lines_from_returns"]) == (1, 4, 4)
    # The erase event stays (it holds numbers only); running again finds nothing more.
    assert count(AuditEvent, AuditEvent.action == "erase") == 1
    assert retention.run(today=date(2033, 4, 6)).people == 0


def test_a_dry_run_changes_nothing(erased):
    report = retention.run(today=date(2033, 4, 6), dry_run=True)
    assert report.people == 1 and report.lines == 4
    assert report.sentences()[1].startswith("Would remove 1 erased person")
    db.session.expire_all()
    assert db.session.get(Person, erased["pid"]) is not None
    assert count(AuditEvent, AuditEvent.action == "retention") == 0


def test_someone_with_no_money_lines_goes_the_day_after_erasure(sample):
    pid = sample["person"].id
    erasure.erase_person(sample["person"], today=date(2026, 11, 26))
    db.session.commit()
    assert retention.run(today=date(2026, 11, 26)).people == 0
    assert retention.run(today=date(2026, 11, 27)).people == 1
    db.session.expunge_all()
    assert db.session.get(Person, pid) is None


def test_tokens_attempts_sessions_and_setup_links(app, make_user, runner):
    today = london_today()
    now = utcnow()
    user = make_user(Role.ADMIN)
    db.session.add_all([FormToken(token=f"t{age}", used_on=today - timedelta(days=age)) for age in (0, 1, 2, 3, 30)])
    db.session.add_all([LoginAttempt(email="a@example.org", at=now - timedelta(days=age), succeeded=False)
                        for age in (1, 89, 91, 400)])
    db.session.add_all([RateHit(name="test", key="k", at=now - timedelta(days=age)) for age in (0, 1.9, 2.1)])
    db.session.add_all([
        StaffSession(token_hash="open", user_id=user.id, created_at=now, last_seen_at=now),
        StaffSession(token_hash="ended", user_id=user.id, created_at=now, last_seen_at=now, ended_at=now),
        StaffSession(token_hash="idle", user_id=user.id, created_at=now - timedelta(hours=3),
                     last_seen_at=now - timedelta(hours=2)),
        SetupToken(token_hash="valid", created_at=now, expires_at=now + timedelta(hours=24)),
        SetupToken(token_hash="used", created_at=now, expires_at=now + timedelta(hours=24), used_at=now),
        SetupToken(token_hash="expired", created_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)),
    ])
    db.session.commit()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and "Would remove 2 used form tokens older than 2 days." in dry.output
    assert dry.output.endswith("Dry run: nothing was changed.\n") and count(FormToken) == 5
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Erased 0 people not seen for 2 years (last seen before " \
                                            f"{retention.years_before(today, 2).isoformat()})."
    assert result.output.splitlines()[2:] == [
        "Removed 2 used form tokens older than 2 days.",
        "Removed 0 door tablet offline items older than 30 days.",
        "Removed 2 sign-in attempts older than 90 days.",
        "Removed 1 rate-limit count older than 2 days.",
        "Removed 2 ended or idle staff sessions.",
        "Removed 2 used or expired setup links.",
    ]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(FormToken.token))) == ["t0", "t1", "t2"]
    assert count(LoginAttempt) == 2 and count(RateHit) == 2
    assert list(db.session.scalars(select(StaffSession.token_hash))) == ["open"]
    assert list(db.session.scalars(select(SetupToken.token_hash))) == ["valid"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention"))
    assert event.after["form_tokens"] == 2 and event.after["setup_tokens"] == 2 and event.user_id is None


# ---------------------------------------------------------------- the consent text's promise

TODAY = date(2030, 6, 15)  # a London date; "2 years ago" is 2028-06-15


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


def long_registered(first: str, **values) -> Person:
    """Someone who registered (and agreed) five years before TODAY and has done nothing since."""
    values = {"created_at": at(date(2025, 1, 6)), "consent_at": at(date(2025, 1, 6)), **values}
    person = Person(first_name=first, last_name="Okafor", contact_method="email", email=f"{first.lower()}@example.org",
                    information_format="standard", role="carer", **values)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    return person


def meeting_on(group, day: date) -> Meeting:
    meeting = Meeting(group=group, title=f"Meeting {day}", starts_at=at(day), ends_at=at(day, 12),
                      mode=MeetingMode.IN_PERSON, created_at=at(date(2025, 1, 6)))
    db.session.add(meeting)
    return meeting


def attended(person, meeting, status=AttendanceStatus.ATTENDED):
    db.session.add(Attendance(meeting=meeting, person=person, status=status))


@pytest.fixture
def seen(sample, make_user):
    """People last seen on either side of two years before TODAY, by one kind of activity each."""
    admin = make_user(Role.ADMIN)
    group = sample["group"]
    db.session.delete(sample["person"])  # registered today, in real time: not part of this story
    db.session.add(Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                        day_pence=7500, mileage_pence=45))
    two_years_ago = date(2028, 6, 15)
    day_over, day_under = two_years_ago - timedelta(days=1), two_years_ago + timedelta(days=1)
    people = {}
    people["over"] = long_registered("Over", phone="07700 900401")  # last meeting 2 years and 1 day ago
    attended(people["over"], meeting_on(group, day_over))
    people["under"] = long_registered("Under")  # last meeting 2 years less 1 day ago
    attended(people["under"], meeting_on(group, day_under))
    people["exactly"] = long_registered("Exactly")  # exactly 2 years ago: kept until tomorrow's run
    attended(people["exactly"], meeting_on(group, two_years_ago))
    people["invited"] = long_registered("Invited")  # down for a meeting still to come
    attended(people["invited"], meeting_on(group, TODAY + timedelta(days=20)), AttendanceStatus.INVITED)
    people["registered"] = long_registered("Newish", created_at=at(day_under), consent_at=at(day_under))
    people["voted"] = long_registered("Voted")  # an old meeting, but a vote a year ago
    attended(people["voted"], meeting_on(group, date(2026, 3, 1)))
    suggestion = Suggestion(group=group, what="Buses", source="door")
    db.session.add(suggestion)
    db.session.flush()
    db.session.add(SuggestionVote(suggestion_id=suggestion.id, person_id=people["voted"].id,
                                  created_at=at(date(2029, 6, 1))))
    people["need"] = long_registered("Needy")  # a support need recorded within the two years
    db.session.add(AccessNeed(person_id=people["need"].id, kind=NeedKind.FOOD, detail="Halal",
                              created_at=at(day_under)))
    people["link"] = long_registered("Linked")  # a personal link made within the two years
    db.session.add(Invitation(token="x" * 32, meeting=meeting_on(group, date(2026, 3, 2)), person=people["link"],
                              created_at=at(day_under)))
    db.session.commit()
    # Paid for a meeting long ago, and the money still not paid: erased under the finance rule, lines kept.
    people["owed"] = long_registered("Owed", payee_ref="SUP-0777")
    old = meeting_on(group, date(2027, 5, 1))
    attended(people["owed"], old)
    db.session.commit()
    line = rec.record(rec.LineInput(person=people["owed"], group_id=group.id, activity_on=date(2027, 5, 1),
                                    kind=RecognitionKind.PAYMENT, meeting=old, basis=PaymentBasis.HALF_DAY), admin)
    line.recorded_at = at(date(2027, 5, 2))
    db.session.commit()
    return {name: person.id for name, person in people.items()}


def test_people_not_seen_for_two_years_are_erased_and_no_one_else(seen, runner):
    dry = retention.run(today=TODAY, dry_run=True)
    over, owed = seen["over"], seen["owed"]
    assert dry.inactive == sorted([over, owed])
    assert dry.sentences()[0] == (f"Would erase 2 people not seen for 2 years (last seen before 2028-06-15): "
                                  f"person numbers {min(over, owed)}, {max(over, owed)}.")
    db.session.expire_all()
    assert db.session.get(Person, over).erased_at is None and count(AuditEvent, AuditEvent.action == "erase") == 0

    report = retention.run(today=TODAY)
    db.session.expire_all()
    gone = db.session.get(Person, over)
    assert gone.erased_at is not None and (gone.first_name, gone.last_name) == ("Erased", f"person {over:04d}")
    assert (gone.email, gone.phone, gone.search_name, gone.consent_at) == ("", "", "", None)
    assert gone.keep_until == TODAY  # no money: the row itself goes at the next run
    for name in ("under", "exactly", "invited", "registered", "voted", "need", "link"):
        kept = db.session.get(Person, seen[name])
        assert kept.erased_at is None and kept.email.endswith("@example.org"), name
    # The unpaid line stays under the label, with the payee reference, as erasure keeps money.
    owed_row = db.session.get(Person, owed)
    assert owed_row.erased_at is not None and owed_row.payee_ref == "SUP-0777" and owed_row.email == ""
    assert count(RecognitionLine, RecognitionLine.person_id == owed) == 1
    assert owed_row.keep_until == date(2037, 4, 5)  # unpaid: counted from the day of erasure (2030-31), plus six
    # Audited like `people erase`: one "erase" event each, with counts and why; counts in the retention event.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")
                                .order_by(AuditEvent.record_id)).all()
    assert sorted(int(e.record_id) for e in events) == sorted([over, owed])
    assert all(e.after["because"] == "inactive" and e.after["inactive_years"] == 2 for e in events)
    assert "Over" not in str([e.after for e in events])
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention"))
    assert summary.after["inactive_people_erased"] == 2 and summary.after["inactive_years"] == 2
    assert report.sentences()[0].startswith("Erased 2 people not seen for 2 years")

    # The next day: the one seen exactly two years ago goes too, and the first erased row is deleted.
    tomorrow = retention.run(today=TODAY + timedelta(days=1))
    assert tomorrow.inactive == [seen["exactly"]] and tomorrow.people == 1
    db.session.expire_all()
    assert db.session.get(Person, over) is None and db.session.get(Person, owed) is not None


def test_the_period_is_a_setting(app, seen):
    app.config["RETENTION_INACTIVE_YEARS"] = 3
    report = retention.run(today=TODAY, dry_run=True)
    assert report.inactive == [seen["owed"]] and report.seen_before == date(2027, 6, 15)
    assert report.sentences()[0] == (f"Would erase 1 person not seen for 3 years (last seen before 2027-06-15): "
                                     f"person number {seen['owed']}.")


def test_the_consent_text_says_the_setting(app, door, login_as):
    page = register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "post",
                           "address": "1 High Street", "information_format": "audio"}).get_data(as_text=True)
    assert "Can we keep your details?" in page  # the last question, before "Check your answers"
    assert "We delete them 2 years after your last meeting." in page
    app.config["RETENTION_INACTIVE_YEARS"] = 3
    assert "We delete them 3 years after your last meeting." in door.get("/door/new/consent").get_data(as_text=True)
    app.config["RETENTION_INACTIVE_YEARS"] = 1
    assert "We delete them 1 year after your last meeting." in door.get("/door/new/consent").get_data(as_text=True)
    organiser = app.test_client()
    organiser.submit("/login", {"email": door.organiser.email, "password": PASSWORD})
    page = organiser.get("/people/new").get_data(as_text=True)
    assert "We delete them 1 year after their last meeting." in page


@pytest.mark.parametrize("value", ["0", "two", "-1", "2.5", "51"])
def test_a_period_that_is_not_a_whole_number_of_years_stops_the_app(tmp_path, value):
    from survey_app.web.config import ConfigError, from_environment
    with pytest.raises(ConfigError) as refused:
        from_environment(tmp_path, env={"RETENTION_INACTIVE_YEARS": value})
    assert str(refused.value) == ("RETENTION_INACTIVE_YEARS must be a whole number of years from 1 to 50, "
                                  f"not {value!r}.")
