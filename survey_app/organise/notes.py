"""Meeting notes: after a meeting, what was said in plain English, and the actions that came from it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.actions import NotesForm

from ..access.roles import ORGANISERS, roles_required
from ..insight import actions as domain
from ..insight.actions import ActionError
from ..models import Meeting
from ..models.base import utcnow
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/meetings/<int:meeting_id>/notes", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def meeting_notes(meeting_id):
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)
    note = domain.notes_for(meeting.id)
    form = NotesForm(obj=note)
    if form.validate_on_submit():
        try:
            domain.save_notes(meeting, form.text.data, current_user)
            db.session.commit()
            flash(_("Notes saved."))
            return redirect(url_for("organise.meeting_notes", meeting_id=meeting.id))
        except ActionError as error:
            db.session.rollback()
            form.text.errors.append(str(error))
    return render_template("organise/actions/notes.html", form=form, meeting=meeting, note=note,
                           entries=domain.meeting_actions(meeting), started=meeting.starts_at <= utcnow(),
                           title=with_theirs(_("Notes: %(meeting)s"), meeting=meeting.title)), \
        400 if form.errors else 200
