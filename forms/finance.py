"""Finance forms: approving, building and paying returns, payee references."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField

from .base import BaseForm
from .fields import DateEntry
from .validators import MaxLength, NotNINumberOrBankDetails, Required

DATE_MESSAGE = _l("Enter a real date, like 27 March 2027.")


class BuildReturnForm(BaseForm):
    period_to = DateEntry(_l("Lines up to this date (optional)"), invalid_message=DATE_MESSAGE)
    cost_code = StringField(_l("Only this cost code (optional)"), validators=[
        MaxLength(40, _l("The cost code must be 40 characters or fewer."))], render_kw={"spellcheck": "false"})
    submit = SubmitField(_l("Build the return"))


class PaidForm(BaseForm):
    paid_on = DateEntry(_l("Date paid"), validators=[Required(_l("Enter the date it was paid."))],
                        invalid_message=DATE_MESSAGE)
    submit = SubmitField(_l("Mark as paid"))


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
