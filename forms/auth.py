"""Staff sign-in, first admin set-up, and sign-out."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo

from . import passwords
from .base import BaseForm
from .validators import EmailAddress, MaxLength, Required, ValidationError

PASSWORD_HINT = _l("At least 8 characters, not a common password and not the email address. "
                   "Three random words together make a good password.")


class LoginForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[
        Required(_l("Enter your email address.")),
        EmailAddress(_l("Enter an email address in the right format, like name@example.org.")),
    ], render_kw={"autocomplete": "username", "spellcheck": "false", "inputmode": "email"})
    password = PasswordField(_l("Password"), validators=[Required(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(lazy_pgettext("staff account", "Sign in"))


class NewPasswordMixin:
    password = PasswordField(_l("Password"), description=PASSWORD_HINT, validators=[
        Required(_l("Enter a password.")),
        MaxLength(1024, _l("Passwords must be 1,024 characters or fewer.")),
    ], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Type the password again"), validators=[
        Required(_l("Type the password again.")),
        EqualTo("password", _l("The two passwords are not the same. Type them again.")),
    ], render_kw={"autocomplete": "new-password"})

    # The address the password will sign in with, when the form has no email field (the view sets it).
    account_email = None

    def validate_password(self, field):
        email_field = getattr(self, "email", None)
        email = email_field.data if email_field is not None else self.account_email
        refused = passwords.problem(field.data or "", email)
        if refused:
            raise ValidationError(refused)


class SetupForm(NewPasswordMixin, BaseForm):
    name = StringField(_l("Your full name"), validators=[
        Required(_l("Enter your full name.")), MaxLength(200, _l("Names must be 200 characters or fewer."))],
        render_kw={"autocomplete": "name", "spellcheck": "false"})
    email = EmailField(_l("Email address"), validators=[
        Required(_l("Enter your email address.")),
        EmailAddress(_l("Enter an email address in the right format, like name@example.org.")),
        MaxLength(254, _l("Email addresses must be 254 characters or fewer.")),
    ], render_kw={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"})
    submit = SubmitField(_l("Create the admin account"))


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current = PasswordField(_l("Current password"), validators=[Required(_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Change password"))


class ConfirmForm(BaseForm):
    """A button with nothing but a CSRF token: sign out, and other one-click actions."""

    submit = SubmitField(_l("Continue"))
