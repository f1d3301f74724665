"""What each message says (survey_app/messages/compose.py) and the organisers' printable letters batch."""
import re
import secrets
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select

from survey_app.messages import compose
from survey_app.models import (
    AccessNeed,
    Action,
    ActionStatus,
    AgendaItem,
    AgendaSource,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ContactMethod,
    Decision,
    InformationFormat,
    Invitation,
    MeetingMode,
    NeedKind,
    Person,
    PersonRole,
    Role,
)
from survey_app.models.base import LONDON
from survey_app.web.extensions import db
from survey_app.web.formatting import local_date, local_time
from tests.queries import count_queries

LINK = "https://hub.example/invite/AbCdEfGhIjKlMnOpQrStUvWx"
STOP = "https://hub.example/messages/stop/ZyXwVuTsRqPoNmLk"
PAGE = "https://hub.example/groups/1/meetings/easy-read"


@pytest.fixture
def meeting(app, sample):
    app.config["PUBLIC_BASE_URL"] = "https://hub.example"
    m = sample["meeting"]
    m.purpose_easy = "We talk about checks once a year."
    m.venue_address = "Shopping City\nRuncorn WA7 2PF"
    m.hearing_loop = True
    m.mode = MeetingMode.BOTH
    m.online_details = "Zoom meeting 123 456"
    db.session.add(AgendaItem(meeting_id=m.id, position=1, what="Annual health checks at the GP",
                              easy_read="Health checks once a year", asked_by=AgendaSource.DOOR))
    db.session.commit()
    return m


def person(first="Amira", last="Khan", method=ContactMethod.EMAIL, fmt=InformationFormat.STANDARD, language="en",
           consent=True):
    p = Person(first_name=first, last_name=last, contact_method=method, information_format=fmt, language=language,
               role=PersonRole.LIVED_EXPERIENCE, email=f"{first.lower()}@example.org", address="1 High Street\nRuncorn",
               consent_at=datetime.now(UTC) if consent else None)
    p.refresh_search_name()
    db.session.add(p)
    db.session.commit()
    return p


def test_an_invitation_in_english_says_what_when_where_access_online_and_the_link(meeting):
    msg = compose.invitation(person(), meeting, LINK, stop_url=STOP)
    assert msg.subject == "Invitation: Health checks"
    assert msg.channel_hint == "email"
    for text in ("Dear Amira", "You are invited to Health checks.", "Talk about annual health checks.",
                 "1. Annual health checks at the GP", "Runcorn Library", "Shopping City\nRuncorn WA7 2PF",
                 "- Step-free access", "- Hearing loop", "Joining online\nZoom meeting 123 456",
                 "Tell us what support you need\n" + LINK, local_date(meeting.starts_at, "full")):
        assert text in msg.body, text
    assert msg.body.rstrip().endswith(f"To stop messages like this: {STOP}")
    assert '<html lang="en" dir="ltr">' in msg.html and f'<a href="{LINK}">' in msg.html
    assert f"To stop messages like this: {STOP}" in msg.html
    assert "<svg" not in msg.html and "<use" not in msg.html  # email programs drop them (see compose.py)
    assert "Listen" not in msg.body


def test_a_reminder_says_tomorrow_with_the_same_facts(meeting):
    day_before = meeting.starts_at.astimezone(LONDON).date() - timedelta(days=1)
    msg = compose.reminder(person(), meeting, LINK, stop_url=STOP, today=day_before)
    assert msg.subject == "Reminder: Health checks is tomorrow"
    assert "This is a reminder: Health checks is tomorrow." in msg.body
    assert "Runcorn Library" in msg.body and LINK in msg.body and msg.ics


