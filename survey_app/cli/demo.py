"""`flask --app survey_app demo load`: realistic fictional data so a new user sees the service working."""
import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from forms.checklist import HERE_AS

from ..models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ChecklistChannel,
    ChecklistResponse,
    ContactMethod,
    Group,
    InformationFormat,
    Meeting,
    MeetingMode,
    NeedKind,
    Organisation,
    OrganisationKind,
    PaymentRoute,
    Person,
    PersonRole,
    Suggestion,
    SuggestionStatus,
)
from ..web.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")
LONDON = ZoneInfo("Europe/London")

ORGANISATIONS = [
    ("Halton Borough Council", OrganisationKind.COUNCIL),
    ("NHS Cheshire and Merseyside", OrganisationKind.NHS),
    ("Bridgewater Community Healthcare", OrganisationKind.NHS),
    ("Halton Speak Out", OrganisationKind.VOLUNTARY),
    ("Halton Carers Centre", OrganisationKind.VOLUNTARY),
]
FIRST = ["Amira", "Ben", "Chloe", "Dariusz", "Ellie", "Farah", "George", "Hannah", "Ioana", "Jack", "Kasia", "Liam",
         "Maria", "Nathan", "Olivia", "Paulo", "Rhys", "Sophie", "Tom", "Yasmin"]
LAST = ["Ahmed", "Brennan", "Costa", "Davies", "Evans", "Kowalski", "Hughes", "Jones", "Murphy", "Nowak",
        "Popescu", "Roberts", "Santos", "Taylor", "Walsh", "Wright"]
ROLES = ([PersonRole.LIVED_EXPERIENCE] * 16 + [PersonRole.CARER] * 8 + [PersonRole.STAFF] * 8
         + [PersonRole.VOLUNTEER] * 4 + [PersonRole.VOLUNTARY_SECTOR] * 3 + [PersonRole.OTHER])
VENUES = [
    ("Runcorn Library, Community Room", "Egerton Street, Runcorn WA7 1JL",
     dict(step_free=True, hearing_loop=True, accessible_toilet=True, public_transport=True)),
    ("Kingsway Learning Centre", "Kingsway, Widnes WA8 7QE",
     dict(step_free=True, accessible_toilet=True, parking=True, quiet_room=True, public_transport=True)),
]
TOPICS = ["Getting to appointments", "Easy read letters from the hospital", "Short breaks for carers",
          "Day services", "Health checks", "Using the new GP booking system", "Housing and support",
          "Planning the next year", "How we spend the co-production budget", "Feedback on the Charter",
          "Staying safe online", "Transport to meetings"]


# The meeting that is on the day the demo is loaded, so door mode can be tried at once. It was next week's
# (still to come), so moving it changes nothing else the seeded random choices make.
TODAY_MEETING = 7


def _later_today() -> datetime:
    """About an hour from now, on a quarter hour, but still today in the UK: the checklist is not open yet."""
    now = datetime.now(LONDON)
    soon = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    soon -= timedelta(minutes=soon.minute % 15)
    return min(soon, datetime.combine(now.date(), time(23, 59), tzinfo=LONDON))


