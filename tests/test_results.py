"""Checklist results: exact counts, the fewer-than-5 rule, charts that match their tables, the Excel file,
who may see them, and pages whose number of queries does not grow with the answers."""
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from survey_app.insight import results as res
from survey_app.models import ChecklistResponse, Group, Meeting, MeetingMode, Role
from survey_app.web.charts import answer_chart, bar_chart, line_chart, stacked_chart
from survey_app.web.extensions import db
from tests.queries import count_queries

SCALE_WORDS = ["Not at all", "Not really", "A bit", "Mostly", "Yes, completely"]
QUESTIONS = {"achieved": "Did we get things done?", "feeling": "Did you feel welcome?",
             "inclusive": "Did everyone get a fair chance to take part?",
             "accessible": "Was the meeting easy for everyone to join in?",
             "payment_clear": "Did you know how we would thank you?"}
# The Charter's own words for the same questions, shown beside them for organisers.
CHARTER = {"achieved": "What did we achieve or get done? / The meeting had purpose and the actions from it will "
                       "make a difference",
           "feeling": "How did it feel to be part of the meeting or session? Was everyone welcomed, included, "
                      "and valued?",
           "inclusive": "Were we inclusive, did we respect everyone and the importance of their part in the work?",
           "accessible": "Was the meeting/session accessible for everyone?",
           "payment_clear": "Was everyone clear about/offered payment or thanks in some other way?"}
# (achieved, feeling, inclusive, accessible, payment_clear, here_as, comments)
SEVEN = [
    (5, 4, None, 2, "yes", "lived_experience", {"achieved_more": "Good plan", "change": '=HYPERLINK("x")'}),
    (4, 4, 5, None, "not_sure", "lived_experience", {"outcomes": "A bus leaflet"}),
    (4, 5, 5, 3, "yes", "lived_experience", {"change": "better biscuits"}),
    (None, 3, 4, 3, None, "lived_experience", {"feeling_more": "apples first"}),
    (2, 2, 3, 1, "no", "lived_experience", {"change": "Agenda sooner"}),
    (3, 4, 4, 4, "yes", "staff", {"change": "Start later"}),
    (1, None, 2, 5, "yes", None, {"achieved_more": "   "}),
]


def respond(meeting, achieved=None, feeling=None, inclusive=None, accessible=None, payment=None, here_as=None,
            comments=None):
    db.session.add(ChecklistResponse(meeting_id=meeting.id, responded_on=date(2026, 5, 1), achieved=achieved,
                                     feeling=feeling, inclusive=inclusive, accessible=accessible,
                                     payment_clear=payment, here_as=here_as, **(comments or {})))


def add_seven(meeting):
    for a, f, i, acc, pay, here, comments in SEVEN:
        respond(meeting, a, f, i, acc, pay, here, comments)
    db.session.commit()


def add_groups(meeting):
    """On top of the seven: staff 6, lived experience 5, carers 2, did not say 3 (other 0)."""
    add_seven(meeting)
    for n in range(5):
        respond(meeting, achieved=5, feeling=5, payment="yes", here_as="staff",
                comments={"change": f"Staff note {n}"})
    for _ in range(2):
        respond(meeting, achieved=1, payment="no", here_as="carer", comments={"change": "Carer secret"})
    for _ in range(2):
        respond(meeting, achieved=3, here_as=None)
    db.session.commit()


def new_meeting(group, title, days_ago):
    start = datetime(2026, 6, 1, 10, tzinfo=UTC) - timedelta(days=days_ago)
    meeting = Meeting(group=group, title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                      mode=MeetingMode.IN_PERSON)
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def organiser(client, login_as):
    login_as(Role.ORGANISER)
    return client


# The domain: counts, averages, comments


