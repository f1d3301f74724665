"""Organiser pages: one module per feature, all under the `organise` blueprint."""
from flask import Blueprint

from . import dashboard, groups, meetings, organisations, people

bp = Blueprint("organise", __name__)
for module in (dashboard, groups, meetings, organisations, people):
    module.routes.register(bp)
