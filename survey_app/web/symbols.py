"""The pictures beside questions and choices: one openly licensed symbol set, Lucide (ISC licence,
https://lucide.dev), drawn as inline SVG from the python-lucide package, so every tablet shows the same
picture (emoji differ by device) and no page asks anything of another server.

One picture per meaning, the same everywhere: MEANINGS below is the only place that says which picture
stands for what. In templates: `{{ symbol("need_bsl") }}` (a meaning) or `{{ symbol("mail") }}` (a Lucide
name); `symbol_for("need_bsl")` takes only a meaning.
A picture is decoration beside words that say the same thing, so it is hidden from screen readers and
never carries text of its own. An unknown name is an error, never a blank box."""
import re
from functools import cache

from flask import Flask, before_render_template, g, has_app_context
from markupsafe import Markup

# meaning -> Lucide name. A meaning is never also the name of a different Lucide picture (tests/test_symbols.py).
MEANINGS = {
    # finding your way on the door tablet and the personal links
    "start_again": "house",
    "welcome": "door-open",
    "sign_in": "log-in",
    "new_here": "user-plus",
    "find_me": "search",
    "is_this_me": "user-check",
    "suggest": "lightbulb",
    "vote": "vote",
    "want_to_talk": "thumbs-up",
    "people_want": "users",
    "how_it_went": "star",
    "support": "hand-helping",
    "thank_you": "heart",
    "thanks_how": "gift",
    "language": "languages",
    "easier_to_see": "eye",
    "bigger_text": "a-large-small",  # the same picture as large print: bigger letters
    "high_contrast": "contrast",
    "staff_only": "lock",
    "not_today": "calendar-x",
    "info": "info",
    "done": "circle-check",
    "something_else": "circle-ellipsis",
    # the meeting
    "date": "calendar",
    "time": "clock",
    "place": "map-pin",
    "online": "monitor",
    "money": "pound-sterling",
    "purpose": "target",
    "agenda": "list-ordered",
    "agenda_organisers": "clipboard-list",
    # how to thank someone
    "thanks_paid": "pound-sterling",
    "thanks_voucher": "ticket",
    "thanks_only": "heart",
    "thanks_nothing": "circle-x",
    "benefits_talk": "message-circle",
    "remember": "calendar-sync",
    "remember_yes": "repeat",
    "remember_no": "calendar-1",
    # about you (registering at the door, "I am here as" in the checklist)
    # registering at the door: each question's picture (its choices use role_, contact_ and format_)
    "ask_name": "user-pen",
    "ask_role": "users-round",
    "ask_contact": "contact-round",
    "ask_address": "map-pin-house",
    "ask_letters_address": "mailbox",
    "ask_format": "book-open",
    "ask_consent": "shield-check",
    "check_answers": "list-checks",
    "role_lived_experience": "user",
    "role_carer": "heart-handshake",
    "role_staff": "id-card",
    "role_volunteer": "hand-heart",
    "role_other": "circle-ellipsis",
    "contact_email": "at-sign",
    "contact_text": "message-square-text",
    "contact_phone": "phone",
    "contact_post": "mail",
    "contact_through_someone": "user-round-check",
    "format_easy_read": "image",
    "format_large_print": "a-large-small",
    "format_audio": "volume-2",
    "format_standard": "file-text",
    # kinds of support (NeedKind)
    "need_step_free": "accessibility",
    "need_hearing_loop": "ear",
    "need_bsl": "hand",
    "need_large_print": "a-large-small",
    "need_read_write_help": "pencil",
    "need_quiet_space": "volume-x",
    "need_supporter": "heart-handshake",  # the same picture as a carer
    "need_travel": "bus",
    "need_food": "utensils",
    "need_other": "circle-ellipsis",  # "Something else", as everywhere
    # where an idea or an action has got to (public pages, easy-read handouts)
    "planned": "calendar-check",
    "waiting": "hourglass",
    "in_progress": "wrench",
    "not_going_ahead": "octagon-x",
    "late": "triangle-alert",
    "decided": "handshake",  # a joint decision made at a meeting
}


class UnknownSymbol(LookupError):
    pass


@cache
def _drawing(name: str) -> str:
    """The inside of the Lucide picture (its paths, circles, ...), without whitespace between them."""
    from lucide import lucide_icon

    svg = lucide_icon(name)
    if "lucide-placeholder" in svg:
        raise UnknownSymbol(f"no symbol called {name!r} in the Lucide set")
    inside = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
    return re.sub(r">\s+<", "><", inside.strip()).replace(" />", "/>")


# The outer <svg>: hidden from screen readers and never focusable, as the words beside it carry the meaning.
# width and height are for a page whose stylesheet did not load; the stylesheets size `.symbol`.
_OUTER = '<svg class="symbol" aria-hidden="true" focusable="false" width="24" height="24">'
_LINES = 'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' \
         'stroke-linejoin="round"'


def _svg(name: str, defined: set | None) -> str:
    """A picture is drawn once per page (a <symbol>) and each later one is a <use> of it: a page with a
    picture on every card stays small. Without a page being rendered, every picture is drawn in full."""
    drawing = _drawing(name)
    if defined is None:
        return f"{_OUTER[:-1]} {_LINES}>{drawing}</svg>"
    ref = f'<use href="#sym-{name}"/></svg>'
    if name in defined:
        return _OUTER + ref
    defined.add(name)
    return f'{_OUTER}<symbol id="sym-{name}" {_LINES}>{drawing}</symbol>{ref}'


def _defined_on_this_page() -> set | None:
    return g.setdefault("_symbols_drawn", set()) if has_app_context() else None


def _new_page(sender, template, context, **extra) -> None:
    """Each render_template starts a new page: nothing drawn yet (an error page after a failed one, say)."""
    g._symbols_drawn = set()


def lucide_name(name: str) -> str:
    """The Lucide name for a meaning, or the name itself when it is already a Lucide name."""
    return MEANINGS.get(name, name)


def symbol(name: str) -> Markup:
    """A meaning from MEANINGS (need_bsl) or a Lucide name (log-in), as inline SVG."""
    svg = _svg(lucide_name(name), _defined_on_this_page())
    return Markup(svg)  # noqa: S704 -- the SVG comes from the installed package, never from a person


def symbol_for(meaning: str) -> Markup:
    """Only a meaning from MEANINGS: the picture that stands for it everywhere."""
    if meaning not in MEANINGS:
        raise UnknownSymbol(f"no meaning called {meaning!r} in MEANINGS")
    return symbol(meaning)


def init_app(app: Flask) -> None:
    app.add_template_global(symbol, "symbol")
    app.add_template_global(symbol_for, "symbol_for")
    before_render_template.connect(_new_page, app)
