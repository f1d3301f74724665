"""The Charter report's PDF and workbook (issue 18): rendered from a CharterReport made here, with every kind of
part, then read back (pypdf for the PDF's text, pypdfium2 for a picture of a page, openpyxl for the cells)."""
import io
import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from exports.charter_report_pdf import write_pdf
from exports.charter_report_xlsx import report_sheets
from exports.workbook import write_workbook
from survey_app.insight.report_model import Chart, CharterReport, Figure, Section, Table
from survey_app.models import AuditEvent, Role
from survey_app.web.extensions import db

OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
ARABIC_GROUP = "مجموعة الشباب"
POLISH_GROUP = "Grupa Łódź – zażółć gęślą jaźń"
LONG_TITLE = ("Keeping people informed about what happened at every meeting, what was decided, who will do what "
              "and by when, in words everyone can understand")
MADE_ON = date(2026, 12, 3)


def sample_report() -> CharterReport:
    sections = [
        Section("who_took_part", "Who took part", "Everyone is welcome. We will include people from all walks of life.",
                "Lots of people came.",
                figures=[Figure("Meetings and activities held", 24),
                         Figure("People who took part", 1318, "of 1,400 invited"),
                         Figure("First-timers", None), Figure("Took part by phone", 7)],
                tables=[Table("People by group", ["Group", "People", "First-timers"],
                              [[ARABIC_GROUP, 41, None], [POLISH_GROUP, 12, 6], ["Carers' forum", None, None]])],
                charts=[Chart("How people took part", ["In the room", "Online", "By phone"],
                              {"People": [280, 31, None]}, unit="people")],
                comments=["Bardzo dobre spotkanie, dziękuję!", "كان الاجتماع رائعا", "=1+2 <b>not bold</b> & more"]),
        Section("how_it_felt", LONG_TITLE, "We will listen to each other and treat everyone with respect. " * 3,
                "It felt good.",
                figures=[Figure("Checklists answered", 96)],
                charts=[Chart("Average answer by month", ["Apr", "May", "Jun", "Jul"],
                              {"Was the meeting accessible for everyone?": [4.2, None, 4.5, 4.6],
                               "Was everyone clear about payment or thanks?": [3.9, 4.1, None, 4.4]},
                              kind="line", unit="out of 5"),
                        Chart("Answers to \"Did you feel listened to?\"", ["Yes, a lot " * 5, ARABIC_GROUP, "No"],
                              {"Staff": [40, 12, None], "People with lived experience": [51, None, 6]},
                              unit="people")]),
        Section("equality", "Who we reach", "No discrimination.", "Everyone.",
                tables=[Table("Ethnic group", ["Answer", "People", "Halton (%)"],
                              [["White British", 250, 93.4], ["Arab", None, 0.3]])]),
    ]
    return CharterReport("Charter report: " + POLISH_GROUP, 3, date(2026, 4, 1), date(2027, 3, 31), sections)


def pdf_bytes(report=None, group_name=POLISH_GROUP) -> bytes:
    out = io.BytesIO()
    write_pdf(report or sample_report(), group_name, out, MADE_ON)
    return out.getvalue()


def page_texts(data: bytes) -> list[str]:
    """Each page's text, with Arabic presentation forms folded back to the letters typed (NFKC) and every run of
    spaces and line breaks made one space (lines wrap where the page is full)."""
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
            for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_has_a_title_page_then_each_section_from_a_new_page():
    pages = page_texts(pdf_bytes())
    assert len(pages) >= 4
    title = pages[0]
    assert "Charter report: " + POLISH_GROUP in title
    assert "1 April 2026 to 31 March 2027" in title and "Made on 3 December 2026" in title
    starts = {name: next(i for i, text in enumerate(pages) if name in text)
              for name in ("Who took part", "Keeping people informed", "Who we reach")}
    assert starts["Who took part"] == 1 and 1 < starts["Keeping people informed"] < starts["Who we reach"]
    assert pages[1].startswith("Page 2 Who took part")  # the footer is drawn first


