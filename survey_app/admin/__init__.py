"""Admin pages: staff accounts, rates and budgets (the audit log comes with its own issue)."""
from flask import Blueprint

from . import budgets, rates, users

bp = Blueprint("admin", __name__)
users.routes.register(bp)
rates.routes.register(bp)
budgets.routes.register(bp)
