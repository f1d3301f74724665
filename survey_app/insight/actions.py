"""The action log ("you said, we did") and meeting notes: what we said we would do, who owns it, when
it is due, how it is going, and why when it is late or not going ahead, as the Charter asks.
Views call these; the rules live here, once."""
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ..models import Action, ActionStatus, ActionUpdate, Decision, Meeting, MeetingNote, Organisation, Suggestion, User
from ..models.base import LONDON, utcnow
from ..privacy import records
from ..web.extensions import db

OPEN = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
_KEEP = object()  # "leave this as it is" for update_action's keyword arguments


class ActionError(ValueError):
    """A rule was broken; str(error) is a whole sentence for the person. `field` names the form field
    the sentence belongs beside."""

    def __init__(self, message, field: str = "what"):
        super().__init__(message)
        self.field = field

    def __str__(self):
        return str(self.args[0])


class ExplanationNeeded(ActionError):
    """The Charter's promise: when an action is late or not going ahead, we say why."""

    def __init__(self, message):
        super().__init__(message, field="explanation")


NOT_GOING_AHEAD_MESSAGE = _l("This action is not going ahead. Say why, so people know.")
OVERDUE_MESSAGE = _l("This action is overdue. Say why, so people know what is happening.")


def today() -> date:
    """Today in Europe/London: an action due on the 31st is not late at 11:30pm UK time."""
    return utcnow().astimezone(LONDON).date()


def is_overdue(action: Action, on: date | None = None) -> bool:
    return action.status in OPEN and action.due_on is not None and action.due_on < (on or today())


def _check_links(group_id: int, meeting_id, suggestion_id, organisation_id) -> None:
    if meeting_id is not None:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or meeting.group_id != group_id:
            raise ActionError(_l("Choose one of this group's meetings."), field="meeting")
    if suggestion_id is not None:
        suggestion = db.session.get(Suggestion, suggestion_id)
        if suggestion is None or suggestion.group_id != group_id:
            raise ActionError(_l("That suggestion was made to another group."), field="what")
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise ActionError(_l("Choose an organisation from the list."), field="owner_organisation")


def _check_decision(decision_id: int | None, meeting_id: int | None) -> None:
    """An action may follow only from a decision made at the meeting it came from."""
    if decision_id is None:
        return
    decision = db.session.get(Decision, decision_id)
    if decision is None or meeting_id is None or decision.meeting_id != meeting_id:
        raise ActionError(_l("Choose a decision made at the meeting this action came from."), field="decision")


