"""The Charter report's pages (issue 18): choose a group and a period, then see the evidence for each of the
Charter's promises, or its easy-read version for the group itself. The numbers come already suppressed from
insight/charter_report.py; the charts are drawn on the server (web/charts.py), each beside a table."""
from datetime import date

from flask import current_app, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forms.report import DATES, EVERY_GROUP, CharterReportForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import charter_report
from ..insight.report_model import Chart, CharterReport
from ..models import Group
from ..models.base import london_today
from ..privacy import audit
from ..web.charts import bar_chart, line_chart
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()
# Each section's picture on the easy-read page: a meaning from web/symbols.py MEANINGS.
SYMBOLS = {"who_took_part": "people_want", "accessible": "need_step_free", "a_say": "suggest",
           "doing_what_we_said": "done", "informed": "contact_post", "rewarded": "thank_you",
           "how_it_felt": "how_it_went", "champions": "decided", "equality": "welcome"}
EASY_FIGURES = 3  # the few key numbers beside each easy-read section


class _Hidden(int):
    """A suppressed value on a bar chart: no bar, and "Fewer than 5" written where the number would be."""


def _value_text(value) -> str:
    return _("Fewer than 5") if isinstance(value, _Hidden) else format_decimal(value)


def _drawn(chart: Chart) -> list:
    """A chart as SVG: bars (one chart per series) or a line per series, each labelled for screen readers."""
    drawings = []
    for name, values in chart.series.items():
        label = chart.title if len(chart.series) == 1 else f"{chart.title}: {name}"
        if chart.kind == "line":
            drawings.append(line_chart(list(zip(chart.labels, values)), label, low=1, high=5,
                                       value_text=lambda v: format_decimal(v, "0.0"), ticks=[1, 2, 3, 4, 5],
                                       tick_text=str))
        else:
            items = [(str(lab), _Hidden(0) if v is None else v) for lab, v in zip(chart.labels, values)]
            drawings.append(bar_chart(items, label, value_text=_value_text))
    return drawings


def _group_choices(form: CharterReportForm) -> dict[int, str]:
    groups = dict(db.session.execute(select(Group.id, Group.name).order_by(Group.name)).all())
    form.group.choices = [SelectChoice(EVERY_GROUP, _("Every group")),
                          *(SelectChoice(str(gid), name) for gid, name in groups.items())]
    if form.group.data is None:
        form.group.data = EVERY_GROUP
    return groups


def chosen_report() -> tuple[CharterReportForm, tuple[int | None, date, date] | None]:
    form = CharterReportForm(request.args)
    _group_choices(form)
    if not form.validate():
        return form, None
    if form.period.data == DATES:
        starts_on, ends_on = form.date_from.data, form.date_to.data
    else:
        starts_on, ends_on = charter_report.period_dates(form.period.data, london_today())
    return form, (form.group_id(), starts_on, ends_on)


def query_args(group_id: int | None, starts_on: date, ends_on: date) -> dict:
    """The same report's address for its other versions: always by dates, so "this quarter" stays the same."""
    return {"group": EVERY_GROUP if group_id is None else group_id, "period": DATES,
            "date_from": starts_on.isoformat(), "date_to": ends_on.isoformat()}


def _downloads(group_id: int | None, starts_on: date, ends_on: date) -> list[tuple[str, str]]:
    """Links to the PDF and the workbook (organise.charter_report_pdf / _xlsx, with their own arguments: `group`
    empty for every group, `from` and `to`), where those pages exist."""
    args = {"group": "" if group_id is None else group_id, "from": starts_on.isoformat(), "to": ends_on.isoformat()}
    found = [("organise.charter_report_pdf", _("Download the report as a PDF")),
             ("organise.charter_report_xlsx", _("Download the numbers as a spreadsheet"))]
    return [(url_for(endpoint, **args), text) for endpoint, text in found if endpoint in current_app.view_functions]


def _looked_at(report: CharterReport, page: str) -> None:
    """Audited as a look at the report: what was chosen, never what it showed. A report on every group has no
    record of its own, so the event is then about the account that looked (as for its downloads)."""
    group = db.session.get(Group, report.group_id) if report.group_id is not None else None
    audit.record("view-charter-report", group or current_user._get_current_object(),
                 after={"page": page, "group_id": report.group_id, "from": report.starts_on.isoformat(),
                        "to": report.ends_on.isoformat()})
    db.session.commit()


@routes.route("/reports/charter")
@roles_required(*ORGANISERS)
def charter_report_choose():
    form = CharterReportForm(request.args if request.args else None)
    _group_choices(form)
    if not form.period.data:
        form.period.data = "last_quarter"
    return render_template("organise/report/choose.html", title=_("Charter report"), form=form)


@routes.route("/reports/charter/report")
@roles_required(*ORGANISERS)
def charter_report_page():
    form, chosen = chosen_report()
    if chosen is None:
        return render_template("organise/report/choose.html", title=_("Charter report"), form=form)
    report = charter_report.build(*chosen)
    args = query_args(*chosen)
    html = render_template("organise/report/report.html", title=report.title, report=report, drawn=_drawn,
                           args=args, downloads=_downloads(*chosen))
    _looked_at(report, "report")
    return html


@routes.route("/reports/charter/easy-read")
@roles_required(*ORGANISERS)
def charter_report_easy_read():
    form, chosen = chosen_report()
    if chosen is None:
        return render_template("organise/report/choose.html", title=_("Charter report"), form=form)
    report = charter_report.build(*chosen)
    html = render_template("organise/report/easy_read.html", title=report.title, report=report, symbols=SYMBOLS,
                           how_many=EASY_FIGURES, args=query_args(*chosen))
    _looked_at(report, "easy-read")
    return html
