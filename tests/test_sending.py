"""What organisers press to send (issue 16): a group's message choices with examples, a meeting's invitations
(previewed, queued once, delivered to a real SMTP server on loopback with the .ics), the letters batch from the
outbox, and a one-off message to a meeting's people."""
import re
import secrets
from datetime import UTC, datetime

import icalendar
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey_app.messages import sender
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ContactMethod,
    Group,
    InformationFormat,
    Invitation,
    Message,
    MessageChannel,
    MessageKind,
    MessageStatus,
    Person,
    PersonRole,
    Role,
)
from survey_app.web.extensions import db
from tests.queries import count_queries
from tests.smtp_server import smtp_server

BASE = "https://hub.example"


@pytest.fixture
def meeting(app, sample):
    app.config["PUBLIC_BASE_URL"] = BASE
    return sample["meeting"]


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def person(first, method=ContactMethod.EMAIL, fmt=InformationFormat.STANDARD, language="en", consent=True, **extra):
    values = {"email": f"{first.lower()}@example.org", "phone": "07700 900456",
              "address": "1 High Street\nRuncorn\nWA7 1AA"} | extra
    p = Person(first_name=first, last_name="Smith", contact_method=method, information_format=fmt, language=language,
               role=PersonRole.LIVED_EXPERIENCE, consent_at=datetime.now(UTC) if consent else None, **values)
    p.refresh_search_name()
    db.session.add(p)
    db.session.commit()
    return p


def invite(meeting, who, status=AttendanceStatus.INVITED, link=True):
    db.session.add(Attendance(meeting_id=meeting.id, person_id=who.id, status=status))
    if link:
        db.session.add(Invitation(meeting_id=meeting.id, person_id=who.id, token=secrets.token_urlsafe(24)))
    db.session.commit()
    return who


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def flashes(response) -> str:
    return response.get_data(as_text=True)


# --- A group's message choices ---

def test_the_switches_save_and_are_audited(client, organiser, sample):
    group = sample["group"]
    page = client.get(f"/groups/{group.id}/messages").get_data(as_text=True)
    assert "The day before each meeting, to everyone invited." in page
    assert "Invitations and one-off messages have no switch" in page
    response = client.submit(f"/groups/{group.id}/messages", {"sends_reminders": "y", "sends_what_happened": "y"},
                             follow_redirects=True)
    assert "Message choices saved." in response.get_data(as_text=True)
    db.session.refresh(group)
    assert (group.sends_reminders, group.sends_support_arranged, group.sends_what_happened,
            group.sends_action_updates) == (True, False, True, False)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "Group",
                                                        AuditEvent.action == "update")).one()
    assert event.after == {"sends_support_arranged": False, "sends_action_updates": False}
    assert event.user_id == organiser.id
    assert "Messages this group sends" in client.get(f"/groups/{group.id}").get_data(as_text=True)


def test_examples_are_for_a_made_up_person_and_only_with_a_meeting(client, organiser, meeting, sample):
    people = count(Person)
    page = client.get(f"/groups/{sample['group'].id}/messages").get_data(as_text=True)
    for text in ("See an example: Reminders the day before a meeting", "Reminder: Health checks is tomorrow",
                 "Dear Sam", "Your support is arranged", "What happened at Health checks",
                 "You said, we did: news from Learning Disability Partnership Board"):
        assert text in page, text
    assert count(Person) == people and count(Message) == 0
    empty = Group(name="New group", description="")
    db.session.add(empty)
    db.session.commit()
    page = client.get(f"/groups/{empty.id}/messages").get_data(as_text=True)
    assert "This group has no meetings yet, so there is nothing to show an example with." in page


# --- Who may use these pages ---

def test_the_wrong_role_gets_403(client, login_as, meeting, sample):
    pages = [f"/groups/{sample['group'].id}/messages", f"/meetings/{meeting.id}/messages/invitations",
             f"/meetings/{meeting.id}/messages/new", f"/meetings/{meeting.id}/letters"]
    for url in pages:
        assert client.get(url).status_code == 302, url  # sign in first
    login_as(Role.FINANCE)
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url in pages[:3] + [f"/meetings/{meeting.id}/letters/printed"]:
        assert client.post(url, data={"csrf_token": client.csrf_token("/account")}).status_code == 403, url
    assert count(Message) == 0


