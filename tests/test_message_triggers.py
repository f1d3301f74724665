"""Messages that go by themselves (issue 16): "your support is arranged" when the last need is ticked, "what
happened" when the notes are published, reminders the day before, and the weekly "You said, we did" news;
each to the right people only and once, and the "what happened" email read back from a real SMTP server."""
import secrets
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from survey_app.insight import actions as domain
from survey_app.insight import support_plan as plans
from survey_app.messages import compose, deliver, outbox, schedule, sender, triggers
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    AccessNeed,
    Action,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ContactMethod,
    Decision,
    Group,
    InformationFormat,
    Invitation,
    Meeting,
    MeetingMode,
    Message,
    MessageKind,
    NeedKind,
    Person,
    PersonRole,
    Role,
)
from survey_app.models.base import LONDON, utcnow
from survey_app.privacy.erasure import erase_person
from survey_app.web.extensions import db
from survey_app.web.formatting import local_date
from tests.conftest import PASSWORD
from tests.queries import count_queries
from tests.smtp_server import smtp_server

BASE = "https://hub.example"


def person(first, consent=True, fmt=InformationFormat.STANDARD, method=ContactMethod.EMAIL, **extra) -> Person:
    p = Person(first_name=first, last_name="Test", email=f"{first.lower()}@example.org",
               contact_method=method, information_format=fmt, role=PersonRole.LIVED_EXPERIENCE,
               consent_at=utcnow() if consent else None, **extra)
    p.refresh_search_name()
    db.session.add(p)
    db.session.flush()
    return p


def on_list(meeting, *people, status=AttendanceStatus.INVITED, link=False):
    for p in people:
        db.session.add(Attendance(meeting_id=meeting.id, person_id=p.id, status=status))
        if link:
            db.session.add(Invitation(meeting_id=meeting.id, person_id=p.id, token=secrets.token_urlsafe(24)))
    db.session.flush()


def meeting_of(group, starts_at, title="Health checks") -> Meeting:
    m = Meeting(group=group, title=title, purpose="Talk about it.", starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2), mode=MeetingMode.IN_PERSON, venue_name="Runcorn Library")
    db.session.add(m)
    db.session.flush()
    return m


def messages(kind=None):
    query = select(Message).order_by(Message.id)
    if kind is not None:
        query = query.where(Message.kind == kind)
    return db.session.scalars(query).all()


def recipients(kind):
    return sorted(m.to for m in messages(kind))


def signed_in(app, user):
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(app, sample, make_user):
    app.config["PUBLIC_BASE_URL"] = BASE
    return {**sample, "organiser": make_user(Role.ORGANISER, name="Priya Staffname")}


def opted_out(p, kind):
    outbox.opt_out(p, kind)
    return p


# --- "Your support is arranged" ---------------------------------------------------------------------------------

def press(client, meeting_id, need_id, arranged="yes"):
    url = f"/meetings/{meeting_id}/support"
    response = client.submit(f"{url}/{need_id}/arranged", {"arranged": arranged}, token_from=url)
    assert response.status_code == 302
    return response


def test_support_arranged_goes_when_the_last_need_is_ticked_once_and_again_for_a_new_need(app, world):
    meeting = world["meeting"]
    amy = person("Amy")
    on_list(meeting, amy, link=True)
    bsl = AccessNeed(person_id=amy.id, kind=NeedKind.BSL, detail="SECRET deaf since birth")  # standing
    food = AccessNeed(person_id=amy.id, meeting_id=meeting.id, kind=NeedKind.FOOD, detail="SECRET coeliac")
    db.session.add_all([bsl, food])
    db.session.commit()
    organiser = signed_in(app, world["organiser"])

    press(organiser, meeting.id, bsl.id)
    assert messages() == []  # food is not arranged yet
    press(organiser, meeting.id, food.id)
    [message] = messages()
    assert (message.kind, message.to, message.meeting_id) == (MessageKind.SUPPORT_ARRANGED, "amy@example.org",
                                                              meeting.id)
    assert message.dedupe_key == f"support_arranged:m{meeting.id}:p{amy.id}:n{bsl.id}-{food.id}"
    for label in (str(NeedKind.BSL.label), str(NeedKind.FOOD.label)):
        assert label in message.body
    assert "SECRET" not in message.body + message.html and "coeliac" not in message.body
    token = db.session.scalar(select(Invitation.token).where(Invitation.person_id == amy.id))
    assert f"{BASE}/invite/{token}" in message.body
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "queue-message")).one()
    assert event.user_id == world["organiser"].id and "SECRET" not in str(event.after)

    press(organiser, meeting.id, food.id, "no")  # re-ticking sends nothing new
    press(organiser, meeting.id, food.id)
    assert len(messages()) == 1

    travel = AccessNeed(person_id=amy.id, meeting_id=meeting.id, kind=NeedKind.TRAVEL)
    db.session.add(travel)
    db.session.commit()
    press(organiser, meeting.id, travel.id)
    first, second = messages()
    assert str(NeedKind.TRAVEL.label) in second.body and second.dedupe_key.endswith(f"-{travel.id}")


