"""Halton's population figures, which the Charter report's equality section shows beside who the groups
reach: per question, each answer's share in per cent (one decimal) and where the figures come from."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.equality import population_form_class

from ..access.roles import ADMINS, roles_required
from ..insight import equality
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/population")
@roles_required(*ADMINS)
def population():
    figures = equality.population()
    return render_template("admin/population.html", title=_("Population figures for Halton"),
                           questions=equality.QUESTIONS, figures=figures)


@routes.route("/population/<key>", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def population_question(key):
    q = equality.question(key) or abort(404)
    answers = [(value, label) for value, label in q.answers]
    form = population_form_class(answers)()
    if not form.is_submitted():
        figures = equality.population()
        for value, _label in answers:
            figure = figures.get((key, value))
            form[f"share_{value}"].data = f"{figure.percent_tenths / 10:.1f}" if figure else ""
            if figure and figure.source and not form.source.data:
                form.source.data = figure.source
    if form.validate_on_submit():
        if equality.save_population(key, form.tenths(), form.source.data or "", current_user):
            db.session.commit()
            flash(_("Population figures saved for %(question)s.", question=q.short))
        else:
            flash(_("Nothing was changed."))
        return redirect(url_for("admin.population"))
    return render_template("admin/population_form.html", title=_("Population figures: %(question)s",
                                                                 question=q.short),
                           form=form, question=q), 400 if form.errors else 200
