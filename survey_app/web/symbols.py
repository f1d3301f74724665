"""The pictures beside questions and choices: one openly licensed symbol set, Lucide (ISC licence,
https://lucide.dev), drawn as inline SVG from the python-lucide package, so every tablet shows the same
picture (emoji differ by device) and no page asks anything of another server.

In templates: `{{ symbol("mail") }}`. A picture is decoration beside words that say the same thing, so it
is hidden from screen readers. An unknown name is an error, never a blank box."""
from functools import cache

from flask import Flask
from markupsafe import Markup


class UnknownSymbol(LookupError):
    pass


@cache
def _svg(name: str) -> str:
    from lucide import lucide_icon

    svg = lucide_icon(name, cls="symbol")
    if "lucide-placeholder" in svg:
        raise UnknownSymbol(f"no symbol called {name!r} in the Lucide set")
    # aria-hidden and focusable=false: the words beside it carry the meaning.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def symbol(name: str) -> Markup:
    return Markup(_svg(name))  # noqa: S704 -- the SVG comes from the installed package, never from a person


def init_app(app: Flask) -> None:
    app.add_template_global(symbol, "symbol")
