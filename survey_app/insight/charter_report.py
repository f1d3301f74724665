"""The Charter report (issue 18): for a group (or every group) and a period, the evidence for each of the
Charter's promises, as a CharterReport (insight/report_model.py) that the page, the easy-read page, the PDF
and the workbook all show.

Counted by the database (GROUP BY), a fixed number of queries whatever the size of the data; nothing is
loaded per person. Small numbers are suppressed here, before anything renders them: a count under SMALL is
None ("Fewer than 5"), zeros too, and when a part of a whole is hidden, enough other parts are hidden that it
cannot be worked out by subtraction (results.hidden_groups, the checklist results' rule).
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, true

from forms.checklist import COMMENTS, PAYMENT, SCALE, SCALED, STEPS

from ..models import (
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Budget,
    ChecklistResponse,
    Decision,
    Group,
    LineStatus,
    Meeting,
    MeetingKind,
    MeetingNote,
    Message,
    MessageKind,
    MessageStatus,
    NeedArrangement,
    Organisation,
    Person,
    PersonVoice,
    RecognitionLine,
    ReportQuote,
    Suggestion,
    SuggestionStatus,
    SuggestionVote,
    TakingPart,
    User,
    Voice,
)
from ..models.base import LONDON
from ..money.recognition import MONEY_KINDS, tax_year_start
from ..web.extensions import db
from .equality import equality_section
from .report_model import SMALL, Chart, CharterReport, Figure, Section, Table
from .results import hidden_groups
from .support_plan import _plan_pairs


def shown(count: int | None) -> int | None:
    """A count as it may be shown: None (Fewer than 5) under SMALL, zero included."""
    return count if count is not None and count >= SMALL else None


def parts(counts: dict) -> dict:
    """The parts of one whole as they may be shown: each small part hidden, and as many more as needed that
    none can be worked out from the total (the results pages' rule)."""
    hidden = hidden_groups(counts, order=list(counts))
    return {key: None if key in hidden else n for key, n in counts.items()}


def _average(total: int, answered: int) -> float | None:
    """An average answer, only when enough people gave it."""
    return round(total / answered, 1) if answered >= SMALL else None


def _decimal(value: float | None) -> str | None:
    return None if value is None else format_decimal(value, "0.0")


class Scope:
    """The meetings the report covers: the group's (or every group's) that start in the period."""

    def __init__(self, group_id: int | None, starts_on: date, ends_on: date):
        self.group_id, self.starts_on, self.ends_on = group_id, starts_on, ends_on
        self.start = datetime.combine(starts_on, time(0), tzinfo=LONDON)
        self.end = datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=LONDON)
        where = [Meeting.starts_at >= self.start, Meeting.starts_at < self.end]
        if group_id is not None:
            where.append(Meeting.group_id == group_id)
        self.meeting_where = where
        self.meeting_ids = select(Meeting.id).where(*where)

    def group(self, column):
        """A condition on a group_id column: true for every group when the report is for all."""
        return column == self.group_id if self.group_id is not None else true()


# Who took part


