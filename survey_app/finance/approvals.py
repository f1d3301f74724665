"""Lines waiting for approval (approve many at once) and lines on hold, with the reason."""
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forms.auth import ConfirmForm

from ..access.roles import FINANCE, roles_required
from ..models import FinanceReturn, LineStatus, RecognitionLine
from ..models.base import LONDON
from ..money import budgets, line_payments
from ..money import recognition as rec
from ..web.extensions import db
from ..web.pages import Routes, record_id

routes = Routes()
LOAD = (joinedload(RecognitionLine.person), joinedload(RecognitionLine.meeting),
        joinedload(RecognitionLine.recorded_by))


@routes.route("/")
@roles_required(*FINANCE)
def home():
    waiting = db.session.scalar(select(func.count()).select_from(rec.lines_needing_approval().subquery()))
    held = db.session.scalar(select(func.count()).select_from(rec.held_lines().subquery()))
    ready = db.session.scalar(select(func.count()).select_from(rec.ready_for_return().subquery()))
    returns = db.session.scalars(select(FinanceReturn).options(joinedload(FinanceReturn.made_by))
                                 .order_by(FinanceReturn.number.desc()).limit(5)).all()
    year = rec.tax_year_start(datetime.now(LONDON).date())
    return render_template("finance/home.html", title=_("Finance"), waiting=waiting, held=held, ready=ready,
                           returns=returns, year=year, budgets=budgets.positions_for_year(year))


@routes.route("/approve", methods=["GET", "POST"])
@roles_required(*FINANCE)
def approve():
    form = ConfirmForm()
    if form.validate_on_submit():
        # "Approve every line I can approve" posts the ids the page offered (so a line recorded since the
        # page was drawn is never approved unseen); rec.approve still refuses the user's own and held lines.
        chosen = request.form.getlist("every" if request.form.get("all") else "line")
        ids = [i for i in map(record_id, chosen) if i is not None]
        lines = db.session.scalars(select(RecognitionLine).options(*LOAD)
                                   .where(RecognitionLine.id.in_(ids))).all() if ids else []
        if not lines:
            flash(_("Tick the lines you want to approve."))
        else:
            approved, refused = rec.approve(lines, current_user)
            db.session.commit()
            flash(_("Lines approved: %(count)d.", count=approved))
            for line, reason in refused:
                flash(_("%(name)s, %(day)s: %(reason)s", name=line.person.display_name,
                        day=line.activity_on.isoformat(), reason=reason))
        return redirect(url_for("finance.approve"))
    lines = db.session.scalars(rec.lines_needing_approval().options(*LOAD)).all()
    approvable = [line.id for line in lines if line.recorded_by_id != current_user.id and not rec.benefits_hold(line)]
    mileage = {line.id: line_payments.taxable_mileage_pence(line.expense_type, line.rate_pence, line.miles_tenths)
               for line in lines}
    return render_template("finance/approve.html", title=_("Lines to approve"), lines=lines, form=form,
                           approvable=approvable, lookalikes=rec.lookalike_ids(lines),
                           mileage={k: v for k, v in mileage.items() if v},
                           hmrc_pence=line_payments.hmrc_mileage_pence())


@routes.route("/held")
@roles_required(*FINANCE)
def held():
    lines = db.session.scalars(rec.held_lines().options(*LOAD)).all()
    return render_template("finance/held.html", title=_("Lines on hold"), lines=lines,
                           holds={line.id: rec.hold_reasons(line) for line in lines},
                           statuses={s.value: s.label for s in LineStatus})
