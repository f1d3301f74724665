"""Registering at the door ("I'm new here"): one question a page, then "Check your answers", then Save.

Each page shows "Step N of M", M counting only the pages this person will see (the contact detail page
asks only for what their way of being contacted needs). What has been answered is kept in the door visit
(kiosk.register_answers: sealed in the session cookie, never in the address), so Back, the browser's or
the page's, shows each page with what was typed; it is gone after Save, "Start again", the idle reset or
someone signing in. A page whose earlier answers are missing sends the tablet to the first missing page.

The one-time token is issued with "Check your answers" and claimed on Save (taking_part.claim), so a
double tap, a retry or a second tab saves one person; "Have you been here before?" is asked before that.
"""
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms.door import (
    CONTACT_CHOICES,
    FORMAT_CHOICES,
    PERSON_ROLES,
    RegisterSaveForm,
)

from ..models import ContactMethod, InformationFormat, PersonRole
from ..participation import kiosk, taking_part
from ..participation.kiosk import door_only
from ..participation.register_steps import DETAIL_FOR, FIELDS, FORMS
from ..privacy import audit
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()

STEPS = ("name", "role", "contact", "detail", "format", "consent")
CHECK = "check"
DETAILS = ("email", "phone", "address")  # the answers a detail page keeps
TITLES = {"name": _l("What is your name?"), "role": _l("Who are you in the group?"),
          "contact": _l("How should we contact you?"), "email": _l("What is your email address?"),
          "phone": _l("What is your phone number?"), "address": _l("What is your address?"),
          "letters_address": _l("Where should we send your letters?"),
          "format": _l("How do you like to get information?"), "consent": _l("Can we keep your details?")}
# Pictures are meanings from web/symbols.py MEANINGS, the one place that says which picture means what.
SYMBOLS = {"name": "ask_name", "role": "ask_role", "contact": "ask_contact", "email": "contact_email",
           "phone": "contact_phone", "address": "ask_address", "letters_address": "ask_letters_address",
           "format": "ask_format", "consent": "ask_consent",
           "check": "check_answers"}
TOO_LONG = _l("Please write a shorter answer.")


def _page(step: str, answers: dict) -> str:
    """The form a step shows: the detail step is the email, phone or address page."""
    return DETAIL_FOR.get(answers.get("contact_method"), "") if step == "detail" else step


def steps_for(answers: dict) -> list[str]:
    """The steps this person sees, in order (before the way of contact is chosen, a detail is expected)."""
    method = answers.get("contact_method")
    return [s for s in STEPS if s != "detail" or method is None or method in DETAIL_FOR]


def _answered(step: str, answers: dict) -> bool:
    if step == "consent":
        return answers.get("consent") is True
    return all(answers.get(name) for name in FIELDS[_page(step, answers)])


def first_missing(answers: dict) -> str:
    """The first step not answered yet, or CHECK when every one is."""
    return next((s for s in steps_for(answers) if not _answered(s, answers)), CHECK)


def _url(step: str, change: bool = False) -> str:
    return url_for(f"door.register_{step}", **({"change": "1"} if change and step != CHECK else {}))


def _step(step: str):
    answers = kiosk.register_answers()
    order = steps_for(answers)
    missing = first_missing(answers)
    if step not in order:  # a detail this way of contact does not need
        return redirect(_url(missing))
    if missing != CHECK and order.index(missing) < order.index(step):
        return redirect(_url(missing))
    page = _page(step, answers)
    change = request.args.get("change") == "1"
    form = FORMS[page](visit=kiosk.visit_key(), data={name: answers.get(name) for name in FIELDS[page]})
    if not form.is_submitted():
        form.form_token.data = kiosk.form_token()
    if form.validate_on_submit():
        new = {**answers, **{name: form[name].data for name in FIELDS[page]}}
        if step == "contact":  # a detail the new way of contact does not need is not kept
            needed = FIELDS.get(DETAIL_FOR.get(new["contact_method"]), ())
            for name in DETAILS:
                if name not in needed:
                    new.pop(name, None)
        if kiosk.set_register_answers(new):
            after = first_missing(new)
            if change or after == CHECK:
                return redirect(_url(after, change=True))
            new_order = steps_for(new)
            return redirect(_url(new_order[new_order.index(step) + 1]))
        form[FIELDS[page][-1]].errors.append(TOO_LONG)
    number = order.index(step) + 1
    back = _url(CHECK) if change else (_url(order[number - 2]) if number > 1 else url_for("door.welcome"))
    prefix = {"role": "role_", "contact": "contact_", "format": "format_"}.get(page)
    choices = {c.value: prefix + c.value for c in form[FIELDS[page][0]].choices} if prefix else {}
    return render_template("door/register_step.html", title=TITLES[page], form=form, page=page,
                           symbol_name=SYMBOLS[page], choice_symbols=choices, back=back,
                           number=number, total=len(order)), 400 if form.errors else 200


