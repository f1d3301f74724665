"""Finding things in the audit trail: events about one person's records, by a staff member, of a kind
of record, between two London dates; and each event's changes put in a few words.

An event about a person is one on their Person row, or on a row that belongs to them (see
PERSON_OWNED): matched by the row's id while the row exists, and by the `person_id` kept in the event's
before or after snapshot, so a row deleted since still counts. Support arrangements belong to the
person through their support need (`need_id`).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import joinedload

from ..models import (
    AccessNeed,
    Attendance,
    AuditEvent,
    Invitation,
    Message,
    MessageOptOut,
    NeedArrangement,
    PersonBenefit,
    PersonVoice,
    RecognitionLine,
    SuggestionVote,
    User,
)
from ..models.base import LONDON
from ..web.extensions import db
from .audit import SECRET_COLUMNS

# Rows that belong to one person, each holding person_id.
PERSON_OWNED = (AccessNeed, Attendance, Invitation, Message, MessageOptOut, PersonBenefit, PersonVoice,
                RecognitionLine, SuggestionVote)

# Never shown, even if a snapshot somehow held them: hashes and the personal link's token.
HIDDEN_FIELDS = SECRET_COLUMNS | {"token"}
LONGEST_VALUE = 60

RECORD_LABELS = {
    "AccessNeed": _l("Support need"), "Action": _l("Action"), "ActionUpdate": _l("Action update"),
    "AgendaItem": _l("Agenda item"),
    "Attendance": _l("Meeting attendance"), "Budget": _l("Budget"), "FinanceReturn": _l("Finance return"),
    "Group": _l("Group"), "Invitation": _l("Personal link"), "Meeting": _l("Meeting"),
    "MeetingNote": _l("Meeting notes"), "Message": _l("Message"), "MessageOptOut": _l("Asked to stop messages"),
    "NeedArrangement": _l("Support arranged"),
    "Organisation": _l("Organisation"), "Person": _l("Person"), "PersonVoice": _l("Voice they bring"),
    "ImportLayout": _l("Import file layout"), "LedgerCode": _l("Ledger and VAT codes"),
    "Rate": _l("Rates"), "RecognitionLine": _l("Recognition line"), "Suggestion": _l("Suggestion"),
    "BenefitLimit": _l("Benefit earnings limit"), "PersonBenefit": _l("Benefit they get"),
    "SuggestionVote": _l("Vote on a suggestion"), "User": _l("Staff account"),
}


ACTION_LABELS = {
    "create": _l("Added"), "update": _l("Changed"), "delete": _l("Removed"), "approve": _l("Approved"),
    "paid": _l("Marked paid"), "download": _l("Downloaded"), "triage": _l("Decided what happens to it"),
    "download-import-file": _l("Downloaded the import file"),
    "mark-arranged": _l("Marked as arranged"), "mark-not-arranged": _l("Marked as not arranged"),
    "update-voices": _l("Changed their voices"), "change-password": _l("Changed the password"),
    "view-support-plan": _l("Looked at the support plan"), "download-support-plan": _l("Downloaded the support list"),
    "view-needs": _l("Looked at their support needs"), "door-mode-start": _l("Started door mode"),
    "door-mode-stop": _l("Ended door mode"), "download-subject-access": _l("Downloaded everything held about them"),
    "view-audit": _l("Looked at the audit log about them"), "erase": _l("Erased their details"),
    "withdraw-link": _l("Withdrew their personal link"), "reissue-link": _l("Made them a new personal link"),
    "view-print-link": _l("Printed their personal link"), "view-benefits": _l("Looked at their benefits"),
    "door-sign-in": _l("Signed in at the door"), "door-register": _l("Registered at the door"),
    "door-needs": _l("Asked for support at the door"),
    "door-offline-pack": _l("The door tablet got ready to work without the internet"),
    "merge": _l("Merged another record of the same person into this one"),
    "agenda-move": _l("Moved on the agenda"), "agenda-remove": _l("Taken off the agenda"),
    "queue-message": _l("Queued a message to them"), "print-letter": _l("Printed a letter to them"),
    "opt-out": _l("Asked to stop a kind of message"), "send-again": _l("Sending that kind of message again"),
    "retry-message": _l("Tried a failed message again"),
    "view-charter-report": _l("Looked at the Charter report"),
    "download-charter-report": _l("Downloaded the Charter report"),
}


def record_label(record_type: str):
    return RECORD_LABELS.get(record_type, record_type)


def action_label(action: str):
    return ACTION_LABELS.get(action, action)


def person_condition(person_id: int):
    """SQL condition for the events about one person's records (see the module's docstring)."""
    # Records merged into this one were the same person (survey_app/participation/merging.py): their events count too.
    person_ids = [person_id, *merged_into(person_id)]
    parts = [and_(AuditEvent.record_type == "Person", AuditEvent.record_id.in_([str(i) for i in person_ids]))]
    for model in PERSON_OWNED:
        ids = [str(i) for i in db.session.scalars(select(model.id).where(model.person_id == person_id))]
        parts.append(and_(AuditEvent.record_type == model.__name__, or_(
            AuditEvent.record_id.in_(ids) if ids else false(),
            AuditEvent.after["person_id"].as_integer().in_(person_ids),
            AuditEvent.before["person_id"].as_integer().in_(person_ids))))
    need_ids = list(db.session.scalars(select(AccessNeed.id).where(AccessNeed.person_id == person_id)))
    if need_ids:
        made = [str(i) for i in db.session.scalars(select(NeedArrangement.id)
                                                   .where(NeedArrangement.need_id.in_(need_ids)))]
        parts.append(and_(AuditEvent.record_type == "NeedArrangement", or_(
            AuditEvent.record_id.in_(made) if made else false(),
            AuditEvent.after["need_id"].as_integer().in_(need_ids),
            AuditEvent.before["need_id"].as_integer().in_(need_ids))))
    return or_(*parts)


def london_start(day: date) -> datetime:
    """The first moment of a London day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


