"""Pictures are Lucide symbols, never emoji: no emoji anywhere in the templates or the Python; every symbol a
template or MEANINGS names exists; one picture per meaning, from one place (survey_app/web/symbols.py);
the participant pages show a hidden-from-screen-readers <svg> beside each choice and question; a symbol
never carries text; each picture is drawn once per page and reused."""
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lucide import get_icon_list

from survey_app.door.vote import _said
from survey_app.insight import actions as domain
from survey_app.models import AccessNeed, ActionStatus, NeedKind, Role, SuggestionStatus
from survey_app.models.base import london_today, utcnow
from survey_app.public.actions import LATE_SYMBOL, SYMBOLS
from survey_app.public.suggestions import SECTIONS
from survey_app.web.extensions import db
from survey_app.web.symbols import MEANINGS, UnknownSymbol, symbol, symbol_for
from tests.test_door import sign_in_as
from tests.test_invitations import invite_and_link
from tests.test_suggestions import add as add_suggestion

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "survey_app" / "templates").rglob("*.html"))
PYTHON = sorted([*(ROOT / "survey_app").rglob("*.py"), *(ROOT / "forms").rglob("*.py")])
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")
LUCIDE = set(get_icon_list())
SYMBOL_CALL = re.compile(r"""symbol(?:_for)?\(\s*["']([^"']+)["']\s*\)""")
# The pictures a template passes to the door macros: radios(f, {"value": "name", ...}), checkbox(f, "name").
RADIOS_CALL = re.compile(r"radios\([^,]+,\s*(\{[^}]*\})")
CHECKBOX_CALL = re.compile(r"""checkbox\([^,()]+,\s*["']([^"']+)["']\s*\)""")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- No emoji anywhere ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TEMPLATES + PYTHON, ids=_rel)
def test_no_emoji_in_templates_or_python(path):
    found = [(n, line.strip()[:80]) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if EMOJI.search(line)]
    assert found == [], f"emoji in {_rel(path)}: use {{{{ symbol(...) }}}} (survey_app/web/symbols.py)"


def test_the_emoji_pattern_finds_emoji_and_nothing_else():
    for emoji in ("🤟", "🤫", "✅", "⭐", "ℹ️", "♿", "⛔", "✍️", "🫶"):
        assert EMOJI.search(emoji), emoji
    for text in ("Zoë", "→", "–", "£12.50", "عربى", "a"):
        assert not EMOJI.search(text), text


# --- Every name exists, one home for meanings -------------------------------------------------------------

def test_every_meaning_is_a_lucide_picture_and_never_shadows_another():
    assert {m: name for m, name in MEANINGS.items() if name not in LUCIDE} == {}
    # symbol("vote") and symbol("mail") take both kinds of name: a meaning must not be another picture's name
    assert {m: name for m, name in MEANINGS.items() if m in LUCIDE and m != name} == {}


def _names_in_templates():
    for path in TEMPLATES:
        source = path.read_text(encoding="utf-8")
        names = SYMBOL_CALL.findall(source) + CHECKBOX_CALL.findall(source)
        for literal in RADIOS_CALL.findall(source):
            names += re.findall(r""":\s*["']([^"']+)["']""", literal)
        for name in names:
            yield _rel(path), name


def test_every_symbol_a_template_names_exists():
    used = list(_names_in_templates())
    assert len(used) > 40  # the pattern finds them (door, invite, public pages)
    missing = [(path, name) for path, name in used if name not in MEANINGS and name not in LUCIDE]
    assert missing == []
    for _path, name in used:
        assert '<svg class="symbol"' in str(symbol(name))


def test_every_picture_python_names_is_a_meaning():
    named = [kind.symbol for kind in NeedKind] + list(SYMBOLS.values()) + [LATE_SYMBOL] \
        + [picture for _heading, picture in SECTIONS.values()]
    named += [_said(code)[0] for code in ("counted", "already", "closed")]
    assert [name for name in named if name not in MEANINGS] == []
    assert set(SYMBOLS) == {s.value for s in ActionStatus} and set(SECTIONS) == set(SuggestionStatus)


def test_the_pictures_mean_the_right_thing():
    # the emoji these replace meant something else: 🤟 is "I love you", 🤫 "shush", ✅ both "sign in" and "done"
    assert MEANINGS["need_bsl"] == "hand" and MEANINGS["need_hearing_loop"] == "ear"
    assert MEANINGS["need_quiet_space"] == "volume-x"
    assert MEANINGS["sign_in"] == "log-in" and MEANINGS["done"] == "circle-check"
    # one picture per kind of support: no two kinds look the same
    pictures = [MEANINGS[kind.symbol] for kind in NeedKind]
    assert len(set(pictures)) == len(pictures)


