"""'Suggest something to talk about' at the door."""
from flask import url_for

from ..participation import kiosk
from ..participation.kiosk import door_only
from ..participation.shared_pages import suggest_page
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/door/suggest", methods=["GET", "POST"])
@door_only
@keeps_input
def suggest():
    meeting = kiosk.meeting()
    return suggest_page(meeting.group_id, meeting.id, "door", done_url=url_for("door.thanks"),
                        back_url=url_for("door.welcome"), base="door/base.html", visit=kiosk.visit_key())
