"""The Charter report (issue 18) as a workbook: a Summary sheet, then a sheet per section with its figures,
its tables and the numbers behind each chart. It takes a CharterReport (survey_app/insight/report_model.py,
read by its attributes: exports never import survey_app) whose numbers are already suppressed; a suppressed
one is written as the text "Fewer than 5"."""
from collections.abc import Iterator
from datetime import date

from flask_babel import gettext as _

from .workbook import Column, Heading, Note, Row, Sheet, Typed


def report_sheets(report, group_name: str, made_on: date) -> list[Sheet]:
    """`group_name` is the group's name, or "" for every group."""
    return [_summary(report, group_name, made_on)] + [_section(section) for section in report.sections]


def _summary(report, group_name: str, made_on: date) -> Sheet:
    def rows():
        yield _("Report"), report.title
        yield _("Group"), group_name or _("Every group")
        yield _("From"), Typed(report.starts_on, "date")
        yield _("To"), Typed(report.ends_on, "date")
        yield _("Made on"), Typed(made_on, "date")
        yield Row(())
        yield Heading((_("Sheets"),))
        for section in report.sections:
            yield Row((section.title, section.promise))
        yield Row(())
        yield Note((_("A number under 5 is shown as \"Fewer than 5\", and so is any number that would give a "
                      "smaller one away, so that nobody can be picked out."),))

    # Rows of two kinds of value (text and dates), so every row is a Row and cells carry their own kind.
    return Sheet(_("Summary"), [Column(_("About this report"), width=28), Column("", width=90)],
                 (r if isinstance(r, Row) else Row(r) for r in rows()), autofilter=False)


def _cell(value):
    return _("Fewer than 5") if value is None else value


def _section(section) -> Sheet:
    widths = [3] + [len(t.headings) for t in section.tables] + [1 + len(c.series) for c in section.charts]
    columns = [Column(_("Evidence"), width=48), Column(_("Number"), "number", width=16),
               Column(_("About the number"), "number", width=36)]
    columns += [Column("", "number", width=24) for _i in range(max(widths) - len(columns))]
    return Sheet(section.title, columns, _section_rows(section), autofilter=False)


def _section_rows(section) -> Iterator:
    for figure in section.figures:
        yield figure.label, _cell(figure.value), figure.note
    yield Row(())
    yield Heading((_("The Charter says"),))
    yield Note((section.promise,))
    for table in section.tables:
        yield Row(())
        yield Heading((table.title,))
        yield Heading(tuple(table.headings))
        for cells in table.rows:
            yield tuple(_cell(v) for v in cells)
    for chart in section.charts:
        yield from _chart_rows(chart)
    if section.comments:
        yield Row(())
        yield Heading((_("What people said"),))
        for comment in section.comments:
            yield (comment,)


def _chart_rows(chart) -> Iterator:
    yield Row(())
    yield Heading((chart.title,))
    yield Heading((chart.unit, *chart.series))
    for i, label in enumerate(chart.labels):
        yield (label, *(_cell(values[i] if i < len(values) else None) for values in chart.series.values()))
