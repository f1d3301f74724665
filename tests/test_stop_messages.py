"""Every message ends with a link to stop messages of that kind (issue 16): opening it only asks, pressing
the button stops that kind and drops those still waiting, the page tells nobody whose link it is, and a
person erased or an unknown key gets the plain "no longer works" page. deliver.py picks the way and the
address, and queues nothing for someone rung by phone or with no address."""
from sqlalchemy import func, select

from survey_app.messages import compose, deliver
from survey_app.models import (
    AuditEvent,
    ContactMethod,
    Message,
    MessageChannel,
    MessageKind,
    MessageOptOut,
    MessageStatus,
    Role,
)
from survey_app.models.base import utcnow
from survey_app.privacy.erasure import erase_person
from survey_app.web.extensions import db
from tests.test_outbox import make_person

GONE = "<h1>This link no longer works</h1>"


def one_off(person, meeting, n=1):
    with deliver.link_context():
        composed = compose.one_off(person, meeting, "Room change", "We meet in room 2.",
                                   stop_url=deliver.stop_url(person, MessageKind.ONE_OFF))
        return deliver.send(person, MessageKind.ONE_OFF, composed, meeting=meeting, dedupe_key=f"one_off:{n}")


def test_the_stop_link_asks_first_then_stops_that_kind_only(app, client, sample):
    person = make_person()
    queued = one_off(person, sample["meeting"])
    db.session.commit()
    assert queued.channel is MessageChannel.EMAIL and queued.to == "pat1@example.org"
    assert person.message_token and person.message_token in queued.body
    url, queued_id = f"/stop/{person.message_token}/one_off", queued.id
    assert url in queued.body and "To stop messages like this" in queued.body

    page = client.get(url).get_data(as_text=True)  # a mail program checking the link changes nothing
    assert "<h1>Stop these messages?</h1>" in page and "Other messages from the organisers" in page
    assert "Pat1" not in page and "Jones" not in page and "pat1@example.org" not in page
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 0

    response = client.submit(url, {})
    assert response.status_code == 200
    done = response.get_data(as_text=True)
    assert "<h1>We will not send these any more</h1>" in done
    db.session.expire_all()
    assert [(o.person_id, o.kind) for o in db.session.scalars(select(MessageOptOut))] == [
        (person.id, MessageKind.ONE_OFF)]
    assert db.session.get(Message, queued_id) is None  # the one still waiting does not go
    assert one_off(person, sample["meeting"], n=2) is None  # and no more are queued
    with deliver.link_context():  # other kinds still go
        composed = compose.support_arranged(person, sample["meeting"], [], stop_url="https://x/stop")
    assert deliver.send(person, MessageKind.SUPPORT_ARRANGED, composed, meeting=sample["meeting"]) is not None
    assert client.submit(url, {}).status_code == 200  # pressing again is harmless
    assert db.session.scalar(select(func.count()).select_from(MessageOptOut)) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "opt-out"))
    assert event.after == {"person_id": person.id, "kind": "one_off"}


def test_unknown_wrong_kind_and_erased_links_no_longer_work(app, client, sample):
    person = make_person()
    one_off(person, sample["meeting"])
    db.session.commit()
    token = person.message_token
    for url in (f"/stop/{'x' * 32}/one_off", f"/stop/{token}/everything", "/stop/short/one_off"):
        response = client.get(url)
        assert response.status_code == 404 and GONE in response.get_data(as_text=True)
    erase_person(person)
    db.session.commit()
    db.session.expire_all()
    assert person.message_token is None  # erased: the key is gone
    response = client.get(f"/stop/{token}/one_off")
    assert response.status_code == 404 and GONE in response.get_data(as_text=True)


def test_the_way_and_the_address_follow_the_contact_method(app, sample):
    by_text = make_person(2, contact_method=ContactMethod.TEXT, phone="07700 900222")
    by_post = make_person(3, contact_method=ContactMethod.POST, address="1 Example Road\nRuncorn WA7 0XX")
    through = make_person(4, contact_method=ContactMethod.THROUGH_SOMEONE, contact_through="Sam Lee",
                          address="5 Side Street, Widnes")
    by_phone = make_person(5, contact_method=ContactMethod.PHONE, phone="07700 900555")
    no_email = make_person(6, email="")
    no_consent = make_person(7, consent=False)
    kind = MessageKind.ONE_OFF
    assert [deliver.reason(p, kind) for p in (by_text, by_post, through, by_phone, no_email, no_consent)] == [
        None, None, None, "phone", "no address", "no consent to contact"]
    assert deliver.address(through, "letter") == "Pat4 Jones\nc/o Sam Lee\n5 Side Street, Widnes"
    sent = [one_off(p, sample["meeting"], n=p.id) for p in (by_text, by_post, through, by_phone, no_email)]
    assert [(m.channel, m.to) if m else None for m in sent] == [
        (MessageChannel.TEXT, "07700 900222"), (MessageChannel.LETTER, "Pat3 Jones\n1 Example Road\nRuncorn WA7 0XX"),
        (MessageChannel.LETTER, "Pat4 Jones\nc/o Sam Lee\n5 Side Street, Widnes"), None, None]
    assert len(sent[0].body) <= compose.TEXT_LIMIT and sent[0].status is MessageStatus.QUEUED
    assert sent[0].next_attempt_at <= utcnow()


def test_a_persons_audit_view_shows_their_messages_and_stops(app, client, login_as, sample):
    person = make_person()
    other = make_person(2)
    one_off(person, sample["meeting"])
    one_off(other, sample["meeting"], n=2)
    db.session.commit()
    client.submit(f"/stop/{person.message_token}/one_off", {})
    login_as(Role.ADMIN)
    page = client.get(f"/admin/audit?person={person.id}").get_data(as_text=True)
    assert "Queued a message to them" in page and "Asked to stop a kind of message" in page
    assert page.count("Queued a message to them") == 1  # theirs, not the other person's
    assert person.message_token not in page  # the stop key is never in the audit log
