"""Who may see what: every staff view is wrapped by `roles_required`, checked in one place.

tests/test_permissions.py walks app.url_map and fails for a view without a marker set here.
"""
from functools import wraps

from flask import abort
from flask_login import current_user

from ..models import Role
from ..web.extensions import login_manager

ORGANISERS = (Role.ORGANISER, Role.ADMIN)
FINANCE = (Role.FINANCE, Role.ADMIN)
ADMINS = (Role.ADMIN,)
ANY_STAFF = (Role.ORGANISER, Role.FINANCE, Role.ADMIN)


def roles_required(*roles: Role):
    """Anonymous visitors go to the login page; a signed-in user without the role gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view):
    """Mark a view as deliberately open to everyone (login page, health check, error pages)."""
    view.allowed_roles = "public"
    return view


def by_personal_link(view):
    """Opened by a person's own link: the token in the URL is the only key (see invite/)."""
    view.allowed_roles = "personal-link"
    return view