def test_exact_counts_averages_and_comments(app, sample):
    meeting = sample["meeting"]
    add_seven(meeting)
    other = new_meeting(sample["group"], "Another meeting", 3)
    respond(other, achieved=1, feeling=1, comments={"change": "Not this meeting"})
    db.session.commit()

    r = res.meeting_results(meeting.id)
    assert r.count == 7 and not r.hidden
    assert r.scales["achieved"] == res.ScaleTally((1, 1, 1, 2, 1), 1)
    assert r.scales["feeling"] == res.ScaleTally((0, 1, 1, 3, 1), 1)
    assert r.scales["inclusive"] == res.ScaleTally((0, 1, 1, 2, 2), 1)
    assert r.scales["accessible"] == res.ScaleTally((1, 1, 2, 1, 1), 1)
    assert r.scales["achieved"].average == pytest.approx(19 / 6)
    assert r.scales["feeling"].average == pytest.approx(22 / 6)
    assert r.scales["inclusive"].average == pytest.approx(23 / 6)
    assert r.scales["accessible"].average == pytest.approx(3.0)
    assert r.payment == res.PaymentTally(yes=4, not_sure=1, no=1, skipped=1)
    assert r.comments == {"achieved_more": ["Good plan"], "outcomes": ["A bus leaflet"],
                          "feeling_more": ["apples first"], "inclusive_more": [], "accessible_more": [],
                          # by their text, not by when they were given; a blank one is no comment
                          "change": ['=HYPERLINK("x")', "Agenda sooner", "better biscuits", "Start later"]}


def test_a_meeting_without_answers(app, sample):
    r = res.meeting_results(sample["meeting"].id)
    assert r.count == 0 and r.scales["achieved"].average is None and r.payment.answered == 0
    assert all(group.hidden for group in res.split_by_here_as(sample["meeting"].id).groups)


@pytest.mark.parametrize("counts,hidden", [
    # the small groups only: together they are 5, so subtracting gives nobody away
    ({"lived_experience": 5, "staff": 6, "carer": 2, "other": 0, "not_said": 3},
     {"carer": res.TOO_FEW, "other": res.TOO_FEW, "not_said": res.TOO_FEW}),
    # one member of staff among ten: showing the ten would give the one away by subtraction
    ({"lived_experience": 10, "staff": 1, "carer": 0, "other": 0, "not_said": 0},
     {"staff": res.TOO_FEW, "carer": res.TOO_FEW, "other": res.TOO_FEW, "not_said": res.TOO_FEW,
      "lived_experience": res.PROTECTS_SMALLER}),
    # the smallest shown group goes too, and that is enough
    ({"lived_experience": 5, "staff": 6, "carer": 0, "other": 0, "not_said": 1},
     {"carer": res.TOO_FEW, "other": res.TOO_FEW, "not_said": res.TOO_FEW, "lived_experience": res.PROTECTS_SMALLER}),
    # everyone in one group: nothing to give away
    ({"lived_experience": 12, "staff": 0, "carer": 0, "other": 0, "not_said": 0},
     {"staff": res.TOO_FEW, "carer": res.TOO_FEW, "other": res.TOO_FEW, "not_said": res.TOO_FEW}),
])
def test_which_groups_are_hidden(counts, hidden):
    assert res.hidden_groups(counts) == hidden


def test_split_and_filter_keep_small_groups_hidden(app, sample):
    meeting = sample["meeting"]
    add_groups(meeting)
    split = res.split_by_here_as(meeting.id)
    by_key = {g.key: g for g in split.groups}
    assert [g.key for g in split.groups] == ["lived_experience", "carer", "staff", "other", "not_said"]
    assert by_key["lived_experience"].tally.count == 5 and by_key["staff"].tally.count == 6
    assert by_key["lived_experience"].tally.scales["achieved"] == res.ScaleTally((0, 1, 0, 2, 1), 1)
    assert by_key["staff"].tally.scales["achieved"] == res.ScaleTally((0, 0, 1, 0, 5), 0)
    assert by_key["staff"].tally.payment == res.PaymentTally(yes=6)
    for key in ("carer", "other", "not_said"):
        assert by_key[key].hidden_because == res.TOO_FEW and by_key[key].tally is None
    assert [t for _, t in split.scale("feeling")][1] is None

    carers = res.meeting_results(meeting.id, "carer")
    assert carers.hidden and carers.count is None and not any(carers.comments.values())
    assert carers.scales["achieved"].answered == 0
    staff = res.meeting_results(meeting.id, "staff")
    assert staff.count == 6 and staff.comments["change"] == ["Staff note 0", "Staff note 1", "Staff note 2",
                                                               "Staff note 3", "Staff note 4", "Start later"]
    assert res.meeting_results(meeting.id).count == 16
    with pytest.raises(ValueError):
        res.meeting_results(meeting.id, "nobody")


