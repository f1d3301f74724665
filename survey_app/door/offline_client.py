"""The door tablet's offline client (issue 19, browser side): the service worker and the offline door page it
keeps. Door mode only, like every door page: a browser that is not a door tablet has no use for either (and the
worker is unregistered when door mode ends). Neither holds anything about a person: the offline page is the
same for every tablet of a language, and the names it shows come from the pack in the tablet's IndexedDB."""
import hashlib
import json
from pathlib import Path

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from forms.checklist import ANSWERS, CHECKLIST, QUESTIONS
from forms.door import NameSearchForm, SuggestForm, ThanksChoiceForm
from forms.validators import EMAIL_RE, PHONE_RE

from ..participation.kiosk import door_only
from ..participation.register_steps import DETAIL_FOR, FORMS
from ..participation.shared_pages import NEED_KINDS, NeedsForm
from ..web.i18n import BABEL_LOCALES
from ..web.pages import Routes
from ..web.security import cache_control
from .register import SYMBOLS, TITLES

routes = Routes()

WORKER = Path(__file__).resolve().parents[1] / "static" / "js" / "door-sw.js"
# What the offline page loads: the worker caches these with it.
OFFLINE_STATIC = ("css/common.css", "css/participant.css", "js/participant.js", "js/listen.js", "js/door-offline.js",
                  "js/door-offline-page.js")
OFFLINE_TEMPLATES = ("door/offline.html", "door/macros.html", "participant_base.html")


def _worker_source() -> str:
    """door-sw.js with the addresses it caches filled in, and a version that changes whenever anything the cached
    pages are made of changes (a changed worker script is what makes the browser install it again, and so fetch
    the pages anew). Made once per app: these files change only with a deploy."""
    made = current_app.extensions.get("door_worker")
    if made is not None:
        return made
    pages = [url_for("door.offline_page", lang=code) for code in current_app.config["LANGUAGES"]]
    statics = [url_for("static", filename=name) for name in OFFLINE_STATIC]
    static, templates = Path(current_app.static_folder), Path(current_app.root_path) / "templates"
    digest = hashlib.sha256(WORKER.read_bytes())
    for path in [*(static / name for name in OFFLINE_STATIC), *(templates / name for name in OFFLINE_TEMPLATES),
                 *sorted(Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]).glob("*/LC_MESSAGES/*.mo"))]:
        digest.update(path.read_bytes() if path.exists() else b"")
    made = (WORKER.read_text(encoding="utf-8")
            .replace('"__PAGES__"', json.dumps(pages)).replace('"__STATIC__"', json.dumps(statics))
            .replace("__VERSION__", digest.hexdigest()[:16]))
    current_app.extensions["door_worker"] = made
    return made


@routes.route("/door/sw.js")
@door_only
def service_worker():
    """Served under /door/ so its scope is the door's pages. no-cache: the browser checks for a new one on
    every visit, as it should for a worker."""
    cache_control("no-cache")
    return Response(_worker_source(), mimetype="text/javascript")


# "I'm new here" offline: every page a registration may show (door/register.py), in its order.
REGISTER_PAGES = ("name", "role", "contact", "email", "phone", "address", "letters_address", "format", "consent")
# Answers that are there but not right: what each detail page's form says of them (the regular expressions are
# the forms' own, checked again by the tablet).
_BAD = {"email": ("x", EMAIL_RE.pattern), "phone": ("x", PHONE_RE.pattern)}


def _errors(form_class, data: dict) -> dict:
    """A form's first error per field for these answers (the online page's exact words)."""
    form = form_class(formdata=MultiDict(data), meta={"csrf": False})
    form.validate()
    return {name: str(messages[0]) for name, messages in form.errors.items() if name != "form_token"}


def _register_pages() -> list[dict]:
    """Each registration page's form (prefixed, ids unique on the page), title, picture, and error texts: `need`
    when a field is left empty, `bad` (with `pattern`) when it is there but not right."""
    pages = []
    for page in REGISTER_PAGES:
        form = FORMS[page](prefix=f"reg-{page}", meta={"csrf": False})
        bad = {}
        if page in _BAD:
            value, pattern = _BAD[page]
            bad = {"text": _errors(FORMS[page], {page: value}).get(page, ""), "pattern": pattern}
        prefix = {"role": "role_", "contact": "contact_", "format": "format_"}.get(page)
        field = next(f for f in form if f.short_name != "form_token")
        icons = {c.value: prefix + c.value for c in field.choices} if prefix else {}
        pages.append({"page": page, "form": form, "title": str(TITLES[page]), "symbol": SYMBOLS[page],
                      "need": _errors(FORMS[page], {}), "bad": bad, "icons": icons})
    return pages


@routes.route("/door/offline-page")
@door_only
def offline_page():
    """Every door screen the tablet offers without a network, in the language asked for (?lang=), one shown
    at a time by door-offline.js. Reads nothing from the database and writes nothing."""
    lang = request.args.get("lang", "en")
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    with force_locale(BABEL_LOCALES[lang]):
        # Prefixed: both forms have a field called "name", and ids must be unique on one page.
        return render_template(
            "door/offline.html", title=_("Welcome"), search=NameSearchForm(prefix="search", meta={"csrf": False}),
            suggest=SuggestForm(prefix="suggest", meta={"csrf": False}), steps=CHECKLIST, answers=ANSWERS,
            questions=QUESTIONS, register=_register_pages(), detail_for=json.dumps(DETAIL_FOR),
            thanks=ThanksChoiceForm(prefix="tc", meta={"csrf": False}), thanks_need=_errors(ThanksChoiceForm, {}),
            needs=NeedsForm(prefix="sup", meta={"csrf": False}), needs_need=_errors(NeedsForm, {"need_other": "y"}),
            kinds=NEED_KINDS)


# Plural forms for door-offline.js: Intl.PluralRules in the browser names a number's CLDR category; Babel knows
# the same categories, so each gets the catalogue's form for a number of that category (2 and up first: for
# Portuguese, 0 shares the millions' form in the catalogue but not in CLDR; the line never shows 0).
_SAMPLES = (*range(2, 200), 0, 1)
_TEXTS: dict[str, dict] = {}


def _waiting(n: int) -> str:
    return ngettext("Saved on this tablet: %(num)d to send", "Saved on this tablet: %(num)d to send", n)


def _refused(n: int) -> str:
    return ngettext("Could not be saved: %(num)d. The organiser can see them on the meeting page.",
                    "Could not be saved: %(num)d. The organiser can see them on the meeting page.", n)


def _plural_json(locale, words) -> str:
    categories: dict[str, str] = {}
    for n in _SAMPLES:
        category = locale.plural_form(n)
        if category not in categories:
            categories[category] = words(n).replace(str(n), "{num}")
    return json.dumps(categories, ensure_ascii=False)


def offline_texts() -> dict:
    """The staff line's words in this page's language (door/macros.html staff_line), made once per language."""
    locale = get_locale()
    key = str(locale)
    if key not in _TEXTS:
        _TEXTS[key] = {"locale": key.replace("_", "-"), "waiting": _plural_json(locale, _waiting),
                       "refused": _plural_json(locale, _refused)}
    return _TEXTS[key]
