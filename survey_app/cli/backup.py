"""`flask --app survey_app backup create FILE` and `... backup restore FILE` (see docs/backups.md)."""
import click
from flask.cli import AppGroup

from ..privacy import backup

backup_cli = AppGroup("backup", help="Back up the database, or restore a backup into an empty database.")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False))
def create(file):
    """Write a consistent copy of the database to FILE while the service keeps running."""
    try:
        summary = backup.create_backup(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {summary.describe()} to {file}.")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
def restore(file):
    """Restore the backup in FILE into the configured database, which must be empty."""
    try:
        summary = backup.restore_backup(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {summary.describe()} from {file}.")
    if summary.note:
        click.echo(summary.note)
    if summary.erasures_note:
        click.echo(summary.erasures_note)
