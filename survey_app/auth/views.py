"""Sign in, sign out, the one-time first admin set-up, and a staff member's own account."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import text

from forms.auth import ChangePasswordForm, ConfirmForm, LoginForm, SetupForm

from ..access import accounts
from ..access.roles import ANY_STAFF, public, roles_required
from ..access.throttle import refused_sign_in
from ..models import Role
from ..models.base import utcnow
from ..privacy import records
from ..web.extensions import db
from ..web.pages import Routes, keeps_input, safe_next

routes = Routes()

HOME_BY_ROLE = {Role.ORGANISER: "organise.dashboard", Role.ADMIN: "organise.dashboard", Role.FINANCE: "finance.home"}


@routes.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    return redirect(url_for("auth.login"))


@routes.route("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _sign_in(user) -> None:
    # A fresh session at every sign-in: nothing from before (or planted by someone else) carries over.
    session.clear()
    accounts.start_session(user)
    login_user(user)


@routes.route("/login", methods=["GET", "POST"])
@public
@keeps_input
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            target = safe_next(request.args.get("next"), HOME_BY_ROLE[result.user.role])
            _sign_in(result.user)
            db.session.commit()
            return redirect(target)
        if result.refused:
            message, status, headers = refused_sign_in(result.refused)
        else:
            message, status = _("The email address or password is not right. Check them and try again."), 400
        form.password.errors.append(message)
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, title=pgettext("staff account", "Sign in")), status, headers


@routes.route("/logout", methods=["POST"])
@public
def logout():
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a forged request
    if current_user.is_authenticated:
        accounts.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("auth.login"))


@routes.route("/setup/<token>", methods=["GET", "POST"])
@public
@keeps_input
def setup(token):
    row = accounts.setup_token_valid(token)
    if row is None:
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        if accounts.find_user(form.email.data) is not None:
            form.email.errors.append(_("There is already an account with this email address."))
        else:
            user = accounts.create_user(form.email.data, form.name.data, Role.ADMIN, form.password.data)
            row.used_at = utcnow()
            db.session.flush()
            _sign_in(user)
            db.session.commit()
            flash(_("Your admin account is ready. You can now add other staff."))
            return redirect(url_for("admin.users"))
    return render_template("auth/setup.html", form=form, title=_("Create the first admin account")), \
        400 if form.errors else 200


@routes.route("/account", methods=["GET", "POST"])
@roles_required(*ANY_STAFF)
@keeps_input
def account():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    status, headers = 200, {}
    if form.validate_on_submit():
        result = accounts.check_current_password(current_user._get_current_object(), form.current.data)
        db.session.commit()
        if result.refused:
            message, status, headers = refused_sign_in(result.refused)
            form.current.errors.append(message)
        elif result.user is None:
            form.current.errors.append(_("Your current password is not right. Check it and try again."))
        else:
            user = current_user._get_current_object()
            # The hash is never copied into the audit trail, so the event says only that it changed.
            with records.changed(user, event="change-password", always=True):
                user.password_hash = accounts.hash_password(form.password.data, user.email)
            # Every session of this account ends, and this browser gets a fresh one.
            accounts.end_all_sessions(user)
            _sign_in(user)
            db.session.commit()
            flash(_("Your password has been changed. You have been signed out everywhere else."))
            return redirect(url_for("auth.account"))
    if form.errors and status == 200:
        status = 400
    return render_template("auth/account.html", form=form, title=_("Your account")), status, headers
