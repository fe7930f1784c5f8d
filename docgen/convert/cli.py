"""``docgen convert``: a DOCX document to PDF through LibreOffice."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from docgen.cli.common import cli_settings, write_atomically
from docgen.convert import convert_docx_to_pdf
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


@click.command("convert-server")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (a LAN address to serve other machines).",
)
@click.option(
    "--port",
    default=8100,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed on start).",
)
def convert_server(host: str, port: int) -> None:
    """Serve this machine's LibreOffice pool to docgen nodes over HTTP.

    Nodes list it in CONVERTERS (http://HOST:PORT) and send CONVERTER_TOKEN with every
    request; requests without it are refused. The pool's settings (PDF_INSTANCES,
    PDF_TIMEOUT, PDF_MAX_JOBS, PDF_QUEUE) apply. SIGTERM or Ctrl-C stops it.
    """
    import logging

    from docgen.convert.service import serve_tcp

    values = cli_settings().as_config()
    token = str(values.get("CONVERTER_TOKEN") or "")
    if not token:
        raise click.ClickException(
            "DOCGEN_CONVERTER_TOKEN is not set: a convert-server needs the token its nodes "
            "send (a long random string, the same on every node)"
        )
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s [convert] %(levelname)s %(name)s: %(message)s",
    )
    try:
        serve_tcp(host, port, token, config=values)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror})") from exc
