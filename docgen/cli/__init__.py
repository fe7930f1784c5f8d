"""The ``docgen`` command line: thin commands over the same operations as the web layer.

Each area has its own module here, registered on the main group below.
"""

from __future__ import annotations

import click

from docgen import __version__
from docgen.cli import (
    demo,
    documents,
    ewp,
    forms,
    grants,
    partners,
    selection,
    service,
    users,
)
from docgen.cli.common import run_guarded
from docgen.convert import cli as convert


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docgen")
def cli() -> None:
    """Documents and forms for the Erasmus+ and international relations office."""


cli.add_command(grants.grants)
cli.add_command(grants.rules)
cli.add_command(selection.selection)
cli.add_command(demo.demo)
cli.add_command(documents.kinds)
cli.add_command(documents.schema)
cli.add_command(documents.render)
cli.add_command(documents.batch)
cli.add_command(documents.batch_template_command)
cli.add_command(documents.templates)
cli.add_command(convert.convert)
cli.add_command(convert.convert_server)
cli.add_command(forms.forms)
cli.add_command(service.serve)
cli.add_command(service.worker)
cli.add_command(service.db)
cli.add_command(service.apikeys)
cli.add_command(users.users)
cli.add_command(partners.partners)
cli.add_command(ewp.ewp)


def main() -> None:
    """Entry point of the console script and of ``python -m docgen``."""
    run_guarded(cli)
