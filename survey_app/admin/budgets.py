"""Budgets: each group's recognition budget for a UK tax year, set by an admin, and where it stands."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from wtforms import SelectChoice

from forms.admin import BudgetForm

from ..access.roles import ADMINS, roles_required
from ..models.base import london_today
from ..money.budgets import budget_amount, positions_for_year, set_budget, tax_year_end, tax_years_around
from ..money.recognition import RecognitionError, tax_year_start
from ..web.extensions import db
from ..web.pages import Routes, keeps_input, plain_year, record_id
from .rates import chosen_group, group_choices

routes = Routes()


def year_label(year_starting: date) -> str:
    return _("%(start)s to %(end)s", start=format_date(year_starting, "long"),
             end=format_date(tax_year_end(year_starting), "long"))


def year_from(text: str | None) -> date | None:
    """The tax year named by the year it starts in ("2026"), or None."""
    year = plain_year(text)
    return date(year, 4, 6) if year else None


@routes.route("/budgets")
@roles_required(*ADMINS)
def budgets():
    current = tax_year_start(london_today())
    year = year_from(request.args.get("year")) or current
    return render_template("admin/budgets.html", title=_("Budgets"), year=year, year_label=year_label(year),
                           current=current, positions=positions_for_year(year))


@routes.route("/budgets/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def new_budget():
    form = BudgetForm()
    form.group.choices = group_choices()
    current = tax_year_start(london_today())
    asked = year_from(request.args.get("year") or (form.year.data if form.is_submitted() else None))
    years = sorted({*tax_years_around(current), *([asked] if asked else [])})
    form.year.choices = [SelectChoice(str(y.year), year_label(y)) for y in years]
    if not form.is_submitted():
        form.group.data = request.args.get("group", "")
        form.year.data = str((asked or current).year)
        if record_id(form.group.data) is not None:
            form.amount.data = budget_amount(record_id(form.group.data), asked or current)
    if form.validate_on_submit():
        group = chosen_group(form.group, _("Choose the group this budget is for."))
        year = year_from(form.year.data)
        if year is None:
            form.year.errors.append(_("Choose the tax year this budget is for."))
        elif group is not None:
            try:
                _budget, created = set_budget(group.id, year, form.amount.data)
            except RecognitionError as error:
                form.amount.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Budget set for %(group)s.", group=group.name) if created
                      else _("Budget changed for %(group)s.", group=group.name))
                return redirect(url_for("admin.budgets", year=year.year))
    return render_template("admin/budget_form.html", form=form, title=_("Set a budget")), \
        400 if form.errors else 200
