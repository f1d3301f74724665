"""`flask --app survey_app people erase PERSON`: erase a person's details on request
(see survey_app/privacy/erasure.py)."""
from datetime import UTC, datetime, time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..models import AuditEvent, Person
from ..models.base import LONDON
from ..privacy import erasure
from ..web.database import clear_wal
from ..web.extensions import db

people_cli = AppGroup("people", help="People who take part.")


@people_cli.command("erase")
@click.argument("person_id", metavar="PERSON", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(person_id, yes):
    """Erase the details of person number PERSON (the number in their page's address), keeping only
    their finance lines under a pseudonymous label until the law lets us delete them."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise click.ClickException(f"There is no person number {person_id}.")
    try:
        work = erasure.plan(person)
    except erasure.ErasureError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.echo(f"This removes person {person_id}'s name, contact details, support needs, voices and personal "
                   f"links for good. Their {len(work.line_ids)} recognition line(s) are kept as "
                   f"\"{work.label}\" until {work.keep_until.isoformat()}.")
        click.confirm("Erase their details?", abort=True)
    summary = erasure.erase_person(person)
    db.session.commit()
    checkpoint = clear_wal()  # the old values out of SQLite's write-ahead log too
    for sentence in summary.sentences():
        click.echo(sentence)
    if not checkpoint.done:
        click.echo(checkpoint.warning(), err=True)


@people_cli.command("erased")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only erasures on or after this day "
              "(YYYY-MM-DD, UK time).")
def erased(since):
    """List the erasures in the audit log (day and person number, nothing else), for erasing again after
    restoring a backup made before them."""
    query = select(AuditEvent.at, AuditEvent.record_id).where(AuditEvent.action == "erase",
                                                              AuditEvent.record_type == "Person")
    if since:
        start = datetime.combine(since.date(), time(0), tzinfo=LONDON).astimezone(UTC)
        query = query.where(AuditEvent.at >= start)
    rows = db.session.execute(query.order_by(AuditEvent.at, AuditEvent.id)).all()
    for at, person_id in rows:
        click.echo(f"{at.astimezone(LONDON).date().isoformat()} person {person_id}")
    click.echo(f"{len(rows)} erasure{'s' if len(rows) != 1 else ''}"
               + (f" since {since.date().isoformat()}." if since else "."))