# The pages


def _section(page: str, key: str) -> str:
    match = re.search(rf'<section class="results-question" aria-labelledby="q-{key}">(.*?)</section>', page, re.S)
    assert match, f"no section for {key}"
    return match.group(1)


def _table_counts(section: str, words) -> list[int]:
    return [int(re.search(rf'<th scope="row">{re.escape(word)}</th><td class="num">(\d+)</td>', section).group(1))
            for word in words]


def _svg_counts(section: str, words) -> list[int]:
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return [int(texts[texts.index(word) + 1].split()[0]) for word in words]


def test_meeting_page_charts_match_their_tables(organiser, sample):
    meeting = sample["meeting"]
    add_seven(meeting)
    response = organiser.get(f"/meetings/{meeting.id}/results")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Responses: 7" in page and "style=" not in page
    r = res.meeting_results(meeting.id)
    for key in res.SCALED:
        section = _section(page, key)
        label = re.search(r'<svg[^>]*role="img" aria-label="([^"]+)"', section).group(1)
        assert html.unescape(label) == f'Bar chart of how many people gave each answer to "{QUESTIONS[key]}"'
        assert _table_counts(section, SCALE_WORDS) == list(r.scales[key].counts)
        assert _svg_counts(section, SCALE_WORDS) == list(r.scales[key].counts)
        assert _table_counts(section, ["Skipped"]) == [1]
    assert "Average answer: 3.2 out of 5, from 6 answers." in _section(page, "achieved")
    section = _section(page, "payment")
    assert QUESTIONS["payment_clear"] in section
    assert _table_counts(section, ["Yes", "Not sure", "No", "Skipped"]) == [4, 1, 1, 1]
    assert _svg_counts(section, ["Yes", "Not sure", "No"]) == [4, 1, 1]
    assert "apples first" in page and "A bus leaflet" in page and "=HYPERLINK(&#34;x&#34;)" in page


def _charter_words(section: str) -> str:
    match = re.search(r'<p class="charter-words"><strong>The Charter\'s words:</strong> <q>([^<]+)</q></p>',
                      html.unescape(section))
    assert match, "no Charter words"
    return match.group(1)


def test_results_pages_show_the_charters_words_beside_the_easy_read_question(organiser, sample):
    meeting = sample["meeting"]
    add_groups(meeting)
    pages = [organiser.get(f"/meetings/{meeting.id}/results").get_data(as_text=True),
             organiser.get(f"/meetings/{meeting.id}/results?view=split").get_data(as_text=True),
             organiser.get(f"/groups/{meeting.group_id}/results").get_data(as_text=True)]
    for page in pages:
        for key in (*res.SCALED, "payment_clear"):
            section = _section(page, "payment" if key == "payment_clear" else key)
            heading = re.search(r"<h2[^>]*>([^<]+)</h2>", section).group(1)
            assert html.unescape(heading) == QUESTIONS[key]
            assert _charter_words(section) == CHARTER[key]
    comments = pages[0].split('id="comments"')[1]
    assert "What do we need to change for next time?" in comments  # the comments' questions too


