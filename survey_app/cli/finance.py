"""`flask --app survey_app finance export RETURN_NUMBER --output FILE`: the Excel return, for payroll."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from exports.finance_return import write_return

from ..models import FinanceReturn
from ..money import return_data
from ..web.extensions import db

finance_cli = AppGroup("finance", help="Finance returns.")


@finance_cli.command("export")
@click.argument("number", type=int)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the .xlsx file.")
def export(number, output):
    """Write finance return NUMBER as an Excel workbook."""
    ret = db.session.scalar(select(FinanceReturn).where(FinanceReturn.number == number))
    if ret is None:
        raise click.ClickException(f"There is no finance return number {number}.")
    with open(output, "wb") as out:
        write_return(*return_data.return_rows(ret), out)
    click.echo(f"Wrote finance return {number} to {output}.")
