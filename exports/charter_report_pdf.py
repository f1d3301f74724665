"""The Charter report (issue 18) as a printable PDF, made on the server with ReportLab: A4, a title page, then
each section from a new page: the Charter's promise, the figures, each table, each chart with its numbers in
a table beneath it, and the comments. It takes a CharterReport (survey_app/insight/report_model.py, read by
its attributes: exports never import survey_app) whose numbers are already suppressed: None is "Fewer than 5".

Fonts: ReportLab's built-in Helvetica has no Polish or Arabic letters, so Noto Sans and Noto Sans Arabic
(SIL Open Font Licence) come from PyPI (fontpkg-noto-sans, fontpkg-noto-sans-arabic). ReportLab neither
joins Arabic letters nor orders right-to-left text (its own bidi needs rlbidi, which we do not install), so
Arabic is shaped (arabic-reshaper), broken into lines here in the order it was typed, and then each line is put
in display order (python-bidi) on its own: done to a whole paragraph before ReportLab wraps it, a sentence that
runs onto three lines would start on the last one.
"""
import re
from datetime import date
from functools import cache, lru_cache
from typing import IO
from xml.sax.saxutils import escape

import fontpkg_noto_sans
import fontpkg_noto_sans_arabic
from arabic_reshaper import reshape
from bidi import get_display
from flask_babel import gettext as _
from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .workbook import CREATOR

FONT, ITALIC, ARABIC_FONT = "NotoSans", "NotoSans-Italic", "NotoSansArabic"
_LETTERS = r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+"
ARABIC = re.compile(_LETTERS)
# Words with the spaces between them, in one font run, so that text extractors read the words in their order.
ARABIC_RUN = re.compile(rf"{_LETTERS}(?:\s+{_LETTERS})*")
INK, ACCENT, RULE, SHADE = (colors.HexColor("#0b0c0c"), colors.HexColor("#1d4f91"), colors.HexColor("#b1b4b6"),
                            colors.HexColor("#f3f2f1"))
# Bars and lines, dark enough on white for text-sized marks; a series past the sixth takes the first again.
SERIES_COLOURS = [colors.HexColor(c) for c in ("#1d4f91", "#d4351c", "#00703c", "#6f3f98", "#b58840", "#505a5f")]
WIDTH = A4[0] - 4 * cm - 12  # the frame between the margins, less its padding
WIDE_TABLE = 5  # columns; a table with more has smaller headings and narrower padding
MAX_CHART_HEIGHT = 560  # a chart with many labels is squeezed to fit on one page with its heading
CHART_LABEL_CHARS = 32  # longer labels are cut in the chart; the table beneath has them whole


@cache
def _setup() -> None:
    """Register the Noto fonts once per process (the files are the packages' own; see the note at the top)."""
    # Charts check every attribute set on every shape unless told not to: a third of a full report's time.
    # Ours are built by this module alone; tests/test_report_exports.py renders every kind of chart.
    rl_config.shapeChecking = 0
    files = fontpkg_noto_sans.ROOT / "files"
    pdfmetrics.registerFont(TTFont(FONT, str(files / "NotoSans[wdth,wght].ttf")))
    pdfmetrics.registerFont(TTFont(ITALIC, str(files / "NotoSans-Italic[wdth,wght].ttf")))
    arabic = fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf"
    pdfmetrics.registerFont(TTFont(ARABIC_FONT, str(arabic)))
    # One weight only (the variable fonts' default): headings stand out by size and colour instead of bold.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=ITALIC, boldItalic=ITALIC)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15, textColor=INK, spaceAfter=4)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=18),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=15, leading=20, spaceAfter=8),
        "h1": ParagraphStyle("h1", base, fontSize=20, leading=25, textColor=ACCENT, spaceAfter=10),
        "h2": ParagraphStyle("h2", base, fontSize=14, leading=18, textColor=ACCENT, spaceBefore=12, spaceAfter=6),
        "quote": ParagraphStyle("quote", base, fontName=ITALIC, fontSize=12, leading=17, leftIndent=14,
                                rightIndent=14, borderPadding=(8, 10, 8, 10), backColor=SHADE, spaceBefore=6,
                                spaceAfter=16),
        "caption": ParagraphStyle("caption", base, spaceBefore=10),
        "cell": ParagraphStyle("cell", base, fontSize=10, leading=13, spaceAfter=0),
        "number": ParagraphStyle("number", base, fontSize=10, leading=13, spaceAfter=0, alignment=TA_RIGHT),
        # Headings of a table with many columns: smaller, and a word is never broken inside ("answ ered").
        "head_small": ParagraphStyle("head_small", base, fontSize=8, leading=10, spaceAfter=0, splitLongWords=0),
        "head_small_number": ParagraphStyle("head_small_number", base, fontSize=8, leading=10, spaceAfter=0,
                                            alignment=TA_RIGHT, splitLongWords=0),
        "comment": ParagraphStyle("comment", base, fontName=ITALIC, leftIndent=14, spaceAfter=8),
        "comment_rtl": ParagraphStyle("comment_rtl", base, rightIndent=14, spaceAfter=8, alignment=TA_RIGHT),
    }


