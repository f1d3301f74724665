"""Recognising people's time: rates, recognition lines, finance returns and budgets. Money is pence."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .meetings import Meeting
from .people import Group, Person
from .staff import User


class RecognitionKind(enum.Enum):
    PAYMENT = "payment"
    VOUCHER = "voucher"
    THANKS = "thanks"
    EXPENSE = "expense"

    @property
    def label(self):
        return {"payment": _l("Payment"), "voucher": _l("Voucher"), "thanks": _l("Thanks"),
                "expense": _l("Expenses")}[self.value]


class PaymentBasis(enum.Enum):
    HOURS = "hours"
    HALF_DAY = "half_day"
    DAY = "day"

    @property
    def label(self):
        return {"hours": _l("By the hour"), "half_day": _l("Half-day fee"), "day": _l("Whole-day fee")}[self.value]


class ThanksType(enum.Enum):
    LETTER = "letter"
    CERTIFICATE = "certificate"
    MENTION = "mention"
    NONE_WANTED = "none_wanted"

    @property
    def label(self):
        return {"letter": _l("A thank-you letter"), "certificate": _l("A certificate"),
                "mention": _l("A mention"), "none_wanted": _l("Nothing wanted")}[self.value]


class ExpenseType(enum.Enum):
    FARES = "fares"
    MILEAGE = "mileage"
    CARER = "carer"
    CHILDCARE = "childcare"
    OTHER = "other"

    @property
    def label(self):
        return {"fares": _l("Travel fares"), "mileage": _l("Mileage"), "carer": _l("Carer or support worker"),
                "childcare": _l("Childcare"), "other": _l("Other expenses")}[self.value]


class LineStatus(enum.Enum):
    RECORDED = "recorded"
    APPROVED = "approved"
    IN_RETURN = "in_return"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"  # finance could not pay it: a copy comes back for the next return

    @property
    def label(self):
        return {"recorded": _l("Recorded"), "approved": _l("Approved"), "in_return": _l("In a return"),
                "paid": lazy_pgettext("line status", "Paid"), "payment_failed": _l("Payment failed")}[self.value]


class RecognitionPreference(enum.Enum):
    PAID = "paid"
    VOUCHER = "voucher"
    THANKS_ONLY = "thanks_only"
    NOTHING = "nothing"

    @property
    def label(self):
        return {"paid": lazy_pgettext("how to thank someone: money", "Paid"),
                "voucher": _l("A voucher"), "thanks_only": _l("Thanks only"),
                "nothing": _l("I don't want anything")}[self.value]


class Rate(db.Model):
    """What a group pays, from a date. A line keeps the rate it was made with."""

    __table_args__ = (UniqueConstraint("group_id", "applies_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    applies_from: Mapped[date] = mapped_column(Date)
    hourly_pence: Mapped[int] = mapped_column(Integer)
    half_day_pence: Mapped[int] = mapped_column(Integer)
    day_pence: Mapped[int] = mapped_column(Integer)
    mileage_pence: Mapped[int] = mapped_column(Integer)  # per mile
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()


class FinanceReturn(db.Model):
    """A numbered batch of approved lines, locked once made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    period_to: Mapped[date | None] = mapped_column(Date)
    cost_code: Mapped[str] = mapped_column(String(40), default="")
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    made_by: Mapped[User] = relationship(foreign_keys=[made_by_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])


class RecognitionLine(db.Model):
    __table_args__ = (UniqueConstraint("return_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    activity: Mapped[str] = mapped_column(String(200), default="")  # work outside meetings
    activity_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[RecognitionKind] = mapped_column(enum_column(RecognitionKind))
    basis: Mapped[PaymentBasis | None] = mapped_column(enum_column(PaymentBasis))
    hours_hundredths: Mapped[int | None] = mapped_column(Integer)
    rate_pence: Mapped[int | None] = mapped_column(Integer)
    miles_tenths: Mapped[int | None] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer, default=0)
    taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    voucher_provider: Mapped[str] = mapped_column(String(100), default="")
    voucher_serial: Mapped[str] = mapped_column(String(100), default="")
    voucher_handed_over_on: Mapped[date | None] = mapped_column(Date)
    voucher_signed_for: Mapped[bool] = mapped_column(Boolean, default=False)
    thanks_type: Mapped[ThanksType | None] = mapped_column(enum_column(ThanksType))
    expense_type: Mapped[ExpenseType | None] = mapped_column(enum_column(ExpenseType))
    receipt_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    cost_code: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[LineStatus] = mapped_column(enum_column(LineStatus), default=LineStatus.RECORDED, index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("finance_return.id"), index=True)
    line_number: Mapped[int | None] = mapped_column(Integer)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("recognition_line.id"))
    # Issue 17: the benefits warning shown when it was recorded (finance sees it on approval) and the reason
    # given to go ahead; the ledger and VAT codes; paying per line (finance's payment reference and date, or
    # why the payment failed); and the failed line this one pays again.
    benefits_warning: Mapped[str] = mapped_column(Text, default="", server_default="")
    benefits_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    ledger_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    vat_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    payment_ref: Mapped[str] = mapped_column(String(100), default="", server_default="")
    line_paid_on: Mapped[date | None] = mapped_column(Date)
    payment_failed_on: Mapped[date | None] = mapped_column(Date)
    payment_failure: Mapped[str] = mapped_column(Text, default="", server_default="")
    pays_again_id: Mapped[int | None] = mapped_column(ForeignKey("recognition_line.id"))

    person: Mapped[Person] = relationship()
    group: Mapped[Group] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    finance_return: Mapped[FinanceReturn | None] = relationship()

    @property
    def locked(self) -> bool:
        return self.return_id is not None

    @property
    def money(self) -> bool:
        return self.kind != RecognitionKind.THANKS


class Budget(db.Model):
    """A group's recognition budget for one UK tax year (starting 6 April)."""

    __table_args__ = (UniqueConstraint("group_id", "year_starting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coproduction_group.id"), index=True)
    year_starting: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)

    group: Mapped[Group] = relationship()