@demo_cli.command("load")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for the same data every time.")
def load(seed):
    """Fill an empty database with fictional groups, meetings and people."""
    if db.session.scalar(select(func.count()).select_from(Person)) or \
            db.session.scalar(select(func.count()).select_from(Group)):
        raise click.ClickException("The database already has people or groups. Demo data goes into an empty one.")
    rng = random.Random(seed)  # noqa: S311 (fictional demo data from a seed)
    orgs = [Organisation(name=name, kind=kind) for name, kind in ORGANISATIONS]
    db.session.add_all(orgs)
    groups = [
        Group(name="Learning Disability Partnership Board", organisation=orgs[0],
              description="People with learning disabilities, carers and staff planning services together."),
        Group(name="Carers' Voice Halton", organisation=orgs[4],
              description="Unpaid carers telling health and care services what works and what needs to change."),
    ]
    db.session.add_all(groups)
    people = []
    for i, role in enumerate(ROLES):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        method = rng.choice(list(ContactMethod))
        person = Person(
            first_name=first, last_name=last, preferred_name="", role=role,
            contact_method=method,
            information_format=rng.choice([InformationFormat.EASY_READ, InformationFormat.STANDARD,
                                           InformationFormat.LARGE_PRINT, InformationFormat.AUDIO]),
            language={"Kowalski": "pl", "Nowak": "pl", "Popescu": "ro", "Santos": "pt", "Costa": "pt",
                      "Ahmed": "ar"}.get(last, "en"),
            email=f"{first.lower()}.{last.lower()}@example.org" if method == ContactMethod.EMAIL else "",
            phone=f"07700 900{i:03d}" if method in (ContactMethod.PHONE, ContactMethod.TEXT) else "",
            address=f"{i + 1} Example Road, Runcorn WA7 0XX" if method == ContactMethod.POST else "",
            organisation=orgs[i % 3] if role == PersonRole.STAFF else (orgs[3] if role == PersonRole.VOLUNTARY_SECTOR
                                                                        else None),
            consent_at=datetime.now(UTC) - timedelta(days=rng.randint(30, 400)),
        )
        person.refresh_search_name()
        people.append(person)
    db.session.add_all(people)

    today = datetime.now(LONDON).date()
    meetings = []
    for i, topic in enumerate(TOPICS):
        group = groups[i % 2]
        day = today + timedelta(weeks=(i - 7) * 2 + (i % 2))
        venue_name, address, features = VENUES[i % 2]
        start = datetime.combine(day, time(10 if i % 2 == 0 else 13, 30), tzinfo=LONDON)
        if i == TODAY_MEETING:
            start = _later_today()
        mode = MeetingMode.BOTH if i % 3 == 0 else MeetingMode.IN_PERSON
        meetings.append(Meeting(
            group=group, title=topic, purpose=f"We will talk about {topic.lower()} and agree what to do next.",
            starts_at=start.astimezone(UTC), ends_at=(start + timedelta(hours=2)).astimezone(UTC),
            mode=mode, venue_name=venue_name, venue_address=address, **features,
            access_notes="Use the main entrance. Staff will meet you in reception.",
            online_details="Microsoft Teams link sent by email the day before." if mode == MeetingMode.BOTH else "",
            cost_code="COP-LD" if group is groups[0] else "COP-CARERS",
        ))
    db.session.add_all(meetings)
    db.session.flush()
    now = datetime.now(UTC)
    for meeting in meetings:
        for person in rng.sample(people, 12):
            past = meeting.starts_at < now
            status = (AttendanceStatus.ATTENDED if past and rng.random() < 0.8
                      else rng.choice([AttendanceStatus.INVITED, AttendanceStatus.REGISTERED]))
            db.session.add(Attendance(
                meeting=meeting, person=person, status=status,
                signed_in_at=meeting.starts_at - timedelta(minutes=rng.randint(0, 15))
                if status == AttendanceStatus.ATTENDED else None))
    _demo_taking_part(meetings, groups, now)
    _participation(rng, people, meetings, groups, now)
    _recognition(rng, people, meetings, groups, now)
    _insight(rng, people, meetings, groups, now)
    _demo_decisions(meetings, now)
    _demo_checklist_channels(rng, meetings, now)
    _demo_agenda(meetings)
    _demo_messages(people, meetings, now)
    _demo_equality(rng, groups, now)
    _demo_report_quotes()
    _demo_benefits(people, now)
    _demo_through_someone(people)
    db.session.commit()
    click.echo(f"Loaded {len(orgs)} organisations, {len(groups)} groups, {len(meetings)} meetings "
               f"and {len(people)} people, with their support needs, suggestions and checklist answers "
               f"(all fictional).")


