"""Equality monitoring (issue 18): anonymous answers kept only as counts, so no answer can be joined to a
person. A form's answers add one to a count per (group, month, question, answer); there is no row per
person, no time finer than the month and no order to line up with registrations. The admin enters the
population figures for Halton that the report compares with."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, utcnow
from .people import Group
from .staff import User


class EqualityCount(db.Model):
    """How many people gave this answer to this question in this group's meetings in this month (the first
    of the month). The question "forms" / answer "answered" counts the forms themselves."""

    __table_args__ = (UniqueConstraint("group_id", "month", "question", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    question: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[Group] = relationship()


class PopulationFigure(db.Model):
    """The share of Halton's population giving this answer (tenths of a per cent: 123 is 12.3%), entered by
    an admin with where it came from (for example the 2021 census)."""

    __table_args__ = (UniqueConstraint("question", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(40))
    percent_tenths: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    updated_by: Mapped[User | None] = relationship()
