"""What organisers press to send: who gets a meeting's invitations or a one-off message and by which way
(or why nothing goes to them), the message itself for one person, and queueing them all. The preview and
the send use the same rules (outbox.refusal, deliver.address), so what the page shows is what goes."""
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..insight import agenda
from ..insight.actions import notes_for
from ..insight.decisions import decisions_for
from ..models import (
    Action,
    Attendance,
    AttendanceStatus,
    ContactMethod,
    Group,
    InformationFormat,
    Invitation,
    Meeting,
    Message,
    MessageChannel,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    NeedKind,
    Person,
    PersonRole,
)
from ..models.base import LONDON, utcnow
from ..participation import invitations
from ..web.extensions import db
from ..web.pages import external_url
from . import compose, deliver

EVERYONE, TOOK_PART = "everyone", "took_part"


@dataclass
class Recipient:
    person: Person
    channel: MessageChannel | None  # the way it goes, or None when nothing goes (see reason)
    reason: str | None  # a deliver.REASONS key
    already: bool = False  # one of this kind is queued or sent already (invitations)
    invitation: Invitation | None = None  # their working personal link, if any

    @property
    def gets_one(self) -> bool:
        return self.reason is None and not self.already

    @property
    def why(self) -> str:
        return str(deliver.REASONS[self.reason]) if self.reason else ""


def _recipients(people_links: list[tuple[Person, Invitation | None]], kind: MessageKind,
                already: set[int] = frozenset()) -> list[Recipient]:
    """deliver.reason() for many people in one query (the opt-outs), in the same order of checks."""
    ids = [person.id for person, _ in people_links]
    opted = set(db.session.scalars(select(MessageOptOut.person_id).where(MessageOptOut.person_id.in_(ids),
                                                                         MessageOptOut.kind == kind))) if ids else set()
    found = []
    for person, link in people_links:
        channel = compose.channel_for(person)
        if person.erased_at is not None:
            reason = "erased"
        elif person.consent_at is None:
            reason = "no consent to contact"
        elif person.id in opted:
            reason = "opted out"
        elif channel not in deliver.CHANNELS:
            reason = "phone"
        elif not deliver.address(person, channel):
            reason = "no address"
        else:
            reason = None
        found.append(Recipient(person, deliver.CHANNELS.get(channel) if reason is None else None, reason,
                               already=person.id in already, invitation=link))
    return found


def invitation_recipients(meeting: Meeting) -> list[Recipient]:
    """Everyone with a working personal link, and whether an invitation went to them already."""
    links = invitations.working_links_for(meeting)
    sent = set(db.session.scalars(select(Message.person_id).where(Message.meeting_id == meeting.id,
                                                                  Message.kind == MessageKind.INVITATION)))
    return _recipients([(inv.person, inv) for inv in links], MessageKind.INVITATION, sent)


def one_off_recipients(meeting: Meeting, who: str) -> list[Recipient]:
    """Everyone on the meeting's list (EVERYONE) or only those who took part (TOOK_PART)."""
    query = (select(Attendance).options(joinedload(Attendance.person)).where(Attendance.meeting_id == meeting.id))
    if who == TOOK_PART:
        query = query.where(Attendance.status == AttendanceStatus.ATTENDED)
    rows = db.session.scalars(query).all()
    links = {inv.person_id: inv for inv in invitations.working_links_for(meeting)}
    rows.sort(key=lambda a: (a.person.last_name.casefold(), a.person.first_name.casefold()))
    return _recipients([(a.person, links.get(a.person_id)) for a in rows], MessageKind.ONE_OFF)


def chosen(recipients: list[Recipient], person_id: int | None) -> Recipient | None:
    """The person whose whole message the preview shows: the one asked for, else the first who gets one."""
    going = [r for r in recipients if r.reason is None]
    return next((r for r in going if r.person.id == person_id), None) or (going[0] if going else None)


def personal_link(invitation: Invitation) -> str:
    return external_url("invite.invitation", token=invitation.token)


