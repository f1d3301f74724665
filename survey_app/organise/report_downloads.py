"""The Charter report (issue 18) to take away: the PDF to print and the workbook with the numbers, for the same
group and dates as the report page (`group`: an id, or empty for every group; `from` and `to`: ISO dates).
Each download leaves an AuditEvent saying who took a copy of which report."""
from datetime import date, datetime

from flask import abort, redirect, request, url_for
from flask_login import current_user

from exports.charter_report_pdf import write_pdf
from exports.charter_report_xlsx import report_sheets
from exports.workbook import LONDON, write_workbook

from ..access.roles import ORGANISERS, roles_required
from ..insight.charter_report import build
from ..models import Group
from ..privacy import audit
from ..web.downloads import file_stream, xlsx_stream
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()


def _choice() -> tuple[Group | None, date, date]:
    """The group and dates asked for; 404 for a group that is not there. Missing or impossible dates (an old
    or edited link) go back to the page that chooses them."""
    group_id = (request.args.get("group") or "").strip()
    group = None
    if group_id:
        if not group_id.isdigit():
            abort(404)
        group = db.session.get(Group, int(group_id)) or abort(404)
    try:
        starts_on = date.fromisoformat(request.args.get("from", ""))
        ends_on = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        abort(redirect(url_for("organise.charter_report_choose")))
    if ends_on < starts_on:
        abort(redirect(url_for("organise.charter_report_choose")))
    return group, starts_on, ends_on


def _report(kind: str):
    group, starts_on, ends_on = _choice()
    report = build(group.id if group else None, starts_on, ends_on)
    # A report on every group has no record of its own: the event is then about the account that took it.
    audit.record("download-charter-report", group if group else current_user._get_current_object(),
                 after={"format": kind, "group_id": group.id if group else None,
                        "from": starts_on.isoformat(), "to": ends_on.isoformat()})
    db.session.commit()
    return report, (group.name if group else ""), datetime.now(LONDON).date()


@routes.route("/reports/charter/pdf")
@roles_required(*ORGANISERS)
def charter_report_pdf():
    report, group_name, made_on = _report("pdf")
    return file_stream(lambda out: write_pdf(report, group_name, out, made_on), "charter-report", "pdf")


@routes.route("/reports/charter/workbook")
@roles_required(*ORGANISERS)
def charter_report_xlsx():
    report, group_name, made_on = _report("xlsx")
    return xlsx_stream(lambda out: write_workbook(report_sheets(report, group_name, made_on), out), "charter-report")