def test_the_pdf_shows_figures_suppressed_numbers_tables_charts_and_comments():
    first = page_texts(pdf_bytes())[1]
    assert "Everyone is welcome. We will include people from all walks of life." in first
    for words in ("Meetings and activities held 24", "1,318", "of 1,400 invited", "First-timers Fewer than 5",
                  "Grupa Łódź – zażółć gęślą jaźń", "People by group", "How people took part",
                  "The numbers in this chart", "In the room 280", "By phone Fewer than 5",
                  "Bardzo dobre spotkanie, dziękuję!", "=1+2 <b>not bold</b> & more"):
        assert words in first, words
    # Arabic is drawn joined and right to left; read back, the words come in the order they were typed.
    assert ARABIC_GROUP in first and "كان الاجتماع رائعا" in first
    assert first.count("Fewer than 5") == 5  # the figure, three table cells and the chart's missing bar


def test_the_pdf_line_chart_numbers_and_the_long_title_are_all_there():
    text = " ".join(page_texts(pdf_bytes()))
    assert "Was the meeting accessible for everyone?" in text
    assert "Apr 4.2 3.9" in text and "May Fewer than 5 4.1" in text and "Jun 4.5 Fewer than 5" in text
    assert "in words everyone can understand" in text
    assert "Arab Fewer than 5 0.3" in text and "93.4" in text


def test_the_pdf_says_what_it_is():
    reader = PdfReader(io.BytesIO(pdf_bytes()))
    assert reader.metadata.title == "Charter report: " + POLISH_GROUP
    assert reader.metadata.author == "Co-production Hub"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # Noto fonts embedded (Helvetica has no Polish or Arabic letters): the words above read back through them.
    fonts = {str(font["/BaseFont"]).split("+")[-1]: font for font in reader.pages[1]["/Resources"]["/Font"].values()}
    for name in ("NotoSans-Regular", "NotoSans-Italic", "NotoSansArabic-Regular"):
        assert "/FontFile2" in fonts[name]["/FontDescriptor"]


def test_every_group_says_so_on_the_title_page():
    report = CharterReport("Charter report: every group", None, date(2026, 4, 1), date(2026, 6, 30), [])
    pages = page_texts(pdf_bytes(report, ""))
    assert len(pages) == 1 and "Every group" in pages[0] and "1 April 2026 to 30 June 2026" in pages[0]


def test_pdf_pages_render_to_pictures_in_test_output():
    document = pypdfium2.PdfDocument(pdf_bytes())
    try:
        OUTPUT.mkdir(exist_ok=True)
        for index, name in ((0, "charter-report-pdf-title.png"), (1, "charter-report-pdf-section.png"),
                            (2, "charter-report-pdf-charts.png")):
            image = document[index].render(scale=1.5).to_pil()
            image.save(OUTPUT / name)
            # A4 at 1.5 x 72 dpi, and ink on the page: something was drawn, not a blank sheet.
            assert image.size == (893, 1263)
            assert image.convert("L").getextrema()[0] < 100
    finally:
        document.close()


# Distinct words of Arabic letters only (each line of them is one run, which pypdf reads back in typed order):
# word i is س, two letters numbering it, then ر.
ARABIC_LETTERS = "بتثجحخسشصضطظعغفقكلمنهي"
NUMBERED_WORDS = ["س" + ARABIC_LETTERS[i // 22] + ARABIC_LETTERS[i % 22] + "ر" for i in range(45)]
MIXED_COMMENT = " ".join(f"On day {i} {ARABIC_GROUP} met" for i in range(1, 16))


def comments_pdf() -> bytes:
    section = Section("a_say", "A say", "We will listen.", "", comments=[" ".join(NUMBERED_WORDS), MIXED_COMMENT])
    return pdf_bytes(CharterReport("Charter report", None, date(2026, 4, 1), date(2027, 3, 31), [section]), "")


def comment_lines(data: bytes) -> list[str]:
    """The section page's lines as pypdf reads them, after the "What people said" heading."""
    lines = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(data)).pages[1].extract_text()).splitlines()
    return [" ".join(line.split()) for line in lines[lines.index("What people said") + 1:]]


def test_a_long_arabic_comment_starts_on_its_first_line_and_reads_on_down():
    lines = comment_lines(comments_pdf())
    arabic = [line.split() for line in lines if line.split()[0] in NUMBERED_WORDS]
    # Wrapped onto lines of their own, first words first: bidi on the whole comment before wrapping would put
    # the sentence's last words on the first line.
    assert len(arabic) >= 3
    assert arabic[0][0] == NUMBERED_WORDS[0] and arabic[-1][-1] == NUMBERED_WORDS[-1]
    assert [word for line in arabic for word in line] == NUMBERED_WORDS


