"""Language choice, and Flask-Babel set up to look its catalogue up once per request.

Flask-Babel finds the catalogue again for every string; a participant form has about forty, so the
door tablet spent a millisecond a page on look-ups. Here the catalogue is kept on `g` per locale.
"""
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Domain, get_locale, ngettext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

# Babel locale per language: English dates and times the British way ("12 May 2027, 10:30").
BABEL_LOCALES = {"en": "en_GB", "pl": "pl_PL", "ro": "ro_RO", "pt": "pt_PT", "ar": "ar"}


def select_locale() -> str:
    """The visit's choice at the door, else a personal link's owner's language, else the browser's."""
    if not has_request_context():  # command line, background work: English
        return BABEL_LOCALES["en"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") or g.get("person_language")
    if chosen not in languages:
        chosen = request.accept_languages.best_match(list(languages)) or "en"
    return BABEL_LOCALES[chosen]


class RequestCachedDomain(Domain):
    def get_translations(self):
        locale = get_locale()
        if locale is None:  # outside a request
            return super().get_translations()
        cached = g.get("_hub_translations")
        if cached is not None and cached[0] is locale:
            return cached[1]
        found = super().get_translations()
        g._hub_translations = (locale, found)
        return found


DOMAIN = RequestCachedDomain(domain="messages")


def translations():
    return DOMAIN.get_translations()


_COUNTDOWNS: dict[tuple[str, int], Markup] = {}


def countdown_texts(seconds: int) -> Markup:
    """The door's idle warning, "We will clear this screen in N seconds", for every N from 0 to `seconds`, as
    a JSON list for participant.js (index = seconds left): each number has its own plural form (Polish has
    three). Made once per language: every door page carries it, and 31 look-ups a page showed in the bench."""
    key = (str(get_locale()), seconds)
    if key not in _COUNTDOWNS:
        texts = [ngettext("We will clear this screen in %(num)d second.",
                          "We will clear this screen in %(num)d seconds.", n) for n in range(seconds + 1)]
        _COUNTDOWNS[key] = htmlsafe_json_dumps(texts)
    return _COUNTDOWNS[key]


def init_app(app: Flask) -> None:
    """Call after babel.init_app."""
    # Flask-Babel internal, for a speed target: the door pages at least 0.3x a bare Flask "hello" (welcome
    # 0.34x, registration 0.29x on 2026-11-26; bench/__main__.py, README.md Benchmarks); the look-ups cost
    # about a millisecond a participant page. Flask-Babel's get_domain() falls back to Babel.domain_instance,
    # a cached_property, which this fills in ahead of it through the instance's __dict__ (the public
    # Domain.as_default() works only per request). Held by the Flask-Babel pin; checked by
    # tests/test_library_internals.py.
    app.extensions["babel"].instance.__dict__["domain_instance"] = DOMAIN
    app.add_template_global(countdown_texts, "countdown_texts")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        # A word that means two things ("Sign in" at the door and for staff) carries a context: msgctxt.
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def page_language():
        locale = get_locale()
        lang = locale.language if locale else "en"
        return {"lang": lang, "text_dir": "rtl" if lang in app.config["RTL_LANGUAGES"] else "ltr"}
