"""Recognising people's time: per meeting (nobody who came is forgotten) and per person."""
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.organise import enum_choices
from forms.recognition import (
    BenefitsForm,
    CorrectionForm,
    EveryoneForm,
    ExpenseForm,
    PaymentForm,
    ThanksForm,
    VoucherForm,
)

from ..access.roles import ORGANISERS, roles_required
from ..messages import triggers
from ..models import (
    ExpenseType,
    Group,
    Meeting,
    PaymentBasis,
    Person,
    RecognitionKind,
    RecognitionLine,
    RecognitionPreference,
    ThanksType,
)
from ..models.base import LONDON
from ..money import benefits
from ..money import recognition as rec
from ..money.recognition import LineInput, RecognitionError
from ..web.extensions import db
from ..web.formatting import with_theirs
from ..web.pages import Routes, keeps_input, record_id

routes = Routes()
FORMS = {RecognitionKind.PAYMENT: PaymentForm, RecognitionKind.VOUCHER: VoucherForm,
         RecognitionKind.THANKS: ThanksForm, RecognitionKind.EXPENSE: ExpenseForm}


@routes.route("/meetings/<int:meeting_id>/recognition")
@roles_required(*ORGANISERS)
def meeting_recognition(meeting_id):
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.group)]) or abort(404)
    lines = db.session.scalars(select(RecognitionLine).options(joinedload(RecognitionLine.person))
                               .where(RecognitionLine.meeting_id == meeting.id)
                               .order_by(RecognitionLine.id)).all()
    form = EveryoneForm()
    form.basis.choices = enum_choices(PaymentBasis)
    form.basis.data = form.basis.data or PaymentBasis.HALF_DAY.value
    return render_template("organise/meeting_recognition.html",
                           title=with_theirs(_("Recognition: %(name)s"), name=meeting.title),
                           meeting=meeting, lines=lines, waiting=rec.attended_not_recognised(meeting.id), form=form,
                           hours=rec.meeting_hours(meeting), kinds=list(RecognitionKind),
                           lookalikes=rec.lookalike_ids(lines),
                           preference_labels={p.value: p.label for p in RecognitionPreference})


