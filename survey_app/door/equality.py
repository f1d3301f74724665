"""The optional equality form at the door, offered once "I'm new here" has saved the person (after how they
would like to be thanked), before "Do you need any support today?". The pages are shared with personal links
(participation/equality_pages.py); here the answers are kept in the door visit, so the next person, the idle
reset or "Start again" finds nothing of them."""
from flask import redirect, session, url_for

from ..participation import kiosk
from ..participation.equality_pages import Place, offer_page, question_page
from ..participation.kiosk import door_only
from ..web.pages import Routes, keeps_input

routes = Routes()


def _put(sealed: str | None) -> None:
    if sealed is None:
        if kiosk.EQUALITY in kiosk.visit():
            session[kiosk.VISIT] = {k: v for k, v in kiosk.visit().items() if k != kiosk.EQUALITY}
    else:
        kiosk.update_visit(**{kiosk.EQUALITY: sealed})


def _place() -> Place:
    return Place(url=lambda key: url_for("door.equality_question", key=key) if key else url_for("door.equality"),
                 done_url=url_for("door.support"), base="door/base.html",
                 get=lambda: kiosk.visit().get(kiosk.EQUALITY), put=_put, group_id=kiosk.meeting().group_id,
                 visit=kiosk.visit_key())


@routes.route("/door/about-you", methods=["GET", "POST"])
@door_only
@keeps_input
def equality():
    if kiosk.person_id() is None:
        return redirect(url_for("door.sign_in"))
    return offer_page(_place())


@routes.route("/door/about-you/<key>", methods=["GET", "POST"])
@door_only
@keeps_input
def equality_question(key):
    if kiosk.person_id() is None:
        return redirect(url_for("door.sign_in"))
    return question_page(_place(), key)
