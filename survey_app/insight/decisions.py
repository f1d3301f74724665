"""Joint decisions made at a meeting, recorded with its notes, and the actions that follow from them; a
checklist comment made into an action in one step. Views call these; the caller commits."""
import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from forms.checklist import COMMENTS

from ..models import Action, ActionStatus, ChecklistResponse, Decision, Meeting, User
from ..models.base import utcnow
from ..privacy import records
from ..web.extensions import db
from .actions import ActionError, LogEntry, MeetingRecord, meeting_actions

WHAT_MESSAGE = _l("Write what was decided.")
WHAT_LIMIT = 2000
# An action made from a checklist comment: what was written, up to this many characters, and no owner yet.
COMMENT_ACTION_LIMIT = 500
TO_BE_AGREED = _l("To be agreed")


def _what(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError(WHAT_MESSAGE, field="what")
    return text


def decisions_for(meeting_id: int) -> list[Decision]:
    return db.session.scalars(select(Decision).where(Decision.meeting_id == meeting_id)
                              .order_by(Decision.position, Decision.id)).all()


@dataclass
class DecisionEntry:
    decision: Decision
    entries: list[LogEntry] = field(default_factory=list)


def meeting_decisions(meeting: Meeting) -> list[DecisionEntry]:
    """A meeting's decisions in order, each with the actions that follow from it. Three queries."""
    rows = {d.id: DecisionEntry(d) for d in decisions_for(meeting.id)}
    if rows:
        for entry in meeting_actions(meeting):
            if entry.action.decision_id in rows:
                rows[entry.action.decision_id].entries.append(entry)
    return list(rows.values())


def add_decision(meeting: Meeting, what: str, by: User) -> Decision:
    """A new decision, after the meeting's others."""
    what = _what(what)
    last = db.session.scalar(select(func.max(Decision.position)).where(Decision.meeting_id == meeting.id))
    return records.create(Decision, by=by, meeting_id=meeting.id, position=(last or 0) + 1, what=what,
                          created_by_id=by.id, created_at=utcnow())


def edit_decision(decision: Decision, what: str, by: User) -> bool:
    """Reword a decision; returns whether anything changed."""
    return records.update(decision, by=by, what=_what(what))


def remove_decision(decision: Decision, by: User) -> int:
    """Remove a decision. The actions that follow from it stay, and no longer point to it (each change
    audited). Returns how many actions were unlinked."""
    following = db.session.scalars(select(Action).where(Action.decision_id == decision.id)).all()
    for action in following:
        records.update(action, by=by, decision_id=None, updated_at=utcnow())
    db.session.flush()
    records.delete(decision, by=by)
    return len(following)


# The public pages --------------------------------------------------------------------------------------

@dataclass
class PublicMeeting:
    """A meeting on the public notes pages: its record, its decisions each with the actions that follow,
    and the other actions that came from it."""
    record: MeetingRecord
    decisions: list[DecisionEntry]
    others: list[LogEntry]


def with_decisions(group_id: int, meeting_records: list[MeetingRecord]) -> list[PublicMeeting]:
    """The decisions of the meetings in `meeting_records` (the public ones), in one query."""
    ids = [r.meeting.id for r in meeting_records]
    by_meeting: dict[int, list[DecisionEntry]] = {i: [] for i in ids}
    if ids:
        for d in db.session.scalars(select(Decision).join(Meeting, Meeting.id == Decision.meeting_id)
                                    .where(Meeting.group_id == group_id, Decision.meeting_id.in_(ids))
                                    .order_by(Decision.position, Decision.id)):
            by_meeting[d.meeting_id].append(DecisionEntry(d))
    shown = []
    for r in meeting_records:
        rows = {d.decision.id: d for d in by_meeting[r.meeting.id]}
        others = []
        for entry in r.entries:
            if entry.action.decision_id in rows:
                rows[entry.action.decision_id].entries.append(entry)
            else:
                others.append(entry)
        shown.append(PublicMeeting(r, by_meeting[r.meeting.id], others))
    return shown


# The group's results page -------------------------------------------------------------------------------

def decision_counts(meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each meeting: (decisions recorded, checklist answers that said what came out of it). One query."""
    if not meeting_ids:
        return {}
    decided = select(func.count(Decision.id)).where(Decision.meeting_id == Meeting.id).scalar_subquery()
    said = select(func.count(ChecklistResponse.id)).where(ChecklistResponse.meeting_id == Meeting.id,
                                                         func.trim(ChecklistResponse.outcomes) != "") \
        .scalar_subquery()
    rows = db.session.execute(select(Meeting.id, decided, said).where(Meeting.id.in_(meeting_ids)))
    return {meeting_id: (int(d or 0), int(s or 0)) for meeting_id, d, s in rows}


# A checklist comment into an action -------------------------------------------------------------------------
# The results page sorts comments by their text so their order says nothing of who wrote them. A response's
# id beside each comment would undo that (two comments with the same id came from the same person, and ids
# follow the order people answered in), so each comment's button carries an opaque reference instead: a keyed
# hash of the meeting, the response and the field, different for every comment.

class NoSuchComment(LookupError):
    pass


def comment_ref(meeting_id: int, response_id: int, field_name: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"checklist-comment:{meeting_id}:{response_id}:{field_name}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()[:18]).decode()


def comment_text(meeting_id: int, ref: str, field_name: str) -> str:
    """The comment `ref` names among this meeting's answers to `field_name` (one of COMMENTS). One query.
    NoSuchComment if no response of this meeting has it."""
    if field_name not in COMMENTS:
        raise ValueError(f"not a comment field: {field_name!r}")
    column = getattr(ChecklistResponse, field_name)
    rows = db.session.execute(select(ChecklistResponse.id, column)
                              .where(ChecklistResponse.meeting_id == meeting_id, column != ""))
    for response_id, text in rows:
        if (text or "").strip() and hmac.compare_digest(comment_ref(meeting_id, response_id, field_name), ref or ""):
            return text.strip()
    raise NoSuchComment(ref)


def trimmed(text: str, limit: int = COMMENT_ACTION_LIMIT) -> str:
    """A comment as an action's "what": whole if short, else cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def action_from_comment(meeting: Meeting, text: str, by: User) -> Action:
    """An action for the meeting's group from a checklist comment: not started, owner to be agreed, no due
    date, linked to the meeting and to nothing else (never to the person or their response)."""
    now = utcnow()
    action = Action(group_id=meeting.group_id, meeting_id=meeting.id, what=trimmed(text), owner=str(TO_BE_AGREED),
                    due_on=None, status=ActionStatus.NOT_STARTED, explanation="", created_by_id=by.id,
                    created_at=now, updated_at=now)
    return records.created(action, by=by)


def made_from(meeting: Meeting, text: str, by: User) -> Action | None:
    """The newest action this organiser made from this comment (after a double tap, the one the first made)."""
    return db.session.scalar(select(Action).where(Action.meeting_id == meeting.id, Action.created_by_id == by.id,
                                                  Action.what == trimmed(text))
                             .order_by(Action.id.desc()).limit(1))
