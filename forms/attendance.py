"""Marking who took part in a meeting or activity, and how; and recording an activity of a group."""
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField

from .base import BaseForm
from .fields import DateEntry, Radios
from .validators import MaxLength, Required

LONDON = ZoneInfo("Europe/London")
ACTIVITY_TIME = time(10)  # an activity has a date only: it is stored at 10:00 London time


class TookPartForm(BaseForm):
    """The ticked people come from request.form.getlist("person") (participation.attendance.chosen_ids)."""

    how = Radios(_l("How did they take part?"), message=_l("Choose how they took part."))
    submit = SubmitField(_l("Mark as attended"))


class ActivityForm(BaseForm):
    kind = Radios(_l("What kind of activity?"), message=_l("Choose what kind of activity it is."))
    title = StringField(_l("Title"), description=_l("For example, Visit to the new health centre."), validators=[
        Required(_l("Enter a title for the activity.")),
        MaxLength(200, _l("The title must be 200 characters or fewer."))])
    date = DateEntry(_l("Date"), description=_l("For example, 27 March 2027."), validators=[
        Required(_l("Enter the date of the activity."))],
        invalid_message=_l("Enter a real date for the activity, like 27 March 2027."))
    purpose = TextAreaField(_l("What is it for? (optional)"), description=_l("Use plain words. People will see this."),
                            validators=[MaxLength(5000, _l("The purpose must be 5,000 characters or fewer."))])
    cost_code = StringField(_l("Cost code (optional)"), validators=[
        MaxLength(40, _l("The cost code must be 40 characters or fewer."))],
        render_kw={"spellcheck": "false"})
    submit = SubmitField(_l("Save activity"))

    def starts_at(self) -> datetime:
        return datetime.combine(self.date.data, ACTIVITY_TIME, tzinfo=LONDON).astimezone(UTC)
