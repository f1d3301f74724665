"""Command-line tools: `flask --app survey_app users ...`, `... demo load`, `... finance export`."""
from flask import Flask

from .demo import demo_cli
from .finance import finance_cli
from .users import users_cli


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(finance_cli)
