"""Rates: what each group pays, from a date. Added, never edited: a line keeps the rate it was made with."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from forms.admin import RateForm

from ..access.roles import ADMINS, roles_required
from ..models import Group
from ..models.base import london_today
from ..money import budgets, line_payments
from ..money.recognition import RecognitionError
from ..web.extensions import db
from ..web.formatting import pence
from ..web.pages import Routes, choices_from, keeps_input, record_id

routes = Routes()
MILEAGE_WARNING = _l("The mileage rate of %(rate)s a mile is above HMRC's approved rate of %(approved)s. The part "
                     "above it is taxable, and finance will see it flagged on every mileage claim.")


@routes.route("/rates")
@roles_required(*ADMINS)
def rates():
    return render_template("admin/rates.html", title=_("Rates"), groups=budgets.rates_by_group(london_today()),
                           hmrc_pence=line_payments.hmrc_mileage_pence())


def chosen_group(field, message) -> Group | None:
    """The group a select field names, or None, with `message` on the field, when it names none."""
    group = db.session.get(Group, record_id(field.data)) if record_id(field.data) else None
    if group is None:
        field.errors.append(message)
    return group


def group_choices():
    groups = db.session.scalars(select(Group).order_by(Group.name)).all()
    return choices_from(groups, empty=SelectChoice("", _("Choose a group")))


@routes.route("/rates/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def new_rate():
    form = RateForm()
    form.group.choices = group_choices()
    if not form.is_submitted():
        form.group.data = request.args.get("group", "")
    if form.validate_on_submit():
        group = chosen_group(form.group, _("Choose the group these rates are for."))
        if group is not None:
            try:
                budgets.add_rate(group.id, form.applies_from.data, hourly_pence=form.hourly.data,
                                 half_day_pence=form.half_day.data, day_pence=form.day.data,
                                 mileage_pence=form.mileage.data)
            except RecognitionError as error:
                form.applies_from.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Rates saved for %(group)s.", group=group.name))
                if form.mileage.data > line_payments.hmrc_mileage_pence():
                    flash(MILEAGE_WARNING % {"rate": pence(form.mileage.data),
                                             "approved": pence(line_payments.hmrc_mileage_pence())})
                return redirect(url_for("admin.rates"))
    return render_template("admin/rate_form.html", form=form, title=_("Add rates")), 400 if form.errors else 200
