"""The converter's tests that start a whole ``docgen serve`` use the web tests' helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def templates_dir(tmp_path_factory):
    """The project's templates when they are all there, else minimal stand-ins."""
    from docgen.documents.kinds import KINDS, LANGS

    real = ROOT / "templates"
    if all((real / lang / f"{kind}.docx").is_file() for kind in KINDS for lang in LANGS):
        return real
    from docx import Document

    root = tmp_path_factory.mktemp("templates")
    for lang in LANGS:
        (root / lang).mkdir()
        for kind in KINDS:
            doc = Document()
            doc.add_paragraph("{{ document_title }}")
            doc.save(root / lang / f"{kind}.docx")
    return root
