"""Erasing a person's details: the admin types a word to show they mean it."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField

from .base import BaseForm
from .validators import MaxLength, Required, ValidationError

CONFIRM_WORD = "ERASE"


class EraseForm(BaseForm):
    confirm = StringField(_l("To confirm, type the word ERASE"),
                          validators=[Required(_l("Type the word ERASE to confirm you want to erase their details.")),
                                      MaxLength(20, _l("Type only the word ERASE."))],
                          render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Erase their details"))

    def validate_confirm(self, field):
        if field.data.strip().upper() != CONFIRM_WORD:
            raise ValidationError(_l("Type the word ERASE to confirm you want to erase their details."))
