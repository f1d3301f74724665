"""Checks every HTML page the test client fetches: it parses, has one h1, the title starts with it,
ids are unique, every form control has a label, and nothing is inline (see inline_code)."""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LABELLED_INPUTS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageProblem(AssertionError):
    pass


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.h1: list[str] = []
        self.title = ""
        self._in = {"h1": False, "title": False, "label": 0}
        self.errors: list[str] = []
        self.html_attrs: dict = {}
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.inline += _inline_in(tag, a)
        if tag == "html":
            self.html_attrs = a
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label":
            self._in["label"] += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in LABELLED_INPUTS and a.get("type", "text") not in UNLABELLED_TYPES:
            self.controls.append({"tag": tag, "attrs": a, "wrapped": self._in["label"] > 0})
        if tag == "h1":
            self._in["h1"] = True
            self.h1.append("")
        if tag == "title":
            self._in["title"] = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "label":
            self._in["label"] -= 1
        if tag == "h1":
            self._in["h1"] = False
        if tag == "title":
            self._in["title"] = False
        if tag in self.stack:
            while self.stack:
                top = self.stack.pop()
                if top == tag:
                    break
                if top not in ("p", "li", "dt", "dd", "tr", "td", "th", "option"):
                    self.errors.append(f"<{top}> not closed before </{tag}>")
        else:
            self.errors.append(f"stray </{tag}>")

    def handle_data(self, data):
        if self._in["h1"]:
            self.h1[-1] += data
        if self._in["title"]:
            self.title += data


def _inline_in(tag: str, attrs: dict) -> list[str]:
    found = [f"<{tag} {name}=...>" for name in attrs if name == "style" or name.startswith("on")]
    if tag == "style" or (tag == "script" and not attrs.get("src")):
        found.append(f"<{tag}> without src")
    return found


def inline_code(html: str) -> list[str]:
    """Inline script or style, which the Content-Security-Policy (no 'unsafe-inline') would block: a
    <script> without src, a <style> element, a style= attribute or an on*= handler."""
    p = _Parser()
    p.feed(html)
    p.close()
    return p.inline


def _norm(text: str) -> str:
    return " ".join(text.split())


def check_page(html: str) -> None:
    p = _Parser()
    p.feed(html)
    p.close()
    problems = list(p.errors) + [f"inline code (blocked by the CSP): {i}" for i in p.inline]
    if len(p.h1) != 1:
        problems.append(f"expected one h1, found {len(p.h1)}")
    else:
        h1, title = _norm(p.h1[0]), _norm(p.title)
        if not (title.startswith((h1, f"Error: {h1}"))):
            problems.append(f"title {title!r} does not start with h1 {h1!r}")
    dupes = {i for i in p.ids if p.ids.count(i) > 1}
    if dupes:
        problems.append(f"duplicate ids: {sorted(dupes)}")
    for c in p.controls:
        a = c["attrs"]
        if not (c["wrapped"] or a.get("aria-label") or a.get("aria-labelledby") or (a.get("id") in p.label_for)):
            problems.append(f"<{c['tag']} name={a.get('name')!r}> has no label")
    if not p.html_attrs.get("lang"):
        problems.append("<html> has no lang")
    if problems:
        raise PageProblem("; ".join(problems))