def test_an_arabic_name_in_an_english_comment_keeps_each_line_left_to_right():
    lines = [line for line in comment_lines(comments_pdf()) if "On day" in line or line.startswith(ARABIC_GROUP)]
    assert " ".join(lines) == MIXED_COMMENT
    # Some line starts with the Arabic name and still reads left to right ("... met On day 8 ..."), as its
    # paragraph does, rather than taking the name's direction.
    assert any(line.startswith(ARABIC_GROUP + " met On day") for line in lines[1:])


def test_the_arabic_comments_render_to_a_picture_in_test_output():
    document = pypdfium2.PdfDocument(comments_pdf())
    try:
        OUTPUT.mkdir(exist_ok=True)
        image = document[1].render(scale=1.5).to_pil()
        image.save(OUTPUT / "charter-report-pdf-arabic.png")
        assert image.size == (893, 1263) and image.convert("L").getextrema()[0] < 100
    finally:
        document.close()


def test_a_full_size_report_renders_quickly():
    import time
    labels = [f"Meeting {i}" for i in range(40)]
    section = Section("who_took_part", "Who took part", "Everyone is welcome.", "",
                      figures=[Figure(f"Figure {i}", i * 7 if i % 3 else None) for i in range(30)],
                      tables=[Table("By group", ["Group", "People", "First-timers"],
                                    [[f"Group {i}", i * 11, None if i % 4 else i] for i in range(60)])],
                      charts=[Chart("By month", labels, {"People": [float(i) for i in range(40)]}),
                              Chart("Trend", labels[:12], {"A": [4.0] * 12, "B": [3.5] * 12}, kind="line",
                                    unit="out of 5")],
                      comments=["A comment. " * 10] * 10)
    report = CharterReport("Charter report: every group", None, date(2026, 4, 1), date(2027, 3, 31), [section] * 9)
    started = time.perf_counter()
    pdf_bytes(report, "")
    assert time.perf_counter() - started < 5  # the whole budget for build and PDF; bench/ has the figure


def workbook(report=None, group_name=POLISH_GROUP):
    out = io.BytesIO()
    write_workbook(report_sheets(report or sample_report(), group_name, MADE_ON), out)
    out.seek(0)
    return load_workbook(out)


def test_the_workbook_has_a_summary_and_a_sheet_per_section():
    wb = workbook()
    assert wb.sheetnames == ["Summary", "Who took part", "Keeping people informed about w", "Who we reach"]
    summary = list(wb["Summary"].iter_rows(values_only=True))
    assert summary[1] == ("Report", "Charter report: " + POLISH_GROUP)
    assert summary[2] == ("Group", POLISH_GROUP)
    assert summary[3][1].date() == date(2026, 4, 1) and summary[4][1].date() == date(2027, 3, 31)
    assert summary[5][0] == "Made on" and summary[5][1].date() == MADE_ON


def test_the_workbook_holds_the_numbers_with_suppressed_ones_as_text():
    wb = workbook()
    ws = wb["Who took part"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Evidence", "Number", "About the number")
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert rows[1:5] == [("Meetings and activities held", 24, None), ("People who took part", 1318, "of 1,400 invited"),
                         ("First-timers", "Fewer than 5", None), ("Took part by phone", 7, None)]
    assert (ARABIC_GROUP, 41, "Fewer than 5") in rows and (POLISH_GROUP, 12, 6) in rows
    assert ("In the room", 280, None) in rows and ("By phone", "Fewer than 5", None) in rows
    assert ("Bardzo dobre spotkanie, dziękuję!", None, None) in rows
    formula = next(c for c in ws["A"] if c.value == "=1+2 <b>not bold</b> & more")
    assert formula.data_type == "s" and formula.quotePrefix  # a comment never runs as a formula
    felt = list(wb["Keeping people informed about w"].iter_rows(values_only=True))
    assert ("out of 5", "Was the meeting accessible for everyone?", "Was everyone clear about payment or thanks?") in felt
    assert ("May", "Fewer than 5", 4.1) in felt and ("Jun", 4.5, "Fewer than 5") in felt
    assert ("Arab", "Fewer than 5", 0.3) in list(wb["Who we reach"].iter_rows(values_only=True))


def test_the_workbook_for_every_group_says_so():
    report = CharterReport("Charter report: every group", None, date(2026, 4, 1), date(2026, 6, 30), [])
    wb = workbook(report, "")
    assert wb.sheetnames == ["Summary"] and wb["Summary"]["B3"].value == "Every group"


QUERY = "?group=&from=2026-04-01&to=2027-03-31"


@pytest.mark.parametrize("url", ["/reports/charter/pdf", "/reports/charter/workbook"])
@pytest.mark.parametrize("role,status", [(None, 302), (Role.FINANCE, 403)])
def test_only_organisers_and_admins_may_download(client, login_as, url, role, status):
    if role:
        login_as(role)
    response = client.get(url + QUERY)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "download-charter-report")) is None


