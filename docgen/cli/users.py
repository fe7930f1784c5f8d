"""``docgen users``: the staff who sign in to the web pages (create, password, disable,
enable, sign-out, list)."""

from __future__ import annotations

import sys

import click

from docgen.cli.common import print_json
from docgen.cli.service import app_context
from docgen.store.users import ROLES


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password read from standard input, or a generated one (and whether it was)."""
    from docgen.store.users import generate_password

    if not from_stdin:
        return generate_password(), True
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.UsageError("--password-stdin: standard input holds no password")
    return line, False


@click.group()
def users() -> None:
    """Staff accounts of the web pages: admin, officer (changes) or viewer (reads)."""


@users.command()
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="admin or officer may change data; viewer only reads.",
)
@click.option(
    "--password-stdin",
    "from_stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of generating one.",
)
def create(email: str, role: str, from_stdin: bool) -> None:
    """Create the user EMAIL; print the generated password once (only its hash is kept)."""
    from docgen.store.database import db
    from docgen.store.users import create_user

    password, generated = _password(from_stdin)
    with app_context():
        user = create_user(db.session, email, role, password)
        db.session.commit()
        click.echo(f"created {user.email} ({user.role})", err=True)
    if generated:
        click.echo(password)


@users.command("password")
@click.argument("email")
@click.option(
    "--password-stdin",
    "from_stdin",
    is_flag=True,
    help="Read the new password from standard input instead of generating one.",
)
def change_password(email: str, from_stdin: bool) -> None:
    """Give EMAIL a new password (printed once when generated)."""
    from docgen.store.database import db
    from docgen.store.users import set_password

    password, generated = _password(from_stdin)
    with app_context():
        set_password(db.session, email, password)
        db.session.commit()
    if generated:
        click.echo(password)


@users.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable EMAIL: every session of the user ends at once; signing in is refused."""
    _change(email, disabled=True)


@users.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable EMAIL again (with the password it had)."""
    _change(email, disabled=False)


@users.command("sign-out")
@click.argument("email")
def sign_out(email: str) -> None:
    """End every session of EMAIL, in every browser (e.g. after a lost laptop)."""
    _change(email, disabled=None)


def _change(email: str, disabled: bool | None) -> None:
    from docgen.errors import NotFound
    from docgen.store.database import db
    from docgen.store.users import end_sessions, find_user, normalise_email, set_disabled

    with app_context():
        user = find_user(db.session, email)
        if user is None:
            raise NotFound(f"no user {normalise_email(email)}")
        if disabled is None:
            end_sessions(user)
        else:
            set_disabled(db.session, user, disabled)
        db.session.commit()
        state = "disabled" if user.disabled_at else "enabled"
        click.echo(
            f"{user.email}: {state}, sessions ended"
            if disabled is not False
            else f"{user.email}: {state}",
            err=True,
        )


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_users(as_json: bool) -> None:
    """List the users: e-mail, role, last sign-in."""
    from docgen.store.database import db
    from docgen.store.users import list_users as all_users

    with app_context():
        rows = [
            {
                "email": u.email,
                "role": u.role,
                "created_at": u.created_at,
                "last_login_at": u.last_login_at,
                "disabled": u.disabled_at is not None,
            }
            for u in all_users(db.session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        last = row["last_login_at"].strftime("%Y-%m-%d %H:%M") if row["last_login_at"] else "-"
        state = " disabled" if row["disabled"] else ""
        click.echo(f"{row['email']:40} {row['role']:8} {last}{state}")
