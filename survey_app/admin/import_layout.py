"""The import file's layout: which columns finance's system expects, in what order, with which headings and
fixed values, how dates are written, CSV or a sheet; with a preview of the latest return in that layout."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forms.payments import ImportLayoutForm

from ..access.roles import ADMINS, roles_required
from ..models import ImportLayout
from ..money import import_file
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()


def _form() -> ImportLayoutForm:
    form = ImportLayoutForm()
    form.set_choices(list(import_file.FILE_FORMATS.items()), list(import_file.DATE_FORMATS.items()),
                     list(import_file.FIELDS.items()))
    return form


def _stored_columns(layout: import_file.Layout):
    for heading, source in layout.columns:
        if source.startswith(import_file.FIXED):
            yield heading, None, source[len(import_file.FIXED):]
        else:
            yield heading, source, ""


@routes.route("/import-layout", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def import_layout():
    form = _form()
    layout = import_file.current_layout()
    if not form.is_submitted():
        form.file_format.data, form.date_format.data = layout.file_format, layout.date_format
        form.fill(list(_stored_columns(layout)))
    if form.validate_on_submit():
        columns = tuple((heading, field or import_file.fixed(value)) for heading, field, value in form.columns())
        if import_file.save_layout(import_file.Layout(form.file_format.data, form.date_format.data, columns),
                                   current_user):
            db.session.commit()
            flash(_("Import file layout saved."))
        else:
            flash(_("Nothing has changed in the layout."))
        return redirect(url_for("admin.import_layout"))
    stored = db.session.get(ImportLayout, import_file.LAYOUT_ID, options=[joinedload(ImportLayout.updated_by)])
    ret = import_file.latest_return()
    preview = import_file.preview(ret, layout) if ret else []
    return render_template("admin/import_layout.html", title=_("Import file layout"), form=form, stored=stored,
                           layout=layout, ret=ret, preview=preview), 400 if form.errors else 200
