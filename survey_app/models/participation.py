"""What participants tell us: support needs, agenda suggestions, checklist answers; and the tokens
that make a double tap harmless and a personal link work."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .meetings import Meeting
from .people import Group, Person
from .staff import User


class NeedKind(enum.Enum):
    STEP_FREE = "step_free"
    HEARING_LOOP = "hearing_loop"
    BSL = "bsl"
    LARGE_PRINT = "large_print"
    READ_WRITE_HELP = "read_write_help"
    QUIET_SPACE = "quiet_space"
    SUPPORTER = "supporter"
    TRAVEL = "travel"
    FOOD = "food"
    OTHER = "other"

    @property
    def label(self):
        return NEED_LABELS[self.value]

    @property
    def symbol(self):
        """The meaning of its picture in web/symbols.py (MEANINGS): need_bsl, need_quiet_space, ..."""
        return f"need_{self.value}"


NEED_LABELS = {
    "step_free": _l("Step-free access"),
    "hearing_loop": _l("A hearing loop"),
    "bsl": _l("A British Sign Language interpreter"),
    "large_print": _l("Large print or easy read papers"),
    "read_write_help": _l("Someone to help me read or write"),
    "quiet_space": _l("A quiet space or breaks"),
    "supporter": _l("My support worker or carer is coming with me"),
    "travel": _l("Help with travel or travel costs"),
    "food": _l("Food needs"),
    "other": _l("Something else"),
}


class AccessNeed(db.Model):
    """One kind of support for one person: for one meeting, or standing (meeting_id empty)."""

    __table_args__ = (Index("ix_access_need_person_meeting", "person_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    kind: Mapped[NeedKind] = mapped_column(enum_column(NeedKind))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arranged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arranged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    person: Mapped[Person] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    arranged_by: Mapped[User | None] = relationship()


class NeedArrangement(db.Model):
    """A need made ready for one meeting. A standing need is arranged meeting by meeting."""

    __table_args__ = (UniqueConstraint("need_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("access_need.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    arranged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    arranged_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))

    need: Mapped[AccessNeed] = relationship()
    arranged_by: Mapped[User] = relationship()


class SuggestionStatus(enum.Enum):
    NEW = "new"
    PLANNED = "planned"
    COVERED = "covered"
    NOT_TAKEN_FORWARD = "not_taken_forward"

    @property
    def label(self):
        return {"new": _l("New"), "planned": _l("Planned for a meeting"), "covered": _l("Already covered"),
                "not_taken_forward": _l("Not taken forward")}[self.value]


class Suggestion(db.Model):
    """An agenda item someone wants talked about. Not linked to a person: a name is only what they typed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20))  # door | link | invite
    status: Mapped[SuggestionStatus] = mapped_column(enum_column(SuggestionStatus), default=SuggestionStatus.NEW)
    reason: Mapped[str] = mapped_column(Text, default="")  # shown to the public when not taken forward
    planned_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()
    meeting: Mapped[Meeting | None] = relationship(foreign_keys=[meeting_id])
    planned_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[planned_meeting_id])


class ChecklistChannel(enum.Enum):
    """How a checklist response arrived. Says nothing about who: a personal link's owner is never stored."""

    DOOR = "door"
    PERSONAL = "personal"
    MEETING_LINK = "meeting_link"
    PAPER = "paper"

    @property
    def label(self):
        return {"door": _l("On the door tablet"), "personal": _l("From a personal link"),
                "meeting_link": _l("From the meeting's link"),
                "paper": _l("On paper, typed in by staff")}[self.value]


class ChecklistResponse(db.Model):
    """One person's anonymous answers to the Co-production Checklist. Deliberately holds no person,
    sign-in, device, IP address or time of day: only the meeting and the date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    responded_on: Mapped[date] = mapped_column(Date)
    achieved: Mapped[int | None] = mapped_column(SmallInteger)
    achieved_more: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    feeling: Mapped[int | None] = mapped_column(SmallInteger)
    feeling_more: Mapped[str] = mapped_column(Text, default="")
    inclusive: Mapped[int | None] = mapped_column(SmallInteger)
    inclusive_more: Mapped[str] = mapped_column(Text, default="")
    accessible: Mapped[int | None] = mapped_column(SmallInteger)
    accessible_more: Mapped[str] = mapped_column(Text, default="")
    payment_clear: Mapped[str | None] = mapped_column(String(10))  # yes | not_sure | no
    change: Mapped[str] = mapped_column(Text, default="")
    here_as: Mapped[str | None] = mapped_column(String(20))  # lived_experience | carer | staff | other
    channel: Mapped[ChecklistChannel] = mapped_column(enum_column(ChecklistChannel), default=ChecklistChannel.DOOR,
                                                      server_default=ChecklistChannel.DOOR.value)

    meeting: Mapped[Meeting] = relationship()


class FormToken(db.Model):
    """A one-time token, used up by the first submission of a form; a second submission of the same
    form (double tap, refresh, replay) hits the primary key and is recognised as a repeat."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_on: Mapped[date] = mapped_column(Date, index=True)


class Invitation(db.Model):
    """A personal link for one person and one meeting, so they can tell us what they need from home.

    Withdrawn by an organiser: `withdrawn_at` is set and the token replaced by a new random one nobody has
    seen, so the old link is gone from the database; re-issuing gives a new token and clears
    `withdrawn_at`. A link also stops working a set time after its meeting (invitations.link_works)."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The link has been used to answer the checklist (one response per link per meeting). Only a yes/no, no
    # time: the response itself holds no person (ChecklistResponse).
    checklist_answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person] = relationship()
