"""A person's own link for one meeting: say what support you need, suggest something, before the day; and
once the meeting has started, if they took part, tell us how it went (the checklist, stored anonymously)."""
import re

from flask import abort, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..access.roles import by_personal_link
from ..insight import agenda
from ..models import Attendance, AttendanceStatus, ChecklistChannel, InformationFormat, Invitation, Meeting
from ..models.base import LONDON
from ..money.recognition import rate_for
from ..participation import invitations, taking_part
from ..participation.checklist_pages import checklist_open, first_page, step_page
from ..participation.shared_pages import choose_language, suggest_page, support_page
from ..web import errors
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()
LINK_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # what invitations.make_links issues


def _invitation(token: str) -> Invitation:
    """The invitation a working link names; anything else (unknown, withdrawn, expired) gets the plain
    "This link no longer works" page."""
    invitation = None
    if LINK_TOKEN_RE.match(token):
        invitation = db.session.scalar(
            select(Invitation).options(joinedload(Invitation.person), joinedload(Invitation.meeting)
                                       .joinedload(Meeting.group)).where(Invitation.token == token))
    if invitation is None or not invitations.link_works(invitation):
        abort(make_response(*errors.link_no_longer_works()))
    g.person_language = invitation.person.language  # their own language by default
    return invitation


@routes.route("/invite/<token>")
@by_personal_link
def invitation(token):
    inv = _invitation(token)
    rate = rate_for(inv.meeting.group_id, inv.meeting.starts_at.astimezone(LONDON).date())
    return render_template("invite/welcome.html", title=_("Hello %(name)s", name=inv.person.preferred_name
                                                           or inv.person.first_name),
                           invitation=inv, meeting=inv.meeting, token=token,
                           fee=rate.half_day_pence if rate else None, contact_group=inv.meeting.group,
                           can_answer=not inv.checklist_answered and _may_answer(inv),
                           agenda_items=agenda.items(inv.meeting_id),
                           easy=inv.person.information_format == InformationFormat.EASY_READ)


@routes.route("/invite/<token>/language", methods=["POST"])
@by_personal_link
def language(token):
    """Their saved language is the default; they can choose another for this visit."""
    _invitation(token)
    return choose_language(url_for("invite.invitation", token=token))


@routes.route("/invite/<token>/support", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def support(token):
    inv = _invitation(token)
    return support_page(inv.meeting, inv.person_id, done_url=url_for("invite.thanks", token=token),
                        skip_url=url_for("invite.invitation", token=token), base="invite/base.html",
                        contact_group=inv.meeting.group)


@routes.route("/invite/<token>/suggest", methods=["GET", "POST"])
@by_personal_link
@keeps_input
def suggest(token):
    inv = _invitation(token)
    return suggest_page(inv.meeting.group_id, inv.meeting_id, "invite", done_url=url_for("invite.thanks", token=token),
                        back_url=url_for("invite.invitation", token=token), base="invite/base.html",
                        contact_group=inv.meeting.group)


@routes.route("/invite/<token>/thanks")
@by_personal_link
def thanks(token):
    inv = _invitation(token)
    return render_template("invite/thanks.html", title=_("Thank you"),
                           back_url=url_for("invite.invitation", token=token), meeting=inv.meeting,
                           contact_group=inv.meeting.group)


def _may_answer(inv: Invitation) -> bool:
    """The checklist is open for the link's meeting and the link's person took part in it (however they did)."""
    return checklist_open(inv.meeting) and db.session.scalar(
        select(Attendance.id).where(Attendance.meeting_id == inv.meeting_id, Attendance.person_id == inv.person_id,
                                    Attendance.status == AttendanceStatus.ATTENDED)) is not None


def _checklist_action(token: str):
    return lambda number: url_for("invite.checklist_step", token=token, number=number)


def _already_answered(inv: Invitation, token: str):
    return render_template("invite/checklist_message.html", title=_("Thank you"),
                           message=_("You have already told us how it went. Thank you."),
                           back_url=url_for("invite.invitation", token=token), contact_group=inv.meeting.group)


@routes.route("/invite/<token>/checklist")
@by_personal_link
def checklist(token):
    inv = _invitation(token)
    if not _may_answer(inv):
        return redirect(url_for("invite.invitation", token=token))
    if inv.checklist_answered:
        return _already_answered(inv, token)
    return first_page(_checklist_action(token), "invite/base.html", contact_group=inv.meeting.group)


@routes.route("/invite/<token>/checklist/<int:number>", methods=["POST"])
@by_personal_link
@keeps_input
def checklist_step(token, number):
    inv = _invitation(token)
    if not _may_answer(inv):
        return redirect(url_for("invite.invitation", token=token))

    def save(answers, _form):
        # One response per link: the flag is turned on only if it was off, in the same transaction as the
        # response, so two sends at once (two devices, two tabs) store one response between them.
        flipped = db.session.execute(
            update(Invitation).where(Invitation.id == inv.id, Invitation.checklist_answered.is_(False))
            .values(checklist_answered=True).execution_options(synchronize_session=False)).rowcount
        if not flipped:
            db.session.rollback()
            return _already_answered(inv, token)
        taking_part.save_checklist(inv.meeting_id, answers, ChecklistChannel.PERSONAL)  # never the person
        db.session.commit()
        return redirect(url_for("invite.thanks", token=token))

    return step_page(number, _checklist_action(token), "invite/base.html", save,
                     lambda: redirect(url_for("invite.thanks", token=token)), contact_group=inv.meeting.group)
