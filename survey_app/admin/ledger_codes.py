"""Ledger and VAT codes: which codes each kind of money line carries into finance's import file. A line keeps
the codes it was recorded with, as it keeps its rate."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.payments import LedgerCodesForm

from ..access.roles import ADMINS, roles_required
from ..models import RecognitionKind
from ..money import paying
from ..web.extensions import db
from ..web.pages import Routes, keeps_input

routes = Routes()
FIELDS = {RecognitionKind.PAYMENT: "payment", RecognitionKind.VOUCHER: "voucher", RecognitionKind.EXPENSE: "expense"}


@routes.route("/ledger-codes", methods=["GET", "POST"])
@roles_required(*ADMINS)
@keeps_input
def ledger_codes():
    form = LedgerCodesForm()
    if not form.is_submitted():
        for kind, (ledger, vat) in paying.current_codes().items():
            form[f"{FIELDS[kind]}_ledger"].data, form[f"{FIELDS[kind]}_vat"].data = ledger, vat
    if form.validate_on_submit():
        paying.save_codes({kind: (form[f"{name}_ledger"].data or "", form[f"{name}_vat"].data)
                           for kind, name in FIELDS.items()}, current_user)
        db.session.commit()
        flash(_("Ledger and VAT codes saved. Lines already recorded keep the codes they were made with."))
        return redirect(url_for("admin.ledger_codes"))
    return render_template("admin/ledger_codes.html", title=_("Ledger and VAT codes"), form=form), \
        400 if form.errors else 200
