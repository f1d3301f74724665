"""Champions: each partner organisation's named Champions (people and staff) and its co-production activity."""
from sqlalchemy import case, func, select

from ..models import Action, ActionStatus, Attendance, AttendanceStatus, Person, User
from ..models.base import london_today
from ..web.extensions import db


def activity(org_id: int) -> dict:
    """The organisation's Champions and its co-production activity, in a fixed number of queries."""
    champions = db.session.scalars(select(Person).where(Person.organisation_id == org_id, Person.is_champion)
                                   .order_by(Person.last_name)).all()
    staff_champions = db.session.scalars(select(User).where(User.organisation_id == org_id, User.is_champion,
                                                            User.active).order_by(User.name)).all()
    attended = (select(Attendance.meeting_id).join(Person, Person.id == Attendance.person_id)
                .where(Person.organisation_id == org_id, Attendance.status == AttendanceStatus.ATTENDED))
    meetings = db.session.scalar(select(func.count()).select_from(attended.distinct().subquery()))
    attendances = db.session.scalar(select(func.count()).select_from(attended.subquery()))
    open_states = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
    actions = db.session.execute(
        select(func.count(), func.sum(case((Action.due_on < london_today(), 1), else_=0)))
        .where(Action.owner_organisation_id == org_id, Action.status.in_(open_states))).one()
    done = db.session.scalar(select(func.count()).select_from(Action).where(
        Action.owner_organisation_id == org_id, Action.status == ActionStatus.DONE))
    return {"champions": champions, "staff_champions": staff_champions, "meetings": meetings,
            "attendances": attendances, "open_actions": actions[0], "overdue_actions": int(actions[1] or 0),
            "done_actions": done}
