"""The outbox: every message the hub sends (email, text message, letter), queued, claimed by one sender,
sent or retried, and the record of people who asked to stop a kind of message.

Sending is in survey_app/messages/ (outbox.py queues, sender.py claims and sends, transports.py speaks
SMTP or GOV.UK Notify)."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .meetings import Meeting
from .people import Group, Person


class MessageKind(enum.Enum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    SUPPORT_ARRANGED = "support_arranged"
    WHAT_HAPPENED = "what_happened"
    ACTION_UPDATES = "action_updates"
    ONE_OFF = "one_off"
    PERMITTED_WORK = "permitted_work"  # issue 17: send the ESA permitted-work form before the first payment
    REMITTANCE = "remittance"          # issue 17: what they were paid, for what, and when

    @property
    def label(self):
        """The kind as the "stop messages like this" page and the organisers' pages name it."""
        return {"invitation": _l("Invitations to meetings"), "reminder": _l("Reminders the day before a meeting"),
                "support_arranged": _l("\"Your support is arranged\" messages"),
                "what_happened": _l("\"What happened\" after a meeting"),
                "action_updates": _l("\"You said, we did\" news"),
                "one_off": _l("Other messages from the organisers"),
                "permitted_work": _l("Reminders about the permitted work form"),
                "remittance": _l("Letters saying what you were paid")}[self.value]


class MessageChannel(enum.Enum):
    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"

    @property
    def label(self):
        return {"email": _l("Email"), "text": _l("Text message"), "letter": _l("Letter")}[self.value]


class MessageStatus(enum.Enum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    PRINTED = "printed"

    @property
    def label(self):
        return {"queued": _l("Waiting to go"), "sending": _l("Sending"), "sent": _l("Sent"),
                "failed": _l("Could not be sent"), "printed": _l("Printed")}[self.value]


class Message(db.Model):
    """One message to one person. `to` is the address, number or postal address as it was when queued;
    `failure` is why it could not be sent, never its content. `dedupe_key` (e.g. "invitation:m12:p40")
    makes queueing the same message twice a no-op."""

    __table_args__ = (Index("ix_message_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    channel: Mapped[MessageChannel] = mapped_column(enum_column(MessageChannel))
    to: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    format: Mapped[str] = mapped_column(String(20), default="standard")  # an InformationFormat value
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # plain text
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    ics: Mapped[str] = mapped_column(Text, default="", server_default="")  # a calendar attachment
    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str] = mapped_column(Text, default="", server_default="")
    provider_ref: Mapped[str] = mapped_column(String(100), default="", server_default="")
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    group: Mapped[Group | None] = relationship()


class MessageOptOut(db.Model):
    """A person asked to stop messages of this kind."""

    __table_args__ = (UniqueConstraint("person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
