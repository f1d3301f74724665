"""The Charter report's choice (issue 18): which group, or every group, and which period. Sent by GET."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, ValidationError

from .base import BaseForm
from .fields import DateEntry, Radios

EVERY_GROUP = "all"
DATES = "dates"
# The council's year runs from 1 April to 31 March; its quarters start in April, July, October and January.
PERIODS = [SelectChoice("this_quarter", _l("This quarter")), SelectChoice("last_quarter", _l("Last quarter")),
           SelectChoice("this_year", _l("This year (1 April to 31 March)")),
           SelectChoice("last_year", _l("Last year (1 April to 31 March)")),
           SelectChoice(DATES, _l("Choose the dates"))]


class CharterReportForm(BaseForm):
    """Group choices are set by the view: EVERY_GROUP first, then each group's id."""

    class Meta:
        csrf = False  # a GET choice changes nothing

    group = SelectField(_l("Group"), choices=[], validate_choice=False)
    period = Radios(_l("Period"), message=_l("Choose the period the report covers."), choices=PERIODS)
    date_from = DateEntry(_l("First day"), description=_l("For example, 1 April 2026."),
                          invalid_message=_l("Enter the first day as a real date, like 1 April 2026."))
    date_to = DateEntry(_l("Last day"), description=_l("For example, 31 March 2027. This day is included."),
                        invalid_message=_l("Enter the last day as a real date, like 31 March 2027."))

    def validate_group(self, field):
        if field.data not in {str(choice.value) for choice in field.iter_choices()}:
            raise ValidationError(_l("Choose a group, or every group."))

    def validate_date_from(self, field):
        if self.period.data == DATES and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the first day of the report."))

    def validate_date_to(self, field):
        if self.period.data != DATES or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Enter the last day of the report."))
        if self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day must be the same as the first day or after it."))

    def group_id(self) -> int | None:
        return None if self.group.data == EVERY_GROUP else int(self.group.data)
