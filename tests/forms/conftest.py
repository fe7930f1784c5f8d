"""Fixtures for the forms tests: the specs, filled copies made with pypdf, a warm pool."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfWriter

from docgen.forms.isolation import WorkerPool
from docgen.forms.spec import load_specs

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
DATA = ROOT / "tests" / "data" / "forms"
CORPUS = ROOT / "tests" / "data" / "corpus"


@pytest.fixture(scope="session")
def specs():
    return load_specs(FORMS)


@pytest.fixture(scope="session")
def values():
    """Raw values per form, Romanian diacritics included, as someone would type them."""
    return json.loads((DATA / "values.json").read_text(encoding="utf-8"))


def pypdf_fill(form_id: str, values: dict) -> bytes:
    """Fill the committed blank form with pypdf (not the tool that built it)."""
    writer = PdfWriter(clone_from=str(FORMS / f"{form_id}.pdf"))
    text = {k: v for k, v in values.items() if not isinstance(v, bool)}
    boxes = {k: "/Yes" for k, v in values.items() if v is True}
    for page in writer.pages:
        # pypdf draws the appearances itself, in the form's embedded field font;
        # auto_regenerate=False only leaves /NeedAppearances unset.
        writer.update_page_form_field_values(page, {**text, **boxes}, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def fill():
    return pypdf_fill


@pytest.fixture(scope="session")
def pool():
    """Two warm workers, shared by the whole session."""
    with WorkerPool(2, timeout=6, forms_dir=FORMS, trust_roots="") as workers:
        yield workers