# --- Sending invitations ---

def test_the_preview_shows_each_way_and_why_nothing_goes(client, organiser, meeting):
    invite(meeting, person("Emma"))
    invite(meeting, person("Pawel", language="pl"))
    invite(meeting, person("Terry", method=ContactMethod.TEXT))
    invite(meeting, person("Peggy", method=ContactMethod.POST))
    invite(meeting, person("Nora", consent=False))
    invite(meeting, person("Phil", method=ContactMethod.PHONE))
    invite(meeting, person("Norm", method=ContactMethod.POST, address=""))
    invite(meeting, person("Lonely"), link=False)  # no personal link: not on the list
    url = f"/meetings/{meeting.id}/messages/invitations"
    assert 'href="' + url + '"' in client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<tr><td>(\w+) Smith</td>\s*<td>(.*?)</td>", page, re.S)}
    assert rows == {"Emma": "Email", "Pawel": "Email", "Terry": "Text message", "Peggy": "Letter",
                    "Nora": "Nothing will go: No consent to contact", "Phil": "Nothing will go: Phone call: ring them",
                    "Norm": "Nothing will go: No address for their way of contact"}
    assert "Send 4 invitations" in page
    # The first who gets one (by last name, then first name): Emma, in English, with the calendar file.
    assert "The message for Emma Smith" in page and "Invitation: Health checks" in page
    assert "Calendar file attached" in page and "Tell us what support you need" in page
    assert count(Message) == 0  # nothing goes until the button is pressed
    pawel = db.session.scalar(select(Person).where(Person.first_name == "Pawel"))
    page = client.get(f"{url}?person={pawel.id}").get_data(as_text=True)
    with force_locale("pl_PL"):
        assert _("Invitation: %(title)s", title="Health checks") in page
    assert "The message for Pawel Smith" in page


def test_invitations_go_once_and_an_email_arrives_with_its_calendar_file(client, organiser, meeting):
    emma = invite(meeting, person("Emma"))
    invite(meeting, person("Peggy", method=ContactMethod.POST))
    url = f"/meetings/{meeting.id}/messages/invitations"
    tokens, other_tab = client._tokens(url), client._tokens(url)
    first = client.post(url, data=tokens, follow_redirects=True).get_data(as_text=True)
    assert "Invitations queued: 2. They go within a minute." in first and "1 letter to print." in first
    assert "Already sent" in first and "Nobody is waiting for an invitation." in first
    again = client.post(url, data=tokens, follow_redirects=True).get_data(as_text=True)  # a double press
    assert "That was done already." in again
    # A second tab's fresh token: the dedupe keys stop a second copy.
    assert "Invitations queued: 0." in client.post(url, data=other_tab, follow_redirects=True).get_data(as_text=True)
    assert count(Message) == 2
    audited = db.session.scalars(select(AuditEvent.after).where(AuditEvent.action == "queue-message")).all()
    assert sorted(a["channel"] for a in audited) == ["email", "letter"]
    with smtp_server() as server:
        tally = sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"),
                                worker_id="test")
        assert tally.sent == 1
        [mail] = server.messages
    link = db.session.scalar(select(Invitation.token).where(Invitation.person_id == emma.id))
    assert mail["To"] == "emma@example.org" and mail["Subject"] == "Invitation: Health checks"
    body = mail.get_body(("plain",)).get_content()
    assert f"{BASE}/invite/{link}" in body and "To stop messages like this: " + BASE + "/stop/" in body
    [attachment] = list(mail.iter_attachments())
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Health checks" and "Runcorn Library" in str(event["LOCATION"])
    assert event.decoded("DTSTART") == meeting.starts_at.astimezone(UTC)
    assert count(Message, Message.status == MessageStatus.QUEUED, Message.channel == MessageChannel.LETTER) == 1


def test_the_preview_says_when_there_is_nobody_to_send_to(client, organiser, meeting):
    page = client.get(f"/meetings/{meeting.id}/messages/invitations").get_data(as_text=True)
    assert "Nobody has a working personal link for this meeting. Invite people and make their links first." in page


