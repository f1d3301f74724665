"""How finance pays (issue 17): each person's payment route, and each money kind's ledger and VAT codes.
A money line is stamped with its kind's codes when it is recorded and keeps them, as it keeps its rate."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..models import LedgerCode, PaymentRoute, Person, RecognitionKind, User
from ..models.base import utcnow
from ..privacy import records
from ..web.extensions import db

CODED_KINDS = (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER, RecognitionKind.EXPENSE)
DEFAULT_LEDGER = ""
DEFAULT_VAT = "OS"  # outside the scope of VAT: what paying an individual for their time is
ROUTE_HELD_KINDS = (RecognitionKind.PAYMENT, RecognitionKind.VOUCHER)
EXPENSES_ONLY_HOLD = _l("Expenses only: change their payment route or record expenses")


def codes_for(kind: RecognitionKind) -> tuple[str, str]:
    """(ledger code, VAT code) a new line of this kind carries; thanks lines carry none."""
    if kind not in CODED_KINDS:
        return "", ""
    row = db.session.scalar(select(LedgerCode).where(LedgerCode.kind == kind))
    return (row.ledger_code, row.vat_code) if row else (DEFAULT_LEDGER, DEFAULT_VAT)


def current_codes() -> dict[RecognitionKind, tuple[str, str]]:
    rows = {row.kind: row for row in db.session.scalars(select(LedgerCode))}
    return {kind: (rows[kind].ledger_code, rows[kind].vat_code) if kind in rows else (DEFAULT_LEDGER, DEFAULT_VAT)
            for kind in CODED_KINDS}


def save_codes(codes: dict[RecognitionKind, tuple[str, str]], by: User) -> int:
    """Set each kind's codes; returns how many kinds changed (an unchanged save writes no event). Lines already
    recorded keep the codes they were made with."""
    rows = {row.kind: row for row in db.session.scalars(select(LedgerCode))}
    changed = 0
    for kind, (ledger, vat) in codes.items():
        row = rows.get(kind)
        if row is None:
            if (ledger, vat) == (DEFAULT_LEDGER, DEFAULT_VAT):
                continue  # no row already means these codes
            records.create(LedgerCode, by=by, kind=kind, ledger_code=ledger, vat_code=vat, updated_at=utcnow())
            changed += 1
        elif (row.ledger_code, row.vat_code) != (ledger, vat):
            records.update(row, by=by, ledger_code=ledger, vat_code=vat, updated_at=utcnow())
            changed += 1
    return changed


def set_payment_route(person: Person, route: PaymentRoute, by: User) -> bool:
    """Record how finance pays this person, who decided and when; the same route again changes nothing."""
    if person.payment_route == route:
        return False
    return records.update(person, by=by, payment_route=route, payment_route_by_id=by.id,
                          payment_route_at=utcnow())


def route_holds(person: Person, kind: RecognitionKind) -> bool:
    """Payments and vouchers wait while finance may pay this person expenses only."""
    return kind in ROUTE_HELD_KINDS and person.payment_route == PaymentRoute.EXPENSES_ONLY
