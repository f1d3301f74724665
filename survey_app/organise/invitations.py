"""Inviting people to a meeting, their personal links, and printable invitations with a QR code."""
import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.auth import ConfirmForm
from forms.organise import SearchForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import agenda
from ..models import Attendance, Invitation, Meeting, Person
from ..models.base import utcnow
from ..participation import invitations, taking_part
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, external_url, record_id

routes = Routes()


def _meeting(meeting_id) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


@routes.route("/meetings/<int:meeting_id>/invitations")
@roles_required(*ORGANISERS)
def invitations_page(meeting_id):
    mtg = _meeting(meeting_id)
    search = SearchForm(request.args)
    q = (search.q.data or "").strip() if search.validate() else ""
    on_list = set(db.session.scalars(select(Attendance.person_id).where(Attendance.meeting_id == mtg.id)))
    matches = [p for p in taking_part.people_matching(q) if p.id not in on_list] if q else []
    links = {i.person_id: i for i in invitations.links_for(mtg)}
    attendances = db.session.scalars(select(Attendance).options(joinedload(Attendance.person))
                                     .where(Attendance.meeting_id == mtg.id)).all()
    attendances.sort(key=lambda a: (a.person.last_name.casefold(), a.person.first_name.casefold()))
    return render_template("organise/invitations.html", title=with_theirs(_("Invitations: %(name)s"), name=mtg.title),
                           meeting=mtg, search=search, q=q, matches=matches, attendances=attendances, links=links,
                           works_until=invitations.works_until(mtg), expired=utcnow() > invitations.works_until(mtg))


@routes.route("/meetings/<int:meeting_id>/invitations/add", methods=["POST"])
@roles_required(*ORGANISERS)
def invite_person(meeting_id):
    mtg = _meeting(meeting_id)
    ConfirmForm().validate_on_submit()  # CSRFProtect has already checked the token
    person = db.session.get(Person, record_id(request.form.get("person_id")) or 0) or abort(404)
    if invitations.invite(mtg, person):
        db.session.commit()
        flash(_("%(name)s is invited.", name=person.display_name))
    return redirect(url_for("organise.invitations_page", meeting_id=mtg.id))


@routes.route("/meetings/<int:meeting_id>/invitations/links", methods=["POST"])
@roles_required(*ORGANISERS)
def make_links(meeting_id):
    mtg = _meeting(meeting_id)
    ConfirmForm().validate_on_submit()
    made = invitations.make_links(mtg)
    db.session.commit()
    flash(_("Personal links made: %(count)d.", count=made))
    return redirect(url_for("organise.invitations_page", meeting_id=mtg.id))


def _invitation(meeting_id: int, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id, options=[joinedload(Invitation.person),
                                                                    joinedload(Invitation.meeting)])
    if invitation is None or invitation.meeting_id != meeting_id:
        abort(404)
    return invitation


@routes.route("/meetings/<int:meeting_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@roles_required(*ORGANISERS)
def withdraw_link(meeting_id, invitation_id):
    invitation = _invitation(meeting_id, invitation_id)
    if ConfirmForm().validate_on_submit() and invitation.withdrawn_at is None:
        invitations.withdraw(invitation)
        db.session.commit()
        flash(_("The personal link for %(name)s no longer works.", name=invitation.person.display_name))
    return redirect(url_for("organise.invitations_page", meeting_id=meeting_id))


@routes.route("/meetings/<int:meeting_id>/invitations/<int:invitation_id>/reissue", methods=["POST"])
@roles_required(*ORGANISERS)
def reissue_link(meeting_id, invitation_id):
    invitation = _invitation(meeting_id, invitation_id)
    if ConfirmForm().validate_on_submit():
        invitations.reissue(invitation)
        db.session.commit()
        flash(_("%(name)s has a new personal link; the old one no longer works. Print or send the new one.",
                name=invitation.person.display_name))
    return redirect(url_for("organise.invitations_page", meeting_id=meeting_id))


def qr_svg(url: str) -> Markup:
    """The link as an inline SVG QR code (made here, no outside service)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # noqa: S704 (segno's own SVG of our link)


@routes.route("/meetings/<int:meeting_id>/invitations/print")
@roles_required(*ORGANISERS)
def print_invitations(meeting_id):
    mtg = _meeting(meeting_id)
    links = invitations.working_links_for(mtg)
    cards = []
    for inv in links:
        url = external_url("invite.invitation", token=inv.token)
        cards.append((inv.person, url, qr_svg(url)))
    invitations.record_printed(links)
    return render_template("organise/invitations_print.html", title=_("Invitations to print"), meeting=mtg,
                           cards=cards, agenda_items=agenda.items(mtg.id))
