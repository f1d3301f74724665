"""The organiser's start page."""
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Group, Meeting, Person
from ..models.base import utcnow
from ..pages import Routes
from ..roles import ORGANISERS, roles_required

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
    return render_template("organise/dashboard.html", title=_("Dashboard"), upcoming=upcoming, counts=counts)
