"""Payee references and payment routes: each person's number in the payroll or supplier system and how
finance pays them, with who decided and when. Finance sees names, references and amounts here, never contact,
health or access details."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from forms.finance import PayeeRefForm
from forms.payments import PaymentRouteForm

from ..access.roles import FINANCE, roles_required
from ..models import PaymentRoute, Person, RecognitionLine, User
from ..money import paying
from ..money import recognition as rec
from ..web.extensions import db
from ..web.pages import Routes

routes = Routes()


@routes.route("/payees")
@roles_required(*FINANCE)
def payees():
    missing_only = request.args.get("show") != "all"
    money = (select(RecognitionLine.person_id, func.count().label("n"), func.sum(RecognitionLine.amount_pence)
                    .label("total")).where(RecognitionLine.kind.in_(rec.MONEY_KINDS))
             .group_by(RecognitionLine.person_id).subquery())
    decider = aliased(User)
    query = (select(Person.id, Person.first_name, Person.last_name, Person.payee_ref, money.c.n, money.c.total,
                    Person.payment_route, decider.name, Person.payment_route_at)
             .join(money, money.c.person_id == Person.id)
             .outerjoin(decider, decider.id == Person.payment_route_by_id)
             .order_by(Person.last_name, Person.first_name))
    if missing_only:
        query = query.where(Person.payee_ref == "")
    rows = db.session.execute(query).all()
    return render_template("finance/payees.html", title=_("Payee references"), rows=rows, missing_only=missing_only,
                           form=PayeeRefForm(), route_form=_route_form(), routes=list(PaymentRoute))


def _route_form() -> PaymentRouteForm:
    form = PaymentRouteForm()
    form.payment_route.choices = [("", _("Not decided yet"))] + [(r.value, r.label) for r in PaymentRoute]
    return form


def _payee(person_id) -> Person:
    """Only someone on the payees list (a person with money lines) has a payee reference or route; anyone else
    is "not found", so this cannot be used to learn who is behind a person id."""
    has_money = db.session.scalar(select(RecognitionLine.id).where(RecognitionLine.person_id == person_id,
                                                                   RecognitionLine.kind.in_(rec.MONEY_KINDS))
                                  .limit(1))
    return (db.session.get(Person, person_id) if has_money else None) or abort(404)


@routes.route("/payees/<int:person_id>", methods=["POST"])
@roles_required(*FINANCE)
def set_payee(person_id):
    person = _payee(person_id)
    form = PayeeRefForm()
    if form.validate_on_submit():
        rec.set_payee_ref(person, form.payee_ref.data, current_user)
        db.session.commit()
        flash(_("Payee reference saved."))  # no name: the list they came from shows whose it is
    else:
        for errors in form.errors.values():
            flash(errors[0])
    return redirect(url_for("finance.payees", show=request.args.get("show")))


@routes.route("/payees/<int:person_id>/route", methods=["POST"])
@roles_required(*FINANCE)
def set_route(person_id):
    person = _payee(person_id)
    form = _route_form()
    if form.validate_on_submit():
        try:
            route = PaymentRoute(form.payment_route.data)
        except ValueError:
            flash(_("Choose how finance pays them."))
        else:
            if paying.set_payment_route(person, route, current_user):
                db.session.commit()
            flash(_("Payment route saved."))
    else:
        for errors in form.errors.values():
            flash(errors[0])
    return redirect(url_for("finance.payees", show=request.args.get("show")))