def _attendance_by_organisation(scope: Scope) -> dict[int | None, dict]:
    """One pass over the attendances, added up by the database per person and then per organisation (None: no
    organisation): people who took part, first-timers, times taken part in each way. Whoever's first
    attended meeting of the group (or of any group) falls in the period is a first-timer."""
    in_period = Meeting.starts_at >= scope.start
    ways = {way: func.sum(case((and_(in_period, Attendance.took_part == way), 1), else_=0)).label(way.value)
            for way in TakingPart}
    # Grouped by person_id + 0, not person_id: offered the index on person_id, SQLite walks it and fetches every
    # attendance row out of order (0.7 s at 200,000 attendances under load); reading the table in order and
    # sorting is about twice as fast (bench/charter_report.py, target under 1 s).
    person = (Attendance.person_id + 0).label("person_id")
    per_person = (select(person, func.min(Meeting.starts_at).label("first"),
                         func.sum(case((in_period, 1), else_=0)).label("times"), *ways.values())
                  .join(Meeting, Meeting.id == Attendance.meeting_id)
                  .where(Attendance.status == AttendanceStatus.ATTENDED, Meeting.starts_at < scope.end,
                         scope.group(Meeting.group_id))
                  .group_by(person).subquery("per_person"))
    rows = db.session.execute(
        select(Person.organisation_id, func.count(),
               func.sum(case((per_person.c.first >= scope.start, 1), else_=0)), func.sum(per_person.c.times),
               *(func.sum(per_person.c[way.value]) for way in TakingPart))
        .select_from(per_person).join(Person, Person.id == per_person.c.person_id)
        .where(per_person.c.times > 0).group_by(Person.organisation_id)).all()
    return {org_id: {"people": int(people), "first": int(first or 0), "times": int(times or 0),
                     "ways": {way: int(n or 0) for way, n in zip(TakingPart, by_way)}}
            for org_id, people, first, times, *by_way in rows}


def _who_took_part(scope: Scope, by_organisation: dict[int | None, dict]) -> tuple[Section, int]:
    kinds = dict(db.session.execute(select(Meeting.kind, func.count()).where(*scope.meeting_where)
                                    .group_by(Meeting.kind)).all())
    meetings = kinds.get(MeetingKind.MEETING, 0)
    activities = sum(n for kind, n in kinds.items() if kind is not MeetingKind.MEETING)
    people = sum(org["people"] for org in by_organisation.values())
    first_timers = sum(org["first"] for org in by_organisation.values())
    times = sum(org["times"] for org in by_organisation.values())
    ways = {way: sum(org["ways"][way] for org in by_organisation.values()) for way in TakingPart}
    ways[None] = times - sum(ways.values())
    # EXISTS walks each recorded voice's person to their attendances by index: far cheaper than a second
    # pass over every attendance.
    came = (select(Attendance.id).join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Attendance.person_id == PersonVoice.person_id, Attendance.status == AttendanceStatus.ATTENDED,
                   *scope.meeting_where).exists())
    voices = dict(db.session.execute(select(PersonVoice.voice, func.count(func.distinct(PersonVoice.person_id)))
                                     .where(came).group_by(PersonVoice.voice)).all())

    newness = parts({"first": first_timers, "returning": people - first_timers})
    way_counts = ways
    way_shown = parts(way_counts)
    way_label = {**{way: str(way.label) for way in TakingPart}, None: _("Not recorded")}
    missing = [str(voice.label) for voice in Voice if not voices.get(voice)]
    section = Section(
        key="who_took_part", title=_("Who took part"),
        promise=_("We would like as many different voices as possible to be involved."),
        easy=_("We count who came to our meetings. We want many different people to have a say."),
        # Meetings are not people: a count of them under 5 is hidden by the report's rule, but nothing more
        # (their total is not shown, and no person can be picked out from how many meetings there were).
        figures=[Figure(_("Meetings held"), shown(meetings)),
                 Figure(_("Other activities held"), shown(activities)),
                 Figure(_("People who took part"), shown(people)),
                 Figure(_("People who took part for the first time"), newness["first"])],
        tables=[Table(_("The Charter's voices among the people who took part"), [_("Voice"), _("People")],
                      [[str(voice.label), shown(voices.get(voice, 0))] for voice in Voice])],
        charts=[Chart(_("How people took part"), [way_label[way] for way in way_counts],
                      {_("Times"): [way_shown[way] for way in way_counts]}, unit=_("times"))],
        comments=[_("Voices nobody who took part brought: %(voices)s.", voices=", ".join(missing))]
        if missing else [])
    return section, people


# Accessible meetings


def _scale_counts(column, scope: Scope) -> tuple[dict[int, int], int]:
    """(answer -> how many, total of the answers) for one checklist question over the period."""
    rows = db.session.execute(select(column, func.count()).join(Meeting, Meeting.id == ChecklistResponse.meeting_id)
                              .where(*scope.meeting_where, column.is_not(None)).group_by(column)).all()
    counts = {int(answer.value): 0 for answer in SCALE}
    for value, n in rows:
        if value in counts:
            counts[value] = n
    return counts, sum(value * n for value, n in counts.items())


