"""``docgen forms``: build the fillable PDFs, prefill one, read a returned one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from docgen.cli.common import (
    DATA_HELP,
    EXIT_FAILED,
    EXIT_INVALID,
    cli_settings,
    print_json,
    read_json,
)


@click.group()
def forms() -> None:
    """Fillable PDF forms: build, prefill, parse returned ones."""


@forms.command()
@click.option("--check", is_flag=True, help="Only report PDFs that are out of date (exit 1).")
def build(check: bool) -> int:
    """Rebuild forms/<id>.pdf from every forms/<id>.yaml."""
    from docgen.forms.build import build_all

    stale = []
    for path, changed in build_all(cli_settings().FORMS_DIR, check=check):
        state = ("out of date" if check else "rebuilt") if changed else "up to date"
        click.echo(f"{path}: {state}")
        if changed:
            stale.append(path)
    return EXIT_FAILED if check and stale else 0


@forms.command()
@click.argument("form_id")
@click.option("--data", "data_path", required=True, help=DATA_HELP)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the prefilled PDF.",
)
def prefill(form_id: str, data_path: str, output: str) -> int:
    """Write FORM_ID prefilled with the office's values ({"reference", "values"})."""
    from docgen.config import instance_secret
    from docgen.operations.forms import prefilled_form

    settings = cli_settings()
    pdf = prefilled_form(
        settings.FORMS_DIR, form_id, read_json(data_path), instance_secret(settings)
    ).content
    Path(output).write_bytes(pdf)
    click.echo(f"{output}: {len(pdf)} bytes", err=True)
    return 0


@forms.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print exactly one JSON object: the record, or {'error': {code, message}}.",
)
def parse(file: str, as_json: bool) -> int:
    """Read a returned form into a record (in a child process with time and memory limits)."""
    from docgen.config import instance_secret
    from docgen.forms.isolation import error, parse_isolated

    s = cli_settings()
    try:
        with open(file, "rb") as fp:
            answer = parse_isolated(
                fp,
                filename=Path(file).name,
                timeout=s.PARSE_TIMEOUT,
                memory_mb=s.PARSE_MEMORY_MB,
                max_bytes=s.PARSE_MAX_MB * 1_000_000,
                forms_dir=s.FORMS_DIR,
                trust_roots=s.TRUST_ROOTS,
                secret=instance_secret(s),
                max_pixels=s.PARSE_MAX_PIXELS,
                scan_dpi=s.SCAN_DPI,
                scan_max_pages=s.SCAN_MAX_PAGES,
            )
    except OSError as exc:
        answer = error("unreadable", f"cannot read {file}: {exc.strerror}")
    # A scan's crops are images for the review pages, not for a terminal.
    answer = {k: v for k, v in answer.items() if k != "crops"}
    if "documents" in answer:
        answer["documents"] = [
            {k: v for k, v in d.items() if k != "crops"} for d in answer["documents"]
        ]
    if "unidentified" in answer:  # the page images too
        answer["unidentified"] = [
            {k: v for k, v in u.items() if k != "image"} for u in answer["unidentified"]
        ]
    if as_json:
        print_json(answer)
    else:
        _summary(answer)
    return EXIT_INVALID if "error" in answer else 0


def _summary(answer: dict) -> None:
    if "error" in answer:
        click.echo(f"error [{answer['error']['code']}]: {answer['error']['message']}", err=True)
        return
    click.echo(
        f"{answer['form'] or '?'}@{answer['version'] or '?'}: {answer['status']} "
        f"({answer['method']})"
    )
    for name, value in answer["values"].items():
        click.echo(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    for issue in answer["issues"]:
        click.echo(f"  ! {issue['field'] or '/'}: {issue['message']} [{issue['code']}]")
    for sig in answer["signatures"]:
        click.echo(
            f"  signature {sig['field']}: {'signed' if sig.get('signed') else 'not signed'}",
            file=sys.stdout,
        )
