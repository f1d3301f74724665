"""Benefits-aware recognition: an admin's earnings limits, and what a person told us about their benefits.
Choices are set by the view; the rules (consent first, a limit never edited) are in money/benefits.py."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from .base import BaseForm
from .fields import DateEntry, MoneyField, Radios, _PlainParseError
from .validators import MaxLength, Required

BENEFIT_VALUES = ("esa", "carers_allowance", "universal_credit", "income_support_jsa", "housing_benefit", "pip_dla",
                  "other")  # models.BenefitKind's values: forms/ never imports survey_app
DAY_MESSAGE = _l("Enter the assessment day as a number from 1 to 31.")


class BenefitLimitForm(BaseForm):
    benefit = Radios(_l("Benefit"), message=_l("Choose the benefit this limit is for."))
    name = StringField(_l("Name of the limit"), description=_l(
        "For example: Carer's Allowance earnings limit. Use the same name as before to replace an older figure."),
        validators=[Required(_l("Enter the name of the limit.")),
                    MaxLength(200, _l("Keep the name to 200 characters or fewer."))])
    period = Radios(_l("Period"), message=_l("Choose whether the limit is for a week or an assessment month."))
    amount = MoneyField(_l("Limit"), description=_l("In pounds and pence, like 196 or 195.50."),
                        validators=[Required(_l("Enter the limit in pounds and pence, like 196 or 195.50."))],
                        invalid_message=_l("Enter the limit in pounds and pence, like 196 or 195.50."),
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    applies_from = DateEntry(_l("Date it applies from"), description=_l("For example, 6 April 2026."),
                             validators=[Required(_l("Enter the date this limit applies from."))],
                             invalid_message=_l("Enter a real date this limit applies from, like 6 April 2026."))
    source = TextAreaField(_l("Where the figure came from"), description=_l(
        "For example: GOV.UK, Benefit and pension rates 2026 to 2027."),
        validators=[Required(_l("Say where the figure came from, like the GOV.UK page.")),
                    MaxLength(1000, _l("Keep this to 1,000 characters or fewer."))])
    submit = SubmitField(_l("Add the limit"))


class DayEntry(_PlainParseError, IntegerField):
    pass


class PersonBenefitsForm(BaseForm):
    consent = BooleanField(_l("They agreed we can record which benefits they get"), description=_l(
        "Without this, nothing else on this page is saved. Unticking it deletes what we recorded here."))
    benefits = SelectMultipleField(_l("Which benefits do they get?"), choices=[], validate_choice=False)
    uc_assessment_day = DayEntry(_l("Universal Credit assessment day (optional)"), description=_l(
        "The day of the month their assessment period starts, from 1 to 31. If not known, the 1st is used."),
        invalid_message=DAY_MESSAGE, render_kw={"inputmode": "numeric", "autocomplete": "off"})
    agreement = SelectField(_l("What they agreed"), choices=[], validate_choice=False)
    agreement_note = TextAreaField(_l("Note about what they agreed (optional)"), description=_l(
        "For example, how much less they will take, or which charity. Organisers see it when recording."),
        validators=[MaxLength(1000, _l("Keep the note to 1,000 characters or fewer."))])
    permitted_work_form_on = DateEntry(_l("Date the ESA permitted work form (PW1) was sent (optional)"),
                                       description=_l("For example, 27 March 2027."),
                                       invalid_message=_l("Enter a real date, like 27 March 2027."))
    submit = SubmitField(_l("Save"))

    def validate_uc_assessment_day(self, field):
        if field.data is not None and not 1 <= field.data <= 31:
            raise ValidationError(DAY_MESSAGE)


for _value in BENEFIT_VALUES:  # which of a benefit's several limits applies to them (ESA lower or higher)
    setattr(PersonBenefitsForm, f"limit_{_value}", SelectField(
        _l("Which limit applies to them?"), choices=[], validate_choice=False))