@lru_cache(maxsize=4096)  # the same names come back in every section's tables and charts
def visual(text: str) -> str:
    """One line's text in the order and letter shapes it is drawn in: Arabic joined and right to left; anything
    else as it is. Only for text that never wraps (chart labels, legends); paragraphs go through _paragraph."""
    return get_display(reshape(text)) if ARABIC.search(text) else text


def _right_to_left(text: str) -> bool:
    """Text whose first letter is Arabic reads from the right, so it is set against the right margin."""
    first = next((c for c in text if c.isalpha()), "")
    return bool(ARABIC.match(first))


def markup(text: str) -> str:
    """Text already in display order as safe Paragraph markup, Arabic runs in the Arabic font."""
    parts, at = [], 0
    for run in ARABIC_RUN.finditer(text):
        parts += [escape(text[at:run.start()]), f'<font name="{ARABIC_FONT}">{escape(run.group())}</font>']
        at = run.end()
    parts.append(escape(text[at:]))
    return "".join(parts)


def _paragraph(text, style: ParagraphStyle) -> Flowable:
    """A person's or a report's words as a Paragraph (escaped, so never taken as markup); with Arabic in them,
    a _BidiParagraph that wraps them before putting each line in display order."""
    text = str(text)
    return _BidiParagraph(text, style) if ARABIC.search(text) else Paragraph(escape(text), style)


def _text_width(text: str, style: ParagraphStyle) -> float:
    """How wide ReportLab draws `text`: Arabic runs (with the spaces inside them) in the Arabic font, as markup()
    sets them; the rest in the style's font. The same for a line in typed order as in display order."""
    width, at = 0.0, 0
    for run in ARABIC_RUN.finditer(text):
        width += pdfmetrics.stringWidth(text[at:run.start()], style.fontName, style.fontSize)
        width += pdfmetrics.stringWidth(run.group(), ARABIC_FONT, style.fontSize)
        at = run.end()
    return width + pdfmetrics.stringWidth(text[at:], style.fontName, style.fontSize)


def _lines(shaped: str, room: float, style: ParagraphStyle) -> list[str]:
    """Shaped text, still in typed order, broken between words into lines no wider than `room` (a word wider
    than that has a line of its own)."""
    lines, line = [], ""
    for word in shaped.split():
        longer = f"{line} {word}" if line else word
        if line and _text_width(longer, style) > room:
            lines.append(line)
            line = word
        else:
            line = longer
    return [*lines, line] if line else lines


class _BidiParagraph(Flowable):
    """Words with Arabic in them, wrapped here and then handed to a Paragraph one line per <br/>, each line in
    display order in the paragraph's own direction (from its first letter: "We met at <Arabic name>..." stays
    left to right even on a line that starts with the name). Laid out again only when the width changes."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__()
        self.style, self.text = style, text
        self._shaped = reshape(text)
        self._direction = "R" if _right_to_left(text) else "L"
        self._laid_out_at, self._paragraph = None, None

    def _at(self, width: float) -> Paragraph:
        if width != self._laid_out_at:
            # Half a point to spare, so that ReportLab, measuring word by word, never breaks a line again.
            room = width - self.style.leftIndent - self.style.rightIndent - 0.5
            lines = [get_display(line, base_dir=self._direction) for line in _lines(self._shaped, room, self.style)]
            self._laid_out_at, self._paragraph = width, Paragraph("<br/>".join(map(markup, lines)), self.style)
        return self._paragraph

    def wrap(self, width, height):
        return self._at(width).wrap(width, height)

    def split(self, width, height):
        return self._at(width).split(width, height)

    def draw(self):
        self._paragraph.drawOn(self.canv, 0, 0)


def number_text(value: int | float | str | None) -> str:
    if value is None:
        return _("Fewer than 5")
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}"


def period_text(starts_on: date, ends_on: date) -> str:
    return _("%(start)s to %(end)s", start=day_text(starts_on), end=day_text(ends_on))


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def write_pdf(report, group_name: str, out: IO[bytes], made_on: date) -> None:
    """Render `report` into `out`. `group_name` is the group's name, or "" for every group."""
    _setup()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=report.title, author=CREATOR,
                            subject=_("Evidence that the Co-production Charter is kept"), creator=CREATOR,
                            lang="en-GB", initialFontName=FONT)
    story = _title_page(report, group_name, made_on)
    for section in report.sections:
        story.append(PageBreak())
        story += _section(section)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.setFillColor(INK)
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, _("Page %(number)s", number=doc.page))
    canvas.restoreState()


