"""`flask --app survey_app finance export RETURN_NUMBER --output FILE`: the Excel return, for payroll;
`... finance import-file RETURN_NUMBER --output FILE`: the return's import file, in finance's layout."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from exports.finance_return import write_return

from ..models import FinanceReturn
from ..money import import_file, return_data
from ..privacy import audit
from ..web.extensions import db

finance_cli = AppGroup("finance", help="Finance returns.")


def _return(number: int) -> FinanceReturn:
    ret = db.session.scalar(select(FinanceReturn).where(FinanceReturn.number == number))
    if ret is None:
        raise click.ClickException(f"There is no finance return number {number}.")
    return ret


@finance_cli.command("export")
@click.argument("number", type=int)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the .xlsx file.")
def export(number, output):
    """Write finance return NUMBER as an Excel workbook."""
    ret = _return(number)
    with open(output, "wb") as out:
        write_return(*return_data.return_rows(ret), out)
    click.echo(f"Wrote finance return {number} to {output}.")


@finance_cli.command("import-file")
@click.argument("number", type=int)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the file (CSV or .xlsx, as the import layout says).")
def import_file_command(number, output):
    """Write finance return NUMBER's import file, in the import layout."""
    ret = _return(number)
    layout = import_file.current_layout()
    with open(output, "wb") as out:
        import_file.write(ret, layout, out)
    audit.record("download-import-file", ret)  # as the page does: who took a copy of payment details
    db.session.commit()
    click.echo(f"Wrote finance return {number}'s import file ({layout.file_format}) to {output}.")
