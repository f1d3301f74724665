"""Meetings of a group and who came to them."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .people import Group, Person


class MeetingMode(enum.Enum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    BOTH = "both"

    @property
    def label(self):
        return {"in_person": _l("In person"), "online": _l("Online"),
                "both": _l("In person and online")}[self.value]


class AttendanceStatus(enum.Enum):
    INVITED = "invited"
    REGISTERED = "registered"
    ATTENDED = "attended"

    @property
    def label(self):
        return {"invited": _l("Invited"), "registered": _l("Registered"),
                "attended": _l("Attended")}[self.value]


class MeetingKind(enum.Enum):
    """A meeting, or an activity of the group that is not a meeting (issue 15): people are attended,
    recognised and asked the checklist for an activity just as for a meeting."""

    MEETING = "meeting"
    VISIT = "visit"
    WRITING = "writing"
    PANEL = "panel"
    OTHER = "other"

    @property
    def label(self):
        return {"meeting": _l("Meeting"), "visit": _l("A visit"), "writing": _l("A piece of writing"),
                "panel": _l("A panel interview"), "other": _l("Another activity")}[self.value]

    @property
    def is_activity(self) -> bool:
        return self is not MeetingKind.MEETING


class TakingPart(enum.Enum):
    """How someone took part: the door sign-in records "in the room"; an organiser marks the others."""

    ROOM = "room"
    ONLINE = "online"
    PHONE = "phone"

    @property
    def label(self):
        return {"room": _l("In the room"), "online": _l("Online"), "phone": _l("By phone")}[self.value]


# Venue access features, in the order they are shown; each is a boolean column on Meeting.
VENUE_FEATURES = {
    "step_free": _l("Step-free access"),
    "hearing_loop": _l("Hearing loop"),
    "accessible_toilet": _l("Accessible toilet"),
    "parking": _l("Parking"),
    "quiet_room": _l("Quiet room"),
    "public_transport": _l("Near public transport"),
}


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    # The purpose in easy read (short sentences); the plain purpose is shown where this is empty.
    purpose_easy: Mapped[str] = mapped_column(Text, default="", server_default="")
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.MEETING,
                                              server_default=MeetingKind.MEETING.value)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[MeetingMode] = mapped_column(enum_column(MeetingMode))
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False)
    parking: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_room: Mapped[bool] = mapped_column(Boolean, default=False)
    public_transport: Mapped[bool] = mapped_column(Boolean, default=False)
    access_notes: Mapped[str] = mapped_column(Text, default="")
    online_details: Mapped[str] = mapped_column(Text, default="")
    cost_code: Mapped[str] = mapped_column(String(40), default="")
    # "Tell us how it went" shows from the start time, or earlier when an organiser opens it.
    checklist_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The meeting-wide "How did it go?" link for people without a personal link; None while it is closed.
    feedback_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="meetings")
    attendances: Mapped[list["Attendance"]] = relationship(back_populates="meeting")

    @property
    def venue_features(self) -> list:
        return [label for name, label in VENUE_FEATURES.items() if getattr(self, name)]


class Attendance(db.Model):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set with status ATTENDED: in the room (the door sign-in), online or by phone (marked by an organiser).
    took_part: Mapped[TakingPart | None] = mapped_column(enum_column(TakingPart))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship(back_populates="attendances")


class AgendaSource(enum.Enum):
    """Who asked for an agenda item, as the agenda says it: never a participant's name."""

    DOOR = "door"
    GROUP = "group"
    WEB = "web"
    ORGANISERS = "organisers"

    @property
    def label(self):
        return {"door": _l("Suggested at the door"), "group": _l("Suggested by a member of the group"),
                "web": _l("Suggested on the group's web page"),
                "organisers": _l("Added by the organisers")}[self.value]

    @property
    def symbol(self) -> str:
        """The meaning of its picture in web/symbols.py (MEANINGS): an idea someone had, or the organisers'."""
        return "agenda_organisers" if self is AgendaSource.ORGANISERS else "suggest"

    @classmethod
    def of_suggestion(cls, source: str) -> "AgendaSource":
        """A suggestion's source (door | invite | link) as the agenda shows it."""
        return {"door": cls.DOOR, "invite": cls.GROUP, "link": cls.WEB}.get(source, cls.GROUP)


class AgendaItem(db.Model):
    """One item on a meeting's agenda, in the order the organiser sets (`position`, smallest first): a
    suggestion planned for the meeting (`suggestion_id`) or an item an organiser added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    easy_read: Mapped[str] = mapped_column(Text, default="")  # shown on easy-read pages; `what` when empty
    asked_by: Mapped[AgendaSource] = mapped_column(enum_column(AgendaSource))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()


class Decision(db.Model):
    """A joint decision made at a meeting, in plain English, recorded with the meeting notes. Actions that
    follow from it point to it (Action.decision_id)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