@routes.route("/meetings/<int:meeting_id>/recognition/everyone", methods=["POST"])
@roles_required(*ORGANISERS)
def recognise_everyone(meeting_id):
    """One press records the usual recognition for everyone who came and has none yet, by their wishes."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    form = EveryoneForm()
    form.basis.choices = enum_choices(PaymentBasis)
    if not form.validate_on_submit():
        flash(_("Choose how they are paid."))
        return redirect(url_for("organise.meeting_recognition", meeting_id=meeting.id))
    try:
        done = rec.record_usual_for_everyone(meeting, PaymentBasis(form.basis.data),
                                         int(rec.meeting_hours(meeting) * 100), current_user)
    except RecognitionError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("organise.meeting_recognition", meeting_id=meeting.id))
    for person in done.permitted_work:
        triggers.permitted_work(person, by=current_user)
    db.session.commit()
    made, vouchers = done
    flash(ngettext("Recognition recorded for %(num)d person.", "Recognition recorded for %(num)d people.", made))
    if vouchers:
        flash(_("Record their voucher on their page: %(names)s.", names=", ".join(vouchers)))
    if done.over_limit:
        flash(_("Not recorded, because it would go over a benefits limit: record it on their page with a reason "
                "(%(names)s).", names=", ".join(done.over_limit)))
    return redirect(url_for("organise.meeting_recognition", meeting_id=meeting.id))


def _kind_form(kind: RecognitionKind, has_meeting: bool):
    form = FORMS[kind](meta={"has_meeting": has_meeting})
    if kind == RecognitionKind.PAYMENT:
        form.basis.choices = enum_choices(PaymentBasis)
    elif kind == RecognitionKind.THANKS:
        form.thanks_type.choices = enum_choices(ThanksType)
    elif kind == RecognitionKind.EXPENSE:
        form.expense_type.choices = enum_choices(ExpenseType)
    return form


def _line_input(kind, form, person, meeting) -> LineInput:
    data = LineInput(person=person, group_id=meeting.group_id if meeting else int(request.form.get("group", 0)),
                     activity_on=form.activity_on.data, kind=kind, meeting=meeting, activity=form.activity.data or "",
                     description=form.description.data or "", cost_code=form.cost_code.data or "")
    if kind == RecognitionKind.PAYMENT:
        data.basis = PaymentBasis(form.basis.data)
        data.hours_hundredths = int(form.hours.data * 100) if form.hours.data else None
    elif kind == RecognitionKind.VOUCHER:
        data.amount_pence, data.voucher_provider = form.value.data, form.provider.data
        data.voucher_serial, data.voucher_handed_over_on = form.serial.data or "", form.handed_over_on.data
        data.voucher_signed_for = bool(form.signed_for.data)
    elif kind == RecognitionKind.THANKS:
        data.thanks_type = ThanksType(form.thanks_type.data)
    else:
        data.expense_type = ExpenseType(form.expense_type.data)
        data.amount_pence = form.amount.data
        data.miles_tenths = int(form.miles.data * 10) if form.miles.data else None
        data.receipt_seen = bool(form.receipt_seen.data)
    return data


@routes.route("/people/<int:person_id>/recognition/<kind>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def record_line(person_id, kind):
    person = db.session.get(Person, person_id) or abort(404)
    try:
        kind = RecognitionKind(kind)
    except ValueError:
        abort(404)
    meeting = db.session.get(Meeting, record_id(request.args.get("meeting")) or 0)
    groups = [] if meeting else db.session.scalars(select(Group).order_by(Group.name)).all()
    form = _kind_form(kind, meeting is not None)
    if not form.is_submitted():
        form.activity_on.data = (meeting.starts_at.astimezone(LONDON).date() if meeting
                                 else datetime.now(LONDON).date())
        if kind == RecognitionKind.PAYMENT and meeting:
            form.hours.data = rec.meeting_hours(meeting)
    # A second line of the same kind for the same meeting is recorded only by the "record another" button,
    # so Back and Save (or a second tab) never records an identical payment silently.
    repeat = rec.repeat_message(person, kind) if meeting and rec.has_line_like(person.id, meeting.id, kind) else ""
    status, warning = 200, ""
    refused = benefits.refusal(person, kind)
    reminder = benefits.permitted_work_reminder(person) if benefits.needs_permitted_work_form(person, kind) else ""
    if refused:
        if form.is_submitted():
            status = 409
    elif form.validate_on_submit():
        if not meeting and not any(str(g.id) == request.form.get("group") for g in groups):
            form.activity.errors.append(_("Choose the group this work was for."))
        else:
            try:
                _line, found = benefits.record_line(_line_input(kind, form, person, meeting), current_user,
                                                    reason=form.benefits_reason.data or "",
                                                    repeat_ok=request.form.get("record_again") == "yes")
                if found.needs_permitted_work_form:
                    triggers.permitted_work(person, by=current_user)
                db.session.commit()
                flash(_("Recognition recorded."))
                if reminder:
                    flash(reminder)
                if meeting:
                    return redirect(url_for("organise.meeting_recognition", meeting_id=meeting.id))
                return redirect(url_for("organise.person", person_id=person.id))
            except benefits.NeedsReason as error:
                db.session.rollback()
                warning = error.check.warning
                form.benefits_reason.errors.append(_("Give a reason to go ahead, or change what you record."))
            except rec.RepeatLine as error:
                db.session.rollback()
                repeat, status = str(error), 409
            except RecognitionError as error:
                db.session.rollback()
                form.activity_on.errors.append(str(error))
    return render_template("organise/recognition_form.html", form=form, person=person, meeting=meeting,
                           kind=kind, groups=groups, repeat=repeat, refused=refused, reminder=reminder,
                           warning=warning,
                           agreement_note=benefits.agreement_note(person, kind),
                           title=_("%(kind)s for %(name)s", kind=kind.label, name=person.display_name)), \
        400 if form.errors else status


@routes.route("/recognition/<int:line_id>/delete", methods=["POST"])
@roles_required(*ORGANISERS)
def delete_line(line_id):
    line = db.session.get(RecognitionLine, line_id) or abort(404)
    target = url_for("organise.person", person_id=line.person_id)
    try:
        rec.delete_line(line, current_user)
        db.session.commit()
        flash(_("Line removed."))
    except RecognitionError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(target), 409
    return redirect(target)


@routes.route("/recognition/<int:line_id>/correct", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
@keeps_input
def correct_line(line_id):
    line = db.session.get(RecognitionLine, line_id, options=[joinedload(RecognitionLine.person)]) or abort(404)
    if not line.locked:
        flash(_("Only a line in a finance return needs a correction. Remove it or record a new one instead."))
        return redirect(url_for("organise.person", person_id=line.person_id))
    if line.reverses_id is not None or rec.corrected(line):
        flash(_("This line has already been corrected."))
        return redirect(url_for("organise.person", person_id=line.person_id))
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            rec.correct(line, form.amount.data, form.reason.data, current_user)
            db.session.commit()
            flash(_("Correction recorded. Finance will see a reversal and the right amount in the next return."))
            return redirect(url_for("organise.person", person_id=line.person_id))
        except RecognitionError as error:
            db.session.rollback()
            form.amount.errors.append(str(error))
    return render_template("organise/correction_form.html", form=form, line=line,
                           title=_("Correct a line for %(name)s", name=line.person.display_name)), \
        400 if form.errors else 200


@routes.route("/people/<int:person_id>/benefits", methods=["POST"])
@roles_required(*ORGANISERS)
@keeps_input
def benefits_conversation(person_id):
    person = db.session.get(Person, person_id) or abort(404)
    form = BenefitsForm()
    if form.validate_on_submit():
        rec.record_benefits_conversation(person, form.talked_on.data, form.with_whom.data, current_user)
        db.session.commit()
        flash(_("Benefits conversation recorded. Their payments can now be approved."))
    else:
        for errors in form.errors.values():
            flash(errors[0])
    return redirect(url_for("organise.person", person_id=person.id))
