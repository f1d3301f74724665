"""Suggestion forms: an organiser's triage, and a vote on the door tablet. The rules that need the
database (a meeting of the same group, a reason when not taken forward) live in survey_app/insight/suggestions.py."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField

from .base import BaseForm
from .door import OnceForm
from .fields import Radios
from .validators import MaxLength, ValidationError


class TriageForm(BaseForm):
    status = Radios(_l("What happens to this suggestion?"), message=_l("Choose what happens to this suggestion."))
    planned_meeting = SelectField(_l("Which meeting is it planned for?"),
                                  description=_l("Only if it is planned for a meeting."),
                                  choices=[], validate_choice=False)
    reason = TextAreaField(_l("Why is it not taken forward?"),
                           description=_l("Only if it is not taken forward. The person who suggested it, and "
                                          "everyone else, will read this on the group's public page."),
                           validators=[MaxLength(2000, _l("Keep the reason to 2,000 characters or fewer."))],
                           render_kw={"rows": 4})
    submit = SubmitField(_l("Save"))


# Plain ASCII digits that fit a 32-bit integer: str.isdigit() also accepts "²" and "٣", and int()
# refuses the first and any number of more than 4,300 digits.
ID_RE = re.compile(r"[0-9]{1,9}")


class VoteForm(OnceForm):
    """'I want to talk about this' at the door: which suggestion, with the form's one-time token."""

    suggestion = HiddenField()
    page = HiddenField()

    def page_number(self) -> int:
        """The page the vote was made on; 1 for anything that is not a plain number."""
        return int(self.page.data) if ID_RE.fullmatch(self.page.data or "") else 1

    def validate_suggestion(self, field):
        if not ID_RE.fullmatch(field.data or ""):
            raise ValidationError(_l("Something went wrong on our side. Please press the button again."))
