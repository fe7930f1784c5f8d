"""What every command shares: reading input, printing JSON, and turning errors into exits.

Exit status: 0 done, 1 a check found problems or an operation failed, 2 bad input (each
problem on its own stderr line as ``<json-pointer>: <message>``), 3 busy. Each error of
:mod:`docgen.errors` carries its own exit status.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.config import ConfigError, Settings
from docgen.errors import EXIT_BUSY, EXIT_FAILED, DocgenError, MalformedInput
from docgen.errors import EXIT_INVALID as EXIT_INVALID  # the commands' own exits

F = TypeVar("F", bound=Callable[..., Any])

DATA_HELP = "JSON file with the input; '-' reads standard input."


def output_option(help: str, required: bool = True) -> Callable[[F], F]:
    """``-o/--output FILE``: where a command writes what it makes."""
    return click.option(
        "-o",
        "--output",
        required=required,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help,
    )


def cli_settings() -> Settings:
    """The settings the ``docgen`` group built once for this run (the context's object)."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_object(Settings) if ctx is not None else None
    if settings is None:  # a command invoked without the group (or a script): build them
        try:
            settings = Settings.load()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        if ctx is not None:
            ctx.find_root().obj = settings
    return settings


def read_json(source: str) -> Any:
    """Read JSON from a path or ``-`` (stdin); malformed JSON is a ``MalformedInput``."""
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            text = Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise MalformedInput.at("", f"file not found: {source}") from exc
    except UnicodeDecodeError as exc:
        raise MalformedInput.at("", f"{source} is not UTF-8 text") from exc
    except OSError as exc:
        raise MalformedInput.at("", f"cannot read {source}: {exc.strerror}") from exc
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise MalformedInput.at(
            "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc


def write_atomically(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_text(value: Any) -> str:
    """Indented UTF-8 JSON, decimals as numbers and dates in ISO form."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default)


def print_json(value: Any) -> None:
    click.echo(json_text(value))


def print_error(exc: DocgenError) -> None:
    """The error on stderr, in English: each problem on its own line as
    ``<json-pointer>: <message>``, else ``busy: ...`` or ``error: ...``."""
    if exc.problems:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
    elif exc.exit_code == EXIT_BUSY:
        click.echo(f"busy: {exc.detail}", err=True)
    else:
        click.echo(f"error: {exc.detail}", err=True)


def run_guarded(command: click.Command) -> None:
    """Run the click command; map docgen errors to exit codes, never show a traceback."""
    try:
        status = command.main(prog_name="docgen", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DocgenError as exc:
        print_error(exc)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_FAILED)
    sys.exit(status if isinstance(status, int) else 0)
