"""The Charter report (issue 18): its figures against a small world built here, the small-number rule, a fixed
number of queries, who may see it, the choice form's errors, and the demo data."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import current_app, request
from sqlalchemy import func, insert, select
from wtforms import SelectChoice

from forms.report import CharterReportForm
from survey_app.insight import charter_report
from survey_app.insight.charter_report import parts, period_dates
from survey_app.models import (
    AccessNeed,
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ChecklistResponse,
    ContactMethod,
    Decision,
    Group,
    InformationFormat,
    Meeting,
    MeetingMode,
    MeetingNote,
    NeedArrangement,
    NeedKind,
    Person,
    PersonRole,
    PersonVoice,
    ReportQuote,
    Role,
    Suggestion,
    SuggestionStatus,
    TakingPart,
    Voice,
)
from survey_app.web.extensions import db
from tests.queries import count_queries

START, END = date(2026, 4, 1), date(2026, 6, 30)
TODAY = date(2026, 7, 15)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def people(n: int, prefix: str = "P") -> list[Person]:
    made = [Person(first_name=f"{prefix}{i}", last_name="Test", contact_method=ContactMethod.EMAIL,
                   information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE)
            for i in range(n)]
    db.session.add_all(made)
    db.session.flush()
    return made


def meeting(group: Group, day: date, title: str = "Meeting") -> Meeting:
    m = Meeting(group=group, title=title, starts_at=at(day), ends_at=at(day, 12), mode=MeetingMode.IN_PERSON)
    db.session.add(m)
    db.session.flush()
    return m


def came(m: Meeting, who: list[Person], way: TakingPart = TakingPart.ROOM) -> None:
    db.session.add_all(Attendance(meeting_id=m.id, person_id=p.id, status=AttendanceStatus.ATTENDED, took_part=way)
                       for p in who)


def answers(m: Meeting, values: list[int], payment: str = "yes") -> None:
    db.session.add_all(ChecklistResponse(meeting_id=m.id, responded_on=m.starts_at.date(), achieved=v, feeling=v,
                                         inclusive=v, accessible=v, payment_clear=payment) for v in values)


def section(report, key):
    return next(s for s in report.sections if s.key == key)


def figure(report, key, label):
    return next(f.value for f in section(report, key).figures if f.label == label)


def table(report, key, title):
    return {row[0]: row[1:] for row in next(t for t in section(report, key).tables if t.title == title).rows}


@pytest.fixture
def world(app, make_user):
    """A group with four meetings in the quarter (one before it), 12 people, needs, suggestions, actions."""
    organiser = make_user(Role.ORGANISER)
    group = Group(name="Carers Forum")
    other = Group(name="Other group")
    db.session.add_all([group, other])
    db.session.flush()
    before = meeting(group, date(2026, 3, 10), "Before")
    m1, m2, m3 = (meeting(group, date(2026, 4, 10)), meeting(group, date(2026, 5, 12)),
                  meeting(group, date(2026, 6, 9)))
    meeting(other, date(2026, 5, 1), "Other group's")
    regulars, newcomers = people(6, "R"), people(6, "N")
    came(before, regulars)
    came(m1, regulars + newcomers[:3])
    came(m2, regulars, TakingPart.ONLINE)
    came(m3, newcomers + regulars[:2])
    db.session.add_all(PersonVoice(person_id=p.id, voice=Voice.CARER) for p in regulars)
    db.session.add(PersonVoice(person_id=newcomers[0].id, voice=Voice.LIVING_ALONE))
    # 6 needs for m1, 5 arranged the day before
    needs = [AccessNeed(person_id=p.id, meeting_id=m1.id, kind=NeedKind.BSL) for p in regulars]
    db.session.add_all(needs)
    db.session.flush()
    db.session.add_all(NeedArrangement(need_id=n.id, meeting_id=m1.id, arranged_at=at(date(2026, 4, 9)),
                                       arranged_by_id=organiser.id) for n in needs[:5])
    answers(m1, [5, 5, 4, 4, 4, 3])
    answers(m2, [2, 2, 2, 2, 2, 2], payment="no")
    for i, status in enumerate([SuggestionStatus.PLANNED] * 6 + [SuggestionStatus.NOT_TAKEN_FORWARD] * 5
                               + [SuggestionStatus.NEW] * 2):
        db.session.add(Suggestion(group_id=group.id, what=f"Idea {i}", source="door", status=status,
                                  reason="Not ours to decide" if status is SuggestionStatus.NOT_TAKEN_FORWARD else "",
                                  created_at=at(date(2026, 4, 20))))
    for i in range(7):
        db.session.add(Action(group_id=group.id, what=f"Done {i}", owner="Council", created_by_id=organiser.id,
                              due_on=date(2026, 5, 30), status=ActionStatus.DONE,
                              status_changed_at=at(date(2026, 5, 20))))
    for i in range(6):
        db.session.add(Action(group_id=group.id, what=f"Late {i}", owner="Council", created_by_id=organiser.id,
                              due_on=date(2026, 5, 30), status=ActionStatus.IN_PROGRESS,
                              explanation="Waiting for the new leaflet" if i < 5 else ""))
    db.session.add_all(Decision(meeting_id=m.id, position=i, what="We agreed", created_by_id=organiser.id)
                       for m in (m1, m2, m3) for i in range(2))
    db.session.add_all(MeetingNote(meeting_id=m.id, text="What was said", written_by_id=organiser.id,
                                   updated_at=m.starts_at + timedelta(days=3)) for m in (m1, m2, m3))
    db.session.commit()
    return {"group": group, "other": other, "meetings": (m1, m2, m3), "organiser": organiser}


def build(group_id, starts_on=START, ends_on=END, **kwargs):
    with current_app.test_request_context():
        return charter_report.build(group_id, starts_on, ends_on, today=TODAY, **kwargs)


def test_figures_against_a_small_world(world):
    report = build(world["group"].id)
    assert report.title == "Charter report: Carers Forum"
    assert [s.key for s in report.sections] == ["who_took_part", "accessible", "a_say", "doing_what_we_said",
                                                "informed", "rewarded", "how_it_felt", "champions", "equality"]
    assert all(s.promise and s.easy for s in report.sections)
    # 3 meetings and no activity: the activities' 0 would give the meetings away only as 3, itself under 5
    assert figure(report, "who_took_part", "Meetings held") is None
    assert figure(report, "who_took_part", "People who took part") == 12
    assert figure(report, "who_took_part", "People who took part for the first time") == 6
    ways = next(c for c in section(report, "who_took_part").charts if c.title == "How people took part")
    assert dict(zip(ways.labels, ways.series["Times"])) == {"In the room": 17, "Online": 6, "By phone": None,
                                                            "Not recorded": None}
    assert [t.title for t in section(report, "who_took_part").tables] == [
        "The Charter's voices among the people who took part"]  # the chart's own table has the numbers
    voices = table(report, "who_took_part", "The Charter's voices among the people who took part")
    assert voices["A carer"] == [6] and voices["Living alone"] == [None]
    assert "On a secure ward" in section(report, "who_took_part").comments[0]
    assert figure(report, "accessible", "Support asked for") == 6
    # 5 arranged before the day and 1 not: the 5 would give the 1 away
    assert figure(report, "accessible", "Support arranged before the meeting") is None
    assert figure(report, "a_say", "Suggestions made") == 13
    assert figure(report, "a_say", "Planned for a meeting") == 6
    # 2 new and none covered are hidden; the 5 not taken forward would give the 2 away, so they are hidden too
    assert figure(report, "a_say", "New") is None and figure(report, "a_say", "Already covered") is None
    assert figure(report, "a_say", "Not taken forward") is None
    assert figure(report, "doing_what_we_said", "Actions due") == 13
    assert figure(report, "doing_what_we_said", "Done on time") == 7
    assert figure(report, "doing_what_we_said", "Late and not done yet") == 6
    assert figure(report, "doing_what_we_said", "Late actions with an explanation") is None  # 5 of 6: gives 1 away
    assert figure(report, "doing_what_we_said", "Decisions recorded") == 6
    rewarded = table(report, "rewarded", "Was everyone clear about payment or thanks?")
    assert rewarded == {"Yes": [6], "Not sure": [None], "No": [6]}
    felt = table(report, "how_it_felt", "The Co-production Checklist: average and spread of the answers")
    achieved = felt["What did we achieve or get done? / The meeting had purpose and the actions from it will "
                    "make a difference"]
    assert achieved[:2] == [12, "3.1"]  # (5+5+4+4+4+3+6*2) / 12
    trend = section(report, "how_it_felt").charts[0]
    assert trend.kind == "line" and trend.labels == ["Apr 2026", "May 2026"]
    assert trend.series["Did we get things done?"] == [4.2, 2.0]


def test_every_group_and_a_date_range(world):
    report = build(None)
    assert report.title == "Charter report: every group"
    assert figure(report, "who_took_part", "People who took part") == 12
    # first-timers count a person's first time at any group's meeting, here the same six
    assert figure(report, "who_took_part", "People who took part for the first time") == 6
    empty = build(world["other"].id, date(2030, 1, 1), date(2030, 1, 31))
    assert figure(empty, "who_took_part", "People who took part") is None


def test_a_group_of_three_shows_fewer_than_5_everywhere(app, world, client, login_as):
    small = Group(name="Tiny group")
    db.session.add(small)
    db.session.flush()
    trio = people(3, "T")
    m = meeting(small, date(2026, 5, 5), "Tiny meeting")
    came(m, trio)
    answers(m, [5, 4, 3])
    db.session.add(Suggestion(group_id=small.id, what="Buses", source="door", created_at=at(date(2026, 5, 5))))
    db.session.commit()
    report = build(small.id)
    numbers = []
    for s in report.sections:
        numbers += [f.value for f in s.figures]
        numbers += [v for t in s.tables for row in t.rows for v in row[1:] if not isinstance(v, str)]
        numbers += [v for c in s.charts for values in c.series.values() for v in values]
    assert numbers and all(v is None for v in numbers), numbers
    login_as(Role.ORGANISER)
    page = client.get("/reports/charter/report", query_string={"group": small.id, "period": "dates",
                                                               "date_from": "2026-04-01", "date_to": "2026-06-30"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Fewer than 5" in text
    assert "<td>3</td>" not in text and "<strong>3</strong>" not in text and ">3 (" not in text


def test_a_part_that_would_give_a_small_one_away_is_hidden():
    assert parts({"a": 10, "b": 7, "c": 2}) == {"a": 10, "b": None, "c": None}
    assert parts({"a": 10, "b": 0}) == {"a": 10, "b": None}  # zero is "fewer than 5", and gives nothing away
    assert parts({"a": 6, "b": 6}) == {"a": 6, "b": 6}


def test_subtraction_case_in_the_report(world, make_user):
    """The whole (actions due, 13) and the late ones with an explanation (5) would give away the one late
    action without: so the 5 is hidden too."""
    report = build(world["group"].id)
    late = 6
    assert figure(report, "doing_what_we_said", "Late and not done yet") == late
    assert figure(report, "doing_what_we_said", "Late actions with an explanation") is None


def test_chosen_comments_only_from_the_report_s_meetings(world):
    m1 = world["meetings"][0]
    response = ChecklistResponse(meeting_id=m1.id, responded_on=START, change="More breaks please",
                                 feeling_more="Not chosen")
    elsewhere = ChecklistResponse(meeting_id=db.session.scalar(select(Meeting.id).where(
        Meeting.group_id == world["other"].id)), responded_on=START, change="Not this group's")
    db.session.add_all([response, elsewhere])
    db.session.flush()
    db.session.add_all([ReportQuote(response_id=response.id, field_name="change"),
                        ReportQuote(response_id=elsewhere.id, field_name="change")])
    db.session.commit()
    assert section(build(world["group"].id), "how_it_felt").comments == ["More breaks please"]
    assert section(build(None), "how_it_felt").comments == ["More breaks please", "Not this group's"]


def _grow(group: Group, scale: int) -> None:
    """Many more people, meetings, attendances and answers, in bulk."""
    first = db.session.scalar(select(func.max(Person.id))) + 1
    db.session.execute(insert(Person), [{"first_name": f"B{i}", "last_name": "Bulk", "contact_method": "email",
                                         "information_format": "standard", "role": "carer", "search_name": ""}
                                        for i in range(scale)])
    meetings = [meeting(group, date(2026, 4, 2) + timedelta(days=i % 80), f"Bulk {i}") for i in range(scale // 10)]
    db.session.execute(insert(Attendance), [{"meeting_id": m.id, "person_id": first + (i * 7 + j) % scale,
                                             "status": "attended", "took_part": "room"}
                                            for i, m in enumerate(meetings) for j in range(10)])
    db.session.execute(insert(ChecklistResponse), [{"meeting_id": m.id, "responded_on": START, "achieved": 4,
                                                    "change": "", "channel": "door"}
                                                   for m in meetings for _ in range(3)])
    db.session.commit()


def test_query_count_does_not_grow(world, client, login_as):
    login_as(Role.ORGANISER)
    args = {"group": "all", "period": "dates", "date_from": "2026-04-01", "date_to": "2026-06-30"}
    with count_queries() as few:
        assert client.get("/reports/charter/report", query_string=args).status_code == 200
    _grow(world["group"], 600)
    with count_queries() as many:
        page = client.get("/reports/charter/report", query_string=args)
        assert page.status_code == 200
    assert many["n"] == few["n"], f"{few['n']} queries for a small world, {many['n']} for a larger one"
    with count_queries() as easy:
        assert client.get("/reports/charter/easy-read", query_string=args).status_code == 200
    assert easy["n"] == few["n"]


@pytest.mark.parametrize("path", ["/reports/charter", "/reports/charter/report?period=this_year&group=all",
                                  "/reports/charter/easy-read?period=this_year&group=all"])
def test_finance_gets_403(client, login_as, path):
    login_as(Role.FINANCE)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisers_and_admins_see_it_and_the_look_is_audited(world, client, login_as, role):
    user = login_as(role)
    page = client.get("/reports/charter/report", query_string={"group": world["group"].id, "period": "dates",
                                                               "date_from": "2026-04-01", "date_to": "2026-06-30"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Charter report: Carers Forum" in text and "<svg" in text
    assert text.count("<script") == 1 and 'src="/static/js/app.js"' in text  # the site's own, no charting library
    assert "We won&#39;t create false promises" in text or "We won't create false promises" in text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view-charter-report")).one()
    assert event.user_id == user.id and event.record_type == "Group" and event.record_id == str(world["group"].id)
    assert event.after == {"page": "report", "group_id": world["group"].id, "from": "2026-04-01", "to": "2026-06-30"}
    easy = client.get("/reports/charter/easy-read", query_string={"group": world["group"].id, "period": "dates",
                                                                  "date_from": "2026-04-01",
                                                                  "date_to": "2026-06-30"}).get_data(as_text=True)
    assert "We do what we say we will do. If we cannot, we tell you why." in easy and 'class="symbol"' in easy


def test_every_group_s_look_is_about_the_account(world, client, login_as):
    user = login_as(Role.ORGANISER)
    client.get("/reports/charter/easy-read", query_string={"group": "all", "period": "this_year"})
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view-charter-report")).one()
    assert (event.record_type, event.record_id, event.after["group_id"]) == ("User", str(user.id), None)
    assert event.after["page"] == "easy-read"


def test_the_choice_page(client, login_as, world):
    login_as(Role.ORGANISER)
    page = client.get("/reports/charter").get_data(as_text=True)
    assert "Carers Forum" in page and "Every group" in page and "This year (1 April to 31 March)" in page


CHOICES = (SelectChoice("all", "Every group"), SelectChoice("1", "Carers Forum"))


def _errors(app, args: dict, choices=CHOICES) -> dict:
    with app.test_request_context(query_string=args):
        form = CharterReportForm(request.args)
        form.group.choices = list(choices)
        form.validate()
        return {name: errors[0] for name, errors in form.errors.items()}


def test_the_form_s_errors(app):
    assert _errors(app, {"group": "all"}) == {"period": "Choose the period the report covers."}
    assert _errors(app, {"group": "9", "period": "this_year"}) == {"group": "Choose a group, or every group."}
    assert _errors(app, {"group": "all", "period": "dates"}) == {
        "date_from": "Enter the first day of the report.", "date_to": "Enter the last day of the report."}
    assert _errors(app, {"group": "all", "period": "dates", "date_from": "31 February 2026",
                         "date_to": "2026-03-01"}) == {
        "date_from": "Enter the first day as a real date, like 1 April 2026."}
    assert _errors(app, {"group": "all", "period": "dates", "date_from": "2026-05-01", "date_to": "2026-04-01"}) == {
        "date_to": "The last day must be the same as the first day or after it."}
    assert _errors(app, {"group": "1", "period": "last_quarter"}) == {}


def test_the_form_page_shows_errors(client, login_as):
    login_as(Role.ORGANISER)
    page = client.get("/reports/charter/report", query_string={"group": "all", "period": "dates"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<title>Error: Charter report" in text
    assert "Enter the first day of the report." in text


def test_periods_follow_the_council_s_april_to_march_year():
    assert period_dates("this_quarter", date(2026, 5, 20)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_dates("last_quarter", date(2026, 5, 20)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_dates("this_quarter", date(2027, 2, 1)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert period_dates("this_year", date(2027, 2, 1)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert period_dates("last_year", date(2026, 4, 1)) == (date(2025, 4, 1), date(2026, 3, 31))


def test_demo_data_renders(client, login_as, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    login_as(Role.ORGANISER)
    for path in ("/reports/charter/report", "/reports/charter/easy-read"):
        page = client.get(path, query_string={"group": "all", "period": "this_year"})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "Fewer than 5" in text
        assert ">None<" not in text and "None " not in text
    group_id = db.session.scalar(select(Group.id).order_by(Group.id))
    page = client.get("/reports/charter/report", query_string={"group": group_id, "period": "last_year"})
    assert page.status_code == 200