def test_a_polish_speaker_gets_the_message_in_polish(app, meeting):
    msg = compose.invitation(person(language="pl"), meeting, LINK, stop_url=STOP)
    with force_locale("pl_PL"):
        assert msg.subject == _("Invitation: %(title)s", title="Health checks")
        assert _("Tell us what support you need") in msg.body
        support = _("Tell us what support you need")
    assert support != "Tell us what support you need"  # translated already: the body really is Polish
    with force_locale("pl_PL"):
        assert local_date(meeting.starts_at, "full") in msg.body  # the date in Polish
    assert '<html lang="pl" dir="ltr">' in msg.html
    with force_locale("ar"):
        assert _("Invitation: %(title)s", title="x") == compose.invitation(
            person("Layla", language="ar"), meeting, LINK, stop_url=STOP).subject.replace("Health checks", "x")


def test_easy_read_is_short_lines_with_the_easy_wording(meeting):
    easy = compose.invitation(person(fmt=InformationFormat.EASY_READ), meeting, LINK, stop_url=STOP)
    standard = compose.invitation(person("Bob", "Jones"), meeting, LINK, stop_url=STOP)
    assert easy.body != standard.body and easy.html != standard.html
    for text in ("You are invited to a meeting.", "The meeting is called Health checks.",
                 f"It starts at {local_time(meeting.starts_at)}.", f"It ends at {local_time(meeting.ends_at)}.", "It is at Runcorn Library.", "Step-free access.",
                 "We talk about checks once a year.", "Health checks once a year", "You can join online."):
        assert text in easy.body.splitlines(), text
    assert "Talk about annual health checks." not in easy.body
    assert "Annual health checks at the GP" not in easy.body
    assert "You are invited to a meeting." not in standard.body
    assert "<svg" not in easy.html
    assert max(len(line) for line in easy.body.splitlines() if STOP not in line and LINK not in line) < 80


def test_an_audio_person_is_given_their_page_with_listen(meeting):
    msg = compose.invitation(person(fmt=InformationFormat.AUDIO), meeting, LINK, stop_url=STOP)
    assert f"To listen to this, open your page and press Listen: {LINK}" in msg.body


def test_the_calendar_file_parses_back_with_the_place_access_and_link(meeting):
    ics = compose.meeting_ics(meeting, LINK, "en")
    cal = Calendar.from_ical(ics)
    assert str(cal["PRODID"]) == "-//One Halton//Co-production Hub//EN" and str(cal["VERSION"]) == "2.0"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.id}@hub.example"
    assert str(event["SUMMARY"]) == "Health checks"
    start = event.decoded("DTSTART")
    assert start.utcoffset() == timedelta(0) and start == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert b"DTSTART:" in ics and re.search(rb"DTSTART:\d{8}T\d{6}Z", ics)
    assert str(event["LOCATION"]) == "Runcorn Library, Shopping City Runcorn WA7 2PF"
    assert str(event["URL"]) == LINK
    description = str(event["DESCRIPTION"])
    for text in ("Talk about annual health checks.", "Step-free access", "Hearing loop", "Zoom meeting 123 456"):
        assert text in description
    assert event.decoded("DTSTAMP")
    # The invitation carries the same calendar, its words in the person's language
    polish = Calendar.from_ical(compose.invitation(person(language="pl"), meeting, LINK, stop_url=STOP).ics)
    with force_locale("pl_PL"):
        assert _("Joining online") in str(polish.walk("VEVENT")[0]["DESCRIPTION"])


def test_your_support_is_arranged_lists_the_labels_never_the_detail(meeting):
    who = person(language="pl")
    needs = [AccessNeed(person_id=who.id, meeting_id=meeting.id, kind=NeedKind.BSL, detail="SECRET-DETAIL deaf since"),
             AccessNeed(person_id=who.id, meeting_id=meeting.id, kind=NeedKind.OTHER, detail="SECRET-OTHER epilepsy")]
    db.session.add_all(needs)
    db.session.commit()
    msg = compose.support_arranged(who, meeting, needs, stop_url=STOP, link_url=LINK)
    with force_locale("pl_PL"):
        assert msg.subject == _("Your support is arranged")
        bsl = str(NeedKind.BSL.label)
    assert bsl in msg.body and bsl in msg.html
    for part in (msg.subject, msg.body, msg.html):
        assert "SECRET" not in part and "epilepsy" not in part
    english = compose.support_arranged(person("Bob"), meeting, [NeedKind.BSL], stop_url=STOP)
    assert "- A British Sign Language interpreter" in english.body and "Your support is arranged" in english.body


