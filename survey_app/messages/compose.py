"""What each message says, in the person's language and information format: pure composition, no database
writes and nothing sent (the outbox queues and sends).

Each kind renders `messages/<kind>.txt` (plain text) and `messages/<kind>.html` under the person's language;
an easy-read person gets the easy-read wording of the same templates (short sentences, one idea a line).
Email html carries no pictures: most email programs (Gmail, Outlook) drop inline SVG and none follow a
<use> reference, so a picture would be a blank box or nothing; the pictures stay on the printed letter
(invitation_letter) and on the personal-link page the message links to. Someone whose contact method is a
text message gets a short text (TEXT_LIMIT characters at most) that links to their page. Every message ends
with how to stop messages of that kind (`stop_url`, made by the caller).

Links (`link_url`, `stop_url`, `page_url`) are made by the caller with web.pages.external_url: a sender
outside a request cannot build them here."""
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from markupsafe import Markup

from ..models import ContactMethod, Group, InformationFormat, Meeting, MeetingMode, Person
from ..models.base import LONDON, london_today, utcnow
from ..web.formatting import local_date, local_time, pence
from ..web.i18n import BABEL_LOCALES

PRODID = "-//One Halton//Co-production Hub//EN"
TEXT_LIMIT = 300
# People who get a printed letter (or Notify's letter channel). "Through someone" joins POST when the
# model has it; ContactMethod has no such value yet.
LETTER_METHODS = frozenset(m for m in ContactMethod if m.value in {"post", "through_someone"})
ELLIPSIS = "…"


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    html: str
    ics: bytes | None = None
    channel_hint: str = "email"  # email | text | letter | phone


def channel_for(person: Person) -> str:
    if person.contact_method in LETTER_METHODS:
        return "letter"
    return {ContactMethod.EMAIL: "email", ContactMethod.TEXT: "text"}.get(person.contact_method, "phone")


def babel_locale(language: str) -> str:
    return BABEL_LOCALES.get(language, BABEL_LOCALES["en"])


def _render(template: str, /, **context) -> str:
    # The app's Jinja environment without render_template: no request is needed (a sender runs from the
    # command line), and the letters page can hold many letters whose pictures are drawn once per page.
    text = current_app.jinja_env.get_template(template).render(**context)
    if template.endswith(".txt"):  # one blank line at most between parts, whatever the template's {% if %}s left
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.strip().splitlines())) + "\n"
    return text


def _context(person: Person, **more) -> dict:
    lang = (person.language if person.language in current_app.config["LANGUAGES"] else "en")
    return {"person": person, "name": person.preferred_name or person.first_name,
            "easy": person.information_format is InformationFormat.EASY_READ,
            "audio": person.information_format is InformationFormat.AUDIO,
            "br": Markup("<br>"),  # a typed line break in html: emails carry no styles, so no white-space: pre-line
            "lang": lang, "text_dir": "rtl" if lang in current_app.config["RTL_LANGUAGES"] else "ltr", **more}


def _when(meeting: Meeting) -> dict:
    return {"date": local_date(meeting.starts_at, "full"), "start": local_time(meeting.starts_at),
            "end": local_time(meeting.ends_at)}


def _fit(make, typed: str) -> str:
    """A text message within TEXT_LIMIT: make(typed) with the typed part (a title, a note) cut short as
    far as needed, never the links."""
    text = make(typed)
    over = len(text) - TEXT_LIMIT
    if over > 0 and typed:
        cut = max(len(typed) - over - len(ELLIPSIS), 0)
        text = make(typed[:cut].rstrip() + ELLIPSIS)
    return text


def _compose(person: Person, kind: str, subject, text_message, ics: bytes | None = None, channel: str | None = None,
             **context) -> Composed:
    """`channel`: the way it goes when not the person's usual way (a remittance letter for someone on ESA)."""
    context = _context(person, **context)
    channel = channel or channel_for(person)
    html = _render(f"messages/{kind}.html", subject=subject, **context)
    body = text_message() if channel == "text" else _render(f"messages/{kind}.txt", **context)
    return Composed(subject=subject, body=body, html=html, ics=ics, channel_hint=channel)


def _stop_line(stop_url: str) -> str:
    return _("To stop messages like this: %(url)s", url=stop_url)


def _meeting_facts(meeting: Meeting, items, easy: bool) -> dict:
    purpose = (meeting.purpose_easy or meeting.purpose) if easy else meeting.purpose
    lines = [(item.easy_read or item.what) if easy else item.what for item in items]
    return {"meeting": meeting, "purpose": purpose, "items": lines, "when": _when(meeting),
            "in_person": meeting.mode is not MeetingMode.ONLINE,
            "online": meeting.mode is not MeetingMode.IN_PERSON,
            "features": [str(label) for label in meeting.venue_features]}


def _items(meeting: Meeting, agenda_items):
    if agenda_items is None:
        from ..insight import agenda

        agenda_items = agenda.items(meeting.id)
    return agenda_items


