"""Meetings: list upcoming and past, create, edit, and the meeting page with who is coming."""
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from forms.auth import ConfirmForm
from forms.organise import MeetingForm, enum_choices

from ..access.roles import ORGANISERS, roles_required
from ..insight import support_plan
from ..models import Attendance, AttendanceStatus, Group, Meeting, MeetingMode, TakingPart
from ..models.base import utcnow
from ..money.recognition import attended_not_recognised
from ..participation import attendance, kiosk, offline
from ..participation.kiosk import on_its_day
from ..privacy import audit, records
from ..web.extensions import db
from ..web.formatting import theirs
from ..web.pages import Routes, choices_from, keeps_input, paginate, record_id

routes = Routes()
ATTENDED = AttendanceStatus.ATTENDED


@routes.route("/meetings")
@roles_required(*ORGANISERS)
def meetings():
    past = request.args.get("when") == "past"
    query = select(Meeting).options(joinedload(Meeting.group))
    if past:
        query = query.where(Meeting.starts_at < utcnow()).order_by(Meeting.starts_at.desc())
    else:
        query = query.where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at)
    page = paginate(query, per_page=25)
    return render_template("organise/meetings.html", title=_("Past meetings") if past else _("Upcoming meetings"),
                           page=page, past=past, unarranged=support_plan.unarranged_count(m.id for m in page.items))


@routes.route("/meetings/<int:meeting_id>")
@roles_required(*ORGANISERS)
def meeting(meeting_id):
    mtg = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)
    return meeting_page(mtg)


def meeting_page(mtg: Meeting, problem: str | None = None) -> str:
    """The meeting (or activity) page; `problem` is why a change to who took part was not saved."""
    attendances = db.session.scalars(
        select(Attendance).options(joinedload(Attendance.person)).where(Attendance.meeting_id == mtg.id)
    ).all()
    attendances.sort(key=lambda a: (a.person.last_name.casefold(), a.person.first_name.casefold()))
    return render_template("organise/meeting.html", title=theirs(mtg.title), meeting=mtg, attendances=attendances,
                           started=mtg.starts_at <= utcnow(), door_today=on_its_day(mtg),
                           not_recognised=attended_not_recognised(mtg.id),
                           unarranged=support_plan.unarranged_count([mtg.id])[mtg.id],
                           ways=attendance.tally(attendances), came=[a for a in attendances if a.status is ATTENDED],
                           how_choices=list(TakingPart), problem=problem,
                           offline_refused=offline.refused_for_meeting(mtg.id))


def _form(obj=None) -> MeetingForm:
    form = MeetingForm(obj=obj)
    form.group.choices = choices_from(db.session.scalars(select(Group).order_by(Group.name)).all(),
                                      empty=SelectChoice("", _("Choose a group")))
    form.mode.choices = enum_choices(MeetingMode)
    if not form.is_submitted():
        if obj is not None:
            form.group.data = str(obj.group_id)
            form.mode.data = obj.mode.value
            form.load_times(obj.starts_at, obj.ends_at)
        elif record_id(request.args.get("group")) is not None:
            form.group.data = request.args["group"]
    return form


def _values(form: MeetingForm) -> dict | None:
    group = db.session.get(Group, record_id(form.group.data)) if record_id(form.group.data) else None
    if group is None:
        form.group.errors.append(_("Choose the group this meeting is for."))
        return None
    values = {name: form[name].data or "" for name in (
        "title", "purpose", "purpose_easy", "venue_name", "venue_address", "access_notes", "online_details",
        "cost_code")}
    values.update({name: bool(form[name].data) for name in MeetingForm.VENUE_FIELDS})
    values.update(group_id=group.id, mode=MeetingMode(form.mode.data),
                  starts_at=form.starts_at(), ends_at=form.ends_at())
    return values


@routes.route("/meetings/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_meeting():
    form = _form()
    if form.validate_on_submit() and (values := _values(form)) is not None:
        mtg = records.create(Meeting, **values)
        db.session.commit()
        flash(_("Meeting saved."))
        return redirect(url_for("organise.meeting", meeting_id=mtg.id))
    return render_template("organise/meeting_form.html", form=form, title=_("Add a meeting")), \
        400 if form.errors else 200


@routes.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_meeting(meeting_id):
    mtg = db.session.get(Meeting, meeting_id) or abort(404)
    if mtg.kind.is_activity:
        return redirect(url_for("organise.edit_activity", meeting_id=mtg.id))
    form = _form(mtg)
    if form.validate_on_submit() and (values := _values(form)) is not None:
        records.update(mtg, **values)
        db.session.commit()
        kiosk.forget_meeting(mtg.id)
        flash(_("Meeting saved."))
        return redirect(url_for("organise.meeting", meeting_id=mtg.id))
    return render_template("organise/meeting_form.html", form=form, title=_("Edit %(name)s", name=mtg.title)), \
        400 if form.errors else 200


@routes.route("/meetings/<int:meeting_id>/checklist", methods=["POST"])
@roles_required(*ORGANISERS)
def toggle_checklist(meeting_id):
    """Open "Tell us how it went" before the start time (or close it again)."""
    mtg = db.session.get(Meeting, meeting_id) or abort(404)
    ConfirmForm().validate_on_submit()  # CSRFProtect has already checked the token
    records.update(mtg, checklist_open=not mtg.checklist_open)
    db.session.commit()
    kiosk.forget_meeting(mtg.id)
    flash(_("The checklist is open on the door tablet.") if mtg.checklist_open
          else _("The checklist will open on the tablet when the meeting starts."))
    return redirect(url_for("organise.meeting", meeting_id=mtg.id))


@routes.route("/meetings/<int:meeting_id>/feedback-link", methods=["POST"])
@roles_required(*ORGANISERS)
def feedback_link(meeting_id):
    """Open the meeting's "how did it go" link (a new random address), or close it: the old address is gone.
    The audit log says it was opened or closed, never the address."""
    mtg = db.session.get(Meeting, meeting_id) or abort(404)
    ConfirmForm().validate_on_submit()  # CSRFProtect has already checked the token
    opening = request.form.get("action") == "open"
    if opening and mtg.feedback_token is None:
        mtg.feedback_token = secrets.token_urlsafe(24)
        audit.record("open-feedback-link", mtg, after={"feedback_link": "open"})
        flash(_("The meeting's link is open. Anyone with it can answer the checklist once."))
    elif not opening and mtg.feedback_token is not None:
        mtg.feedback_token = None
        audit.record("close-feedback-link", mtg, after={"feedback_link": "closed"})
        flash(_("The meeting's link is closed. It no longer works."))
    db.session.commit()
    return redirect(url_for("organise.meeting", meeting_id=mtg.id) + "#feedback-link")
