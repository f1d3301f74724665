"""Fields whose every message is a whole sentence that says what to do."""
from wtforms import DateField, RadioField, TimeField
from wtforms.validators import StopValidation


class Radios(RadioField):
    """Radio buttons; nothing chosen, or a value that is not one of the choices, gets one clear message."""

    def __init__(self, label=None, message=None, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data in (None, "", "None") or all(self.data != str(value) for value, *_ in self.iter_choices()):
            raise StopValidation(self.message)


class _PlainParseError:
    """Replaces WTForms' "Not a valid ... value." with the field's own sentence."""

    def __init__(self, label=None, invalid_message=None, **kwargs):
        super().__init__(label, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


class DateEntry(_PlainParseError, DateField):
    pass


class TimeEntry(_PlainParseError, TimeField):
    pass
