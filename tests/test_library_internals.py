"""The three places that lean on a library's private internals, each for a reason named at the place.

Held only by a version pin in pyproject.toml. When a library changes the internal's shape, these fail with a
message that names the library, the internal and what to do, before an export, a page or the 503 page
quietly slows down or breaks:
- exports/workbook.py: openpyxl's write-only worksheet (`_write_only`, `_values_to_row`, `_add_sheet`, `_style`);
- survey_app/web/i18n.py: Flask-Babel's `Babel.domain_instance`, filled in through the instance's __dict__;
- survey_app/web/unavailable.py: Flask-Login's `g._login_user`, its per-request cache of current_user.
Each is checked twice: the internal still has the expected shape, and the fast path is actually taken.
"""
import functools
import inspect
import io
import sqlite3
from datetime import date
from decimal import Decimal
from importlib.metadata import version as installed_version

import flask_babel
import flask_login
import openpyxl
import pytest
from flask import g
from openpyxl.cell import Cell
from sqlalchemy.exc import OperationalError
from werkzeug.utils import cached_property

from exports.workbook import MONEY_FORMAT, Column, Sheet, Total, write_workbook
from survey_app.web import i18n, unavailable


def broken(library: str, internal: str, used_by: str, what_to_do: str) -> str:
    version = installed_version(library)
    return (f"{library} {version} no longer matches what {used_by} relies on: {internal}. {what_to_do} "
            f"(See the comment at the place, and the {library} pin in pyproject.toml.)")


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


# --- openpyxl: exports/workbook.py ------------------------------------------------------------------------------

OPENPYXL_TODO = ("Re-write exports/workbook.py's _Worksheet._values_to_row from openpyxl's new one (or drop the "
                 "subclass and use wb.create_sheet), then check bench/export.py still gives at least 0.8x.")


def test_openpyxl_write_only_internals_have_the_shape_exports_workbook_relies_on():
    message = functools.partial(broken, "openpyxl", used_by="exports/workbook.py", what_to_do=OPENPYXL_TODO)
    try:
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    except ImportError:  # pragma: no cover - only when openpyxl moves it
        pytest.fail(message("the private module openpyxl.worksheet._write_only (WriteOnlyWorksheet)"))

    assert parameters(getattr(WriteOnlyWorksheet, "_values_to_row", None) or (lambda: None)) == [
        "self", "values", "row_idx"], message("WriteOnlyWorksheet._values_to_row(self, values, row_idx)")
    assert "self._values_to_row(" in inspect.getsource(WriteOnlyWorksheet._write_rows), message(
        "WriteOnlyWorksheet._write_rows, which no longer calls self._values_to_row (so the override is never used)")
    assert parameters(getattr(openpyxl.Workbook, "_add_sheet", None) or (lambda: None))[:2] == [
        "self", "sheet"], message("Workbook._add_sheet(self, sheet, index=None)")
    assert parameters(Cell)[:5] == ["worksheet", "row", "column", "value", "style_array"], message(
        "Cell(worksheet, row, column, value, style_array)")

    wb = openpyxl.Workbook(write_only=True)
    template = Cell(wb.create_sheet())
    template.number_format = MONEY_FORMAT
    shared = getattr(template, "_style", None)
    assert shared is not None and Cell(wb.create_sheet(), 1, 1, 1, shared).number_format == MONEY_FORMAT, message(
        "Cell._style, the style array a new Cell(..., style_array) takes its look from")


def test_openpyxl_ready_made_cells_skip_the_failed_conversion(monkeypatch):
    """openpyxl's own _values_to_row formats every ready-made cell into a ValueError message it then catches;
    the override takes the cell as it is. A cell that cannot be formatted proves the fast path is taken."""
    def no_repr(cell):
        raise AssertionError(broken("openpyxl", "the write-only worksheet's _values_to_row: the override in "
                                    "exports/workbook.py was not used for a ready-made Cell", "exports/workbook.py",
                                    OPENPYXL_TODO))

    monkeypatch.setattr(Cell, "__repr__", no_repr)
    out = io.BytesIO()
    rows = [("Fee", 1250, date(2027, 5, 12), Decimal("1.50"), "=SUM(A1:A2)"), Total(("Total", 1250))]
    write_workbook([Sheet("Return", [Column("What"), Column("Amount", "money"), Column("On", "date"),
                                     Column("Hours", "decimal"), Column("Note")], iter(rows))], out)

    monkeypatch.undo()
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Return"]
    assert sheet["B2"].value == Decimal("12.5") or sheet["B2"].value == 12.5
    assert sheet["B2"].number_format == MONEY_FORMAT and sheet["A3"].font.bold
    assert sheet["E2"].value == "=SUM(A1:A2)" and sheet["E2"].data_type == "s"