def _demo_taking_part(meetings, groups, now):
    """How people took part: everyone signed in took part in the room, except that on the latest past
    meeting with enough people one joined online and one by phone (marked by an organiser, so no sign-in
    time); and a panel interview of the first group, an activity outside meetings, with two people who took
    part and are not recognised yet. Uses no random numbers, so the rest of the demo data stays the same."""
    from ..models import MeetingKind, TakingPart

    for meeting in meetings:
        for attendance in meeting.attendances:
            if attendance.status == AttendanceStatus.ATTENDED:
                attendance.took_part = TakingPart.ROOM
    past = sorted((m for m in meetings if m.starts_at < now), key=lambda m: m.starts_at, reverse=True)
    for meeting in past:
        came = [a for a in meeting.attendances if a.status == AttendanceStatus.ATTENDED]
        if len(came) >= 3:
            for attendance, how in zip(came, (TakingPart.ONLINE, TakingPart.PHONE), strict=False):
                attendance.took_part, attendance.signed_in_at = how, None
            break
    regulars = []
    for meeting in (m for m in past if m.group is groups[0]):
        regulars += [a.person for a in meeting.attendances
                     if a.status == AttendanceStatus.ATTENDED and a.person not in regulars]
    day = datetime.combine((now - timedelta(days=10)).astimezone(LONDON).date(), time(10), tzinfo=LONDON)
    panel = Meeting(group=groups[0], kind=MeetingKind.PANEL, title="Interview panel: new service manager",
                    purpose="Two members of the board help choose the new manager of day services.",
                    starts_at=day.astimezone(UTC), ends_at=day.astimezone(UTC), mode=MeetingMode.IN_PERSON,
                    cost_code="COP-LD")
    db.session.add(panel)
    db.session.add_all(Attendance(meeting=panel, person=person, status=AttendanceStatus.ATTENDED,
                                  took_part=TakingPart.ROOM) for person in regulars[:2])
    db.session.flush()


def _recognition(rng, people, meetings, groups, now):
    """Rates, budgets, payee references and recognition lines in every status, with two returns (one paid).
    The staff named on them are disabled accounts with unguessable passwords: nobody can sign in as them."""
    import secrets

    from ..access.accounts import create_user
    from ..models import ExpenseType, PaymentBasis, Rate, RecognitionKind, Role, ThanksType
    from ..money import line_payments
    from ..money import recognition as rec
    from ..money.budgets import set_budget

    organiser = create_user("demo.organiser@example.invalid", "Demo Organiser", Role.ORGANISER,
                            secrets.token_urlsafe(24))
    finance = create_user("demo.finance@example.invalid", "Demo Finance", Role.FINANCE, secrets.token_urlsafe(24))
    organiser.active = finance.active = False
    year = rec.tax_year_start(now.date())
    for group in groups:
        db.session.add(Rate(group=group, applies_from=date(year.year - 1, 4, 6), hourly_pence=1500,
                            half_day_pence=4000, day_pence=7500, mileage_pence=45))
        db.session.flush()
        set_budget(group.id, year, 500000)
    for i, person in enumerate(people):
        person.recognition_preference = ["paid", "paid", "voucher", "thanks_only", "nothing"][i % 5]
        person.payee_ref = f"SUP-{1000 + i}" if i % 7 else ""
        person.benefits_check = i % 11 == 0
        if person.payee_ref:  # every payment route (issue 17): most are suppliers, a few office holders on payroll
            payroll = i % 13 == 0
            person.payment_route = PaymentRoute.PAYROLL if payroll else PaymentRoute.SUPPLIER
            person.payee_ref = f"PAY-{2000 + i}" if payroll else person.payee_ref
            person.payment_route_by_id, person.payment_route_at = finance.id, now - timedelta(days=60)
        elif i % 14 == 0:
            person.payment_route = PaymentRoute.EXPENSES_ONLY
            person.payment_route_by_id, person.payment_route_at = finance.id, now - timedelta(days=60)
    db.session.flush()
    past = [m for m in meetings if m.starts_at < now]
    lines = []
    for meeting in past:
        day = meeting.starts_at.astimezone(LONDON).date()
        for attendance in [a for a in meeting.attendances if a.status == AttendanceStatus.ATTENDED]:
            person = attendance.person
            wish = person.recognition_preference
            base = dict(person=person, group_id=meeting.group_id, activity_on=day, meeting=meeting)
            if wish == "paid":
                data = rec.LineInput(kind=RecognitionKind.PAYMENT, basis=PaymentBasis.HALF_DAY, **base)
            elif wish == "voucher":
                data = rec.LineInput(kind=RecognitionKind.VOUCHER, amount_pence=2500, voucher_provider="Love2Shop",
                                     voucher_serial=f"L2S-{rng.randint(10000, 99999)}", voucher_handed_over_on=day,
                                     voucher_signed_for=True, **base)
            else:
                data = rec.LineInput(kind=RecognitionKind.THANKS, thanks_type=ThanksType.LETTER
                                     if wish == "thanks_only" else ThanksType.NONE_WANTED, **base)
            lines.append(rec.record(data, organiser))
            if rng.random() < 0.3:
                lines.append(rec.record(rec.LineInput(kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.FARES,
                                                      amount_pence=rng.choice([320, 480, 650]), receipt_seen=True,
                                                      **base), organiser))
    db.session.flush()
    # The older half approved and put into two returns (the first paid); the rest waits for finance.
    older = [line for line in lines if line.activity_on < (now - timedelta(weeks=6)).date()]
    rec.approve(older, finance)
    db.session.flush()
    first = rec.build_return(finance, period_to=(now - timedelta(weeks=10)).date())
    line_payments.mark_paid(first, (now - timedelta(weeks=8)).date(), finance)
    db.session.flush()
    paid_line = next(line for line in lines if line.return_id == first.id and line.kind == RecognitionKind.PAYMENT)
    reversal, replacement = rec.correct(paid_line, 3000, "left at the break", organiser)
    db.session.flush()
    rec.approve([reversal, replacement], finance)
    db.session.flush()
    rec.build_return(finance)


