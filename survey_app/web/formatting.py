"""Template filters: times shown in Europe/London, money from integer pence, through Babel."""
from datetime import datetime
from decimal import Decimal

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, format_time


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def local_date(value: datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def local_time(value: datetime | None, fmt: str = "short") -> str:
    return format_time(value, fmt) if value else ""


def pence(value: int | None) -> str:
    """Integer pence as pounds in the page's locale: 1250 -> £12.50."""
    return format_currency(Decimal(value or 0) / 100, "GBP")


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_time, "time")
    app.add_template_filter(pence, "pence")
    app.add_template_global(field_anchor, "field_anchor")


def field_anchor(field) -> str:
    """Where an error-summary link should land: the field, its first option, or the page for CSRF."""
    from wtforms.csrf.core import CSRFTokenField
    from wtforms.fields.choices import RadioField

    if isinstance(field, CSRFTokenField):
        return "main"
    if isinstance(field, RadioField):
        return f"{field.id}-0"
    return field.id
