"""Claiming and sending queued messages. Any number of senders may run at once (cron's
`flask --app survey_app messages send`, a long-running `--forever` worker on each app server):

- claim_batch() moves up to `limit` due messages from queued to sending in one UPDATE, naming the sender
  in claimed_by. On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so two senders take
  different rows without waiting on each other; on SQLite the one UPDATE statement holds the single
  write lock, and its `status = 'queued'` guard means a row is claimed once.
- send_batch() sends each claimed message and records the result at once (one commit per message), so
  a sender stopped mid-batch leaves only the messages it had not reached in sending.
- A message left in sending longer than MESSAGE_CLAIM_TIMEOUT_MINUTES (its sender was killed) goes back
  to queued and is sent by the next sender.

The one duplicate window: a sender killed after the mail server (or Notify) accepted a message and before
its "sent" was committed. That message is sent again after the timeout. Every other stop (SIGTERM, a
failure, a lost database connection before sending) sends nothing twice.
"""
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from ..models import Message, MessageChannel, MessageStatus
from ..models.base import utcnow
from ..privacy import audit
from ..web.extensions import db
from .transports import NotifyTransport, PermanentFailure, TemporaryFailure, Transport, transport_from

# Minutes to wait after the 1st, 2nd, ... temporary failure; after the last the message is failed.
BACKOFF_MINUTES = (1, 5, 30, 120, 480)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    retry: int = 0

    def add(self, other: "Tally") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retry += other.retry

    def sentence(self) -> str:
        return f"Sent {self.sent}, failed {self.failed}, to retry {self.retry}."


