"""Retention: what is past its keep-until date is deleted, and nothing before; old tokens, attempts and sessions go."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app import erasure, retention
from survey_app import recognition as rec
from survey_app.extensions import db
from survey_app.models import (AccessNeed, Attendance, AttendanceStatus, AuditEvent, FinanceReturn, FormToken,
                               LoginAttempt, NeedKind, PaymentBasis, Person, Rate, RecognitionKind, RecognitionLine,
                               Role, SetupToken, StaffSession, Suggestion, SuggestionVote)
from survey_app.models.base import london_today, utcnow


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
    rec.mark_paid(ret, date(2026, 6, 30), finance)
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
        "Removed 2 sign-in attempts older than 90 days.",
        "Removed 2 ended or idle staff sessions.",
        "Removed 2 used or expired setup links.",
    ]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(FormToken.token))) == ["t0", "t1", "t2"]
    assert count(LoginAttempt) == 2
    assert list(db.session.scalars(select(StaffSession.token_hash))) == ["open"]
    assert list(db.session.scalars(select(SetupToken.token_hash))) == ["valid"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention"))
    assert event.after["form_tokens"] == 2 and event.after["setup_tokens"] == 2 and event.user_id is None
