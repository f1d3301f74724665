"""Messages that go by the calendar, queued by the sender's command before it sends (queue_due):

- a reminder REMINDER_DAYS_BEFORE days before a meeting's date (London), to everyone with a working personal
  link for it, once per meeting per person;
- "You said, we did": for each person who took part in a meeting of a group that sends these, the actions of
  those groups whose status changed since their last such message (or in the last 7 days), gathered into one
  message, at most one a week.

Works outside a request: links are made in deliver.link_context()."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..insight import agenda
from ..models import (
    Action,
    Attendance,
    AttendanceStatus,
    Group,
    Invitation,
    Meeting,
    Message,
    MessageKind,
    MessageOptOut,
    Person,
)
from ..models.base import LONDON, utcnow
from ..participation import invitations
from ..web.extensions import db
from ..web.pages import external_url
from . import compose, deliver, outbox

NEWS_EVERY = timedelta(days=7)  # at most one "You said, we did" message a person in this time


@dataclass
class Queued:
    reminders: int = 0
    action_updates: int = 0

    def sentence(self) -> str:
        return f"Reminders queued: {self.reminders}. \"You said, we did\" messages queued: {self.action_updates}."


def queue_due(now: datetime | None = None) -> Queued:
    """Queue the reminders and "You said, we did" messages that are due, and commit."""
    now = now or utcnow()
    with deliver.link_context():
        queued = Queued(reminders=queue_reminders(now))
        db.session.commit()
        queued.action_updates = queue_action_updates(now)
        db.session.commit()
    return queued


def _london_day(day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def queue_reminders(now: datetime) -> int:
    """Reminders for meetings on the London date REMINDER_DAYS_BEFORE days after today's; the caller commits."""
    kind = MessageKind.REMINDER
    day = now.astimezone(LONDON).date() + timedelta(days=current_app.config.get("REMINDER_DAYS_BEFORE", 1))
    start, end = _london_day(day)
    links = db.session.scalars(
        select(Invitation).join(Meeting, Meeting.id == Invitation.meeting_id).join(Group, Group.id == Meeting.group_id)
        .options(joinedload(Invitation.person), joinedload(Invitation.meeting))
        .where(Meeting.starts_at >= start, Meeting.starts_at < end, Group.sends_reminders.is_(True),
               Invitation.withdrawn_at.is_(None))
        .order_by(Invitation.meeting_id, Invitation.person_id)).all()
    keys = {link.id: outbox.dedupe_key_for(kind, link.person, meeting=link.meeting) for link in links}
    done = set(db.session.scalars(select(Message.dedupe_key).where(Message.dedupe_key.in_(keys.values())))) \
        if keys else set()
    links = [link for link in links if keys[link.id] not in done and invitations.link_works(link)
             and deliver.reason(link.person, kind) is None]
    agendas = agenda.items_for({link.meeting_id for link in links})
    queued = 0
    for link in links:
        person, meeting = link.person, link.meeting
        composed = compose.reminder(person, meeting, external_url("invite.invitation", token=link.token),
                                    stop_url=deliver.stop_url(person, kind), agenda_items=agendas[meeting.id],
                                    today=now.astimezone(LONDON).date())
        queued += deliver.send(person, kind, composed, meeting=meeting, dedupe_key=keys[link.id]) is not None
    return queued


def news_key(person: Person, now: datetime) -> str:
    """One "You said, we did" message per person per ISO week: "action_updates:p40:2026-W49"."""
    year, week, _day = now.astimezone(LONDON).isocalendar()
    return f"{MessageKind.ACTION_UPDATES.value}:p{person.id}:{year}-W{week:02d}"


def _you_said_we_did(group: Group, person: Person) -> str:
    endpoint = "public.you_said_we_did_easy_read" if deliver.easy_page(person) else "public.you_said_we_did"
    return external_url(endpoint, group_id=group.id)


def queue_action_updates(now: datetime) -> int:
    """Gather each person's news from the groups they took part in; the caller commits. The gathering takes
    the same few queries however many people and actions there are; each message queued adds its own."""
    kind = MessageKind.ACTION_UPDATES
    followed = (select(Attendance.person_id, Meeting.group_id).distinct()
                .join(Meeting, Meeting.id == Attendance.meeting_id).join(Group, Group.id == Meeting.group_id)
                .join(Person, Person.id == Attendance.person_id)
                .where(Attendance.status == AttendanceStatus.ATTENDED, Group.sends_action_updates.is_(True),
                       Person.erased_at.is_(None), Person.consent_at.is_not(None))
                .where(Person.id.not_in(select(MessageOptOut.person_id).where(MessageOptOut.kind == kind))))
    groups_of: dict[int, set[int]] = defaultdict(set)
    for person_id, group_id in db.session.execute(followed):
        groups_of[person_id].add(group_id)
    if not groups_of:
        return 0
    last_sent = dict(db.session.execute(
        select(Message.person_id, func.max(Message.created_at))
        .where(Message.kind == kind, Message.person_id.in_(followed.with_only_columns(Attendance.person_id)))
        .group_by(Message.person_id)).all())
    week_ago = now - NEWS_EVERY
    since = {}
    for person_id in groups_of:
        last = last_sent.get(person_id)
        if last is None:
            since[person_id] = week_ago
        elif last <= week_ago:
            since[person_id] = last
    if not since:
        return 0
    all_groups = {g for person_id in since for g in groups_of[person_id]}
    changed = db.session.scalars(
        select(Action).where(Action.group_id.in_(all_groups), Action.status_changed_at > min(since.values()),
                             Action.status_changed_at <= now)
        .order_by(Action.group_id, Action.status_changed_at, Action.id)).all()
    news_for = {}
    for person_id, after in since.items():
        mine = [a for a in changed if a.group_id in groups_of[person_id] and a.status_changed_at > after]
        if mine:
            news_for[person_id] = mine
    if not news_for:
        return 0
    people = db.session.scalars(select(Person).where(Person.id.in_(news_for)).order_by(Person.id)).all()
    groups = {g.id: g for g in db.session.scalars(select(Group).where(
        Group.id.in_({a.group_id for actions in news_for.values() for a in actions})))}
    queued = 0
    for person in people:
        if deliver.reason(person, kind) is not None:  # a phone call, or no address for their way
            continue
        by_group: dict[int, list[Action]] = defaultdict(list)
        for action in news_for[person.id]:
            by_group[action.group_id].append(action)
        news = [compose.GroupNews(groups[gid], actions, _you_said_we_did(groups[gid], person))
                for gid, actions in sorted(by_group.items(), key=lambda item: groups[item[0]].name.casefold())]
        composed = compose.action_news(person, news, stop_url=deliver.stop_url(person, kind))
        queued += deliver.send(person, kind, composed, group=news[0].group if len(news) == 1 else None,
                               dedupe_key=news_key(person, now)) is not None
    return queued
