"""What the door tablet sent after working offline (issue 19): one row per queued submission, keyed by the
one-time form token it was made with, so sending it again (a retry, a second tab) finds this row and gets
the same answer without saving anything twice. A submission refused on arrival is kept here too, so the
organiser's meeting page can list what the door took but the service could not save.

Only a registration or a sign-in names its person (`person_id`, `short_label`): a later item in the same
queue ("support for the person that registration created") finds them through it. Checklist and equality
answers stay anonymous: never linked to a person or a visit. Erasing a person clears both (privacy/
erasure.py); retention deletes rows after OFFLINE_SUBMISSION_DAYS (privacy/retention.py)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..web.extensions import db
from .base import UTCDateTime, utcnow

SAVED, REFUSED = "saved", "refused"
OUTCOME_LABELS = {SAVED: _l("Saved"), REFUSED: _l("Not saved")}
# What each kind of queued submission is called on the organiser's meeting page and in subject access.
KIND_LABELS = {"register": _l("Registration"), "sign_in": _l("Sign-in"), "thanks_choice": _l("How to thank them"),
               "support": _l("Support for today"), "suggest": _l("Suggestion"), "vote": _l("Vote"),
               "checklist": _l("Checklist answers"), "equality": _l("Equality form")}


class OfflineSubmission(db.Model):
    __table_args__ = (Index("ix_offline_submission_meeting_outcome", "meeting_id", "outcome"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)  # its place in the tablet's queue
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # SAVED or REFUSED
    reason: Mapped[str] = mapped_column(String(40), default="")  # a code: "person-gone", "not-valid", ...
    # Register and sign-in only; NULL for everything else, and once the person is erased.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"),
                                                  index=True)
    short_label: Mapped[str] = mapped_column(String(60), default="")  # "Anna K.", or "" (anonymous kinds)
