"""Triage of a group's suggestions: what is new, planned for a meeting, already covered, or not taken forward."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forms.organise import enum_choices
from forms.suggestions import TriageForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import suggestions
from ..insight.suggestions import SOURCE_LABELS, SuggestionError
from ..models import Group, Meeting, Suggestion, SuggestionStatus
from ..models.base import utcnow
from ..participation import kiosk
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, SimplePage, keeps_input, record_id

routes = Routes()
UPCOMING_LIMIT = 20


@routes.route("/groups/<int:group_id>/suggestions")
@roles_required(*ORGANISERS)
def group_suggestions(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    try:
        status = SuggestionStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    sort = request.args.get("sort") if request.args.get("sort") in suggestions.SORTS else "votes"
    counts = suggestions.status_counts(group.id)
    per_page = current_app.config["PER_PAGE"]
    page = SimplePage.requested(per_page, counts[status] if status else sum(counts.values()))
    rows = suggestions.triage_list(group.id, sort=sort, status=status, limit=per_page,
                                   offset=(page.page - 1) * per_page)
    return render_template("organise/suggestions/list.html",
                           title=with_theirs(_("Suggestions for %(group)s"), group=group.name),
                           group=group, rows=rows, counts=counts, total=sum(counts.values()), status=status,
                           sort=sort, page=page, statuses=list(SuggestionStatus), sources=SOURCE_LABELS,
                           not_shown_yet=suggestions.NOT_SHOWN_YET)


def _meeting_label(meeting: Meeting) -> str:
    return _("%(title)s, %(date)s", title=meeting.title, date=format_date(meeting.starts_at, "long"))


def _meeting_choices(suggestion: Suggestion) -> list[SelectChoice]:
    """The group's upcoming meetings, and the one it is planned for now even if that has passed."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.group_id == suggestion.group_id,
                                                        Meeting.starts_at >= utcnow())
                                  .order_by(Meeting.starts_at).limit(UPCOMING_LIMIT)).all()
    current = suggestion.planned_meeting
    if current is not None and current not in meetings:
        meetings.insert(0, current)
    return [SelectChoice("", _("Choose a meeting")), *(SelectChoice(str(m.id), _meeting_label(m)) for m in meetings)]


@routes.route("/suggestions/<int:suggestion_id>/triage", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def triage(suggestion_id):
    suggestion = db.session.get(Suggestion, suggestion_id) or abort(404)
    form = TriageForm()
    form.status.choices = enum_choices(SuggestionStatus)
    form.planned_meeting.choices = _meeting_choices(suggestion)
    if not form.is_submitted():
        form.status.data = suggestion.status.value
        form.planned_meeting.data = str(suggestion.planned_meeting_id or "")
        form.reason.data = suggestion.reason
    if form.validate_on_submit():
        chosen = form.planned_meeting.data or ""
        try:
            changed = suggestions.triage(suggestion, form.status.data, current_user,
                                         planned_meeting_id=record_id(chosen),
                                         reason=form.reason.data or "")
        except SuggestionError as error:
            form[error.field].errors.append(str(error))
        else:
            group_id = suggestion.group_id
            db.session.commit()
            for meeting_id in changed:  # its agenda shows on the door tablet
                kiosk.forget_meeting(meeting_id)
            flash(_("Suggestion saved."))
            return redirect(url_for("organise.group_suggestions", group_id=group_id))
    return render_template("organise/suggestions/triage.html", title=_("Decide what happens to a suggestion"),
                           form=form, suggestion=suggestion, group=suggestion.group,
                           votes=suggestions.vote_count(suggestion.id), sources=SOURCE_LABELS,
                           not_shown_yet=suggestions.NOT_SHOWN_YET), \
        400 if form.errors else 200
