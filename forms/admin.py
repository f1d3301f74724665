"""Admin forms: staff accounts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, SubmitField

from .auth import NewPasswordMixin
from .base import BaseForm
from .fields import Radios
from .validators import EmailAddress, MaxLength, Required


class StaffDetailsForm(BaseForm):
    name = StringField(_l("Full name"), validators=[
        Required(_l("Enter their full name.")), MaxLength(200, _l("Names must be 200 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = Radios(_l("Role"), message=_l("Choose a role."))
    active = BooleanField(_l("Account is active"), description=_l("Untick to stop this person signing in. "
                                                                   "It signs them out everywhere."))
    submit = SubmitField(_l("Save account"))


class NewStaffForm(NewPasswordMixin, StaffDetailsForm):
    email = EmailField(_l("Email address"), validators=[
        Required(_l("Enter their email address.")),
        EmailAddress(_l("Enter an email address in the right format, like name@example.org.")),
        MaxLength(254, _l("Email addresses must be 254 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "email"})
    submit = SubmitField(_l("Create account"))