def _text(value: str | None, message, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(message, field=field_name)
    return value


def create_action(group_id: int, what: str, owner: str, due_on: date | None, by: User, meeting_id: int | None = None,
                  suggestion_id: int | None = None, owner_organisation_id: int | None = None,
                  decision_id: int | None = None) -> Action:
    """Record something we said we would do. It starts as not started; the caller commits. `decision_id`: a
    decision of the meeting it came from that it follows from."""
    what = _text(what, _l("Say what we will do."), "what")
    owner = _text(owner, _l("Enter who owns this action."), "owner")
    _check_links(group_id, meeting_id, suggestion_id, owner_organisation_id)
    _check_decision(decision_id, meeting_id)
    now = utcnow()
    action = Action(group_id=group_id, meeting_id=meeting_id, suggestion_id=suggestion_id, what=what, owner=owner,
                    decision_id=decision_id,
                    owner_organisation_id=owner_organisation_id, due_on=due_on, status=ActionStatus.NOT_STARTED,
                    explanation="", created_by_id=by.id, created_at=now, updated_at=now)
    return records.created(action, by=by)


def update_action(action: Action, by: User, *, status=_KEEP, explanation=_KEEP, what=_KEEP, owner=_KEEP,
                  owner_organisation_id=_KEEP, due_on=_KEEP, meeting_id=_KEEP, decision_id=_KEEP,
                  on: date | None = None) -> bool:
    """Change an action; returns whether anything changed (an unchanged save writes no audit event).

    Not going ahead needs an explanation. So does an action that is past its due date (before or after
    this change) and not done: it cannot be saved again until someone says why."""
    changes = {}
    if what is not _KEEP:
        changes["what"] = _text(what, _l("Say what we will do."), "what")
    if owner is not _KEEP:
        changes["owner"] = _text(owner, _l("Enter who owns this action."), "owner")
    if status is not _KEEP:
        changes["status"] = ActionStatus(status)
    if explanation is not _KEEP:
        changes["explanation"] = (explanation or "").strip()
    if due_on is not _KEEP:
        changes["due_on"] = due_on
    if owner_organisation_id is not _KEEP:
        changes["owner_organisation_id"] = owner_organisation_id
    if meeting_id is not _KEEP:
        changes["meeting_id"] = meeting_id
    if decision_id is not _KEEP:
        changes["decision_id"] = decision_id
    _check_links(action.group_id, changes.get("meeting_id"), None, changes.get("owner_organisation_id"))
    if "decision_id" in changes or "meeting_id" in changes:
        _check_decision(changes.get("decision_id", action.decision_id), changes.get("meeting_id", action.meeting_id))

    on = on or today()
    new_status = changes.get("status", action.status)
    new_due = changes.get("due_on", action.due_on)
    new_explanation = changes.get("explanation", action.explanation or "")
    if new_status == ActionStatus.NOT_GOING_AHEAD and not new_explanation:
        raise ExplanationNeeded(NOT_GOING_AHEAD_MESSAGE)
    late_now = new_status in OPEN and new_due is not None and new_due < on
    # Moving the due date later does not make a late action on time without a word about why.
    if new_status in OPEN and (late_now or is_overdue(action, on)) and not new_explanation:
        raise ExplanationNeeded(OVERDUE_MESSAGE)

    with records.changed(action, by=by) as change:
        status_before = action.status
        for key, value in changes.items():
            setattr(action, key, value)
        if change.any():
            action.updated_at = utcnow()
            if action.status != status_before:  # what the weekly "You said, we did" message gathers
                action.status_changed_at = action.updated_at
    return change.happened


def add_update(action: Action, note: str, by: User, noted_on: date | None = None) -> ActionUpdate:
    """A dated note of progress (today in London unless given); never dated in the future."""
    note = _text(note, _l("Write the progress update."), "note")
    noted_on = noted_on or today()
    if noted_on > today():
        raise ActionError(_l("The date of an update cannot be in the future. Use today's date or an earlier one."),
                          field="noted_on")
    update = ActionUpdate(action_id=action.id, noted_on=noted_on, note=note, by_id=by.id, created_at=utcnow())
    return records.created(update, by=by)


def updates_for(action_id: int) -> list[ActionUpdate]:
    """An action's progress notes, newest first (by date, then by when they were written)."""
    return db.session.scalars(select(ActionUpdate).options(joinedload(ActionUpdate.by))
                              .where(ActionUpdate.action_id == action_id)
                              .order_by(ActionUpdate.noted_on.desc(), ActionUpdate.id.desc())).all()


def _open_actions(group_id: int | None):
    query = select(Action).options(joinedload(Action.group), joinedload(Action.owner_organisation)) \
        .where(Action.status.in_(OPEN))
    return query.where(Action.group_id == group_id) if group_id is not None else query


def overdue(group_id: int | None = None, on: date | None = None) -> list[Action]:
    """Open actions past their due date (London), oldest due first; for one group or all."""
    on = on or today()
    return db.session.scalars(_open_actions(group_id).where(Action.due_on < on)
                              .order_by(Action.due_on, Action.id)).all()


def due_this_month(group_id: int | None = None, on: date | None = None) -> list[Action]:
    """Open actions due from today to the end of this London month (overdue ones are in `overdue`)."""
    on = on or today()
    last = on.replace(day=monthrange(on.year, on.month)[1])
    return db.session.scalars(_open_actions(group_id).where(Action.due_on >= on, Action.due_on <= last)
                              .order_by(Action.due_on, Action.id)).all()


@dataclass
class LogEntry:
    action: Action
    latest: ActionUpdate | None
    overdue: bool


def _latest_updates(action_ids) -> dict[int, ActionUpdate]:
    """The newest update of each action in `action_ids` (a subquery of ids), in one query."""
    ranked = select(ActionUpdate.id, func.row_number().over(
        partition_by=ActionUpdate.action_id,
        order_by=(ActionUpdate.noted_on.desc(), ActionUpdate.id.desc())).label("newest_first")) \
        .where(ActionUpdate.action_id.in_(action_ids)).subquery()
    rows = db.session.scalars(select(ActionUpdate).join(ranked, ranked.c.id == ActionUpdate.id)
                              .where(ranked.c.newest_first == 1))
    return {u.action_id: u for u in rows}


def _entries(where, on: date | None = None) -> list[LogEntry]:
    on = on or today()
    query = (select(Action)
             .options(joinedload(Action.owner_organisation), joinedload(Action.meeting), joinedload(Action.suggestion))
             .where(*where)
             .order_by(case((Action.status.in_(OPEN), 0), (Action.status == ActionStatus.DONE, 1), else_=2),
                       Action.due_on.is_(None), Action.due_on, Action.id))
    actions = db.session.scalars(query).all()
    if not actions:
        return []
    latest = _latest_updates(select(Action.id).where(*where).scalar_subquery())
    return [LogEntry(a, latest.get(a.id), is_overdue(a, on)) for a in actions]


def action_log(group_id: int, status: ActionStatus | None = None, only_overdue: bool = False,
               on: date | None = None) -> list[LogEntry]:
    """A group's actions with each one's latest update: open first by due date, then done, then not going
    ahead. Two queries, however many actions."""
    on = on or today()
    where = [Action.group_id == group_id]
    if status is not None:
        where.append(Action.status == status)
    if only_overdue:
        where += [Action.status.in_(OPEN), Action.due_on < on]
    return _entries(where, on)


@dataclass
class MeetingRecord:
    meeting: Meeting
    note: MeetingNote | None
    entries: list[LogEntry] = field(default_factory=list)


def meeting_records(group_id: int) -> list[MeetingRecord]:
    """A group's past meetings, newest first, each with its notes and the actions that came from it.
    Four queries, however many meetings and actions."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.group_id == group_id, Meeting.starts_at < utcnow())
                                  .order_by(Meeting.starts_at.desc())).all()
    if not meetings:
        return []
    past = select(Meeting.id).where(Meeting.group_id == group_id, Meeting.starts_at < utcnow()).scalar_subquery()
    notes = {n.meeting_id: n for n in db.session.scalars(select(MeetingNote).where(MeetingNote.meeting_id.in_(past)))}
    by_meeting = {m.id: MeetingRecord(m, notes.get(m.id)) for m in meetings}
    for entry in _entries([Action.group_id == group_id, Action.meeting_id.in_(past)]):
        by_meeting[entry.action.meeting_id].entries.append(entry)
    return list(by_meeting.values())


def notes_for(meeting_id: int) -> MeetingNote | None:
    return db.session.scalar(select(MeetingNote).where(MeetingNote.meeting_id == meeting_id))


def meeting_actions(meeting: Meeting) -> list[LogEntry]:
    return _entries([Action.group_id == meeting.group_id, Action.meeting_id == meeting.id])


def save_notes(meeting: Meeting, text: str, by: User) -> MeetingNote:
    """Write or rewrite what was said at a meeting (one note per meeting); the caller commits."""
    text = _text(text, _l("Write what was said at the meeting."), "text")
    note = notes_for(meeting.id)
    if note is None:
        note = MeetingNote(meeting_id=meeting.id, text=text, written_by_id=by.id, updated_at=utcnow())
        return records.created(note, by=by)
    if note.text != text:
        records.update(note, by=by, text=text, written_by_id=by.id, updated_at=utcnow())
    return note