def _decided(meeting, user):
    decision = Decision(meeting_id=meeting.id, position=1, what="Hold the next meeting at the library.",
                        created_by_id=user.id)
    action = Action(group_id=meeting.group_id, meeting_id=meeting.id, what="Book the library room",
                    owner="The group's organiser", due_on=date(2027, 6, 1), status=ActionStatus.IN_PROGRESS,
                    created_by_id=user.id)
    db.session.add_all([decision, action])
    db.session.commit()
    return decision, action


def test_what_happened_has_the_notes_decisions_and_actions_with_who_and_when(meeting, make_user):
    decision, action = _decided(meeting, make_user(Role.ORGANISER))
    msg = compose.what_happened(person(), meeting, "We talked about GP letters.", [decision], [action],
                                stop_url=STOP, page_url=PAGE)
    assert msg.subject == "What happened at Health checks"
    for text in ("What was said\nWe talked about GP letters.", "What we decided\n- Hold the next meeting",
                 "- Book the library room", "Who is doing it: The group's organiser.", "When by: June 2027.",
                 f"Read it on our page: {PAGE}"):
        assert text in msg.body, text
    assert "Who is doing it: <bdi" in msg.html


def test_you_said_we_did_lists_each_changed_action_with_its_status(meeting, make_user):
    _decision, action = _decided(meeting, make_user(Role.ORGANISER))
    action.status = ActionStatus.NOT_GOING_AHEAD
    action.explanation = "The room is closed for building work."
    msg = compose.action_updates(person(), meeting.group, [action], stop_url=STOP, page_url=PAGE)
    assert msg.subject == f"You said, we did: news from {meeting.group.name}"
    for text in ("- Book the library room", "Not going ahead", "The room is closed for building work."):
        assert text in msg.body


def test_a_one_off_message_is_the_organisers_words(meeting):
    msg = compose.one_off(person(), meeting, "Change of room", "We are in room 2 this time.", stop_url=STOP)
    assert msg.subject == "Change of room"
    assert "We are in room 2 this time." in msg.body and STOP in msg.body
    assert "<bdi" in msg.html and "room 2" in msg.html


def _every_kind(who, meeting, decision, action):
    return [compose.invitation(who, meeting, LINK, stop_url=STOP),
            compose.reminder(who, meeting, LINK, stop_url=STOP),  # in a week: "is on <date>"
            compose.reminder(who, meeting, LINK, stop_url=STOP,
                             today=meeting.starts_at.astimezone(LONDON).date() - timedelta(days=1)),
            compose.support_arranged(who, meeting, [NeedKind.BSL, NeedKind.TRAVEL], stop_url=STOP, link_url=LINK),
            compose.what_happened(who, meeting, "We talked about GP letters.", [decision], [action], stop_url=STOP,
                                  page_url=PAGE),
            compose.action_updates(who, meeting.group, [action], stop_url=STOP, page_url=PAGE),
            compose.one_off(who, meeting, "Change of room", "We are in room 2 this time.", stop_url=STOP)]


def test_no_other_persons_name_is_in_any_message(meeting, sample, make_user):
    decision, action = _decided(meeting, make_user(Role.ORGANISER, name="Olivia Organiser"))
    other = person("Zbigniew", "Quigley")
    db.session.add(Attendance(meeting_id=meeting.id, person_id=other.id, status=AttendanceStatus.INVITED))
    db.session.add(AccessNeed(person_id=other.id, meeting_id=meeting.id, kind=NeedKind.BSL, detail="x"))
    db.session.commit()
    who = person()
    for msg in _every_kind(who, meeting, decision, action):
        text = " ".join([msg.subject, msg.body, msg.html, (msg.ics or b"").decode()])
        for name in ("Zbigniew", "Quigley", "Dorota", "Nowak", "Olivia"):
            assert name not in text
        assert text.count(STOP) >= 2 or (msg.ics and STOP in msg.body)  # every message says how to stop


