"""The Charter report (issue 18) read back against the demo data: the PDF and the workbook are downloaded over
HTTP, for every group and for one group, and their figures are checked against counts worked out here with
plain ORM queries and Python (never build() or its helpers), with the small-number rule applied by hand."""
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.models import (
    Action,
    Attendance,
    AttendanceStatus,
    ChecklistResponse,
    Decision,
    Group,
    Meeting,
    MeetingKind,
    Message,
    MessageStatus,
    RecognitionLine,
    Role,
    Suggestion,
    SuggestionVote,
)
from survey_app.models.base import london_today
from survey_app.web.extensions import db
from tests.test_report_exports import page_texts

LONDON = ZoneInfo("Europe/London")
FEWER = "Fewer than 5"
# The demo's meetings run from 14 weeks before the day it is loaded to 9 weeks after; this covers them all,
# the panel interview ten days ago, its suggestions, messages and actions (due up to 60 days ahead).
BEFORE, AFTER = 120, 90
SECTIONS = ["Who took part", "Accessible meetings", "A say in what is discussed", "Doing what we said",
            "Keeping people informed", "Rewarded for their time", "How it felt", "Champions"]
ACCESSIBLE = "Answers to \"Was the meeting accessible for everyone?\""
ACCESSIBLE_ROW = "Was the meeting/session accessible for everyone?"  # its row in How it felt's table
# Figures whose number is not a count of people or things: an average and sums of money (any size is fine).
NOT_COUNTS = {"Days from the meeting to its notes, on average", "Money paid, in pounds",
              "Budget for the tax years in the period, in pounds"}
NOT_COUNT_UNITS = {"out of 5", "%"}  # a chart's numbers that are averages or percentages, not counts


def local_day(moment):
    return moment.astimezone(LONDON).date()


def whole(n: int) -> int | None:
    return n if n >= 5 else None


def truth(group_id: int | None, starts_on, ends_on) -> tuple[dict, dict]:
    """(section, label) -> (true count, what the report should show: the count or None), and the accessible
    question's answers and average."""
    def ours(row_group_id):
        return group_id is None or row_group_id == group_id

    def in_period(day):
        return starts_on <= day <= ends_on

    meetings = [m for m in db.session.scalars(select(Meeting)) if ours(m.group_id) and in_period(local_day(m.starts_at))]
    ids = {m.id for m in meetings}
    held = {"meetings": sum(m.kind is MeetingKind.MEETING for m in meetings),
            "activities": sum(m.kind is not MeetingKind.MEETING for m in meetings)}
    people = {a.person_id for a in db.session.scalars(select(Attendance).where(
        Attendance.status == AttendanceStatus.ATTENDED)) if a.meeting_id in ids}
    accessible = [r.accessible for r in db.session.scalars(select(ChecklistResponse))
                  if r.meeting_id in ids and r.accessible is not None]
    suggestions = [s for s in db.session.scalars(select(Suggestion))
                   if ours(s.group_id) and in_period(local_day(s.created_at))]
    votes = sum(1 for v in db.session.scalars(select(SuggestionVote)) if v.suggestion_id in {s.id for s in suggestions})
    actions = [a for a in db.session.scalars(select(Action))
               if ours(a.group_id) and a.due_on is not None and in_period(a.due_on)]
    decisions = [d for d in db.session.scalars(select(Decision)) if d.meeting_id in ids]
    meeting_group = dict(db.session.execute(select(Meeting.id, Meeting.group_id)).all())
    messages = [m for m in db.session.scalars(select(Message))
                if m.status in (MessageStatus.SENT, MessageStatus.PRINTED)
                and in_period(local_day(m.sent_at or m.created_at))
                and (ours(m.group_id) or (m.meeting_id is not None and ours(meeting_group[m.meeting_id])))]
    recognised = {line.person_id for line in db.session.scalars(select(RecognitionLine))
                  if ours(line.group_id) and in_period(line.activity_on)}
    counts = {
        ("Who took part", "Meetings held"): (held["meetings"], whole(held["meetings"])),
        ("Who took part", "Other activities held"): (held["activities"], whole(held["activities"])),
        ("Who took part", "People who took part"): (len(people), whole(len(people))),
        ("Accessible meetings", ACCESSIBLE): (len(accessible), whole(len(accessible))),
        ("A say in what is discussed", "Suggestions made"): (len(suggestions), whole(len(suggestions))),
        ("A say in what is discussed", "Votes for suggestions"): (votes, whole(votes)),
        ("Doing what we said", "Actions due"): (len(actions), whole(len(actions))),
        ("Doing what we said", "Decisions recorded"): (len(decisions), whole(len(decisions))),
        ("Keeping people informed", "Messages sent"): (len(messages), whole(len(messages))),
        ("Rewarded for their time", "People recognised for their time"): (len(recognised), whole(len(recognised))),
        ("Rewarded for their time", "People who took part"): (len(people), whole(len(people))),
    }
    average = f"{sum(accessible) / len(accessible):.1f}" if len(accessible) >= 5 else None
    return counts, {"answered": len(accessible), "average": average}


def download(client, path: str, group_id: int | None, starts_on, ends_on) -> bytes:
    response = client.get(path, query_string={"group": "" if group_id is None else group_id,
                                              "from": starts_on.isoformat(), "to": ends_on.isoformat()})
    assert response.status_code == 200, path
    data = response.data
    response.close()  # a streamed download: close it, or its generator holds the request open
    return data


def pdf_sections(data: bytes) -> dict[str, str]:
    """Each section's text: from the page it starts on (the footer "Page N" is read first) to the next's."""
    pages = page_texts(data)
    starts = {title: next(i for i, text in enumerate(pages) if re.match(rf"Page \d+ {re.escape(title)}\b", text))
              for title in SECTIONS}
    order = sorted(starts.values()) + [len(pages)]
    return {title: " ".join(pages[start:order[order.index(start) + 1]]) for title, start in starts.items()}