def test_the_invitations_preview_makes_the_same_number_of_queries_for_2_and_6_people(client, organiser, meeting):
    url = f"/meetings/{meeting.id}/messages/invitations"

    def queries(n):
        for i in range(n - count(Invitation)):
            invite(meeting, person(f"P{n}x{i}", method=[ContactMethod.EMAIL, ContactMethod.POST,
                                                         ContactMethod.TEXT][i % 3], consent=i % 4 != 3))
        client.get(url)  # warm: the shown person's stop-link key is made once
        with count_queries() as counter:
            client.get(url)
        return counter["n"]

    assert queries(2) == queries(6)


# --- The letters batch ---

def test_a_letter_person_is_on_the_letters_page_until_printed(client, organiser, meeting):
    peggy = invite(meeting, person("Peggy", method=ContactMethod.POST, fmt=InformationFormat.EASY_READ))
    invite(meeting, person("Larry", method=ContactMethod.POST, fmt=InformationFormat.LARGE_PRINT))
    invite(meeting, person("Emma"))
    letters = f"/meetings/{meeting.id}/letters"
    assert "There are no letters waiting to be printed for this meeting." in client.get(letters).get_data(as_text=True)
    client.submit(f"/meetings/{meeting.id}/messages/invitations", {})
    stored = db.session.scalar(select(Message).where(Message.person_id == peggy.id))
    assert stored.channel is MessageChannel.LETTER and stored.html.startswith('<section class="letter letter--easy"')
    assert "<symbol" in stored.html and "<svg" in stored.html  # its own pictures and its QR code
    page = client.get(letters).get_data(as_text=True)
    token = db.session.scalar(select(Invitation.token).where(Invitation.person_id == peggy.id))
    assert page.count('<section class="letter') == 2 and f"{BASE}/invite/{token}" in page
    assert page.count("letter--large") == 1 and "emma@example.org" not in page
    printed_links = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view-print-link")).all()
    assert len(printed_links) == 2 and all(e.after["as"] == "letter" for e in printed_links)
    tokens = client._tokens(letters)
    done = client.post(f"/meetings/{meeting.id}/letters/printed", data={**tokens, "letter": [
        str(m.id) for m in db.session.scalars(select(Message).where(Message.channel == MessageChannel.LETTER))]},
        follow_redirects=True).get_data(as_text=True)
    assert "2 letters marked as printed." in done
    assert "There are no letters waiting to be printed for this meeting." in done
    again = client.post(f"/meetings/{meeting.id}/letters/printed", data=tokens, follow_redirects=True)
    assert "That was done already." in again.get_data(as_text=True)
    assert count(Message, Message.status == MessageStatus.PRINTED) == 2
    assert count(AuditEvent, AuditEvent.action == "print-letter") == 2


