"""The organiser's support plan: marking a need arranged, or not arranged yet, for one meeting."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import AnyOf

from .base import BaseForm
from .validators import Required

ARRANGED, NOT_ARRANGED = "yes", "no"


class ArrangedForm(BaseForm):
    """Says which state is wanted rather than "toggle", so a double press or a resubmit changes nothing."""

    arranged = HiddenField(validators=[
        Required(_l("Choose whether the support is arranged.")),
        AnyOf((ARRANGED, NOT_ARRANGED), message=_l("Choose whether the support is arranged.")),
    ])