def test_a_text_message_is_short_and_links_to_their_page(meeting, make_user):
    decision, action = _decided(meeting, make_user(Role.ORGANISER))
    meeting.title = "A very long meeting title " * 7  # 182 characters
    db.session.commit()
    for fmt in (InformationFormat.STANDARD, InformationFormat.EASY_READ):
        who = person("Tex", method=ContactMethod.TEXT, fmt=fmt, language="pl")
        for msg in _every_kind(who, meeting, decision, action):
            assert msg.channel_hint == "text"
            assert len(msg.body) <= compose.TEXT_LIMIT, msg.body
            assert STOP in msg.body
        invitation = _every_kind(who, meeting, decision, action)[0]
        assert LINK in invitation.body and "…" in invitation.body
    long = compose.one_off(who, meeting, "Note", "word " * 200, stop_url=STOP, link_url=LINK)
    assert len(long.body) <= compose.TEXT_LIMIT and LINK in long.body


def test_channel_hint_follows_the_contact_method(meeting):
    assert compose.channel_for(person(method=ContactMethod.POST)) == "letter"
    assert compose.channel_for(person(method=ContactMethod.EMAIL)) == "email"
    assert compose.channel_for(person(method=ContactMethod.TEXT)) == "text"
    assert compose.invitation(person(method=ContactMethod.POST), meeting, LINK, stop_url=STOP).channel_hint == "letter"


# The letters page

def _invite(meeting, who):
    db.session.add(Attendance(meeting_id=meeting.id, person_id=who.id, status=AttendanceStatus.INVITED))
    inv = Invitation(meeting_id=meeting.id, person_id=who.id, token=secrets.token_urlsafe(24))
    db.session.add(inv)
    db.session.commit()
    return inv


def _send(client, meeting):
    """Queue the invitations: the letters page prints the queued letters."""
    client.submit(f"/meetings/{meeting.id}/messages/invitations", {})


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def test_letters_are_for_post_people_only_one_a_page_large_print_where_asked(client, organiser, meeting):
    post = _invite(meeting, person("Peggy", "Post", method=ContactMethod.POST))
    large = _invite(meeting, person("Larry", "Large", method=ContactMethod.POST, fmt=InformationFormat.LARGE_PRINT))
    easy = _invite(meeting, person("Edna", "Easy", method=ContactMethod.POST, fmt=InformationFormat.EASY_READ,
                                   language="pl"))
    _invite(meeting, person("Emma", "Email", method=ContactMethod.EMAIL))
    _invite(meeting, person("Terry", "Text", method=ContactMethod.TEXT))
    _invite(meeting, person("Nora", "Noconsent", method=ContactMethod.POST, consent=False))
    _send(client, meeting)
    response = client.get(f"/meetings/{meeting.id}/letters")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<section class="letter') == 3
    for name in ('Dear <bdi lang="en">Peggy</bdi>', 'Dear <bdi lang="en">Larry</bdi>', f"https://hub.example/invite/{post.token}",
                 f"https://hub.example/invite/{large.token}", f"https://hub.example/invite/{easy.token}"):
        assert name in page
    for name in ("Emma", "Terry", "Nora"):
        assert name not in page
    assert page.count("letter--large") == 1
    larry = page[page.index("Letter for Larry"):]
    assert larry.startswith('Letter for Larry Large"') and 'class="letter letter--large"' in page
    edna = page[page.index('<section class="letter letter--easy"'):]
    assert 'lang="pl"' in edna[:200] and "<svg" in edna  # pictures beside each line on an easy-read letter
    with force_locale("pl_PL"):
        assert _("Tell us what support you need") in edna
    assert page.count("<svg") >= 3  # a QR code on each letter
    printed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view-print-link")).all()
    assert sorted(int(e.record_id) for e in printed) == sorted([post.id, large.id, easy.id])
    assert all(e.user_id == organiser.id and e.after["as"] == "letter" for e in printed)


