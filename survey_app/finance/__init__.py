"""Finance pages: approve recognition, hold, build and pay returns, payee references."""
from flask import Blueprint

from . import approvals, letters, payees, returns, summary

bp = Blueprint("finance", __name__)
for module in (approvals, returns, payees, summary, letters):
    module.routes.register(bp)
