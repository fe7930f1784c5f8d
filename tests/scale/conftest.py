"""Several docgen nodes and workers as separate processes, on real servers on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The served-service helpers (tests/web/served.py); the Redis fixture is a plugin of
# tests/conftest.py.
sys.path.insert(0, str(ROOT / "tests" / "web"))


@pytest.fixture(scope="session")
def templates_dir() -> Path:
    """The project's templates (the nodes render real documents)."""
    from docgen.documents.kinds import KINDS, LANGS

    folder = ROOT / "templates"
    if not all((folder / lang / f"{kind}.docx").is_file() for kind in KINDS for lang in LANGS):
        pytest.fail("the DOCX templates are missing")
    return folder
