"""Inviting people to a meeting and giving each a personal link."""
import secrets

from sqlalchemy import select

from . import audit
from .extensions import db
from .models import Attendance, AttendanceStatus, Invitation, Meeting, Person


def invite(meeting: Meeting, person: Person) -> bool:
    """Add the person to the meeting as invited; False if they were already on its list."""
    exists = db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting.id,
                                                           Attendance.person_id == person.id))
    if exists:
        return False
    attendance = Attendance(meeting_id=meeting.id, person_id=person.id, status=AttendanceStatus.INVITED)
    db.session.add(attendance)
    audit.record("create", attendance, after=audit.snapshot(attendance))
    return True


def make_links(meeting: Meeting) -> int:
    """A personal link for everyone on the meeting's list who has none yet; returns how many were made."""
    have = set(db.session.scalars(select(Invitation.person_id).where(Invitation.meeting_id == meeting.id)))
    people = db.session.scalars(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id)).all()
    made = 0
    for person_id in people:
        if person_id not in have:
            db.session.add(Invitation(meeting_id=meeting.id, person_id=person_id, token=secrets.token_urlsafe(24)))
            made += 1
    return made


def links_for(meeting: Meeting) -> list[Invitation]:
    from sqlalchemy.orm import joinedload

    rows = db.session.scalars(select(Invitation).options(joinedload(Invitation.person))
                              .where(Invitation.meeting_id == meeting.id)).all()
    return sorted(rows, key=lambda i: (i.person.last_name.casefold(), i.person.first_name.casefold()))
