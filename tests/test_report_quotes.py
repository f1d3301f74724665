"""Choosing the checklist comments the Charter report quotes (issue 18): the tick list of a report's comments,
what a choice changes, its limits, who may make it, and that the report, its easy-read page, its PDF and its
workbook then quote exactly the ticked words."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from survey_app.insight.report_quotes import MOST_QUOTED, SHOWN
from survey_app.models import AuditEvent, ChecklistResponse, Group, ReportQuote, Role
from survey_app.web.extensions import db
from tests.test_charter_report import END, START, meeting

ARGS = {"group": "all", "period": "dates", "date_from": START.isoformat(), "date_to": END.isoformat()}
URL = "/reports/charter/comments"
REF_RE = re.compile(r'name="quote" value="([^"]+)"')


@pytest.fixture
def said(app, make_user):
    """A group with a meeting in the period (three comments) and one before it (one comment)."""
    make_user(Role.ORGANISER)
    group = Group(name="Carers Forum")
    db.session.add(group)
    db.session.flush()
    inside, before = meeting(group, date(2026, 5, 12), "May meeting"), meeting(group, date(2026, 3, 1), "March")
    db.session.add_all([
        ChecklistResponse(meeting_id=inside.id, responded_on=START, change="More breaks please",
                          feeling_more="I felt listened to"),
        ChecklistResponse(meeting_id=inside.id, responded_on=START, accessible_more="The lift was broken"),
        ChecklistResponse(meeting_id=before.id, responded_on=START, change="Before the period")])
    db.session.commit()
    return group


def more_comments(n: int) -> None:
    """n more comments at the meeting in the period."""
    inside = db.session.scalar(select(ChecklistResponse.meeting_id).where(ChecklistResponse.change != "")
                               .order_by(ChecklistResponse.id))
    db.session.add_all(ChecklistResponse(meeting_id=inside, responded_on=START, change=f"Comment {i}")
                       for i in range(n))
    db.session.commit()


def refs(page: str) -> dict[str, str]:
    """Each tick box's comment text -> its reference, read from the page."""
    found = {}
    for match in re.finditer(r'name="quote" value="([^"]+)"[^>]*>.*?<label[^>]*><bdi[^>]*>([^<]*)</bdi>', page,
                             re.S):
        found[match.group(2)] = match.group(1)
    return found


def test_the_page_lists_the_period_s_comments_under_opaque_references(said, client, login_as):
    login_as(Role.ORGANISER)
    page = client.get(URL, query_string=ARGS)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert set(refs(text)) == {"More breaks please", "I felt listened to", "The lift was broken"}
    ids = [str(i) for i in db.session.scalars(select(ChecklistResponse.id))]
    assert not any(ref in ids for ref in refs(text).values())  # never a response id
    assert "Before the period" not in text and "May meeting" in text
    assert "checked" not in text


def test_ticked_comments_are_quoted_everywhere_and_unticked_ones_dropped(said, client, login_as):
    login_as(Role.ORGANISER)
    shown = refs(client.get(URL, query_string=ARGS).get_data(as_text=True))
    saved = client.submit(f"{URL}?group=all&period=dates&date_from={START}&date_to={END}",
                          {"quote": [shown["More breaks please"], shown["The lift was broken"]]})
    assert saved.status_code == 302 and saved.location.endswith("#how_it_felt")
    assert "/reports/charter/report?" in saved.location
    report = client.get(saved.location).get_data(as_text=True)
    assert "More breaks please" in report and "The lift was broken" in report
    assert "I felt listened to" not in report
    easy = client.get("/reports/charter/easy-read", query_string=ARGS).get_data(as_text=True)
    assert "What people said:" in easy and "The lift was broken" in easy

    pdf = client.get("/reports/charter/pdf", query_string={"group": "", "from": START, "to": END})
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    pdf.close()
    assert "More breaks please" in text and "The lift was broken" in text and "I felt listened to" not in text
    book = client.get("/reports/charter/workbook", query_string={"group": "", "from": START, "to": END})
    cells = {c.value for ws in load_workbook(io.BytesIO(book.data)) for row in ws.iter_rows() for c in row}
    book.close()
    assert {"More breaks please", "The lift was broken"} <= cells and "I felt listened to" not in cells

    again = client.get(URL, query_string=ARGS).get_data(as_text=True)
    assert again.count("checked") == 2
    client.submit(f"{URL}?group=all&period=dates&date_from={START}&date_to={END}",
                  {"quote": [shown["I felt listened to"]]})
    assert db.session.scalars(select(ReportQuote.field_name)).all() == ["feeling_more"]


