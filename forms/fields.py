"""Fields whose every message is a whole sentence that says what to do."""
import re
from decimal import Decimal

from babel.numbers import format_decimal, get_decimal_symbol
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


class AmbiguousAmount(ValueError):
    """An amount that reads as two different sums depending on the writing habit ("1.250" or "1,250"
    where the page's language writes a decimal comma: £1250 or £1.25)."""


def _money_locale(locale=None):
    if locale is not None:
        return locale
    from flask_babel import get_locale  # outside a request: English, as the app's default

    return get_locale() or "en_GB"


class MoneyField(StringField):
    """Pounds typed as text, held as integer pence in `.data`, written the way the page's language writes
    numbers (Babel's decimal symbol for the current locale):

    - a decimal point (English, Arabic): "15.50", "15", "£15.50", "1,250", "1,250.50";
    - a decimal comma (Polish, Romanian, Portuguese): "12,50", "12,5", "1250", "1 250,50", "1.250,50", and
      "12.50" typed the English way, which cannot mean anything else. "1.250" and "1,250" could be a
      thousand pounds or one pound and a quarter, so they are refused with AMBIGUOUS, which says how to write it.

    Parsed with Decimal, never float, so the pence are exact. Anything else (more than two decimal
    places, a minus sign, "1e3", words) gets the field's `invalid_message`."""

    POUNDS_RE = re.compile(r"(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?")
    # Decimal comma: thousands grouped by spaces or by dots (the same all through), or not grouped.
    COMMA_POUNDS_RE = re.compile(r"(?P<pounds>[0-9]{1,3}(?:(?P<group>[. ])[0-9]{3})(?:(?P=group)[0-9]{3})*|[0-9]+)"
                                 r"(?:,(?P<pence>[0-9]{1,2}))?")
    DOT_DECIMAL_RE = re.compile(r"(?P<pounds>[0-9]+)\.(?P<pence>[0-9]{1,2})")
    AMBIGUOUS_RE = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")
    SPACES_RE = re.compile(r"[\u00a0\u202f ]")  # the no-break spaces Babel groups thousands with in pl and pt
    MAX_PENCE = 999_999_999  # fits a 32-bit integer column on PostgreSQL
    AMBIGUOUS = _l("We cannot tell if this is pounds and pence or thousands of pounds. Type it without a "
                   "thousands separator, like %(example)s.")

    def __init__(self, label=None, invalid_message=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false",
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.invalid_message = invalid_message

    @classmethod
    def decimal_comma(cls, locale=None) -> bool:
        return get_decimal_symbol(_money_locale(locale)) == ","

    @classmethod
    def parse(cls, text: str, locale=None) -> int | None:
        """Pounds as text to integer pence, or None when it is not an amount of money. `locale`: whose way
        of writing numbers (default: the page's). Raises AmbiguousAmount for "1.250" with a decimal comma."""
        text = text.strip().removeprefix("£").strip()
        if not cls.decimal_comma(locale):
            match = cls.POUNDS_RE.fullmatch(text)
            pounds = match["pounds"].replace(",", "") if match else ""
        else:
            text = cls.SPACES_RE.sub(" ", text)
            if cls.AMBIGUOUS_RE.fullmatch(text):
                raise AmbiguousAmount(text)
            match = cls.COMMA_POUNDS_RE.fullmatch(text) or cls.DOT_DECIMAL_RE.fullmatch(text)
            pounds = re.sub("[. ]", "", match["pounds"]) if match else ""
        if not match:
            return None
        pence = Decimal(f"{pounds}.{match['pence'] or '0'}") * 100
        return int(pence) if pence <= cls.MAX_PENCE else None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        if not text.strip():
            self.data = None
            return
        try:
            self.data = self.parse(text)
        except AmbiguousAmount:
            self.data = None
            raise ValueError(self.ambiguous_message()) from None
        if self.data is None:
            raise ValueError(self.invalid_message)

    @classmethod
    def ambiguous_message(cls) -> str:
        return str(cls.AMBIGUOUS) % {"example": format_decimal(Decimal("1250.50"), "0.00",
                                                               locale=_money_locale())}

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(abs(self.data), 100)
        point = "," if self.decimal_comma() else "."
        return f"{'-' if self.data < 0 else ''}{pounds}{point}{pence:02d}"
