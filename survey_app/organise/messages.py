"""What organisers press to send: a group's message choices (with an example of each), a meeting's
invitations, and a one-off message to a meeting's people; each shows who gets what before it goes."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.messages import GroupMessagesForm, OneOffForm, SendInvitationsForm
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import agenda
from ..messages import sending
from ..models import Group, Meeting, MessageChannel
from ..participation import taking_part
from ..privacy import records
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input, record_id
from .invitations import qr_svg

routes = Routes()


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


def _already(meeting_id: int):
    """A double press, or a page sent again: the first one did it."""
    flash(_("That was done already."))
    return redirect(url_for("organise.meeting", meeting_id=meeting_id))


@routes.route("/groups/<int:group_id>/messages", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def group_messages(group_id):
    grp = db.session.get(Group, group_id) or abort(404)
    form = GroupMessagesForm(obj=grp)
    if form.validate_on_submit():
        records.update(grp, by=current_user, **{name: form[name].data for name in sending.SWITCHES.values()})
        db.session.commit()
        flash(_("Message choices saved."))
        return redirect(url_for("organise.group", group_id=grp.id))
    examples = sending.examples(grp)
    return render_template("organise/messages/group.html", title=with_theirs(_("Messages: %(name)s"), name=grp.name),
                           group=grp, form=form, switches=sending.SWITCHES, examples=examples,
                           example_meeting=sending.example_meeting(grp) if examples else None), \
        400 if form.errors else 200


def _preview(recipients_of, person_id: str | None):
    """The per-person list and the person whose message is shown. Nothing is written: someone without a
    stop-link key yet is shown a stand-in (deliver.PREVIEW_KEY); theirs is made when the message goes."""
    recipients = recipients_of()
    return recipients, sending.chosen(recipients, record_id(person_id))


def _letters_note(letters: int) -> None:
    if letters and not sending.notify_posts_letters():
        flash(ngettext("%(num)d letter to print.", "%(num)d letters to print.", letters))


@routes.route("/meetings/<int:meeting_id>/messages/invitations", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def send_invitations(meeting_id):
    mtg = _meeting(meeting_id)
    form = SendInvitationsForm()
    if form.validate_on_submit():
        if not taking_part.claim(form.form_token.data):
            return _already(mtg.id)
        queued = sending.send_invitations(mtg, qr_svg, by=current_user)
        db.session.commit()
        flash(_("Invitations queued: %(num)d. They go within a minute.", num=len(queued)))
        _letters_note(sum(1 for m in queued if m.channel is MessageChannel.LETTER))
        return redirect(url_for("organise.send_invitations", meeting_id=mtg.id))
    form.form_token.data = new_form_token()
    recipients, shown = _preview(lambda: sending.invitation_recipients(mtg), request.args.get("person"))
    message = sending.invitation_for(shown, mtg, agenda.items(mtg.id), qr_svg, preview=True) if shown else None
    return render_template("organise/messages/invitations.html",
                           title=with_theirs(_("Send invitations: %(name)s"), name=mtg.title), meeting=mtg,
                           form=form, recipients=recipients, shown=shown, message=message,
                           going=sum(1 for r in recipients if r.gets_one),
                           letters=len(sending.letters_for(mtg)) if not sending.notify_posts_letters() else 0), \
        400 if form.errors else 200


@routes.route("/meetings/<int:meeting_id>/messages/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_message(meeting_id):
    mtg = _meeting(meeting_id)
    form = OneOffForm()
    step = request.form.get("step", "preview")
    if not form.is_submitted():
        form.form_token.data = new_form_token()
    elif step != "change" and form.validate():
        if step == "send":
            if not taking_part.claim(form.form_token.data):
                return _already(mtg.id)
            queued = sending.send_one_off(mtg, form.who.data, form.subject.data, form.text.data,
                                          form.form_token.data, by=current_user)
            db.session.commit()
            flash(ngettext("Message queued for %(num)d person. It goes within a minute.",
                           "Message queued for %(num)d people. They go within a minute.", len(queued)))
            _letters_note(sum(1 for m in queued if m.channel is MessageChannel.LETTER))
            return redirect(url_for("organise.meeting", meeting_id=mtg.id))
        if taking_part.token_used(form.form_token.data):
            return _already(mtg.id)
        recipients, shown = _preview(lambda: sending.one_off_recipients(mtg, form.who.data), request.form.get("show"))
        message = sending.one_off_for(shown, mtg, form.subject.data, form.text.data, preview=True) if shown else None
        return render_template("organise/messages/one_off_preview.html",
                               title=with_theirs(_("Check the message: %(name)s"), name=mtg.title), meeting=mtg,
                               form=form, recipients=recipients, shown=shown, message=message,
                               going=sum(1 for r in recipients if r.gets_one))
    return render_template("organise/messages/one_off.html",
                           title=with_theirs(_("Write to the people of %(name)s"), name=mtg.title), meeting=mtg,
                           form=form), 400 if form.errors else 200