def test_filter_and_split_pages_say_fewer_than_5(organiser, sample):
    meeting = sample["meeting"]
    add_groups(meeting)
    page = organiser.get(f"/meetings/{meeting.id}/results?here_as=carer").get_data(as_text=True)
    assert 'Fewer than 5 people are in the group "Carers"' in html.unescape(page)
    assert "<svg" not in page and "Carer secret" not in page
    page = organiser.get(f"/meetings/{meeting.id}/results?here_as=staff").get_data(as_text=True)
    assert 'Responses from the group "Staff": 6' in html.unescape(page) and "Staff note 3" in page
    assert "Carer secret" not in page
    page = organiser.get(f"/meetings/{meeting.id}/results?here_as=nonsense").get_data(as_text=True)
    assert "Responses: 16" in page  # an unknown group shows everyone

    page = organiser.get(f"/meetings/{meeting.id}/results?view=split").get_data(as_text=True)
    section = _section(page, "achieved")
    assert 'aria-label="Bar chart comparing the answers to &#34;Did we get things done?&#34; from each group"' in section
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>\s*(.*?)</tr>', section, re.S))
    assert re.findall(r"\d+|Fewer than 5", rows["Staff"])[:5] == ["0", "0", "1", "0", "5"]
    for name in ("Carers", "Something else", "Did not say"):
        assert re.sub(r"<[^>]+>|\s+", " ", rows[name]).strip() == "Fewer than 5"
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    assert svg.count(">Fewer than 5</text>") == 3
    assert "Carer secret" not in page and "style=" not in page


def test_split_page_when_one_person_would_be_given_away(organiser, sample):
    meeting = sample["meeting"]
    add_seven(meeting)  # lived experience 5, staff 1, did not say 1
    page = organiser.get(f"/meetings/{meeting.id}/results?view=split").get_data(as_text=True)
    assert "Hidden to protect a smaller group" in page and "No group can be shown on its own" in page
    page = organiser.get(f"/meetings/{meeting.id}/results?here_as=lived_experience").get_data(as_text=True)
    assert "would give away the answers of a group of fewer than 5 people" in page and "<svg" not in page


