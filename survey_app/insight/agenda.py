"""A meeting's agenda: what people asked to talk about, and what the organisers add, in the order the
organiser sets.

"People ... have a say in what gets discussed" (the Charter): a suggestion triaged as planned for a meeting
goes on the end of that meeting's agenda, moves with it when it is planned for another meeting, and leaves
when it is triaged as anything else. An item says who asked for it (AgendaSource.label), never a name.
Suggestions are never deleted, and erasure clears only the typed name on one, which an item never copies.
Every change writes its audit event; the caller commits.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from forms.agenda import EASY_TOO_LONG, ITEM_NEEDED, ITEM_TOO_LONG

from ..models import AgendaItem, AgendaSource, Meeting, MeetingKind, Suggestion, SuggestionStatus, User
from ..models.base import utcnow
from ..privacy import records
from ..web.extensions import db

WHAT_LIMIT = 2000
# How many upcoming meetings a group's public pages show with their agenda.
UPCOMING_LIMIT = 3


class AgendaError(ValueError):
    """A rule was broken; str(error) is a sentence for the person, `field` the form field it is about."""

    def __init__(self, message, field: str = ""):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Upcoming:
    meeting: Meeting
    items: list[AgendaItem] = field(default_factory=list)


def _ordered(query):
    return query.order_by(AgendaItem.position, AgendaItem.id)


def items(meeting_id: int) -> list[AgendaItem]:
    """The meeting's agenda, in order: one query."""
    return list(db.session.scalars(_ordered(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))))


def items_for(meeting_ids: Iterable[int]) -> dict[int, list[AgendaItem]]:
    """The agenda of each of these meetings (an empty list for one without any), in one query."""
    ids = list(meeting_ids)
    found: dict[int, list[AgendaItem]] = {mid: [] for mid in ids}
    if ids:
        for item in db.session.scalars(_ordered(select(AgendaItem).where(AgendaItem.meeting_id.in_(ids)))):
            found[item.meeting_id].append(item)
    return found


def upcoming(group_id: int, limit: int = UPCOMING_LIMIT) -> list[Upcoming]:
    """The group's next meetings (not other activities) with their agendas: two queries."""
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.group_id == group_id, Meeting.kind == MeetingKind.MEETING, Meeting.starts_at >= utcnow())
        .order_by(Meeting.starts_at, Meeting.id).limit(limit)).all()
    agendas = items_for(m.id for m in meetings)
    return [Upcoming(m, agendas[m.id]) for m in meetings]


def _next_position(meeting_id: int) -> int:
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id))
    return 1 if last is None else last + 1


def _texts(what: str, easy_read: str) -> tuple[str, str]:
    what, easy_read = (what or "").strip(), (easy_read or "").strip()
    if not what:
        raise AgendaError(ITEM_NEEDED, "what")
    if len(what) > WHAT_LIMIT:
        raise AgendaError(ITEM_TOO_LONG, "what")
    if len(easy_read) > WHAT_LIMIT:
        raise AgendaError(EASY_TOO_LONG, "easy_read")
    return what, easy_read


def add(meeting: Meeting, what: str, easy_read: str = "", by: User | None = None,
        asked_by: AgendaSource = AgendaSource.ORGANISERS, suggestion_id: int | None = None) -> AgendaItem:
    """A new item at the end of the meeting's agenda."""
    what, easy_read = _texts(what, easy_read)
    return records.create(AgendaItem, by=by, meeting_id=meeting.id, position=_next_position(meeting.id), what=what,
                          easy_read=easy_read, asked_by=asked_by, suggestion_id=suggestion_id)


def edit(item: AgendaItem, what: str, easy_read: str, by: User | None = None,
         asked_by: AgendaSource | None = None) -> bool:
    """New wording for an item (a suggestion's own text stays as it was typed), and who asked for an item
    that is not a suggestion's (a suggestion's says where it was suggested); False if nothing changed."""
    what, easy_read = _texts(what, easy_read)
    values = {"what": what, "easy_read": easy_read}
    if asked_by is not None and item.suggestion_id is None:
        values["asked_by"] = asked_by
    return records.update(item, by=by, **values)


def remove(item: AgendaItem, by: User) -> Suggestion | None:
    """Take an item off the agenda. A planned suggestion whose item it was goes back to New, so it is triaged
    again rather than left "planned" for a meeting that will not talk about it; returns that suggestion."""
    suggestion = db.session.get(Suggestion, item.suggestion_id) if item.suggestion_id else None
    records.delete(item, by=by)
    if suggestion is None or suggestion.status != SuggestionStatus.PLANNED:
        return None
    records.update(suggestion, by=by, event="agenda-remove", status=SuggestionStatus.NEW,
                   planned_meeting_id=None, triaged_by_id=by.id, triaged_at=utcnow())
    return suggestion


def move(item: AgendaItem, up: bool, by: User | None = None) -> bool:
    """Swap the item with the one before it (`up`) or after it; False at the top or bottom already."""
    neighbour_query = select(AgendaItem).where(AgendaItem.meeting_id == item.meeting_id, AgendaItem.id != item.id)
    if up:
        neighbour_query = neighbour_query.where(
            (AgendaItem.position < item.position)
            | ((AgendaItem.position == item.position) & (AgendaItem.id < item.id))
        ).order_by(AgendaItem.position.desc(), AgendaItem.id.desc())
    else:
        neighbour_query = neighbour_query.where(
            (AgendaItem.position > item.position)
            | ((AgendaItem.position == item.position) & (AgendaItem.id > item.id))
        ).order_by(AgendaItem.position, AgendaItem.id)
    neighbour = db.session.scalar(neighbour_query.limit(1))
    if neighbour is None:
        return False
    mine, theirs = item.position, neighbour.position
    if mine == theirs:  # equal positions (never made here) are told apart by id: make them distinct first
        theirs = mine - 1 if up else mine + 1
    records.update(item, by=by, event="agenda-move", position=theirs)
    records.update(neighbour, by=by, event="agenda-move", position=mine)
    return True


def item_of(suggestion_id: int) -> AgendaItem | None:
    return db.session.scalar(select(AgendaItem).where(AgendaItem.suggestion_id == suggestion_id))


def follow_triage(suggestion: Suggestion, by: User | None = None) -> set[int]:
    """Keep the agenda in step with a suggestion's triage: planned -> an item at the end of that meeting's
    agenda (moved there from another meeting's); anything else -> no item. Returns the ids of the meetings
    whose agenda changed, so the caller can refresh what door tablets show once it has committed."""
    item = item_of(suggestion.id)
    planned = suggestion.planned_meeting_id if suggestion.status == SuggestionStatus.PLANNED else None
    if planned is None:
        if item is None:
            return set()
        records.delete(item, by=by)
        return {item.meeting_id}
    if item is None:
        # The suggestion's text as it was typed (the door and the links already limit its length).
        records.create(AgendaItem, by=by, meeting_id=planned, position=_next_position(planned),
                       what=suggestion.what, easy_read="", suggestion_id=suggestion.id,
                       asked_by=AgendaSource.of_suggestion(suggestion.source))
        return {planned}
    if item.meeting_id == planned:
        return set()
    before = item.meeting_id
    records.update(item, by=by, event="agenda-move", meeting_id=planned, position=_next_position(planned))
    return {before, planned}
