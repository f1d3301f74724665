"""Finance returns: build the next one, look at it, download it for payroll, pay it line by line or all at
once, and print a person's remittance advice."""
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from exports.finance_return import write_return
from forms.finance import BuildReturnForm, PaidForm, PayLinesForm
from forms.tokens import new_form_token

from ..access.roles import FINANCE, roles_required
from ..messages import deliver, remittances, sending
from ..models import FinanceReturn, LineStatus, Person, RecognitionKind, RecognitionLine
from ..models.base import london_today
from ..money import import_file, line_payments, return_data
from ..money import recognition as rec
from ..participation import taking_part
from ..privacy import audit
from ..web.downloads import file_stream, xlsx_stream
from ..web.extensions import db
from ..web.pages import Routes, keeps_input, record_id

routes = Routes()


@routes.route("/returns", methods=["GET", "POST"])
@roles_required(*FINANCE)
@keeps_input
def returns():
    form = BuildReturnForm()
    if form.validate_on_submit():
        try:
            ret = rec.build_return(current_user, form.period_to.data, form.cost_code.data or "")
            db.session.commit()
            flash(_("Return %(number)d is ready. Its lines are now locked.", number=ret.number))
            return redirect(url_for("finance.finance_return", number=ret.number))
        except rec.RecognitionError as error:
            db.session.rollback()
            form.period_to.errors.append(str(error))
    sums = (select(RecognitionLine.return_id, func.count().label("n"), func.sum(RecognitionLine.amount_pence)
                   .label("total")).group_by(RecognitionLine.return_id).subquery())
    rows = db.session.execute(
        select(FinanceReturn, sums.c.n, sums.c.total).options(joinedload(FinanceReturn.made_by))
        .outerjoin(sums, sums.c.return_id == FinanceReturn.id).order_by(FinanceReturn.number.desc())).all()
    ready = db.session.scalar(select(func.count()).select_from(rec.ready_for_return().subquery()))
    return render_template("finance/returns.html", title=_("Finance returns"), form=form, rows=rows, ready=ready), \
        400 if form.errors else 200


def _return(number) -> FinanceReturn:
    return db.session.scalar(select(FinanceReturn).options(joinedload(FinanceReturn.made_by))
                             .where(FinanceReturn.number == number)) or abort(404)


def _page(ret: FinanceReturn, form: PayLinesForm | None = None, paid_form: PaidForm | None = None):
    """The return with its lines, each with how it was paid or why it failed, and the paying forms (their
    dates offer today)."""
    if form is None:
        form = PayLinesForm(formdata=None, data={"on": london_today()})
    if not form.form_token.data or form.errors:
        form.form_token.data = new_form_token()
    paid_form = paid_form or PaidForm(formdata=None, data={"paid_on": london_today()})
    lines = db.session.scalars(select(RecognitionLine).options(joinedload(RecognitionLine.person),
                                                               joinedload(RecognitionLine.meeting))
                               .where(RecognitionLine.return_id == ret.id)
                               .order_by(RecognitionLine.line_number).limit(500)).all()
    unpaid = db.session.scalar(select(func.count()).where(RecognitionLine.return_id == ret.id,
                                                          RecognitionLine.status == LineStatus.IN_RETURN))
    failed = [line.id for line in lines if line.status == LineStatus.PAYMENT_FAILED]
    return render_template("finance/return.html", title=_("Finance return %(number)d", number=ret.number), ret=ret,
                           lines=lines, totals=return_data.totals(ret), form=form, paid_form=paid_form,
                           unpaid=unpaid, paid_again=line_payments.paid_again_in(failed), statuses=LineStatus,
                           kind_labels={k.value: k.label for k in RecognitionKind}), 400 if form.errors else 200


@routes.route("/returns/<int:number>")
@roles_required(*FINANCE)
def finance_return(number):
    return _page(_return(number))