def _insight(rng, people, meetings, groups, now):
    """Arranged and unarranged support, triaged suggestions with votes, actions in every status (some
    overdue, one not going ahead with its reason), meeting notes, and voices for most people."""
    from sqlalchemy import select

    from ..models import (
        AccessNeed,
        Action,
        ActionStatus,
        ActionUpdate,
        MeetingNote,
        NeedArrangement,
        PersonVoice,
        SuggestionVote,
        User,
        Voice,
    )

    organiser = db.session.scalar(select(User).where(User.email == "demo.organiser@example.invalid"))
    for need in db.session.scalars(select(AccessNeed).where(AccessNeed.meeting_id.is_not(None))):
        if need.meeting.starts_at < now or rng.random() < 0.5:
            db.session.add(NeedArrangement(need_id=need.id, meeting_id=need.meeting_id, arranged_by_id=organiser.id))
    suggestions = db.session.scalars(select(Suggestion).order_by(Suggestion.id)).all()
    future = [m for m in meetings if m.starts_at > now]
    statuses = [SuggestionStatus.NEW, SuggestionStatus.PLANNED, SuggestionStatus.COVERED,
                SuggestionStatus.NOT_TAKEN_FORWARD, SuggestionStatus.NEW, SuggestionStatus.PLANNED]
    for i, (suggestion, status) in enumerate(zip(suggestions, statuses)):
        suggestion.status = status
        if status != SuggestionStatus.NEW or i == 0:  # looked at; the group link's later NEW one is held back
            suggestion.triaged_by_id, suggestion.triaged_at = organiser.id, now
        if status == SuggestionStatus.PLANNED:
            suggestion.planned_meeting = next(m for m in future if m.group_id == suggestion.group_id)
        if status == SuggestionStatus.NOT_TAKEN_FORWARD:
            suggestion.reason = ("The council does not run this service. We have passed it to the NHS team, "
                                 "who will reply to the group.")
        for voter in rng.sample(people, rng.randint(0, 8)):
            db.session.add(SuggestionVote(suggestion=suggestion, person_id=voter.id))
    today = now.astimezone(LONDON).date()
    past = [m for m in meetings if m.starts_at < now]
    plans = [("Write to the bus company about the 62 on Sundays", "Halton Borough Council", -20,
              ActionStatus.DONE, ""),
             ("Send appointment letters in easy read", "NHS Cheshire and Merseyside", -10, ActionStatus.IN_PROGRESS,
              "The new letter printer arrives in the spring, so this is taking longer than we said."),
             ("Find a venue with a Changing Places toilet", "Halton Borough Council", 14, ActionStatus.IN_PROGRESS, ""),
             ("Plan a carers' drop-in for the school holidays", "Halton Carers Centre", 30, ActionStatus.NOT_STARTED,
              ""),
             ("Move meetings to the evening", "Halton Borough Council", None, ActionStatus.NOT_GOING_AHEAD,
              "The venues we can use close at 5pm. We will hold one online meeting each month in the evening."),
             ("Share the budget spending every quarter", "Halton Borough Council", 60, ActionStatus.NOT_STARTED, "")]
    orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
    for i, (what, owner, due, status, why) in enumerate(plans):
        meeting = past[i % len(past)]
        action = Action(group_id=meeting.group_id, meeting_id=meeting.id, what=what, owner=owner,
                        owner_organisation=orgs.get(owner), due_on=today + timedelta(days=due) if due is not None
                        else None, status=status, explanation=why, created_by_id=organiser.id)
        db.session.add(action)
        if status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
            db.session.add(ActionUpdate(action=action, noted_on=today - timedelta(days=5), by_id=organiser.id,
                                        note="We have written to them and are waiting for a reply."))
    for meeting in past[-3:]:
        db.session.add(MeetingNote(meeting=meeting, written_by_id=organiser.id,
                                   text=f"We talked about {meeting.title.lower()}. Everyone had a say. "
                                        "We agreed the actions below and will report back next time."))
    for person in people:
        if rng.random() < 0.8:
            for voice in rng.sample(list(Voice), rng.randint(1, 2)):
                db.session.add(PersonVoice(person_id=person.id, voice=voice))


