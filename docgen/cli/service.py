"""``docgen serve``, ``docgen worker``, ``docgen db``, ``docgen apikeys``: run the service
and administer it.

Each command builds the app through the same factory as the web workers (same settings),
calls the store's operations, and commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask

from docgen.cli.common import cli_settings, print_json
from docgen.store.keys import SCOPES


@contextmanager
def app_context() -> Iterator[Flask]:
    """The app built from the settings, its context pushed (commands commit themselves)."""
    from docgen.web import ConfigError, create_app

    try:
        app = create_app(settings=cli_settings())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        yield app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes (default: the WORKERS setting, 0 = cores + 1).",
)
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the HTTP API with gunicorn; one LibreOffice pool beside the workers, unless
    CONVERTERS lists convert-servers on other machines."""
    from docgen.convert.app import converter_urls
    from docgen.store.migrate import current_revision, head_revision
    from docgen.web.serve import serve as run

    with app_context() as app:
        url = app.config["DATABASE_URL"]
        count = workers or int(app.config["WORKERS"]) or len(os.sched_getaffinity(0)) + 1
        timeout = int(app.config["WORKER_TIMEOUT"])
        reading = {
            "read_timeout": float(app.config["REQUEST_READ_TIMEOUT"]),
            "min_rate": float(app.config["REQUEST_MIN_RATE"]),
            "max_body": int(app.config["MAX_CONTENT_LENGTH"]),
            "metrics_dir": str(app.config["METRICS_DIR"]),
            "log_format": str(app.config["LOG_FORMAT"]).lower(),
            "consume": not app.config["QUEUE_URL"],
        }
        local_pdf = not converter_urls(app.config["CONVERTERS"])
    if current_revision(url) != head_revision():
        raise click.ClickException("the database is not up to date: run `docgen db upgrade`")
    run(host, port, count, timeout, local_pdf=local_pdf, settings=cli_settings(), **reading)


@click.command()
@click.option(
    "--jobs",
    "threads",
    default=None,
    type=click.IntRange(1, 64),
    help="Jobs run at once (default: the JOB_WORKERS setting).",
)
@click.option(
    "--resume",
    is_flag=True,
    hidden=True,
    help="The queue's only consumer: queue again what a previous run left.",
)
@click.option(
    "--parent",
    type=int,
    default=None,
    hidden=True,
    help="Stop when this process (the service that started it) is gone.",
)
def worker(threads: int | None, resume: bool, parent: int | None) -> None:
    """Run batch jobs from the queue (QUEUE_URL) until stopped, on any machine."""
    import logging
    import sys

    from docgen.jobs.queue import run_consumer
    from docgen.store.migrate import current_revision, head_revision
    from docgen.web import ConfigError, create_app
    from docgen.web.serve import LOG_FORMAT, setup_logging

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=LOG_FORMAT)
    try:
        app = create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if current_revision(app.config["DATABASE_URL"]) != head_revision():
        raise click.ClickException("the database is not up to date: run `docgen db upgrade`")
    setup_logging(str(app.config["LOG_FORMAT"]).lower())
    run_consumer(app, threads or int(app.config["JOB_WORKERS"]), resume=resume, parent=parent)


@click.group()
def db() -> None:
    """The service's database: migrations."""


@db.command()
def upgrade() -> None:
    """Create the database or bring it to the latest schema (Alembic migrations)."""
    from docgen.store.migrate import current_revision
    from docgen.store.migrate import upgrade as run_upgrade

    with app_context() as app:
        url = app.config["DATABASE_URL"]
    run_upgrade(url)
    click.echo(f"database at revision {current_revision(url)}", err=True)


@db.command()
def current() -> None:
    """Print the database's schema revision and the latest one."""
    from docgen.store.migrate import current_revision, head_revision

    with app_context() as app:
        url = app.config["DATABASE_URL"]
    click.echo(f"current: {current_revision(url) or 'none'}  latest: {head_revision()}")


@click.group()
def apikeys() -> None:
    """API keys: create (the key is printed once), revoke, list."""


@apikeys.command()
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(SCOPES),
    help="A scope of the key; repeat for several.",
)
def create(name: str, scopes: tuple[str, ...]) -> None:
    """Create the key NAME and print it (only its hash is kept: copy it now)."""
    from docgen.store.database import db as database
    from docgen.store.keys import create_key

    with app_context():
        _key, token = create_key(database.session, name, scopes)
        database.session.commit()
    click.echo(token)


@apikeys.command()
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the key NAME: it is refused from now on."""
    from docgen.store.database import db as database
    from docgen.store.keys import revoke_key

    with app_context():
        revoke_key(database.session, name)
        database.session.commit()
    click.echo(f"revoked {name}", err=True)


@apikeys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_keys(as_json: bool) -> None:
    """List the keys: name, scopes, created, revoked."""
    from docgen.store.database import db as database
    from docgen.store.keys import list_keys as keys

    with app_context():
        rows = [
            {
                "name": k.name,
                "scopes": k.scopes.split(),
                "created_at": k.created_at,
                "revoked_at": k.revoked_at,
            }
            for k in keys(database.session)
        ]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            state = "revoked" if row["revoked_at"] else "active"
            click.echo(f"{row['name']:24} {state:8} {' '.join(row['scopes'])}")
