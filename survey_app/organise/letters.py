"""The printable batch of a meeting's letters: the queued messages (invitations, one-off messages and the
rest) of people who get them by post, one letter a page, each as it was composed when it was queued (in
their language, easy read and large print where asked; an invitation with its personal link and QR code).
Once printed, the organiser says so and they leave the batch."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.messages import LettersPrintedForm
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..messages import sender, sending
from ..models import Invitation, Meeting, MessageKind
from ..participation import taking_part
from ..privacy import audit
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input, record_id

routes = Routes()


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


@routes.route("/meetings/<int:meeting_id>/letters")
@roles_required(*ORGANISERS)
def letters(meeting_id):
    mtg = _meeting(meeting_id)
    waiting = sending.letters_for(mtg)
    pages, ids = sending.printed_pages(waiting), [m.id for m in waiting]  # before the commit expires them
    invited = [m.person_id for m in waiting if m.kind is MessageKind.INVITATION]
    links = db.session.scalars(select(Invitation).where(Invitation.meeting_id == mtg.id,
                                                        Invitation.person_id.in_(invited))).all() if invited else []
    # A printed link is a copy of the key leaving the building, as on the invitations print page.
    audit.record_each("view-print-link", links,
                      lambda inv: {"meeting_id": inv.meeting_id, "person_id": inv.person_id, "as": "letter"})
    db.session.commit()
    form = LettersPrintedForm(formdata=None)
    form.form_token.data = new_form_token()
    return render_template("organise/letters.html", title=with_theirs(_("Letters to print: %(name)s"),
                                                                      name=mtg.title),
                           meeting=mtg, letters=pages, ids=ids, form=form)


@routes.route("/meetings/<int:meeting_id>/letters/printed", methods=["POST"])
@roles_required(*ORGANISERS)
@keeps_input
def letters_printed(meeting_id):
    mtg = _meeting(meeting_id)
    form = LettersPrintedForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0])
    elif not taking_part.claim(form.form_token.data):
        flash(_("That was done already."))
    else:
        # Only the letters that were on the page: any queued since were not printed.
        shown = {record_id(value) for value in request.form.getlist("letter")}
        count = sender.mark_printed([m.id for m in sending.letters_for(mtg) if m.id in shown], by=current_user)
        db.session.commit()
        flash(ngettext("%(num)d letter marked as printed.", "%(num)d letters marked as printed.", count))
    return redirect(url_for("organise.letters", meeting_id=mtg.id))
