"""Shared fixtures: paths to the project's samples and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# the PostgreSQL server (tests/pg_server.py) and the apps (tests/apps.py)
pytest_plugins = ["pg_server", "redis_server", "apps"]

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

    def run(
        *args: str,
        stdin: str | None = None,
        cwd: Path = ROOT,
        timeout: float = 120,
        env: dict[str, str] | None = None,
    ) -> Result:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
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


def read_docx_text(content: bytes) -> str:
    """All text a reader sees in a DOCX: body paragraphs, tables (nested), headers, footers."""
    import io

    from docx import Document

    doc = Document(io.BytesIO(content))
    chunks: list[str] = []

    def walk(container) -> None:
        for paragraph in container.paragraphs:
            chunks.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(doc)
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            if part is not None and not part.is_linked_to_previous:
                walk(part)
    return "\n".join(chunks)


@pytest.fixture
def docx_text():
    """Return the function reading every visible text of a DOCX."""
    return read_docx_text


@pytest.fixture(scope="session")
def pdf_pool():
    """One pool of two warm LibreOffice instances for the whole test session."""
    from docgen.convert import PdfPool

    with PdfPool(instances=2, timeout=60, queue=16) as shared:
        yield shared
