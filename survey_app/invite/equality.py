"""The optional equality form from a person's own link (a link on its welcome page). The pages are shared
with the door (participation/equality_pages.py); the answers are counted for the link's meeting's group and
are kept, until the last page, only in this browser's session."""
from flask import session, url_for

from ..access.roles import by_personal_link
from ..participation.equality_pages import Place, offer_page, question_page
from ..web.pages import Routes, keeps_input
from .personal import _invitation

routes = Routes()
SESSION_KEY = "equality"


def _put(sealed: str | None) -> None:
    if sealed is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = sealed


def _place(token: str) -> Place:
    inv = _invitation(token)
    return Place(url=lambda key: url_for("invite.equality_question", token=token, key=key) if key
                 else url_for("invite.equality", token=token),
                 done_url=url_for("invite.thanks", token=token), base="invite/base.html",
                 get=lambda: session.get(SESSION_KEY), put=_put, group_id=inv.meeting.group_id,
                 context={"contact_group": inv.meeting.group})


@routes.route("/invite/<token>/about-you", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def equality(token):
    return offer_page(_place(token))


@routes.route("/invite/<token>/about-you/<key>", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def equality_question(token, key):
    return question_page(_place(token), key)