@dataclass
class Filters:
    person_id: int | None = None
    user_id: int | None = None
    system: bool = False  # events no staff member made (e.g. at the door)
    record_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


def events_query(filters: Filters) -> Select:
    """Events matching the filters, newest first, with who made them."""
    query = select(AuditEvent).options(joinedload(AuditEvent.user)).order_by(AuditEvent.at.desc(),
                                                                            AuditEvent.id.desc())
    if filters.person_id is not None:
        query = query.where(person_condition(filters.person_id))
    if filters.system:
        query = query.where(AuditEvent.user_id.is_(None))
    elif filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.date_from:
        query = query.where(AuditEvent.at >= london_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < london_start(filters.date_to + timedelta(days=1)))
    return query


def record_types() -> list[str]:
    return sorted(db.session.scalars(select(AuditEvent.record_type).distinct()))


def staff() -> list[User]:
    return db.session.scalars(select(User).order_by(User.name, User.id)).all()


def _short(value, longest: int | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value) or "–"
    text = value if isinstance(value, str) else str(value)
    if longest is None:
        return text
    text = " ".join(text.split())
    return text if len(text) <= longest else text[:longest - 1] + "…"


def changes(event: AuditEvent, longest: int | None = LONGEST_VALUE) -> list[tuple[str, str]]:
    """(field, "before → after") pairs, or (field, value) for a record made, removed or looked at.
    Empty values of a new or removed record are left out; values longer than `longest` are cut short."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    lines = []
    if before and after:
        for key in sorted(set(before) | set(after)):
            if key not in HIDDEN_FIELDS:
                lines.append((key, f"{_short(before.get(key), longest)} → {_short(after.get(key), longest)}"))
        return lines
    for key, value in (after or before).items():
        if key not in HIDDEN_FIELDS and value not in (None, ""):
            lines.append((key, _short(value, longest)))
    return lines


def changes_text(event: AuditEvent, longest: int | None = LONGEST_VALUE) -> str:
    return "; ".join(f"{key}: {value}" for key, value in changes(event, longest))


def merged_into(person_id: int) -> list[int]:
    """The ids of every record merged into this person, directly or through an earlier merge (from the
    "merge" audit events): erasure cleans their audit copies too, and the audit log finds them."""
    found, todo = [], [person_id]
    while todo:
        current = todo.pop()
        events = db.session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "merge", AuditEvent.record_type == "Person", AuditEvent.record_id == str(current)))
        for after in events:
            merged = (after or {}).get("merged_id")
            if isinstance(merged, int) and merged not in found and merged != person_id:
                found.append(merged)
                todo.append(merged)
    return found
