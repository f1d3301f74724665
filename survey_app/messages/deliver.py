"""From a composed message to the outbox, for one person: which way it goes (email, text message, letter),
to which address, and their "stop messages like this" link. Callers compose (compose.py) with
stop_url(person, kind) and hand the result to send(); nothing goes to anyone whose contact method is a
phone call (the organiser rings them) or who has no address for their way.

Links are made with web.pages.external_url, so a caller outside a request (the sender's command, which
queues reminders) wraps its work in link_context()."""
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..models import InformationFormat, Message, MessageChannel, MessageKind, Person
from ..web.extensions import db
from ..web.pages import external_url
from . import outbox
from .compose import Composed, channel_for

CHANNELS = {"email": MessageChannel.EMAIL, "text": MessageChannel.TEXT, "letter": MessageChannel.LETTER}
# Why a person gets nothing, as the preview pages say it (refusal() and reason() give these keys).
REASONS = {"erased": _l("Their details were erased"), "no consent to contact": _l("No consent to contact"),
           "opted out": _l("They asked to stop these messages"), "phone": _l("Phone call: ring them"),
           "no address": _l("No address for their way of contact"),
           "group does not send": _l("This group does not send these messages")}


def message_token(person: Person) -> str:
    """The random key in their stop links, made once (in the caller's transaction)."""
    if not person.message_token:
        token = secrets.token_urlsafe(24)
        # Only if still empty: two requests making one at once agree on the first.
        db.session.execute(update(Person).where(Person.id == person.id, Person.message_token.is_(None))
                           .values(message_token=token))
        db.session.refresh(person, ["message_token"])
    return person.message_token


# In a preview, for someone who has no key yet: a preview writes nothing (a page you look at changes nothing).
PREVIEW_KEY = "made-when-it-is-sent"


def stop_url(person: Person, kind: MessageKind, preview: bool = False) -> str:
    token = (person.message_token or PREVIEW_KEY) if preview else message_token(person)
    return external_url("invite.stop_messages", token=token, kind=kind.value)


def easy_page(person: Person) -> bool:
    """Whether a message's link should be to the easy-read version of a page: for an easy-read person, and
    for a text message (a short text links to the full easy-read page)."""
    return person.information_format is InformationFormat.EASY_READ or channel_for(person) == "text"


def address(person: Person, channel: str) -> str:
    """Where a message on this channel goes: their email, phone number or postal address ("" if none).
    A letter for someone reached through someone else is addressed to them, care of that person."""
    if channel == "email":
        return person.email.strip()
    if channel == "text":
        return person.phone.strip()
    if channel == "letter":
        lines = [f"{person.first_name} {person.last_name}".strip()]
        if person.contact_through.strip():
            lines.append(f"c/o {person.contact_through.strip()}")  # for the post, not translated
        return "\n".join(lines + [person.address.strip()]) if person.address.strip() else ""
    return ""


def reason(person: Person, kind: MessageKind) -> str | None:
    """Why this person would get nothing of this kind (a REASONS key), or None: for previews."""
    refused = outbox.refusal(person, kind)
    if refused:
        return refused
    channel = channel_for(person)
    if channel not in CHANNELS:
        return "phone"
    if not address(person, channel):
        return "no address"
    return None


def send(person: Person, kind: MessageKind, composed: Composed, *, meeting=None, group=None, by=None,
         dedupe_key: str | None = None) -> Message | None:
    """Queue it in the caller's transaction (the caller commits). None if it may not or cannot go, or is
    queued already (the dedupe key: one invitation per meeting per person, unless the caller says)."""
    channel = CHANNELS.get(composed.channel_hint)
    to = address(person, composed.channel_hint) if channel else ""
    if channel is None or not to:
        return None
    return outbox.queue(person, kind, channel, to, composed.subject, composed.body, html=composed.html,
                        ics=composed.ics.decode() if composed.ics else "", meeting=meeting, group=group,
                        dedupe_key=dedupe_key, by=by)


def link_context():
    """A request context on PUBLIC_BASE_URL, for making links outside a request (the sender's command)."""
    return current_app.test_request_context(base_url=current_app.config.get("PUBLIC_BASE_URL")
                                            or "http://localhost")
