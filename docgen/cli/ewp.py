"""``docgen ewp``: Erasmus Without Paper XML in and out (IIAs, learning agreements)."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import write_atomically
from docgen.cli.service import app_context
from docgen.errors import MalformedInput


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MalformedInput.at("", f"cannot read {path}: {exc.strerror}") from exc


@click.group()
def ewp() -> None:
    """Import and export EWP documents: inter-institutional agreements (IIA v7)."""


@ewp.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Read FILE, an IIA, and store it as an agreement (its id is printed)."""
    from docgen.operations.registry import import_agreement_iia
    from docgen.store.database import db

    data = _read(file)
    with app_context():
        row = import_agreement_iia(db.session, data, None)
        db.session.commit()
        click.echo(row.id)


@ewp.group("export")
def export_group() -> None:
    """Write an EWP document from docgen's data."""


@export_group.command("agreement")
@click.argument("agreement_id", type=int)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the iias-get-response XML.",
)
def export_agreement(agreement_id: int, output: Path) -> None:
    """Write registry agreement AGREEMENT_ID as an EWP iias-get-response (v7)."""
    from docgen.operations.registry import export_agreement_iia
    from docgen.store.database import db

    with app_context():
        data = export_agreement_iia(db.session, agreement_id)
    write_atomically(output, data)
