"""'Do you need any support today?' after signing in at the door."""
from flask import redirect, url_for

from ..participation import kiosk
from ..participation.kiosk import door_only
from ..participation.shared_pages import support_page
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/door/support", methods=["GET", "POST"])
@door_only
@keeps_input
def support():
    person_id = kiosk.person_id()
    if person_id is None:
        return redirect(url_for("door.sign_in"))
    return support_page(kiosk.meeting(), person_id, done_url=url_for("door.thanks"),
                        skip_url=url_for("door.thanks"), base="door/base.html", door=True,
                        visit=kiosk.visit_key())
