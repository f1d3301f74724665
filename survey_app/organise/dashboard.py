"""The organiser's start page: what needs doing so the Charter's promises are kept."""
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..access.roles import ORGANISERS, roles_required
from ..insight import actions, suggestions, support_plan
from ..models import Group, Meeting, Person
from ..models.base import utcnow
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
    return render_template("organise/dashboard.html", title=_("Dashboard"), upcoming=upcoming, counts=counts,
                           unarranged=support_plan.unarranged_count(m.id for m in upcoming),
                           unarranged_total=support_plan.unarranged_total(), overdue=overdue[:10],
                           overdue_count=len(overdue), due=due[:10], due_count=len(due),
                           waiting=suggestions.waiting_by_group())
