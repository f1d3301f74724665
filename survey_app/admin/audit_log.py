"""The audit log: every recorded change and look at personal data, newest first, for admins to read.

Read only: this module has one route and it answers GET alone; nothing can change or remove an event
through the app. Reading the log is not itself logged (every page view would add to it), except when
it is filtered by a person: that is a look at one person's records, so it leaves a "view-audit"
event on that person with the filters used.
"""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.admin import AuditFilterForm

from ..access.roles import ADMINS, roles_required
from ..models import AuditEvent, Person
from ..privacy import audit_search
from ..web.extensions import db
from ..web.pages import Routes, paginate, record_id

routes = Routes()
SYSTEM = "system"


def _choices(form: AuditFilterForm) -> None:
    form.user.choices = [SelectChoice("", _("Anyone")), SelectChoice(SYSTEM, _("System (no one signed in)")),
                         *(SelectChoice(str(u.id), u.name if u.active else _("%(name)s (account closed)", name=u.name))
                           for u in audit_search.staff())]
    kinds = audit_search.record_types()
    form.kind.choices = [SelectChoice("", _("Any kind")),
                         *sorted((SelectChoice(k, str(audit_search.record_label(k))) for k in kinds),
                                 key=lambda c: c.label)]


def _filters(form: AuditFilterForm) -> audit_search.Filters:
    user = form.user.data or ""
    kinds = {c.value for c in form.kind.choices if c.value}
    return audit_search.Filters(
        person_id=int(form.person.data) if form.person.data else None,
        user_id=record_id(user) if record_id(user) and any(user == c.value for c in form.user.choices) else None,
        system=user == SYSTEM,
        record_type=form.kind.data if form.kind.data in kinds else None,
        date_from=form.date_from.data, date_to=form.date_to.data)


def _query_args() -> dict:
    """The filters as they go in the page links, leaving out the empty ones."""
    return {name: request.args[name] for name in ("person", "user", "kind", "date_from", "date_to")
            if request.args.get(name)}


@routes.route("/audit")
@roles_required(*ADMINS)
def audit_log():
    form = AuditFilterForm(request.args)
    _choices(form)
    if not form.validate():
        return render_template("admin/audit_log.html", title=_("Audit log"), form=form, page=None,
                               query_args={}, describe=audit_search), 400
    filters = _filters(form)
    page = paginate(audit_search.events_query(filters))
    person = db.session.get(Person, filters.person_id) if filters.person_id is not None else None
    html = render_template("admin/audit_log.html", title=_("Audit log"), form=form, page=page,
                           query_args=_query_args(), describe=audit_search, person=person)
    if filters.person_id is not None:
        db.session.add(AuditEvent(user_id=current_user.id, action="view-audit", record_type="Person",
                                  record_id=str(filters.person_id),
                                  after=_query_args() | {"page": page.page}))
        db.session.commit()
    return html
