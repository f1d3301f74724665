"""Putting a message in the outbox. The content helpers (what a message says) call queue(); the sender
(sender.py) sends it later. Nothing is queued for someone without consent to contact, after erasure, for
a kind they asked to stop, or twice for the same dedupe key."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..models import Message, MessageChannel, MessageKind, MessageOptOut, MessageStatus, Person
from ..models.base import utcnow
from ..privacy import audit
from ..web.extensions import db


def dedupe_key_for(kind: MessageKind, person: Person, meeting=None, group=None, extra: str = "") -> str:
    """The usual key: "invitation:m12:p40" (one invitation to a meeting per person)."""
    parts = [kind.value]
    if meeting is not None:
        parts.append(f"m{meeting.id}")
    elif group is not None:
        parts.append(f"g{group.id}")
    parts.append(f"p{person.id}")
    if extra:
        parts.append(extra)
    return ":".join(parts)[:200]


def refusal(person: Person, kind: MessageKind) -> str | None:
    """Why nothing may be sent to this person of this kind, or None."""
    if person.erased_at is not None:
        return "erased"
    if person.consent_at is None:
        return "no consent to contact"
    opted_out = db.session.scalar(select(MessageOptOut.id).where(MessageOptOut.person_id == person.id,
                                                                 MessageOptOut.kind == kind))
    if opted_out is not None:
        return "opted out"
    return None


def queue(person: Person, kind: MessageKind, channel: MessageChannel, to: str, subject: str, body: str,
          html: str = "", ics: str = "", meeting=None, group=None, dedupe_key: str | None = None,
          by=None) -> Message | None:
    """Queue one message in the caller's transaction (the caller commits), with an audit event naming the
    person, kind and channel (never the content). None when it may not be sent (see refusal()) or a
    message with this dedupe key (default dedupe_key_for(kind, person, meeting, group)) is queued already."""
    if refusal(person, kind) is not None:
        return None
    key = dedupe_key or dedupe_key_for(kind, person, meeting, group)
    if db.session.scalar(select(Message.id).where(Message.dedupe_key == key)) is not None:
        return None
    message = Message(person_id=person.id, kind=kind, channel=channel, to=to, language=person.language or "en",
                      format=person.information_format.value, subject=subject, body=body, html=html, ics=ics,
                      meeting_id=meeting.id if meeting is not None else None,
                      group_id=group.id if group is not None else None, status=MessageStatus.QUEUED,
                      attempts=0, next_attempt_at=utcnow(), dedupe_key=key)
    try:
        with db.session.begin_nested():  # a savepoint: a duplicate queued at the same moment undoes only this
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        return None
    audit.record("queue-message", message, after={"person_id": person.id, "kind": kind.value,
                                                  "channel": channel.value, "dedupe_key": key}, user=by)
    return message


def opt_out(person: Person, kind: MessageKind, by=None) -> bool:
    """Record that they want no more messages of this kind, and drop those still queued. True if new."""
    if db.session.scalar(select(MessageOptOut.id).where(MessageOptOut.person_id == person.id,
                                                        MessageOptOut.kind == kind)) is not None:
        return False
    try:
        with db.session.begin_nested():
            row = MessageOptOut(person_id=person.id, kind=kind)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    for message in db.session.scalars(select(Message).where(Message.person_id == person.id, Message.kind == kind,
                                                            Message.status == MessageStatus.QUEUED)):
        db.session.delete(message)
    audit.record("opt-out", row, after={"person_id": person.id, "kind": kind.value}, user=by)
    return True