@routes.route("/returns/<int:number>/pay", methods=["POST"])
@roles_required(*FINANCE)
@keeps_input
def pay_lines(number):
    """Record the ticked lines (or every line not yet paid) as paid, with finance's reference and date, or as
    failed, with why. A double press finds the token used and does nothing again."""
    ret = _return(number)
    form = PayLinesForm()
    if not form.validate_on_submit():
        return _page(ret, form)
    every = bool(request.form.get("every"))
    ids = None if every else [i for i in map(record_id, request.form.getlist("line")) if i is not None]
    if not every and not ids:
        form.outcome.errors = [_("Tick the lines you want to record, or choose every line not yet paid.")]
        return _page(ret, form)
    if not taking_part.claim(form.form_token.data):
        flash(_("That was done already."))
        return redirect(url_for("finance.finance_return", number=ret.number))
    try:
        if form.outcome.data == "paid":
            done = line_payments.pay_lines(ret, ids, form.payment_ref.data, form.on.data, current_user)
            message = ngettext("%(num)d line recorded as paid.", "%(num)d lines recorded as paid.", done.count)
        else:
            done = line_payments.fail_lines(ret, ids, form.failure.data, form.on.data, current_user)
            message = ngettext("%(num)d line recorded as failed. It will be paid again in the next return.",
                               "%(num)d lines recorded as failed. They will be paid again in the next return.",
                               done.count)
        sent = remittances.queue(ret, done.people, by=current_user)
    except rec.RecognitionError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("finance.finance_return", number=ret.number))
    db.session.commit()
    flash(message if done.count else _("Those lines were already paid or failed, so nothing changed."))
    if ret.paid_on is not None and done.count:
        flash(_("Every line of return %(number)d is now paid or failed, so the return is paid.", number=ret.number))
    _remittances_flash(sent)
    return redirect(url_for("finance.finance_return", number=ret.number))


def _remittances_flash(sent: int) -> None:
    if sent:
        flash(ngettext("Remittance advice is on its way to %(num)d person. Letters wait on the letters page.",
                       "Remittance advice is on its way to %(num)d people. Letters wait on the letters page.", sent))


@routes.route("/returns/<int:number>/remittance/<int:person_id>")
@roles_required(*FINANCE)
def remittance(number, person_id):
    """A person's remittance advice for a return, to print: their paid lines in their language and format."""
    ret = _return(number)
    lines = line_payments.paid_lines(ret, [person_id]).get(person_id) or abort(404)
    person = db.session.get(Person, person_id) or abort(404)
    letter = remittances.composed_for(ret, person, lines, person_id in line_payments.gets_esa([person_id]))
    # Laid out as the letters batch lays out a letter, with their address at the top.
    page = sending.printed_pages([SimpleNamespace(
        html=letter.html, language=person.language or "en", to=deliver.address(person, "letter"),
        format=person.information_format.value)])[0]
    audit.record("view-remittance", ret, after={"person_id": person_id})  # a copy of what they were paid, printed
    db.session.commit()
    return render_template("finance/remittance.html",
                           title=_("Remittance advice: return %(number)d", number=ret.number), ret=ret, letter=page)


@routes.route("/returns/<int:number>/download")
@roles_required(*FINANCE)
def download(number):
    ret = _return(number)
    audit.record("download", ret)  # who took a copy of people's payment details, and when
    db.session.commit()
    return xlsx_stream(lambda out: write_return(*return_data.return_rows(ret), out), return_data.filename_stem(ret))


@routes.route("/returns/<int:number>/import")
@roles_required(*FINANCE)
def download_import(number):
    ret = _return(number)
    layout = import_file.current_layout()
    audit.record("download-import-file", ret)  # who took a copy of people's payment details, and when
    db.session.commit()
    return file_stream(lambda out: import_file.write(ret, layout, out), import_file.filename_stem(ret),
                       layout.extension)


@routes.route("/returns/<int:number>/paid", methods=["POST"])
@roles_required(*FINANCE)
@keeps_input
def mark_paid(number):
    ret = _return(number)
    form = PaidForm()
    if form.validate_on_submit():
        try:
            done = line_payments.mark_paid(ret, form.paid_on.data, current_user)
            sent = remittances.queue(ret, done.people, by=current_user)
            db.session.commit()
            flash(_("Return %(number)d is marked paid.", number=ret.number))
            _remittances_flash(sent)
        except rec.RecognitionError as error:
            db.session.rollback()
            flash(str(error))
    else:
        for errors in form.errors.values():
            flash(errors[0])
    return redirect(url_for("finance.finance_return", number=ret.number))
