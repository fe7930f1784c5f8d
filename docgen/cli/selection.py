"""``docgen selection``: rank candidates by a criteria set of the regulations."""

from __future__ import annotations

import click

from docgen.cli.common import DATA_HELP, print_json, read_json
from docgen.operations import selection as selection_ops
from docgen.rules.selection import criteria_sets


@click.group()
def selection() -> None:
    """Selection rankings computed from the regulations."""


@selection.command()
@click.option("--data", "source", required=True, help=DATA_HELP)
def rank(source: str) -> None:
    """Print the ranking, the three lists and the deadlines as JSON."""
    data = read_json(source)
    if not selection_ops.needs_registry(data):
        print_json(selection_ops.rank(None, data))
        return
    from docgen.cli.service import app_context
    from docgen.store.database import db

    with app_context():
        print_json(selection_ops.rank(db.session, data))


@selection.command("criteria")
def list_criteria() -> None:
    """List the criteria sets."""
    for name in criteria_sets():
        click.echo(name)