def _scale_table(title: str, counts: dict[int, int]) -> Table:
    shown_counts = parts(counts)
    return Table(title, [_("Answer"), _("People")],
                 [[str(answer.label), shown_counts[int(answer.value)]] for answer in SCALE])


def _accessible(scope: Scope) -> Section:
    pairs = _plan_pairs(scope.meeting_ids)
    asked, early = db.session.execute(
        select(func.count(), func.sum(case((NeedArrangement.arranged_at < Meeting.starts_at, 1), else_=0)))
        .select_from(pairs).join(Meeting, Meeting.id == pairs.c.meeting_id)
        .outerjoin(NeedArrangement, and_(NeedArrangement.need_id == pairs.c.need_id,
                                         NeedArrangement.meeting_id == pairs.c.meeting_id))).one()
    asked, early = asked or 0, int(early or 0)
    split = parts({"early": early, "not": asked - early})
    counts, total = _scale_counts(ChecklistResponse.accessible, scope)
    answered = sum(counts.values())
    return Section(
        key="accessible", title=_("Accessible meetings"),
        promise=_("We will be clear about people's roles and ask what support they need to take part."),
        easy=_("We ask what help you need to take part. We get it ready before the meeting."),
        figures=[Figure(_("Support asked for"), shown(asked)),
                 Figure(_("Support arranged before the meeting"), split["early"]),
                 Figure(_("Answers to \"Was the meeting accessible for everyone?\""), shown(answered),
                        note=_("%(average)s out of 5 on average", average=_decimal(_average(total, answered)))
                        if _average(total, answered) is not None else "")],
        tables=[_scale_table(_("Was the meeting accessible for everyone?"), counts)],
        charts=[Chart(_("Was the meeting accessible for everyone?"), [str(a.label) for a in SCALE],
                      {_("People"): list(parts(counts).values())}, unit=_("people"))])


# A say in what is discussed


def _a_say(scope: Scope) -> Section:
    made = and_(scope.group(Suggestion.group_id), Suggestion.created_at >= scope.start,
                Suggestion.created_at < scope.end)
    statuses = dict(db.session.execute(select(Suggestion.status, func.count()).where(made)
                                       .group_by(Suggestion.status)).all())
    counts = {status: statuses.get(status, 0) for status in SuggestionStatus}
    votes = db.session.scalar(select(func.count()).select_from(SuggestionVote)
                              .join(Suggestion, Suggestion.id == SuggestionVote.suggestion_id).where(made)) or 0
    reasons = db.session.execute(
        select(Suggestion.reason, func.count()).where(made, Suggestion.status == SuggestionStatus.NOT_TAKEN_FORWARD)
        .group_by(Suggestion.reason).order_by(func.count().desc(), Suggestion.reason).limit(20)).all()
    by_status = parts(counts)
    total = sum(counts.values())
    return Section(
        key="a_say", title=_("A say in what is discussed"),
        promise=_("People can have a say in what gets discussed at meetings."),
        easy=_("You can tell us what you want to talk about. We say what happened to your idea."),
        figures=[Figure(_("Suggestions made"), shown(total)),
                 *(Figure(str(status.label), by_status[status]) for status in SuggestionStatus),
                 Figure(_("Votes for suggestions"), shown(votes))],
        tables=[Table(_("Suggestions"), [_("What happened"), _("Suggestions")],
                      [[str(status.label), by_status[status]] for status in SuggestionStatus]),
                # The reasons are the words shown to the public; the number beside each is suppressed too.
                Table(_("Reasons given for not taking a suggestion forward"), [_("Reason"), _("Suggestions")],
                      [[reason or _("No reason given"), shown(n)] for reason, n in reasons])],
        charts=[Chart(_("What happened to suggestions"), [str(status.label) for status in SuggestionStatus],
                      {_("Suggestions"): [by_status[status] for status in SuggestionStatus]},
                      unit=_("suggestions"))])


