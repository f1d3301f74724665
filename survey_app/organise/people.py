"""People who take part: search, add, edit, and a person's page with their meetings, recognition and
messages (never a message's words: only what kind, which way, when and whether it went)."""
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from forms.organise import NO_ORGANISATION, MessageButtonForm, PersonForm, SearchForm, enum_choices
from forms.recognition import BenefitsForm
from forms.tokens import new_form_token

from ..access.roles import ORGANISERS, roles_required
from ..insight import voices
from ..messages import history
from ..models import (
    Attendance,
    ContactMethod,
    InformationFormat,
    Meeting,
    MessageKind,
    Organisation,
    Person,
    PersonRole,
    RecognitionKind,
    RecognitionLine,
    RecognitionPreference,
    Voice,
)
from ..models.base import LONDON, utcnow
from ..models.people import search_key
from ..money import recognition as rec
from ..participation import taking_part
from ..privacy import records
from ..web.extensions import db
from ..web.pages import Routes, choices_from, keeps_input, paginate, record_id

routes = Routes()


@routes.route("/people")
@roles_required(*ORGANISERS)
def people():
    search = SearchForm(request.args)
    query = select(Person).options(joinedload(Person.organisation)).order_by(Person.last_name, Person.first_name)
    q = search_key(search.q.data or "") if search.validate() else ""
    if q:
        query = query.where(taking_part.name_starts_with(q))
    page = paginate(query)
    return render_template("organise/people.html", title=_("People"), page=page, search=search, q=q)


@routes.route("/people/<int:person_id>")
@roles_required(*ORGANISERS)
def person(person_id):
    who = db.session.get(Person, person_id, options=[joinedload(Person.organisation)]) or abort(404)
    attendances = db.session.scalars(
        select(Attendance).join(Attendance.meeting).options(joinedload(Attendance.meeting).joinedload(Meeting.group))
        .where(Attendance.person_id == who.id).order_by(Meeting.starts_at.desc())
    ).all()
    lines = db.session.scalars(
        select(RecognitionLine).options(joinedload(RecognitionLine.meeting), joinedload(RecognitionLine.finance_return))
        .where(RecognitionLine.person_id == who.id).order_by(RecognitionLine.activity_on.desc(), RecognitionLine.id)
    ).all()
    year = rec.tax_year_start(datetime.now(LONDON).date())
    messages, message_count = history.recent(who.id)
    return render_template("organise/person.html", title=who.display_name, person=who, attendances=attendances,
                           messages=messages, message_count=message_count, stopped=history.stopped_kinds(who.id),
                           button_token=new_form_token(),
                           lines=lines, holds={line.id: rec.hold_reasons(line) for line in lines},
                           corrected={line.reverses_id for line in lines if line.reverses_id is not None},
                           year=year, totals=rec.totals_for(who.id, year), kinds=list(RecognitionKind),
                           benefits_form=BenefitsForm(),
                           preference_labels={p.value: p.label for p in RecognitionPreference},
                           voices=sorted(voices.voices_of(who.id), key=lambda v: list(Voice).index(v)))


def _form(obj=None) -> PersonForm:
    form = PersonForm(obj=obj)
    form.role.choices = enum_choices(PersonRole)
    form.contact_method.choices = enum_choices(ContactMethod)
    form.information_format.choices = enum_choices(InformationFormat)
    form.recognition_preference.choices = enum_choices(RecognitionPreference)
    form.voices.choices = enum_choices(Voice)
    form.language.choices = [SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()]
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = choices_from(orgs, empty=NO_ORGANISATION)
    if not form.is_submitted():
        if obj is not None:
            form.role.data = obj.role.value
            form.contact_method.data = obj.contact_method.value
            form.information_format.data = obj.information_format.value
            form.organisation.data = str(obj.organisation_id or "")
            form.consent.data = obj.consent_at is not None
            form.recognition_preference.data = obj.recognition_preference
            form.voices.data = [v.value for v in voices.voices_of(obj.id)]
        else:
            form.information_format.data = InformationFormat.STANDARD.value
            form.recognition_preference.data = RecognitionPreference.PAID.value
    return form


def _values(form: PersonForm, existing: Person | None = None) -> dict:
    org_id = record_id(form.organisation.data)
    if org_id is not None and db.session.get(Organisation, org_id) is None:
        org_id = None
    values = {name: form[name].data or "" for name in (
        "first_name", "last_name", "preferred_name", "email", "phone", "address", "contact_through", "language")}
    if values["language"] not in current_app.config["LANGUAGES"]:
        values["language"] = "en"
    if form.contact_method.data != ContactMethod.THROUGH_SOMEONE.value:
        values["contact_through"] = ""  # only letters for someone reached through someone else go to them
    values.update(role=PersonRole(form.role.data), contact_method=ContactMethod(form.contact_method.data),
                  information_format=InformationFormat(form.information_format.data), organisation_id=org_id,
                  recognition_preference=form.recognition_preference.data,
                  benefits_check=bool(form.benefits_check.data),
                  is_champion=bool(form.is_champion.data))
    had_consent = existing is not None and existing.consent_at is not None
    if form.consent.data and not had_consent:
        values["consent_at"] = utcnow()
    elif not form.consent.data:
        values["consent_at"] = None
    return values


def _chosen_voices(form: PersonForm) -> set:
    known = {v.value for v in Voice}
    return {Voice(value) for value in (form.voices.data or []) if value in known}


@routes.route("/people/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def new_person():
    form = _form()
    if form.validate_on_submit():
        who = records.create(Person, **_values(form))
        voices.set_voices(who, _chosen_voices(form), current_user)
        db.session.commit()
        flash(_("Person saved."))
        return redirect(url_for("organise.person", person_id=who.id))
    return render_template("organise/person_form.html", form=form, title=_("Add a person")), \
        400 if form.errors else 200


@routes.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def edit_person(person_id):
    who = db.session.get(Person, person_id) or abort(404)
    if who.erased:
        flash(_("This person's details have been erased, so there is nothing to edit."))
        return redirect(url_for("organise.person", person_id=who.id))
    form = _form(who)
    if form.validate_on_submit():
        records.update(who, **_values(form, who))
        voices.set_voices(who, _chosen_voices(form), current_user)
        db.session.commit()
        flash(_("Person saved."))
        return redirect(url_for("organise.person", person_id=who.id))
    return render_template("organise/person_form.html", form=form,
                           title=_("Edit %(name)s", name=who.display_name)), 400 if form.errors else 200


@routes.route("/people/<int:person_id>/messages")
@roles_required(*ORGANISERS)
def person_messages(person_id):
    who = db.session.get(Person, person_id) or abort(404)
    page = paginate(history.newest_first(who.id))
    return render_template("organise/person_messages.html", title=_("Messages to %(name)s", name=who.display_name),
                           person=who, page=page)


@routes.route("/people/<int:person_id>/stopped-messages/<kind>/send-again", methods=["POST"])
@roles_required(*ORGANISERS)
def send_messages_again(person_id, kind):
    """Undo their "stop messages like this" for one kind (they asked an organiser to). Once per press."""
    who = db.session.get(Person, person_id) or abort(404)
    message_kind = next((k for k in MessageKind if k.value == kind), None) or abort(404)
    back = redirect(url_for("organise.person", person_id=who.id, _anchor="messages-title"))
    form = MessageButtonForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0])
        return back
    if not taking_part.claim(form.form_token.data) or not history.send_again(who, message_kind, current_user):
        db.session.rollback()
        flash(_("That was done already."))
        return back
    db.session.commit()
    flash(_("They will get these messages again: %(kind)s.", kind=message_kind.label))
    return back
