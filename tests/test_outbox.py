"""The outbox (issue 16): queueing and its refusals, claiming, sending through a real SMTP server on loopback
and through a local stand-in for GOV.UK Notify's API, retries with back-off, two senders at once, and a
sender killed mid-batch."""
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import icalendar
import pytest
from sqlalchemy import func, select, update

from survey_app import create_app
from survey_app.messages import outbox, sender
from survey_app.messages.transports import NotifyTransport, SMTPTransport, transport_from
from survey_app.models import (
    AuditEvent,
    ContactMethod,
    InformationFormat,
    Message,
    MessageChannel,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    Person,
    PersonRole,
)
from survey_app.models.base import utcnow
from survey_app.privacy.erasure import erase_person
from survey_app.web.extensions import db
from tests.conftest import _config
from tests.smtp_server import smtp_server

SENDER = "hub@halton.example"


def make_person(n=1, consent=True, **extra):
    extra = {"email": f"pat{n}@example.org", "contact_method": ContactMethod.EMAIL} | extra
    person = Person(first_name=f"Pat{n}", last_name="Jones", information_format=InformationFormat.STANDARD,
                    role=PersonRole.LIVED_EXPERIENCE, consent_at=utcnow() if consent else None, **extra)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    return person


def queue_email(person, key=None, **extra):
    values = {"subject": "Meeting on Tuesday", "body": "Come to the meeting."} | extra
    return outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.EMAIL, person.email,
                        dedupe_key=key or f"one_off:p{person.id}", **values)


def smtp(server):
    return SMTPTransport("127.0.0.1", server.port, sender=SENDER)


def statuses():
    return dict(db.session.execute(select(Message.status, func.count()).group_by(Message.status)).all())


# --- Queueing ---

def test_queue_stores_the_message_and_audits_who_kind_and_channel_never_the_body(app):
    person = make_person(language="pl")
    message = queue_email(person, body="A secret about support needs")
    db.session.commit()
    assert message.status is MessageStatus.QUEUED and message.attempts == 0
    assert (message.to, message.language, message.format) == ("pat1@example.org", "pl", "standard")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "queue-message")).one()
    assert event.after == {"person_id": person.id, "kind": "one_off", "channel": "email",
                           "dedupe_key": f"one_off:p{person.id}"}
    assert "secret" not in json.dumps(event.after)


def test_queue_refuses_no_consent_erased_opted_out_and_a_second_copy(app):
    no_consent = make_person(1, consent=False)
    erased = make_person(2)
    opted = make_person(3)
    twice = make_person(4)
    db.session.commit()
    erase_person(erased)
    db.session.commit()
    assert outbox.opt_out(opted, MessageKind.ONE_OFF) is True
    assert outbox.opt_out(opted, MessageKind.ONE_OFF) is False
    assert queue_email(no_consent) is None
    assert queue_email(erased) is None
    assert queue_email(opted) is None
    # Another kind still goes to the person who stopped one kind.
    assert outbox.queue(opted, MessageKind.INVITATION, MessageChannel.EMAIL, opted.email, "s", "b") is not None
    assert queue_email(twice) is not None
    assert queue_email(twice) is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2
    assert outbox.refusal(no_consent, MessageKind.ONE_OFF) == "no consent to contact"
    assert outbox.refusal(erased, MessageKind.ONE_OFF) == "erased"
    assert outbox.refusal(opted, MessageKind.ONE_OFF) == "opted out"


def test_opting_out_drops_the_queued_messages_of_that_kind(app):
    person = make_person()
    queue_email(person)
    db.session.commit()
    outbox.opt_out(person, MessageKind.ONE_OFF)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 1


def test_dedupe_key_default(app, sample):
    person = make_person()
    assert outbox.dedupe_key_for(MessageKind.INVITATION, person, meeting=sample["meeting"]) == \
        f"invitation:m{sample['meeting'].id}:p{person.id}"


# --- Sending through SMTP ---

ICS = icalendar.Calendar()
ICS.add("prodid", "-//Hub test//EN")
ICS.add("version", "2.0")
_event = icalendar.Event()
_event.add("summary", "Health checks")
_event.add("dtstart", datetime(2026, 12, 10, 10, tzinfo=UTC))
_event.add("location", "Runcorn Library (step-free)")
ICS.add_component(_event)