def test_support_arranged_goes_to_nobody_without_consent_erased_opted_out_or_when_the_group_does_not_send(
        app, world):
    meeting, group = world["meeting"], world["group"]
    no_consent, erased, opted, later = person("Nat", consent=False), person("Eve"), person("Oli"), person("Lou")
    on_list(meeting, no_consent, erased, opted, later)
    needs = {p.id: AccessNeed(person_id=p.id, meeting_id=meeting.id, kind=NeedKind.STEP_FREE)
             for p in (no_consent, erased, opted, later)}
    db.session.add_all(needs.values())
    db.session.commit()
    opted_out(opted, MessageKind.SUPPORT_ARRANGED)
    group.sends_support_arranged = False
    db.session.commit()
    with deliver.link_context():
        for need in needs.values():
            plans.mark_arranged(need.id, meeting.id, world["organiser"])
        assert [triggers.support_arranged(meeting, p_id) for p_id in needs] == [None] * 4  # the group's switch
        group.sends_support_arranged = True
        erase_person(erased)
        db.session.flush()
        sent = [p_id for p_id in needs if triggers.support_arranged(meeting, p_id) is not None]
        assert sent == [later.id]
    db.session.commit()
    assert recipients(MessageKind.SUPPORT_ARRANGED) == ["lou@example.org"]


# --- "What happened" ---------------------------------------------------------------------------------------------

@pytest.fixture
def held(world):
    """A meeting three days ago: Amy (standard) and Eddie (easy read) took part; Ivy was only invited; Nat took
    part with no consent to contact, Oli asked to stop these messages, Eve was erased, Phil is phoned."""
    meeting = world["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    amy, eddie = person("Amy"), person("Eddie", fmt=InformationFormat.EASY_READ)
    tess = person("Tess", method=ContactMethod.TEXT, phone="07700 900222")  # a short text: the easy-read page
    ivy, nat, oli, eve = person("Ivy"), person("Nat", consent=False), person("Oli"), person("Eve")
    phil = person("Phil", method=ContactMethod.PHONE)  # an organiser rings him
    on_list(meeting, amy, eddie, tess, nat, oli, eve, phil, status=AttendanceStatus.ATTENDED)
    on_list(meeting, ivy)
    db.session.add(Decision(meeting_id=meeting.id, position=1, what="Hold the next meeting at the library.",
                            created_by_id=world["organiser"].id))
    domain.create_action(meeting.group_id, "Book the library room", "The group's organiser", None, world["organiser"],
                         meeting_id=meeting.id)
    db.session.commit()
    opted_out(oli, MessageKind.WHAT_HAPPENED)
    erase_person(eve)
    db.session.commit()
    return {**world, "amy": amy, "eddie": eddie, "phil": phil}


def publish(app, held, text="We talked about GP letters."):
    organiser = signed_in(app, held["organiser"])
    response = organiser.submit(f"/meetings/{held['meeting'].id}/notes", {"text": text})
    assert response.status_code == 302
    return response


def test_publishing_the_notes_tells_those_who_took_part_once(app, held):
    meeting, group = held["meeting"], held["group"]
    publish(app, held)
    assert recipients(MessageKind.WHAT_HAPPENED) == ["07700 900222", "amy@example.org", "eddie@example.org"]
    tess_message, amy_message, eddie_message = sorted(messages(MessageKind.WHAT_HAPPENED), key=lambda m: m.to)
    assert f"{BASE}/public/groups/{group.id}/meetings/easy-read#meeting-{meeting.id}" in tess_message.body
    assert len(tess_message.body) <= 300
    for text in ("We talked about GP letters.", "Hold the next meeting at the library.", "Book the library room",
                 f"{BASE}/public/groups/{group.id}/meetings#meeting-{meeting.id}"):
        assert text in amy_message.body, text
    assert f"{BASE}/public/groups/{group.id}/meetings/easy-read#meeting-{meeting.id}" in eddie_message.body
    assert amy_message.dedupe_key == f"what_happened:m{meeting.id}:p{held['amy'].id}"
    publish(app, held, "We talked about GP letters, and about buses.")  # an edit sends nothing new
    assert len(messages()) == 3
    assert db.session.get(Person, held["phil"].id).message_token is None  # no stop link made for nothing


def test_no_what_happened_when_the_group_does_not_send_them(app, held):
    held["group"].sends_what_happened = False
    db.session.commit()
    publish(app, held)
    assert messages() == []


def test_the_what_happened_email_arrives_with_the_decision(app, held):
    publish(app, held)
    with smtp_server() as server:
        tally = sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"),
                                worker_id="test")
        assert tally.sentence() == "Sent 2, failed 1, to retry 0."  # Tess's text: no Notify key, no way to send it
        mails = {mail["To"]: mail for mail in server.messages}
    mail = mails["amy@example.org"]
    assert mail["Subject"] == "What happened at Health checks"
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's line ends
    assert "What we decided\n- Hold the next meeting at the library." in body
    assert "Who is doing it: The group's organiser." in body
    assert "Hold the next meeting at the library." in mails["eddie@example.org"].get_body(("plain",)).get_content()