def invitation_for(recipient: Recipient, meeting: Meeting, items, qr: Callable[[str], Markup],
                   preview: bool = False) -> compose.Composed:
    """The invitation as it goes to them. A letter's html is the printed letter, with its QR code and its own
    pictures (drawn afresh: each stored letter is printed on its own, later, beside others). A preview makes
    no stop-link key (deliver.stop_url)."""
    person, url = recipient.person, personal_link(recipient.invitation)
    composed = compose.invitation(person, meeting, url, agenda_items=items,
                                  stop_url=deliver.stop_url(person, MessageKind.INVITATION, preview=preview))
    if composed.channel_hint == "letter":
        g._symbols_drawn = set()
        letter = compose.invitation_letter(person, meeting, url, qr(url), agenda_items=items)
        composed = dataclasses.replace(composed, html=str(letter).strip())
    return composed


def send_invitations(meeting: Meeting, qr: Callable[[str], Markup], by=None) -> list[Message]:
    """Queue an invitation for everyone with a working link who may get one and has none yet (the caller
    commits). The outbox's dedupe key stops a second copy whatever the caller does."""
    items = agenda.items(meeting.id)
    queued = []
    for recipient in invitation_recipients(meeting):
        if not recipient.gets_one:
            continue
        message = deliver.send(recipient.person, MessageKind.INVITATION,
                               invitation_for(recipient, meeting, items, qr), meeting=meeting, by=by)
        if message is not None:
            queued.append(message)
    return queued


def one_off_for(recipient: Recipient, meeting: Meeting, subject: str, text: str,
                preview: bool = False) -> compose.Composed:
    person = recipient.person
    return compose.one_off(person, meeting, subject, text,
                           stop_url=deliver.stop_url(person, MessageKind.ONE_OFF, preview=preview),
                           link_url=personal_link(recipient.invitation) if recipient.invitation else "")


def send_one_off(meeting: Meeting, who: str, subject: str, text: str, once: str, by=None) -> list[Message]:
    """Queue the organiser's message for each of the people chosen who may get it (the caller commits).
    `once`: the form's one-time token, so this message goes once to each person however often it is sent."""
    queued = []
    for recipient in one_off_recipients(meeting, who):
        if not recipient.gets_one:
            continue
        message = deliver.send(recipient.person, MessageKind.ONE_OFF, one_off_for(recipient, meeting, subject, text),
                               meeting=meeting, by=by,
                               dedupe_key=f"one_off:m{meeting.id}:{once}:p{recipient.person.id}")
        if message is not None:
            queued.append(message)
    return queued


def notify_posts_letters() -> bool:
    """Whether GOV.UK Notify posts letters; otherwise the organiser prints them."""
    config = current_app.config
    return bool(config.get("NOTIFY_API_KEY") and config.get("NOTIFY_LETTER_TEMPLATE"))


# --- The letters batch ---

def letters_for(meeting: Meeting) -> list[Message]:
    """The meeting's letters waiting to be printed, oldest first."""
    return list(db.session.scalars(select(Message).options(joinedload(Message.person))
                                   .where(Message.meeting_id == meeting.id, Message.channel == MessageChannel.LETTER,
                                          Message.status == MessageStatus.QUEUED)
                                   .order_by(Message.created_at, Message.id)))


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_SYMBOL = re.compile(r'<symbol id="sym-([\w-]+)"[^>]*>.*?</symbol>', re.S)


