"""Staff accounts from the command line, and the one-time link that creates the first admin."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..access import accounts
from ..models import Role
from ..web.extensions import db

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Full name (defaults to the part of the email before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, name, password_stdin):
    """Create a staff account. The password is asked for, or read from standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password must be at least {accounts.MIN_PASSWORD_LENGTH} characters.")
    if accounts.find_user(email) is not None:
        raise click.ClickException(f"There is already an account for {accounts.normalise_email(email)}.")
    try:
        user = accounts.create_user(email, name or email.split("@")[0], Role(role), password)
    except accounts.AccountError as error:  # a common password, or the email itself
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@users_cli.command("setup-link")
@click.option("--base-url", default=None,
              help="The hub's address; default PUBLIC_BASE_URL, or http://127.0.0.1:5000 without it.")
def setup_link(base_url):
    """If there is no admin yet, print a one-time link for creating the first one."""
    base_url = base_url or current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    if accounts.admin_exists():
        return
    token = accounts.issue_setup_token()
    db.session.commit()
    url = f"{base_url.rstrip('/')}/setup/{token}"
    click.echo("")
    click.echo("There is no admin account yet. Open this link once to create the first admin")
    click.echo(f"(it works for {accounts.SETUP_TOKEN_HOURS} hours):")
    click.echo(f"    {url}")
    click.echo("")
