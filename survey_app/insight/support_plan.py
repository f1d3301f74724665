"""The support plan: every support need that belongs to a meeting, and whether it has been arranged.

A meeting's plan holds its own one-off needs (anyone's) and the standing needs of everyone on its list
(an Attendance row of any status). When a person asked for a kind of support for this meeting only,
that request stands in for their standing need of the same kind, so nothing is counted twice.

"Arranged" is kept per need and meeting in NeedArrangement: a standing need arranged for one meeting
is not arranged for the next. The plan, the counts and the checks below all come from one definition
of which (need, meeting) pairs exist, `_plan_pairs`, so a page and its count can never disagree.
Every function runs a fixed number of queries, however many people or needs there are.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased, joinedload

from exports.support_list import SupportEntry, SupportMeeting

from ..models import AccessNeed, Attendance, Meeting, NeedArrangement, NeedKind, Person, User
from ..models.base import utcnow
from ..privacy import audit, records
from ..web.extensions import db

KIND_ORDER = {kind: i for i, kind in enumerate(NeedKind)}


class NotInPlan(LookupError):
    """The need is not part of this meeting's support plan (ended, someone else's meeting, or unknown)."""


@dataclass(frozen=True)
class PlanEntry:
    need_id: int
    kind: NeedKind
    detail: str
    standing: bool          # asked for every meeting, not only this one
    person_id: int
    name: str               # first (or preferred) name and last name; never contact details
    arranged_at: datetime | None
    arranged_by: str        # staff member's name, "" when not arranged

    @property
    def arranged(self) -> bool:
        return self.arranged_at is not None


@dataclass(frozen=True)
class NeedGroup:
    kind: NeedKind
    entries: list[PlanEntry]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def unarranged(self) -> int:
        return sum(not e.arranged for e in self.entries)

    @property
    def waiting(self) -> list[PlanEntry]:
        return [e for e in self.entries if not e.arranged]


@dataclass(frozen=True)
class SupportPlan:
    meeting: Meeting
    groups: list[NeedGroup]

    @property
    def entries(self) -> list[PlanEntry]:
        return [e for g in self.groups for e in g.entries]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def unarranged(self) -> int:
        return sum(g.unarranged for g in self.groups)


@dataclass(frozen=True)
class MeetingNeeds:
    """One person's needs in one meeting's plan, for the person's page."""
    meeting_id: int
    title: str
    starts_at: datetime
    entries: list[PlanEntry] = field(default_factory=list)


@dataclass(frozen=True)
class PersonNeeds:
    person: Person
    standing: list[AccessNeed]
    meetings: list[MeetingNeeds]


def _plan_pairs(meeting_ids):
    """(need_id, meeting_id) for every need in the plans of `meeting_ids` (a list or a select of ids)."""
    one_off = (select(AccessNeed.id.label("need_id"), AccessNeed.meeting_id.label("meeting_id"))
               .where(AccessNeed.meeting_id.in_(meeting_ids), AccessNeed.ended_at.is_(None)))
    same_kind_for_this_meeting = aliased(AccessNeed)
    # "No meeting" through coalesce, not IS NULL: offered an index on meeting_id, SQLite would walk every
    # standing need and probe every listed meeting for it (1.5 s at 20,000 people); from the meetings'
    # lists it takes milliseconds. Meeting ids start at 1, so 0 never matches a real one.
    standing = (select(AccessNeed.id.label("need_id"), Attendance.meeting_id.label("meeting_id"))
                .select_from(Attendance)
                .join(AccessNeed, and_(AccessNeed.person_id == Attendance.person_id,
                                       func.coalesce(AccessNeed.meeting_id, 0) == 0, AccessNeed.ended_at.is_(None)))
                .where(Attendance.meeting_id.in_(meeting_ids),
                       ~exists().where(same_kind_for_this_meeting.person_id == AccessNeed.person_id,
                                       same_kind_for_this_meeting.kind == AccessNeed.kind,
                                       same_kind_for_this_meeting.meeting_id == Attendance.meeting_id,
                                       same_kind_for_this_meeting.ended_at.is_(None))))
    return union_all(one_off, standing).subquery("plan_pair")


def _entries(pairs, *where, extra=()) -> Select:
    """Plan rows for the pairs, with the person's name and the arrangement for that pair's meeting."""
    return (select(pairs.c.meeting_id, AccessNeed.id, AccessNeed.kind, AccessNeed.detail, AccessNeed.meeting_id,
                   Person.id, Person.first_name, Person.preferred_name, Person.last_name,
                   NeedArrangement.arranged_at, User.name, *extra)
            .select_from(pairs)
            .join(AccessNeed, AccessNeed.id == pairs.c.need_id)
            .join(Person, Person.id == AccessNeed.person_id)
            .outerjoin(NeedArrangement, and_(NeedArrangement.need_id == AccessNeed.id,
                                             NeedArrangement.meeting_id == pairs.c.meeting_id))
            .outerjoin(User, User.id == NeedArrangement.arranged_by_id)
            .where(*where))


def _entry(row) -> PlanEntry:
    (_mid, need_id, kind, detail, need_meeting_id, person_id, first, preferred, last, arranged_at, by) = row[:11]
    return PlanEntry(need_id=need_id, kind=kind, detail=detail or "", standing=need_meeting_id is None,
                     person_id=person_id, name=f"{preferred or first} {last}".strip(),
                     arranged_at=arranged_at, arranged_by=(by or "") if arranged_at else "")


def _sort_key(entry: PlanEntry):
    return KIND_ORDER[entry.kind], entry.name.casefold(), entry.need_id