def _title_page(report, group_name: str, made_on: date) -> list:
    s = _styles()
    return [
        Spacer(1, 4 * cm),
        _paragraph(report.title, s["title"]),
        _paragraph(group_name or _("Every group"), s["subtitle"]),
        Paragraph(escape(period_text(report.starts_on, report.ends_on)), s["subtitle"]),
        Spacer(1, 1 * cm),
        Paragraph(escape(_("Made on %(date)s", date=day_text(made_on))), s["body"]),
        Paragraph(escape(_("A number under 5 is shown as \"Fewer than 5\", and so is any number that would give "
                           "a smaller one away, so that nobody can be picked out.")), s["body"]),
    ]


def _section(section) -> list:
    s = _styles()
    story = [_paragraph(section.title, s["h1"])]
    if section.promise:
        story.append(_paragraph(section.promise, s["quote"]))
    if section.figures:
        story.append(_figures(section.figures))
    for table in section.tables:
        story.append(CondPageBreak(4 * cm))
        story += [_paragraph(table.title, s["h2"]), _table(table.headings, table.rows)]
    for chart in section.charts:
        story.append(CondPageBreak(6 * cm))
        if any(v for values in chart.series.values() for v in values):
            story += [KeepTogether([_paragraph(chart.title, s["h2"]), _drawing(chart)]),
                      Paragraph(escape(_("The numbers in this chart")), s["caption"]), _chart_table(chart)]
        else:  # every value hidden or none: empty axes would say nothing
            story += [_paragraph(chart.title, s["h2"]),
                      Paragraph(escape(_("Every number here is fewer than 5 or none, so there is no chart.")),
                                s["body"]), _chart_table(chart)]
    if section.comments:
        story.append(Paragraph(escape(_("What people said")), s["h2"]))
        story += [_paragraph(text, s["comment_rtl"] if _right_to_left(text) else s["comment"])
                  for text in section.comments]
    return story


def _grid(rows: list[list], widths: list[float] | None = None, padding: float = 6) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        # Plain strings are the numbers (text cells are Paragraphs, which wrap and keep their own alignment).
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _cell(value) -> Flowable | str:
    """A number as a plain string (quick to lay out: a report has thousands), text as a Paragraph that wraps."""
    if value is None or isinstance(value, (int, float)):
        return number_text(value)
    return _paragraph(value, _styles()["cell"])


def _figures(figures) -> Table:
    s = _styles()
    rows = [[Paragraph(escape(_("Evidence")), s["cell"]), Paragraph(escape(_("Number")), s["number"]),
             Paragraph(escape(_("About the number")), s["cell"])]]
    rows += [[_cell(f.label), _cell(f.value), _cell(f.note)] for f in figures]
    return _grid(rows, [WIDTH * 0.45, WIDTH * 0.2, WIDTH * 0.35])


def _table(headings: list[str], body: list[list]) -> Table:
    s = _styles()
    # A heading over a column of numbers lines up with them, on the right.
    numeric = [any(isinstance(row[i], (int, float)) or row[i] is None for row in body if i < len(row))
               for i in range(len(headings))]
    wide = len(headings) > WIDE_TABLE  # e.g. the checklist's: a question, two figures and five answers
    text_style, number_style = (s["head_small"], s["head_small_number"]) if wide else (s["cell"], s["number"])
    head = [_paragraph(h, number_style if i and numeric[i] else text_style) for i, h in enumerate(headings)]
    rows = [head] + [[_cell(v) for v in row] for row in body]
    if len(headings) == 1:
        return _grid(rows, [WIDTH])
    first = WIDTH * (0.22 if wide else 0.4)
    return _grid(rows, [first] + [(WIDTH - first) / (len(headings) - 1)] * (len(headings) - 1), 3 if wide else 6)


