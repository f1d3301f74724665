"""Choosing the checklist comments the Charter report quotes (issue 18: "a few comments an organiser chooses to
include"). The comments of a report's meetings are listed newest meeting first, each under an opaque reference
(decisions.comment_ref, never a response id); a choice is kept as ReportQuote rows, so the page, the easy-read
page, the PDF and the workbook of any report covering that meeting all quote the same words.

A choice only changes the comments that were on the page the organiser saw: ticked ones are added, unticked
ones removed, others left alone. Sending the same choice twice (a double press, a second tab) changes nothing."""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from forms.checklist import COMMENT_QUESTION, COMMENTS, STEPS

from ..models import ChecklistResponse, Meeting, ReportQuote, User
from ..models.base import LONDON
from ..web.extensions import db
from .charter_report import Scope
from .decisions import comment_ref

SHOWN = 200  # comments listed at most; a shorter period or one group shows the rest
MOST_QUOTED = 10  # "a few comments": at most this many ticked on one page


class TooManyQuotes(ValueError):
    def __str__(self) -> str:
        return _("Choose no more than %(most)s comments, so the report stays short.", most=MOST_QUOTED)


@dataclass(frozen=True)
class Comment:
    ref: str
    text: str
    question: str
    meeting: str
    held_on: date
    quoted: bool


@dataclass(frozen=True)
class Listing:
    comments: list[Comment]
    more: bool  # there were more comments than SHOWN
    keys: dict[str, tuple[int, str]]  # ref -> (response id, field name), never sent to the browser


def comments(group_id: int | None, starts_on: date, ends_on: date) -> Listing:
    """The comments of the report's meetings, newest meeting first, with whether each is quoted. Two queries."""
    scope = Scope(group_id, starts_on, ends_on)
    rows = db.session.execute(
        select(ChecklistResponse.id, Meeting.id, Meeting.title, Meeting.starts_at,
               *(getattr(ChecklistResponse, name) for name in COMMENTS))
        .join(Meeting, Meeting.id == ChecklistResponse.meeting_id)
        .where(*scope.meeting_where, or_(*(getattr(ChecklistResponse, n) != "" for n in COMMENTS)))
        .order_by(Meeting.starts_at.desc(), Meeting.id, ChecklistResponse.id).limit(SHOWN + 1)).all()
    found: list[tuple[int, int, str, datetime, str, str]] = []
    for response_id, meeting_id, title, starts_at, *texts in rows:
        for name, text in zip(COMMENTS, texts):
            if (text or "").strip():
                found.append((response_id, meeting_id, title, starts_at, name, text.strip()))
    more = len(found) > SHOWN
    # Within a meeting, by their text (as the results page): the order says nothing about which comments
    # came from the same person.
    found = sorted(found[:SHOWN], key=lambda c: (-c[3].timestamp(), c[1], c[5].casefold(), c[5]))
    quoted = _quoted({item[0] for item in found})
    listed, keys = [], {}
    for response_id, meeting_id, title, starts_at, name, text in found:
        ref = comment_ref(meeting_id, response_id, name)
        keys[ref] = (response_id, name)
        listed.append(Comment(ref, text, str(STEPS[COMMENT_QUESTION[name]].question), title,
                              starts_at.astimezone(LONDON).date(), (response_id, name) in quoted))
    return Listing(listed, more, keys)


def _quoted(response_ids: set[int]) -> set[tuple[int, str]]:
    """(response id, field name) of each quote of these responses. One query, none for no responses."""
    if not response_ids:
        return set()
    return {(response_id, name) for response_id, name in db.session.execute(
        select(ReportQuote.response_id, ReportQuote.field_name).where(ReportQuote.response_id.in_(response_ids)))}


def choose(listing: Listing, ticked: list[str], user: User) -> tuple[int, int]:
    """Quote the ticked comments of `listing` and stop quoting its unticked ones. Returns (added, removed).
    References that are not on the listing are ignored. TooManyQuotes, changing nothing, if over MOST_QUOTED."""
    wanted = {listing.keys[ref] for ref in ticked if ref in listing.keys}
    if len(wanted) > MOST_QUOTED:
        raise TooManyQuotes()
    shown = set(listing.keys.values())
    for attempt in range(2):  # a second tab saving the same choice at the same moment: try once more
        try:
            quoted = _quoted({key[0] for key in shown}) & shown
            drop = quoted - wanted
            for response_id, name in drop:
                db.session.execute(delete(ReportQuote).where(ReportQuote.response_id == response_id,
                                                             ReportQuote.field_name == name))
            add = wanted - quoted
            db.session.add_all(ReportQuote(response_id=response_id, field_name=name, chosen_by_id=user.id)
                               for response_id, name in add)
            db.session.flush()
            return len(add), len(drop)
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")