def plan_for(meeting_id: int) -> SupportPlan | None:
    """The meeting's support plan grouped by kind of need (in the order people are asked), or None."""
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)])
    if meeting is None:
        return None
    pairs = _plan_pairs([meeting.id])
    entries = sorted((_entry(row) for row in db.session.execute(_entries(pairs))), key=_sort_key)
    groups: dict[NeedKind, list[PlanEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.kind, []).append(entry)
    return SupportPlan(meeting=meeting, groups=[NeedGroup(kind, rows) for kind, rows in groups.items()])


def person_plan(meeting_id: int, person_id: int) -> list[PlanEntry]:
    """One person's needs in a meeting's plan (one-off and standing), each with whether it is arranged."""
    pairs = _plan_pairs([meeting_id])
    return sorted((_entry(row) for row in db.session.execute(_entries(pairs, AccessNeed.person_id == person_id))),
                  key=_sort_key)


def support_rows(plan: SupportPlan) -> tuple[SupportMeeting, list[SupportEntry]]:
    """What the Excel support list is built from: the plan in plain words and values."""
    meeting = plan.meeting
    header = SupportMeeting(title=meeting.title, group=meeting.group.name, starts_at=meeting.starts_at,
                            ends_at=meeting.ends_at, venue=meeting.venue_name)
    rows = [SupportEntry(need=str(e.kind.label), name=e.name, detail=e.detail, standing=e.standing,
                         arranged_at=e.arranged_at, arranged_by=e.arranged_by) for e in plan.entries]
    return header, rows


def needs_of(person_id: int) -> PersonNeeds | None:
    """A person's standing needs, and their needs in every meeting plan they are part of, newest first."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    standing = sorted(db.session.scalars(select(AccessNeed).where(
        AccessNeed.person_id == person.id, AccessNeed.meeting_id.is_(None), AccessNeed.ended_at.is_(None))).all(),
        key=lambda n: KIND_ORDER[n.kind])
    their_meetings = union_all(
        select(Attendance.meeting_id).where(Attendance.person_id == person.id),
        select(AccessNeed.meeting_id).where(AccessNeed.person_id == person.id, AccessNeed.meeting_id.is_not(None)))
    pairs = _plan_pairs(select(their_meetings.subquery().c.meeting_id))
    rows = db.session.execute(
        _entries(pairs, AccessNeed.person_id == person.id, extra=(Meeting.title, Meeting.starts_at))
        .join(Meeting, Meeting.id == pairs.c.meeting_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id))
    meetings: dict[int, MeetingNeeds] = {}
    for row in rows:
        mid, title, starts_at = row[0], row[11], row[12]
        meetings.setdefault(mid, MeetingNeeds(mid, title, starts_at)).entries.append(_entry(row))
    for item in meetings.values():
        item.entries.sort(key=_sort_key)
    return PersonNeeds(person=person, standing=standing, meetings=list(meetings.values()))


def _arrangement(need_id: int, meeting_id: int) -> NeedArrangement | None:
    return db.session.scalar(select(NeedArrangement).where(NeedArrangement.need_id == need_id,
                                                           NeedArrangement.meeting_id == meeting_id))


def _check_in_plan(need_id: int, meeting_id: int) -> AccessNeed:
    pairs = _plan_pairs([meeting_id])
    need = db.session.scalar(select(AccessNeed).join(pairs, pairs.c.need_id == AccessNeed.id)
                             .where(AccessNeed.id == need_id))
    if need is None:
        raise NotInPlan(need_id, meeting_id)
    return need


def mark_arranged(need_id: int, meeting_id: int, by: User) -> bool:
    """Record that the need is arranged for this meeting; False if it already was. The caller commits
    (a simultaneous identical press then hits the unique constraint: treat that as done)."""
    _check_in_plan(need_id, meeting_id)
    if _arrangement(need_id, meeting_id) is not None:
        return False
    records.create(NeedArrangement, by=by, event="mark-arranged", need_id=need_id, meeting_id=meeting_id,
                   arranged_at=utcnow(), arranged_by_id=by.id)
    return True


def mark_not_arranged(need_id: int, meeting_id: int, by: User) -> bool:
    """Take back "arranged" for this meeting only; False if it was not arranged. The caller commits."""
    _check_in_plan(need_id, meeting_id)
    made = _arrangement(need_id, meeting_id)
    if made is None:
        return False
    records.delete(made, by=by, event="mark-not-arranged")
    return True


def _unarranged(meeting_ids) -> Select:
    pairs = _plan_pairs(meeting_ids)
    return (select(pairs.c.meeting_id, func.count().label("n")).select_from(pairs)
            .outerjoin(NeedArrangement, and_(NeedArrangement.need_id == pairs.c.need_id,
                                             NeedArrangement.meeting_id == pairs.c.meeting_id))
            .where(NeedArrangement.id.is_(None))
            .group_by(pairs.c.meeting_id))


def unarranged_count(meeting_ids: Iterable[int]) -> dict[int, int]:
    """How many needs are not arranged yet, for each meeting asked about (0 included), in one query."""
    ids = list(meeting_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update({mid: n for mid, n in db.session.execute(_unarranged(ids))})  # noqa: C416 (a Result has keys(): dict() would read it as a mapping)
    return counts


def unarranged_total(upcoming_only: bool = True) -> int:
    """Needs not arranged yet across all meetings (by default only those still to come), in one query."""
    meeting_ids = select(Meeting.id)
    if upcoming_only:
        meeting_ids = meeting_ids.where(Meeting.starts_at >= utcnow())
    counted = _unarranged(meeting_ids).subquery()
    return db.session.scalar(select(func.coalesce(func.sum(counted.c.n), literal(0))))


def record_view(action: str, obj, **after) -> None:
    """Who looked at whose health data, and when: written with every view or download. Commits, so the
    view sends nothing until the record of the look is kept."""
    audit.record(action, obj, after=after or None)
    db.session.commit()
