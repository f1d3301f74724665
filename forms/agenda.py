"""An organiser's forms for a meeting's agenda. Each carries a one-time token (OnceForm), so a double click
adds, moves or removes once; the rules live in survey_app/insight/agenda.py."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField

from .door import OnceForm
from .fields import Radios
from .validators import MaxLength, Required

ITEM_NEEDED = _l("Write what the item is about.")
ITEM_TOO_LONG = _l("Keep the item to 2,000 characters or fewer.")
EASY_TOO_LONG = _l("Keep the easy read wording to 2,000 characters or fewer.")


class AgendaItemForm(OnceForm):
    what = TextAreaField(_l("What to talk about"), description=_l("Use plain words. People will see this."),
                         validators=[Required(ITEM_NEEDED), MaxLength(2000, ITEM_TOO_LONG)], render_kw={"rows": 3})
    easy_read = TextAreaField(_l("In easy read (optional)"),
                              description=_l("Short sentences and everyday words. The door tablet and the easy "
                                             "read pages show this."),
                              validators=[MaxLength(2000, EASY_TOO_LONG)], render_kw={"rows": 3})
    # The choices are AgendaSource's labels, set by the view; never a person's name.
    asked_by = Radios(_l("Who asked for it?"), message=_l("Choose who asked for it."), default="organisers")
    submit = SubmitField(_l("Add to the agenda"))


class EditAgendaItemForm(AgendaItemForm):
    submit = SubmitField(_l("Save the item"))


class AgendaButtonForm(OnceForm):
    """Move up, Move down, Remove: only the tokens."""
