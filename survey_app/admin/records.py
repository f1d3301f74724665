"""Subject access: an admin downloads everything held about one person as a workbook.

Taking a copy of someone's personal data is itself recorded: the file is made first and the
AuditEvent committed before it is sent, so there is no download without a record of it. The file
name carries the person's number, never their name.
"""
from flask import abort
from flask_babel import force_locale
from flask_login import current_user

from exports.subject_access import subject_access_sheets

from ..access.roles import ADMINS, roles_required
from ..models import Person
from ..models.base import utcnow
from ..privacy import audit, subject_access
from ..web.downloads import xlsx_response
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()


@routes.route("/people/<int:person_id>/records.xlsx")
@roles_required(*ADMINS)
def person_records(person_id):
    with force_locale("en_GB"):  # exports are in English, like every other download
        data = subject_access.subject_access_rows(person_id, current_user, utcnow())
        if data is None:
            abort(404)
        sheets = subject_access_sheets(data)
    response = xlsx_response(sheets, f"subject-access-person-{data.person_id}")
    audit.record("download-subject-access", db.session.get(Person, data.person_id))
    db.session.commit()
    return response
