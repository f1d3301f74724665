"""What organisers see of the outbox: one person's messages and the kinds they asked to stop, the messages
that could not be sent, and the two things an organiser can do about them (send a stopped kind again, try
a failed message again). Only kind, way, status, dates and the failure reason: never a message's words,
which can hold support needs."""
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from ..models import Message, MessageKind, MessageOptOut, MessageStatus, Person
from ..models.base import utcnow
from ..privacy import audit
from ..web.extensions import db
from . import deliver, outbox

RECENT = 20  # on the person's page; the rest on their messages page
FAILED_SHOWN = 10  # on the dashboard


def newest_first(person_id: int):
    """A query for their messages, newest first (for paging)."""
    return select(Message).where(Message.person_id == person_id).order_by(Message.created_at.desc(),
                                                                          Message.id.desc())


def recent(person_id: int, limit: int = RECENT) -> tuple[list[Message], int]:
    """Their newest `limit` messages and how many they have in all."""
    shown = list(db.session.scalars(newest_first(person_id).limit(limit)))
    total = db.session.scalar(select(func.count()).select_from(Message).where(Message.person_id == person_id))
    return shown, total


def stopped_kinds(person_id: int) -> list[MessageKind]:
    """The kinds of message they asked to stop, in MessageKind's order."""
    kinds = set(db.session.scalars(select(MessageOptOut.kind).where(MessageOptOut.person_id == person_id)))
    return [kind for kind in MessageKind if kind in kinds]


def send_again(person: Person, kind: MessageKind, by=None) -> bool:
    """Undo their "stop messages like this" for one kind, in the caller's transaction. False if there was
    nothing to undo (a second press, or another organiser did it first)."""
    row = db.session.scalar(select(MessageOptOut).where(MessageOptOut.person_id == person.id,
                                                        MessageOptOut.kind == kind))
    if row is None:
        return False
    audit.record("send-again", row, before={"person_id": person.id, "kind": kind.value}, user=by)
    # Deleted by its id: of two organisers pressing at once, only one deletes it.
    gone = db.session.execute(delete(MessageOptOut).where(MessageOptOut.id == row.id)
                              .execution_options(synchronize_session=False)).rowcount
    if not gone:
        db.session.rollback()
        return False
    db.session.expunge(row)
    return True


def failed(limit: int = FAILED_SHOWN) -> tuple[list[Message], int]:
    """The newest messages that could not be sent (with their person), and how many there are. An erased
    person's are left out: nothing can be done about them."""
    where = (Message.status == MessageStatus.FAILED, Person.erased_at.is_(None))
    count = db.session.scalar(select(func.count()).select_from(Message).join(Person, Message.person_id == Person.id)
                              .where(*where))
    if not count:
        return [], 0
    shown = list(db.session.scalars(
        select(Message).join(Person, Message.person_id == Person.id).options(joinedload(Message.person))
        .where(*where).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)))
    return shown, count


def why_not_again(message: Message) -> str | None:
    """Why a failed message cannot be tried again (a deliver.REASONS key), or None."""
    person = message.person
    if person is None:
        return "erased"
    refused = outbox.refusal(person, message.kind)
    if refused:
        return refused
    if not deliver.address(person, message.channel.value):
        return "no address"
    return None


def try_again(message: Message, by=None) -> bool:
    """Put a failed message back in the queue, to its person's address as it is now (an organiser may have
    just corrected it), in the caller's transaction. False if it is not failed any more (a second press)."""
    to = deliver.address(message.person, message.channel.value)
    done = db.session.execute(
        update(Message).where(Message.id == message.id, Message.status == MessageStatus.FAILED)
        .values(status=MessageStatus.QUEUED, attempts=0, next_attempt_at=utcnow(), failure="", to=to,
                claimed_by="", claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if not done:
        return False
    audit.record("retry-message", message, after={"person_id": message.person_id, "kind": message.kind.value,
                                                  "channel": message.channel.value}, user=by)
    return True