def test_an_unknown_name_is_an_error_never_a_blank_box(app):
    with pytest.raises(UnknownSymbol):
        symbol("no-such-picture")
    with pytest.raises(UnknownSymbol):
        symbol_for("log-in")  # a Lucide name, not a meaning


@pytest.mark.parametrize("name", sorted(set(MEANINGS) | set(MEANINGS.values())))
def test_a_symbol_never_carries_text_and_is_hidden_from_screen_readers(name):
    svg = str(symbol(name))  # outside a request: drawn in full
    assert svg.startswith('<svg class="symbol" aria-hidden="true" focusable="false"')
    assert not re.search(r"<(text|title|desc|foreignObject)\b|aria-label|role=", svg)
    assert re.sub(r"<[^>]+>", "", svg).strip() == ""  # no characters outside the tags


# --- Rendered pages ----------------------------------------------------------------------------------------

class _Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def all_text(self):
        return self.text + "".join(child.all_text() for child in self.children if child.tag != "svg")

    def classes(self):
        return (self.attrs.get("class") or "").split()


class _Tree(HTMLParser):
    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.at = _Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in self.VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(_Node(tag, attrs, self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.text += data


def _tree(response) -> _Node:
    assert response.status_code == 200
    return _Tree(response.get_data(as_text=True)).root


def _symbols_in(node):
    return [n for n in node.walk() if n.tag == "svg" and "symbol" in n.classes()]


def _assert_pictured(nodes, what):
    """Each node (a choice, a heading) has exactly one symbol and words of its own beside it."""
    assert nodes, f"no {what} on the page"
    for node in nodes:
        svgs = _symbols_in(node)
        assert len(svgs) == 1, f"{what} {node.all_text().strip()!r} has {len(svgs)} symbols"
        assert svgs[0].attrs.get("aria-hidden") == "true" and svgs[0].attrs.get("focusable") == "false"
        assert node.all_text().strip(), f"a {what} that is only a picture"


def _assert_sound_page(root):
    """Every symbol is hidden and wordless; every <use> points at a picture drawn earlier on the same page,
    and no picture is drawn twice. (Other pictures, such as a staff page's chart, are not symbols.)"""
    drawn, seen = [], set()
    for node in root.walk():
        if node.tag == "svg" and "symbol" in node.classes():
            assert node.attrs.get("aria-hidden") == "true" and node.attrs.get("focusable") == "false"
            assert not node.all_text().strip()
        if node.tag == "symbol":
            drawn.append(node.attrs["id"])
            seen.add(node.attrs["id"])
        if node.tag == "use":
            assert node.attrs["href"].lstrip("#") in seen, node.attrs["href"]
    assert len(drawn) == len(set(drawn)), "a picture drawn twice on one page"


def _page_heading(root):
    return [n for n in root.walk() if "page-heading" in n.classes()]


def test_the_door_welcome_page_pictures_each_choice_and_the_question(door):
    root = _tree(door.get("/door/"))
    _assert_sound_page(root)
    choices = [n for n in root.walk() if "big-choice" in n.classes()]
    assert len(choices) >= 4
    _assert_pictured(choices, "choice")
    _assert_pictured(_page_heading(root), "heading")
    pills = [n for n in root.walk() if n.tag == "button" and n.attrs.get("name") == "setting"]
    _assert_pictured(pills, "display setting")
    sign_in = next(n for n in choices if n.attrs.get("href") == "/door/sign-in")
    assert 'id="sym-log-in"' in "".join(f'id="{n.attrs.get("id")}"' for n in sign_in.walk())


def test_the_support_page_pictures_each_kind_of_support(door, sample):
    sign_in_as(door)
    root = _tree(door.get("/door/support"))
    _assert_sound_page(root)
    labels = [n for n in root.walk() if n.tag == "label" and (n.attrs.get("for") or "").startswith("need_")]
    assert len(labels) == len(NeedKind)
    _assert_pictured(labels, "kind of support")
    _assert_pictured([n for n in root.walk() if n.tag == "label" and "remember" in n.attrs.get("for", "")],
                     "remember choice")
    _assert_pictured(_page_heading(root) + [n for n in root.walk() if n.tag == "legend"], "question")
    # the BSL choice shows the hand, not a gesture that means something else
    bsl = next(n for n in labels if n.attrs["for"] == "need_bsl")
    assert any(n.attrs.get("href") == "#sym-hand" or n.attrs.get("id") == "sym-hand" for n in bsl.walk())


def test_the_vote_page_pictures_each_button_and_draws_each_picture_once(door, sample):
    for i in range(6):
        add_suggestion(sample["group"], f"Idea number {i}")
    response = door.get("/door/vote")
    root = _tree(response)
    _assert_sound_page(root)
    buttons = [n for n in root.walk() if n.tag == "button" and "I want to talk about this" in n.all_text()]
    assert len(buttons) == 6
    _assert_pictured(buttons, "vote button")
    page = response.get_data(as_text=True)
    assert page.count('<symbol id="sym-thumbs-up"') == 1 and page.count('<use href="#sym-thumbs-up"/>') == 6
    assert page.count('<symbol id="sym-users"') == 1


def test_the_personal_invitation_pictures_each_choice(app, client, login_as, sample):
    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    visitor = app.test_client()
    root = _tree(visitor.get(f"/invite/{invitation.token}"))
    _assert_sound_page(root)
    _assert_pictured([n for n in root.walk() if "big-choice" in n.classes()], "choice")
    _assert_pictured(_page_heading(root), "heading")
    root = _tree(visitor.get(f"/invite/{invitation.token}/support"))
    _assert_sound_page(root)
    labels = [n for n in root.walk() if n.tag == "label" and (n.attrs.get("for") or "").startswith("need_")]
    _assert_pictured(labels, "kind of support")


def test_the_easy_read_handout_has_a_picture_for_each_action_and_its_key(app, client, sample, make_user):
    organiser = make_user(Role.ORGANISER)
    meeting = sample["meeting"]
    meeting.starts_at = utcnow() - timedelta(days=3)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    done = domain.create_action(sample["group"].id, "Easy read letters", "Carers Lead",
                                london_today() + timedelta(days=20), organiser, meeting_id=meeting.id)
    late = domain.create_action(sample["group"].id, "A hearing loop", "Carers Lead",
                                london_today() + timedelta(days=20), organiser, meeting_id=meeting.id)
    db.session.commit()
    domain.update_action(done, organiser, status=ActionStatus.DONE)
    late.due_on = london_today() - timedelta(days=5)
    domain.update_action(late, organiser, explanation="The supplier is waiting for parts.")
    db.session.commit()
    gid = sample["group"].id
    for url in (f"/public/groups/{gid}/you-said-we-did/easy-read", f"/public/groups/{gid}/meetings/easy-read"):
        root = _tree(client.get(url))
        _assert_sound_page(root)
        key = [n for n in root.walk() if n.tag == "li" and n.parent.parent is not None
               and "er-key" in n.parent.parent.classes()]
        assert len(key) == len(ActionStatus) + 1  # each status and "This is late."
        _assert_pictured(key, "key entry")
        blocks = [n for n in root.walk() if "er-symbol" in n.classes()]
        assert sorted(len(_symbols_in(b)) for b in blocks) == [1, 2]  # done; late (its status and "late")
        assert all(b.attrs.get("aria-hidden") == "true" for b in blocks)
    root = _tree(client.get(f"/public/groups/{gid}/you-said-we-did"))
    _assert_sound_page(root)


def test_the_public_suggestions_page_pictures_each_section(client, sample):
    add_suggestion(sample["group"], "Buses to the hospital")
    add_suggestion(sample["group"], "Easy read letters", status=SuggestionStatus.COVERED)
    root = _tree(client.get(f"/public/groups/{sample['group'].id}/suggestions"))
    _assert_sound_page(root)
    headings = [n for n in root.walk() if n.tag == "h2" and "with-symbol" in n.classes()]
    assert len(headings) == 2
    _assert_pictured(headings, "section heading")


def test_the_staff_support_pages_show_a_small_symbol_for_each_need(app, client, login_as, sample):
    login_as(Role.ORGANISER)
    db.session.add_all([AccessNeed(person=sample["person"], meeting=sample["meeting"], kind=NeedKind.BSL),
                        AccessNeed(person=sample["person"], kind=NeedKind.QUIET_SPACE)])
    db.session.commit()
    root = _tree(client.get(f"/meetings/{sample['meeting'].id}/support"))
    _assert_sound_page(root)
    _assert_pictured([n for n in root.walk() if n.tag == "h2" and n.attrs.get("id") == "kind-bsl"], "need")
    root = _tree(client.get(f"/people/{sample['person'].id}/support"))
    _assert_sound_page(root)


def test_each_page_draws_its_own_pictures(app):
    """Two pages rendered in one request (an error page after a failed one, say) each draw what they use."""
    from flask import render_template_string

    with app.test_request_context():
        first = render_template_string('{{ symbol("need_bsl") }}{{ symbol("need_bsl") }}')
        second = render_template_string('{{ symbol("need_bsl") }}')
    assert first.count("<symbol ") == 1 and first.count("<use ") == 2
    assert second.count("<symbol ") == 1
