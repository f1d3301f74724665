"""Admin forms: staff accounts, rates and budgets. Group and year choices are set by the view."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField

from .auth import NewPasswordMixin
from .base import BaseForm
from .fields import DateEntry, MoneyField, Radios
from .validators import EmailAddress, MaxLength, OneChoice, Required, ValidationError


class StaffDetailsForm(BaseForm):
    name = StringField(_l("Full name"), validators=[
        Required(_l("Enter their full name.")), MaxLength(200, _l("Names must be 200 characters or fewer."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = Radios(_l("Role"), message=_l("Choose a role."))
    organisation = SelectField(_l("Organisation (optional)"), choices=[], validate_choice=False)
    is_champion = BooleanField(_l("Co-production Champion for their organisation"))
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


def _money(label, message, hint=None):
    return MoneyField(label, description=hint, validators=[Required(message)], invalid_message=message)


class RateForm(BaseForm):
    group = SelectField(_l("Group"), choices=[], validators=[OneChoice(_l("Choose the group these rates are for."))],
                        validate_choice=False)
    applies_from = DateEntry(_l("Date these rates apply from"), description=_l("For example, 6 April 2026."),
                             validators=[Required(_l("Enter the date these rates apply from."))],
                             invalid_message=_l("Enter a real date these rates apply from, like 6 April 2026."))
    hourly = _money(_l("Hourly rate"), _l("Enter the hourly rate in pounds and pence, like 15.50."),
                    _l("In pounds and pence, like 15.50."))
    half_day = _money(_l("Half-day fee"), _l("Enter the half-day fee in pounds and pence, like 40.00."),
                      _l("In pounds and pence, like 40.00."))
    day = _money(_l("Whole-day fee"), _l("Enter the whole-day fee in pounds and pence, like 75.00."),
                 _l("In pounds and pence, like 75.00."))
    mileage = _money(_l("Mileage rate per mile"), _l("Enter the mileage rate per mile in pounds and pence, like 0.45."),
                     _l("In pounds and pence, like 0.45 for 45p a mile."))
    submit = SubmitField(_l("Save rates"))


class BudgetForm(BaseForm):
    group = SelectField(_l("Group"), choices=[], validators=[OneChoice(_l("Choose the group this budget is for."))],
                        validate_choice=False)
    year = SelectField(_l("Tax year"), description=_l("Tax years run from 6 April to 5 April."), choices=[],
                       validators=[OneChoice(_l("Choose the tax year this budget is for."))], validate_choice=False)
    amount = _money(_l("Budget for the year"), _l("Enter the budget in pounds and pence, like 5000 or 5000.00."),
                    _l("In pounds, like 5000. If this group already has a budget for that year, this replaces it."))
    submit = SubmitField(_l("Save budget"))


class AuditFilterForm(BaseForm):
    """The audit log's filters, sent by GET. User and kind choices are set by the view."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    person = StringField(_l("Person number"), description=_l(
        "The number at the end of their page's address, like 42. Shows changes to their details, meetings, "
        "support needs, personal links, voices, votes and recognition, and who looked at them."),
        validators=[MaxLength(9, _l("Enter a person number, like 42."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"})
    user = SelectField(_l("Done by"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind of record"), choices=[], validate_choice=False)
    date_from = DateEntry(_l("First day to show"), description=_l("For example, 27 March 2027."),
                          invalid_message=_l("Enter the first day to show as a real date, like 27 March 2027."))
    date_to = DateEntry(_l("Last day to show"), description=_l("For example, 27 March 2027. This day is included."),
                        invalid_message=_l("Enter the last day to show as a real date, like 27 March 2027."))

    def validate_person(self, field):
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Enter a person number, like 42."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day to show must be the same as the first day or after it."))