def number(n: int) -> str:
    return f"{n:,}"  # as the report writes a count: 1,318


def beside(label: str, n: int) -> re.Pattern:
    """The label followed by that number and nothing more of a number (so 1 is not found in 12 or 1,318)."""
    return re.compile(rf"{re.escape(label)} {re.escape(number(n))}(?![\d,.])")


def rows_labelled(ws, label: str) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True) if row and row[0] == label]


def check_counts_in_pdf(sections: dict[str, str], counts: dict) -> None:
    for (section, label), (true, shown) in counts.items():
        text = sections[section]
        if shown is not None:
            assert beside(label, true).search(text), (section, label, true)
        else:
            assert f"{label} {FEWER}" in text, (section, label)
            assert not beside(label, true).search(text), (section, label, true)


def check_counts_in_workbook(wb, counts: dict) -> None:
    for (section, label), (true, shown) in counts.items():
        rows = rows_labelled(wb[section], label)
        assert rows, (section, label)
        # The figures come first on the sheet; a table or chart of the same name has its own rows below.
        assert rows[0][1] == (FEWER if shown is None else true), (section, label, rows[0])
        if shown is None:
            assert all(row[1] != true for row in rows[1:] if len(row) > 1), (section, label)


def count_cells(wb):
    """Every cell that holds a count, with where it is. A section's sheet (exports/charter_report_xlsx.py) has
    the figures first, one a row (label, number, note), up to the first empty row: the number is a count
    unless the figure is an average or money (NOT_COUNTS). Then blocks, each after an empty row: a title
    row, a heading row, and data rows whose first cell is text. A table's averages and percentages are text
    ("3.7", "33.3%") and only its counts are numbers; a chart's numbers are counts unless the chart's unit,
    the first cell of its heading row, is "out of 5" or "%". So a number in any of these places is a count."""
    for ws in wb.worksheets[1:]:
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        blank = next((i for i, row in enumerate(rows) if not any(v not in (None, "") for v in row)), len(rows))
        for i, row in enumerate(rows[:blank]):
            if row[0] not in NOT_COUNTS:
                yield ws.title, i + 2, row[0], row[1]
        block_unit, heading_at = None, blank + 2
        for i, row in enumerate(rows[blank:], start=blank):
            if not any(v not in (None, "") for v in row):
                block_unit, heading_at = None, i + 2  # the title follows, then the headings
                continue
            if i == heading_at:
                block_unit = row[0]
                continue
            if block_unit in NOT_COUNT_UNITS:
                continue
            for value in row[1:]:
                yield ws.title, i + 2, row[0], value


def check_suppressed_everywhere(wb) -> int:
    """No count of 0 to 4 on any sheet (zeros are shown as "Fewer than 5" too); returns how many counts there are."""
    cells = list(count_cells(wb))
    small = [cell for cell in cells if isinstance(cell[3], (int, float)) and not isinstance(cell[3], bool)
             and 0 <= cell[3] < 5]
    assert small == [], small
    return sum(isinstance(cell[3], int) for cell in cells)


@pytest.fixture
def demo(client, login_as, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    login_as(Role.ORGANISER)
    today = london_today()
    return today - timedelta(days=BEFORE), today + timedelta(days=AFTER)


@pytest.mark.parametrize("which", [None, 0, 1])  # every group, then each of the demo's two groups
def test_pdf_and_workbook_match_the_demo_data(client, demo, which):
    starts_on, ends_on = demo
    group_id = None if which is None else db.session.scalars(select(Group.id).order_by(Group.id)).all()[which]
    counts, accessible = truth(group_id, starts_on, ends_on)
    # The demo gives both kinds: figures of 5 or more, and small ones that must read "Fewer than 5".
    assert any(shown is not None for _true, shown in counts.values())
    assert any(0 < true < 5 and shown is None for true, shown in counts.values())

    sections = pdf_sections(download(client, "/reports/charter/pdf", group_id, starts_on, ends_on))
    check_counts_in_pdf(sections, counts)
    assert accessible["average"] is not None
    average = f"{accessible['average']} out of 5 on average"
    assert f"{ACCESSIBLE} {accessible['answered']} {average}" in sections["Accessible meetings"]
    assert f"{accessible['answered']} {accessible['average']}" in sections["How it felt"]
    every_page = " ".join(sections.values())
    assert not re.search(r"\bNone\b", every_page)

    wb = load_workbook(io.BytesIO(download(client, "/reports/charter/workbook", group_id, starts_on, ends_on)))
    assert wb.sheetnames[1:len(SECTIONS) + 1] == SECTIONS
    check_counts_in_workbook(wb, counts)
    assert rows_labelled(wb["Accessible meetings"], ACCESSIBLE)[0][1:3] == (accessible["answered"], average)
    assert rows_labelled(wb["How it felt"], ACCESSIBLE_ROW)[0][1:3] == (accessible["answered"], accessible["average"])
    assert check_suppressed_everywhere(wb) > 20  # and it looked at a good many counts
    assert not any(value == "None" for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for value in row)


def test_the_count_check_finds_a_small_number(client, demo):
    """The suppression check above can fail: a 3 written into a count cell is found."""
    starts_on, ends_on = demo
    wb = load_workbook(io.BytesIO(download(client, "/reports/charter/workbook", None, starts_on, ends_on)))
    check_suppressed_everywhere(wb)
    row = next(r for r in wb["Doing what we said"].iter_rows() if r[0].value == "Decisions recorded")
    row[1].value = 3
    with pytest.raises(AssertionError, match="Decisions recorded"):
        check_suppressed_everywhere(wb)
