"""'Vote for what we talk about' at the door: one tap on each idea someone wants talked about."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.suggestions import VoteForm

from ..insight import suggestions
from ..insight.suggestions import SuggestionError
from ..models import Person
from ..participation import kiosk, taking_part
from ..participation.kiosk import door_only
from ..web.extensions import db
from ..web.pages import Routes, SimplePage, keeps_input, record_id

routes = Routes()
PER_PAGE = 8  # a tablet screen or two; keeps the page small


def _said(code: str | None) -> tuple[str, str] | None:
    """(picture, words) to tell the person after their tap: the picture is a meaning in web/symbols.py.
    Only these can appear, whatever is in the address."""
    return {"counted": ("done", _("Thank you. Your vote is counted.")),
            "already": ("done", _("You have already voted for this.")),
            "closed": ("info", str(suggestions.NOT_VOTABLE))}.get(code or "")


@routes.route("/door/vote", methods=["GET", "POST"])
@door_only
@keeps_input
def vote():
    meeting = kiosk.meeting() or abort(404)
    person_id, visit = kiosk.person_id(), kiosk.visit_key()
    form = VoteForm(visit=visit)
    if form.validate_on_submit():
        said = "counted"  # a repeated tap: the first one was counted
        if taking_part.claim(form.form_token.data):
            try:
                counted = suggestions.vote(int(form.suggestion.data), person_id, group_id=meeting.group_id,
                                           visit=visit)
            except SuggestionError:
                db.session.rollback()
                said = "closed"
            else:
                taking_part.commit_once()
                said = "counted" if counted else "already"
        page = form.page_number()
        return redirect(url_for("door.vote", page=page if page > 1 else None, said=said))
    number = (record_id(request.args.get("page")) or 1) if not form.is_submitted() else form.page_number()
    total = suggestions.votable_count(meeting.group_id)
    page = SimplePage(min(max(1, number), max(1, -(-total // PER_PAGE))), PER_PAGE, total)
    rows = suggestions.votable_list(meeting.group_id, limit=PER_PAGE, offset=(page.page - 1) * PER_PAGE)
    voted = suggestions.voted_for(person_id, [s.id for s, _votes in rows], visit=visit)
    person = db.session.get(Person, person_id) if person_id else None
    return render_template("door/vote.html", title=_("Vote for what we talk about"), form=form, page=page,
                           cards=[(s, votes, kiosk.form_token()) for s, votes in rows], voted=voted,
                           name=taking_part.short_name(person) if person else "",
                           said=_said(request.args.get("said")) if not form.is_submitted() else None,
                           error=next(iter(form.errors.values()), [""])[0]), 400 if form.errors else 200