def test_an_email_arrives_with_subject_body_html_and_a_calendar_attachment(app):
    person = make_person()
    queue_email(person, subject="Zaproszenie", body="Przyjdź na spotkanie.", html="<p>Przyjdź</p>",
                ics=ICS.to_ical().decode())
    db.session.commit()
    with smtp_server() as server:
        tally = sender.send_due(smtp(server), worker_id="test")
        assert tally.sentence() == "Sent 1, failed 0, to retry 0."
        [mail] = server.messages
    assert mail["Subject"] == "Zaproszenie" and mail["To"] == "pat1@example.org" and mail["From"] == SENDER
    assert mail.get_body(("plain",)).get_content().strip() == "Przyjdź na spotkanie."
    assert mail.get_body(("html",)).get_content().strip() == "<p>Przyjdź</p>"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "meeting.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Health checks" and str(event["location"]) == "Runcorn Library (step-free)"
    message = db.session.scalars(select(Message)).one()
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.sent_at is not None and message.attempts == 1
    assert message.provider_ref == mail["Message-ID"].strip("<>") and message.claimed_by == ""


def test_a_4xx_answer_is_retried_with_back_off_and_a_5xx_answer_fails_with_the_reason(app):
    person = make_person()
    queue_email(person)
    db.session.commit()
    with smtp_server() as server:
        server.answer = "451 Mailbox busy, try later"
        before = utcnow()
        assert sender.send_due(smtp(server), worker_id="t").sentence() == "Sent 0, failed 0, to retry 1."
        message = db.session.scalars(select(Message)).one()
        db.session.refresh(message)
        assert message.status is MessageStatus.QUEUED and message.attempts == 1
        assert message.failure == "The mail server answered 451: Mailbox busy, try later"
        assert before + timedelta(minutes=1) <= message.next_attempt_at <= utcnow() + timedelta(minutes=1)
        # Not due yet: nothing is sent.
        assert sender.send_due(smtp(server), worker_id="t").sentence() == "Sent 0, failed 0, to retry 0."
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sender.send_due(smtp(server), worker_id="t").retry == 1
        db.session.refresh(message)
        assert message.attempts == 2 and message.next_attempt_at > utcnow() + timedelta(minutes=4)
        server.answer = "550 No such mailbox"
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert sender.send_due(smtp(server), worker_id="t").sentence() == "Sent 0, failed 1, to retry 0."
        db.session.refresh(message)
        assert message.status is MessageStatus.FAILED and message.failure == \
            "The mail server answered 550: No such mailbox"
        assert server.messages == []


def test_temporary_failures_give_up_after_the_last_try(app):
    person = make_person()
    message = queue_email(person)
    message.attempts = sender.MAX_ATTEMPTS - 1
    db.session.commit()
    with smtp_server() as server:
        server.answer = "421 Closing"
        assert sender.send_due(smtp(server), worker_id="t").failed == 1
    db.session.refresh(message)
    assert message.status is MessageStatus.FAILED
    assert message.failure.startswith(f"Gave up after {sender.MAX_ATTEMPTS} tries. The mail server answered 421")


def test_an_unreachable_server_is_a_temporary_failure(app):
    person = make_person()
    message = queue_email(person)
    db.session.commit()
    with smtp_server() as server:
        port = server.port
    transport = SMTPTransport("127.0.0.1", port, sender=SENDER, timeout=2)
    assert sender.send_due(transport, worker_id="t").retry == 1
    db.session.refresh(message)
    assert message.failure == f"Could not reach the mail server 127.0.0.1:{port}: ConnectionRefusedError"


def test_letters_wait_for_printing_and_texts_fail_without_notify(app):
    person = make_person()
    letter = outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.LETTER, "1 High St\nRuncorn\nWA7 1AA",
                          "s", "b", dedupe_key="letter")
    text = outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.TEXT, "07700900123", "s", "b",
                        dedupe_key="text")
    db.session.commit()
    with smtp_server() as server:
        assert sender.send_due(smtp(server), worker_id="t").sentence() == "Sent 0, failed 1, to retry 0."
    db.session.refresh(text)
    assert text.failure == "No way to send a text message: set NOTIFY_API_KEY to send text messages and letters."
    assert [m.id for m in sender.letters_to_print()] == [letter.id]
    assert sender.mark_printed([letter.id, text.id]) == 1
    db.session.commit()
    assert sender.letters_to_print() == []
    db.session.refresh(letter)
    assert letter.status is MessageStatus.PRINTED and letter.sent_at is not None


def test_the_cli_sends_and_says_how_many(app, runner):
    people = [make_person(n) for n in range(3)]
    for person in people:
        queue_email(person)
    db.session.commit()
    with smtp_server() as server:
        app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_SENDER=SENDER, MESSAGE_BATCH=2)
        result = runner.invoke(args=["messages", "send"])
        assert result.output == "Sent 3, failed 0, to retry 0.\n"
        assert sorted(m["To"] for m in server.messages) == sorted(p.email for p in people)


