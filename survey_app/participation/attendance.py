"""An organiser marks who took part in a meeting or activity, and how (in the room, online, by phone);
and undoes a mark. The door sign-in (taking_part.sign_in) records "in the room" by itself.

Who can be marked: anyone connected to the meeting's group (taking_part.connected_to_group: an attendance
row of any status at any of its meetings, so anyone invited to this meeting too), not erased. Every change
is in the audit log with the meeting and how they took part; nothing about support needs is written.
A second press of the same form (a double tap, a second tab) finds the marks made and changes nothing.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..models import Attendance, AttendanceStatus, Invitation, Meeting, Person, TakingPart
from ..money.recognition import recognised_at
from ..privacy import records
from ..web.extensions import db
from ..web.pages import record_id
from .taking_part import connected_to_group

MARK = "mark-attended"
UNMARK = "mark-not-attended"
CHOOSE_SOMEONE = _l("Choose at least one person.")
CHOOSE_HOW = _l("Choose how they took part.")
NOT_CONNECTED = _l("Some of the people chosen cannot be marked for this meeting. Nothing was saved. "
                   "Invite them to the meeting first.")
NOT_ATTENDED = _l("Some of the people chosen are not marked as attended. Nothing was saved.")


class AttendanceError(ValueError):
    """The choice cannot be saved; str(error) is a sentence for the organiser. Nothing was written."""


def chosen_ids(values: list[str]) -> list[int]:
    """The person ids ticked on a form, in order and once each. Anything that is not an id is refused."""
    ids = []
    for text in values:
        number = record_id(text)
        if number is None:
            raise AttendanceError(str(NOT_CONNECTED))
        if number not in ids:
            ids.append(number)
    if not ids:
        raise AttendanceError(str(CHOOSE_SOMEONE))
    return ids


def taking_part_from(text: str | None) -> TakingPart:
    try:
        return TakingPart(text)
    except ValueError:
        raise AttendanceError(str(CHOOSE_HOW)) from None


def can_be_marked(meeting: Meeting):
    """A condition on Person: connected to the meeting's group and not erased."""
    return Person.id.in_(connected_to_group(meeting.group_id)) & Person.erased_at.is_(None)


def markable(meeting: Meeting, search=None):
    """The query of people who can be marked for the meeting, by last name then first name; `search` is a
    condition on Person (a name search) or None."""
    query = select(Person).where(can_be_marked(meeting))
    if search is not None:
        query = query.where(search)
    return query.order_by(func.lower(Person.last_name), func.lower(Person.first_name), Person.id)


def _rows(meeting: Meeting, person_ids: list[int]) -> dict[int, Attendance]:
    return {a.person_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.person_id.in_(person_ids)))}


def mark(meeting: Meeting, person_ids: list[int], how: TakingPart) -> int:
    """Mark everyone in `person_ids` as attended, taking part `how`; someone marked already keeps their
    mark with the new way. Raises AttendanceError (nothing written) if anyone cannot be marked. Commits.
    Returns how many people changed."""
    allowed = set(db.session.scalars(select(Person.id).where(Person.id.in_(person_ids), can_be_marked(meeting))))
    if set(person_ids) - allowed:
        raise AttendanceError(str(NOT_CONNECTED))
    for attempt in (1, 2):
        try:
            changed = _mark(meeting, person_ids, how)
            db.session.commit()
            return changed
        except IntegrityError:
            # Another tab made one of the rows between our read and our write: read again and update it.
            db.session.rollback()
            if attempt == 2:
                raise
    return 0  # pragma: no cover


def _mark(meeting: Meeting, person_ids: list[int], how: TakingPart) -> int:
    rows = _rows(meeting, person_ids)
    changed = 0
    for person_id in person_ids:
        row = rows.get(person_id)
        if row is None:
            records.create(Attendance, event=MARK, meeting_id=meeting.id, person_id=person_id,
                           status=AttendanceStatus.ATTENDED, took_part=how)
            changed += 1
        elif records.update(row, event=MARK, status=AttendanceStatus.ATTENDED, took_part=how):
            changed += 1
    db.session.flush()
    return changed


def unmark(meeting: Meeting, person_ids: list[int]) -> int:
    """Turn the marks of `person_ids` back: to "invited" for someone with a personal link for the meeting,
    otherwise the attendance row goes. Refused (nothing written) for anyone not attended, or with
    recognition for the meeting. Commits. Returns how many people changed."""
    rows = _rows(meeting, person_ids)
    if len(rows) != len(person_ids) or any(r.status is not AttendanceStatus.ATTENDED for r in rows.values()):
        raise AttendanceError(str(NOT_ATTENDED))
    recognised = recognised_at(meeting.id, person_ids)
    if recognised:
        names = db.session.scalars(select(Person).where(Person.id.in_(recognised))
                                   .order_by(Person.last_name, Person.first_name)).all()
        raise AttendanceError(ngettext(
            "%(names)s already has recognition for this meeting. Remove their recognition first. Nothing was saved.",
            "%(names)s already have recognition for this meeting. Remove their recognition first. Nothing was saved.",
            len(names), names=", ".join(p.display_name for p in names)))
    linked = set(db.session.scalars(select(Invitation.person_id).where(Invitation.meeting_id == meeting.id,
                                                                       Invitation.person_id.in_(person_ids))))
    for person_id in person_ids:
        row = rows[person_id]
        if person_id in linked:
            records.update(row, event=UNMARK, status=AttendanceStatus.INVITED, took_part=None, signed_in_at=None)
        else:
            records.delete(row, event=UNMARK)
    db.session.commit()
    return len(person_ids)


def tally(attendances) -> list[tuple[TakingPart, int]]:
    """How many of these attendance rows took part each way (attended ones only), every way listed, in the
    order of TakingPart: room, online, phone (the meeting page's sentence takes them in that order)."""
    counts = dict.fromkeys(TakingPart, 0)
    for a in attendances:
        if a.status is AttendanceStatus.ATTENDED and a.took_part is not None:
            counts[a.took_part] += 1
    return list(counts.items())
