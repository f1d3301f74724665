"""Validators with whole-sentence messages. They check the shape of input, never the database."""
import re

from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^[0-9+() -]{7,20}$")

__all__ = ["Required", "MaxLength", "Optional", "EmailAddress", "PhoneNumber", "ValidationError", "OneChoice"]


class Required(InputRequired):
    """Input required, with a message that says what to do ("Enter your first name")."""

    def __init__(self, message):
        super().__init__(message=message)

    def __call__(self, form, field):
        raw = " ".join(str(v) for v in (field.raw_data or [])).strip()
        if not raw or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)
        if field.data is None:
            raise StopValidation()  # typed but unreadable: the field's own message says what to fix


class MaxLength(Length):
    def __init__(self, limit: int, message):
        super().__init__(max=limit, message=message)


class EmailAddress:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError(self.message)


class PhoneNumber:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and not PHONE_RE.match(field.data):
            raise ValidationError(self.message)


class OneChoice:
    """For select and radio fields whose empty choice means 'not chosen yet'."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data in (None, "", "None"):
            field.errors[:] = []
            raise StopValidation(self.message)
