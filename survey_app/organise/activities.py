"""Activities of a group that are not meetings (a visit, a piece of writing, a panel interview). Each is a
Meeting row with its kind, on its date at 10:00 London time, in person with no venue, so that who took part,
recognition, personal links and the checklist work as they do for a meeting."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from forms.attendance import ActivityForm

from ..access.roles import ORGANISERS, roles_required
from ..models import Group, Meeting, MeetingKind, MeetingMode
from ..models.base import LONDON
from ..participation import kiosk
from ..privacy import records
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()
ACTIVITY_KINDS = [kind for kind in MeetingKind if kind.is_activity]


def _form(obj: Meeting | None = None) -> ActivityForm:
    form = ActivityForm(obj=obj)
    form.kind.choices = [SelectChoice(kind.value, kind.label) for kind in ACTIVITY_KINDS]
    if obj is not None and not form.is_submitted():
        form.kind.data = obj.kind.value
        form.date.data = obj.starts_at.astimezone(LONDON).date()
    return form


def _values(form: ActivityForm) -> dict:
    starts_at = form.starts_at()
    return {"kind": MeetingKind(form.kind.data), "title": form.title.data, "purpose": form.purpose.data or "",
            "cost_code": form.cost_code.data or "", "starts_at": starts_at, "ends_at": starts_at}


@routes.route("/groups/<int:group_id>/activities/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_activity(group_id):
    grp = db.session.get(Group, group_id) or abort(404)
    form = _form()
    if form.validate_on_submit():
        activity = records.create(Meeting, group_id=grp.id, mode=MeetingMode.IN_PERSON, **_values(form))
        db.session.commit()
        flash(_("Activity saved."))
        return redirect(url_for("organise.meeting", meeting_id=activity.id))
    return render_template("organise/activity_form.html", form=form, group=grp,
                           title=with_theirs(_("Add an activity: %(name)s"), name=grp.name)), \
        400 if form.errors else 200


@routes.route("/activities/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_activity(meeting_id):
    activity = db.session.get(Meeting, meeting_id) or abort(404)
    if not activity.kind.is_activity:
        return redirect(url_for("organise.edit_meeting", meeting_id=activity.id))
    form = _form(activity)
    if form.validate_on_submit():
        records.update(activity, **_values(form))
        db.session.commit()
        kiosk.forget_meeting(activity.id)
        flash(_("Activity saved."))
        return redirect(url_for("organise.meeting", meeting_id=activity.id))
    return render_template("organise/activity_form.html", form=form, group=activity.group,
                           title=with_theirs(_("Edit %(name)s"), name=activity.title)), \
        400 if form.errors else 200
