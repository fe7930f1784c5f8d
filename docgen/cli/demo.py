"""``docgen demo``: what ``make run`` shows on the shipped samples."""

from __future__ import annotations

import click

from docgen.cli.common import cli_settings, print_json, read_json
from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.rules.grants import quote_grant, quote_to_json
from docgen.rules.selection import rank_candidates


@click.command()
def demo() -> None:
    """Quote the sample grants and rank the sample candidates."""
    settings = cli_settings()
    samples = settings.SAMPLES_DIR
    for name in ("quote-incoming-sta", "quote-visiting", "quote-outgoing-sms"):
        click.secho(f"== docgen grants quote --data samples/{name}.json", bold=True)
        request = validate(QuoteRequest, read_json(str(samples / f"{name}.json")))
        print_json(quote_to_json(quote_grant(request, settings.rates_dir)))
    click.secho("== docgen selection rank --data samples/selection-incoming.json", bold=True)
    print_json(rank_candidates(read_json(str(samples / "selection-incoming.json"))))
