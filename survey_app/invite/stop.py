""""Stop messages like this": the link at the end of every message. Opening it only asks (mail programs
open links to check them); pressing the button stops that kind of message for that person. The page
says nothing about who the link belongs to, and an unknown link gets the same "no longer works" page as
a personal link."""
from flask import abort, make_response, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from forms.stop_messages import StopMessagesForm

from ..access.roles import by_personal_link
from ..messages import outbox
from ..models import MessageKind, Person
from ..web import errors
from ..web.extensions import db
from ..web.pages import Routes
from .personal import LINK_TOKEN_RE

routes = Routes()
KINDS = {kind.value: kind for kind in MessageKind}


def _person(token: str, kind: str) -> tuple[Person, MessageKind]:
    person = None
    if LINK_TOKEN_RE.match(token) and kind in KINDS:
        person = db.session.scalar(select(Person).where(Person.message_token == token,
                                                        Person.erased_at.is_(None)))
    if person is None:
        abort(make_response(*errors.link_no_longer_works()))
    return person, KINDS[kind]


@routes.route("/stop/<token>/<kind>", methods=["GET", "POST"])
@by_personal_link
def stop_messages(token, kind):
    person, message_kind = _person(token, kind)
    form = StopMessagesForm()
    if form.validate_on_submit():
        outbox.opt_out(person, message_kind)
        db.session.commit()
        return render_template("invite/stopped.html", title=_("We will not send these any more"),
                               kind=message_kind)
    return render_template("invite/stop.html", title=_("Stop these messages?"), kind=message_kind, form=form)
