"""Support plans: who asked for what support for a meeting, and is it arranged. Health data, so every
look at it (page, print or download) leaves an AuditEvent saying who looked, and when. The page is
made first and the event committed before it is sent: no record, no page."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from exports.support_list import support_sheets
from forms.support import ARRANGED, ArrangedForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import support_plan as plans
from ..messages import triggers
from ..web.charts import bar_chart
from ..web.downloads import xlsx_response
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes

routes = Routes()


def _plan_or_404(meeting_id: int) -> plans.SupportPlan:
    return plans.plan_for(meeting_id) or abort(404)


@routes.route("/meetings/<int:meeting_id>/support")
@roles_required(*ORGANISERS)
def support_plan(meeting_id):
    plan = _plan_or_404(meeting_id)
    chart = bar_chart([(str(g.kind.label), g.count) for g in plan.groups],
                      _("How many people asked for each kind of support")) if plan.groups else None
    page = render_template("organise/support/plan.html",
                           title=with_theirs(_("Support plan: %(title)s"), title=plan.meeting.title),
                           plan=plan, meeting=plan.meeting, chart=chart, form=ArrangedForm())
    plans.record_view("view-support-plan", plan.meeting)
    return page


@routes.route("/meetings/<int:meeting_id>/support/<int:need_id>/arranged", methods=["POST"])
@roles_required(*ORGANISERS)
def mark_arranged(meeting_id, need_id):
    form = ArrangedForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.arranged.data == ARRANGED
    try:
        changed = (plans.mark_arranged if wanted else plans.mark_not_arranged)(need_id, meeting_id, current_user)
        if changed and wanted:
            triggers.need_arranged(meeting_id, need_id, by=current_user)
        db.session.commit()
    except plans.NotInPlan:
        db.session.rollback()
        abort(404)
    except IntegrityError:  # the same press arrived twice at once: the first one did it
        db.session.rollback()
        changed = False
    if changed:
        flash(_("Marked as arranged.") if wanted else _("Marked as not arranged yet."))
    return redirect(url_for("organise.support_plan", meeting_id=meeting_id, _anchor=f"need-{need_id}"))


@routes.route("/meetings/<int:meeting_id>/support/print")
@roles_required(*ORGANISERS)
def support_plan_print(meeting_id):
    plan = _plan_or_404(meeting_id)
    page = render_template("organise/support/print.html",
                           title=with_theirs(_("Support for %(title)s"), title=plan.meeting.title), plan=plan,
                           meeting=plan.meeting)
    plans.record_view("view-support-plan", plan.meeting, page="print")
    return page


@routes.route("/meetings/<int:meeting_id>/support/download")
@roles_required(*ORGANISERS)
def support_plan_download(meeting_id):
    plan = _plan_or_404(meeting_id)
    response = xlsx_response(support_sheets(*plans.support_rows(plan)), "support-list")
    plans.record_view("download-support-plan", plan.meeting)
    return response


@routes.route("/people/<int:person_id>/support")
@roles_required(*ORGANISERS)
def person_support(person_id):
    needs = plans.needs_of(person_id) or abort(404)
    page = render_template("organise/support/person.html",
                           title=_("Support needs: %(name)s", name=needs.person.display_name), needs=needs,
                           person=needs.person)
    plans.record_view("view-needs", needs.person)
    return page
