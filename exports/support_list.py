"""The support list workbook for a meeting: who asked for what support, and whether it is arranged.

The domain code fills the dataclasses below from a meeting's support plan; `support_sheets` turns them
into two sheets (the list, then a count per need) for `write_workbook`. It carries names and needs
only: never contact details, addresses or anything else about a person.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import pgettext

from exports.workbook import Column, Heading, Note, Row, Sheet, Total, Typed


@dataclass(frozen=True)
class SupportMeeting:
    title: str
    group: str
    starts_at: datetime     # aware UTC
    ends_at: datetime
    venue: str


@dataclass(frozen=True)
class SupportEntry:
    need: str               # the need's label, in the reader's language
    name: str
    detail: str             # what they typed, e.g. for "Something else"; kept as text, never a formula
    standing: bool          # asked for every meeting, not only this one
    arranged_at: datetime | None
    arranged_by: str


def support_sheets(meeting: SupportMeeting, entries: Sequence[SupportEntry]) -> list[Sheet]:
    """The list in the order given (grouped by need), then the count per need and the meeting's details."""
    columns = [Column(_("Support needed"), width=36), Column(pgettext("person", "Name"), width=28),
               Column(_("For"), width=20), Column(_("Details"), width=36), Column(_("Arranged"), "yes_no", width=10),
               Column(_("Arranged by"), width=24), Column(_("Arranged on"), "datetime", width=18)]
    summary_columns = [Column(_("Support needed"), width=36), Column(_("Asked for"), "number", width=12),
                       Column(_("Not arranged yet"), "number", width=18)]
    return [
        Sheet(_("Support list"), columns, _list_rows(entries)),
        Sheet(_("Summary"), summary_columns, _summary_rows(meeting, entries)),
    ]


def _list_rows(entries: Sequence[SupportEntry]):
    every, this_one = _("Every meeting"), _("This meeting only")
    for e in entries:
        yield (e.need, e.name, every if e.standing else this_one, e.detail, e.arranged_at is not None,
               e.arranged_by, e.arranged_at)
    if not entries:
        yield Note((_("Nobody has asked for support for this meeting yet."),))


def _summary_rows(meeting: SupportMeeting, entries: Sequence[SupportEntry]):
    counts: dict[str, list[int]] = {}
    for e in entries:
        asked = counts.setdefault(e.need, [0, 0])
        asked[0] += 1
        asked[1] += e.arranged_at is None
    for need, (asked, waiting) in counts.items():
        yield (need, asked, waiting)
    yield Row()
    yield Total((_("Total"), sum(a for a, _w in counts.values()), sum(w for _a, w in counts.values())))
    yield Row()
    yield Heading((_("Meeting"), meeting.title))
    yield Row((_("Group"), meeting.group))
    yield Row((_("Starts"), Typed(meeting.starts_at, "datetime")))
    yield Row((_("Ends"), Typed(meeting.ends_at, "datetime")))
    if meeting.venue:
        yield Row((_("Venue"), meeting.venue))
