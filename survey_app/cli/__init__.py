"""Command-line tools: `flask --app survey_app users ...`, `... demo load`, `... finance export`, `... backup`."""
from flask import Flask

from .backup import backup_cli
from .demo import demo_cli
from .finance import finance_cli
from .messages import messages_cli
from .people import people_cli
from .retention import retention_cli
from .users import users_cli


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(finance_cli)
    app.cli.add_command(people_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(messages_cli)
