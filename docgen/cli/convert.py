"""``docgen convert``: a DOCX document to PDF through LibreOffice."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from docgen.cli.common import cli_settings, write_atomically
from docgen.documents.pdf import convert_docx_to_pdf
from docgen.errors import MalformedInput


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Where to write the PDF ('-' for standard output); default: SOURCE with .pdf.",
)
@click.option("--pdfa", is_flag=True, help="Produce PDF/A-2b, for archiving.")
def convert(source: Path, output: Path | None, pdfa: bool) -> None:
    """Convert the DOCX document SOURCE to PDF.

    Exit status 2 when SOURCE is not a DOCX, 1 when LibreOffice fails, 3 when busy.
    """
    try:
        docx = source.read_bytes()
    except OSError as exc:
        raise MalformedInput.at("", f"cannot read {source}: {exc.strerror}") from exc
    pdf = convert_docx_to_pdf(docx, pdfa=pdfa, config=cli_settings().as_config())
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
        return
    target = output or source.with_suffix(".pdf")
    write_atomically(target, pdf)
    click.echo(str(target))