@pytest.mark.parametrize("url", ["/reports/charter/pdf", "/reports/charter/workbook"])
def test_a_missing_group_or_bad_dates_are_refused(client, login_as, url):
    login_as(Role.ORGANISER)
    assert client.get(url + "?group=999&from=2026-04-01&to=2027-03-31").status_code == 404
    assert client.get(url + "?group=x&from=2026-04-01&to=2027-03-31").status_code == 404
    for bad in ("?group=&from=2026-13-01&to=2027-03-31", "?group=&from=2027-04-01&to=2027-03-31", "?group="):
        response = client.get(url + bad)  # back to the page that chooses the dates, with its plain errors
        assert (response.status_code, response.headers["Location"]) == (302, "/reports/charter"), bad


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_downloads_are_attachments_and_audited(client, login_as, sample, role):
    user = login_as(role)
    group = sample["group"]
    query = f"?group={group.id}&from=2026-04-01&to=2027-03-31"
    pdf = client.get("/reports/charter/pdf" + query)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="charter-report-20')
    text = " ".join(page_texts(pdf.get_data()))
    assert group.name in text and "1 April 2026 to 31 March 2027" in text
    xlsx = client.get("/reports/charter/workbook" + query)
    assert xlsx.status_code == 200 and xlsx.headers["Content-Disposition"].endswith('.xlsx"')
    assert load_workbook(io.BytesIO(xlsx.get_data()))["Summary"]["B3"].value == group.name
    everyone = client.get("/reports/charter/pdf" + QUERY)
    assert everyone.status_code == 200 and "Every group" in page_texts(everyone.get_data())[0]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "download-charter-report")
                                .order_by(AuditEvent.id)).all()
    assert [(e.user_id, e.record_type, e.after["format"], e.after["from"], e.after["to"]) for e in events] == [
        (user.id, "Group", "pdf", "2026-04-01", "2027-03-31"), (user.id, "Group", "xlsx", "2026-04-01", "2027-03-31"),
        (user.id, "User", "pdf", "2026-04-01", "2027-03-31")]


def test_a_wide_table_s_headings_keep_their_words_whole():
    headings = ["Question", "People who answered", "Average (1 to 5)", "Not at all", "A little", "Partly", "Mostly",
                "Yes, completely"]
    section = Section("how_it_felt", "How it felt", "We will listen.", "",
                      tables=[Table("The checklist", headings, [["Did we do it?", 46, "3.7", None, 6, 10, 15, 12]])])
    text = page_texts(pdf_bytes(CharterReport("Charter report", None, date(2026, 4, 1), date(2026, 6, 30),
                                              [section]), ""))[1]
    for heading in headings:
        assert heading in text, (heading, text)


def test_a_chart_with_every_number_hidden_is_not_drawn_but_says_why():
    section = Section("who_took_part", "Who took part", "Everyone is welcome.", "",
                      charts=[Chart("How people took part", ["In the room", "Online"], {"People": [None, None]})])
    data = pdf_bytes(CharterReport("Charter report", None, date(2026, 4, 1), date(2026, 6, 30), [section]), "")
    text = page_texts(data)[1]
    assert "Every number here is fewer than 5 or none, so there is no chart." in text
    assert "In the room Fewer than 5" in text
    assert "0.0" not in text  # no empty axis
