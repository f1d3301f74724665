"""A meeting's "how did it go" link, for people at the meeting without a personal link: anyone with the link
can answer the checklist once the meeting has started, one response per browser, limited per network address
like a group's open link. An organiser opens and closes it on the meeting page; a closed link is gone."""
import re
from datetime import timedelta

from flask import abort, current_app, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..access import rate_limit
from ..access.rate_limit import Limit
from ..access.roles import public
from ..models import ChecklistChannel, Meeting
from ..models.base import utcnow
from ..participation import invitations, taking_part
from ..participation.checklist_pages import checklist_open, first_page, render_step, step_page
from ..participation.shared_pages import choose_language
from ..web import errors
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()
FEEDBACK_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
BASE = "invite/base.html"
ANSWERED = "checklists_answered"  # the session's list of meeting ids this browser has answered for
TOO_MANY_ANSWERS = _l("Thank you for your answers. We cannot take any more from this internet connection for "
                      "now. Please send them again in an hour: your answers are still here.")


def _meeting(token: str) -> Meeting:
    """The meeting whose link this is; a closed or unknown link, or one past the time personal links for the
    meeting stop working (PERSONAL_LINK_DAYS_AFTER_MEETING), gets "This link no longer works"."""
    meeting = None
    if FEEDBACK_TOKEN_RE.match(token):
        meeting = db.session.scalar(select(Meeting).options(joinedload(Meeting.group))
                                    .where(Meeting.feedback_token == token))
    if meeting is None or utcnow() > invitations.works_until(meeting):
        abort(make_response(*errors.link_no_longer_works()))
    return meeting


def _answered(meeting: Meeting) -> bool:
    return meeting.id in session.get(ANSWERED, [])


def _message(token: str, title: str, message: str, picture: str = "thank_you"):
    return render_template("invite/checklist_message.html", title=title, message=message, picture=picture,
                           back_url=None, languages_url=url_for("invite.meeting_link_language", token=token))


def _closed_for(meeting: Meeting, token: str):
    """The page instead of the checklist when this browser may not answer now, else None."""
    if not checklist_open(meeting):
        return _message(token, _("Tell us how it went"),
                        _("You can answer here when the meeting has started."), "how_it_went")
    if _answered(meeting):
        return _message(token, _("Thank you"), _("You have already told us how it went. Thank you."))
    return None


def _action(token: str):
    return lambda number: url_for("invite.meeting_link_step", token=token, number=number)


@routes.route("/how-did-it-go/<token>")
@public
def meeting_link(token):
    meeting = _meeting(token)
    return _closed_for(meeting, token) or first_page(
        _action(token), BASE, meeting=meeting, languages_url=url_for("invite.meeting_link_language", token=token))


@routes.route("/how-did-it-go/<token>/<int:number>", methods=["POST"])
@public
@keeps_input
def meeting_link_step(token, number):
    meeting = _meeting(token)
    closed = _closed_for(meeting, token)
    if closed is not None:
        return closed
    limit = Limit("feedback-link", current_app.config["FEEDBACK_LINK_RESPONSES_PER_HOUR"], timedelta(hours=1))
    context = {"meeting": meeting, "languages_url": url_for("invite.meeting_link_language", token=token)}

    def save(answers, form):
        if not rate_limit.take(limit):
            db.session.rollback()  # the token is not used up, so the same page can send it later
            page, _status = render_step(form, number, _action(token), BASE, refused=TOO_MANY_ANSWERS, **context)
            return page, 429, {"Retry-After": str(int(limit.per.total_seconds()))}
        taking_part.save_checklist(meeting.id, answers, ChecklistChannel.MEETING_LINK)
        db.session.commit()
        session[ANSWERED] = [*session.get(ANSWERED, [])[-49:], meeting.id]
        return redirect(url_for("invite.meeting_link_thanks", token=token))

    return step_page(number, _action(token), BASE, save,
                     lambda: redirect(url_for("invite.meeting_link_thanks", token=token)), **context)


@routes.route("/how-did-it-go/<token>/thanks")
@public
def meeting_link_thanks(token):
    _meeting(token)
    return _message(token, _("Thank you"), _("Thank you. We have got your answers."))


@routes.route("/how-did-it-go/<token>/language", methods=["POST"])
@public
def meeting_link_language(token):
    """Choose the language the pages are shown in (kept in this browser's session)."""
    _meeting(token)
    return choose_language(url_for("invite.meeting_link", token=token))
