"""Staff accounts, their server-side sessions, login throttling and first-run setup."""
import enum
import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..web.extensions import db
from .base import UTCDateTime, enum_column, utcnow


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Role(enum.Enum):
    ORGANISER = "organiser"
    FINANCE = "finance"
    ADMIN = "admin"

    @property
    def label(self):
        return {"organiser": _l("Organiser"), "finance": _l("Finance"), "admin": _l("Admin")}[self.value]


class User(db.Model):
    __tablename__ = "staff_user"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # A staff member can be their organisation's Co-production Champion.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list["StaffSession"]] = relationship(back_populates="user")

    # Flask-Login: the id kept in the cookie is the server-side session token, not the user id,
    # so ending a StaffSession row makes an old cookie worthless.
    session_token = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token


class StaffSession(db.Model):
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="sessions")


class RateHit(db.Model):
    """One counted request towards a rate limit (survey_app/access/rate_limit.py): which limit, whose (an HMAC of
    the client address or other key, never the value itself) and when. Deleted by `retention run`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (Index("ix_rate_hit_name_key_at", "name", "key", "at"),)


class LoginAttempt(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    # An HMAC of the client address (rate_limit.client_key), never the address: a right password from an
    # address makes it one of the account's usual ones (throttle.usual_address). Empty before 0008.
    client: Mapped[str | None] = mapped_column(String(64))


class SetupToken(db.Model):
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
