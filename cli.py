"""Command-line tools: ``flask setup``, ``flask seed``, ``flask users …``."""

import secrets
import sys

import click
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from account.users import create_user, ensure_roles
from models import User, db, writes
from models.user import ROLE_NAMES
from rules.validation import InventoryError

users_cli = AppGroup("users", help="Manage back-office accounts.")


def _read_password():
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLE_NAMES), default="editor", show_default=True)
@writes
def users_create(email, role):
    """Create an account. The password is prompted for, or read from standard input."""
    try:
        user = create_user(email, _read_password(), role)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.email} ({role}).")


@users_cli.command("list")
def users_list():
    """List accounts with their role and status."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        status = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role_name or '-'}\t{status}")


def _database_is_empty():
    return not inspect(db.engine).has_table("category")


@click.command("seed")
@click.option("--no-sample", is_flag=True, help="Only the standard categories, without the sample cookies.")
@writes
def seed_command(no_sample):
    """Load the standard categories and the sample inventory (idempotent)."""
    from inventory.seed import load_seed

    try:
        added = load_seed(sample=not no_sample)
    except InventoryError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    ensure_roles()
    db.session.commit()
    summary = ", ".join(f"{count} {name}" for name, count in added.items() if count) or "nothing new"
    click.echo(f"Seed loaded: {summary}.")


@click.command("setup")
@click.option("--admin-email", default="admin@example.com", show_default=True)
@writes
def setup_command(admin_email):
    """Migrate the database; on a new install, load the sample charte and create an admin."""
    from inventory.seed import load_seed

    new_install = _database_is_empty()
    upgrade()
    if new_install:
        load_seed()
        click.echo("New database: sample charte loaded (Opendatasoft's four cookies).")
    ensure_roles()
    db.session.commit()
    # A new install publishes its sample, an upgraded one its inventory: the policy is never empty.
    from inventory.publication.versions import current_version, ensure_first_version

    if current_version(db.session) is None and ensure_first_version(db.session) is not None:
        click.echo("Version 1 of the policy published from the inventory.")
    if db.session.scalar(select(func.count()).select_from(User)) == 0:
        password = secrets.token_urlsafe(12)
        create_user(admin_email, password, "admin")
        click.echo("")
        click.echo("  Back office administrator created (shown once, write it down):")
        click.echo(f"    e-mail:   {admin_email}")
        click.echo(f"    password: {password}")
        click.echo("")


def register(app):
    from charte.cli import add_policy_commands
    from inventory.cli import inventory_cli
    from inventory.publication.cli import policy_cli

    add_policy_commands(policy_cli)
    from scanner.cli import scan_cli

    app.cli.add_command(inventory_cli)
    app.cli.add_command(scan_cli)
    app.cli.add_command(policy_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(setup_command)
