"""Charts drawn on the server as SVG: no JavaScript, no outside service, always beside a data table."""
from markupsafe import Markup, escape

BAR = "#1d4f91"
TEXT = "#0b0c0c"


def bar_chart(items: list[tuple[str, int]], label: str, value_text=str, width: int = 640,
              bar_height: int = 28) -> Markup:
    """Horizontal bars, one per (label, value). `label` describes the chart for screen readers; the page
    shows the same numbers in a table, so the SVG itself is hidden from the accessibility tree's detail."""
    top = max((value for _, value in items), default=0) or 1
    # Room for the longest label (about 7.5 px a character at 14 px), but never more than half the chart.
    label_width, gap = min(max(150, int(7.5 * max((len(n) for n, _ in items), default=0)) + 12), width // 2), 8
    height = len(items) * (bar_height + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
             f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">']
    for i, (name, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        length = max(0, int((width - label_width - 110) * value / top))
        parts.append(f'<text x="0" y="{y + bar_height * 0.7:.0f}" font-size="14" fill="{TEXT}">{escape(name)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}" font-size="14" '
                     f'fill="{TEXT}">{escape(value_text(value))}</text>')
    parts.append("</svg>")
    return _scrolls(label, "".join(parts))


# Checklist results. Every colour below has at least 4.5:1 contrast with white, so white text inside
# a bar is readable too; the numbers are always written on the chart, so colour is never the only cue.
SCALE_COLOURS = ("#8b1a12", "#c2410c", "#505a5f", "#1d70b8", "#123563")  # answers 1 to 5
PAYMENT_COLOURS = ("#1d70b8", "#505a5f", "#8b1a12")  # yes, not sure, no
LINE = "#1d4f91"
GRID = "#b1b4b6"
WHITE = "#ffffff"
FONT = 16
SMALL_FONT = 14


def _text_width(text: str, size: int = FONT) -> float:
    """A generous guess at how wide text is drawn (no font metrics on the server)."""
    return len(text) * size * 0.6


def _svg(label: str, width: int, height: int, parts: list[str]) -> Markup:
    return _scrolls(label, f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
                           f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" width="100%" '
                           f'preserveAspectRatio="xMinYMin meet">' + "".join(parts) + "</svg>")


def _scrolls(label: str, svg: str) -> Markup:
    """The chart in a region of its own that scrolls sideways on a narrow screen: the stylesheet gives a
    chart a minimum width (.chart-scroll .chart) so that its text, drawn at 14 to 16 px in the viewBox,
    is never scaled below about 12 px, and the page itself never scrolls sideways. Focusable and named,
    so a keyboard can scroll it."""
    return Markup(f'<div class="chart-scroll" role="region" aria-label="{escape(label)}" tabindex="0">'  # noqa: S704 (label escaped; svg built from escaped parts)
                  f'{svg}</div>')


def _text(x: float, y: float, content: str, size: int = FONT, fill: str = TEXT, anchor: str = "start",
          weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{bold}>'
            f'{escape(content)}</text>')


def answer_chart(items: list[tuple[str, int]], label: str, colours=SCALE_COLOURS, width: int = 560) -> Markup:
    """One horizontal bar per answer, each in its answer's colour, with its number and share of the
    answers written after it."""
    total = sum(value for _, value in items)
    top = max((value for _, value in items), default=0) or 1
    label_width = min(max((_text_width(name) for name, _ in items), default=0) + 12, width * 0.45)
    value_width, bar_height, gap = 90, 30, 10
    height = len(items) * (bar_height + gap) + gap
    parts = []
    for i, (name, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        baseline = y + bar_height / 2 + FONT * 0.35
        length = (width - label_width - value_width) * value / top
        share = f" ({round(100 * value / total)}%)" if total else ""
        parts.append(_text(0, baseline, name))
        parts.append(f'<rect x="{label_width:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                     f'fill="{colours[i % len(colours)]}"/>')
        parts.append(_text(label_width + length + 6, baseline, f"{value}{share}"))
    return _svg(label, width, height, parts)


def stacked_chart(rows: list[tuple[str, list[int] | None, str]], legend: list[str], label: str,
                  colours=SCALE_COLOURS, width: int = 560) -> Markup:
    """One bar per row, split into its answers in legend order, each part as wide as its share.

    rows: (name, counts in legend order, note). With counts None (e.g. a group too small to show)
    or all zero, the note is written instead of a bar. A part's number is written inside it when it
    fits; the table beside the chart always holds every number.
    """
    parts, x, y, swatch = [], 0.0, 4, 18
    for i, name in enumerate(legend):  # the key, wrapped onto as many lines as it needs
        item_width = swatch + 6 + _text_width(name) + 18
        if x and x + item_width > width:
            x, y = 0.0, y + swatch + 10
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{swatch}" height="{swatch}" fill="{colours[i]}"/>')
        parts.append(_text(x + swatch + 6, y + swatch - 3, name))
        x += item_width
    y += swatch + 18
    bar_height = 34
    for name, counts, note in rows:
        parts.append(_text(0, y + FONT, name, weight="bold"))
        y += FONT + 8
        total = sum(counts) if counts else 0
        if not total:
            parts.append(_text(0, y + bar_height / 2 + FONT * 0.35, note))
        else:
            x = 0.0
            for i, n in enumerate(counts):
                if not n:
                    continue
                part = width * n / total
                # a white gap between parts, so neighbouring colours never touch
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(part - 2, 1):.1f}" height="{bar_height}" '
                             f'fill="{colours[i]}"/>')
                if _text_width(str(n)) + 8 <= part:
                    parts.append(_text(x + part / 2 - 1, y + bar_height / 2 + FONT * 0.35, str(n), fill=WHITE,
                                       anchor="middle", weight="bold"))
                x += part
        y += bar_height + 14
    return _svg(label, width, int(y), parts)


def line_chart(points: list[tuple[str, float | None]], label: str, low: float, high: float,
               value_text=str, ticks: list[float] | None = None, tick_text=None, width: int = 640,
               height: int = 300) -> Markup:
    """A dot per point joined by a line, left to right, with each value written above its dot.

    points: (label under the dot, value or None). A label may hold a line break, drawn as two lines.
    A None leaves a gap in the line. `ticks` are the values marked on the side, written by `tick_text`
    (by default `value_text`).
    """
    ticks = ticks if ticks is not None else [low, high]
    tick_text = tick_text or value_text
    left, right, top, bottom = 56, 24, 30, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points), 1)

    def y_of(value):
        return top + plot_h * (high - value) / ((high - low) or 1)

    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(_text(left - 8, y + FONT * 0.35, tick_text(tick), anchor="end"))
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{TEXT}" stroke-width="2"/>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
                 f'stroke="{TEXT}" stroke-width="2"/>')
    placed = [(left + step * (i + 0.5), None if value is None else y_of(value), value)
              for i, (_, value) in enumerate(points)]
    run: list[str] = []
    for x, y, _ in placed + [(0, None, None)]:  # a None (or the end) closes the line drawn so far
        if y is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="3"/>')
            run = []
        else:
            run.append(f"{x:.1f},{y:.1f}")
    size = FONT if step >= 64 else SMALL_FONT
    for (x, y, value), (name, _) in zip(placed, points):
        if y is not None:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{LINE}"/>')
            parts.append(_text(x, y - 12, value_text(value), anchor="middle", weight="bold"))
        for line_number, line in enumerate(str(name).split("\n")):
            parts.append(_text(x, top + plot_h + 20 + line_number * (size + 2), line, size=size, anchor="middle"))
    return _svg(label, width, height, parts)