# Doing what we said


def _doing_what_we_said(scope: Scope, today: date) -> Section:
    due = and_(scope.group(Action.group_id), Action.due_on >= scope.starts_on, Action.due_on <= scope.ends_on)
    # Done on time: the status last changed (to done) on or before the day it was due (the UTC day).
    end_of_due = func.date(Action.status_changed_at) <= Action.due_on
    open_ = Action.status.in_((ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS))
    late = or_(and_(Action.status == ActionStatus.DONE, ~end_of_due), and_(open_, Action.due_on < today))
    explained = func.trim(Action.explanation) != ""
    row = db.session.execute(select(
        func.count(),
        func.sum(case((and_(Action.status == ActionStatus.DONE, end_of_due), 1), else_=0)),
        func.sum(case((and_(Action.status == ActionStatus.DONE, ~end_of_due), 1), else_=0)),
        func.sum(case((and_(open_, Action.due_on < today), 1), else_=0)),
        func.sum(case((and_(open_, Action.due_on >= today), 1), else_=0)),
        func.sum(case((Action.status == ActionStatus.NOT_GOING_AHEAD, 1), else_=0)),
        func.sum(case((and_(late, explained), 1), else_=0)),
        func.sum(case((and_(Action.status == ActionStatus.NOT_GOING_AHEAD, explained), 1), else_=0)),
    ).where(due)).one()
    total, on_time, done_late, overdue, not_yet, stopped, late_explained, stopped_explained = (int(v or 0)
                                                                                             for v in row)
    split = parts({"on_time": on_time, "done_late": done_late, "overdue": overdue, "not_yet": not_yet,
                   "stopped": stopped})
    late_split = parts({"explained": late_explained, "not": done_late + overdue - late_explained})
    stopped_split = parts({"explained": stopped_explained, "not": stopped - stopped_explained})
    reasons = db.session.execute(select(Action.what, Action.explanation).where(
        due, Action.status == ActionStatus.NOT_GOING_AHEAD, explained).order_by(Action.due_on, Action.id)
        .limit(20)).all()
    decisions = db.session.scalar(select(func.count()).select_from(Decision)
                                  .where(Decision.meeting_id.in_(scope.meeting_ids))) or 0
    labels = {"on_time": _("Done on time"), "done_late": _("Done late"), "overdue": _("Late and not done yet"),
              "not_yet": _("Not due yet"), "stopped": _("Not going ahead")}
    return Section(
        key="doing_what_we_said", title=_("Doing what we said"),
        promise=_("We won't create false promises but we will do the things we commit to."),
        easy=_("We do what we say we will do. If we cannot, we tell you why."),
        figures=[Figure(_("Actions due"), shown(total)),
                 *(Figure(labels[key], value) for key, value in split.items()),
                 Figure(_("Late actions with an explanation"), late_split["explained"]),
                 Figure(_("Actions not going ahead with the reason given"), stopped_split["explained"]),
                 Figure(_("Decisions recorded"), shown(decisions))],
        tables=[Table(_("Actions due in the period"), [_("How it went"), _("Actions")],
                      [[labels[key], value] for key, value in split.items()]),
                # Only shown when there are enough of them that no one action stands out as the only one.
                Table(_("Actions not going ahead, and why"), [_("Action"), _("Reason")],
                      [[what, why] for what, why in reasons] if stopped_split["explained"] is not None else [])],
        charts=[Chart(_("Actions due in the period"), list(labels.values()),
                      {_("Actions"): list(split.values())}, unit=_("actions"))])


# Keeping people informed


