"""The ``docgen`` command line: thin commands over the same operations as the web layer.

Each area has its own module here, registered on the main group below. The group builds the
settings once (checked as the web app checks them) and hands them to every command as the
click context's object (:func:`docgen.cli.common.cli_settings`).
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
from docgen.config import ConfigError, Settings
from docgen.convert import cli as convert


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docgen")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Documents and forms for the Erasmus+ and international relations office."""
    try:
        ctx.obj = Settings.load()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


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
cli.add_command(service.db)
cli.add_command(service.apikeys)
cli.add_command(users.users)
cli.add_command(partners.partners)
cli.add_command(ewp.ewp)


def main() -> None:
    """Entry point of the console script and of ``python -m docgen``."""
    run_guarded(cli)
