"""Erasing a person's details on request: a page that says what goes and what stays, then does it."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from forms.erasure import EraseForm

from ..access.roles import ADMINS, roles_required
from ..models import Person
from ..privacy import erasure
from ..web.database import clear_wal
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()


@routes.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def erase_person(person_id):
    person = db.session.get(Person, person_id) or abort(404)
    if person.erased:
        flash(str(erasure.ALREADY_ERASED))
        return redirect(url_for("organise.person", person_id=person.id))
    work = erasure.plan(person)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            summary = erasure.erase_person(person, by=current_user)
        except erasure.ErasureError as error:  # another admin erased them a moment ago
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("organise.person", person_id=person_id))
        db.session.commit()
        flash(_("Their details are erased. Their finance records are kept as “%(label)s” until %(day)s.",
                label=summary.label, day=format_date(summary.keep_until, "long")))
        if not clear_wal().done:  # the old values are still in SQLite's write-ahead log on disk
            flash(_("The database was too busy to clear its log file, so a copy of the erased details may "
                    "still be on the server's disk. Ask whoever runs the server to run the retention "
                    "command later: it clears the log."))
        return redirect(url_for("organise.person", person_id=person.id))
    return render_template("admin/erase_person.html", title=_("Erase this person's details"), person=person,
                           work=work, form=form), 400 if form.errors else 200
