"""Deleting what we no longer need to keep (`flask --app survey_app retention run`).

- People we have not seen for RETENTION_INACTIVE_YEARS (2) years are erased, exactly as `people erase`
  does (survey_app/privacy/erasure.py: money lines stay under a label for finance), keeping the promise the
  consent text makes. "Seen" is the latest of these dates (`last_seen_conditions` below): registration
  (the row's creation) and consent; the start of any meeting they are down for (invited, registered or
  attended, so a future meeting keeps them) and signing in at one; a support need recorded or arranged;
  a personal link made for them; a vote; a recognition line of any kind (its day, when it was recorded,
  and when its finance return was paid); and a benefits conversation. Suggestions are not linked to a
  person (the name on one is only what someone typed), so they cannot count; a look at their records
  by staff does not count either. Someone last seen on day D is erased by the first run after D plus
  the period (seen 2 years and 1 day ago: erased; exactly 2 years ago: kept until tomorrow).
  An unpaid money line does not stop it: the line stays under the label with the payee reference, and
  is kept as erasure rules say (six years after the financial year of the day of erasure).
- Erased people whose keep-until date has passed (survey_app/privacy/erasure.py sets it), with everything that
  still points at them: recognition lines (also those in a finance return: six years are up), meeting
  attendances, votes, and any support needs, voices or personal links left over. Audit events stay;
  erasure has already taken the person's details out of them.
- One-time form tokens once they are FORM_TOKEN_DAYS old (they only stop a double tap saving twice).
- Sign-in attempts older than LOGIN_ATTEMPT_DAYS (throttling looks back minutes, not months), and
  rate-limit counts older than RATE_HIT_DAYS.
- Staff sessions that have ended or gone idle, and first-admin setup links used or expired.

After a run that changed anything, SQLite's write-ahead log is cleared (survey_app/web/database.py), so what
was erased or deleted is gone from the files on disk too.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, or_, select, update

from ..models import (
    AccessNeed,
    Attendance,
    AuditEvent,
    FinanceReturn,
    FormToken,
    Invitation,
    LoginAttempt,
    Meeting,
    Message,
    MessageOptOut,
    NeedArrangement,
    OfflineSubmission,
    Person,
    PersonVoice,
    RateHit,
    RecognitionLine,
    SetupToken,
    StaffSession,
    SuggestionVote,
)
from ..models.base import LONDON, london_today, utcnow
from ..web.database import Checkpoint, clear_wal
from ..web.extensions import db
from .erasure import erase_person, in_chunks

FORM_TOKEN_DAYS = 2  # must stay longer than a token's lifetime (forms/door.py FORM_TOKEN_MAX_AGE, 24 hours)
LOGIN_ATTEMPT_DAYS = 90
# What the door tablet sent offline (models/offline.py): long enough for the organiser to see, on the
# meeting page, what could not be saved and add it by hand; and longer than an offline token is good for
# (participation/offline.OFFLINE_TOKEN_MAX_AGE, 2 days), so a resent item is always recognised.
OFFLINE_SUBMISSION_DAYS = 30
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
    inactive_years: int = 2
    seen_before: date | None = None  # people last seen before this day are erased
    inactive: list[int] = field(default_factory=list)  # their person numbers
    people: int = 0
    lines: int = 0
    attendances: int = 0
    other_person_records: int = 0
    return_lines: list[ReturnLineGone] = field(default_factory=list)
    form_tokens: int = 0
    offline_submissions: int = 0
    login_attempts: int = 0
    rate_hits: int = 0
    staff_sessions: int = 0
    setup_tokens: int = 0
    checkpoint: Checkpoint | None = None  # clearing SQLite's write-ahead log afterwards

    def counts(self) -> dict:
        return {"inactive_people_erased": len(self.inactive), "inactive_years": self.inactive_years,
                "people": self.people, "recognition_lines": self.lines, "attendances": self.attendances,
                "other_person_records": self.other_person_records, "lines_from_returns": len(self.return_lines),
                "form_tokens": self.form_tokens, "offline_submissions": self.offline_submissions,
                "login_attempts": self.login_attempts,
                "rate_hits": self.rate_hits,
                "staff_sessions": self.staff_sessions, "setup_tokens": self.setup_tokens}

    def sentences(self) -> list[str]:
        did = "Would remove" if self.dry_run else "Removed"
        kept_until = (self.today - timedelta(days=1)).isoformat()
        years = _n(self.inactive_years, "year")
        lines = [
            f"{'Would erase' if self.dry_run else 'Erased'} {_n(len(self.inactive), 'person', 'people')} not seen "
            f"for {years} (last seen before {self.seen_before.isoformat()})"
            + (f": person number{'s' if len(self.inactive) != 1 else ''} {', '.join(map(str, self.inactive))}."
               if self.inactive else "."),
            f"{did} {_n(self.people, 'erased person', 'erased people')} whose records were kept until "
            f"{kept_until} or earlier, with {_n(self.lines, 'recognition line')}, "
            f"{_n(self.attendances, 'meeting attendance')} and {_n(self.other_person_records, 'other record')}.",
        ]
        lines += [f"  {did.lower()} line {gone.line_number} of finance return {gone.return_number}: {gone.label}, "
                  f"{gone.activity_on.isoformat()}, £{gone.amount_pence / 100:,.2f}" for gone in self.return_lines]
        lines += [
            f"{did} {_n(self.form_tokens, 'used form token')} older than {FORM_TOKEN_DAYS} days.",
            f"{did} {_n(self.offline_submissions, 'door tablet offline item')} older than "
            f"{OFFLINE_SUBMISSION_DAYS} days.",
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


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def last_seen_conditions(day: date) -> list:
    """Conditions on Person that are all true when nothing about them happened on or after `day`
    (a London date): the rule in this module's docstring."""
    at = datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
    me = Person.id
    return [
        Person.created_at < at,
        or_(Person.consent_at.is_(None), Person.consent_at < at),
        or_(Person.benefits_talked_on.is_(None), Person.benefits_talked_on < day),
        ~exists().where(Attendance.person_id == me, Meeting.id == Attendance.meeting_id,
                        or_(Meeting.starts_at >= at, Attendance.signed_in_at >= at)),
        ~exists().where(AccessNeed.person_id == me, or_(AccessNeed.created_at >= at, AccessNeed.arranged_at >= at)),
        ~exists().where(AccessNeed.person_id == me, NeedArrangement.need_id == AccessNeed.id,
                        NeedArrangement.arranged_at >= at),
        ~exists().where(Invitation.person_id == me, Invitation.created_at >= at),
        ~exists().where(SuggestionVote.person_id == me, SuggestionVote.created_at >= at),
        ~exists().where(RecognitionLine.person_id == me,
                        or_(RecognitionLine.activity_on >= day, RecognitionLine.recorded_at >= at)),
        ~exists().where(RecognitionLine.person_id == me, FinanceReturn.id == RecognitionLine.return_id,
                        FinanceReturn.paid_on >= day),
    ]