def test_sigterm_style_stop_gives_the_rest_of_the_batch_back(app):
    people = [make_person(n) for n in range(4)]
    for person in people:
        queue_email(person)
    db.session.commit()
    sent = []
    with smtp_server() as server:
        transport = smtp(server)
        with transport:
            tally = sender.send_batch(transport, "t", 10, stop=lambda: len(server.messages) >= 2 or sent.append(1))
    assert tally.sent == 2
    assert statuses() == {MessageStatus.SENT: 2, MessageStatus.QUEUED: 2}
    assert set(db.session.scalars(select(Message.attempts).where(Message.status == MessageStatus.QUEUED))) == {0}


# --- A sender killed mid-batch ---

def test_a_message_left_in_sending_by_a_killed_sender_is_sent_once_after_the_timeout(app):
    people = [make_person(n) for n in range(3)]
    for person in people:
        queue_email(person)
    db.session.commit()
    # The killed sender claimed all three and died before sending any. (The one duplicate window: had the
    # server accepted a message just before the kill, before "sent" was committed, that message would be
    # sent again here after the timeout.)
    claimed = sender.claim_batch("killed", 10)
    assert len(claimed) == 3
    with smtp_server() as server:
        assert sender.send_due(smtp(server), worker_id="next").sent == 0  # still within the timeout
        db.session.execute(update(Message).values(claimed_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        assert sender.send_due(smtp(server), worker_id="next").sent == 3
        assert sender.send_due(smtp(server), worker_id="next").sent == 0
        assert sorted(m["To"] for m in server.messages) == sorted(p.email for p in people)
    assert statuses() == {MessageStatus.SENT: 3}


# --- Two senders at once ---

@pytest.mark.slow
def test_two_senders_at_once_send_every_message_exactly_once(app, database_url):
    people = [make_person(n) for n in range(120)]
    for person in people:
        queue_email(person)
    db.session.commit()
    errors, finished = [], []
    # Each sender's app is made here, before the threads start: building two apps at once in two threads can
    # trip CPython 3.11's parser (werkzeug compiles each route with ast), which would kill one sender and leave
    # the other to send everything, so the test would pass without two senders at once.
    apps = [create_app(_config(database_url, MESSAGE_BATCH=7)) for _ in range(2)]
    for other in apps:
        with other.test_request_context("/"):
            pass  # binds the URL map (compiling every route) in this thread
    with smtp_server() as server:
        def run(other, name):
            try:
                with other.app_context():
                    sender.send_due(smtp(server), worker_id=name)
                    db.session.remove()
                    db.engine.dispose()
                finished.append(name)
            except BaseException as e:  # noqa: BLE001 (reported below)
                errors.append(e)

        threads = [threading.Thread(target=run, args=(other, f"sender{i}")) for i, other in enumerate(apps)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [] and sorted(finished) == ["sender0", "sender1"]
        to = [m["To"] for m in server.messages]
    assert len(to) == 120 and set(to) == {p.email for p in people}
    db.session.expire_all()
    assert statuses() == {MessageStatus.SENT: 120}


# --- GOV.UK Notify, against a local server that answers as its API does ---

class NotifyStandIn(BaseHTTPRequestHandler):
    calls: list = []
    answer = (201, {})

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append((self.path, self.headers.get("Authorization", ""), body))
        status, extra = self.answer
        payload = extra or {"id": f"notify-{len(self.calls)}", "reference": body.get("reference")}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify():
    NotifyStandIn.calls, NotifyStandIn.answer = [], (201, {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotifyStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


NOTIFY_KEY = "hub_test-" + "11111111-2222-3333-4444-555555555555" + "-" + "66666666-7777-8888-9999-000000000000"


def notify_config(server):
    return {"NOTIFY_API_KEY": NOTIFY_KEY, "NOTIFY_BASE_URL": f"http://127.0.0.1:{server.server_port}",
            "NOTIFY_EMAIL_TEMPLATE": "tmpl-email", "NOTIFY_TEXT_TEMPLATE": "tmpl-text",
            "NOTIFY_LETTER_TEMPLATE": "tmpl-letter"}


def test_notify_sends_email_text_and_letter_with_a_signed_token(app, notify):
    person = make_person()
    email = queue_email(person, key="e")
    text = outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.TEXT, "07700900123", "S", "Short text",
                        dedupe_key="t")
    letter = outbox.queue(person, MessageKind.ONE_OFF, MessageChannel.LETTER, "Pat Jones\n1 High St\nWA7 1AA",
                          "S", "Letter body", dedupe_key="l")
    db.session.commit()
    transport = transport_from(notify_config(notify))
    assert isinstance(transport, NotifyTransport)
    assert sender.send_due(transport, worker_id="t").sentence() == "Sent 3, failed 0, to retry 0."
    calls = {path: (auth, body) for path, auth, body in NotifyStandIn.calls}
    assert set(calls) == {"/v2/notifications/email", "/v2/notifications/sms", "/v2/notifications/letter"}
    for auth, _ in calls.values():
        assert auth.startswith("Bearer ") and auth.count(".") == 2  # a JWT
    assert calls["/v2/notifications/email"][1] == {
        "email_address": "pat1@example.org", "template_id": "tmpl-email",
        "personalisation": {"subject": "Meeting on Tuesday", "body": "Come to the meeting."},
        "reference": f"hub-message-{email.id}"}
    assert calls["/v2/notifications/sms"][1]["phone_number"] == "07700900123"
    assert calls["/v2/notifications/letter"][1]["personalisation"] == {
        "subject": "S", "body": "Letter body", "address_line_1": "Pat Jones", "address_line_2": "1 High St",
        "address_line_3": "WA7 1AA"}
    for message in (email, text, letter):
        db.session.refresh(message)
        assert message.status is MessageStatus.SENT and message.provider_ref.startswith("notify-")


@pytest.mark.parametrize(("status", "outcome"), [(500, "retry"), (429, "retry"), (400, "failed"), (403, "failed")])
def test_notify_errors(app, notify, status, outcome):
    person = make_person()
    message = queue_email(person)
    db.session.commit()
    NotifyStandIn.answer = (status, {"status_code": status, "errors": [{"error": "X", "message": "Nope"}]})
    tally = sender.send_due(transport_from(notify_config(notify)), worker_id="t")
    assert getattr(tally, outcome) == 1
    db.session.refresh(message)
    assert message.failure == f"Notify answered {status}: Nope"
    assert message.status is (MessageStatus.QUEUED if outcome == "retry" else MessageStatus.FAILED)


# --- Erasure ---

def test_erasure_deletes_queued_messages_and_blanks_the_rest(app):
    person = make_person()
    queued = queue_email(person, key="q")
    sent = queue_email(person, key="s", ics="BEGIN:VCALENDAR", html="<p>x</p>")
    sent.status, sent.sent_at = MessageStatus.SENT, utcnow()
    db.session.commit()
    queued_id = queued.id
    erase_person(person)
    db.session.commit()
    assert db.session.get(Message, queued_id) is None
    db.session.refresh(sent)
    assert (sent.to, sent.subject, sent.body, sent.html, sent.ics) == ("", "", "", "", "")
    assert sent.status is MessageStatus.SENT and sent.kind is MessageKind.ONE_OFF and sent.sent_at is not None
    assert not [e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "Message"))
                if "pat1@example.org" in json.dumps([e.before, e.after])]




# --- Settings ---

def test_mail_settings_from_the_environment(tmp_path):
    from survey_app.web.config import ConfigError, from_environment

    config = from_environment(tmp_path, env={"MAIL_HOST": "smtp.example", "MAIL_PORT": "587", "MAIL_TLS": "StartTLS",
                                             "MAIL_SENDER": SENDER})
    assert (config["MAIL_HOST"], config["MAIL_PORT"], config["MAIL_TLS"]) == ("smtp.example", 587, "starttls")
    transport = transport_from(config)
    assert isinstance(transport, SMTPTransport) and transport.tls == "starttls"
    with pytest.raises(ConfigError, match="MAIL_TLS must be none, starttls or ssl, not 'tls'."):
        from_environment(tmp_path, env={"MAIL_TLS": "tls"})


@pytest.mark.slow
def test_the_forever_worker_sends_what_is_queued_later_and_stops_on_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.servers import ROOT, SECRET, build_schema, fresh_database, seeded_app

    with fresh_database("hub_outbox") as url, smtp_server() as server:
        build_schema(url)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "MAIL_HOST": "127.0.0.1",
               "MAIL_PORT": str(server.port), "MAIL_SENDER": SENDER, "LOG_LEVEL": "WARNING"}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "survey_app", "messages", "send",
                                   "--forever", "--interval", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            with seeded_app(url):
                queue_email(make_person())
                db.session.commit()
            deadline = time.time() + 30
            while not server.messages and time.time() < deadline:
                time.sleep(0.2)
            assert len(server.messages) == 1
        finally:
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=20)
        assert worker.returncode == 0, err
        assert out == "Sent 1, failed 0, to retry 0.\n"


def test_merging_two_records_moves_messages_and_keeps_every_stop(app, make_user):
    from survey_app.participation import merging

    keep, other = make_person(1), make_person(2)
    queue_email(other, key="other")
    outbox.opt_out(keep, MessageKind.REMINDER)
    outbox.opt_out(other, MessageKind.REMINDER)
    outbox.opt_out(other, MessageKind.WHAT_HAPPENED)
    db.session.commit()
    keep_id = keep.id
    merging.merge(keep_id, other.id, make_user())
    db.session.commit()
    assert set(db.session.scalars(select(Message.person_id))) == {keep_id}
    assert sorted((o.person_id, o.kind.value) for o in db.session.scalars(select(MessageOptOut))) == [
        (keep_id, "reminder"), (keep_id, "what_happened")]