# --- Reminders -------------------------------------------------------------------------------------------------

def test_a_reminder_goes_the_day_before_to_working_links_only_and_once(app, world):
    meeting = world["meeting"]  # in a week, 10:00 UTC
    amy, ben, cy, nat, oli = person("Amy"), person("Ben"), person("Cy"), person("Nat", consent=False), person("Oli")
    on_list(meeting, amy, ben, nat, oli, link=True)
    on_list(meeting, cy)  # on the list, but no personal link
    db.session.commit()
    opted_out(oli, MessageKind.REMINDER)
    withdrawn = db.session.scalar(select(Invitation).where(Invitation.person_id == ben.id))
    withdrawn.withdrawn_at = utcnow()
    db.session.commit()

    assert schedule.queue_due(now=meeting.starts_at - timedelta(days=2)).reminders == 0
    assert messages() == []
    day_before = meeting.starts_at - timedelta(days=1)
    assert schedule.queue_due(now=day_before).reminders == 1
    [reminder] = messages()
    assert (reminder.kind, reminder.to, reminder.subject) == (MessageKind.REMINDER, "amy@example.org",
                                                              "Reminder: Health checks is tomorrow")
    token = db.session.scalar(select(Invitation.token).where(Invitation.person_id == amy.id))
    assert f"{BASE}/invite/{token}" in reminder.body and reminder.ics.startswith("BEGIN:VCALENDAR")
    assert schedule.queue_due(now=day_before + timedelta(hours=3)).reminders == 0
    assert len(messages()) == 1


def test_reminders_follow_the_setting_and_the_groups_switch(app, world):
    meeting = world["meeting"]
    on_list(meeting, person("Amy"), link=True)
    world["group"].sends_reminders = False
    db.session.commit()
    assert schedule.queue_due(now=meeting.starts_at - timedelta(days=1)).reminders == 0
    world["group"].sends_reminders = True
    app.config["REMINDER_DAYS_BEFORE"] = 2
    db.session.commit()
    assert schedule.queue_due(now=meeting.starts_at - timedelta(days=1)).reminders == 0
    assert schedule.queue_due(now=meeting.starts_at - timedelta(days=2)).reminders == 1
    [reminder] = messages()  # two days before: not "tomorrow"
    with force_locale(compose.babel_locale("en")):
        day, full_day = local_date(meeting.starts_at, "medium"), local_date(meeting.starts_at, "full")
    assert reminder.subject == f"Reminder: Health checks is on {day}"
    assert f"This is a reminder: Health checks is on {full_day}." in reminder.body and "tomorrow" not in reminder.body


def test_the_command_queues_what_is_due_and_says_so(app, world, runner):
    meeting = world["meeting"]
    meeting.starts_at = utcnow() + timedelta(days=1)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    on_list(meeting, person("Amy"), link=True)
    db.session.commit()
    result = runner.invoke(args=["messages", "queue-due"])
    assert result.output == "Reminders queued: 1. \"You said, we did\" messages queued: 0.\n"
    assert runner.invoke(args=["messages", "queue-due"]).output == \
        "Reminders queued: 0. \"You said, we did\" messages queued: 0.\n"
    assert len(messages(MessageKind.REMINDER)) == 1


# --- "You said, we did", gathered weekly ---------------------------------------------------------------------------

def two_groups(world):
    """Pat took part in both groups' meetings, Quinn in the first only, Ivy was only invited; each group has an
    action whose status changed and one where only the words changed."""
    first = world["group"]
    second = Group(name="Carers Forum", description="", organisation=world["organisation"])
    db.session.add(second)
    past = utcnow() - timedelta(days=20)
    m1, m2 = meeting_of(first, past, "Board"), meeting_of(second, past, "Forum")
    pat, quinn, ivy = person("Pat"), person("Quinn"), person("Ivy")
    on_list(m1, pat, quinn, status=AttendanceStatus.ATTENDED)
    on_list(m2, pat, status=AttendanceStatus.ATTENDED)
    on_list(m1, ivy)
    organiser = world["organiser"]
    made = {}
    for group in (first, second):
        for what in ("Ask the GP for easy read letters", "Find a bigger room"):
            made[group.id, what] = domain.create_action(group.id, what, "Carers Lead", None, organiser)
    db.session.commit()
    for group in (first, second):
        domain.update_action(made[group.id, "Ask the GP for easy read letters"], organiser, status="in_progress")
        domain.update_action(made[group.id, "Find a bigger room"], organiser, what="Find a room with a hoist")
    db.session.commit()
    return {"first": first, "second": second, "pat": pat, "quinn": quinn, "made": made, "meetings": (m1, m2)}