def invitation(person: Person, meeting: Meeting, link_url: str, *, stop_url: str, agenda_items=None) -> Composed:
    """What it is for, the agenda, when and where, access, online details, "tell us what support you
    need" with their personal link, and the .ics. `agenda_items`: the meeting's, when the caller has them."""
    items = _items(meeting, agenda_items)
    with force_locale(babel_locale(person.language)):
        when = _when(meeting)
        return _compose(
            person, "invitation", _("Invitation: %(title)s", title=meeting.title),
            lambda: _fit(lambda title: _("You are invited to %(title)s on %(date)s at %(time)s. Tell us what "
                                         "support you need: %(link)s", title=title, date=local_date(
                                             meeting.starts_at, "medium"), time=when["start"], link=link_url)
                         + "\n" + _stop_line(stop_url), meeting.title),
            ics=meeting_ics(meeting, link_url, person.language),
            link_url=link_url, stop_url=stop_url, reminder=False, tomorrow=False,
            **_meeting_facts(meeting, items, person.information_format is InformationFormat.EASY_READ))


def reminder(person: Person, meeting: Meeting, link_url: str, *, stop_url: str, agenda_items=None,
             today: date | None = None) -> Composed:
    """The invitation's facts again, a few days before (REMINDER_DAYS_BEFORE): "is tomorrow" when it is
    (`today`: the London date it is sent on, by default today)."""
    items = _items(meeting, agenda_items)
    tomorrow = meeting.starts_at.astimezone(LONDON).date() == (today or london_today()) + timedelta(days=1)
    with force_locale(babel_locale(person.language)):
        when = _when(meeting)
        day = local_date(meeting.starts_at, "medium")
        subject = (_("Reminder: %(title)s is tomorrow", title=meeting.title) if tomorrow
                   else _("Reminder: %(title)s is on %(date)s", title=meeting.title, date=day))

        def text(title: str) -> str:
            if tomorrow:
                return _("Reminder: %(title)s is tomorrow at %(time)s. See the details: %(link)s",
                         title=title, time=when["start"], link=link_url)
            return _("Reminder: %(title)s is on %(date)s at %(time)s. See the details: %(link)s",
                     title=title, date=day, time=when["start"], link=link_url)

        return _compose(
            person, "invitation", subject, lambda: _fit(lambda title: text(title) + "\n" + _stop_line(stop_url),
                                                        meeting.title),
            ics=meeting_ics(meeting, link_url, person.language),
            link_url=link_url, stop_url=stop_url, reminder=True, tomorrow=tomorrow,
            **_meeting_facts(meeting, items, person.information_format is InformationFormat.EASY_READ))


def support_arranged(person: Person, meeting: Meeting, needs: Iterable, *, stop_url: str,
                     link_url: str = "") -> Composed:
    """"Your support is arranged", each need by its label (NeedKind) in their language: never the detail
    they typed, which is health data. `needs`: AccessNeed rows or NeedKinds."""
    kinds = [getattr(need, "kind", need) for need in needs]
    with force_locale(babel_locale(person.language)):
        labels = [str(kind.label) for kind in kinds]
        when = _when(meeting)
        return _compose(
            person, "support_arranged", _("Your support is arranged"),
            lambda: _fit(lambda title: _("Your support for %(title)s on %(date)s is arranged.", title=title,
                                         date=local_date(meeting.starts_at, "medium"))
                         + (" " + link_url if link_url else "") + "\n" + _stop_line(stop_url), meeting.title),
            meeting=meeting, when=when, needs=labels, link_url=link_url, stop_url=stop_url)


def what_happened(person: Person, meeting: Meeting, note_text: str, decisions: Iterable, actions: Iterable, *,
                  stop_url: str, page_url: str) -> Composed:
    """What was said, the decisions (Decision rows), and the actions (Action rows) with who and when.
    `page_url`: the group's meeting notes page (easy read for an easy-read person)."""
    with force_locale(babel_locale(person.language)):
        return _compose(
            person, "what_happened", _("What happened at %(title)s", title=meeting.title),
            lambda: _fit(lambda title: _("The notes of %(title)s are ready: %(link)s", title=title, link=page_url)
                         + "\n" + _stop_line(stop_url), meeting.title),
            meeting=meeting, when=_when(meeting), note_text=note_text, decisions=[d.what for d in decisions],
            actions=[_action(a) for a in actions], page_url=page_url, stop_url=stop_url)


def _action(action) -> dict:
    return {"what": action.what, "owner": action.owner, "status": str(action.status.label),
            "due": local_date(action.due_on, "LLLL yyyy") if action.due_on else "",
            "explanation": action.explanation}


@dataclass(frozen=True)
class GroupNews:
    """One group's part of a "You said, we did" message: its actions (Action rows) whose status changed,
    and the link to its "You said, we did" page."""
    group: Group
    actions: list
    page_url: str


def action_updates(person: Person, group: Group, changes: Iterable, *, stop_url: str, page_url: str) -> Composed:
    """"You said, we did": each action (Action rows) whose status changed, as it is now.
    `page_url`: the group's "You said, we did" page."""
    return action_news(person, [GroupNews(group, list(changes), page_url)], stop_url=stop_url)


