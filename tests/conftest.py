"""Shared fixtures: paths to the project's samples and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def run_cli():
    """Return a callable running ``python -m docgen ARGS`` in a real subprocess."""

    def run(*args: str, stdin: str | None = None, cwd: Path = ROOT, timeout: float = 120) -> Result:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=cwd,
            env=env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def sample():
    """Return a callable loading ``samples/<name>.json``."""

    def load(name: str) -> dict:
        return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))

    return load