def inactive_people(today: date, years: int) -> tuple[date, list[int]]:
    """The day before which someone counts as not seen, and the numbers of the people (not erased yet)
    last seen before it."""
    day = years_before(today, years)
    ids = list(db.session.scalars(select(Person.id).where(Person.erased_at.is_(None), and_(*last_seen_conditions(day)))
                                  .order_by(Person.id)))
    return day, ids


def _erase_inactive(report: RetentionReport, today: date) -> None:
    report.seen_before, report.inactive = inactive_people(today, report.inactive_years)
    if report.dry_run:
        return
    for person_id in report.inactive:
        erase_person(db.session.get(Person, person_id), today=today,
                     reason={"because": "inactive", "inactive_years": report.inactive_years})


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
        report.other_person_records += _delete(Message, dry, Message.person_id.in_(ids))
        report.other_person_records += _delete(MessageOptOut, dry, MessageOptOut.person_id.in_(ids))
        votes = _count(SuggestionVote, SuggestionVote.person_id.in_(ids))
        if votes and not dry:  # a vote still counts without its person
            db.session.execute(update(SuggestionVote).where(SuggestionVote.person_id.in_(ids))
                               .values(person_id=None).execution_options(synchronize_session=False))
        _delete(Person, dry, Person.id.in_(ids))


def run(today: date | None = None, now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete everything past its time and write one "retention" audit event. Commits (a dry run changes
    nothing and rolls back), then clears the write-ahead log. `today` is a London date; `now` defaults to noon
    of it, or the real time."""
    if now is None:
        now = datetime.combine(today, time(12), tzinfo=LONDON).astimezone(UTC) if today else utcnow()
    today = today or london_today()
    report = RetentionReport(today=today, dry_run=dry_run,
                             inactive_years=current_app.config["RETENTION_INACTIVE_YEARS"])
    _erase_inactive(report, today)
    _remove_people(report, today)
    report.form_tokens = _delete(FormToken, dry_run, FormToken.used_on < today - timedelta(days=FORM_TOKEN_DAYS))
    report.offline_submissions = _delete(OfflineSubmission, dry_run,
                                         OfflineSubmission.received_at < now - timedelta(days=OFFLINE_SUBMISSION_DAYS))
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
        # Every run, even one that found nothing: it also finishes a clear an earlier erasure could not.
        report.checkpoint = clear_wal()
    return report
