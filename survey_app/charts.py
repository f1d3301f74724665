"""Charts drawn on the server as SVG: no JavaScript, no outside service, always beside a data table."""
from markupsafe import Markup, escape

BAR = "#1d4f91"
TEXT = "#0b0c0c"


def bar_chart(items: list[tuple[str, int]], label: str, value_text=str, width: int = 640, bar_height: int = 28) -> Markup:
    """Horizontal bars, one per (label, value). `label` describes the chart for screen readers; the page
    shows the same numbers in a table, so the SVG itself is hidden from the accessibility tree's detail."""
    top = max((value for _, value in items), default=0) or 1
    label_width, gap = 150, 8
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
    return Markup("".join(parts))
