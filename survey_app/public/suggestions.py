"""A group's public suggestions page: what people asked to talk about and what happened to each idea.
No login; no names (not even one a person typed), and no date finer than the month."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import suggestions
from ..extensions import db
from ..models import Group, SuggestionStatus
from ..pages import Routes
from ..roles import public

routes = Routes()

# A heading, a picture and plain words for each status, so the page reads the same with or without the symbols.
SECTIONS = {
    SuggestionStatus.PLANNED: (_l("Planned for a meeting"), "📅"),
    SuggestionStatus.NEW: (_l("Waiting for an answer"), "⏳"),
    SuggestionStatus.COVERED: (_l("Already talked about"), "✅"),
    SuggestionStatus.NOT_TAKEN_FORWARD: (_l("Not taken forward"), "⛔"),
}


@routes.route("/groups/<int:group_id>/suggestions")
@public
def group_suggestions(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    rows = suggestions.public_list(group.id)
    sections = [(status, *SECTIONS[status], [r for r in rows if r.status == status])
                for status in suggestions.PUBLIC_ORDER]
    return render_template("public/suggestions.html", title=_("What people asked %(group)s to talk about",
                                                               group=group.name),
                           group=group, sections=[s for s in sections if s[3]], total=len(rows))