def test_only_the_letters_shown_are_marked_printed(client, organiser, meeting):
    invite(meeting, person("Peggy", method=ContactMethod.POST))
    letters = f"/meetings/{meeting.id}/letters"
    client.submit(f"/meetings/{meeting.id}/messages/invitations", {})
    tokens = client._tokens(letters)  # the page shows Peggy's letter
    shown = [str(m.id) for m in db.session.scalars(select(Message))]
    invite(meeting, person("Polly", method=ContactMethod.POST))
    client.submit(f"/meetings/{meeting.id}/messages/invitations", {})  # queued after the page was printed
    done = client.post(f"/meetings/{meeting.id}/letters/printed", data={**tokens, "letter": shown},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 letter marked as printed." in done and "Letter for Polly Smith" in done and "Letter for Peggy" not in done


def test_the_letters_page_makes_the_same_number_of_queries_for_2_and_6_letters(client, organiser, meeting):
    url = f"/meetings/{meeting.id}/letters"

    def queries(n):
        for i in range(n - count(Invitation)):
            invite(meeting, person(f"Post{n}x{i}", method=ContactMethod.POST,
                                   fmt=[InformationFormat.STANDARD, InformationFormat.EASY_READ][i % 2]))
        client.submit(f"/meetings/{meeting.id}/messages/invitations", {})
        client.get(url)
        with count_queries() as counter:
            page = client.get(url).get_data(as_text=True)
        assert page.count('<section class="letter') == n
        return counter["n"]

    assert queries(2) == queries(6)


# --- A one-off message ---

def test_a_one_off_message_says_exactly_what_is_missing_or_too_long(client, organiser, meeting):
    url = f"/meetings/{meeting.id}/messages/new"
    assert url in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    response = client.submit(url, {"subject": " ", "text": "", "who": "everyone"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write a subject for the message." in page and "Write the message." in page
    page = client.submit(url, {"subject": "x" * 151, "text": "y" * 2001, "who": "nobody"}).get_data(as_text=True)
    for text in ("Keep the subject to 150 characters or fewer.", "Keep the message to 2,000 characters or fewer.",
                 "Choose who the message goes to."):
        assert text in page, text
    assert count(Message) == 0


def test_a_one_off_message_is_previewed_changed_and_sent_once(client, organiser, meeting):
    invite(meeting, person("Emma"))
    invite(meeting, person("Alan"), status=AttendanceStatus.ATTENDED)
    invite(meeting, person("Nora", consent=False))
    url = f"/meetings/{meeting.id}/messages/new"
    tokens = client._tokens(url)
    typed = {"subject": "Room change", "text": "We meet in room 2.\nSee you there.", "who": "everyone"}
    page = client.post(url, data={**tokens, **typed}).get_data(as_text=True)
    assert "Send to 2 people" in page and "Nothing will go: No consent to contact" in page
    assert "The message for Alan Smith" in page and "We meet in room 2." in page and count(Message) == 0
    changed = client.post(url, data={**tokens, **typed, "step": "change"}).get_data(as_text=True)
    assert 'value="Room change"' in changed and "We meet in room 2.\nSee you there.</textarea>" in changed
    took_part = client.post(url, data={**tokens, **typed, "who": "took_part"}).get_data(as_text=True)
    assert "Send to 1 person" in took_part and "Emma Smith" not in took_part
    sent = client.post(url, data={**tokens, **typed, "step": "send"}, follow_redirects=True).get_data(as_text=True)
    assert "Message queued for 2 people. They go within a minute." in sent
    again = client.post(url, data={**tokens, **typed, "step": "send"}, follow_redirects=True).get_data(as_text=True)
    assert "That was done already." in again
    messages = db.session.scalars(select(Message)).all()
    assert len(messages) == 2 and {m.kind for m in messages} == {MessageKind.ONE_OFF}
    assert all(m.subject == "Room change" and "We meet in room 2." in m.body for m in messages)
    assert all(m.dedupe_key.startswith(f"one_off:m{meeting.id}:{tokens['form_token']}:p") for m in messages)
    # The same words again, from a new form: a new message (an organiser may say it twice on purpose).
    client.submit(url, {**typed, "step": "send"})
    assert count(Message) == 4


def test_the_one_off_preview_makes_the_same_number_of_queries_for_2_and_6_people(client, organiser, meeting):
    url = f"/meetings/{meeting.id}/messages/new"
    typed = {"subject": "Room change", "text": "Room 2.", "who": "everyone"}

    def queries(n):
        for i in range(n - count(Attendance)):
            invite(meeting, person(f"P{n}x{i}", method=[ContactMethod.EMAIL, ContactMethod.POST][i % 2]),
                   link=i % 2 == 0)
        tokens = client._tokens(url)
        client.post(url, data={**tokens, **typed})
        with count_queries() as counter:
            client.post(url, data={**tokens, **typed})
        return counter["n"]

    assert queries(2) == queries(6)


def test_a_one_off_letter_is_printed_from_its_html(client, organiser, meeting):
    invite(meeting, person("Layla", method=ContactMethod.POST, language="ar", fmt=InformationFormat.LARGE_PRINT))
    url = f"/meetings/{meeting.id}/messages/new"
    sent = client.submit(url, {"subject": "Room change", "text": "Room 2.", "who": "everyone", "step": "send"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Message queued for 1 person. It goes within a minute." in sent and "1 letter to print." in sent
    page = client.get(f"/meetings/{meeting.id}/letters").get_data(as_text=True)
    assert '<section class="letter letter--large" lang="ar" dir="rtl">' in page
    assert "Room 2." in page and "<html" not in page[page.index('<section class="letter'):]
