"""Inviting people to a meeting and giving each a personal link.

A link stops working PERSONAL_LINK_DAYS_AFTER_MEETING days after its meeting ends, or when an organiser
withdraws it; re-issuing gives the person a new link. Making, printing, withdrawing and re-issuing links
are in the audit log (never the token: audit.SECRET_COLUMNS)."""
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..models import Attendance, AttendanceStatus, Invitation, Meeting, Person
from ..models.base import utcnow
from ..privacy import audit, records
from ..web.extensions import db


def invite(meeting: Meeting, person: Person) -> bool:
    """Add the person to the meeting as invited; False if they were already on its list."""
    exists = db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting.id,
                                                           Attendance.person_id == person.id))
    if exists:
        return False
    records.create(Attendance, meeting_id=meeting.id, person_id=person.id, status=AttendanceStatus.INVITED)
    return True


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def make_links(meeting: Meeting) -> int:
    """A personal link for everyone on the meeting's list who has none yet (a withdrawn link is only
    replaced by re-issuing it); returns how many were made."""
    have = set(db.session.scalars(select(Invitation.person_id).where(Invitation.meeting_id == meeting.id)))
    people = db.session.scalars(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id)).all()
    made = 0
    for person_id in people:
        if person_id not in have:
            records.create(Invitation, meeting_id=meeting.id, person_id=person_id, token=_new_token())
            made += 1
    return made


def works_until(meeting: Meeting) -> datetime:
    """When the meeting's personal links stop working."""
    return meeting.ends_at + timedelta(days=current_app.config["PERSONAL_LINK_DAYS_AFTER_MEETING"])


def link_works(invitation: Invitation) -> bool:
    return invitation.withdrawn_at is None and utcnow() <= works_until(invitation.meeting)


def withdraw(invitation: Invitation) -> None:
    """The link stops working at once: its token is replaced by one nobody has seen."""
    records.update(invitation, event="withdraw-link", token=_new_token(), withdrawn_at=utcnow())


def reissue(invitation: Invitation) -> None:
    """A new link for the same person and meeting; any old one stops working."""
    records.update(invitation, event="reissue-link", token=_new_token(), withdrawn_at=None, created_at=utcnow())


def record_printed(invitations: list[Invitation]) -> None:
    """Printing is a copy of the key leaving the building: one event per link printed. Commits, before the
    page with the links is made."""
    for invitation in invitations:
        audit.record("view-print-link", invitation,
                     after={"meeting_id": invitation.meeting_id, "person_id": invitation.person_id})
    db.session.commit()


def links_for(meeting: Meeting) -> list[Invitation]:
    rows = db.session.scalars(select(Invitation).options(joinedload(Invitation.person))
                              .where(Invitation.meeting_id == meeting.id)).all()
    return sorted(rows, key=lambda i: (i.person.last_name.casefold(), i.person.first_name.casefold()))


def working_links_for(meeting: Meeting) -> list[Invitation]:
    """The meeting's links that work today (what is printed)."""
    if utcnow() > works_until(meeting):
        return []
    return [i for i in links_for(meeting) if i.withdrawn_at is None]
