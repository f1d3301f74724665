"""`flask --app survey_app retention run [--dry-run]`: delete what is past its keep-until date
(see survey_app/privacy/retention.py)."""
import click
from flask.cli import AppGroup

from ..privacy import retention

retention_cli = AppGroup("retention", help="Deleting records we no longer need to keep.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed; change nothing.")
def run(dry_run):
    """Erase people not seen for RETENTION_INACTIVE_YEARS years (as `people erase` does); delete erased
    people past their keep-until date (with their finance lines), old form tokens, old sign-in attempts,
    ended staff sessions and used setup links; print what was done."""
    report = retention.run(dry_run=dry_run)
    for sentence in report.sentences():
        click.echo(sentence)
    if dry_run:
        click.echo("Dry run: nothing was changed.")
    elif report.checkpoint is not None and not report.checkpoint.done:
        click.echo(report.checkpoint.warning(), err=True)
