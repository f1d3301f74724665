"""The door tablet: what participants touch at the meeting door."""
from flask import Blueprint

from . import checklist, equality, offline, offline_client, register, signin, suggest, support, vote, welcome

bp = Blueprint("door", __name__)
for module in (welcome, signin, register, equality, support, suggest, vote, checklist, offline, offline_client):
    module.routes.register(bp)
bp.before_request(welcome.only_on_its_day)
bp.before_request(welcome.refuse_form_from_other_visit)
bp.add_app_template_global(offline_client.offline_texts, "offline_texts")
