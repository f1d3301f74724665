"""Choosing which checklist comments the Charter report quotes (issue 18), for the report's group and period:
every comment of its meetings with a tick box, the quoted ones ticked (insight/report_quotes.py keeps them)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.base import BaseForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import report_quotes
from ..models import Group
from ..privacy import audit
from ..web.extensions import db
from ..web.pages import Routes, keeps_input
from .charter_report import chosen_report, query_args

routes = Routes()


@routes.route("/reports/charter/comments", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def charter_report_quotes():
    choice, chosen = chosen_report()
    if chosen is None:  # no report chosen (an edited address): choose one; a POST saves nothing
        return render_template("organise/report/choose.html", title=_("Charter report"), form=choice), \
            400 if request.method == "POST" else 200
    args = query_args(*chosen)
    listing = report_quotes.comments(*chosen)
    form, problem = BaseForm(), None
    ticked = {comment.ref for comment in listing.comments if comment.quoted}
    if request.method == "POST":
        ticked = set(request.form.getlist("quote"))
        if form.validate_on_submit():
            try:
                added, removed = report_quotes.choose(listing, list(ticked), current_user)
            except report_quotes.TooManyQuotes as error:
                problem = str(error)
            else:
                if added or removed:
                    group = db.session.get(Group, chosen[0]) if chosen[0] is not None else None
                    audit.record("choose-report-quotes", group or current_user._get_current_object(),
                                 after={"added": added, "removed": removed})
                db.session.commit()
                flash(_("Saved. The report quotes the comments you ticked.") if added or removed
                      else _("Nothing has changed."))
                return redirect(url_for("organise.charter_report_page", **args, _anchor="how_it_felt"))
    status = 400 if form.errors or problem else 200
    return render_template("organise/report/quotes.html", title=_("Choose comments to quote"), form=form,
                           listing=listing, ticked=ticked, problem=problem, args=args,
                           most=report_quotes.MOST_QUOTED), status
