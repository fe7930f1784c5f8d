"""``docgen ewp``: Erasmus Without Paper XML in and out (IIAs, learning agreements)."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import json_text, output_option, print_json, read_json, write_atomically
from docgen.cli.service import app_context
from docgen.errors import MalformedInput


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MalformedInput.at("", f"cannot read {path}: {exc.strerror}") from exc


@click.group()
def ewp() -> None:
    """Import and export EWP documents: IIAs (v7) and learning agreements (OLA v1)."""


@ewp.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(
    "Where to write a learning agreement's payload (JSON); default: standard output.",
    required=False,
)
def import_command(file: Path, output: Path | None) -> None:
    """Read FILE: an IIA is stored as an agreement (its id is printed); a learning agreement
    becomes a learning_agreement payload."""
    from docgen.registry.ewp.xml import IIA_NS, namespace, parse_xml

    data = _read(file)
    if namespace(parse_xml(data)) == IIA_NS:
        from docgen.operations.registry import import_agreement_iia
        from docgen.store.database import db

        with app_context():
            row = import_agreement_iia(db.session, data, None)
            db.session.commit()
            click.echo(row.id)
        return
    from docgen.operations.registry import learning_agreement_payload
    from docgen.store.database import db

    warnings: list[str] = []
    with app_context():
        payload = learning_agreement_payload(db.session, data, warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        print_json(payload)
    else:
        write_atomically(output, (json_text(payload) + "\n").encode("utf-8"))


@ewp.group("export")
def export_group() -> None:
    """Write an EWP document from docgen's data."""


@export_group.command("agreement")
@click.argument("agreement_id", type=int)
@output_option("Where to write the iias-get-response XML.")
def export_agreement(agreement_id: int, output: Path) -> None:
    """Write registry agreement AGREEMENT_ID as an EWP iias-get-response (v7)."""
    from docgen.operations.registry import export_agreement_iia
    from docgen.store.database import db

    with app_context():
        data = export_agreement_iia(db.session, agreement_id)
    write_atomically(output, data)


@export_group.command("learning_agreement")
@click.option("--data", "source", required=True, help="The learning_agreement payload (JSON).")
@output_option("Where to write the omobility-las-get-response XML.")
def export_learning_agreement(source: str, output: Path) -> None:
    """Write a learning_agreement payload as an EWP omobility-las-get-response."""
    from docgen.registry.ewp.la_export import export_la

    write_atomically(output, export_la(read_json(source)))