def _demo_decisions(meetings, now):
    """The latest past meeting with notes gets two joint decisions, one with an action that follows from it."""
    from sqlalchemy import select

    from ..models import Action, ActionStatus, Decision, MeetingNote, User

    organiser = db.session.scalar(select(User).where(User.email == "demo.organiser@example.invalid"))
    db.session.flush()
    noted = set(db.session.scalars(select(MeetingNote.meeting_id)))
    meeting = max((m for m in meetings if m.starts_at < now and m.id in noted), key=lambda m: m.starts_at)
    first = Decision(meeting_id=meeting.id, position=1, created_by_id=organiser.id,
                     what="We will hold one meeting online each month, so people who work in the day can join.")
    second = Decision(meeting_id=meeting.id, position=2, created_by_id=organiser.id,
                      what="Papers will come in easy read a week before every meeting.")
    db.session.add_all([first, second])
    db.session.flush()
    today = now.astimezone(LONDON).date()
    db.session.add(Action(group_id=meeting.group_id, meeting_id=meeting.id, decision_id=first.id,
                          what="Set up the online meeting and send everyone the link",
                          owner="Meetings Coordinator", due_on=today + timedelta(days=21),
                          status=ActionStatus.NOT_STARTED, explanation="", created_by_id=organiser.id))


def _demo_messages(people, meetings, now):
    """The outbox (issue 16): a sent invitation, a queued reminder and a failed one-off message to people who
    take email, and one person who asked for no more reminders. Uses no random numbers."""
    from ..models import Message, MessageChannel, MessageKind, MessageOptOut, MessageStatus

    emailed = [p for p in people if p.email][:3]
    upcoming = min((m for m in meetings if m.starts_at > now), key=lambda m: m.starts_at)
    rows = (
        (MessageKind.INVITATION, MessageStatus.SENT, "Invitation: {title}", ""),
        (MessageKind.REMINDER, MessageStatus.QUEUED, "Reminder: {title} is tomorrow", ""),
        (MessageKind.ONE_OFF, MessageStatus.FAILED, "Change of room for {title}",
         "The mail server answered 550: No such mailbox"),
    )
    db.session.flush()
    for person, (kind, status, subject, failure) in zip(emailed, rows, strict=False):
        db.session.add(Message(
            person_id=person.id, meeting_id=upcoming.id, group_id=upcoming.group_id, kind=kind,
            channel=MessageChannel.EMAIL, to=person.email, language=person.language,
            format=person.information_format.value, subject=subject.format(title=upcoming.title),
            body=f"{upcoming.title}: {upcoming.purpose}", status=status,
            attempts=0 if status == MessageStatus.QUEUED else 1,
            next_attempt_at=now - timedelta(days=1), created_at=now - timedelta(days=1),
            sent_at=now - timedelta(days=1) if status == MessageStatus.SENT else None,
            provider_ref="demo-0001@example.invalid" if status == MessageStatus.SENT else "",
            failure=failure, dedupe_key=f"{kind.value}:m{upcoming.id}:p{person.id}"))
    if emailed:
        db.session.add(MessageOptOut(person_id=emailed[-1].id, kind=MessageKind.REMINDER))


