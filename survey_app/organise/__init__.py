"""Organiser pages: one module per feature, all under the `organise` blueprint."""
from flask import Blueprint

from . import dashboard, groups, invitations, meetings, organisations, people, recognition

bp = Blueprint("organise", __name__)
for module in (dashboard, groups, invitations, meetings, organisations, people, recognition):
    module.routes.register(bp)
