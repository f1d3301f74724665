"""Benefits-aware recognition (issue 17): the earnings limits an admin keeps (data, not code), the benefits a
person told us they get (with their consent), and what they agreed to take. Money is pence."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .money_choices import RecognitionAgreement  # noqa: F401 (re-exported)
from .people import Person
from .staff import User


class BenefitKind(enum.Enum):
    ESA = "esa"
    CARERS_ALLOWANCE = "carers_allowance"
    UNIVERSAL_CREDIT = "universal_credit"
    INCOME_SUPPORT_JSA = "income_support_jsa"
    HOUSING_BENEFIT = "housing_benefit"
    PIP_DLA = "pip_dla"
    OTHER = "other"

    @property
    def label(self):
        return {"esa": _l("Employment and Support Allowance (ESA)"), "carers_allowance": _l("Carer's Allowance"),
                "universal_credit": _l("Universal Credit"),
                "income_support_jsa": _l("Income Support or Jobseeker's Allowance"),
                "housing_benefit": _l("Housing Benefit"),
                "pip_dla": _l("Personal Independence Payment or Disability Living Allowance"),
                "other": _l("Another benefit")}[self.value]


class LimitPeriod(enum.Enum):
    WEEK = "week"    # Monday to Sunday
    MONTH = "month"  # the person's Universal Credit assessment period (from their assessment day)

    @property
    def label(self):
        return {"week": _l("a week"), "month": _l("an assessment month")}[self.value]


class BenefitLimit(db.Model):
    """An earnings limit for a benefit, for a period, from a date. The latest one applying on a day is used;
    `source` says where the figure came from (they change each April)."""

    __table_args__ = (UniqueConstraint("benefit", "name", "applies_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    name: Mapped[str] = mapped_column(String(200))  # "Permitted work: lower limit"
    period: Mapped[LimitPeriod] = mapped_column(enum_column(LimitPeriod))
    limit_pence: Mapped[int] = mapped_column(Integer)
    applies_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    created_by: Mapped[User | None] = relationship()


class PersonBenefit(db.Model):
    """A benefit a person told us they get. `limit_name` picks one of that benefit's limits (for ESA, the
    lower or higher permitted-work limit); empty means every limit of that benefit is checked."""

    __table_args__ = (UniqueConstraint("person_id", "benefit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    benefit: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    limit_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    person: Mapped[Person] = relationship()
    recorded_by: Mapped[User | None] = relationship()
