"""Validators with whole-sentence messages. They check the shape of input, never the database."""
import re

from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^[0-9+() -]{7,20}$")
# A National Insurance number anywhere in the text: two letters, six digits, a final A-D ("QQ 12 34 56 C").
NI_NUMBER_RE = re.compile(r"(?<![A-Z0-9])[A-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D](?![A-Z0-9])", re.I)
# A sort code then an account number ("12-34-56 12345678", "123456 12345678", "12345612345678").
BANK_DETAILS_RE = re.compile(r"(?<!\d)\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s/,;:-]*\d{8}(?!\d)")

__all__ = ["Required", "MaxLength", "Optional", "EmailAddress", "PhoneNumber", "ValidationError", "OneChoice",
           "NotNINumberOrBankDetails"]


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


class NotNINumberOrBankDetails:
    """Refuses text shaped like a National Insurance number or a sort code and account number: fields
    that say never to hold them (payee references) must not hold them."""

    def __init__(self, ni_message, bank_message):
        self.ni_message, self.bank_message = ni_message, bank_message

    def __call__(self, form, field):
        if not field.data:
            return
        if NI_NUMBER_RE.search(field.data):
            raise ValidationError(self.ni_message)
        if BANK_DETAILS_RE.search(field.data):
            raise ValidationError(self.bank_message)
