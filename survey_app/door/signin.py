"""Signing in at the door: find yourself by the first letters of your name, or register if you are new."""
from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from forms.door import ConfirmForm, NameSearchForm, PickForm, RegisterForm, ThanksChoiceForm, confirmed

from .. import participation
from ..extensions import db
from ..models import ContactMethod, InformationFormat, Person, PersonRole
from ..pages import Routes, keeps_input
from ..roles import door_only
from . import kiosk

routes = Routes()
PICK_MAX_AGE = 15 * 60


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="door-pick")


def _pick_for(person: Person) -> str:
    """An opaque, short-lived, tamper-proof stand-in for a person's id, tied to this tablet's meeting."""
    return _signer().dumps({"p": person.id, "m": kiosk.meeting_id()})


def _picked_id(pick: str | None) -> int | None:
    try:
        data = _signer().loads(pick or "", max_age=PICK_MAX_AGE)
    except BadSignature:
        return None
    if data.get("m") != kiosk.meeting_id():
        return None
    return data.get("p")


def _person_from(pick: str | None) -> Person | None:
    picked = _picked_id(pick)
    return None if picked is None else db.session.get(Person, picked)


@routes.route("/door/sign-in", methods=["GET", "POST"])
@door_only
@keeps_input
def sign_in():
    form = NameSearchForm()
    matches = None
    if form.validate_on_submit():
        matches = [(participation.short_name(p), _pick_for(p)) for p in participation.people_matching(form.name.data)]
    return render_template("door/sign_in.html", title=_("Sign in"), form=form, matches=matches), \
        400 if form.errors else 200


@routes.route("/door/sign-in/check", methods=["POST"])
@door_only
@keeps_input
def check():
    picked = PickForm()
    person = _person_from(picked.pick.data) if picked.validate_on_submit() else None
    if person is None:
        return redirect(url_for("door.sign_in"))
    form = ConfirmForm(pick=picked.pick.data, form_token=kiosk.form_token())
    return render_template("door/confirm.html", title=_("Is this you?"), form=form,
                           name=participation.short_name(person))


@routes.route("/door/sign-in/confirm", methods=["POST"])
@door_only
@keeps_input
def confirm():
    submitted = confirmed(request.form)  # ConfirmForm's checks, CSRF included, without building it
    if submitted is None:
        return redirect(url_for("door.sign_in"))
    pick, form_token = submitted
    person_id = _picked_id(pick)
    if person_id is None:
        return redirect(url_for("door.sign_in"))
    # No read first: the busiest write in the service. A person removed since the pick was signed
    # fails the foreign key, and the tablet goes back to the search.
    if not participation.sign_in_once(form_token, kiosk.meeting_id(), person_id):
        return redirect(url_for("door.sign_in"))
    kiosk.set_person(person_id)
    return redirect(url_for("door.support"))


@routes.route("/door/new", methods=["GET", "POST"])
@door_only
@keeps_input
def register():
    form = RegisterForm(visit=kiosk.visit_key())
    if not form.is_submitted():
        form.form_token.data = kiosk.form_token()
    if form.validate_on_submit():
        if not participation.claim(form.form_token.data):
            return redirect(url_for("door.support") if kiosk.person_id() else url_for("door.welcome"))
        person = participation.register(
            first_name=form.first_name.data, last_name=form.last_name.data,
            role=PersonRole(form.role.data), contact_method=ContactMethod(form.contact_method.data),
            information_format=InformationFormat(form.information_format.data),
            email=form.email.data or "", phone=form.phone.data or "", address=form.address.data or "",
            language=kiosk.visit().get("lang", "en"))
        person_id = person.id
        participation.sign_in(kiosk.meeting_id(), person_id)
        db.session.commit()
        kiosk.set_person(person_id, registered=True)
        return redirect(url_for("door.thanks_choice"))
    return render_template("door/register.html", title=_("Tell us about you"), form=form), \
        400 if form.errors else 200


@routes.route("/door/thank-you-choice", methods=["GET", "POST"])
@door_only
@keeps_input
def thanks_choice():
    """One question for someone new: how they would like to be thanked for their time."""
    person_id = kiosk.person_id()
    if person_id is None:
        return redirect(url_for("door.sign_in"))
    form = ThanksChoiceForm(visit=kiosk.visit_key())
    if not form.is_submitted():
        form.form_token.data = kiosk.form_token()
    if form.validate_on_submit():
        person = db.session.get(Person, person_id)
        person.recognition_preference = form.preference.data
        person.benefits_check = bool(form.benefits_check.data)
        db.session.commit()
        return redirect(url_for("door.support"))
    return render_template("door/thanks_choice.html", title=_("How should we thank you?"), form=form), \
        400 if form.errors else 200