def test_status_changed_at_is_set_only_when_the_status_changes(app, world):
    two_groups(world)
    changed = db.session.scalars(select(Action.what).where(Action.status_changed_at.is_not(None))).all()
    assert changed == ["Ask the GP for easy read letters"] * 2


def test_one_message_gathers_two_groups_news_and_nothing_more_that_week(app, world):
    two = two_groups(world)
    queued = schedule.queue_due()
    assert (queued.reminders, queued.action_updates) == (0, 2)
    assert recipients(MessageKind.ACTION_UPDATES) == ["pat@example.org", "quinn@example.org"]
    pat_message = next(m for m in messages() if m.to == "pat@example.org")
    assert pat_message.subject == "You said, we did: news from your groups"
    assert pat_message.body.count("- Ask the GP for easy read letters") == 2
    assert "Find a room with a hoist" not in pat_message.body  # its status did not change
    for group in (two["first"], two["second"]):
        assert group.name in pat_message.body and f"{BASE}/public/groups/{group.id}/you-said-we-did" in pat_message.body
    quinn_message = next(m for m in messages() if m.to == "quinn@example.org")
    assert quinn_message.subject == f"You said, we did: news from {two['first'].name}"
    assert quinn_message.group_id == two["first"].id
    year, week, _ = utcnow().astimezone(LONDON).isocalendar()
    assert pat_message.dedupe_key == f"action_updates:p{two['pat'].id}:{year}-W{week:02d}"

    # More news the next day waits for next week.
    domain.update_action(two["made"][two["first"].id, "Find a bigger room"], world["organiser"], status="done")
    db.session.commit()
    assert schedule.queue_due(now=utcnow() + timedelta(days=1)).action_updates == 0
    assert len(messages()) == 2
    # A week on, only the news since their last message.
    assert schedule.queue_due(now=utcnow() + timedelta(days=8)).action_updates == 2
    newest = next(m for m in reversed(messages()) if m.to == "pat@example.org")
    assert "Find a room with a hoist" in newest.body and "Ask the GP" not in newest.body
    assert newest.subject == f"You said, we did: news from {two['first'].name}"


def test_no_news_for_the_opted_out_the_erased_or_a_group_that_does_not_send(app, world):
    two = two_groups(world)
    opted_out(two["quinn"], MessageKind.ACTION_UPDATES)
    two["second"].sends_action_updates = False
    db.session.commit()
    erase_person(two["pat"])
    db.session.commit()
    assert schedule.queue_due().action_updates == 0
    erased_pat = db.session.get(Person, two["pat"].id)
    assert erased_pat.erased_at is not None and messages() == []


def test_the_weekly_gathering_takes_the_same_queries_for_2_and_6_people(app, world):
    two = two_groups(world)
    assert schedule.queue_due().action_updates == 2

    def next_day():
        with count_queries() as counter:
            assert schedule.queue_due(now=utcnow() + timedelta(days=1)).action_updates == 0
        return counter["n"]

    few = next_day()
    more = [person(f"More{n}") for n in range(4)]
    on_list(two["meetings"][0], *more, status=AttendanceStatus.ATTENDED)
    on_list(two["meetings"][1], *more, status=AttendanceStatus.ATTENDED)
    domain.update_action(two["made"][two["second"].id, "Find a bigger room"], world["organiser"], status="done")
    db.session.commit()
    assert schedule.queue_due().action_updates == 4
    assert next_day() == few


def test_a_text_message_of_two_groups_news_is_short_and_links_to_the_first_page(app, world):
    two = two_groups(world)
    sam = person("Sam", method=ContactMethod.TEXT, phone="07700 900111")
    on_list(two["meetings"][0], sam, status=AttendanceStatus.ATTENDED)
    on_list(two["meetings"][1], sam, status=AttendanceStatus.ATTENDED)
    db.session.commit()
    schedule.queue_due()
    text = next(m for m in messages() if m.to == "07700 900111")
    first_page = min((two["first"], two["second"]), key=lambda g: g.name.casefold())
    assert text.body.startswith("You said, we did: news from your groups. "
                                f"{BASE}/public/groups/{first_page.id}/you-said-we-did/easy-read\n")
    assert len(text.body) <= 300