def _informed(scope: Scope) -> Section:
    # One row per meeting (never per person): when it started and when its notes were last saved.
    noted = db.session.execute(select(Meeting.starts_at, MeetingNote.updated_at)
                               .join(MeetingNote, MeetingNote.meeting_id == Meeting.id)
                               .where(*scope.meeting_where, func.trim(MeetingNote.text) != "")).all()
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(*scope.meeting_where)) or 0
    soon = {"week": 0, "fortnight": 0, "later": 0}
    days = []
    for starts_at, updated_at in noted:
        gap = max((updated_at - starts_at).days, 0)
        days.append(gap)
        soon["week" if gap <= 7 else "fortnight" if gap <= 14 else "later"] += 1
    soon_shown = parts(soon)
    notes_split = parts({"noted": len(noted), "not": held - len(noted)})
    average_days = round(sum(days) / len(days)) if len(days) >= SMALL else None
    sent = or_(Message.status == MessageStatus.SENT, Message.status == MessageStatus.PRINTED)
    when = func.coalesce(Message.sent_at, Message.created_at)
    about = (scope.group(Message.group_id) if scope.group_id is None
             else or_(Message.group_id == scope.group_id, Message.meeting_id.in_(
                 select(Meeting.id).where(Meeting.group_id == scope.group_id))))
    kinds = dict(db.session.execute(select(Message.kind, func.count())
                                    .where(sent, when >= scope.start, when < scope.end, about)
                                    .group_by(Message.kind)).all())
    kind_counts = parts({kind: kinds.get(kind, 0) for kind in MessageKind})
    labels = {"week": _("Within a week"), "fortnight": _("Within two weeks"), "later": _("Later")}
    return Section(
        key="informed", title=_("Keeping people informed"),
        promise=_("We'll keep notes and let people know what was said with actions and timelines."),
        easy=_("We write down what we talked about. We send it to you."),
        figures=[Figure(_("Meetings and activities with notes published"), notes_split["noted"],
                        note=_("of %(held)s held", held=held) if shown(held) is not None else ""),
                 Figure(_("Days from the meeting to its notes, on average"), average_days),
                 Figure(_("Messages sent"), shown(sum(kinds.values())))],
        tables=[Table(_("How soon notes were published"), [_("When"), _("Meetings")],
                      [[labels[key], value] for key, value in soon_shown.items()]),
                Table(_("Messages sent"), [_("Kind"), _("Messages")],
                      [[str(kind.label), value] for kind, value in kind_counts.items()])],
        charts=[Chart(_("How soon notes were published"), list(labels.values()),
                      {_("Meetings"): list(soon_shown.values())}, unit=_("meetings"))])


# Rewarded for their time


def _rewarded(scope: Scope, attended_people: int) -> Section:
    lines = and_(scope.group(RecognitionLine.group_id), RecognitionLine.activity_on >= scope.starts_on,
                 RecognitionLine.activity_on <= scope.ends_on)
    money = and_(lines, RecognitionLine.kind.in_(MONEY_KINDS), RecognitionLine.status == LineStatus.PAID)
    recognised, paid_people, paid_pence = db.session.execute(select(
        func.count(func.distinct(RecognitionLine.person_id)),
        func.count(func.distinct(case((money, RecognitionLine.person_id)))),
        func.coalesce(func.sum(case((money, RecognitionLine.amount_pence), else_=0)), 0),
    ).where(lines)).one()
    years = {tax_year_start(scope.starts_on), tax_year_start(scope.ends_on)}
    year = tax_year_start(scope.starts_on)
    while year < tax_year_start(scope.ends_on):
        year = date(year.year + 1, 4, 6)
        years.add(year)
    budget = db.session.scalar(select(func.coalesce(func.sum(Budget.amount_pence), 0))
                               .where(scope.group(Budget.group_id), Budget.year_starting.in_(years))) or 0
    payment = dict(db.session.execute(
        select(ChecklistResponse.payment_clear, func.count()).join(Meeting, Meeting.id == ChecklistResponse.meeting_id)
        .where(*scope.meeting_where, ChecklistResponse.payment_clear.is_not(None))
        .group_by(ChecklistResponse.payment_clear)).all())
    payment_shown = parts({answer.value: payment.get(answer.value, 0) for answer in PAYMENT})
    # Money paid to fewer than 5 people could tell one person's pay: hidden with them.
    paid_pounds = round(int(paid_pence) / 100) if shown(paid_people) is not None else None
    return Section(
        key="rewarded", title=_("Rewarded for their time"),
        promise=_("Everyone is heard, included and rewarded for their time."),
        easy=_("We thank people for their time. We pay people or give vouchers when we should."),
        figures=[Figure(_("People recognised for their time"), shown(recognised),
                        note=_("of %(people)s who took part", people=attended_people)
                        if shown(attended_people) is not None else ""),
                 Figure(_("People who took part"), shown(attended_people)),
                 Figure(_("Money paid, in pounds"), paid_pounds),
                 Figure(_("Budget for the tax years in the period, in pounds"), round(int(budget) / 100)
                        if budget else None, note="" if budget else _("No budget set"))],
        tables=[Table(_("Was everyone clear about payment or thanks?"), [_("Answer"), _("People")],
                      [[str(answer.label), payment_shown[answer.value]] for answer in PAYMENT])],
        charts=[Chart(_("Was everyone clear about payment or thanks?"), [str(a.label) for a in PAYMENT],
                      {_("People"): [payment_shown[a.value] for a in PAYMENT]}, unit=_("people"))])


