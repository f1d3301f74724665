"""A group's public suggestions page: what people asked to talk about and what happened to each idea.
No login; no names (not even one a person typed), and no date finer than the month. Paged: anyone can
suggest through the group's open link, so the list can be long (what comes from that link is held back
until an organiser has looked at it: suggestions.shown_publicly)."""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access.roles import public
from ..insight import suggestions
from ..models import Group, SuggestionStatus
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, SimplePage

routes = Routes()
PER_PAGE = 20

# A heading, a picture and plain words for each status, so the page reads the same with or without the symbols.
# The pictures are meanings in web/symbols.py (MEANINGS), drawn by the symbol() template global.
SECTIONS = {
    SuggestionStatus.PLANNED: (_l("Planned for a meeting"), "planned"),
    SuggestionStatus.NEW: (_l("Waiting for an answer"), "waiting"),
    SuggestionStatus.COVERED: (_l("Already talked about"), "done"),
    SuggestionStatus.NOT_TAKEN_FORWARD: (_l("Not taken forward"), "not_going_ahead"),
}


@routes.route("/groups/<int:group_id>/suggestions")
@public
def group_suggestions(group_id):
    group = db.session.get(Group, group_id) or abort(404)
    counts = suggestions.public_counts(group.id)
    total = sum(counts.values())
    page = SimplePage(request.args.get("page", 1, type=int), PER_PAGE, total)
    if not 1 <= page.page <= page.pages:
        abort(404)
    rows = suggestions.public_list(group.id, limit=PER_PAGE, offset=(page.page - 1) * PER_PAGE)
    # Each section's heading and count (of every page) links to the page where the section starts.
    contents, start = [], 0
    for status in suggestions.PUBLIC_ORDER:
        if counts[status]:
            first_page = start // PER_PAGE + 1
            href = url_for("public.group_suggestions", group_id=group.id,
                           page=first_page if first_page > 1 else None) + f"#{status.value}"
            contents.append((status, SECTIONS[status][0], counts[status], href))
        start += counts[status]
    sections = [(status, *SECTIONS[status], [r for r in rows if r.status == status])
                for status in suggestions.PUBLIC_ORDER]
    return render_template("public/suggestions.html",
                           title=with_theirs(_("What people asked %(group)s to talk about"), group=group.name),
                           group=group, contents=contents, sections=[s for s in sections if s[3]], total=total,
                           page=page)
