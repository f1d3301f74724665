"""A person's own link for one meeting: say what support you need, suggest something, before the day."""
import re

from flask import abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.base import BaseForm

from ..access.roles import by_personal_link
from ..insight import agenda
from ..models import InformationFormat, Invitation, Meeting
from ..models.base import LONDON
from ..money.recognition import rate_for
from ..participation import invitations
from ..participation.shared_pages import suggest_page, support_page
from ..web import errors
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()
LINK_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # what invitations.make_links issues


def _invitation(token: str) -> Invitation:
    """The invitation a working link names; anything else (unknown, withdrawn, expired) gets the plain
    "This link no longer works" page."""
    invitation = None
    if LINK_TOKEN_RE.match(token):
        invitation = db.session.scalar(
            select(Invitation).options(joinedload(Invitation.person), joinedload(Invitation.meeting)
                                       .joinedload(Meeting.group)).where(Invitation.token == token))
    if invitation is None or not invitations.link_works(invitation):
        abort(make_response(*errors.link_no_longer_works()))
    g.person_language = invitation.person.language  # their own language by default
    return invitation


@routes.route("/invite/<token>")
@by_personal_link
def invitation(token):
    inv = _invitation(token)
    rate = rate_for(inv.meeting.group_id, inv.meeting.starts_at.astimezone(LONDON).date())
    return render_template("invite/welcome.html", title=_("Hello %(name)s", name=inv.person.preferred_name
                                                           or inv.person.first_name),
                           invitation=inv, meeting=inv.meeting, token=token,
                           fee=rate.half_day_pence if rate else None, contact_group=inv.meeting.group,
                           agenda_items=agenda.items(inv.meeting_id),
                           easy=inv.person.information_format == InformationFormat.EASY_READ)


@routes.route("/invite/<token>/language", methods=["POST"])
@by_personal_link
def language(token):
    """Their saved language is the default; they can choose another for this visit."""
    _invitation(token)
    BaseForm().validate_on_submit()  # CSRFProtect has already checked the token
    if request.form.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.form["lang"]
    return redirect(url_for("invite.invitation", token=token))


@routes.route("/invite/<token>/support", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def support(token):
    inv = _invitation(token)
    return support_page(inv.meeting, inv.person_id, done_url=url_for("invite.thanks", token=token),
                        skip_url=url_for("invite.invitation", token=token), base="invite/base.html",
                        contact_group=inv.meeting.group)


@routes.route("/invite/<token>/suggest", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def suggest(token):
    inv = _invitation(token)
    return suggest_page(inv.meeting.group_id, inv.meeting_id, "invite", done_url=url_for("invite.thanks", token=token),
                        back_url=url_for("invite.invitation", token=token), base="invite/base.html",
                        contact_group=inv.meeting.group)


@routes.route("/invite/<token>/thanks")
@by_personal_link
def thanks(token):
    inv = _invitation(token)
    return render_template("invite/thanks.html", title=_("Thank you"),
                           back_url=url_for("invite.invitation", token=token), meeting=inv.meeting,
                           contact_group=inv.meeting.group)
