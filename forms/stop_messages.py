"""The participant's "stop messages like this" form."""
from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from .base import BaseForm


class StopMessagesForm(BaseForm):
    """The one button on a "stop messages like this" page."""

    submit = SubmitField(_l("Stop these messages"))