def _demo_equality(rng, groups, now):
    """Equality forms as counts for each group over the last six months (about 60% of people skip a question
    now and then), and Halton population figures marked as made up for the demo."""
    from collections import Counter

    from ..insight.equality import ANSWERED, FORMS, QUESTIONS
    from ..models import EqualityCount, PopulationFigure

    for q in QUESTIONS:
        shares = [rng.randint(5, 60) for _ in q.values[:-1]]
        for value, share in zip(q.values[:-1], shares, strict=True):
            db.session.add(PopulationFigure(question=q.key, answer=value, percent_tenths=share * 900 // sum(shares),
                                            source="Made-up figures for the demonstration, not the census"))
    first = now.astimezone(ZoneInfo("Europe/London")).date().replace(day=1)
    for group in groups:
        tally = Counter()
        for back in range(6):
            month = (first - timedelta(days=31 * back)).replace(day=1)
            for _ in range(rng.randint(3, 14)):
                tally[(month, FORMS, ANSWERED)] += 1
                for q in QUESTIONS:
                    if rng.random() < 0.9:
                        tally[(month, q.key, rng.choice(q.values))] += 1
        db.session.add_all(EqualityCount(group=group, month=month, question=key, answer=value, count=n)
                           for (month, key, value), n in tally.items())


def _demo_benefits(people, now):
    """A benefits profile (issue 17): a carer who gets Carer's Allowance and agreed to take the payment, and
    someone on ESA (the higher permitted-work limit) who agreed to take less. The limits come from the
    migration's seed figures. Uses no random numbers."""
    from ..models import BenefitKind, PersonBenefit, RecognitionAgreement

    profiles = ((BenefitKind.CARERS_ALLOWANCE, "", RecognitionAgreement.TAKE_PAYMENT, ""),
                (BenefitKind.ESA, "Permitted work: higher limit", RecognitionAgreement.TAKE_LESS,
                 "A half-day fee at most each week."))
    db.session.flush()
    for person, (benefit, limit_name, agreed, note) in zip(people[3:], profiles, strict=False):
        person.benefits_consent_at, person.benefits_agreement, person.benefits_agreement_note = now, agreed, note
        db.session.add(PersonBenefit(person_id=person.id, benefit=benefit, limit_name=limit_name, recorded_at=now))


def _demo_through_someone(people):
    """People reached "through someone I know" get their letters at that person's address (at least one
    person is, the first who takes post if the random choices gave nobody that way)."""
    through = [p for p in people if p.contact_method == ContactMethod.THROUGH_SOMEONE]
    if not through:
        through = [p for p in people if p.contact_method == ContactMethod.POST][:1]
    for i, person in enumerate(through):
        person.contact_method = ContactMethod.THROUGH_SOMEONE
        person.contact_through = "Sue Mercer (support worker)" if i == 0 else "Their daughter"
        person.address = f"Flat {i + 2}, 14 Church Street, Widnes WA8 6PQ"


def _demo_agenda(meetings):
    """Today's meeting (the one door mode can be tried on) has a purpose in easy read and an agenda: its
    group's two planned suggestions, put there by triage as an organiser would, and an item the organisers
    added. Any other planned suggestion goes on its own meeting's agenda in the same way."""
    from ..insight import agenda, suggestions
    from ..models import User

    organiser = db.session.scalar(select(User).where(User.email == "demo.organiser@example.invalid"))
    meeting = meetings[TODAY_MEETING]
    meeting.purpose_easy = "We plan what the group will do next year.\nTell us what matters to you."
    planned = db.session.scalars(select(Suggestion).where(Suggestion.status == SuggestionStatus.PLANNED)
                                 .order_by(Suggestion.id)).all()
    ours = [s for s in planned if s.group_id == meeting.group_id][:2]
    for suggestion in planned:
        suggestions.triage(suggestion, SuggestionStatus.PLANNED, organiser,
                           planned_meeting_id=meeting.id if suggestion in ours else suggestion.planned_meeting_id)
    agenda.add(meeting, "Dates for next year's meetings", easy_read="We choose the days we meet next year.",
               by=organiser)


