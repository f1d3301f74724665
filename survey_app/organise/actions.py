"""The action log ("you said, we did"): what we said we would do, who owns it, when it is due, how it is going."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from forms.actions import ActionFilterForm, ActionForm, EditActionForm
from forms.organise import NO_ORGANISATION, enum_choices

from ..access.roles import ORGANISERS, roles_required
from ..insight import actions as domain
from ..insight import decisions
from ..insight.actions import ActionError
from ..models import Action, ActionStatus, Group, Meeting, Organisation, Suggestion
from ..web.extensions import db
from ..web.formatting import local_date, with_theirs
from ..web.pages import Routes, choices_from, keeps_input, record_id

routes = Routes()
OVERDUE = "overdue"
NO_MEETING = SelectChoice("", _l("Not from a meeting"))
NO_DECISION = SelectChoice("", _l("Not from a decision"))


def _choices(form: ActionForm, group: Group, keep_meeting_id: int | None = None) -> None:
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.owner_organisation.choices = choices_from(orgs, empty=NO_ORGANISATION)
    meetings = db.session.scalars(select(Meeting).where(Meeting.group_id == group.id)
                                  .order_by(Meeting.starts_at.desc()).limit(50)).all()
    # An older meeting the action already came from stays a choice, so saving never unlinks it.
    if keep_meeting_id and all(m.id != keep_meeting_id for m in meetings):
        kept = db.session.get(Meeting, keep_meeting_id)
        if kept is not None and kept.group_id == group.id:
            meetings.append(kept)
    form.meeting.choices = choices_from(
        meetings, empty=NO_MEETING,
        label=lambda m: _("%(title)s, %(date)s", title=m.title, date=local_date(m.starts_at, "long")))


def _decision_choices(form: ActionForm, meeting_id: int | None) -> None:
    """The decisions of the meeting the action comes from (none when it is not from a meeting)."""
    found = decisions.decisions_for(meeting_id) if meeting_id else []
    form.decision.choices = choices_from(found, empty=NO_DECISION, label=lambda d: decisions.trimmed(d.what, 100))


def _submitted_meeting(form: ActionForm) -> int | None:
    return _chosen_id(form.meeting.data, form.meeting.choices)


def _chosen_id(value, choices) -> int | None:
    """The id picked in a select, if it is one of the choices offered; otherwise none."""
    if record_id(value) is not None and any(value == c.value for c in choices):
        return record_id(value)
    return None


@routes.route("/groups/<int:group_id>/actions")
@roles_required(*ORGANISERS)
def action_log(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    form = ActionFilterForm(request.args)
    form.status.choices = [SelectChoice("", _("All actions")), SelectChoice(OVERDUE, _("Overdue")),
                          *enum_choices(ActionStatus)]
    chosen = form.status.data if any(form.status.data == c.value for c in form.status.choices) else ""
    status = ActionStatus(chosen) if chosen not in ("", OVERDUE) else None
    entries = domain.action_log(group.id, status=status, only_overdue=chosen == OVERDUE)
    return render_template("organise/actions/log.html", title=with_theirs(_("Actions: %(group)s"), group=group.name),
                           group=group, entries=entries, form=None, filter_form=form, chosen=chosen,
                           overdue_count=sum(e.overdue for e in entries))


@routes.route("/groups/<int:group_id>/actions/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_action(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    suggestion = None
    if request.args.get("suggestion"):
        suggestion = db.session.get(Suggestion, record_id(request.args.get("suggestion")) or 0)
        if suggestion is None or suggestion.group_id != group.id:
            abort(404)
    form = ActionForm()
    _choices(form, group, record_id(request.args.get("meeting")))
    if not form.is_submitted():
        meeting_id = request.args.get("meeting", "")
        form.meeting.data = meeting_id if _chosen_id(meeting_id, form.meeting.choices) else ""
    _decision_choices(form, _submitted_meeting(form))
    if not form.is_submitted():
        decision_id = request.args.get("decision", "")
        form.decision.data = decision_id if _chosen_id(decision_id, form.decision.choices) else ""
    if form.validate_on_submit():
        meeting_id = _chosen_id(form.meeting.data, form.meeting.choices)
        try:
            domain.create_action(group.id, form.what.data, form.owner.data, form.due_on.data, current_user,
                                 meeting_id=meeting_id, suggestion_id=suggestion.id if suggestion else None,
                                 decision_id=_chosen_id(form.decision.data, form.decision.choices),
                                 owner_organisation_id=_chosen_id(form.owner_organisation.data,
                                                                  form.owner_organisation.choices))
            db.session.commit()
            flash(_("Action added."))
            if meeting_id and request.args.get("meeting"):
                return redirect(url_for("organise.meeting_notes", meeting_id=meeting_id))
            return redirect(url_for("organise.action_log", group_id=group.id))
        except ActionError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
    return render_template("organise/actions/new.html", form=form, group=group, suggestion=suggestion,
                           title=with_theirs(_("Add an action for %(group)s"), group=group.name)), \
        400 if form.errors else 200


@routes.route("/actions/<int:action_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def action(action_id):
    act = db.session.get(Action, action_id, options=[joinedload(Action.group), joinedload(Action.suggestion)]) \
        or abort(404)
    form = EditActionForm(obj=act)
    _choices(form, act.group, act.meeting_id)
    form.status.choices = enum_choices(ActionStatus)
    if not form.is_submitted():
        form.status.data = act.status.value
        form.meeting.data = str(act.meeting_id or "")
        form.owner_organisation.data = str(act.owner_organisation_id or "")
        form.note.data, form.noted_on.data = "", None
    _decision_choices(form, _submitted_meeting(form))
    if not form.is_submitted():
        form.decision.data = str(act.decision_id or "")
    if form.validate_on_submit():
        try:
            changed = domain.update_action(
                act, current_user, status=ActionStatus(form.status.data), explanation=form.explanation.data,
                what=form.what.data, owner=form.owner.data, due_on=form.due_on.data,
                owner_organisation_id=_chosen_id(form.owner_organisation.data, form.owner_organisation.choices),
                meeting_id=_chosen_id(form.meeting.data, form.meeting.choices),
                decision_id=_chosen_id(form.decision.data, form.decision.choices))
            if form.note.data:
                domain.add_update(act, form.note.data, current_user, noted_on=form.noted_on.data)
            db.session.commit()
            flash(_("Action saved.") if changed or form.note.data else _("Nothing was changed."))
            return redirect(url_for("organise.action", action_id=act.id))
        except ActionError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
    return render_template("organise/actions/edit.html", form=form, action=act, updates=domain.updates_for(act.id),
                           overdue=domain.is_overdue(act),
                           title=with_theirs(_("Action for %(group)s"), group=act.group.name)), \
        400 if form.errors else 200
