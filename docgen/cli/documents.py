"""``docgen kinds``, ``schema``, ``render``, ``batch``, ``batch-template``, ``templates``."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from docgen.cli.common import (
    DATA_HELP,
    EXIT_FAILED,
    EXIT_INVALID,
    cli_settings,
    output_option,
    print_json,
    read_json,
    write_atomically,
)
from docgen.convert import convert_docx_to_pdf, default_converter
from docgen.documents.batch import validate_rows, write_zip
from docgen.documents.check import check_templates
from docgen.documents.kinds import KINDS, LANGS, get_kind
from docgen.documents.snapshot import write_snapshot
from docgen.documents.tabular import batch_template, read_batch
from docgen.errors import MalformedInput

KIND = click.Choice(sorted(KINDS))
LANG = click.option(
    "--lang", type=click.Choice(LANGS), required=True, help="Language of the document."
)


PDFA = click.option("--pdfa", is_flag=True, help="PDF/A-2b for archiving (PDF output only).")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def kinds(as_json: bool) -> None:
    """List the document kinds and their languages."""
    root = cli_settings().TEMPLATES_DIR
    rows = [
        {
            "kind": k.id,
            "title": k.title,
            "languages": [lang for lang in LANGS if (root / lang / f"{k.id}.docx").is_file()],
        }
        for k in KINDS.values()
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['kind']:28} {', '.join(row['languages'])}  {row['title']['en']}")


@click.command()
@click.argument("kind", type=KIND, metavar="KIND")
def schema(kind: str) -> None:
    """Print the JSON Schema of a kind's payload (KIND: see `docgen kinds`)."""
    print_json(get_kind(kind).model.model_json_schema())


def _with_registry(kind: str, data: Any, make: Callable[[Any], Any]) -> Any:
    """``make(session)`` with the database's session when the payload needs the registry
    (institutions named by code, the home one left out, an agreement's places), else
    ``make(None)``: the registry then takes no part."""
    from docgen.registry.fill import wants_registry

    if not wants_registry(kind, data):
        return make(None)
    from docgen.cli.service import app_context
    from docgen.store.database import db

    with app_context():
        return make(db.session)


def _validate_rows(kind: str, rows: list[Any], rates_dir: str) -> tuple[list[Any], Any]:
    """The batch's rows validated, completed from the registry when some row needs it."""
    from docgen.registry.fill import wants_registry

    if not any(wants_registry(kind, row.data) for row in rows):
        return validate_rows(kind, rows, rates_dir)
    from docgen.cli.service import app_context
    from docgen.operations.registry import ContractCaps, complete_payload
    from docgen.store.database import db

    with app_context():
        caps = ContractCaps(db.session) if kind == "financial_contract" else None
        return validate_rows(
            kind,
            rows,
            rates_dir,
            fill=lambda data: complete_payload(db.session, kind, data),
            check=caps.check if caps else None,
        )


@click.command()
@click.argument("kind", type=KIND, metavar="KIND")
@LANG
@click.option("--data", "source", required=True, help=DATA_HELP)
@output_option(
    "Output file (default: <kind>-<reference>-<lang>.<format> in the current directory).",
    required=False,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf"]),
    default="docx",
    show_default=True,
    help="DOCX, or PDF through LibreOffice.",
)
@PDFA
def render(kind: str, lang: str, source: str, output: Path | None, fmt: str, pdfa: bool) -> None:
    """Render one document from a JSON payload (KIND: see `docgen kinds`)."""
    settings = cli_settings()
    data = read_json(source)

    def make(session: Any = None) -> Any:
        from docgen.operations.documents import make_document

        return make_document(
            kind,
            lang,
            fmt,
            data,
            templates=settings.TEMPLATES_DIR,
            convert=lambda docx: convert_docx_to_pdf(docx, pdfa=pdfa, config=settings.as_config()),
            rates_dir=settings.rates_dir,
            where="",
            session=session,
        )

    made = _with_registry(kind, data, make)
    target = output or Path(made.filename)
    write_atomically(target, made.content)
    click.echo(str(target))


@click.command()
@click.argument("kind", type=KIND, metavar="KIND")
@LANG
@click.option(
    "--data",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON list of payloads, or CSV/XLSX with one row per document.",
)
@output_option("The ZIP to write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf", "both"]),
    default="docx",
    show_default=True,
    help="DOCX, PDF through LibreOffice, or both side by side.",
)
@PDFA
def batch(kind: str, lang: str, source: Path, output: Path, fmt: str, pdfa: bool) -> None:
    """Render one document per row into a ZIP; report every invalid row (KIND: `docgen kinds`).

    Exit 0 when every row was rendered, 1 when some rows were invalid (the ZIP holds the
    valid ones), 2 when the file cannot be read or no row is valid (no ZIP is written).
    """
    rows = read_batch(source.read_bytes(), source.name)
    if not rows:
        raise MalformedInput.at("", f"{source.name} holds no rows")
    settings = cli_settings()
    payloads, report = _validate_rows(kind, rows, settings.rates_dir)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if not payloads:
        click.echo(f"no valid row among {len(rows)}; nothing written", err=True)
        sys.exit(EXIT_INVALID)

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    try:
        with (
            os.fdopen(fd, "wb") as fh,
            click.progressbar(
                length=len(payloads),
                label=f"Rendering {len(payloads)} documents",
                file=sys.stderr,
            ) as bar,
        ):
            progress = lambda _index, _error: bar.update(1)  # noqa: E731
            if fmt == "docx":
                write_zip(
                    kind,
                    lang,
                    payloads,
                    fh,
                    report,
                    on_item=progress,
                    root=settings.TEMPLATES_DIR,
                    rates_dir=settings.rates_dir,
                )
            else:
                converter = default_converter(settings.as_config())
                write_zip(
                    kind,
                    lang,
                    payloads,
                    fh,
                    report,
                    fmt=fmt,  # type: ignore[arg-type]
                    convert=lambda docx: converter.convert(docx, pdfa=pdfa),
                    # One job more than instances waits in the pool's queue, so that no
                    # instance idles between two jobs.
                    parallel=getattr(converter, "size", 1) + 1,
                    on_item=progress,
                    root=settings.TEMPLATES_DIR,
                    rates_dir=settings.rates_dir,
                )
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(
        f"{output}: {len(report.written)} documents; {report.invalid_rows} invalid rows",
        err=True,
    )
    if report.invalid_rows:
        sys.exit(EXIT_FAILED)


@click.command("batch-template")
@click.argument("kind", type=KIND, metavar="KIND")
@output_option("The XLSX to write.")
def batch_template_command(kind: str, output: Path) -> None:
    """Write an XLSX with the kind's columns and one example row (from its sample)."""
    sample = cli_settings().SAMPLES_DIR / f"{kind}.json"
    example = json.loads(sample.read_text(encoding="utf-8"))
    write_atomically(output, batch_template(example, kind))
    click.echo(str(output))


@click.group()
def templates() -> None:
    """Check the DOCX templates and write their text snapshot."""


@templates.command()
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: templates/snapshot).",
)
def dump(out: Path | None) -> None:
    """Write a text snapshot of every template (<lang>/<kind>.txt), for review."""
    root = cli_settings().TEMPLATES_DIR
    for path in write_snapshot(root, out or root / "snapshot"):
        click.echo(str(path))


@templates.command()
def check() -> None:
    """Check every template; list problems with the file and where, exit 1 if any."""
    settings = cli_settings()
    problems = check_templates(settings.TEMPLATES_DIR, settings.SAMPLES_DIR, settings.rates_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{len(KINDS) * len(LANGS)} templates OK")
