"""Deleting what we no longer need to keep (`flask --app survey_app retention run`).

- Erased people whose keep-until date has passed (survey_app/erasure.py sets it), with everything that
  still points at them: recognition lines (also those in a finance return: six years are up), meeting
  attendances, votes, and any support needs, voices or personal links left over. Audit events stay;
  erasure has already taken the person's details out of them.
- One-time form tokens once they are FORM_TOKEN_DAYS old (they only stop a double tap saving twice).
- Sign-in attempts older than LOGIN_ATTEMPT_DAYS (throttling looks back minutes, not months), and
  rate-limit counts older than RATE_HIT_DAYS.
- Staff sessions that have ended or gone idle, and first-admin setup links used or expired.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from .erasure import in_chunks
from .extensions import db
from .models import (AccessNeed, Attendance, AuditEvent, FinanceReturn, FormToken, Invitation, LoginAttempt,
                     NeedArrangement, Person, PersonVoice, RateHit, RecognitionLine, SetupToken, StaffSession, SuggestionVote)
from .models.base import LONDON, london_today, utcnow

FORM_TOKEN_DAYS = 2  # must stay longer than a token's lifetime (forms/door.py FORM_TOKEN_MAX_AGE, 24 hours)
LOGIN_ATTEMPT_DAYS = 90
RATE_HIT_DAYS = 2  # rate limits look back hours, not days


@dataclass
class ReturnLineGone:
    """A line deleted out of a finance return, for the printed list."""

    return_number: int
    line_number: int | None
    label: str
    activity_on: date
    amount_pence: int


@dataclass
class RetentionReport:
    today: date
    dry_run: bool
    people: int = 0
    lines: int = 0
    attendances: int = 0
    other_person_records: int = 0
    return_lines: list[ReturnLineGone] = field(default_factory=list)
    form_tokens: int = 0
    login_attempts: int = 0
    rate_hits: int = 0
    staff_sessions: int = 0
    setup_tokens: int = 0

    def counts(self) -> dict:
        return {"people": self.people, "recognition_lines": self.lines, "attendances": self.attendances,
                "other_person_records": self.other_person_records, "lines_from_returns": len(self.return_lines),
                "form_tokens": self.form_tokens, "login_attempts": self.login_attempts,
                "rate_hits": self.rate_hits,
                "staff_sessions": self.staff_sessions, "setup_tokens": self.setup_tokens}

    def sentences(self) -> list[str]:
        did = "Would remove" if self.dry_run else "Removed"
        kept_until = (self.today - timedelta(days=1)).isoformat()
        lines = [
            f"{did} {_n(self.people, 'erased person', 'erased people')} whose records were kept until "
            f"{kept_until} or earlier, with {_n(self.lines, 'recognition line')}, "
            f"{_n(self.attendances, 'meeting attendance')} and {_n(self.other_person_records, 'other record')}.",
        ]
        lines += [f"  {did.lower()} line {gone.line_number} of finance return {gone.return_number}: {gone.label}, "
                  f"{gone.activity_on.isoformat()}, £{gone.amount_pence / 100:,.2f}" for gone in self.return_lines]
        lines += [
            f"{did} {_n(self.form_tokens, 'used form token')} older than {FORM_TOKEN_DAYS} days.",
            f"{did} {_n(self.login_attempts, 'sign-in attempt')} older than {LOGIN_ATTEMPT_DAYS} days.",
            f"{did} {_n(self.rate_hits, 'rate-limit count')} older than {RATE_HIT_DAYS} days.",
            f"{did} {_n(self.staff_sessions, 'ended or idle staff session')}.",
            f"{did} {_n(self.setup_tokens, 'used or expired setup link')}.",
        ]
        return lines


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _delete(model, dry_run: bool, *where) -> int:
    count = _count(model, *where)
    if count and not dry_run:
        db.session.execute(delete(model).where(*where).execution_options(synchronize_session=False))
    return count


def _remove_people(report: RetentionReport, today: date) -> None:
    """Erased people past their keep-until date, and what points at them (children first)."""
    people = list(db.session.scalars(select(Person.id).where(Person.erased_at.is_not(None),
                                                              Person.keep_until < today)))
    report.people = len(people)
    dry = report.dry_run
    for ids in in_chunks(people):
        report.return_lines += [
            ReturnLineGone(number, line_number, f"{first} {last}", on, amount)
            for number, line_number, first, last, on, amount in db.session.execute(
                select(FinanceReturn.number, RecognitionLine.line_number, Person.first_name, Person.last_name,
                       RecognitionLine.activity_on, RecognitionLine.amount_pence)
                .join(FinanceReturn, FinanceReturn.id == RecognitionLine.return_id)
                .join(Person, Person.id == RecognitionLine.person_id)
                .where(RecognitionLine.person_id.in_(ids))
                .order_by(FinanceReturn.number, RecognitionLine.line_number))]
        mine = RecognitionLine.person_id.in_(ids)
        if not dry:
            # A reversal points at the line it reverses (the same person's): unhook before deleting.
            db.session.execute(update(RecognitionLine).where(mine, RecognitionLine.reverses_id.is_not(None))
                               .values(reverses_id=None).execution_options(synchronize_session=False))
        report.lines += _delete(RecognitionLine, dry, mine)
        report.attendances += _delete(Attendance, dry, Attendance.person_id.in_(ids))
        needs = select(AccessNeed.id).where(AccessNeed.person_id.in_(ids))
        report.other_person_records += _delete(NeedArrangement, dry, NeedArrangement.need_id.in_(needs))
        report.other_person_records += _delete(AccessNeed, dry, AccessNeed.person_id.in_(ids))
        report.other_person_records += _delete(PersonVoice, dry, PersonVoice.person_id.in_(ids))
        report.other_person_records += _delete(Invitation, dry, Invitation.person_id.in_(ids))
        votes = _count(SuggestionVote, SuggestionVote.person_id.in_(ids))
        if votes and not dry:  # a vote still counts without its person
            db.session.execute(update(SuggestionVote).where(SuggestionVote.person_id.in_(ids))
                               .values(person_id=None).execution_options(synchronize_session=False))
        _delete(Person, dry, Person.id.in_(ids))


def run(today: date | None = None, now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete everything past its time, write one "retention" audit event, and commit (unless a dry run,
    which changes nothing). `today` is a London date; `now` defaults to noon of it, or the real time."""
    if now is None:
        now = datetime.combine(today, time(12), tzinfo=LONDON).astimezone(timezone.utc) if today else utcnow()
    today = today or london_today()
    report = RetentionReport(today=today, dry_run=dry_run)
    _remove_people(report, today)
    report.form_tokens = _delete(FormToken, dry_run, FormToken.used_on < today - timedelta(days=FORM_TOKEN_DAYS))
    report.login_attempts = _delete(LoginAttempt, dry_run, LoginAttempt.at < now - timedelta(days=LOGIN_ATTEMPT_DAYS))
    report.rate_hits = _delete(RateHit, dry_run, RateHit.at < now - timedelta(days=RATE_HIT_DAYS))
    idle = now - timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    report.staff_sessions = _delete(StaffSession, dry_run,
                                    or_(StaffSession.ended_at.is_not(None), StaffSession.last_seen_at < idle))
    report.setup_tokens = _delete(SetupToken, dry_run,
                                  or_(SetupToken.used_at.is_not(None), SetupToken.expires_at < now))
    if dry_run:
        db.session.rollback()
    else:
        db.session.add(AuditEvent(action="retention", record_type="Retention", record_id=today.isoformat(),
                                  after=report.counts()))
        db.session.commit()
    return report
