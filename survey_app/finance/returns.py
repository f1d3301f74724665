"""Finance returns: build the next one, look at it, download it for payroll, mark it paid."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from exports.finance_return import write_return
from forms.finance import BuildReturnForm, PaidForm

from ..access.roles import FINANCE, roles_required
from ..models import FinanceReturn, RecognitionKind, RecognitionLine
from ..money import import_file, return_data
from ..money import recognition as rec
from ..privacy import audit
from ..web.downloads import file_stream, xlsx_stream
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

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


@routes.route("/returns/<int:number>")
@roles_required(*FINANCE)
def finance_return(number):
    ret = _return(number)
    lines = db.session.scalars(select(RecognitionLine).options(joinedload(RecognitionLine.person),
                                                               joinedload(RecognitionLine.meeting))
                               .where(RecognitionLine.return_id == ret.id)
                               .order_by(RecognitionLine.line_number).limit(500)).all()
    return render_template("finance/return.html", title=_("Finance return %(number)d", number=ret.number), ret=ret,
                           lines=lines, totals=return_data.totals(ret), form=PaidForm(),
                           kind_labels={k.value: k.label for k in RecognitionKind})


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
            rec.mark_paid(ret, form.paid_on.data, current_user)
            db.session.commit()
            flash(_("Return %(number)d is marked paid.", number=ret.number))
        except rec.RecognitionError as error:
            db.session.rollback()
            flash(str(error))
    else:
        for errors in form.errors.values():
            flash(errors[0])
    return redirect(url_for("finance.finance_return", number=ret.number))
