"""Template filters: times shown in Europe/London, money from integer pence, through Babel; text people
and organisers typed, marked with the language it was typed in."""
from datetime import datetime
from decimal import Decimal

from flask import Flask, current_app
from flask_babel import format_currency, format_date, format_datetime, format_time
from markupsafe import Markup, escape


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def local_date(value: datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def local_time(value: datetime | None, fmt: str = "short") -> str:
    return format_time(value, fmt) if value else ""


def pence(value: int | None) -> str:
    """Integer pence as pounds in the page's locale: 1250 -> £12.50."""
    return format_currency(Decimal(value or 0) / 100, "GBP")


def theirs(value, lang: str | None = None) -> Markup | str:
    """Text someone typed (a meeting title, an idea, a venue, a note), escaped, in <bdi lang="..">: a screen
    reader reads it with the voice of the language it was typed in, not the page's (an English title inside
    an Arabic page), and the browser keeps its direction apart from the page's (an English title ending
    in "!" keeps the "!" at its end inside right-to-left text). `lang`: the language the record says it
    was typed in, where it stores one; else CONTENT_LANGUAGE. Empty text gives "", so `{% if %}` still works."""
    if value is None or value == "":
        return ""
    lang = lang or current_app.config.get("CONTENT_LANGUAGE") or "en"
    # An f-string of escaped parts: five times quicker than Markup.format, and the door prints many of these.
    return Markup(f'<bdi lang="{escape(lang)}">{escape(value)}</bdi>')  # noqa: S704 -- both parts escaped


def with_theirs(message: str, **typed) -> Markup:
    """A translated sentence from Python with typed parts marked as |theirs does, for a page's heading:
    `with_theirs(_("Notes: %(meeting)s"), meeting=meeting.title)` (gettext without the values, so the
    sentence is escaped and the values go in marked). The page's <title> shows it through |plain."""
    return escape(message) % {name: theirs(value) for name, value in typed.items()}


def plain(value):
    """The text of a heading for <title>, which cannot hold elements: a with_theirs() heading without
    its <bdi>; anything else as it is (escaped on output as usual)."""
    return value.striptags() if isinstance(value, Markup) else value


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_time, "time")
    app.add_template_filter(pence, "pence")
    app.add_template_filter(theirs, "theirs")
    app.add_template_filter(plain, "plain")
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
