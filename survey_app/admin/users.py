"""Staff accounts: list, add, change role, disable."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.admin import NewStaffForm, StaffDetailsForm
from forms.organise import NO_ORGANISATION, enum_choices

from ..access import accounts
from ..access.roles import ADMINS, roles_required
from ..models import Organisation, Role, User
from ..web.extensions import db
from ..web.pages import Routes, choices_from, keeps_input, paginate, record_id

routes = Routes()


def _organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return choices_from(orgs, empty=NO_ORGANISATION)


def _organisation_id(value) -> int | None:
    org_id = record_id(value)
    return org_id if org_id is not None and db.session.get(Organisation, org_id) else None


@routes.route("/users")
@roles_required(*ADMINS)
def users():
    query = select(User).order_by(User.active.desc(), User.name)
    page = paginate(query)
    return render_template("admin/users.html", title=_("Staff accounts"), page=page)


@routes.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def new_user():
    form = NewStaffForm()
    form.role.choices = enum_choices(Role)
    form.organisation.choices = _organisations()
    if not form.is_submitted():
        form.active.data = True
    if form.validate_on_submit():
        if accounts.find_user(form.email.data) is not None:
            form.email.errors.append(_("There is already an account with this email address."))
        else:
            user = accounts.create_user(form.email.data, form.name.data, Role(form.role.data), form.password.data,
                                        by=current_user)
            if not form.active.data:
                user.active = False
            user.organisation_id = _organisation_id(form.organisation.data)
            user.is_champion = bool(form.is_champion.data)
            db.session.commit()
            flash(_("Account created. Give them their password in person or by phone, never by email."))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, title=_("Add a staff account"), new=True), \
        400 if form.errors else 200


@routes.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def edit_user(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = StaffDetailsForm(obj=user)
    form.role.choices = enum_choices(Role)
    form.organisation.choices = _organisations()
    if not form.is_submitted():
        form.role.data = user.role.value
        form.organisation.data = str(user.organisation_id or "")
    if form.validate_on_submit():
        details = accounts.StaffDetails(
            name=form.name.data, role=Role(form.role.data), active=bool(form.active.data),
            organisation_id=_organisation_id(form.organisation.data), is_champion=bool(form.is_champion.data))
        try:
            accounts.update_staff(user, details, by=current_user._get_current_object())
        except accounts.AccountError as error:
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account saved."))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           title=_("Edit %(name)s", name=user.name), new=False), 400 if form.errors else 200
