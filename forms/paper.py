"""Typing in a checklist answered on paper (staff page): every question on one page."""
from flask_babel import lazy_gettext as _l

from .checklist import FIELDS, nothing_answered, stored_answers
from .door import ChecklistForm

EMPTY_PAPER = _l("Fill in at least one answer from the paper form.")


class PaperChecklistForm(ChecklistForm):
    """The door's answer fields (a choice that is not one of the question's counts as not answered), and a
    one-time token so a double click saves one response. A form with nothing filled in is refused."""

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if nothing_answered(stored_answers({name: self[name].data for name in FIELDS})):
            self.achieved.errors = [EMPTY_PAPER]
            return False
        return True
