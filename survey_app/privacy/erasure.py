"""Erasing a person's details on request, keeping only what finance must keep, for as long as it must.

What goes: their name (replaced by a pseudonymous label, "Erased person 0042", made from the row's own
number), email, phone, address, who passes messages on to them, the key in their "stop messages like
this" links, language, information format, organisation, consent, Champion mark, recognition
preference, the name of whoever talked benefits through with them, their support needs (with the
arrangements made for them), the voices they bring, their personal links, the person on
their votes (the votes still count), the messages queued for them (and the address, subject, words
and attachment of those already sent), the typed name on suggestions that carry their full name, and
every copy of those values in the audit trail (the events themselves stay, with erased values).

What stays, under the label: the Person row (recognition lines and attendances point at it), their
recognition lines, paid or not (finance still owes, or has paid, that money and must account for it),
their meeting attendances (the lines and meeting counts rest on them; they hold nothing but the
person's number), the benefits hold (a held payment stays held) and their payee reference when they
have money lines (finance pays and reconciles by it; it is never bank details).

How long: until the end of the UK financial year (5 April) of their last money line, or of the day
the last of those lines was paid, plus six years (HMRC's record-keeping rule). A money line not paid
yet counts from the day of erasure, because finance will pay it after that. Someone with no money
lines is kept only until the day of erasure. `flask --app survey_app retention run` deletes the row
and everything pointing at it once that day has passed (survey_app/privacy/retention.py).

Suggestions are not linked to a person (the name on one is only what someone typed), so a typed name
is cleared only when it is exactly their full name; a first name alone or a nickname cannot be told
apart from someone else's and is left alone.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..models import (
    AccessNeed,
    Attendance,
    AuditEvent,
    FinanceReturn,
    InformationFormat,
    Invitation,
    LineStatus,
    Message,
    MessageStatus,
    NeedArrangement,
    OfflineSubmission,
    Person,
    PersonBenefit,
    PersonVoice,
    RecognitionLine,
    Suggestion,
    SuggestionVote,
)
from ..models.base import london_today, utcnow
from ..models.people import search_key
from ..money.recognition import MONEY_KINDS, tax_year_start
from ..web.extensions import db
from . import audit
from .audit_search import merged_into

KEEP_YEARS = 6
CHUNK = 500  # ids per IN (...) list

ALREADY_ERASED = _l("This person's details have already been erased.")


class ErasureError(ValueError):
    """Erasure was refused; str(error) is a sentence for the person asking."""


def label_for(person_id: int) -> tuple[str, str]:
    """The pseudonymous payee label, as first and last name: ("Erased", "person 0042")."""
    return "Erased", f"person {person_id:04d}"


def financial_year_end(on: date) -> date:
    """The 5 April that ends the UK financial (tax) year `on` falls in."""
    return date(tax_year_start(on).year + 1, 4, 5)


def keep_until_for(last_finance_day: date) -> date:
    """End of that day's financial year, plus six years: 2026-04-05 -> 2032-04-05, 2026-04-06 -> 2033-04-05."""
    end = financial_year_end(last_finance_day)
    return end.replace(year=end.year + KEEP_YEARS)


def last_finance_day(person_id: int, today: date) -> date | None:
    """The latest day a money line of theirs happened or was paid; today while one is still unpaid."""
    money = (RecognitionLine.person_id == person_id, RecognitionLine.kind.in_(MONEY_KINDS))
    last_activity = db.session.scalar(select(func.max(RecognitionLine.activity_on)).where(*money))
    if last_activity is None:
        return None
    last_paid = db.session.scalar(select(func.max(FinanceReturn.paid_on))
                                  .join(RecognitionLine, RecognitionLine.return_id == FinanceReturn.id).where(*money))
    unpaid = db.session.scalar(select(func.count()).select_from(RecognitionLine)
                               .where(*money, RecognitionLine.status != LineStatus.PAID))
    return max(d for d in (last_activity, last_paid, today if unpaid else None) if d is not None)


