"""'Tell us how it went' on the door tablet: the Charter's Co-production Checklist, one question a page,
anonymous. The pages themselves are shared with personal links and the meeting's link
(participation/checklist_pages.py)."""
from flask import redirect, url_for

from ..participation import kiosk, taking_part
from ..participation.checklist_pages import checklist_open, first_page, step_page
from ..participation.kiosk import door_only
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()
BASE = "door/base.html"


def _open_meeting():
    """The tablet's meeting if its checklist is open, else None. The cached copy may be behind an organiser
    who has just opened it (on another worker or server), so it is read afresh before anyone is turned away."""
    meeting = kiosk.meeting()
    if meeting is None or not checklist_open(meeting):
        meeting = kiosk.meeting(fresh=True)
    return meeting if meeting is not None and checklist_open(meeting) else None


def _action(number: int) -> str:
    return url_for("door.checklist_step", number=number)


@routes.route("/door/checklist")
@door_only
def checklist():
    if _open_meeting() is None:
        return redirect(url_for("door.welcome"))
    return first_page(_action, BASE, visit=kiosk.visit_key(), token=kiosk.form_token())


@routes.route("/door/checklist/<int:number>", methods=["POST"])
@door_only
@keeps_input
def checklist_step(number):
    meeting = _open_meeting()
    if meeting is None:
        return redirect(url_for("door.welcome"))

    def save(answers, _form):
        taking_part.save_checklist(meeting.id, answers)
        db.session.commit()
        return redirect(url_for("door.thanks"))

    return step_page(number, _action, BASE, save, lambda: redirect(url_for("door.thanks")),
                     visit=kiosk.visit_key())
