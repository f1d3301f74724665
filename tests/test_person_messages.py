"""Each person's messages on their page (never the words), the kinds they asked to stop with "Send these
again", failed messages on the dashboard with "Try again" (through a real SMTP server on loopback), and
"Through someone I know" on the organiser's person form, at the door, on the person page and in erasure."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from forms.tokens import new_form_token
from survey_app.messages import outbox, sender
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    AuditEvent,
    ContactMethod,
    Message,
    MessageChannel,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    Person,
    Role,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.door_helpers import REGISTER_CHECK, hidden
from tests.queries import count_queries
from tests.smtp_server import smtp_server

SECRET = "Needs a BSL interpreter who knows Makaton"
DONE_ALREADY = "That was done already."


def text(response) -> str:
    return response.get_data(as_text=True)


def section(page: str, start: str, end: str | None = None) -> str:
    part = page.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def consenting(sample) -> Person:
    person = sample["person"]
    person.consent_at = utcnow()
    person.email = "dorota@example.org"
    db.session.commit()
    return person


def add_messages(person, n, start=0, status="sent", kind="invitation", failure=""):
    """n messages, one a day back from now (a higher number is older), written straight to the table."""
    now = utcnow()
    db.session.execute(insert(Message), [
        {"person_id": person.id, "kind": kind, "channel": "email", "to": person.email, "language": "pl",
         "format": "easy_read", "subject": f"Subject {i}", "body": f"{SECRET} ({i})", "html": "", "ics": "",
         "status": status, "attempts": 1, "next_attempt_at": now, "created_at": now - timedelta(days=i),
         "sent_at": now - timedelta(days=i) if status == "sent" else None, "failure": failure,
         "dedupe_key": f"{kind}:test:{person.id}:{i}", "claimed_by": "", "provider_ref": ""}
        for i in range(start, start + n)])
    db.session.commit()


def rows_in(page: str, heading_id: str) -> list[str]:
    table = section(page, f'id="{heading_id}"', "</table>")
    return re.findall(r"<tr><td>(.*?)</tr>", table, re.S)


# --- A person's messages ---

def test_the_person_page_lists_their_messages_newest_first_and_never_their_words(client, login_as, sample):
    person = consenting(sample)
    login_as(Role.ORGANISER)
    page = text(client.get(f"/people/{person.id}"))
    assert "Nothing has been sent to them yet." in page
    add_messages(person, 1, start=3, kind="invitation", status="sent")
    add_messages(person, 1, start=1, kind="reminder", status="queued")
    add_messages(person, 1, start=0, kind="one_off", status="failed",
                 failure="The mail server answered 550: No such mailbox")
    page = text(client.get(f"/people/{person.id}"))
    rows = rows_in(page, "messages-title")
    assert len(rows) == 3
    assert "Other messages from the organisers" in rows[0] and "Could not be sent" in rows[0]
    assert "Why: The mail server answered 550: No such mailbox" in rows[0]
    assert "Reminders the day before a meeting" in rows[1] and "Waiting to go" in rows[1] and "Why:" not in rows[1]
    assert "Invitations to meetings" in rows[2] and "Sent" in rows[2] and "Email" in rows[2]
    assert SECRET not in page and "Subject 0" not in page
    assert "Show all" not in page and "Messages they asked us to stop" not in page


def test_after_twenty_messages_show_all_leads_to_a_paged_list(client, login_as, sample):
    person = consenting(sample)
    add_messages(person, 30)
    login_as(Role.ORGANISER)
    page = text(client.get(f"/people/{person.id}"))
    assert len(rows_in(page, "messages-title")) == 20
    assert f'<a href="/people/{person.id}/messages">Show all 30 messages</a>' in page
    first = text(client.get(f"/people/{person.id}/messages"))
    assert "<h1 id=\"page-title\">Messages to Dorota Nowak</h1>" in first
    assert len(rows_in(first, "page-title")) == 25 and "Page 1 of 2" in first
    second = text(client.get(f"/people/{person.id}/messages?page=2"))
    assert len(rows_in(second, "page-title")) == 5
    assert SECRET not in first + second
    assert client.get(f"/people/{person.id}/messages?page=3").status_code == 404
    assert client.get("/people/99999/messages").status_code == 404


def test_the_person_page_does_not_grow_queries_with_their_messages(client, login_as, sample):
    person = consenting(sample)
    add_messages(person, 3)
    db.session.add(MessageOptOut(person_id=person.id, kind=MessageKind.REMINDER))
    db.session.commit()
    login_as(Role.ORGANISER)
    counts = {}
    for url in (f"/people/{person.id}", f"/people/{person.id}/messages"):
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        counts[url] = counted["n"]
    add_messages(person, 97, start=3, status="failed", failure="The mail server answered 550: No such mailbox")
    db.session.add_all([MessageOptOut(person_id=person.id, kind=kind)
                        for kind in (MessageKind.INVITATION, MessageKind.ONE_OFF, MessageKind.WHAT_HAPPENED)])
    db.session.commit()
    for url, small in counts.items():
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        assert counted["n"] == small, f"{url}: {small} queries with 3 messages, {counted['n']} with 100"


def test_send_these_again_undoes_a_stop_once_and_is_audited(client, login_as, sample):
    person = consenting(sample)
    assert outbox.opt_out(person, MessageKind.REMINDER)
    assert outbox.opt_out(person, MessageKind.WHAT_HAPPENED)
    db.session.commit()
    organiser = login_as(Role.ORGANISER)
    page = text(client.get(f"/people/{person.id}"))
    stopped = section(page, "Messages they asked us to stop", "</ul>")
    assert "Reminders the day before a meeting" in stopped and '"What happened" after a meeting' in stopped
    assert stopped.count("Send these again") == 2
    url = f"/people/{person.id}/stopped-messages/reminder/send-again"
    tokens = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")}
    response = client.post(url, data=tokens, follow_redirects=True)
    assert "They will get these messages again: Reminders the day before a meeting." in text(response)
    kinds = set(db.session.scalars(select(MessageOptOut.kind).where(MessageOptOut.person_id == person.id)))
    assert kinds == {MessageKind.WHAT_HAPPENED}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "send-again")).one()
    assert (event.user_id, event.record_type, event.before) == (
        organiser.id, "MessageOptOut", {"person_id": person.id, "kind": "reminder"})
    # The same press again (a double click, or the page sent again): nothing more happens.
    again = client.post(url, data=tokens, follow_redirects=True)
    assert DONE_ALREADY in text(again)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "send-again")) == 1
    # A fresh page's token for a kind no longer stopped: told it was done, nothing changes.
    fresh = text(client.get(f"/people/{person.id}"))
    response = client.post(url, data={"csrf_token": hidden(fresh, "csrf_token"),
                                      "form_token": hidden(fresh, "form_token")}, follow_redirects=True)
    assert DONE_ALREADY in text(response)
    assert client.post(f"/people/{person.id}/stopped-messages/nonsense/send-again",
                       data={"csrf_token": hidden(fresh, "csrf_token"),
                             "form_token": hidden(fresh, "form_token")}).status_code == 404
    # Now it can be queued again.
    assert outbox.queue(person, MessageKind.REMINDER, MessageChannel.EMAIL, person.email, "Tomorrow", "Come") \
        is not None


def test_a_made_up_token_sends_nothing_again(client, login_as, sample):
    person = consenting(sample)
    outbox.opt_out(person, MessageKind.REMINDER)
    db.session.commit()
    login_as(Role.ORGANISER)
    page = text(client.get(f"/people/{person.id}"))
    response = client.post(f"/people/{person.id}/stopped-messages/reminder/send-again",
                           data={"csrf_token": hidden(page, "csrf_token"), "form_token": "made-up"},
                           follow_redirects=True)
    assert "Something went wrong on our side. Please press the button again." in text(response)
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 1


def test_the_subject_access_file_has_their_messages_and_what_they_stopped(client, login_as, sample):
    person = consenting(sample)
    add_messages(person, 2)
    outbox.opt_out(person, MessageKind.REMINDER)
    outbox.opt_out(person, MessageKind.INVITATION)
    person.contact_method, person.contact_through = ContactMethod.THROUGH_SOMEONE, "Sue Mercer"
    db.session.commit()
    login_as(Role.ADMIN)
    wb = load_workbook(io.BytesIO(client.get(f"/admin/people/{person.id}/records.xlsx").get_data()))
    details = {row[0].value: row[1].value for row in wb["Details"].iter_rows(min_row=2)}
    assert details["Who passes messages on"] == "Sue Mercer"
    assert details["Messages they asked us to stop"] == "Invitations to meetings, Reminders the day before a meeting"
    sheet = [tuple(c.value for c in row) for row in wb["Messages"].iter_rows()]
    assert sheet[0] == ("Made on", "What", "Way", "Sent to", "Status", "Sent on")
    assert [row[1:5] for row in sheet[1:]] == [("Invitations to meetings", "Email", "dorota@example.org", "Sent")] * 2


# --- Failed messages on the dashboard ---

def failed_message(person, server, reason="550 No such mailbox here"):
    """Queue a message and let the real sender fail it through the SMTP server."""
    queued = outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.EMAIL, person.email, "Change of room",
                          SECRET, dedupe_key=f"one_off:test:p{person.id}")
    db.session.commit()
    server.answer = reason
    assert sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"),
                           worker_id="test").failed == 1
    server.answer = None
    db.session.expire_all()
    return db.session.get(Message, queued.id)


def test_a_failed_message_is_on_the_dashboard_and_try_again_sends_it_to_the_corrected_address(
        client, login_as, sample):
    person = consenting(sample)
    person.email = "dorota@exmaple.org"
    db.session.commit()
    organiser = login_as(Role.ORGANISER)
    page = text(client.get("/dashboard"))
    assert "Messages that could not be sent" not in page and "Try again" not in page
    with smtp_server() as server:
        message = failed_message(person, server)
        assert message.status is MessageStatus.FAILED
        page = text(client.get("/dashboard"))
        assert '<span class="stat">1</span> message could not be sent' in page
        failed = section(page, 'id="failed-messages"', "</table>")
        assert "1 message could not be sent." in failed
        assert f'<a href="/people/{person.id}">Dorota Nowak</a>' in failed
        assert "Other messages from the organisers" in failed and "Email" in failed
        assert "The mail server answered 550: No such mailbox here" in failed
        assert SECRET not in page and "Change of room" not in page
        # The organiser corrects the address, then tries again.
        person.email = "dorota@example.org"
        db.session.commit()
        url = f"/messages/{message.id}/try-again"
        tokens = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")}
        response = client.post(url, data=tokens, follow_redirects=True)
        assert "The message is back in the queue. It will be tried again within a few minutes." in text(response)
        assert "Messages that could not be sent" not in text(response)
        db.session.refresh(message)
        assert (message.status, message.attempts, message.failure) == (MessageStatus.QUEUED, 0, "")
        assert message.next_attempt_at <= utcnow() and message.to == "dorota@example.org"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retry-message")).one()
        assert event.user_id == organiser.id and event.after == {"person_id": person.id, "kind": "one_off",
                                                                 "channel": "email"}
        # A double press does nothing twice.
        assert DONE_ALREADY in text(client.post(url, data=tokens, follow_redirects=True))
        # Another tab's button (a token of its own): the message is not failed any more, so nothing happens.
        other_tab = {"csrf_token": tokens["csrf_token"], "form_token": new_form_token()}
        assert DONE_ALREADY in text(client.post(url, data=other_tab, follow_redirects=True))
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "retry-message")) == 1
        # The sender sends it, to the corrected address.
        assert sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"),
                               worker_id="test").sent == 1
        [mail] = server.messages
    assert mail["To"] == "dorota@example.org" and mail["Subject"] == "Change of room"
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.attempts == 1


def test_try_again_refuses_someone_who_asked_to_stop_and_an_erased_persons_are_not_listed(client, login_as, sample):
    person = consenting(sample)
    with smtp_server() as server:
        message = failed_message(person, server)
    login_as(Role.ORGANISER)
    page = text(client.get("/dashboard"))
    outbox.opt_out(person, MessageKind.ONE_OFF)
    db.session.commit()
    response = client.post(f"/messages/{message.id}/try-again", follow_redirects=True,
                           data={"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")})
    assert "This message was not tried again. Reason: They asked to stop these messages." in text(response)
    db.session.refresh(message)
    assert message.status is MessageStatus.FAILED
    from survey_app.privacy.erasure import erase_person
    erase_person(person)
    db.session.commit()
    assert "Messages that could not be sent" not in text(client.get("/dashboard"))
    page = text(client.get(f"/people/{person.id}"))
    assert "Could not be sent" in page and "Send these again" not in page


def test_the_dashboard_shows_the_latest_ten_failed_in_a_fixed_number_of_queries(client, login_as, sample):
    person = consenting(sample)
    login_as(Role.ORGANISER)
    add_messages(person, 2, status="failed", kind="one_off", failure="The mail server answered 550: No")
    client.get("/dashboard")
    with count_queries() as counted:
        page = text(client.get("/dashboard"))
    small = counted["n"]
    assert len(rows_in(page, "failed-messages")) == 2
    others = []
    for n in range(30):
        other = Person(first_name=f"Pat{n}", last_name="Jones", email=f"pat{n}@example.org",
                       contact_method=ContactMethod.EMAIL, information_format="standard", role="carer",
                       consent_at=utcnow())
        other.refresh_search_name()
        others.append(other)
    db.session.add_all(others)
    db.session.commit()
    for other in others:
        add_messages(other, 1, start=5, status="failed", kind="reminder", failure="The mail server answered 550: No")
    with count_queries() as counted:
        page = text(client.get("/dashboard"))
    assert counted["n"] == small, f"{small} queries with 2 failed messages, {counted['n']} with 32"
    assert len(rows_in(page, "failed-messages")) == 10
    assert "32 messages could not be sent. These are the latest 10." in page


@pytest.mark.parametrize("role", [Role.FINANCE])
def test_the_wrong_role_gets_403(client, login_as, sample, role):
    person = consenting(sample)
    add_messages(person, 1, status="failed", failure="550")
    outbox.opt_out(person, MessageKind.REMINDER)
    db.session.commit()
    message_id = db.session.scalar(select(Message.id))
    login_as(role)
    token = client.csrf_token("/account")
    assert client.get(f"/people/{person.id}/messages").status_code == 403
    assert client.post(f"/people/{person.id}/stopped-messages/reminder/send-again",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"/messages/{message_id}/try-again", data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 1
    assert db.session.get(Message, message_id).status is MessageStatus.FAILED


# --- Through someone I know ---

PERSON = {"first_name": "Ray", "last_name": "Okafor", "role": "carer", "information_format": "standard",
          "language": "en", "recognition_preference": "paid", "consent": "y"}


def test_the_person_form_offers_through_someone_and_needs_the_address(client, login_as, sample):
    login_as(Role.ORGANISER)
    form = text(client.get("/people/new"))
    assert "Through someone I know" in form and "Who passes messages on (optional)" in form
    missing = client.submit("/people/new", {**PERSON, "contact_method": "through_someone",
                                            "contact_through": "Sue Mercer"})
    assert missing.status_code == 400
    assert ("Enter the postal address to send their letters to, because messages reach them through someone "
            "they know.") in text(missing)
    long_name = client.submit("/people/new", {**PERSON, "contact_method": "through_someone", "address": "1 Road",
                                              "contact_through": "S" * 201})
    assert "The name must be 200 characters or fewer." in text(long_name)
    saved = client.submit("/people/new", {**PERSON, "contact_method": "through_someone",
                                          "contact_through": "Sue Mercer", "address": "14 Church Street\nWidnes"},
                          follow_redirects=True)
    assert "Person saved." in text(saved)
    assert "<dd>Through someone I know: Sue Mercer</dd>" in text(saved)
    ray = db.session.scalar(select(Person).where(Person.first_name == "Ray"))
    assert (ray.contact_method, ray.contact_through) == (ContactMethod.THROUGH_SOMEONE, "Sue Mercer")
    # Another way of contact: the name of who passed messages on is not kept.
    changed = client.submit(f"/people/{ray.id}/edit", {**PERSON, "contact_method": "post", "contact_through":
                                                      "Sue Mercer", "address": "14 Church Street\nWidnes"},
                            follow_redirects=True)
    assert "<dd>Post</dd>" in text(changed)
    db.session.refresh(ray)
    assert (ray.contact_method, ray.contact_through) == (ContactMethod.POST, "")


def test_at_the_door_through_someone_asks_where_to_send_letters(door, sample):
    for url, data in (("/door/new/name", {"first_name": "Ana", "last_name": "Costa"}),
                      ("/door/new/role", {"role": "carer"}),
                      ("/door/new/contact", {"contact_method": "through_someone"})):
        assert door.submit(url, data).status_code == 302
    page = text(door.get("/door/new/detail"))
    assert "Where should we send your letters?" in page and "Step 4 of 6" in page
    assert "The address of the person who passes messages on to you." in page
    empty = door.submit("/door/new/detail", {"address": ""})
    assert empty.status_code == 400
    assert "Type the address to send your letters to, or choose another way to contact you." in text(empty)
    assert door.submit("/door/new/detail", {"address": "14 Church Street\nWidnes"}).headers["Location"] \
        == "/door/new/format"
    for url, data in (("/door/new/format", {"information_format": "large_print"}),
                      ("/door/new/consent", {"consent": "y"})):
        assert door.submit(url, data).status_code == 302
    check = text(door.get(REGISTER_CHECK))
    assert "Where we send your letters" in check and "Through someone I know" in check
    assert "14 Church Street" in check
    response = door.post(REGISTER_CHECK, data={"csrf_token": hidden(check, "csrf_token"),
                                               "form_token": hidden(check, "form_token")})
    assert response.headers["Location"] == "/door/thank-you-choice"
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert ana.contact_method is ContactMethod.THROUGH_SOMEONE and ana.address == "14 Church Street\nWidnes"


def test_changing_the_way_of_contact_at_the_door_keeps_the_address_for_post(door, sample):
    for url, data in (("/door/new/name", {"first_name": "Ana", "last_name": "Costa"}),
                      ("/door/new/role", {"role": "carer"}),
                      ("/door/new/contact", {"contact_method": "through_someone"}),
                      ("/door/new/detail", {"address": "14 Church Street"})):
        assert door.submit(url, data).status_code == 302
    assert door.submit("/door/new/contact?change=1", {"contact_method": "post"}).status_code == 302
    assert "14 Church Street" in text(door.get("/door/new/detail"))
    assert door.submit("/door/new/contact?change=1", {"contact_method": "email"}).status_code == 302
    assert "14 Church Street" not in text(door.get("/door/new/detail"))


def test_without_a_valid_csrf_token_the_buttons_change_nothing(client, login_as, sample):
    person = consenting(sample)
    add_messages(person, 1, status="failed", failure="550")
    outbox.opt_out(person, MessageKind.REMINDER)
    db.session.commit()
    message_id = db.session.scalar(select(Message.id))
    login_as(Role.ORGANISER)
    page = text(client.get("/dashboard"))
    for url in (f"/people/{person.id}/stopped-messages/reminder/send-again", f"/messages/{message_id}/try-again"):
        for csrf in ({}, {"csrf_token": "not-a-token"}):
            response = client.post(url, data={"form_token": hidden(page, "form_token"), **csrf})
            assert response.status_code == 400 and "This page was open for a long time" in text(response), url
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 1
    assert db.session.get(Message, message_id).status is MessageStatus.FAILED
