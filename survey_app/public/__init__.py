"""Public pages for each group: no login, no participant names; what was suggested and what was done."""
from flask import Blueprint

from . import actions, suggestions

bp = Blueprint("public", __name__)
for module in (suggestions, actions):
    module.routes.register(bp)