# --- Flask-Babel: survey_app/web/i18n.py -------------------------------------------------------------------------

BABEL_TODO = ("Make survey_app/web/i18n.py set its RequestCachedDomain as Flask-Babel's default another way "
              "(e.g. DOMAIN.as_default() in a before_request hook), then check the door pages in `make bench` "
              "stay at or above 0.3x.")


def test_flask_babel_default_domain_is_a_cached_property_read_by_get_domain(app):
    message = functools.partial(broken, "Flask-Babel", used_by="survey_app/web/i18n.py", what_to_do=BABEL_TODO)
    found = inspect.getattr_static(flask_babel.Babel, "domain_instance", None)
    assert isinstance(found, (cached_property, functools.cached_property)), message(
        "Babel.domain_instance (no longer a cached_property, so setting it in the instance's __dict__ is ignored "
        "or breaks)")
    assert "domain_instance" in inspect.getsource(flask_babel.get_domain), message(
        "get_domain(), which no longer falls back to Babel.domain_instance")
    config = app.extensions.get("babel")
    assert isinstance(getattr(config, "instance", None), flask_babel.Babel), message(
        'app.extensions["babel"].instance (the Babel object behind the app)')


def test_flask_babel_finds_the_catalogue_once_per_request(app, monkeypatch):
    message = functools.partial(broken, "Flask-Babel", used_by="survey_app/web/i18n.py", what_to_do=BABEL_TODO)
    looked_up = []
    real = flask_babel.Domain.get_translations

    def counting(self):
        looked_up.append(self)
        return real(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    with app.test_request_context("/door/", headers={"Accept-Language": "pl"}):
        assert flask_babel.get_domain() is i18n.DOMAIN, message(
            "get_domain(): it no longer returns the domain put in Babel.domain_instance")
        for _ in range(5):
            flask_babel.gettext("Sign in")
            flask_babel.ngettext("%(num)d person", "%(num)d people", 2)
        assert looked_up == [i18n.DOMAIN], message(
            "Domain.get_translations: the catalogue was looked up more than once in a request")


# --- Flask-Login: survey_app/web/unavailable.py ------------------------------------------------------------------

LOGIN_TODO = ("Make survey_app/web/unavailable.py keep the 503 page from loading the staff user another way "
              "(e.g. render it without Flask-Login's context processor), then run tests/test_faults.py.")


def test_flask_login_caches_current_user_in_g_login_user():
    message = functools.partial(broken, "Flask-Login", used_by="survey_app/web/unavailable.py", what_to_do=LOGIN_TODO)
    source = inspect.getsource(flask_login.utils._get_user)
    assert '"_login_user" not in g' in source and "return g._login_user" in source, message(
        "utils._get_user(), which no longer reads its per-request cache g._login_user")
    assert "g._login_user = user" in inspect.getsource(flask_login.LoginManager._update_request_context_with_user), (
        message("LoginManager._update_request_context_with_user(), which no longer fills g._login_user"))


def test_the_503_page_never_loads_the_staff_user(app, monkeypatch):
    message = functools.partial(broken, "Flask-Login", used_by="survey_app/web/unavailable.py", what_to_do=LOGIN_TODO)
    loads = []
    monkeypatch.setattr(app.login_manager, "_load_user", lambda: loads.append(1))
    locked = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    with app.test_request_context("/organisations/new", method="POST", data={"name": "Halton"}):
        page, status, _headers = unavailable.database_unavailable(locked)
        assert not loads, message("g._login_user: setting it no longer stops the template context from loading "
                                  "the staff user from the database")
        assert status == 503 and 'class="retry"' in page  # the template, not the bare-words fallback
        assert not g._login_user.is_authenticated
