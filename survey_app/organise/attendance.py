"""Who took part: an organiser marks people attended (many at once) and how they took part, changes
the way, or turns a mark back. The rules are in participation/attendance.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.attendance import TookPartForm
from forms.base import BaseForm
from forms.organise import SearchForm, enum_choices

from ..access.roles import ORGANISERS, roles_required
from ..models import Attendance, Meeting, TakingPart
from ..models.people import search_key
from ..participation import attendance, taking_part
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input, paginate
from .meetings import meeting_page

routes = Routes()
PER_PAGE = 50


def _meeting(meeting_id) -> Meeting:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)


def _form() -> TookPartForm:
    form = TookPartForm()
    form.how.choices = enum_choices(TakingPart)
    return form


@routes.route("/meetings/<int:meeting_id>/took-part", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def mark_took_part(meeting_id):
    """Everyone who can be marked, a page at a time (or found by name), with a tick box each."""
    mtg = _meeting(meeting_id)
    form = _form()
    problem = None
    if form.validate_on_submit():
        try:
            changed = attendance.mark(mtg, attendance.chosen_ids(request.form.getlist("person")),
                                      TakingPart(form.how.data))
        except attendance.AttendanceError as error:
            problem = str(error)
        else:
            flash(ngettext("%(num)d person marked as attended.", "%(num)d people marked as attended.", changed)
                  if changed else _("Nothing has changed: they were marked already."))
            return redirect(url_for("organise.meeting", meeting_id=mtg.id))
    search = SearchForm(request.args)
    q = search_key(search.q.data or "") if search.validate() else ""
    page = paginate(attendance.markable(mtg, taking_part.name_starts_with(q) if q else None), per_page=PER_PAGE)
    rows = {a.person_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.meeting_id == mtg.id, Attendance.person_id.in_([p.id for p in page.items])))}
    ticked = set(request.form.getlist("person"))
    status = 400 if form.errors or problem else 200
    return render_template("organise/took_part.html", title=with_theirs(_("Who took part: %(name)s"), name=mtg.title),
                           meeting=mtg, form=form, search=search, q=q, page=page, rows=rows, ticked=ticked,
                           problem=problem), status


@routes.route("/meetings/<int:meeting_id>/attended", methods=["POST"])
@roles_required(*ORGANISERS)
def change_attended(meeting_id):
    """From the meeting's list of who came: change how the ticked people took part, or turn their marks back."""
    mtg = _meeting(meeting_id)
    BaseForm().validate_on_submit()  # CSRFProtect has already checked the token
    undo = request.form.get("do") == "undo"
    try:
        ids = attendance.chosen_ids(request.form.getlist("person"))
        if undo:
            changed = attendance.unmark(mtg, ids)
        else:
            changed = attendance.mark(mtg, ids, attendance.taking_part_from(request.form.get("how")))
    except attendance.AttendanceError as error:
        return meeting_page(mtg, problem=str(error)), 400
    if undo:
        flash(ngettext("%(num)d person is no longer marked as attended.",
                       "%(num)d people are no longer marked as attended.", changed))
    else:
        flash(ngettext("How %(num)d person took part is changed.", "How %(num)d people took part is changed.",
                       changed) if changed else _("Nothing has changed."))
    return redirect(url_for("organise.meeting", meeting_id=mtg.id) + "#came-title")
