"""Messages that an organiser's work sets off: "your support is arranged" when the last of a person's needs
for a meeting is ticked, and "what happened" when a meeting's notes are published. Each queues in the
caller's transaction (the caller commits) and once only: its dedupe key says what it was about."""
from sqlalchemy import select

from ..insight import support_plan as plans
from ..models import (
    AccessNeed,
    Action,
    Attendance,
    AttendanceStatus,
    Decision,
    Invitation,
    Meeting,
    MeetingNote,
    Message,
    MessageKind,
    Person,
)
from ..models.base import utcnow
from ..participation import invitations
from ..web.extensions import db
from ..web.pages import external_url
from . import compose, deliver, outbox


def personal_link(meeting: Meeting, person: Person) -> str:
    """Their personal link for the meeting if it works today, else ""."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                            Invitation.person_id == person.id))
    if invitation is None or not invitations.link_works(invitation):
        return ""
    return external_url("invite.invitation", token=invitation.token)


def need_arranged(meeting_id: int, need_id: int, by=None) -> Message | None:
    """A need was just marked arranged for the meeting: "your support is arranged" if that was the last."""
    meeting = db.session.get(Meeting, meeting_id)
    need = db.session.get(AccessNeed, need_id)
    if meeting is None or need is None:
        return None
    return support_arranged(meeting, need.person_id, by=by)


def support_arranged(meeting: Meeting, person_id: int, by=None) -> Message | None:
    """Queue "your support is arranged" if every need this person has in the meeting's plan is arranged and
    the group sends these. Once per set of needs: re-ticking sends nothing, a need added and arranged later
    sends a new one. The message names each need's kind, never what they typed."""
    kind = MessageKind.SUPPORT_ARRANGED
    if not meeting.group.sends_support_arranged:
        return None
    entries = plans.person_plan(meeting.id, person_id)
    if not entries or not all(entry.arranged for entry in entries):
        return None
    person = db.session.get(Person, person_id)
    if person is None or deliver.reason(person, kind) is not None:
        return None
    needs = "n" + "-".join(str(need_id) for need_id in sorted(entry.need_id for entry in entries))
    key = outbox.dedupe_key_for(kind, person, meeting=meeting, extra=needs)
    if db.session.scalar(select(Message.id).where(Message.dedupe_key == key)) is not None:
        return None
    composed = compose.support_arranged(person, meeting, [entry.kind for entry in entries],
                                        stop_url=deliver.stop_url(person, kind),
                                        link_url=personal_link(meeting, person))
    return deliver.send(person, kind, composed, meeting=meeting, by=by, dedupe_key=key)


def notes_page(meeting: Meeting, person: Person) -> str:
    """The public notes page at this meeting: the easy-read one for an easy-read person or a text message."""
    endpoint = "public.meeting_notes_easy_read" if deliver.easy_page(person) else "public.meeting_notes"
    return external_url(endpoint, group_id=meeting.group_id, _anchor=f"meeting-{meeting.id}")


def what_happened(meeting: Meeting, by=None) -> int:
    """Queue "what happened" to everyone who took part in the meeting, once per person per meeting (an
    edited note sends nothing new), if the group sends these and the notes are public (the meeting has
    started). Returns how many were queued."""
    kind = MessageKind.WHAT_HAPPENED
    note = db.session.scalar(select(MeetingNote).where(MeetingNote.meeting_id == meeting.id))
    if note is None or not meeting.group.sends_what_happened or meeting.starts_at > utcnow():
        return 0
    people = db.session.scalars(
        select(Person).join(Attendance, Attendance.person_id == Person.id)
        .where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.ATTENDED,
               Person.erased_at.is_(None), Person.consent_at.is_not(None))
        .order_by(Person.id)).all()
    if not people:
        return 0
    keys = {p.id: outbox.dedupe_key_for(kind, p, meeting=meeting) for p in people}
    done = set(db.session.scalars(select(Message.dedupe_key).where(Message.dedupe_key.in_(keys.values()))))
    people = [p for p in people if keys[p.id] not in done]
    if not people:
        return 0
    decisions = db.session.scalars(select(Decision).where(Decision.meeting_id == meeting.id)
                                   .order_by(Decision.position, Decision.id)).all()
    actions = db.session.scalars(select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)).all()
    queued = 0
    for person in people:
        if deliver.reason(person, kind) is not None:  # no consent, opted out, a phone call, no address
            continue
        composed = compose.what_happened(person, meeting, note.text, decisions, actions,
                                         stop_url=deliver.stop_url(person, kind), page_url=notes_page(meeting, person))
        queued += deliver.send(person, kind, composed, meeting=meeting, by=by, dedupe_key=keys[person.id]) is not None
    return queued


def permitted_work(person: Person, by=None) -> Message | None:
    """Their first payment or voucher is being recorded while they get ESA and no permitted-work form is
    recorded (money/benefits.py says when): remind them to send the form (PW1), once ever."""
    kind = MessageKind.PERMITTED_WORK
    key = f"permitted_work:p{person.id}"
    if deliver.reason(person, kind) is not None or \
            db.session.scalar(select(Message.id).where(Message.dedupe_key == key)) is not None:
        return None
    composed = compose.permitted_work(person, stop_url=deliver.stop_url(person, kind))
    return deliver.send(person, kind, composed, by=by, dedupe_key=key)
