"""Who is being heard: the voices people choose to record, and which are present or missing in a group."""
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ..models import Attendance, AttendanceStatus, Meeting, Person, PersonVoice, Voice
from ..models.base import utcnow
from ..privacy import audit
from ..web.extensions import db

FEWER_THAN = 5


def voices_of(person_id: int) -> set[Voice]:
    return set(db.session.scalars(select(PersonVoice.voice).where(PersonVoice.person_id == person_id)))


def set_voices(person: Person, chosen: set[Voice], by) -> None:
    """Replace the person's voices with their choice (audited as one change)."""
    before = sorted(v.value for v in voices_of(person.id))
    after = sorted(v.value for v in chosen)
    if before == after:
        return
    db.session.execute(delete(PersonVoice).where(PersonVoice.person_id == person.id))
    db.session.add_all(PersonVoice(person_id=person.id, voice=v) for v in chosen)
    audit.record("update-voices", person, before={"voices": before}, after={"voices": after}, user=by)


@dataclass
class VoicesReport:
    meetings: list
    people: int
    first_timers: int
    by_voice: dict  # Voice -> number of different people
    missing: list  # Voices nobody brought

    def shown(self, count: int) -> str | int:
        """What an export may show: small counts could identify someone."""
        return count if count >= FEWER_THAN else "fewer than 5"


def group_voices(group_id: int, last: int = 6) -> VoicesReport:
    """Over the group's last `last` meetings that have happened: who came, which voices, who was new.
    Four queries, whatever the size of the data."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.group_id == group_id, Meeting.starts_at <= utcnow())
                                  .order_by(Meeting.starts_at.desc()).limit(last)).all()
    ids = [m.id for m in meetings]
    if not ids:
        return VoicesReport([], 0, 0, dict.fromkeys(Voice, 0), list(Voice))
    came = (select(Attendance.person_id).where(Attendance.meeting_id.in_(ids),
                                               Attendance.status == AttendanceStatus.ATTENDED).distinct())
    people = db.session.scalar(select(func.count()).select_from(came.subquery()))
    counts = dict(db.session.execute(select(PersonVoice.voice, func.count(func.distinct(PersonVoice.person_id)))
                                     .where(PersonVoice.person_id.in_(came)).group_by(PersonVoice.voice)).all())
    earliest = min(m.starts_at for m in meetings)
    earlier = (select(Attendance.person_id).join(Meeting, Meeting.id == Attendance.meeting_id)
               .where(Attendance.status == AttendanceStatus.ATTENDED, Meeting.starts_at < earliest))
    first_timers = db.session.scalar(select(func.count()).select_from(
        came.where(Attendance.person_id.not_in(earlier)).subquery()))
    by_voice = {v: counts.get(v, 0) for v in Voice}
    return VoicesReport(list(reversed(meetings)), people, first_timers, by_voice,
                        [v for v, n in by_voice.items() if n == 0])
