"""A person's benefits: with their consent, which benefits they get, which limit applies, their Universal
Credit assessment day, what they agreed to take, the permitted-work form, and their earnings per period.
Every look is recorded, like a look at support needs."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.benefits import PersonBenefitsForm

from ..access.roles import ORGANISERS, roles_required
from ..models import BenefitKind, Person, RecognitionAgreement
from ..models.base import london_today
from ..money import benefits
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input

routes = Routes()


def _form(person: Person, names: dict) -> PersonBenefitsForm:
    form = PersonBenefitsForm()
    form.benefits.choices = [(kind.value, kind.label) for kind in BenefitKind]
    form.agreement.choices = [("", _("Not recorded yet"))] + [(a.value, a.label) for a in RecognitionAgreement]
    for kind in BenefitKind:
        field = getattr(form, f"limit_{kind.value}")
        field.choices = [("", _("Check all of its limits (the cautious choice)"))] + \
            [(name, name) for name in names.get(kind, [])]
        field.label.text = _("Which %(benefit)s limit applies to them?", benefit=kind.label)
    if not form.is_submitted():
        held = benefits.benefits_of(person.id)
        form.consent.data = person.benefits_consent_at is not None
        form.benefits.data = [row.benefit.value for row in held]
        for row in held:
            getattr(form, f"limit_{row.benefit.value}").data = row.limit_name
        form.uc_assessment_day.data = person.uc_assessment_day
        form.agreement.data = person.benefits_agreement.value if person.benefits_agreement else ""
        form.agreement_note.data = person.benefits_agreement_note
        form.permitted_work_form_on.data = person.permitted_work_form_on
    return form


def _page(person: Person, form: PersonBenefitsForm, names: dict, status: int = 200):
    weeks, month = benefits.recent_periods(person, london_today())
    esa = BenefitKind.ESA.value in (form.benefits.data or []) and person.benefits_consent_at is not None
    return render_template("organise/person_benefits.html", person=person, form=form, weeks=weeks, month=month,
                           several={kind.value for kind, rows in names.items() if len(rows) > 1},
                           kinds=list(BenefitKind), esa_reminder=esa and person.permitted_work_form_on is None,
                           title=with_theirs(_("Benefits: %(name)s"), name=person.display_name)), status


def _input(form: PersonBenefitsForm, names: dict) -> benefits.BenefitsInput:
    chosen = {BenefitKind(value) for value in form.benefits.data or [] if value in {k.value for k in BenefitKind}}
    limit_of = {kind: getattr(form, f"limit_{kind.value}").data or "" for kind in chosen}
    return benefits.BenefitsInput(
        benefits={kind: name if name in names.get(kind, []) else "" for kind, name in limit_of.items()},
        uc_assessment_day=form.uc_assessment_day.data,
        agreement=RecognitionAgreement(form.agreement.data) if form.agreement.data in
        {a.value for a in RecognitionAgreement} else None,
        agreement_note=form.agreement_note.data or "", permitted_work_form_on=form.permitted_work_form_on.data)


def _anything_typed(data: benefits.BenefitsInput) -> bool:
    return bool(data.benefits or data.uc_assessment_day or data.agreement or data.agreement_note
                or data.permitted_work_form_on)


@routes.route("/people/<int:person_id>/benefits")
@roles_required(*ORGANISERS)
def person_benefits(person_id):
    person = db.session.get(Person, person_id) or abort(404)
    if person.erased:
        abort(404)
    names = benefits.limit_names()
    benefits.record_look(person)
    db.session.commit()
    return _page(person, _form(person, names), names)


@routes.route("/people/<int:person_id>/benefits/save", methods=["POST"])
@roles_required(*ORGANISERS)
@keeps_input
def save_person_benefits(person_id):
    person = db.session.get(Person, person_id) or abort(404)
    if person.erased:
        abort(404)
    names = benefits.limit_names()
    form = _form(person, names)
    if not form.validate_on_submit():
        return _page(person, form, names, 400)
    data = _input(form, names)
    if not form.consent.data:
        if person.benefits_consent_at is not None:
            benefits.set_consent(person, False, current_user)
            db.session.commit()
            flash(_("Consent withdrawn. What we recorded about their benefits is deleted."))
            return redirect(url_for("organise.person_benefits", person_id=person.id))
        if _anything_typed(data):
            form.consent.errors.append(_("Tick that they agreed we can record which benefits they get, or "
                                         "nothing can be saved."))
            return _page(person, form, names, 400)
        flash(_("Nothing saved: they have not agreed we can record which benefits they get."))
        return redirect(url_for("organise.person_benefits", person_id=person.id))
    try:
        changed = benefits.set_consent(person, True, current_user)
        changed |= benefits.save_benefits(person, data, current_user)
    except benefits.BenefitsError as error:
        db.session.rollback()
        form.uc_assessment_day.errors.append(str(error))
        return _page(person, form, names, 400)
    db.session.commit()
    flash(_("Their benefits are saved.") if changed else _("Nothing had changed."))
    return redirect(url_for("organise.person_benefits", person_id=person.id))
