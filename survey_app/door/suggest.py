"""'Suggest something to talk about' at the door."""
from flask import url_for

from ..pages import Routes, keeps_input
from ..roles import door_only
from . import kiosk
from .shared import suggest_page

routes = Routes()


@routes.route("/door/suggest", methods=["GET", "POST"])
@door_only
@keeps_input
def suggest():
    meeting = kiosk.meeting()
    return suggest_page(meeting.group_id, meeting.id, "door", done_url=url_for("door.thanks"),
                        back_url=url_for("door.welcome"), base="door/base.html", visit=kiosk.visit_key())
