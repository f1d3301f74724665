"""Fields whose every message is a whole sentence that says what to do."""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField, TimeField
from wtforms.validators import StopValidation


class Radios(RadioField):
    """Radio buttons; nothing chosen, or a value that is not one of the choices, gets one clear message."""

    def __init__(self, label=None, message=None, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data in (None, "", "None") or all(self.data != str(choice.value) for choice in self.iter_choices()):
            raise StopValidation(self.message)


class _PlainParseError:
    """Replaces WTForms' "Not a valid ... value." with the field's own sentence."""

    def __init__(self, label=None, invalid_message=None, **kwargs):
        super().__init__(label, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if valuelist and not any(str(v).strip() for v in valuelist):
            self.data = None  # left empty: Required says so if it matters; optional fields stay empty
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


class DateEntry(_PlainParseError, DateField):
    """A date from FIRST_YEAR to LAST_YEAR. A year like 1900 or 2207 is a slip of the finger, and keeping
    clear of years 1 and 9999 keeps tax-year and time-zone arithmetic (date(year - 1, ...)) safe."""

    FIRST_YEAR, LAST_YEAR = 2000, 2099

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.FIRST_YEAR <= self.data.year <= self.LAST_YEAR:
            self.data = None
            raise ValueError(_l("Check the year. Enter a date between %(first)d and %(last)d.",
                                first=self.FIRST_YEAR, last=self.LAST_YEAR))


class TimeEntry(_PlainParseError, TimeField):
    pass


class MoneyField(StringField):
    """Pounds typed as text ("15.50", "15", "£15.50", "1,250") held as integer pence in `.data`.

    Parsed with Decimal, never float, so the pence are exact. Anything else (more than two decimal
    places, a minus sign, "1e3", words) gets the field's `invalid_message`."""

    POUNDS_RE = re.compile(r"(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?")
    MAX_PENCE = 999_999_999  # fits a 32-bit integer column on PostgreSQL

    def __init__(self, label=None, invalid_message=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false",
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.invalid_message = invalid_message

    @classmethod
    def parse(cls, text: str) -> int | None:
        """Pounds as text to integer pence, or None when it is not an amount of money."""
        text = text.strip().removeprefix("£").strip()
        match = cls.POUNDS_RE.fullmatch(text)
        if not match:
            return None
        pounds = Decimal(f"{match['pounds'].replace(',', '')}.{match['pence'] or '0'}")
        pence = pounds * 100
        return int(pence) if pence <= cls.MAX_PENCE else None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        if not text.strip():
            self.data = None
            return
        self.data = self.parse(text)
        if self.data is None:
            raise ValueError(self.invalid_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(abs(self.data), 100)
        return f"{'-' if self.data < 0 else ''}{pounds}.{pence:02d}"
