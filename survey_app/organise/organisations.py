"""Partner organisations: the council, the NHS, voluntary sector groups."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from forms.organise import OrganisationForm, enum_choices

from ..access.roles import ORGANISERS, roles_required
from ..insight import champions
from ..models import Organisation, OrganisationKind, Person
from ..privacy import records
from ..web.extensions import db
from ..web.formatting import theirs, with_theirs
from ..web.pages import Routes, SimplePage, keeps_input

routes = Routes()


@routes.route("/organisations")
@roles_required(*ORGANISERS)
def organisations():
    counts = (select(Person.organisation_id, func.count().label("n")).group_by(Person.organisation_id)
              .subquery())
    per_page = current_app.config["PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(Organisation))
    page = SimplePage.requested(per_page, total)
    rows = db.session.execute(
        select(Organisation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id).order_by(Organisation.name)
        .limit(per_page).offset((page.page - 1) * per_page)
    ).all()
    return render_template("organise/organisations.html", title=_("Organisations"), rows=rows, page=page)


def _form(obj=None) -> OrganisationForm:
    form = OrganisationForm(obj=obj)
    form.kind.choices = enum_choices(OrganisationKind)
    if obj is not None and not form.is_submitted():
        form.kind.data = obj.kind.value
    return form



@routes.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_organisation():
    form = _form()
    if form.validate_on_submit():
        if records.name_taken(Organisation, form.name.data):
            form.name.errors.append(_("There is already an organisation with this name."))
        else:
            records.create(Organisation, name=form.name.data, kind=OrganisationKind(form.kind.data))
            db.session.commit()
            flash(_("Organisation saved."))
            return redirect(url_for("organise.organisations"))
    return render_template("organise/organisation_form.html", form=form,
                           title=_("Add an organisation")), 400 if form.errors else 200


@routes.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_organisation(org_id):
    org = db.session.get(Organisation, org_id) or abort(404)
    form = _form(org)
    if form.validate_on_submit():
        if records.name_taken(Organisation, form.name.data, exclude_id=org.id):
            form.name.errors.append(_("There is already an organisation with this name."))
        else:
            records.update(org, name=form.name.data, kind=OrganisationKind(form.kind.data))
            db.session.commit()
            flash(_("Organisation saved."))
            return redirect(url_for("organise.organisations"))
    return render_template("organise/organisation_form.html", form=form,
                           title=with_theirs(_("Edit %(name)s"), name=org.name)), 400 if form.errors else 200


@routes.route("/organisations/<int:org_id>")
@roles_required(*ORGANISERS)
def organisation(org_id):
    org = db.session.get(Organisation, org_id) or abort(404)
    return render_template("organise/organisation.html", title=theirs(org.name), org=org, **champions.activity(org.id))