def action_news(person: Person, news: list[GroupNews], *, stop_url: str) -> Composed:
    """"You said, we did" gathered across the person's groups (one message a week at most): each group's
    changed actions under its name, with its page. One group reads as action_updates always has."""
    single = news[0].group if len(news) == 1 else None
    link = news[0].page_url

    def text(name: str) -> str:
        if single is not None:
            return _("You said, we did: news from %(group)s. %(link)s", group=name, link=link)
        return _("You said, we did: news from your groups. %(link)s", link=link)

    with force_locale(babel_locale(person.language)):
        subject = (_("You said, we did: news from %(group)s", group=single.name) if single is not None
                   else _("You said, we did: news from your groups"))
        return _compose(
            person, "action_updates", subject,
            lambda: _fit(lambda name: text(name) + "\n" + _stop_line(stop_url), single.name if single else ""),
            group=single, sections=[{"group": n.group, "actions": [_action(a) for a in n.actions],
                                     "page_url": n.page_url} for n in news],
            stop_url=stop_url)


def one_off(person: Person, meeting: Meeting, subject: str, text: str, *, stop_url: str,
            link_url: str = "") -> Composed:
    """A message an organiser wrote to a meeting's people: their subject and text, as typed."""
    with force_locale(babel_locale(person.language)):
        return _compose(
            person, "one_off", subject,
            lambda: _fit(lambda typed: typed + (" " + link_url if link_url else "") + "\n" + _stop_line(stop_url),
                         f"{subject}: {text}"),
            meeting=meeting, when=_when(meeting), text=text, link_url=link_url, stop_url=stop_url)


def remittance(person: Person, return_number: int, lines, *, stop_url: str, esa: bool = False) -> Composed:
    """What they were paid, for what and when: each paid line (money.line_payments.PaidLine) with its amount in their
    language's currency format, and the total. Someone on ESA gets it as an easy-read letter "for your
    records" whatever their usual way (when we have their address): they may need it to show their work is
    permitted work."""
    letter = esa and bool(person.address.strip())
    with force_locale(babel_locale(person.language)):
        rows = [{"what": line.what, "kind": str(line.kind.label), "date": local_date(line.activity_on, "long"),
                 "amount": pence(line.amount_pence), "paid_on": local_date(line.paid_on, "long")} for line in lines]
        total = pence(sum(line.amount_pence for line in lines))
        paid_on = local_date(max(line.paid_on for line in lines), "long")
        return _compose(
            person, "remittance", _("What we have paid you"),
            lambda: _("We have paid you %(total)s on %(date)s. Thank you for your time.", total=total, date=paid_on)
            + "\n" + _stop_line(stop_url),
            channel="letter" if letter else None, easy=esa or person.information_format is InformationFormat.EASY_READ,
            for_records=esa, rows=rows,
            total=total, paid_on=paid_on, return_number=return_number, stop_url=stop_url)


def permitted_work(person: Person, *, stop_url: str) -> Composed:
    """Before their first payment, someone on ESA sends the permitted-work form (PW1) to the DWP: a reminder,
    easy read when that is their format."""
    with force_locale(babel_locale(person.language)):
        return _compose(
            person, "permitted_work", _("Before your first payment: the permitted work form"),
            lambda: _("Before we pay you, please send the permitted work form (PW1) to the DWP and tell us the "
                      "date you sent it.") + "\n" + _stop_line(stop_url),
            stop_url=stop_url)


def _host() -> str:
    return urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or "localhost"


def meeting_ics(meeting: Meeting, link_url: str, language: str = "en") -> bytes:
    """The meeting as a calendar file: one event in UTC, with the place, the access features and the online
    details, and the person's own link. The words are in `language`."""
    with force_locale(babel_locale(language)):
        lines = [meeting.purpose]
        if meeting.mode is not MeetingMode.ONLINE:
            features = [str(label) for label in meeting.venue_features]
            if features or meeting.access_notes:
                access = [_("Access at the venue"), ", ".join(features), meeting.access_notes or ""]
                lines.append("\n".join(access).strip())
        if meeting.mode is not MeetingMode.IN_PERSON and meeting.online_details:
            lines.append(_("Joining online") + "\n" + meeting.online_details)
        location = ", ".join(part for part in (meeting.venue_name, " ".join(meeting.venue_address.split())) if part)
        if meeting.mode is MeetingMode.ONLINE:
            location = _("Online")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{_host()}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.title)
    event.add("location", location)
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("url", link_url)
    cal.add_component(event)
    return cal.to_ical()


def invitation_letter(person: Person, meeting: Meeting, link_url: str, qr: Markup, *, agenda_items) -> Markup:
    """The invitation as one printed page of the letters batch: pictures for easy read, large print where
    asked, the personal link and its QR code. Used by the organisers' letters page."""
    with force_locale(babel_locale(person.language)):
        context = _context(person, link_url=link_url, qr=qr, reminder=False, tomorrow=False,
                           large_print=person.information_format is InformationFormat.LARGE_PRINT,
                           **_meeting_facts(meeting, agenda_items,
                                            person.information_format is InformationFormat.EASY_READ))
        return Markup(_render("messages/invitation_letter.html", **context))  # noqa: S704 -- an autoescaped template
