"""Meeting notes: after a meeting, what was said in plain English, the joint decisions made, and the actions
that came from it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.actions import DecisionForm, EditDecisionForm, NotesForm
from forms.door import ConfirmForm
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import actions as domain
from ..insight import decisions
from ..insight.actions import ActionError
from ..messages import triggers
from ..models import Decision, Meeting
from ..models.base import utcnow
from ..participation import taking_part
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


def _notes_page(meeting: Meeting, form: NotesForm, decision_form: DecisionForm):
    if not decision_form.form_token.data or decision_form.errors:
        decision_form.form_token.data = new_form_token()
    errors = form.errors or decision_form.errors
    # `form`: the one with errors, for the page's title and error summary
    return render_template("organise/actions/notes.html", form=decision_form if decision_form.errors else form,
                           notes_form=form, decision_form=decision_form, meeting=meeting,
                           note=domain.notes_for(meeting.id), entries=domain.meeting_actions(meeting),
                           decisions=decisions.meeting_decisions(meeting), started=meeting.starts_at <= utcnow(),
                           title=with_theirs(_("Notes: %(meeting)s"), meeting=meeting.title)), \
        400 if errors else 200


@routes.route("/meetings/<int:meeting_id>/notes", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def meeting_notes(meeting_id):
    meeting = _meeting(meeting_id)
    form = NotesForm(obj=domain.notes_for(meeting.id))
    if form.validate_on_submit():
        try:
            domain.save_notes(meeting, form.text.data, current_user)
            triggers.what_happened(meeting, by=current_user)
            db.session.commit()
            flash(_("Notes saved."))
            return redirect(url_for("organise.meeting_notes", meeting_id=meeting.id))
        except ActionError as error:
            db.session.rollback()
            form.text.errors.append(str(error))
    return _notes_page(meeting, form, DecisionForm(formdata=None))


@routes.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
@roles_required(*ORGANISERS)
@keeps_input
def add_decision(meeting_id):
    meeting = _meeting(meeting_id)
    form = DecisionForm()
    if form.validate_on_submit():
        if not taking_part.claim(form.form_token.data):  # a double tap: the first press recorded it
            return redirect(url_for("organise.meeting_notes", meeting_id=meeting.id, _anchor="decisions"))
        try:
            decisions.add_decision(meeting, form.what.data, current_user)
            db.session.commit()
            flash(_("Decision added."))
            return redirect(url_for("organise.meeting_notes", meeting_id=meeting.id, _anchor="decisions"))
        except ActionError as error:
            db.session.rollback()
            form.what.errors.append(str(error))
    return _notes_page(meeting, NotesForm(formdata=None, obj=domain.notes_for(meeting.id)), form)


def _decision(decision_id: int) -> Decision:
    return db.session.get(Decision, decision_id, options=[joinedload(Decision.meeting).joinedload(Meeting.group)]) \
        or abort(404)


@routes.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_decision(decision_id):
    decision = _decision(decision_id)
    form = EditDecisionForm(obj=decision)
    if form.validate_on_submit():
        try:
            changed = decisions.edit_decision(decision, form.what.data, current_user)
            db.session.commit()
            flash(_("Decision saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("organise.meeting_notes", meeting_id=decision.meeting_id, _anchor="decisions"))
        except ActionError as error:
            db.session.rollback()
            form.what.errors.append(str(error))
    following = next((d.entries for d in decisions.meeting_decisions(decision.meeting)
                      if d.decision.id == decision.id), [])
    return render_template("organise/actions/decision.html", form=form, decision=decision, meeting=decision.meeting,
                           following=following,
                           title=with_theirs(_("Decision at %(meeting)s"), meeting=decision.meeting.title)), \
        400 if form.errors else 200


@routes.route("/decisions/<int:decision_id>/remove", methods=["POST"])
@roles_required(*ORGANISERS)
def remove_decision(decision_id):
    decision = db.session.get(Decision, decision_id)
    ConfirmForm().validate_on_submit()  # CSRFProtect has already checked the token
    if decision is None:  # removed already (a double tap): nothing more to do
        flash(_("That decision has been removed."))
        return redirect(url_for("organise.dashboard"))
    meeting_id = decision.meeting_id
    unlinked = decisions.remove_decision(decision, current_user)
    db.session.commit()
    if unlinked:
        flash(ngettext("Decision removed. Its %(num)d action is still in the list, no longer linked to a decision.",
                       "Decision removed. Its %(num)d actions are still in the list, no longer linked to a decision.",
                       unlinked))
    else:
        flash(_("Decision removed."))
    return redirect(url_for("organise.meeting_notes", meeting_id=meeting_id, _anchor="decisions"))
