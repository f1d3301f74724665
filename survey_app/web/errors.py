"""Plain-English error pages; never a traceback."""
from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import unavailable
from .extensions import db


def _layout() -> str:
    """Participants (door tablet, personal and group links, public pages) see their own large, simple layout."""
    base = unavailable.layout_for(request.path)
    return "base.html" if base == unavailable.STAFF_BASE else base


def _page(status: int, title: str, message: str):
    layout = _layout()
    return render_template("errors/error.html", layout=layout, staff=layout == "base.html", title=title,
                           message=message, status=status), status


def link_no_longer_works():
    """A personal link that was withdrawn, has expired or never existed: one plain page for all three (in
    the participant layout), so the page tells nobody which links once existed."""
    return _page(404, _("This link no longer works"), _("Ask the organiser for a new one."))


def init_app(app: Flask) -> None:
    unavailable.init_app(app)  # the database busy, gone, read-only or full: 503 "Please try again"

    @app.errorhandler(400)
    def bad_request(e):
        return _page(400, _("Something was wrong with that request"),
                     _("Go back, check what you entered and try again."))

    @app.errorhandler(CSRFError)
    def csrf_failed(e):
        # Views that validate a FlaskForm re-check the token themselves and show the form again with
        # everything the person typed; run those so nothing is lost.
        view = current_app.view_functions.get(request.endpoint)
        refused = getattr(view, "csrf_refused", None)  # a view answering a script says so its own way
        if refused is not None:
            return refused()
        if view is not None and getattr(view, "keeps_input", False):
            db.session.rollback()
            # The view's own form check looks only at the token; CSRFProtect may have refused something
            # else (on HTTPS, the Referer), so tell the form the request was refused whatever its token.
            g.csrf_refused = True
            try:
                return view(**(request.view_args or {}))
            except unavailable.DATABASE_ERRORS as error:  # handlers do not catch what a handler raises
                return unavailable.database_unavailable(error)
            except HTTPException as error:  # e.g. the view's own 404 or 403: its ordinary page, not a 500
                return current_app.handle_http_exception(error)
        return _page(400, _("This page was open for a long time"),
                     _("For your security we could not save that. Go back, reload the page and try again."))

    @app.errorhandler(403)
    def forbidden(e):
        return _page(403, _("You cannot see this page"),
                     _("Your account does not have permission for this page. Ask an admin if you think it should."))

    @app.errorhandler(404)
    def not_found(e):
        return _page(404, _("Page not found"),
                     _("Check the web address, or go back to the start page."))

    @app.errorhandler(405)
    def method_not_allowed(e):
        return _page(405, _("Page not found"), _("Check the web address, or go back to the start page."))

    @app.errorhandler(413)
    def too_large(e):
        return _page(413, _("That was too much to send"),
                     _("What you sent was too large. Make it shorter and try again."))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return _page(500, _("Sorry, something went wrong"),
                     _("Nothing you entered has been saved. Please try again in a minute."))

    @app.errorhandler(HTTPException)
    def other_http(e):
        return _page(e.code or 500, _("Something went wrong"),
                     _("Go back and try again."))