# How it felt


def _how_it_felt(scope: Scope) -> Section:
    columns = []
    for question in SCALED:
        column = getattr(ChecklistResponse, question)
        columns += [func.coalesce(func.sum(column), 0), func.count(column)]
        columns += [func.sum(case((column == int(answer.value), 1), else_=0)) for answer in SCALE]
    # One row per meeting, added up into months here (months in SQL differ between SQLite and PostgreSQL).
    rows = db.session.execute(select(Meeting.starts_at, *columns)
                              .join(ChecklistResponse, ChecklistResponse.meeting_id == Meeting.id)
                              .where(*scope.meeting_where).group_by(Meeting.id, Meeting.starts_at)).all()
    width = 2 + len(SCALE)
    totals = {q: [0] * width for q in SCALED}
    months: dict[date, dict[str, list[int]]] = defaultdict(lambda: {q: [0, 0] for q in SCALED})
    for starts_at, *values in rows:
        month = starts_at.astimezone(LONDON).date().replace(day=1)
        for i, question in enumerate(SCALED):
            chunk = [int(v or 0) for v in values[i * width:(i + 1) * width]]
            totals[question] = [a + b for a, b in zip(totals[question], chunk)]
            months[month][question][0] += chunk[0]
            months[month][question][1] += chunk[1]
    table_rows = []
    for question in SCALED:
        total, answered, *counts = totals[question]
        spread = parts(dict(enumerate(counts)))
        table_rows.append([str(STEPS[question].charter), shown(answered), _decimal(_average(total, answered)),
                           *spread.values()])
    ordered = sorted(months)
    trend = {str(STEPS[q].question): [_average(*months[m][q]) for m in ordered] for q in SCALED}
    comments = _chosen_comments(scope)
    return Section(
        key="how_it_felt", title=_("How it felt"),
        promise=_("To help evaluate co-production we'll use a Co-production Checklist after each meeting "
                  "or activity."),
        easy=_("After each meeting we ask how it went. This is what people told us."),
        tables=[Table(_("The Co-production Checklist: average and spread of the answers"),
                      [_("Question"), _("People who answered"), _("Average (1 to 5)"),
                       *(str(answer.label) for answer in SCALE)], table_rows)],
        charts=[Chart(_("Average answer by month"), [format_date(m, "MMM yyyy") for m in ordered], trend,
                      kind="line", unit=_("out of 5"))],
        comments=comments)