def test_letters_page_is_for_organisers_only(client, login_as, meeting):
    assert client.get(f"/meetings/{meeting.id}/letters").status_code == 302  # sign in first
    login_as(Role.FINANCE)
    assert client.get(f"/meetings/{meeting.id}/letters").status_code == 403
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "view-print-link")) is None


def test_letters_page_with_nobody_to_write_to(client, organiser, meeting):
    page = client.get(f"/meetings/{meeting.id}/letters").get_data(as_text=True)
    assert "There are no letters waiting to be printed for this meeting." in page


def test_letters_page_makes_the_same_number_of_queries_for_2_and_6_people(client, organiser, meeting):
    url = f"/meetings/{meeting.id}/letters"

    def count(n):
        for i in range(n - len(db.session.scalars(select(Invitation)).all())):
            _invite(meeting, person(f"Post{n}{i}", "Person", method=ContactMethod.POST,
                                    fmt=[InformationFormat.STANDARD, InformationFormat.LARGE_PRINT,
                                         InformationFormat.EASY_READ][i % 3], language=["en", "pl"][i % 2]))
        _send(client, meeting)
        client.get(url)  # warm
        with count_queries() as counter:
            page = client.get(url).get_data(as_text=True)
        assert page.count('<section class="letter') == n
        return counter["n"]

    assert count(2) == count(6)


def test_the_meeting_times_are_shown_in_london_time(meeting):
    meeting.starts_at = datetime.combine(date(2027, 7, 1), time(9), tzinfo=UTC)  # 10:00 in summer
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    msg = compose.invitation(person(fmt=InformationFormat.EASY_READ), meeting, LINK, stop_url=STOP)
    assert "It starts at 10:00." in msg.body


def test_what_happened_in_easy_read_says_each_decision_on_its_own_lines(meeting, make_user):
    decision, action = _decided(meeting, make_user(Role.ORGANISER))
    easy = compose.what_happened(person(fmt=InformationFormat.EASY_READ), meeting, "Notes.", [decision], [action],
                                 stop_url=STOP, page_url=PAGE)
    assert "We decided:\nHold the next meeting at the library." in easy.body
    assert "After each meeting we write down what was said." in easy.body and "We decided:" in easy.html
    standard = compose.what_happened(person("Bob"), meeting, "Notes.", [decision], [action], stop_url=STOP,
                                     page_url=PAGE)
    assert "We decided:" not in standard.body


def test_letters_are_each_in_the_persons_language_and_direction(client, organiser, meeting):
    _invite(meeting, person("Pawel", "Polski", method=ContactMethod.POST, language="pl"))
    _invite(meeting, person("Layla", "Arabi", method=ContactMethod.POST, language="ar"))
    _send(client, meeting)
    page = client.get(f"/meetings/{meeting.id}/letters").get_data(as_text=True)
    assert 'lang="pl" dir="ltr"' in page and 'lang="ar" dir="rtl"' in page
    with force_locale("pl_PL"):
        assert _("You are invited to %(title)s.", title='<bdi lang="en">Health checks</bdi>') in page


def test_typed_line_breaks_survive_in_email_html_without_styles(meeting):
    msg = compose.invitation(person(), meeting, LINK, stop_url=STOP)
    assert 'Shopping City<br>Runcorn WA7 2PF' in msg.html
    assert "style" not in msg.html
    tricky = compose.one_off(person(), meeting, "Hi", "<b>bold</b>\nline two", stop_url=STOP)
    assert "&lt;b&gt;bold&lt;/b&gt;<br>line two" in tricky.html
