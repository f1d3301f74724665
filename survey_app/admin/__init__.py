"""Admin pages: staff accounts (rates and the audit log come with their own issues)."""
from flask import Blueprint

from . import users

bp = Blueprint("admin", __name__)
users.routes.register(bp)
