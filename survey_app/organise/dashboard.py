"""The organiser's start page: what needs doing so the Charter's promises are kept, including messages that
could not be sent (each with "Try again")."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forms.organise import MessageButtonForm
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import actions, suggestions, support_plan
from ..messages import deliver, history
from ..models import Group, Meeting, Message, Person
from ..models.base import utcnow
from ..participation import taking_part
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()


@routes.route("/dashboard")
@roles_required(*ORGANISERS)
def dashboard():
    upcoming = db.session.scalars(
        select(Meeting).options(joinedload(Meeting.group))
        .where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at).limit(5)
    ).all()
    counts = {
        "people": db.session.scalar(select(func.count()).select_from(Person)),
        "groups": db.session.scalar(select(func.count()).select_from(Group)),
        "meetings": db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.starts_at >= utcnow())),
    }
    overdue = actions.overdue()
    due = actions.due_this_month()
    failed, failed_count = history.failed()
    return render_template("organise/dashboard.html", title=_("Dashboard"), upcoming=upcoming, counts=counts,
                           unarranged=support_plan.unarranged_count(m.id for m in upcoming),
                           unarranged_total=support_plan.unarranged_total(), overdue=overdue[:10],
                           overdue_count=len(overdue), due=due[:10], due_count=len(due),
                           waiting=suggestions.waiting_by_group(), failed=failed, failed_count=failed_count,
                           button_token=new_form_token() if failed else "")


@routes.route("/messages/<int:message_id>/try-again", methods=["POST"])
@roles_required(*ORGANISERS)
def retry_message(message_id):
    """A failed message back in the queue, once however often the button is pressed."""
    back = redirect(url_for("organise.dashboard", _anchor="failed-messages"))
    form = MessageButtonForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0])
        return back
    if taking_part.token_used(form.form_token.data):
        flash(_("That was done already."))
        return back
    message = db.session.get(Message, message_id, options=[joinedload(Message.person)]) or abort(404)
    problem = history.why_not_again(message)
    if problem is not None:
        flash(_("This message was not tried again. Reason: %(reason)s.", reason=deliver.REASONS[problem]))
        return back
    if not taking_part.claim(form.form_token.data) or not history.try_again(message, current_user):
        db.session.rollback()
        flash(_("That was done already."))
        return back
    db.session.commit()
    flash(_("The message is back in the queue. It will be tried again within a few minutes."))
    return back