SUGGESTIONS = [("Buses to Whiston Hospital", "The 62 does not run on Sundays any more."),
               ("Easy read appointment letters", "I cannot read the letters the hospital sends."),
               ("Changing Places toilet in Widnes town centre", ""),
               ("Respite for carers in the school holidays", "I have not had a break since Easter."),
               ("Online meetings in the evening", "I work in the day."),
               ("How the co-production budget is spent", "")]
COMMENTS = ["The lift was broken so we moved rooms.", "I felt listened to.", "Too many long words.",
            "Good food and a friendly welcome.", "We ran out of time for the last item.", ""]


def _demo_report_quotes():
    """Three comments an organiser chose for the Charter report to quote: the first different ones given."""
    from ..models import ReportQuote

    db.session.flush()
    chosen: dict[str, int] = {}
    for response_id, text in db.session.execute(select(ChecklistResponse.id, ChecklistResponse.accessible_more)
                                                .order_by(ChecklistResponse.id)):
        if text and text not in chosen and len(chosen) < 3:
            chosen[text] = response_id
    db.session.add_all(ReportQuote(response_id=response_id, field_name="accessible_more")
                       for response_id in chosen.values())


def _demo_checklist_channels(rng, meetings, now):
    """How the demo answers arrived: most on the door tablet, some from personal links, the meeting's link
    and paper. The last past meeting of each group gets an open meeting link, as after a real meeting."""
    db.session.flush()
    past = [m for m in meetings if m.starts_at < now]
    for meeting in past:
        ids = db.session.scalars(select(ChecklistResponse.id).where(ChecklistResponse.meeting_id == meeting.id)
                                 .order_by(ChecklistResponse.id)).all()
        ways = [ChecklistChannel.PERSONAL, ChecklistChannel.PAPER, ChecklistChannel.MEETING_LINK]
        for response_id in rng.sample(ids, min(len(ids), rng.randint(1, 4))):
            db.session.get(ChecklistResponse, response_id).channel = rng.choice(ways)
    for group_id in {m.group_id for m in past}:
        latest = max((m for m in past if m.group_id == group_id), key=lambda m: m.starts_at)
        latest.feedback_token = secrets.token_urlsafe(24)


def _participation(rng, people, meetings, groups, now):
    """Support needs, suggestions and checklist answers, so every page has something to show."""
    for person in rng.sample(people, 10):
        db.session.add(AccessNeed(person=person, meeting=None, kind=rng.choice(list(NeedKind)[:8])))
    for meeting in meetings:
        for person in rng.sample(people, 3):
            kind = rng.choice([NeedKind.BSL, NeedKind.LARGE_PRINT, NeedKind.TRAVEL, NeedKind.FOOD, NeedKind.OTHER])
            detail = {NeedKind.FOOD: "Vegetarian", NeedKind.OTHER: "A chair with arms"}.get(kind, "")
            db.session.add(AccessNeed(person=person, meeting=meeting, kind=kind, detail=detail,
                                      arranged_at=now if meeting.starts_at < now else None))
    for i, (what, why) in enumerate(SUGGESTIONS):
        db.session.add(Suggestion(group=groups[i % 2], meeting=meetings[i], what=what, why=why,
                                  name="" if i % 3 else "Ioana", source="door" if i % 2 else "link",
                                  status=SuggestionStatus.NEW))
    for meeting in (m for m in meetings if m.starts_at < now):
        for _ in range(rng.randint(5, 9)):
            score = lambda: rng.choice([None, 2, 3, 4, 4, 5, 5])  # noqa: E731
            db.session.add(ChecklistResponse(
                meeting=meeting, responded_on=meeting.starts_at.astimezone(LONDON).date(),
                achieved=score(), feeling=score(), inclusive=score(), accessible=score(),
                accessible_more=rng.choice(COMMENTS),
                outcomes=rng.choice(["", "We agreed to write to the bus company."]),
                payment_clear=rng.choice(["yes", "yes", "not_sure", "no", None]),
                change=rng.choice(["", "Send the papers a week before.", "More breaks, please."]),
                here_as=rng.choice([*(a.value for a in HERE_AS), None])))
