"""The command line's exit status comes from the error: 2 invalid input, 3 busy, 1 failed."""

from __future__ import annotations

import json

import click
import pytest

from docgen.cli.common import run_guarded
from docgen.errors import (
    Busy,
    ConversionFailed,
    DocgenError,
    InvalidInput,
    MalformedInput,
    NotFound,
    Problem,
    TemplateError,
)


def test_invalid_input_exits_2_with_one_line_per_problem(run_cli):
    result = run_cli("grants", "quote", "--data", "-", stdin=json.dumps({"activity": "XYZ"}))
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("/") and ": " in line for line in lines)
    assert any(line.startswith("/activity: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_malformed_input_exits_2(run_cli):
    result = run_cli("grants", "quote", "--data", "-", stdin="{not json")
    assert result.code == 2
    assert result.stderr.startswith("/: not valid JSON")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (InvalidInput([Problem("/a", "is required", "missing")]), 2, "/a: is required\n"),
        (MalformedInput.at("", "not valid JSON"), 2, "/: not valid JSON\n"),
        (Busy("every converter is busy"), 3, "busy: every converter is busy\n"),
        (ConversionFailed("LibreOffice stopped"), 1, "error: LibreOffice stopped\n"),
        (TemplateError("bad tag"), 1, "error: bad tag\n"),
        (NotFound("no such thing"), 1, "error: no such thing\n"),
    ],
)
def test_each_error_carries_its_exit_status(error, code, stderr, capsys, monkeypatch):
    @click.command()
    def failing() -> None:
        raise error

    monkeypatch.setattr("sys.argv", ["docgen"])
    with pytest.raises(SystemExit) as exited:
        run_guarded(failing)
    assert exited.value.code == code == error.exit_code
    assert capsys.readouterr().err == stderr


def test_every_error_of_the_tree_has_a_status_an_exit_and_a_code():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in [DocgenError, *subclasses(DocgenError)]:
        assert 400 <= cls.status <= 599, cls
        assert cls.exit_code in (1, 2, 3), cls
        assert cls.slug and cls.title, cls
