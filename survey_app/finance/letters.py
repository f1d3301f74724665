"""Letters with no meeting to print them from (a remittance advice, a permitted-work reminder): queued for
people who get messages by post, or who get ESA (their remittance is always a letter). One letter a page,
each as it was composed when it was queued; once printed, finance says so and they leave the batch."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.messages import LettersPrintedForm
from forms.tokens import new_form_token

from ..access.roles import FINANCE, roles_required
from ..messages import sender, sending
from ..models import Message, MessageChannel, MessageStatus
from ..participation import taking_part
from ..web.extensions import db
from ..web.pages import Routes, keeps_input, record_id

routes = Routes()


def waiting_letters() -> list[Message]:
    """Queued letters that belong to no meeting, oldest first."""
    return list(db.session.scalars(select(Message).options(joinedload(Message.person))
                                   .where(Message.meeting_id.is_(None), Message.channel == MessageChannel.LETTER,
                                          Message.status == MessageStatus.QUEUED)
                                   .order_by(Message.created_at, Message.id)))


@routes.route("/letters")
@roles_required(*FINANCE)
def letters():
    waiting = waiting_letters()
    form = LettersPrintedForm(formdata=None)
    form.form_token.data = new_form_token()
    return render_template("finance/letters.html", title=_("Letters to print"), letters=sending.printed_pages(waiting),
                           ids=[m.id for m in waiting], form=form)


@routes.route("/letters/printed", methods=["POST"])
@roles_required(*FINANCE)
@keeps_input
def letters_printed():
    form = LettersPrintedForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0])
    elif not taking_part.claim(form.form_token.data):
        flash(_("That was done already."))
    else:
        # Only the letters that were on the page: any queued since were not printed.
        shown = {record_id(value) for value in request.form.getlist("letter")}
        count = sender.mark_printed([m.id for m in waiting_letters() if m.id in shown], by=current_user)
        db.session.commit()
        flash(ngettext("%(num)d letter marked as printed.", "%(num)d letters marked as printed.", count))
    return redirect(url_for("finance.letters"))
