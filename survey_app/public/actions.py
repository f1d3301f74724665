"""A group's public "You said, we did" page and meeting notes, each with a printable easy-read handout.
No login; nothing here names a participant (owners are the text organisers wrote for people to see)."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..access.roles import public
from ..insight import actions as domain
from ..insight import agenda, decisions
from ..models import ActionStatus, Group
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes

routes = Routes()

# Plain words and a picture for each status, so the page reads the same with or without the symbols.
STATUS_WORDS = {
    ActionStatus.NOT_STARTED.value: _l("We have not started this yet."),
    ActionStatus.IN_PROGRESS.value: _l("We are working on this."),
    ActionStatus.DONE.value: _l("We have done this."),
    ActionStatus.NOT_GOING_AHEAD.value: _l("We are not going ahead with this."),
}
# The pictures are meanings in web/symbols.py (MEANINGS), drawn by the symbol() template global.
SYMBOLS = {ActionStatus.NOT_STARTED.value: "waiting", ActionStatus.IN_PROGRESS.value: "in_progress",
           ActionStatus.DONE.value: "done", ActionStatus.NOT_GOING_AHEAD.value: "not_going_ahead"}
LATE_SYMBOL = "late"
DECIDED_SYMBOL = "decided"  # beside "What we decided" on the easy-read notes
LATE_WORDS = _l("This is late.")
SECTIONS = (
    ("doing", _l("What we are working on"), domain.OPEN),
    ("done", _l("What we have done"), (ActionStatus.DONE,)),
    ("stopped", _l("What we are not going ahead with"), (ActionStatus.NOT_GOING_AHEAD,)),
)


def _group(group_id: int) -> Group:
    return db.session.get(Group, group_id) or abort(404)


def _sections(entries):
    """(id, heading, entries) for each status section that has any actions."""
    return [(key, heading, rows) for key, heading, statuses in SECTIONS
            if (rows := [e for e in entries if e.action.status in statuses])]


def _render(template: str, group: Group, title: str, **context):
    return render_template(template, group=group, title=title, words=STATUS_WORDS, symbols=SYMBOLS,
                           late_symbol=LATE_SYMBOL, late_words=LATE_WORDS, decided_symbol=DECIDED_SYMBOL, **context)


@routes.route("/groups/<int:group_id>/you-said-we-did")
@public
def you_said_we_did(group_id):
    group = _group(group_id)
    return _render("public/you_said_we_did.html", group,
                   with_theirs(_("You said, we did: %(group)s"), group=group.name),
                   sections=_sections(domain.action_log(group.id)))


@routes.route("/groups/<int:group_id>/you-said-we-did/easy-read")
@public
def you_said_we_did_easy_read(group_id):
    group = _group(group_id)
    return _render("public/you_said_we_did_easy_read.html", group,
                   with_theirs(_("You said, we did: %(group)s"), group=group.name),
                   sections=_sections(domain.action_log(group.id)))


@routes.route("/groups/<int:group_id>/meetings")
@public
def meeting_notes(group_id):
    group = _group(group_id)
    return _render("public/meeting_notes.html", group, with_theirs(_("Meeting notes: %(group)s"), group=group.name),
                   meetings=decisions.with_decisions(group.id, domain.meeting_records(group.id)),
                   upcoming=agenda.upcoming(group.id))


@routes.route("/groups/<int:group_id>/meetings/easy-read")
@public
def meeting_notes_easy_read(group_id):
    group = _group(group_id)
    return _render("public/meeting_notes_easy_read.html", group,
                   with_theirs(_("Meeting notes: %(group)s"), group=group.name),
                   meetings=decisions.with_decisions(group.id, domain.meeting_records(group.id)),
                   upcoming=agenda.upcoming(group.id))