def test_excel_download(organiser, sample):
    meeting = sample["meeting"]
    add_groups(meeting)
    response = organiser.get(f"/meetings/{meeting.id}/results/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="checklist-results-{meeting.id}-')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", 'By "here as"', "Comments", "The questions"]

    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert summary[0] == ["Question", "Answer", "Number of people"]
    achieved = [row[2] for row in summary if row[0] == QUESTIONS["achieved"]][:6]
    assert achieved == [3, 1, 3, 2, 6, 1] and all(type(n) is int for n in achieved)
    assert [row[1:] for row in summary if row[0] == QUESTIONS["payment_clear"]] == [
        ["Yes", 9], ["Not sure", 1], ["No", 3], ["Skipped", 3]]
    average = [row for row in summary if row[0] == QUESTIONS["achieved"] and row[1] is None][0][2]
    assert average == pytest.approx(round((19 + 25 + 2 + 6) / 15, 2))
    assert ["Responses", None, 16] in summary

    split = book['By "here as"']
    header = [c.value for c in split[1]]
    assert header == ["Question", "Answer", "Lived experience", "Carers", "Staff", "Something else", "Did not say"]
    rows = [[c.value for c in row] for row in split.iter_rows(min_row=2)]
    assert rows[0] == ["Responses", None, 5, "Fewer than 5", 6, "Fewer than 5", "Fewer than 5"]
    table = [row for row in rows if row[0] in QUESTIONS.values() and row[1] is not None]
    assert len(table) == 4 * 6 + 4
    for row in table:
        assert row[3] == row[5] == row[6] == "Fewer than 5"
        assert type(row[2]) is int and type(row[4]) is int
    assert [row[4] for row in table if row[0] == QUESTIONS["achieved"]] == [0, 0, 1, 0, 5, 0]
    averages = [row for row in rows if row[0] == QUESTIONS["achieved"] and row[1] is None]
    assert averages[0][3] == "Fewer than 5" and averages[0][4] == pytest.approx(4.67)

    comments = book["Comments"]
    cells = {c.value: c for c in comments["B"][1:]}
    assert "Carer secret" in cells and "Good plan" in cells
    formula = cells['=HYPERLINK("x")']  # exactly as typed
    assert formula.data_type == "s" and formula.quotePrefix  # text, never a formula
    assert [c.value for c in comments[1]] == ["Question", "Comment"]

    # Every question as the tablet asks it, beside the Charter's own words, on the same row.
    wordings = [[c.value for c in row] for row in book["The questions"].iter_rows()]
    assert wordings[0] == ["Number", "Question on the tablet", "Hint on the tablet", "The Charter's words"]
    by_question = {row[1]: row for row in wordings[1:9]}
    for key, question in QUESTIONS.items():
        assert by_question[question][3] == CHARTER[key]
    assert [row[0] for row in wordings[1:9]] == [*(f"Question {n} of 7" for n in range(1, 8)), "About you"]
    assert wordings[8][1] == "I am here as..." and wordings[8][3].startswith("Not a Charter question")
    assert wordings[2][1:] == [
        "What came out of the meeting?", "Tell us what we decided together. Tell us if it was worth it for everyone.",
        "What are the outcomes from the meeting or session? Was the meeting worthwhile for everyone? What joint "
        "decisions were made?"]


@pytest.mark.parametrize("url", ["/meetings/{meeting}/results", "/meetings/{meeting}/results?view=split",
                                 "/meetings/{meeting}/results/download", "/groups/{group}/results"])
@pytest.mark.parametrize("role,status", [(None, 302), (Role.FINANCE, 403), (Role.ORGANISER, 200), (Role.ADMIN, 200)])
def test_who_may_see_results(client, login_as, sample, url, role, status):
    add_seven(sample["meeting"])
    if role:
        login_as(role)
    response = client.get(url.format(meeting=sample["meeting"].id, group=sample["group"].id))
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


def test_missing_meeting_or_group_is_not_found(organiser):
    assert organiser.get("/meetings/999/results").status_code == 404
    assert organiser.get("/meetings/999/results/download").status_code == 404
    assert organiser.get("/groups/999/results").status_code == 404


# A group over time


def test_group_trend_oldest_first(app, sample):
    group = sample["group"]
    old, middle, newest = (new_meeting(group, t, d) for t, d in (("Old", 60), ("Middle", 30), ("Newest", 1)))
    new_meeting(group, "Nobody answered", 10)
    elsewhere = new_meeting(Group(name="Another group"), "Elsewhere", 5)
    for a, pay in ((2, "yes"), (4, "no"), (None, None)):
        respond(old, achieved=a, feeling=3, payment=pay)
    for a in (5, 5):
        respond(middle, achieved=a, payment="not_sure")
    respond(newest, achieved=1, payment="yes")
    respond(elsewhere, achieved=5)
    db.session.commit()

    points = res.group_trend(group.id)
    assert [p.meeting.title for p in points] == ["Old", "Middle", "Newest"]
    assert [p.count for p in points] == [3, 2, 1]
    assert [p.averages["achieved"] for p in points] == [3.0, 5.0, 1.0]
    assert [p.answered["achieved"] for p in points] == [2, 2, 1]
    assert [p.averages["feeling"] for p in points] == [3.0, None, None]
    assert [p.payment_clear_percent for p in points] == [50.0, 0.0, 100.0]
    assert [p.payment_answered for p in points] == [2, 2, 1]
    assert [p.meeting.title for p in res.group_trend(group.id, limit=2)] == ["Middle", "Newest"]


def test_group_page_has_a_chart_and_table_per_question(organiser, sample):
    group = sample["group"]
    page = organiser.get(f"/groups/{group.id}/results").get_data(as_text=True)
    assert "Nobody has answered the checklist for any meeting of this group yet." in page
    first, second = new_meeting(group, "First", 20), new_meeting(group, "Second", 2)
    respond(first, achieved=4, payment="yes")
    respond(first, achieved=5, payment="no")
    respond(second, achieved=2, payment="yes")
    db.session.commit()
    page = organiser.get(f"/groups/{group.id}/results").get_data(as_text=True)
    for key in (*res.SCALED, "payment"):
        section = _section(page, key)
        assert section.count("<svg") == 1 and section.count("<table") == 1
    section = _section(page, "achieved")
    assert ('aria-label="Line chart of the average answer to &#34;Did we get things done?&#34; at each meeting, '
            'from 1 (the lowest) to 5 (the highest)"') in section
    assert ">4.5</text>" in section and ">2.0</text>" in section and section.count("<circle") == 2
    assert '<td class="num">4.5</td>' in section and '<td class="num">2.0</td>' in section
    section = _section(page, "payment")
    assert ">50%</text>" in section and ">100%</text>" in section and '<td class="num">50%</td>' in section
    assert "style=" not in page


# No N+1


def _bulk_answers(meeting_ids, n, here_as=("lived_experience", "staff", "carer", None, "other")):
    rows = [{"meeting_id": meeting_ids[i % len(meeting_ids)], "responded_on": date(2026, 5, 1),
             "achieved": 1 + i % 5, "feeling": 1 + (i * 3) % 5, "inclusive": None if i % 7 == 0 else 1 + i % 5,
             "accessible": 1 + (i * 2) % 5, "payment_clear": ("yes", "no", "not_sure", None)[i % 4],
             "here_as": here_as[i % len(here_as)],
             "change": f"Comment {i}" if i % 3 == 0 else "", "achieved_more": f"More {i}" if i % 4 == 0 else ""}
            for i in range(n)]
    db.session.execute(insert(ChecklistResponse), rows)
    db.session.commit()


@pytest.mark.parametrize("query", ["", "?here_as=staff", "?view=split"])
def test_meeting_results_queries_do_not_grow(organiser, sample, query):
    meeting = sample["meeting"]
    url = f"/meetings/{meeting.id}/results{query}"
    _bulk_answers([meeting.id], 10, here_as=("staff",))  # a group big enough to show, from the start
    organiser.get(url)
    with count_queries() as few:
        assert organiser.get(url).status_code == 200
    _bulk_answers([meeting.id], 990)
    with count_queries() as many:
        page = organiser.get(url)
        assert page.status_code == 200
    assert many["n"] == few["n"], f"{url}: {few['n']} queries with 10 answers, {many['n']} with 1,000"
    if not query:
        assert "Comment 987" in page.get_data(as_text=True)


def test_group_trend_queries_do_not_grow(organiser, sample):
    group = sample["group"]
    url = f"/groups/{group.id}/results"
    meetings = [new_meeting(group, f"Meeting {i}", 3 * i + 1) for i in range(3)]
    _bulk_answers([m.id for m in meetings], 30)
    organiser.get(url)
    with count_queries() as few:
        assert organiser.get(url).status_code == 200
    meetings = [new_meeting(group, f"Later {i}", 100 + i) for i in range(27)]
    _bulk_answers([m.id for m in meetings], 1000)
    with count_queries() as many:
        page = organiser.get(url).get_data(as_text=True)
    assert many["n"] == few["n"], f"{few['n']} queries for 3 meetings, {many['n']} for 30"
    assert page.count("<circle") == 12 * 5  # the last 12 meetings, on five charts


# The charts themselves


def test_charts_are_labelled_images_with_their_numbers_written_on():
    chart = answer_chart([("Yes", 3), ("No", 1)], 'Answers to "Was it good?"')
    assert 'role="img" aria-label="Answers to &#34;Was it good?&#34;"' in chart
    assert ">3 (75%)</text>" in chart and ">1 (25%)</text>" in chart and "style=" not in chart
    stacked = stacked_chart([("Staff", [1, 0, 2, 0, 5], ""), ("Carers", None, "Fewer than 5")],
                            SCALE_WORDS, "Comparison")
    assert ">Fewer than 5</text>" in stacked and ">5</text>" in stacked and ">Mostly</text>" in stacked
    line = line_chart([("1 May\n2026", 4.0), ("2 May\n2026", None), ("3 May\n2026", 2.5)], "Trend", 1, 5)
    assert "<polyline" not in line  # nothing to join across a gap
    assert line.count("<circle") == 2 and ">2026</text>" in line
    assert 'aria-label="Money"' in bar_chart([("April", 100)], "Money")  # the finance summary's chart still works
