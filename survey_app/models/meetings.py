"""Meetings of a group and who came to them."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, false
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

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship(back_populates="attendances")
