"""The subject access workbook: everything held about one person, one sheet per kind of record.

The domain code gathers a `SubjectAccess` (plain rows and headers, no models); `subject_access_sheets`
turns it into sheets for `write_workbook`: first "About this file" (whose data, when it was made, by
whom, and what each sheet holds), then a sheet per `Section`. A section shown `vertical` (the person's
own details) is one field a row, each value typed by what it is (a date as a date, and so on).
"""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from exports.workbook import Column, Heading, Note, Row, Sheet, Typed


@dataclass(frozen=True)
class Section:
    title: str                          # the sheet's name
    about: str                          # what the sheet holds, for "About this file"
    columns: Sequence[tuple[str, str]]  # (header, kind) with the kinds of exports.workbook.Column
    rows: Sequence[tuple]
    empty: str = ""                     # said on the sheet when it has no rows
    vertical: bool = False              # (field, value) rows, each value typed by its Python type


@dataclass(frozen=True)
class SubjectAccess:
    person_id: int
    person_name: str
    made_at: datetime                   # aware
    made_by: str                        # the admin who asked for it
    sections: Sequence[Section]
    notes: Sequence[str] = field(default_factory=tuple)  # what is deliberately not in the file, and why


def subject_access_sheets(data: SubjectAccess) -> list[Sheet]:
    return [_about(data), *(_section(s) for s in data.sections)]


def _about(data: SubjectAccess) -> Sheet:
    def rows():
        yield Row((_("Whose data"), _("%(name)s (person number %(id)d)", name=data.person_name, id=data.person_id)))
        yield Row((_("Made on"), Typed(data.made_at, "datetime")))
        yield Row((_("Made by"), data.made_by))
        yield Row((_("What it is"), _("Everything the Co-production Hub holds about this person, as a copy for "
                                      "a subject access request. Times are UK time.")))
        yield Row()
        yield Heading((_("Sheet"), _("What it holds"), _("Rows")))
        for section in data.sections:
            yield Row((section.title, section.about, Typed(len(section.rows), "number")))
        if data.notes:
            yield Row()
            yield Heading((_("Not in this file"),))
            for note in data.notes:
                yield Note((note,))

    columns = [Column(_("About this file"), width=24), Column("", width=90), Column("", "number", width=8)]
    return Sheet(_("About this file"), columns, rows(), autofilter=False)


def _typed(value):
    if isinstance(value, bool):
        return Typed(value, "yes_no")
    if isinstance(value, datetime):
        return Typed(value, "datetime")
    if isinstance(value, date):
        return Typed(value, "date")
    if isinstance(value, (int, float)):
        return Typed(value, "number")
    return Typed("" if value is None else str(value), "text")


def _section(section: Section) -> Sheet:
    if section.vertical:
        columns = [Column(h, width=w) for (h, _kind), w in zip(section.columns, (30, 60))]

        def vertical_rows():
            for name, value in section.rows:
                yield Row((name, _typed(value)))
        return Sheet(section.title, columns, vertical_rows(), autofilter=False)

    columns = [Column(header, kind, width=_width(header, kind)) for header, kind in section.columns]

    def table_rows():
        yield from section.rows
        if not section.rows and section.empty:
            yield Note((section.empty,))
    return Sheet(section.title, columns, table_rows())


def _width(header: str, kind: str) -> int:
    if kind in ("money", "number", "decimal", "yes_no"):
        return max(12, len(header) + 2)
    if kind in ("date", "datetime"):
        return 18
    return max(18, min(40, len(header) + 4))
