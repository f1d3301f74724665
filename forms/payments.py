"""Finance's and admins' forms for paying people: a payee's payment route, each kind's ledger and VAT codes,
and the import file's layout. Choices that come from the service (routes, fields, date formats) are set by
the view."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField

from .base import BaseForm
from .fields import Radios
from .validators import MaxLength, OneChoice, Required, ValidationError

MAX_COLUMNS = 20
FIXED_CHOICE = "fixed"
CODE_RE = re.compile(r"[A-Za-z0-9 ./_-]*")


class PaymentRouteForm(BaseForm):
    payment_route = SelectField(_l("Payment route"), choices=[], validate_choice=False,
                                validators=[OneChoice(_l("Choose how finance pays them."))])
    submit = SubmitField(_l("Save route"))


class Code:
    """Codes in finance's system: letters, numbers, spaces and . - / _ only."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and not CODE_RE.fullmatch(field.data):
            raise ValidationError(self.message)


def _ledger(label):
    return StringField(label, validators=[
        MaxLength(40, _l("Ledger codes must be 40 characters or fewer.")),
        Code(_l("Ledger codes may use only letters, numbers, spaces, dots, dashes, slashes and underscores."))],
        render_kw={"spellcheck": "false", "autocomplete": "off"})


def _vat(label, message):
    return StringField(label, description=_l("OS (outside the scope of VAT) unless finance says otherwise."),
                       validators=[Required(message), MaxLength(20, _l("VAT codes must be 20 characters or fewer.")),
                                   Code(_l("VAT codes may use only letters, numbers, spaces, dots, dashes, "
                                           "slashes and underscores."))],
                       render_kw={"spellcheck": "false", "autocomplete": "off"})


class LedgerCodesForm(BaseForm):
    payment_ledger = _ledger(_l("Ledger code for payments"))
    payment_vat = _vat(_l("VAT code for payments"), _l("Enter the VAT code for payments, like OS."))
    voucher_ledger = _ledger(_l("Ledger code for vouchers"))
    voucher_vat = _vat(_l("VAT code for vouchers"), _l("Enter the VAT code for vouchers, like OS."))
    expense_ledger = _ledger(_l("Ledger code for expenses"))
    expense_vat = _vat(_l("VAT code for expenses"), _l("Enter the VAT code for expenses, like OS."))
    submit = SubmitField(_l("Save codes"))


class ImportLayoutForm(BaseForm):
    """File type, date format and up to 20 numbered columns (heading_N, source_N, fixed_N, added below).
    A row left blank is ignored. `source_N` is a field name, FIXED_CHOICE, or "" for not used."""

    file_format = Radios(_l("File type"), message=_l("Choose CSV or an Excel sheet."))
    date_format = Radios(_l("How dates are written"), message=_l("Choose how dates are written."))
    submit = SubmitField(_l("Save the layout"))

    def set_choices(self, file_formats, date_formats, fields) -> None:
        self.file_format.choices = file_formats
        self.date_format.choices = date_formats
        sources = [("", _l("Not used")), *fields, (FIXED_CHOICE, _l("Fixed value"))]
        for n in range(1, MAX_COLUMNS + 1):
            self[f"source_{n}"].choices = sources

    def rows(self):
        """(n, heading field, source field, fixed value field) for each numbered row."""
        return [(n, self[f"heading_{n}"], self[f"source_{n}"], self[f"fixed_{n}"]) for n in range(1, MAX_COLUMNS + 1)]

    def fill(self, columns) -> None:
        """Show a stored layout: columns are (heading, field name or None, fixed value)."""
        for (_n, heading, source, value), column in zip(self.rows(), columns):
            heading.data = column[0]
            source.data = column[1] if column[1] else FIXED_CHOICE
            value.data = column[2] if not column[1] else ""

    def columns(self) -> list[tuple[str, str | None, str]]:
        """The rows filled in, in order: (heading, field name or None for a fixed value, fixed value)."""
        return [(heading.data, None if source.data == FIXED_CHOICE else source.data,
                 value.data if source.data == FIXED_CHOICE else "")
                for _n, heading, source, value in self.rows() if heading.data or source.data or value.data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        fields = {str(choice[0]) for choice in self.source_1.choices} - {"", FIXED_CHOICE}
        seen: dict[str, int] = {}
        used = 0
        for n, heading, source, value in self.rows():
            if not (heading.data or source.data or value.data):
                continue
            used += 1
            if not heading.data:
                heading.errors.append(_l("Enter a heading for column %(n)d.", n=n))
            elif heading.data.casefold() in seen:
                heading.errors.append(_l("Column %(n)d has the same heading as column %(m)d. Give each column "
                                         "its own heading.", n=n, m=seen[heading.data.casefold()]))
            else:
                seen[heading.data.casefold()] = n
            if source.data == FIXED_CHOICE:
                if not value.data:
                    value.errors.append(_l("Enter the fixed value for column %(n)d.", n=n))
            elif source.data not in fields:
                source.errors.append(_l("Choose a field or Fixed value for column %(n)d.", n=n))
            elif value.data:
                value.errors.append(_l("Column %(n)d takes its value from a field. Clear its fixed value or "
                                       "choose Fixed value.", n=n))
        if not used:
            self.heading_1.errors.append(_l("Add at least one column: a heading and a field or a fixed value."))
        return ok and not any(f.errors for _n, *row in self.rows() for f in row) and bool(used)


for _n in range(1, MAX_COLUMNS + 1):
    setattr(ImportLayoutForm, f"heading_{_n}", StringField(
        _l("Column %(n)d: heading", n=_n), validators=[
            MaxLength(100, _l("The heading of column %(n)d must be 100 characters or fewer.", n=_n))],
        render_kw={"spellcheck": "false", "autocomplete": "off"}))
    setattr(ImportLayoutForm, f"source_{_n}", SelectField(_l("Column %(n)d: field", n=_n), choices=[],
                                                          validate_choice=False))
    setattr(ImportLayoutForm, f"fixed_{_n}", StringField(
        _l("Column %(n)d: fixed value", n=_n), validators=[
            MaxLength(200, _l("The fixed value of column %(n)d must be 200 characters or fewer.", n=_n))],
        render_kw={"spellcheck": "false", "autocomplete": "off"}))
