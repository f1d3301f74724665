"""The printable batch of invitation letters for the people of a meeting who get messages by post: one letter
a page, in each person's language, easy read and large print where asked, with their personal link and its
QR code."""
from flask import abort, g, render_template
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..access.roles import ORGANISERS, roles_required
from ..insight import agenda
from ..messages import compose
from ..models import Meeting
from ..participation import invitations
from ..privacy import audit
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, external_url
from .invitations import qr_svg

routes = Routes()


def letter_links(meeting: Meeting) -> list:
    """The meeting's working personal links whose person gets letters, agreed to us keeping their details
    and is not erased: nothing is sent to anyone else."""
    return [inv for inv in invitations.working_links_for(meeting)
            if inv.person.contact_method in compose.LETTER_METHODS and inv.person.consent_at is not None
            and not inv.person.erased]


@routes.route("/meetings/<int:meeting_id>/letters")
@roles_required(*ORGANISERS)
def letters(meeting_id):
    mtg = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)
    links = letter_links(mtg)
    items = agenda.items(mtg.id)
    pages = []
    # The letters are drawn before the page (compose renders without render_template): each picture is drawn
    # once for the whole batch, as web/symbols.py does for a page, starting from none.
    g._symbols_drawn = set()
    for inv in links:
        url = external_url("invite.invitation", token=inv.token)
        pages.append(compose.invitation_letter(inv.person, mtg, url, qr_svg(url), agenda_items=items))
    # A printed link is a copy of the key leaving the building, as on the invitations print page.
    audit.record_each("view-print-link", links,
                      lambda inv: {"meeting_id": inv.meeting_id, "person_id": inv.person_id, "as": "letter"})
    db.session.commit()
    return render_template("organise/letters.html", title=with_theirs(_("Letters to print: %(name)s"),
                                                                      name=mtg.title),
                           meeting=mtg, letters=pages)
