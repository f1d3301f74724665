"""The rules of suggestions: triage by organisers, votes at the door, and the lists people see.

"People can have a say in what gets discussed at meetings" (the Charter): every suggestion gets an
answer, and one that is not taken forward gets a reason the person can read on the group's public page.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from ..models import Group, Meeting, Suggestion, SuggestionStatus, SuggestionVote, User
from ..models.base import LONDON, utcnow
from ..privacy import records
from ..web.extensions import db
from . import agenda

# Only what is still to be talked about can be voted for.
VOTABLE = (SuggestionStatus.NEW, SuggestionStatus.PLANNED)
SORTS = ("votes", "newest")
SOURCE_LABELS = {"door": _l("At the meeting door"), "link": _l("The group's have-your-say link"),
                 "invite": _l("A personal invitation link")}
# The order the public page shows its sections in: what is coming up first.
PUBLIC_ORDER = (SuggestionStatus.PLANNED, SuggestionStatus.NEW, SuggestionStatus.COVERED,
                SuggestionStatus.NOT_TAKEN_FORWARD)

REASON_NEEDED = _l("Write a reason the person will understand, in plain English.")
MEETING_NEEDED = _l("Choose which of this group's meetings it is planned for.")
NOT_VOTABLE = _l("You cannot vote for this any more. Choose another idea.")
NOT_SHOWN_YET = _l("New from the group link: not shown publicly until you look at it.")


def shown_publicly():
    """Which suggestions the public page and the door tablet's votes show. Anyone can post through the open
    group link, so a suggestion from it is held until an organiser has looked at it: saved a decision on
    its triage page, even "New" (triaged_at is set). Door and personal-link suggestions come from someone
    at the meeting's tablet or invited to the meeting, and show at once."""
    return or_(Suggestion.source != "link", Suggestion.triaged_at.is_not(None))


class SuggestionError(ValueError):
    """A rule was broken; str(error) is a sentence for the person, `field` the form field it is about."""

    def __init__(self, message, field: str = ""):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return str(self.args[0])


class Row(NamedTuple):
    suggestion: Suggestion
    votes: int


@dataclass(frozen=True)
class PublicRow:
    """What the public page may show of a suggestion: no name, no reason why it was asked, no exact dates."""

    what: str
    status: SuggestionStatus
    reason: str
    meeting_title: str
    meeting_month: date | None  # the first of the month: nothing finer can be shown
    suggested_month: date
    votes: int


def _month(at: datetime) -> date:
    return at.astimezone(LONDON).date().replace(day=1)


def triage(suggestion: Suggestion, status: SuggestionStatus | str, by: User, planned_meeting_id: int | None = None,
           reason: str = "") -> set[int]:
    """Decide what happens to a suggestion, and keep the meetings' agendas in step (insight/agenda.py).
    Returns the ids of the meetings whose agenda changed. The caller commits."""
    status = SuggestionStatus(status)
    reason = (reason or "").strip()
    meeting_id = None
    if status == SuggestionStatus.PLANNED:
        meeting = db.session.get(Meeting, planned_meeting_id) if planned_meeting_id else None
        if meeting is None or meeting.group_id != suggestion.group_id:
            raise SuggestionError(MEETING_NEEDED, "planned_meeting")
        meeting_id = meeting.id
    if status == SuggestionStatus.NOT_TAKEN_FORWARD and not reason:
        raise SuggestionError(REASON_NEEDED, "reason")
    # The reason is published, so it is kept only where it answers "why not?".
    records.update(suggestion, by=by, event="triage", status=status, planned_meeting_id=meeting_id,
                   reason=reason if status == SuggestionStatus.NOT_TAKEN_FORWARD else "", triaged_by_id=by.id,
                   triaged_at=utcnow())
    return agenda.follow_triage(suggestion, by=by)


def vote(suggestion_id: int, person_id: int | None, group_id: int | None = None, visit: str | None = None) -> bool:
    """Count a vote: once per suggestion for a signed-in person, and once per suggestion for one visit to
    the door tablet (`visit`, see participation/kiosk.visit_key) whether or not the person signed in. False if it
    was counted already. The caller commits.

    Raises SuggestionError when the suggestion is not open to votes (or not of `group_id`, if given)."""
    found = db.session.execute(
        select(Suggestion.status, Suggestion.group_id, shown_publicly().label("shown"))
        .where(Suggestion.id == suggestion_id)).first()
    if found is None or found.status not in VOTABLE or not found.shown \
            or (group_id is not None and found.group_id != group_id):
        raise SuggestionError(NOT_VOTABLE, "suggestion")
    values = {"suggestion_id": suggestion_id, "person_id": person_id, "visit": visit, "created_at": utcnow()}
    # One statement, no read-then-write: two tablets with the same person cannot both count, nor two taps
    # of one visit. With no conflict target, either unique constraint (person, visit) makes it a no-op.
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = db.session.execute(dialect_insert(SuggestionVote).values(**values).on_conflict_do_nothing()
                               .returning(SuggestionVote.id)).scalar()
    return added is not None


