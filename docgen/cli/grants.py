"""``docgen grants``: what a mobility is paid, from its call's rate table."""

from __future__ import annotations

import click

from docgen.cli.common import DATA_HELP, cli_settings, print_json, read_json
from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.rules.explain import explain_call, explain_text
from docgen.rules.grants import find_table, quote_grant, quote_to_json
from docgen.rules.rates import rate_tables


@click.group()
def grants() -> None:
    """Grant quotes computed from the regulations."""


@grants.command()
@click.option("--data", "source", required=True, help=DATA_HELP)
def quote(source: str) -> None:
    """Print the grant of one mobility as JSON (amounts as strings with two decimals)."""
    request = validate(QuoteRequest, read_json(source))
    result = quote_grant(request, cli_settings().rates_dir)
    if request.agreement is not None:
        from docgen.cli.service import app_context
        from docgen.operations.registry import check_caps
        from docgen.store.database import db

        with app_context():
            check_caps(db.session, result)
    print_json(quote_to_json(result))


@click.group()
def rules() -> None:
    """The regulations' data: what each call pays, in words."""


@rules.command()
@click.option("--call", "call_id", required=True, help="Id of the call (see: docgen grants calls).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def explain(call_id: str, as_json: bool) -> None:
    """Print a call's rate table in words, with sources, to check it against the NA contract."""
    table = find_table(call_id, cli_settings().rates_dir)
    if as_json:
        print_json(explain_call(table))
    else:
        click.echo(explain_text(table), nl=False)


@grants.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def calls(as_json: bool) -> None:
    """List the calls (rate tables) docgen knows, with their currency and activities."""
    tables = rate_tables(cli_settings().rates_dir)
    if as_json:
        print_json(
            [
                {
                    "id": t.id,
                    "title": t.title,
                    "currency": t.currency,
                    "activities": sorted(t.activities),
                    "example_rates": t.example,
                    "source": t.source,
                }
                for t in tables.values()
            ]
        )
        return
    for t in tables.values():
        note = "  (example rates)" if t.example else ""
        click.echo(f"{t.id:16} {t.currency}  {', '.join(t.activities)}{note}")