def worker_name() -> str:
    """This sender's name in claimed_by: the host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def claim_timeout() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("MESSAGE_CLAIM_TIMEOUT_MINUTES", 10)))


def release_stale(now: datetime | None = None) -> int:
    """Messages claimed longer ago than the timeout (their sender died) go back to queued."""
    now = now or utcnow()
    count = db.session.execute(
        update(Message).where(Message.status == MessageStatus.SENDING, Message.claimed_at < now - claim_timeout())
        .values(status=MessageStatus.QUEUED, claimed_by="", claimed_at=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count


def claim_batch(worker_id: str, limit: int = 100, channels=None, now: datetime | None = None) -> list:
    """Claim up to `limit` due queued messages (of these channels; all when None) for this sender and commit.
    The messages come back as plain rows (message.id, .to, .subject, ...), apart from the session: a
    message object someone else holds is not changed under them, and sending loads nothing more."""
    now = now or utcnow()
    release_stale(now)
    due = (select(Message.id)
           .where(Message.status == MessageStatus.QUEUED, Message.next_attempt_at <= now)
           .order_by(Message.next_attempt_at, Message.id).limit(limit))
    if channels is not None:
        due = due.where(Message.channel.in_(list(channels)))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(
        update(Message).where(Message.id.in_(due.scalar_subquery()), Message.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, claimed_by=worker_id, claimed_at=now, attempts=Message.attempts + 1)
        .returning(Message.id).execution_options(synchronize_session=False)))
    db.session.commit()
    if not ids:
        return []
    table = Message.__table__
    return list(db.session.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id)))


def _run(statement, params=None, conn=None) -> None:
    """One UPDATE in its own short transaction: on the batch's own connection when given (send_batch holds one
    for the whole batch: checking a pooled connection out and back in for every message costs as much as the
    UPDATE), else on a pooled one. Never through the session, which costs three times as much."""
    if conn is None:
        with db.engine.begin() as own:
            own.execute(statement, params or {})
        return
    conn.execute(statement, params or {})
    conn.commit()


def _finish(message_id: int, conn=None, **values) -> None:
    table = Message.__table__
    _run(update(table).where(table.c.id == message_id, table.c.status == MessageStatus.SENDING)
         .values(claimed_by="", claimed_at=None, **values), conn=conn)


_MARK_SENT = None


def _mark_sent(message_id: int, provider_ref: str, now: datetime, conn=None) -> None:
    """_finish for the usual case, with the statement built once (building it costs as much as running it)."""
    global _MARK_SENT
    if _MARK_SENT is None:
        table = Message.__table__
        _MARK_SENT = (update(table).where(table.c.id == bindparam("message_id"),
                                          table.c.status == MessageStatus.SENDING)
                      .values(status=MessageStatus.SENT, sent_at=bindparam("sent_at"),
                              provider_ref=bindparam("provider_ref"), failure="", claimed_by="", claimed_at=None))
    _run(_MARK_SENT, {"message_id": message_id, "sent_at": now, "provider_ref": provider_ref}, conn=conn)


def record_result(message: Message, provider_ref: str | None = None, error: Exception | None = None,
                  conn=None) -> str:
    """Store how sending went; returns "sent", "failed" or "retry"."""
    now = utcnow()
    if error is None:
        _mark_sent(message.id, provider_ref or "", now, conn=conn)
        return "sent"
    reason = str(error)[:1000]
    if isinstance(error, TemporaryFailure) and message.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        _finish(message.id, conn=conn, status=MessageStatus.QUEUED, next_attempt_at=now + timedelta(minutes=wait),
                failure=reason)
        return "retry"
    if isinstance(error, TemporaryFailure):
        reason = f"Gave up after {message.attempts} tries. {reason}"[:1000]
    _finish(message.id, conn=conn, status=MessageStatus.FAILED, failure=reason)
    return "failed"


def give_back(messages: list[Message]) -> None:
    """Claimed but not sent (the sender was asked to stop): back to queued, the try not counted."""
    ids = [m.id for m in messages]
    if ids:
        db.session.execute(update(Message).where(Message.id.in_(ids), Message.status == MessageStatus.SENDING)
                           .values(status=MessageStatus.QUEUED, claimed_by="", claimed_at=None,
                                   attempts=Message.attempts - 1).execution_options(synchronize_session=False))
        db.session.commit()


def channels_for(transport: Transport):
    """What this transport may take: letters wait for the printed batch unless Notify sends them."""
    return sorted(transport.channels | {MessageChannel.TEXT}, key=lambda c: c.value) \
        if not isinstance(transport, NotifyTransport) else None


def send_batch(transport: Transport, worker_id: str | None = None, limit: int = 100, stop=lambda: False) -> Tally:
    """Claim one batch and send it through `transport`; `stop()` is asked before each message."""
    worker_id = worker_id or worker_name()
    tally = Tally()
    messages = claim_batch(worker_id, limit, channels=channels_for(transport))
    if not messages:
        return tally
    with db.engine.connect() as conn:  # each result is still its own committed transaction (see _run)
        for index, message in enumerate(messages):
            if stop():
                give_back(messages[index:])
                break
            try:
                outcome = record_result(message, provider_ref=transport.send(message), conn=conn)
            except (TemporaryFailure, PermanentFailure) as error:
                outcome = record_result(message, error=error, conn=conn)
            setattr(tally, outcome, getattr(tally, outcome) + 1)
    return tally


def send_due(transport: Transport | None = None, worker_id: str | None = None, limit: int | None = None,
             stop=lambda: False) -> Tally:
    """Send batches until none is due (or `stop()`); one connection to the mail server for the whole pass."""
    transport = transport or transport_from(current_app.config)
    limit = limit or int(current_app.config.get("MESSAGE_BATCH", 100))
    total = Tally()
    with transport:
        while not stop():
            tally = send_batch(transport, worker_id, limit, stop)
            total.add(tally)
            if tally.sent + tally.failed + tally.retry == 0:
                break
    return total


def letters_to_print() -> list[Message]:
    """Queued letters, oldest first, for the organiser's printable batch (when Notify does not post them)."""
    return list(db.session.scalars(select(Message).where(Message.channel == MessageChannel.LETTER,
                                                         Message.status == MessageStatus.QUEUED)
                                   .order_by(Message.created_at, Message.id)))


def mark_printed(ids, by=None) -> int:
    """Mark these queued letters printed (in the caller's transaction), each with an audit event."""
    now, count = utcnow(), 0
    for message in db.session.scalars(select(Message).where(Message.id.in_(list(ids)),
                                                            Message.channel == MessageChannel.LETTER,
                                                            Message.status == MessageStatus.QUEUED)):
        message.status, message.sent_at = MessageStatus.PRINTED, now
        audit.record("print-letter", message, after={"person_id": message.person_id, "kind": message.kind.value},
                     user=by)
        count += 1
    return count