def printed_pages(letters: list[Message]) -> list[Markup]:
    """Each stored letter as a page of the batch. An invitation letter is stored as its printed page; any
    other message's email html is printed inside a letter of its own. A picture drawn by an earlier letter
    of the batch is drawn once (an id is defined once on a page); the later ones point to it."""
    drawn, pages = set(), []

    def once(match: re.Match) -> str:
        if match.group(1) in drawn:
            return ""
        drawn.add(match.group(1))
        return match.group(0)

    for message in letters:
        html = message.html  # our own rendered, escaped output (compose.py), stored when it was queued
        if not html.lstrip().startswith("<section"):
            body = _BODY.search(html)
            rtl = message.language in current_app.config["RTL_LANGUAGES"]
            html = (f'<section class="letter{" letter--large" if message.format == "large_print" else ""}" '
                    f'lang="{Markup.escape(message.language)}" dir="{"rtl" if rtl else "ltr"}">'
                    f'{body.group(1) if body else Markup.escape(message.body)}</section>')
        # The postal address at the top, where a window envelope shows it (as it was when queued).
        address = Markup('<address class="letter__address">{}</address>').format(
            Markup("<br>").join(message.to.splitlines()))
        opening = html.index(">", html.index("<section")) + 1
        html = html[:opening] + str(address) + html[opening:]
        pages.append(Markup(_SYMBOL.sub(once, html)))  # noqa: S704 -- our own stored html, see above
    return pages


# --- A group's message choices ---

SWITCHES = {MessageKind.REMINDER: "sends_reminders", MessageKind.SUPPORT_ARRANGED: "sends_support_arranged",
            MessageKind.WHAT_HAPPENED: "sends_what_happened", MessageKind.ACTION_UPDATES: "sends_action_updates"}


def example_meeting(group: Group) -> Meeting | None:
    """The group's next meeting, else its latest."""
    base = select(Meeting).where(Meeting.group_id == group.id)
    return (db.session.scalars(base.where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at).limit(1)).first()
            or db.session.scalars(base.order_by(Meeting.starts_at.desc()).limit(1)).first())


# The key in the examples' links: not a real one, so they lead nowhere.
EXAMPLE_KEY = "example"  # noqa: S105


def made_up_person() -> Person:
    """Someone who does not exist (never added to the database), for the examples."""
    return Person(first_name="Sam", last_name="Example", email="sam@example.org", contact_method=ContactMethod.EMAIL,
                  information_format=InformationFormat.STANDARD, language="en", role=PersonRole.LIVED_EXPERIENCE)


def examples(group: Group) -> dict[MessageKind, compose.Composed]:
    """Each switchable kind as the group's next (or latest) meeting would send it, to a made-up person in
    standard English; empty when the group has no meeting. The links are examples that lead nowhere."""
    meeting = example_meeting(group)
    if meeting is None:
        return {}
    person, link = made_up_person(), external_url("invite.invitation", token=EXAMPLE_KEY)

    def stop(kind):
        return external_url("invite.stop_messages", token=EXAMPLE_KEY, kind=kind.value)

    notes = notes_for(meeting.id)
    actions = db.session.scalars(select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)).all()
    changed = db.session.scalars(select(Action).where(Action.group_id == group.id)
                                 .order_by(Action.updated_at.desc(), Action.id.desc()).limit(3)).all()
    return {
        MessageKind.REMINDER: compose.reminder(  # as it goes: REMINDER_DAYS_BEFORE days before the meeting
            person, meeting, link, stop_url=stop(MessageKind.REMINDER),
            today=meeting.starts_at.astimezone(LONDON).date()
            - timedelta(days=current_app.config.get("REMINDER_DAYS_BEFORE", 1))),
        MessageKind.SUPPORT_ARRANGED: compose.support_arranged(
            person, meeting, [NeedKind.BSL, NeedKind.STEP_FREE], stop_url=stop(MessageKind.SUPPORT_ARRANGED),
            link_url=link),
        MessageKind.WHAT_HAPPENED: compose.what_happened(
            person, meeting, notes.text if notes else "", decisions_for(meeting.id), actions,
            stop_url=stop(MessageKind.WHAT_HAPPENED), page_url=external_url("public.meeting_notes", group_id=group.id)),
        MessageKind.ACTION_UPDATES: compose.action_updates(
            person, group, changed, stop_url=stop(MessageKind.ACTION_UPDATES),
            page_url=external_url("public.you_said_we_did", group_id=group.id)),
    }