@routes.route("/door/new")
@door_only
def register():
    """Where "I'm new here" leads: the first step not answered yet in this visit."""
    return redirect(_url(first_missing(kiosk.register_answers())))


@routes.route("/door/new/name", methods=["GET", "POST"])
@door_only
@keeps_input
def register_name():
    return _step("name")


@routes.route("/door/new/role", methods=["GET", "POST"])
@door_only
@keeps_input
def register_role():
    return _step("role")


@routes.route("/door/new/contact", methods=["GET", "POST"])
@door_only
@keeps_input
def register_contact():
    return _step("contact")


@routes.route("/door/new/detail", methods=["GET", "POST"])
@door_only
@keeps_input
def register_detail():
    return _step("detail")


@routes.route("/door/new/format", methods=["GET", "POST"])
@door_only
@keeps_input
def register_format():
    return _step("format")


@routes.route("/door/new/consent", methods=["GET", "POST"])
@door_only
@keeps_input
def register_consent():
    return _step("consent")


def _label(choices, value) -> str:
    return next((str(c.label) for c in choices if c.value == value), "")


def summary(answers: dict) -> list[dict]:
    """The rows of "Check your answers": what was asked, the answer, and the page that changes it."""
    detail = DETAIL_FOR.get(answers.get("contact_method"))
    rows = [("name", _("Your name"), _("your name"), f"{answers.get('first_name', '')} {answers.get('last_name', '')}"),
            ("role", _("Who you are in the group"), _("who you are in the group"),
             _label(PERSON_ROLES, answers.get("role"))),
            ("contact", _("How we contact you"), _("how we contact you"),
             _label(CONTACT_CHOICES, answers.get("contact_method")))]
    if detail == "email":
        rows.append(("detail", _("Your email address"), _("your email address"), answers.get("email", "")))
    elif detail == "phone":
        rows.append(("detail", _("Your phone number"), _("your phone number"), answers.get("phone", "")))
    elif detail == "address":
        rows.append(("detail", _("Your address"), _("your address"), answers.get("address", "")))
    elif detail == "letters_address":
        rows.append(("detail", _("Where we send your letters"), _("where we send your letters"),
                     answers.get("address", "")))
    rows += [("format", _("How you like to get information"), _("how you like to get information"),
              _label(FORMAT_CHOICES, answers.get("information_format"))),
             ("consent", _("Can we keep your details?"), _("if we can keep your details"),
              _("Yes, you can keep my details"))]
    return [{"step": s, "question": q, "hidden": h, "answer": a, "href": _url(s, change=True)} for s, q, h, a in rows]


@routes.route("/door/new/check", methods=["GET", "POST"])
@door_only
@keeps_input
def register_check():
    form = RegisterSaveForm(visit=kiosk.visit_key())
    if not form.is_submitted():
        form.form_token.data = kiosk.form_token()
    answers = kiosk.register_answers()
    if form.validate_on_submit():
        token = form.form_token.data
        done = url_for("door.support") if kiosk.person_id() else url_for("door.welcome")
        if taking_part.token_used(token):  # a double tap, a retry or a second tab: saved already
            return redirect(url_for("door.thanks_choice") if kiosk.registered_here() else done)
        if first_missing(answers) != CHECK:
            return redirect(_url(first_missing(answers)))
        if form.new_here.data != "yes" and taking_part.likely_registered(
                kiosk.meeting().group_id, answers["first_name"], answers["last_name"], answers.get("email", ""),
                answers.get("phone", "")):
            # Nothing of the other record is shown: only the question, with the answers kept in the visit.
            return render_template("door/been_here.html", title=_("Have you been here before?"), form=form)
        if not taking_part.claim(token):
            return redirect(done)
        person = taking_part.register(
            first_name=answers["first_name"], last_name=answers["last_name"], role=PersonRole(answers["role"]),
            contact_method=ContactMethod(answers["contact_method"]),
            information_format=InformationFormat(answers["information_format"]),
            email=answers.get("email", ""), phone=answers.get("phone", ""), address=answers.get("address", ""),
            language=kiosk.visit().get("lang", "en"))
        person_id = person.id
        taking_part.sign_in(kiosk.meeting_id(), person_id)
        audit.record("door-register", person, after={"meeting_id": kiosk.meeting_id()})
        db.session.commit()
        kiosk.set_person(person_id, registered=True)  # a new visit: the answers are not kept
        return redirect(url_for("door.thanks_choice"))
    if not form.is_submitted() and first_missing(answers) != CHECK:
        return redirect(_url(first_missing(answers)))
    order = steps_for(answers)
    return render_template("door/register_check.html", title=_("Check your answers"), form=form,
                           rows=summary(answers), back=_url(order[-1]), symbol_name=SYMBOLS[CHECK]), \
        400 if form.errors else 200
