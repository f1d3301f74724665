"""The equality monitoring pages (issue 18) and the population figures admins enter for Halton. The questions
themselves live with their counts (survey_app/insight/equality.py); these forms only carry what is sent."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField, ValidationError

from .base import BaseForm
from .door import OnceForm


class EqualityOfferForm(OnceForm):
    """"Would you like to tell us a little about yourself?": its one-time token is kept for the whole form
    and used up when the last page is sent, so a double tap or a second tab counts the answers once."""


class EqualityStepForm(OnceForm):
    """One question. Its answer is read by the page (one of the question's own, or it counts as skipped)."""


POPULATION_SOURCE_MAX = 500


def parse_percent(text: str):
    """A share of the population as tenths of a per cent (12.5 -> 125), or None for an empty box."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_l("Enter the figure as a number of per cent, like 12.5.")) from None
    if not number.is_finite():
        raise ValidationError(_l("Enter the figure as a number of per cent, like 12.5."))
    if number < 0 or number > 100:
        raise ValidationError(_l("Enter a figure between 0 and 100."))
    if number != number.quantize(Decimal("0.1")):
        raise ValidationError(_l("Enter the figure with at most one number after the decimal point, like 12.5."))
    return int(number * 10)


def population_form_class(answers):
    """A form with a box per answer ((value, label) pairs) and the source of the figures."""

    class PopulationForm(BaseForm):
        source = TextAreaField(_l("Where the figures come from"),
                               description=_l("For example: Census 2021, Office for National Statistics."))
        submit = SubmitField(_l("Save figures"))

        def validate_source(self, field):
            if len(field.data or "") > POPULATION_SOURCE_MAX:
                raise ValidationError(_l("Write where the figures come from in 500 characters or fewer."))

        def tenths(self) -> dict:
            return {value: parse_percent(self[f"share_{value}"].data) for value, _label in answers}

        def validate(self, extra_validators=None) -> bool:
            ok = super().validate(extra_validators)
            for value, _label in answers:
                field = self[f"share_{value}"]
                try:
                    parse_percent(field.data)
                except ValidationError as error:
                    field.errors = [*field.errors, str(error)]
                    ok = False
            if ok and sum(t for t in self.tenths().values() if t is not None) > 1000:
                self[f"share_{answers[0][0]}"].errors = [
                    _l("The figures add up to more than 100%. Check them and try again.")]
                ok = False
            return ok

    for value, label in answers:
        setattr(PopulationForm, f"share_{value}", StringField(
            label, render_kw={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}))
    return PopulationForm
