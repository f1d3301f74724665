"""Remittance advice (issue 17): once all of a person's lines in a finance return are paid or failed, and at
least one was paid, one message says what they were paid, for what and when (money/line_payments.py records
the paying; the view hands over who was paid). Someone on ESA gets it as an easy-read letter, for their
records."""
from sqlalchemy import select

from ..models import FinanceReturn, MessageKind, Person
from ..money import line_payments
from ..web.extensions import db
from . import compose, deliver


def dedupe_key(ret: FinanceReturn, person: Person) -> str:
    return f"remittance:r{ret.number}:p{person.id}"


def composed_for(ret: FinanceReturn, person: Person, lines: list, esa: bool) -> compose.Composed:
    return compose.remittance(person, ret.number, lines, esa=esa,
                              stop_url=deliver.stop_url(person, MessageKind.REMITTANCE))


def queue(ret: FinanceReturn, person_ids, by=None) -> int:
    """Queue the remittance advice of these people whose lines in the return are all settled, once per person
    per return (in the caller's transaction). Returns how many were queued."""
    lines = line_payments.paid_lines(ret, line_payments.settled_people(ret, person_ids)) if person_ids else {}
    if not lines:
        return 0
    esa = line_payments.gets_esa(lines)
    queued = 0
    for person in db.session.scalars(select(Person).where(Person.id.in_(list(lines))).order_by(Person.id)):
        message = deliver.send(person, MessageKind.REMITTANCE, composed_for(ret, person, lines[person.id],
                                                                            person.id in esa),
                               by=by, dedupe_key=dedupe_key(ret, person))
        queued += message is not None
    return queued