def _chosen_comments(scope: Scope) -> list[str]:
    """The comments organisers chose to quote (ReportQuote, insight/report_quotes.py) from the report's meetings,
    sorted by their text so the order says nothing about who wrote them. One query."""
    rows = db.session.execute(select(ReportQuote.field_name, *(getattr(ChecklistResponse, name) for name in COMMENTS))
                              .join(ChecklistResponse, ChecklistResponse.id == ReportQuote.response_id)
                              .join(Meeting, Meeting.id == ChecklistResponse.meeting_id)
                              .where(*scope.meeting_where)).all()
    texts = {(dict(zip(COMMENTS, values)).get(field) or "").strip() for field, *values in rows}
    return sorted(texts - {""}, key=str.casefold)


# Champions


def _champions(scope: Scope, by_organisation: dict[int | None, dict]) -> Section:
    people = (select(func.count()).where(Person.organisation_id == Organisation.id, Person.is_champion,
                                         Person.erased_at.is_(None)).scalar_subquery())
    staff = (select(func.count()).where(User.organisation_id == Organisation.id, User.is_champion, User.active)
             .scalar_subquery())
    orgs = db.session.execute(select(Organisation.id, Organisation.name, people, staff)
                              .order_by(Organisation.name)).all()
    done = dict(db.session.execute(
        select(Action.owner_organisation_id, func.count())
        .where(scope.group(Action.group_id), Action.status == ActionStatus.DONE,
               Action.due_on >= scope.starts_on, Action.due_on <= scope.ends_on,
               Action.owner_organisation_id.is_not(None))
        .group_by(Action.owner_organisation_id)).all())
    none = {"people": 0, "times": 0}
    rows = [[name, shown(p + s), shown(by_organisation.get(org_id, none)["people"]),
             shown(by_organisation.get(org_id, none)["times"]), shown(done.get(org_id, 0))]
            for org_id, name, p, s in orgs if p + s]
    with_champion = sum(1 for _org_id, _name, p, s in orgs if p + s)
    return Section(
        key="champions", title=_("Champions"),
        promise=_("We'll think about how to develop the role of Co-production Champion in each partner "
                  "organisation."),
        easy=_("Each partner organisation has Champions. They help people work together."),
        figures=[Figure(_("Partner organisations with a Champion"), shown(with_champion),
                        note=_("of %(orgs)s", orgs=len(orgs)) if shown(len(orgs)) is not None else "")],
        tables=[Table(_("Each partner organisation's Champions and activity"),
                      [_("Organisation"), _("Champions"), _("Its people who took part"),
                       _("Times its people took part"), _("Its actions done")], rows)])


def _equality(scope: Scope) -> Section:
    return equality_section(scope.group_id, scope.starts_on, scope.ends_on)


def build(group_id: int | None, starts_on: date, ends_on: date, today: date | None = None) -> CharterReport:
    """The Charter report for one group (None: every group) and the days from `starts_on` to `ends_on`."""
    from ..models.base import london_today

    scope = Scope(group_id, starts_on, ends_on)
    if group_id is None:
        title = _("Charter report: every group")
    else:
        name = db.session.scalar(select(Group.name).where(Group.id == group_id))
        title = _("Charter report: %(group)s", group=name)
    by_organisation = _attendance_by_organisation(scope)
    who, people = _who_took_part(scope, by_organisation)
    sections = [who, _accessible(scope), _a_say(scope), _doing_what_we_said(scope, today or london_today()),
                _informed(scope), _rewarded(scope, people), _how_it_felt(scope),
                _champions(scope, by_organisation), _equality(scope)]
    return CharterReport(title=title, group_id=group_id, starts_on=starts_on, ends_on=ends_on, sections=sections)




def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_dates(choice: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period (forms/report.py PERIODS) in the council's year, which runs
    from 1 April to 31 March in quarters from April, July, October and January."""
    year_start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    quarter_start = _months_later(year_start, (today.month - 4) % 12 // 3 * 3)
    start = {"this_quarter": quarter_start, "last_quarter": _months_later(quarter_start, -3),
             "this_year": year_start, "last_year": _months_later(year_start, -12)}[choice]
    length = 3 if choice.endswith("quarter") else 12
    return start, _months_later(start, length) - timedelta(days=1)