def _chart_table(chart) -> Table:
    headings = [""] + list(chart.series)
    if chart.unit:
        headings[0] = chart.unit
    rows = [[label] + [values[i] if i < len(values) else None for values in chart.series.values()]
            for i, label in enumerate(chart.labels)]
    return _table(headings, rows)


def _short(label: str) -> str:
    return label if len(label) <= CHART_LABEL_CHARS else label[:CHART_LABEL_CHARS - 1] + "\u2026"


def _font_for(text: str) -> str:
    return ARABIC_FONT if ARABIC.search(text) else FONT


def _runs(values: list) -> list[list]:
    """[4, None, 3, 5] -> [[4, None, None, None], [None, None, 3, 5]]: the unbroken stretches of a line."""
    runs, current = [], None
    for i, value in enumerate(values):
        if value is None:
            current = None
            continue
        if current is None:
            current = [None] * len(values)
            runs.append(current)
        current[i] = value
    return runs


def _drawing(chart) -> Drawing:
    """A bar chart (horizontal bars, so long labels fit) or a line chart; a suppressed value draws nothing."""
    names, data = list(chart.series), [list(v) for v in chart.series.values()] or [[]]
    labels = [visual(_short(str(label))) for label in chart.labels]
    top = max((v for values in data for v in values if v is not None), default=0)
    legend_height = 16 * len(names) + 8 if len(names) > 1 else 0
    # ReportLab draws a line through two points at least: a trend with a lone point (one month, or a month
    # between two suppressed ones) is drawn as bars instead.
    runs_ = [run for values_ in data for run in _runs(values_)]
    as_line = chart.kind == "line" and runs_ and all(sum(v is not None for v in run) >= 2 for run in runs_)
    if as_line:
        height = 200
        plot = HorizontalLineChart()
        plot.x, plot.y, plot.width, plot.height = 40, 40 + legend_height, WIDTH - 60, height - 60
        plot.joinedLines = 1
        # ReportLab would join a line across a suppressed value: each unbroken run is drawn as a line of its own.
        runs = [(i, run) for i, values_ in enumerate(data) for run in _runs(values_)]
        data = [run for _i, run in runs] or [[]]
        for n, (i, _run) in enumerate(runs):
            plot.lines[n].strokeColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            plot.lines[n].strokeWidth = 2
            plot.lines[n].symbol = makeMarker("FilledCircle", size=5)
        axis, values = plot.categoryAxis, plot.valueAxis
        axis.labels.angle, axis.labels.boxAnchor, axis.labels.dy = 30, "ne", -2
        label_size = 8
    else:
        rows = max(len(labels), 1)
        height = min(30 + rows * (8 + 12 * len(data)), MAX_CHART_HEIGHT)
        label_size = max(4, min(8, int((height - 30) / rows) - 2))
        plot = HorizontalBarChart()
        plot.x, plot.y = WIDTH * 0.38, 20 + legend_height
        plot.width, plot.height = WIDTH * 0.58, height - 30
        plot.barSpacing, plot.groupSpacing = 1, 8
        for i in range(len(data)):
            plot.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            plot.bars[i].strokeColor = None
        axis, values = plot.categoryAxis, plot.valueAxis
        axis.reverseDirection = 1  # the first label at the top, as in the table
        axis.labels.boxAnchor, axis.labels.dx = "e", -4
    height += legend_height
    plot.data = data
    axis.categoryNames = labels
    axis.labels.fontName, axis.labels.fontSize = FONT, label_size
    for i, label in enumerate(labels):
        axis.labels[i].fontName = _font_for(label)
    values.valueMin = 0
    values.valueMax = 5 if chart.unit == "out of 5" else (100 if chart.unit == "%" else max(top, 1) * 1.1)
    values.labels.fontName, values.labels.fontSize = FONT, 8
    values.labelTextFormat = "%d" if values.valueMax >= 10 else "%.1f"
    drawing = Drawing(WIDTH, height)
    drawing.add(plot)
    if len(names) > 1:
        legend = Legend()
        legend.x, legend.y, legend.alignment, legend.deltay = 0, legend_height - 2, "right", 16
        legend.fontName, legend.fontSize = FONT, 8
        legend.columnMaximum = len(names)
        legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], visual(name[:90]))
                                 for i, name in enumerate(names)]
        drawing.add(legend)
    return drawing