def test_the_same_choice_twice_changes_nothing_the_second_time(said, client, login_as):
    login_as(Role.ORGANISER)
    url = f"{URL}?group=all&period=dates&date_from={START}&date_to={END}"
    shown = refs(client.get(url).get_data(as_text=True))
    token = client.csrf_token(url)
    for _ in range(2):  # a double press: the same form sent twice
        assert client.post(url, data={"csrf_token": token, "quote": [shown["More breaks please"]]}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "choose-report-quotes")) == 1
    follow = client.get("/reports/charter/report", query_string=ARGS).get_data(as_text=True)
    assert follow.count("More breaks please") == 1


def test_a_reference_from_elsewhere_or_made_up_quotes_nothing(said, client, login_as):
    login_as(Role.ORGANISER)
    url = f"{URL}?group=all&period=dates&date_from={START}&date_to={END}"
    before_args = f"{URL}?group=all&period=dates&date_from=2026-03-01&date_to=2026-03-31"
    other = refs(client.get(before_args).get_data(as_text=True))["Before the period"]
    assert client.submit(url, {"quote": [other, "made-up", "1"]}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0


def test_more_than_the_most_is_refused_with_the_ticks_kept(said, client, login_as):
    login_as(Role.ORGANISER)
    more_comments(MOST_QUOTED)
    url = f"{URL}?group=all&period=dates&date_from={START}&date_to={END}"
    every = list(refs(client.get(url).get_data(as_text=True)).values())
    refused = client.submit(url, {"quote": every})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f"Choose no more than {MOST_QUOTED} comments, so the report stays short." in text
    assert text.count("checked") == len(every) == MOST_QUOTED + 3
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0


def test_a_long_list_says_there_are_more(said, client, login_as):
    login_as(Role.ORGANISER)
    more_comments(SHOWN)
    text = client.get(URL, query_string=ARGS).get_data(as_text=True)
    assert text.count('name="quote"') == SHOWN
    assert "Choose one group or a shorter period to see the rest." in text


def test_an_expired_form_keeps_the_ticks(said, client, login_as):
    login_as(Role.ORGANISER)
    url = f"{URL}?group=all&period=dates&date_from={START}&date_to={END}"
    shown = refs(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": "stale", "quote": [shown["The lift was broken"]]})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "press the button again" in text
    assert text.count("checked") == 1
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0


@pytest.mark.parametrize("role,status", [(Role.FINANCE, 403), (Role.ADMIN, 200)])
def test_who_may_choose(said, client, login_as, role, status):
    login_as(role)
    assert client.get(URL, query_string=ARGS).status_code == status


def test_no_comments_says_so_and_bad_dates_show_the_choice(said, client, login_as):
    login_as(Role.ORGANISER)
    empty = client.get(URL, query_string={**ARGS, "date_from": "2030-01-01", "date_to": "2030-01-31"})
    assert "Nobody wrote a comment on the checklist at this report's meetings." in empty.get_data(as_text=True)
    bad = client.get(URL, query_string={**ARGS, "date_from": "31 February"})
    assert bad.status_code == 200 and "Enter the first day as a real date" in bad.get_data(as_text=True)


def test_the_report_page_links_to_the_choice(said, client, login_as):
    login_as(Role.ORGANISER)
    text = client.get("/reports/charter/report", query_string=ARGS).get_data(as_text=True)
    assert "Choose comments to quote" in text and "/reports/charter/comments?" in text


def test_the_easy_read_page_says_what_people_said_only_for_chosen_comments(said, client, login_as):
    login_as(Role.ORGANISER)
    easy = client.get("/reports/charter/easy-read", query_string=ARGS).get_data(as_text=True)
    assert "What people said:" not in easy  # the note of missing voices is not something people said


def test_comments_are_listed_by_their_text_not_by_who_wrote_them(said, client, login_as):
    login_as(Role.ORGANISER)
    more_comments(1)  # a third person: "Comment 0", given last
    text = client.get(URL, query_string=ARGS).get_data(as_text=True)
    # One person wrote "More breaks please" and "I felt listened to"; others "The lift was broken", "Comment 0".
    assert list(refs(text)) == ["Comment 0", "I felt listened to", "More breaks please", "The lift was broken"]
