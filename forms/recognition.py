"""Organiser forms for recognising someone's time: one form per kind, so each page asks one thing."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from .base import BaseForm
from .fields import DateEntry, MoneyField, Radios, _PlainParseError
from .validators import MaxLength, Required

DATE_MESSAGE = _l("Enter a real date, like 27 March 2027.")


class NumberEntry(_PlainParseError, DecimalField):
    """A decimal number whose parse error is our own sentence. "NaN" and "Infinity" parse as decimals
    but are not numbers anyone means (and NaN cannot even be compared), so they get the sentence too."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.invalid_message)


class LineForm(BaseForm):
    activity_on = DateEntry(_l("Date"), validators=[Required(_l("Enter the date of the work."))],
                            invalid_message=DATE_MESSAGE)
    activity = StringField(_l("What it was for, if not a meeting"),
                           description=_l("For example: reading the papers, a phone consultation, a visit."),
                           validators=[MaxLength(200, _l("Keep this to 200 characters or fewer."))])
    description = TextAreaField(_l("Notes (optional)"),
                                description=_l("For example, if they chose to take less, or said no."),
                                validators=[MaxLength(1000, _l("Keep the notes to 1,000 characters or fewer."))])
    cost_code = StringField(_l("Cost code (optional)"), validators=[
        MaxLength(40, _l("The cost code must be 40 characters or fewer."))], render_kw={"spellcheck": "false"})
    # Shown only when the benefits check warns (money/benefits.py); the view then requires it.
    benefits_reason = TextAreaField(_l("Reason to go ahead"), description=_l(
        "For example: they know, and have decided the payment is worth it to them. Finance sees this."),
        validators=[MaxLength(1000, _l("Keep the reason to 1,000 characters or fewer."))])
    submit = SubmitField(_l("Save"))

    def validate_activity(self, field):
        if not self.meta.has_meeting and not field.data:
            raise ValidationError(_l("Say what the work was for."))

    class Meta:
        has_meeting = False


class PaymentForm(LineForm):
    basis = Radios(_l("How are they paid?"), message=_l("Choose how they are paid."))
    hours = NumberEntry(_l("Hours (if paid by the hour)"), places=2,
                        invalid_message=_l("Enter the hours as a number from 0.25 to 24, like 2 or 2.5."),
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def validate_hours(self, field):
        if self.basis.data == "hours" and (field.data is None or not 0 < field.data <= 24
                                           or field.data != round(field.data, 2)):
            raise ValidationError(_l("Enter the hours as a number from 0.25 to 24, like 2 or 2.5."))


class VoucherForm(LineForm):
    provider = StringField(_l("Voucher provider"), validators=[
        Required(_l("Enter who the voucher is from, like Love2Shop.")),
        MaxLength(100, _l("Keep this to 100 characters or fewer."))])
    value = MoneyField(_l("Value"), validators=[Required(_l("Enter the value of the voucher, like 25."))],
                       invalid_message=_l("Enter the value in pounds and pence, like 25 or 12.50."))
    serial = StringField(_l("Serial number or code"), validators=[
        MaxLength(100, _l("Keep this to 100 characters or fewer."))], render_kw={"spellcheck": "false"})
    handed_over_on = DateEntry(_l("Date handed over (optional)"), invalid_message=DATE_MESSAGE)
    signed_for = BooleanField(_l("They signed for it"))


class ThanksForm(LineForm):
    thanks_type = Radios(_l("How are we thanking them?"), message=_l("Choose how we are thanking them."))


class ExpenseForm(LineForm):
    expense_type = Radios(_l("What kind of expense?"), message=_l("Choose what kind of expense it is."))
    amount = MoneyField(_l("Amount (for anything but mileage)"),
                        invalid_message=_l("Enter the amount in pounds and pence, like 6.40."))
    miles = NumberEntry(_l("Miles (for mileage)"), places=1,
                        invalid_message=_l("Enter the miles as a number, like 12 or 12.5."),
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    receipt_seen = BooleanField(_l("We have seen a receipt"))

    def validate_amount(self, field):
        if self.expense_type.data and self.expense_type.data != "mileage" and not field.data:
            raise ValidationError(_l("Enter the amount in pounds and pence, like 6.40."))

    def validate_miles(self, field):
        if self.expense_type.data == "mileage" and (field.data is None or not 0 < field.data <= 1000
                                                    or field.data != round(field.data, 1)):
            raise ValidationError(_l("Enter the miles as a number, like 12 or 12.5."))


class EveryoneForm(BaseForm):
    basis = Radios(_l("Pay everyone who came and wants paying"), message=_l("Choose how they are paid."))
    submit = SubmitField(_l("Record for everyone not yet recognised"))


class BenefitsForm(BaseForm):
    talked_on = DateEntry(_l("Date you talked"), validators=[Required(_l("Enter the date you talked."))],
                          invalid_message=DATE_MESSAGE)
    with_whom = StringField(_l("Who talked to them"), validators=[
        Required(_l("Enter who talked to them.")), MaxLength(200, _l("Keep this to 200 characters or fewer."))])
    submit = SubmitField(_l("Record the conversation"))


class CorrectionForm(BaseForm):
    amount = MoneyField(_l("The right amount"), description=_l("Enter 0 if nothing should have been paid."),
                        validators=[Required(_l("Enter the right amount, or 0."))],
                        invalid_message=_l("Enter the amount in pounds and pence, like 30 or 0."))
    reason = StringField(_l("Why it needs correcting"), validators=[
        Required(_l("Say why it needs correcting.")), MaxLength(200, _l("Keep this to 200 characters or fewer."))])
    submit = SubmitField(_l("Make the correction"))
