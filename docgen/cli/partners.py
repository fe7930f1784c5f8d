"""``docgen partners``: the registry of institutions and agreements."""

from __future__ import annotations

import click

from docgen.cli.common import print_json
from docgen.cli.service import app_context


@click.group()
def partners() -> None:
    """Partner institutions and agreements: import the seeds, list, show."""


@partners.command("import-seeds")
def import_seeds_command() -> None:
    """Create every partner and agreement of the office's seed texts (kept ones stay)."""
    from docgen.operations.registry import import_seeds
    from docgen.store.database import db

    with app_context():
        report = import_seeds(db.session, None)
        db.session.commit()
    click.echo(
        f"institutions: {report.institutions_created} created, {report.institutions_kept} kept; "
        f"agreements: {report.agreements_created} created, {report.agreements_kept} kept; "
        f"home institution: {report.home_id}",
        err=True,
    )


@partners.command("list")
@click.option("--country", help="Only this country (ISO code, e.g. RS).")
@click.option("--type", "agreement_type", help="Only partners with an agreement of this type.")
@click.option("--search", "text", help="Words to find in names, codes, cities, contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(
    country: str | None, agreement_type: str | None, text: str | None, as_json: bool
) -> None:
    """List the registry's institutions with what they still lack."""
    from docgen.store import registry as store
    from docgen.store.database import db

    with app_context():
        rows, _total = store.list_institutions(
            db.session, text=text, country=country, agreement_type=agreement_type, per_page=10_000
        )
        items = [
            {
                "id": row.id,
                "home": row.is_home,
                "erasmus_code": row.erasmus_code,
                "country": row.country,
                "city": row.city,
                "name": row.name,
                "missing": store.institution_model(row).missing,
            }
            for row in rows
        ]
    if as_json:
        print_json(items)
        return
    for item in items:
        code = item["erasmus_code"] or "-"
        mark = "*" if item["home"] else " "
        click.echo(f"{item['id']:>4}{mark} {item['country']} {code:<13} {item['name']}")


@partners.command("show")
@click.argument("institution_id", type=int)
def show_command(institution_id: int) -> None:
    """Print one institution with its agreements and its history, as JSON."""
    from docgen.store import registry as store
    from docgen.store.database import db

    with app_context():
        row = store.get_institution(db.session, institution_id)
        model = store.institution_model(row)
        print_json(
            {
                "id": row.id,
                "home": row.is_home,
                **row.data,
                "missing": model.missing,
                "agreements": [
                    {"id": a.id, **a.data, "missing": store.agreement_model(a).missing}
                    for a in store.list_agreements(db.session, institution_id=row.id)
                ],
                "history": [
                    {"who": c.who, "at": c.at, "field": c.field, "old": c.old, "new": c.new}
                    for c in store.history(db.session, "institution", row.id)
                ],
            }
        )


@partners.command("home")
@click.argument("institution_id", type=int)
def home_command(institution_id: int) -> None:
    """Make INSTITUTION_ID the home institution (the one docgen serves; only one is)."""
    from docgen.store import registry as store
    from docgen.store.database import db

    with app_context():
        row = store.get_institution(db.session, institution_id)
        store.set_home(db.session, row, None)
        db.session.commit()
        click.echo(f"home institution: {row.id} {row.name}", err=True)
