"""Organisations, co-production groups and the people who take part."""
import enum
import unicodedata
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .money_choices import PaymentRoute, RecognitionAgreement


def search_key(text: str) -> str:
    """How names are compared in a search: one space between words, case folded, and accents in one
    form (NFC), so "Renée" typed with a separate accent mark finds "Renée" typed with the single letter."""
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


class OrganisationKind(enum.Enum):
    COUNCIL = "council"
    NHS = "nhs"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self):
        return {
            "council": _l("Council"), "nhs": _l("NHS"),
            "voluntary": _l("Voluntary, community or faith sector"), "other": _l("Other"),
        }[self.value]


class PersonRole(enum.Enum):
    LIVED_EXPERIENCE = "lived_experience"
    CARER = "carer"
    STAFF = "staff"
    VOLUNTEER = "volunteer"
    VOLUNTARY_SECTOR = "voluntary_sector"
    OTHER = "other"

    @property
    def label(self):
        return {
            "lived_experience": _l("Person with lived experience"), "carer": _l("Carer"),
            "staff": _l("Staff member"), "volunteer": _l("Volunteer"),
            "voluntary_sector": _l("Voluntary sector"), "other": _l("Other"),
        }[self.value]


class ContactMethod(enum.Enum):
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    TEXT = "text"
    THROUGH_SOMEONE = "through_someone"  # letters go to the address given, for someone who passes them on

    @property
    def label(self):
        return {"email": _l("Email"), "post": _l("Post"), "phone": _l("Phone call"),
                "text": _l("Text message"), "through_someone": _l("Through someone I know")}[self.value]


class InformationFormat(enum.Enum):
    STANDARD = "standard"
    EASY_READ = "easy_read"
    LARGE_PRINT = "large_print"
    AUDIO = "audio"

    @property
    def label(self):
        return {"standard": _l("Standard print"), "easy_read": _l("Easy read"),
                "large_print": _l("Large print"), "audio": _l("Audio")}[self.value]


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    people: Mapped[list["Person"]] = relationship(back_populates="organisation")


class Group(db.Model):
    __tablename__ = "coproduction_group"  # "group" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who invited people can ask for help: shown on their personal-link pages (all optional).
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Which messages the group sends (issue 16). Invitations and one-off messages are sent only when an
    # organiser presses send, so they have no switch.
    sends_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sends_support_arranged: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sends_what_happened: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sends_action_updates: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    organisation: Mapped[Organisation | None] = relationship()
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="group")  # noqa: F821

    @property
    def contact_tel(self) -> str:
        """The contact phone number as a tel: link wants it: digits, and a leading + if there is one."""
        digits = "".join(ch for ch in self.contact_phone if ch.isdigit())
        return ("+" + digits) if self.contact_phone.strip().startswith("+") else digits


class Person(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    contact_through: Mapped[str] = mapped_column(String(200), default="", server_default="")  # who passes them on
    # The random key in their "stop messages like this" links (issue 16): made when the first message is
    # queued, cleared on erasure. Never their id in a URL.
    message_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    contact_method: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod))
    information_format: Mapped[InformationFormat] = mapped_column(enum_column(InformationFormat))
    language: Mapped[str] = mapped_column(String(10), default="en")
    role: Mapped[PersonRole] = mapped_column(enum_column(PersonRole))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Recognition: how they like to be thanked, a hold until benefits are talked through, and the
    # reference finance pays them by (never bank details, NI numbers or dates of birth).
    recognition_preference: Mapped[str | None] = mapped_column(String(20))
    benefits_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    benefits_talked_on: Mapped[date | None] = mapped_column(Date)
    benefits_talked_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    payee_ref: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Benefits-aware recognition (issue 17, models/benefits.py): their consent to us recording which benefits
    # they get, what they agreed to take, their Universal Credit assessment day (1-31), and when the ESA
    # permitted-work form was sent (before their first payment).
    benefits_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    benefits_agreement: Mapped[RecognitionAgreement | None] = mapped_column(enum_column(RecognitionAgreement))
    benefits_agreement_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    uc_assessment_day: Mapped[int | None] = mapped_column(Integer)
    permitted_work_form_on: Mapped[date | None] = mapped_column(Date)
    # How finance pays them (models/payments.py PaymentRoute), who decided and when; payee_ref is the supplier
    # or payroll number.
    payment_route: Mapped[PaymentRoute | None] = mapped_column(enum_column(PaymentRoute))
    payment_route_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    payment_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Their organisation's Co-production Champion.
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Lower-cased "first last" kept for fast, index-backed prefix search.
    search_name: Mapped[str] = mapped_column(String(210), index=True, default="")
    # Erasure (survey_app/privacy/erasure.py): when their details were removed, and until when the row and its
    # finance lines must be kept (end of the UK financial year of the last money line, plus six years).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    keep_until: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    attendances: Mapped[list["Attendance"]] = relationship(back_populates="person")  # noqa: F821

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def refresh_search_name(self) -> None:
        # An erased person is found by no name search (door, people list): their label is not a name.
        self.search_name = "" if self.erased_at else search_key(f"{self.first_name} {self.last_name}")[:210]
