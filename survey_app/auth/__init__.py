"""Staff sign-in, sign-out, first admin set-up and the account page."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from ..web.extensions import login_manager
from . import views

bp = Blueprint("auth", __name__)
views.routes.register(bp)


def init_login(app: Flask) -> None:
    from ..access.accounts import load_session_user

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to see that page.")
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