def _vote_counts(group_id: int):
    """Votes per suggestion of one group, counted in the database (a subquery of the list's one query)."""
    return (select(SuggestionVote.suggestion_id, func.count().label("n"))
            .where(SuggestionVote.suggestion_id.in_(select(Suggestion.id).where(Suggestion.group_id == group_id)))
            .group_by(SuggestionVote.suggestion_id).subquery())


# The public page's order: sections in PUBLIC_ORDER, so one page can hold the end of one and the start of the next.
_PUBLIC_RANK = case(*[(Suggestion.status == status, i) for i, status in enumerate(PUBLIC_ORDER)])


def _rows(group_id: int, statuses: Iterable[SuggestionStatus] | None, sort: str, limit: int | None,
          offset: int, public: bool = False) -> list[Row]:
    counts = _vote_counts(group_id)
    votes = func.coalesce(counts.c.n, 0).label("votes")
    query = (select(Suggestion, votes).outerjoin(counts, counts.c.suggestion_id == Suggestion.id)
             .options(joinedload(Suggestion.planned_meeting)).where(Suggestion.group_id == group_id))
    if statuses is not None:
        query = query.where(Suggestion.status.in_(list(statuses)))
    if public:
        query = query.where(shown_publicly())
    newest = (Suggestion.created_at.desc(), Suggestion.id.desc())
    order = {"votes": (votes.desc(), *newest), "public": (_PUBLIC_RANK, votes.desc(), *newest)}.get(sort, newest)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [Row(s, n) for s, n in db.session.execute(query).all()]


def triage_list(group_id: int, sort: str = "votes", status: SuggestionStatus | None = None,
                limit: int | None = None, offset: int = 0) -> list[Row]:
    """A group's suggestions with their vote counts, in one query whatever their number."""
    return _rows(group_id, None if status is None else [status], sort if sort in SORTS else "votes", limit, offset)


def votable_list(group_id: int, limit: int | None = None, offset: int = 0) -> list[Row]:
    """What the door tablet offers to vote for: the group's new and planned suggestions that are shown
    publicly, newest first, so the list does not lead people to what is already popular."""
    return _rows(group_id, VOTABLE, "newest", limit, offset, public=True)


def votable_count(group_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Suggestion).where(
        Suggestion.group_id == group_id, Suggestion.status.in_(VOTABLE), shown_publicly()))


def voted_for(person_id: int | None, suggestion_ids: list[int], visit: str | None = None) -> set[int]:
    """Which of these suggestions the person, or this visit to the door tablet, has voted for already."""
    voters = [SuggestionVote.person_id == person_id] if person_id else []
    voters += [SuggestionVote.visit == visit] if visit else []
    if not suggestion_ids or not voters:
        return set()
    return set(db.session.scalars(select(SuggestionVote.suggestion_id).where(
        or_(*voters), SuggestionVote.suggestion_id.in_(suggestion_ids))))


def vote_count(suggestion_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(SuggestionVote)
                             .where(SuggestionVote.suggestion_id == suggestion_id))


def status_counts(group_id: int) -> dict[SuggestionStatus, int]:
    """How many of the group's suggestions have each status (every status present, zero if none)."""
    found = dict(db.session.execute(select(Suggestion.status, func.count()).where(Suggestion.group_id == group_id)
                                    .group_by(Suggestion.status)).all())
    return {status: found.get(status, 0) for status in SuggestionStatus}


def waiting_count(group_id: int | None = None) -> int:
    """Suggestions nobody has looked at yet: for one group, or for every group."""
    query = select(func.count()).select_from(Suggestion).where(Suggestion.status == SuggestionStatus.NEW)
    if group_id is not None:
        query = query.where(Suggestion.group_id == group_id)
    return db.session.scalar(query)


def waiting_by_group() -> list[tuple[int, str, int]]:
    """(group id, group name, suggestions waiting) for each group with any waiting, most waiting first."""
    n = func.count(Suggestion.id)
    return [tuple(row) for row in db.session.execute(
        select(Group.id, Group.name, n).join(Suggestion, Suggestion.group_id == Group.id)
        .where(Suggestion.status == SuggestionStatus.NEW).group_by(Group.id, Group.name)
        .order_by(n.desc(), Group.name)).all()]


def public_counts(group_id: int) -> dict[SuggestionStatus, int]:
    """How many suggestions the public page shows in each section (every status present, zero if none)."""
    found = dict(db.session.execute(select(Suggestion.status, func.count()).where(
        Suggestion.group_id == group_id, shown_publicly()).group_by(Suggestion.status)).all())
    return {status: found.get(status, 0) for status in PUBLIC_ORDER}


def public_list(group_id: int, limit: int | None = None, offset: int = 0) -> list[PublicRow]:
    """The group's suggestions that are shown publicly, as the public page may show them: in PUBLIC_ORDER,
    most votes first within each status; `limit` of them from `offset` (one page), counted in the database."""
    public = []
    for s, votes in _rows(group_id, None, "public", limit, offset, public=True):
        planned = s.planned_meeting if s.status == SuggestionStatus.PLANNED else None
        public.append(PublicRow(
            what=s.what, status=s.status, reason=s.reason if s.status == SuggestionStatus.NOT_TAKEN_FORWARD else "",
            meeting_title=planned.title if planned else "",
            meeting_month=_month(planned.starts_at) if planned else None,
            suggested_month=_month(s.created_at), votes=votes))
    return public
