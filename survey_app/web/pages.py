"""Small helpers shared by the blueprints' views."""
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from werkzeug.routing import IntegerConverter
from wtforms import SelectChoice


def keeps_input(view):
    """Mark a view that validates a FlaskForm: if its CSRF token has expired, the view itself shows
    the form again with what was typed, instead of a bare error page (see errors.csrf_failed)."""
    view.keeps_input = True
    return view


def safe_next(target: str | None, default_endpoint: str) -> str:
    """Only follow a ?next= that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default_endpoint)


def external_url(endpoint: str, **values) -> str:
    """A full link for use off the site (printed, in a QR code, given to someone): on PUBLIC_BASE_URL, never
    on the Host header a request happened to send. Without PUBLIC_BASE_URL (development only) the request's
    own address is used."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, _external=False, **values)


MAX_ID = 2**31 - 1  # the largest id a PostgreSQL integer column holds


def record_id(text: str | None) -> int | None:
    """The id a form or link names, or None. str.isdigit() alone also passes "²" and "٣" (which int()
    refuses) and numbers too big for the database; only plain digits within range count."""
    if text and len(text) <= 10 and text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def requested_page() -> int:
    """The page of a list the request asks for (`?page=`): 1 when not given. Anything but a plain number
    from 1 to MAX_ID ("0", "-1", "x", "٣", a number too big for the database's OFFSET) is "not found"."""
    text = request.args.get("page", "")
    if text == "":
        return 1
    return record_id(text) or abort(404)


def paginate(query, per_page: int | None = None):
    """Flask-SQLAlchemy's paginate for the requested page; a page after the last one is "not found"."""
    from .extensions import db

    page = requested_page()
    result = db.paginate(query, page=page, per_page=per_page or current_app.config["PER_PAGE"], error_out=False,
                         count=True)
    if page > max(1, result.pages):
        abort(404)
    return result


def requested_year(low: int = 2000, high: int = 2100) -> int | None:
    """The year a page is asked for (`?year=`), or None when not given; a year that is not plain ASCII digits
    between `low` and `high` is "not found" (a date cannot hold year 999999999)."""
    text = request.args.get("year", "")
    if text == "":
        return None
    return plain_year(text, low, high) or abort(404)


def plain_year(text: str | None, low: int = 2000, high: int = 2100) -> int | None:
    """A four-digit year between `low` and `high`, or None."""
    if text and len(text) == 4 and text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


class RecordIdConverter(IntegerConverter):
    """<int:...> in a route: a number beyond what the database holds is "not found", not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def choices_from(rows, label=lambda r: r.name, empty: SelectChoice | None = None) -> list[SelectChoice]:
    """A select's choices, one per row by its id, after `empty` (the "none chosen" choice) if given."""
    choices = [SelectChoice(str(r.id), label(r)) for r in rows]
    return [empty, *choices] if empty else choices


class Routes:
    """Collects a feature module's routes so its blueprint can register them explicitly,
    one module per feature under one blueprint, with no import-order tricks."""

    def __init__(self):
        self._rules = []

    def route(self, rule: str, **options):
        def decorator(view):
            self._rules.append((rule, view, options))
            return view

        return decorator

    def register(self, bp) -> None:
        for rule, view, options in self._rules:
            bp.add_url_rule(rule, view_func=view, **options)


class SimplePage:
    """Page numbers for a list whose rows are not one model (Flask-SQLAlchemy's paginate needs one)."""

    def __init__(self, page: int, per_page: int, total: int):
        self.page, self.per_page, self.total = page, per_page, total
        self.pages = max(1, (total + per_page - 1) // per_page)
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1

    @classmethod
    def requested(cls, per_page: int, total: int) -> "SimplePage":
        """The page the request asks for; a page after the last one is "not found"."""
        page = cls(requested_page(), per_page, total)
        if page.page > page.pages:
            abort(404)
        return page