@dataclass
class ErasurePlan:
    """What erasing a person removes and keeps: worked out before anything changes (the admin page shows it)."""

    person_id: int
    label: str
    keep_until: date
    has_money_lines: bool
    need_ids: list[int] = field(default_factory=list)
    arrangement_ids: list[int] = field(default_factory=list)
    voice_ids: list[int] = field(default_factory=list)
    invitation_ids: list[int] = field(default_factory=list)
    vote_ids: list[int] = field(default_factory=list)
    suggestion_ids: list[int] = field(default_factory=list)
    line_ids: list[int] = field(default_factory=list)
    attendance_ids: list[int] = field(default_factory=list)


@dataclass
class ErasureSummary:
    label: str
    keep_until: date
    access_needs: int
    arrangements: int
    voices: int
    invitations: int
    votes: int
    suggestion_names: int
    audit_events: int
    lines_kept: int
    attendances_kept: int
    payee_ref_kept: bool

    def counts(self) -> dict[str, Any]:
        """Numbers only, for the "erase" audit event: nothing about the person."""
        return {"access_needs": self.access_needs, "arrangements": self.arrangements, "voices": self.voices,
                "invitations": self.invitations, "votes": self.votes, "suggestion_names": self.suggestion_names,
                "audit_events_cleaned": self.audit_events, "lines_kept": self.lines_kept,
                "attendances_kept": self.attendances_kept, "keep_until": self.keep_until.isoformat()}

    def sentences(self) -> list[str]:
        """What was done, in plain English (for the command line)."""
        return [
            f"Erased the name, contact details, language, organisation and consent of {self.label}.",
            f"Deleted {_n(self.access_needs, 'support need')} (and {_n(self.arrangements, 'arrangement')} made "
            f"for them), {_n(self.voices, 'voice')} and {_n(self.invitations, 'personal link')}.",
            f"Took their name off {_n(self.votes, 'vote')} (the votes still count) and off "
            f"{_n(self.suggestion_names, 'suggestion')}.",
            f"Cleaned their details out of {_n(self.audit_events, 'audit log entry', 'audit log entries')}.",
            f"Kept {_n(self.lines_kept, 'recognition line')} and {_n(self.attendances_kept, 'meeting attendance')} "
            f"under the label \"{self.label}\""
            + (" with their payee reference" if self.payee_ref_kept else "")
            + f", until {self.keep_until.isoformat()}; `flask --app survey_app retention run` deletes them after that.",
        ]


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def in_chunks(ids: list, size: int = CHUNK) -> Iterable[list]:
    """The ids a few hundred at a time, for IN (...) lists every database accepts."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _their_suggestions(person: Person) -> list[int]:
    """Suggestions whose typed name is exactly their full name (with first or preferred name)."""
    names = {search_key(f"{first} {person.last_name}") for first in (person.first_name, person.preferred_name) if first}
    names.discard("")
    rows = db.session.execute(select(Suggestion.id, Suggestion.name).where(Suggestion.name != ""))
    return [sid for sid, name in rows if search_key(name) in names]


def plan(person: Person, today: date | None = None) -> ErasurePlan:
    """Work out what erasing `person` would remove and keep, changing nothing."""
    if person.erased_at is not None:
        raise ErasureError(str(ALREADY_ERASED))
    today = today or london_today()
    last = last_finance_day(person.id, today)
    need_ids = _ids(select(AccessNeed.id).where(AccessNeed.person_id == person.id))
    return ErasurePlan(
        person_id=person.id, label=" ".join(label_for(person.id)),
        keep_until=keep_until_for(last) if last else today, has_money_lines=last is not None,
        need_ids=need_ids,
        arrangement_ids=_ids(select(NeedArrangement.id).where(NeedArrangement.need_id.in_(need_ids))) if need_ids
        else [],
        voice_ids=_ids(select(PersonVoice.id).where(PersonVoice.person_id == person.id)),
        invitation_ids=_ids(select(Invitation.id).where(Invitation.person_id == person.id)),
        vote_ids=_ids(select(SuggestionVote.id).where(SuggestionVote.person_id == person.id)),
        suggestion_ids=_their_suggestions(person),
        line_ids=_ids(select(RecognitionLine.id).where(RecognitionLine.person_id == person.id)),
        attendance_ids=_ids(select(Attendance.id).where(Attendance.person_id == person.id)),
    )


# Keys in the audit trail's copies of other records that say something about the person.
DROPPED_KEYS = {
    "AccessNeed": {"kind", "detail"},  # what support they needed is health information
    "PersonVoice": {"voice"},
    "Invitation": {"token"},  # a personal link is a sign-in detail
    "PersonBenefit": {"benefit", "limit_name"},  # which benefits they get
}


def _scrub(data: dict | None, replace: dict[str, Any], drop: set[str] = frozenset()) -> dict | None:
    if not data:
        return data
    return {k: (replace.get(k, v)) for k, v in data.items() if k not in drop}


def _scrub_events(record_type: str, ids: Iterable[int], replace: dict[str, Any], drop: set[str] = frozenset(),
                  person_id: int | None = None) -> int:
    """Rewrite the before/after copies in every audit event about these records (and, given `person_id`,
    about any record of this type whose copy names that person, such as one removed earlier); the events stay."""
    of_type = AuditEvent.record_type == record_type
    queries = [select(AuditEvent).where(of_type, AuditEvent.record_id.in_(chunk))
               for chunk in in_chunks([str(i) for i in ids])]
    if person_id is not None:
        queries.append(select(AuditEvent).where(of_type, or_(AuditEvent.after["person_id"].as_integer() == person_id,
                                                             AuditEvent.before["person_id"].as_integer() == person_id)))
    seen, changed = set(), 0
    for query in queries:
        for event in db.session.scalars(query):
            if event.id in seen:
                continue
            seen.add(event.id)
            before, after = _scrub(event.before, replace, drop), _scrub(event.after, replace, drop)
            if before != event.before or after != event.after:
                # New dicts, so SQLAlchemy sees the JSON columns change.
                event.before, event.after = before, after
                changed += 1
    return changed


def _erase_fields(person: Person, keep_payee_ref: bool) -> dict[str, Any]:
    first, last = label_for(person.id)
    return {
        "first_name": first, "last_name": last, "preferred_name": "", "email": "", "phone": "", "address": "",
        "contact_through": "", "message_token": None, "language": "en",
        "information_format": InformationFormat.STANDARD, "organisation_id": None,
        "consent_at": None, "is_champion": False, "recognition_preference": None, "benefits_talked_by": "",
        "payee_ref": person.payee_ref if keep_payee_ref else "",
        "benefits_consent_at": None, "benefits_agreement": None, "benefits_agreement_note": "",
        "uc_assessment_day": None, "permitted_work_form_on": None,
    }


def erase_person(person: Person, by=None, today: date | None = None, reason: dict | None = None) -> ErasureSummary:
    """Erase the person's details as described above, in the caller's transaction (the caller commits,
    then clears SQLite's write-ahead log with database.clear_wal() so the old values leave the disk).
    `reason` is added to the "erase" audit event (retention: not seen for years). Raises ErasureError if
    they were erased already."""
    today = today or london_today()
    work = plan(person, today)
    now = utcnow()
    # Claim the erasure first: of two admins pressing at once, the second waits here, then is refused.
    claimed = db.session.execute(update(Person).where(Person.id == person.id, Person.erased_at.is_(None))
                                 .values(erased_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise ErasureError(str(ALREADY_ERASED))

    # 1. Delete what is about them and nobody else (children before parents).
    if work.arrangement_ids:
        db.session.execute(delete(NeedArrangement).where(NeedArrangement.id.in_(work.arrangement_ids)))
    db.session.execute(delete(AccessNeed).where(AccessNeed.person_id == person.id))
    db.session.execute(delete(PersonVoice).where(PersonVoice.person_id == person.id))
    benefit_ids = _ids(select(PersonBenefit.id).where(PersonBenefit.person_id == person.id))
    db.session.execute(delete(PersonBenefit).where(PersonBenefit.person_id == person.id))
    # The benefits check's warning on their lines names them and a benefit; the lines stay for finance.
    db.session.execute(update(RecognitionLine).where(RecognitionLine.person_id == person.id,
                                                     RecognitionLine.benefits_warning != "")
                       .values(benefits_warning="", benefits_reason="").execution_options(synchronize_session=False))
    db.session.execute(delete(Invitation).where(Invitation.person_id == person.id))
    # Messages not sent yet never go; the rest keep only their kind, channel, status and dates.
    db.session.execute(delete(Message).where(Message.person_id == person.id, Message.status == MessageStatus.QUEUED))
    db.session.execute(update(Message).where(Message.person_id == person.id)
                       .values(to="", subject="", body="", html="", ics="")
                       .execution_options(synchronize_session=False))
    db.session.execute(update(SuggestionVote).where(SuggestionVote.person_id == person.id).values(person_id=None))
    # What the door tablet sent offline keeps its outcome for the organiser, not who it was (nor "Anna K.").
    db.session.execute(update(OfflineSubmission).where(OfflineSubmission.person_id == person.id)
                       .values(person_id=None, short_label="").execution_options(synchronize_session=False))
    for chunk in in_chunks(work.suggestion_ids):
        db.session.execute(update(Suggestion).where(Suggestion.id.in_(chunk)).values(name=""))

    # 2. Replace their details on the row itself (no "update" event: it would copy the old values).
    values = _erase_fields(person, keep_payee_ref=work.has_money_lines)
    for key, value in values.items():
        setattr(person, key, value)
    person.erased_at, person.keep_until = now, work.keep_until
    person.refresh_search_name()
    db.session.flush()

    # 3. The audit trail's copies: the same erased values, and no voices, needs, links or typed names.
    erased = audit.snapshot(person)
    # (message_token is never copied into the trail: audit.SECRET_COLUMNS)
    person_replace = {key: erased[key] for key in (*values, "search_name") if key in erased} | {"voices": []}
    # Records merged into this person (survey_app/participation/merging.py) were the same person: their copies go too.
    merged = merged_into(person.id)
    cleaned = _scrub_events("Person", [person.id, *merged], person_replace)
    for record_type, ids in (("AccessNeed", work.need_ids), ("PersonVoice", work.voice_ids),
                             ("Invitation", work.invitation_ids), ("PersonBenefit", benefit_ids)):
        cleaned += _scrub_events(record_type, ids, {}, DROPPED_KEYS[record_type], person_id=person.id)
        for old_id in merged:
            cleaned += _scrub_events(record_type, [], {}, DROPPED_KEYS[record_type], person_id=old_id)
    cleaned += _scrub_events("RecognitionLine", work.line_ids, {}, {"benefits_warning", "benefits_reason"})
    cleaned += _scrub_events("SuggestionVote", work.vote_ids, {"person_id": None}, person_id=person.id)
    for old_id in merged:
        cleaned += _scrub_events("SuggestionVote", [], {"person_id": None}, person_id=old_id)
    cleaned += _scrub_events("Suggestion", work.suggestion_ids, {"name": ""})

    summary = ErasureSummary(
        label=work.label, keep_until=work.keep_until, access_needs=len(work.need_ids),
        arrangements=len(work.arrangement_ids), voices=len(work.voice_ids), invitations=len(work.invitation_ids),
        votes=len(work.vote_ids), suggestion_names=len(work.suggestion_ids), audit_events=cleaned,
        lines_kept=len(work.line_ids), attendances_kept=len(work.attendance_ids),
        payee_ref_kept=bool(values["payee_ref"]))
    audit.record("erase", person, after={**summary.counts(), **(reason or {})}, user=by)
    return summary
