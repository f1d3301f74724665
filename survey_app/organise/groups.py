"""Co-production groups, such as the Learning Disability Partnership Board."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.organise import NO_ORGANISATION, GroupForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import voices
from ..models import Group, Meeting, Organisation
from ..models.base import london_today, utcnow
from ..money.budgets import budget_position
from ..money.recognition import tax_year_start
from ..privacy import records
from ..web.extensions import db
from ..web.formatting import theirs, with_theirs
from ..web.pages import Routes, choices_from, keeps_input, paginate, record_id

routes = Routes()


@routes.route("/groups")
@roles_required(*ORGANISERS)
def groups():
    query = select(Group).options(joinedload(Group.organisation)).order_by(Group.name)
    page = paginate(query)
    return render_template("organise/groups.html", title=_("Groups"), page=page)


@routes.route("/groups/<int:group_id>")
@roles_required(*ORGANISERS)
def group(group_id):
    grp = db.session.get(Group, group_id) or abort(404)
    upcoming = db.session.scalars(select(Meeting).where(Meeting.group_id == grp.id, Meeting.starts_at >= utcnow())
                                  .order_by(Meeting.starts_at).limit(10)).all()
    past = db.session.scalars(select(Meeting).where(Meeting.group_id == grp.id, Meeting.starts_at < utcnow())
                              .order_by(Meeting.starts_at.desc()).limit(10)).all()
    budget = budget_position(grp.id, tax_year_start(london_today()))
    return render_template("organise/group.html", title=theirs(grp.name), group=grp, upcoming=upcoming, past=past,
                           budget=budget)


def _form(obj=None) -> GroupForm:
    form = GroupForm(obj=obj)
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = choices_from(orgs, empty=NO_ORGANISATION)
    if obj is not None and not form.is_submitted():
        form.organisation.data = str(obj.organisation_id or "")
    return form


def _values(form: GroupForm) -> dict:
    org_id = record_id(form.organisation.data)
    if org_id is not None and db.session.get(Organisation, org_id) is None:
        org_id = None
    return {"name": form.name.data, "description": form.description.data or "", "organisation_id": org_id,
            "contact_name": (form.contact_name.data or "").strip(),
            "contact_phone": (form.contact_phone.data or "").strip(),
            "contact_email": (form.contact_email.data or "").strip()}



@routes.route("/groups/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_group():
    form = _form()
    if form.validate_on_submit():
        if records.name_taken(Group, form.name.data):
            form.name.errors.append(_("There is already a group with this name."))
        else:
            grp = records.create(Group, **_values(form))
            db.session.commit()
            flash(_("Group saved."))
            return redirect(url_for("organise.group", group_id=grp.id))
    return render_template("organise/group_form.html", form=form, title=_("Add a group")), \
        400 if form.errors else 200


@routes.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_group(group_id):
    grp = db.session.get(Group, group_id) or abort(404)
    form = _form(grp)
    if form.validate_on_submit():
        if records.name_taken(Group, form.name.data, exclude_id=grp.id):
            form.name.errors.append(_("There is already a group with this name."))
        else:
            records.update(grp, **_values(form))
            db.session.commit()
            flash(_("Group saved."))
            return redirect(url_for("organise.group", group_id=grp.id))
    return render_template("organise/group_form.html", form=form,
                           title=with_theirs(_("Edit %(name)s"), name=grp.name)), \
        400 if form.errors else 200


@routes.route("/groups/<int:group_id>/voices")
@roles_required(*ORGANISERS)
def group_voices(group_id):
    grp = db.session.get(Group, group_id) or abort(404)
    last = min(max(request.args.get("last", 6, type=int), 1), 50)
    report = voices.group_voices(grp.id, last)
    return render_template("organise/voices.html", title=with_theirs(_("Who is being heard: %(name)s"), name=grp.name),
                           group=grp, report=report, last=last)
