"""Benefits' earnings limits: data, not code. Added, never edited: a newer figure replaces an older one with
the same benefit and name from its date. They change each April."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.benefits import BenefitLimitForm

from ..access.roles import ADMINS, roles_required
from ..models import BenefitKind, LimitPeriod
from ..models.base import london_today
from ..money import benefits
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/benefit-limits")
@roles_required(*ADMINS)
def benefit_limits():
    limits = benefits.all_limits()
    today = london_today()
    in_force = {limit.id for limit in benefits.limits_in_force(limits, today)}
    by_benefit = [(kind, [limit for limit in limits if limit.benefit == kind]) for kind in BenefitKind]
    return render_template("admin/benefit_limits.html", title=_("Benefits' earnings limits"),
                           by_benefit=[(kind, rows) for kind, rows in by_benefit if rows], in_force=in_force,
                           today=today, out_of_date=benefits.limits_out_of_date(limits, today))


def _form() -> BenefitLimitForm:
    form = BenefitLimitForm()
    form.benefit.choices = [(kind.value, kind.label) for kind in BenefitKind]
    form.period.choices = [(period.value, period.label) for period in LimitPeriod]
    return form


@routes.route("/benefit-limits/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def new_benefit_limit():
    form = _form()
    if form.validate_on_submit():
        try:
            benefits.add_limit(benefits.NewLimit(
                benefit=BenefitKind(form.benefit.data), name=form.name.data, period=LimitPeriod(form.period.data),
                limit_pence=form.amount.data, applies_from=form.applies_from.data, source=form.source.data),
                by=current_user)
        except benefits.BenefitsError as error:
            db.session.rollback()
            form.applies_from.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Limit added."))
            return redirect(url_for("admin.benefit_limits"))
    return render_template("admin/benefit_limit_form.html", form=form, title=_("Add a limit")), \
        400 if form.errors else 200
