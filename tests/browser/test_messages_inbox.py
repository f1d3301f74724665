"""Issue 16's "done when", in Chromium with a real SMTP server on loopback as the inbox: an organiser invites
a meeting's people and the sender delivers; an email person's invitation carries a calendar file that
parses back, an easy-read person gets the easy-read wording, a Polish speaker gets Polish, a person who gets
post is in the printable letter batch; ticking someone's support as arranged sends "your support is
arranged"; saving the notes sends "what happened". axe-core checks the organisers' pages on the way."""
from datetime import UTC, timedelta

import icalendar
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.messages import sender
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ContactMethod,
    InformationFormat,
    Message,
    MessageStatus,
    NeedKind,
    Person,
    PersonRole,
    Role,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.browser.test_actions_flow import sign_in
from tests.smtp_server import smtp_server

pytestmark = pytest.mark.browser
NOTE = "We talked about waiting times for annual health checks."


def person(first, email="", method=ContactMethod.EMAIL, form=InformationFormat.STANDARD, language="en", **extra):
    row = Person(first_name=first, last_name="Example", email=email, contact_method=method, information_format=form,
                 language=language, role=PersonRole.LIVED_EXPERIENCE, consent_at=utcnow(), **extra)
    row.refresh_search_name()
    return row


def deliver(smtp) -> dict:
    """Run the sender once, as cron would, and return what arrived this time by address."""
    before = len(smtp.messages)
    sender.send_due(SMTPTransport("127.0.0.1", smtp.port, sender="hub@halton.example"), worker_id="test")
    return {m["To"]: m for m in smtp.messages[before:]}


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def test_invitations_support_and_what_happened_reach_the_inbox(page, axe_check, make_user, sample):
    meeting = sample["meeting"]
    meeting.venue_address = "Granville Street, Runcorn WA7 1NE"
    ann = person("Ann", "ann@example.org")
    ben = person("Ben", "ben@example.org", form=InformationFormat.EASY_READ)
    dorota = person("Dorota", "dorota@example.org", language="pl")
    pat = person("Pat", method=ContactMethod.POST, form=InformationFormat.LARGE_PRINT,
                 address="12 Example Road\nWidnes WA8 0AA")
    db.session.add_all([ann, ben, dorota, pat])
    db.session.add_all([Attendance(meeting=meeting, person=p, status=AttendanceStatus.INVITED)
                        for p in (ann, ben, dorota, pat)])
    db.session.add(AccessNeed(person=ann, meeting=meeting, kind=NeedKind.BSL, detail="My own interpreter please"))
    db.session.commit()

    with smtp_server() as smtp:
        sign_in(page, make_user(Role.ORGANISER))
        page.wait_for_url("**/dashboard")
        page.goto(f"/meetings/{meeting.id}/invitations")
        page.get_by_role("button", name="Make links for everyone on the list").click()
        page.get_by_role("link", name="Send invitations").click()
        page.wait_for_url(f"**/meetings/{meeting.id}/messages/invitations")
        axe_check(page)
        page.get_by_role("button", name="Send 4 invitations").click()
        expect(page.locator("main")).to_contain_text("Invitations queued: 4.")
        inbox = deliver(smtp)
        assert sorted(inbox) == ["ann@example.org", "ben@example.org", "dorota@example.org"]

        ics = next(part for part in inbox["ann@example.org"].iter_attachments()
                   if part.get_content_type() == "text/calendar")
        event = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
        assert str(event["SUMMARY"]) == meeting.title and "Runcorn Library" in str(event["LOCATION"])
        assert event.decoded("DTSTART") == meeting.starts_at.astimezone(UTC)
        assert "Step-free access" in str(event["DESCRIPTION"])
        assert "/invite/" in str(event["URL"])
        assert "You are invited to a meeting." in text_of(inbox["ben@example.org"])  # the easy-read wording
        assert "You are invited to a meeting." not in text_of(inbox["ann@example.org"])
        with force_locale("pl"):
            polish = _("Invitation: %(title)s", title=meeting.title)
        assert polish != f"Invitation: {meeting.title}" and inbox["dorota@example.org"]["Subject"] == polish

        page.goto(f"/meetings/{meeting.id}/letters")  # Pat gets post: the printable batch
        main = page.inner_text("main")
        assert "12 Example Road" in main and "Pat" in main and "Ann" not in main
        axe_check(page)
        page.get_by_role("button", name="We have printed these").click()
        expect(page.locator("main")).to_contain_text("There are no letters waiting to be printed")
        assert db.session.scalar(select(Message.status).where(Message.person_id == pat.id)) \
            is MessageStatus.PRINTED

        page.goto(f"/meetings/{meeting.id}/support")
        page.get_by_role("button", name="Mark as arranged: A British Sign Language interpreter for Ann").click()
        expect(page.locator("main")).to_contain_text("Marked as arranged.")
        arranged = deliver(smtp)
        assert list(arranged) == ["ann@example.org"]
        mail = arranged["ann@example.org"]
        assert mail["Subject"] == "Your support is arranged"
        assert "British Sign Language interpreter" in text_of(mail)
        assert "My own interpreter" not in mail.as_string()  # what they typed is health data: never sent

        meeting.starts_at = utcnow() - timedelta(hours=3)
        meeting.ends_at = meeting.starts_at + timedelta(hours=2)
        for attendance in db.session.scalars(select(Attendance).where(Attendance.person_id.in_([ann.id, dorota.id]))):
            attendance.status = AttendanceStatus.ATTENDED
        db.session.commit()
        page.goto(f"/meetings/{meeting.id}/notes")
        page.get_by_label("What was said").fill(NOTE)
        page.get_by_role("button", name="Save the notes").click()
        expect(page.locator("main")).to_contain_text("Last saved on")
        axe_check(page)
        happened = deliver(smtp)
        assert sorted(happened) == ["ann@example.org", "dorota@example.org"]  # only those who took part
        assert happened["ann@example.org"]["Subject"] == f"What happened at {meeting.title}"
        assert NOTE in text_of(happened["ann@example.org"])
        with force_locale("pl"):
            polish = _("What happened at %(title)s", title=meeting.title)
        assert happened["dorota@example.org"]["Subject"] == polish != f"What happened at {meeting.title}"
