"""What organisers keep to show the Charter's promises are kept: votes on suggestions, the action log
("you said, we did"), meeting notes, and the voices a person brings."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .meetings import Decision, Meeting
from .participation import Suggestion
from .people import Group, Organisation
from .staff import User


class SuggestionVote(db.Model):
    """One vote for a suggestion at the door: once per signed-in person, and once per visit to the tablet
    (`visit`, a random key kept in the tablet's cookie for one person's turn) whether signed in or not."""

    __table_args__ = (UniqueConstraint("suggestion_id", "person_id"),
                      UniqueConstraint("suggestion_id", "visit", name="uq_suggestion_vote_visit"))

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    visit: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    suggestion: Mapped[Suggestion] = relationship()


class ActionStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_GOING_AHEAD = "not_going_ahead"

    @property
    def label(self):
        return {"not_started": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done"),
                "not_going_ahead": _l("Not going ahead")}[self.value]


class Action(db.Model):
    """Something we said we would do, with who owns it, when it is due, and how it is going."""

    __table_args__ = (Index("ix_action_group_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestion.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)  # follows a decision
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))  # a name or a role, as people will see it
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.NOT_STARTED)
    explanation: Mapped[str] = mapped_column(Text, default="")  # why not going ahead, or why late
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the status last changed: the weekly "you said, we did" message gathers these (issue 16).
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    group: Mapped[Group] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    suggestion: Mapped[Suggestion | None] = relationship()
    decision: Mapped[Decision | None] = relationship()
    owner_organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User] = relationship()
    updates: Mapped[list["ActionUpdate"]] = relationship(back_populates="action", order_by="ActionUpdate.id")


class ActionUpdate(db.Model):
    """A dated note of progress on an action."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    noted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[User] = relationship()


class MeetingNote(db.Model):
    """What was said at a meeting, in plain English, for the group's public page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    written_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    written_by: Mapped[User] = relationship()


class Voice(enum.Enum):
    """The kinds of voice the Charter wants heard. A person chooses which apply, if any."""

    LIVING_ALONE = "living_alone"
    SUPPORTED_HOUSING = "supported_housing"
    SECURE_WARD = "secure_ward"
    COMMISSIONING = "commissioning"
    HOUSING = "housing"
    EDUCATION = "education"
    SERVICE_MANAGER = "service_manager"
    CARE_STAFF = "care_staff"
    FAITH_GROUP = "faith_group"
    VOLUNTARY_SECTOR = "voluntary_sector"
    CARER = "carer"
    SELF_ADVOCACY = "self_advocacy"

    @property
    def label(self):
        return VOICE_LABELS[self.value]


VOICE_LABELS = {
    "living_alone": _l("Living alone"), "supported_housing": _l("Living in supported housing"),
    "secure_ward": _l("On a secure ward"), "commissioning": _l("Working in commissioning"),
    "housing": _l("Working in housing"), "education": _l("Working in education"),
    "service_manager": _l("A service manager"), "care_staff": _l("Health or social care staff"),
    "faith_group": _l("A faith group"), "voluntary_sector": _l("The voluntary sector"), "carer": _l("A carer"),
    "self_advocacy": _l("A self-advocacy group, like Halton Speak Out"),
}


class PersonVoice(db.Model):
    __table_args__ = (UniqueConstraint("person_id", "voice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    voice: Mapped[Voice] = mapped_column(enum_column(Voice))


class ReportQuote(db.Model):
    """A checklist comment an organiser chose to quote in the Charter report (issue 18): one comment field of one
    anonymous response. Every Charter report whose group and period cover the response's meeting quotes it."""

    response_id: Mapped[int] = mapped_column(ForeignKey("checklist_response.id", ondelete="CASCADE"),
                                             primary_key=True)
    field_name: Mapped[str] = mapped_column(String(20), primary_key=True)  # one of forms.checklist.COMMENTS
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
