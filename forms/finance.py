"""Finance forms: approving, building and paying returns, payee references."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import SelectChoice, StringField, SubmitField, TextAreaField

from .base import BaseForm
from .door import OnceForm
from .fields import DateEntry, Radios
from .validators import MaxLength, NotNINumberOrBankDetails, Required

DATE_MESSAGE = _l("Enter a real date, like 27 March 2027.")
NO_REFERENCE = _l("Enter the payment reference from your finance system.")
NO_FAILURE_REASON = _l("Say why the payment failed.")


class BuildReturnForm(BaseForm):
    period_to = DateEntry(_l("Lines up to this date (optional)"), invalid_message=DATE_MESSAGE)
    cost_code = StringField(_l("Only this cost code (optional)"), validators=[
        MaxLength(40, _l("The cost code must be 40 characters or fewer."))], render_kw={"spellcheck": "false"})
    submit = SubmitField(_l("Build the return"))


class PaidForm(BaseForm):
    paid_on = DateEntry(_l("Date paid"), validators=[Required(_l("Enter the date it was paid."))],
                        invalid_message=DATE_MESSAGE)
    submit = SubmitField(_l("Mark as paid"))


class PayLinesForm(OnceForm):
    """Paying line by line: the payment reference and date from finance's system, or that it failed and why.
    Its one-time token makes a double press record it once."""
    outcome = Radios(_l("What happened?"), message=_l("Choose whether the lines were paid or the payment failed."),
                     choices=[SelectChoice("paid", lazy_pgettext("line status", "Paid")),
                              SelectChoice("failed", _l("The payment failed"))])
    payment_ref = StringField(_l("Payment reference (if paid)"),
                              description=_l("The reference your finance system gave the payment."),
                              validators=[MaxLength(100, _l("The payment reference must be 100 characters or fewer."))],
                              render_kw={"spellcheck": "false", "autocomplete": "off"})
    on = DateEntry(_l("Date paid, or the date it failed"), validators=[
        Required(_l("Enter the date it was paid, or the date it failed."))], invalid_message=DATE_MESSAGE)
    failure = TextAreaField(_l("Why the payment failed (if it failed)"), validators=[
        MaxLength(500, _l("Why the payment failed must be 500 characters or fewer."))])
    submit = SubmitField(_l("Record for the ticked lines"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.outcome.data == "paid" and not self.payment_ref.data:
            self.payment_ref.errors = [*self.payment_ref.errors, NO_REFERENCE]
            ok = False
        if self.outcome.data == "failed" and not self.failure.data:
            self.failure.errors = [*self.failure.errors, NO_FAILURE_REASON]
            ok = False
        return ok


class PayeeRefForm(BaseForm):
    payee_ref = StringField(_l("Payee reference"),
                            description=_l("Their reference in the payroll or supplier system. "
                                           "Never bank details or a National Insurance number."),
                            validators=[Required(_l("Enter the payee reference.")),
                                        MaxLength(40, _l("The reference must be 40 characters or fewer.")),
                                        NotNINumberOrBankDetails(
                                            _l("That looks like a National Insurance number. Enter their reference "
                                               "in the payroll or supplier system instead."),
                                            _l("That looks like a sort code and account number. Enter their "
                                               "reference in the payroll or supplier system instead: never bank "
                                               "details."))],
                            render_kw={"spellcheck": "false", "autocomplete": "off"})
    submit = SubmitField(_l("Save reference"))
