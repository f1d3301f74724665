"""Pages a participant opens from home: their personal link for a meeting, and a group's public
"have your say" link for people who cannot come."""
from flask import Blueprint

from . import equality, group_link, meeting_link, personal, stop

bp = Blueprint("invite", __name__)
for module in (personal, equality, group_link, meeting_link, stop):
    module.routes.register(bp)
