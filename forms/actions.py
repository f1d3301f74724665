"""Organiser forms for the action log and meeting notes. Choices from the database are set by the view;
the rules about explanations live in survey_app/insight/actions.py."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from .base import BaseForm
from .door import OnceForm
from .fields import DateEntry, Radios
from .validators import MaxLength, Required

DATE_MESSAGE = _l("Enter a real date, like 27 March 2027.")


class ActionForm(BaseForm):
    what = TextAreaField(_l("What will we do?"), description=_l("Use plain words. People will see this."),
                         validators=[Required(_l("Say what we will do.")),
                                     MaxLength(2000, _l("Keep this to 2,000 characters or fewer."))],
                         render_kw={"rows": 3})
    owner = StringField(_l("Who owns it"),
                        description=_l("A name or a role, as people will see it, like Sam Patel or the Carers Lead."),
                        validators=[Required(_l("Enter who owns this action.")),
                                    MaxLength(200, _l("Keep this to 200 characters or fewer."))],
                        render_kw={"autocomplete": "off"})
    owner_organisation = SelectField(_l("Their organisation (optional)"), choices=[], validate_choice=False)
    due_on = DateEntry(_l("Due by"), description=_l("For example, 27 March 2027."),
                       validators=[Required(_l("Enter the date it is due by."))], invalid_message=DATE_MESSAGE)
    meeting = SelectField(_l("The meeting it came from (optional)"), choices=[], validate_choice=False)
    decision = SelectField(_l("Follows from decision (optional)"),
                           description=_l("A decision made at the meeting it came from."),
                           choices=[], validate_choice=False)
    submit = SubmitField(_l("Add the action"))


class EditActionForm(ActionForm):
    status = Radios(_l("How is it going?"), message=_l("Choose how it is going."))
    explanation = TextAreaField(
        _l("Why it is late or not going ahead"),
        description=_l("Needed when it is past its due date or not going ahead. People will see this."),
        validators=[MaxLength(2000, _l("Keep the explanation to 2,000 characters or fewer."))],
        render_kw={"rows": 3})
    note = TextAreaField(_l("Progress update (optional)"),
                         description=_l("What has happened since the last update. People will see the latest one."),
                         validators=[MaxLength(2000, _l("Keep the update to 2,000 characters or fewer."))],
                         render_kw={"rows": 3})
    noted_on = DateEntry(_l("Date of the update"), description=_l("Leave empty for today."),
                         invalid_message=DATE_MESSAGE)
    submit = SubmitField(_l("Save the action"))


class NotesForm(BaseForm):
    text = TextAreaField(_l("What was said"),
                         description=_l("Use plain English: what people said, what was decided and what happens "
                                        "next. People will see this on the group's public page."),
                         validators=[Required(_l("Write what was said at the meeting.")),
                                     MaxLength(20000, _l("Keep the notes to 20,000 characters or fewer."))],
                         render_kw={"rows": 12})
    submit = SubmitField(_l("Save the notes"))


class DecisionForm(OnceForm):
    """A new decision; one-time, so a double tap records it once."""
    what = TextAreaField(_l("What was decided"),
                         description=_l("Use plain English. People will see this on the group's public page."),
                         validators=[Required(_l("Write what was decided.")),
                                     MaxLength(2000, _l("Keep this to 2,000 characters or fewer."))],
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Add the decision"))


class EditDecisionForm(BaseForm):
    what = DecisionForm.what
    submit = SubmitField(_l("Save the decision"))


class ActionFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Show"), choices=[], validate_choice=False)
